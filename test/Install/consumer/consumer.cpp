// An out-of-tree tool using an installed adaround-mlir the way the guide
// says: one registration call, then the CPU pipeline on a module.
//   consumer                      the guide's snippet: prints the LLVM dialect
//   consumer --without-extensions our dialect and passes only (the guide's
//                                 old snippet): the pipeline must
//                                 fail with a diagnostic, not crash
#include "adaround/Registration.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

int main(int argc, char **argv) {
  bool withoutExtensions =
      argc > 1 && std::strcmp(argv[1], "--without-extensions") == 0;
  mlir::DialectRegistry registry;
  if (withoutExtensions) {
    mlir::adaround::registerAdaroundDialect(registry);
    mlir::adaround::registerAdaroundPasses();
  } else {
    // The guide's snippet, as written there.
    mlir::adaround::registerAdaround(registry);
  }
  mlir::MLIRContext context(registry);
  context.loadDialect<mlir::func::FuncDialect>();

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
  if (mlir::failed(mlir::parsePassPipeline("adaround-to-llvm", pm)) ||
      mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  return 0;
}
