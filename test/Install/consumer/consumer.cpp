// Registers the dialect and passes with one call each, then parses a module
// and runs --convert-adaround-to-linalg on it.
#include "adaround/Registration.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

int main() {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::adaround::registerAdaroundDialect(registry);
  mlir::adaround::registerAdaroundPasses();
  mlir::MLIRContext context(registry);

  const char *source = R"mlir(
    func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
      %0 = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<i8:f32, 0.05>)
             v(dense<[1.0, -1.0, 0.0, 2.0]> : tensor<4xf32>) : tensor<4xf32>
      return %0 : tensor<4xf32>
    })mlir";
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context, mlir::ModuleOp::getOperationName());
  if (mlir::failed(mlir::parsePassPipeline(
          "convert-adaround-to-linalg", pm)) ||
      mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  return 0;
}
