//===- adaround-opt.cpp - mlir-opt with the adaround dialect --------------===//

#include "adaround/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::adaround::registerAdaroundPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates GPU modules to LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::adaround::registerAdaroundDialect(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "adaround-opt: AdaRound quantization for MLIR\n", registry));
}
