//===- adaround-opt.cpp - mlir-opt with the adaround dialect --------------===//

#include "adaround/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::adaround::registerAdaround(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "adaround-opt: AdaRound quantization for MLIR\n", registry));
}
