//===- AdaroundPlugin.cpp - The adaround dialect and passes for mlir-opt --===//
//
// Loaded by a stock mlir-opt linked against the same libMLIR.so:
//   mlir-opt --load-dialect-plugin=AdaroundPlugin.so \
//            --load-pass-plugin=AdaroundPlugin.so ...
//
//===----------------------------------------------------------------------===//

#include "adaround/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Adaround", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mlir::adaround::registerAdaroundDialect(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Adaround", LLVM_VERSION_STRING,
          []() { mlir::adaround::registerAdaroundPasses(); }};
}
