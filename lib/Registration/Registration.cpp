//===- Registration.cpp - One call each to use adaround -------------------===//

#include "adaround/Registration.h"

#include "adaround/Codegen/Passes.h"
#include "adaround/Conversion/Passes.h"
#include "adaround/Dialect/Adaround/IR/Adaround.h"
#include "adaround/Dialect/Adaround/Transforms/Passes.h"
#include "adaround/Learn/Passes.h"
#include "adaround/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mlir::adaround::registerAdaround(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // gpu-module-to-binary translates GPU modules to LLVM IR.
  registerAllToLLVMIRTranslations(registry);
  registerAdaroundDialect(registry);
  registerAdaroundPasses();
}

void mlir::adaround::registerAdaroundDialect(DialectRegistry &registry) {
  registry.insert<AdaroundDialect, quant::QuantDialect>();
}

void mlir::adaround::registerAdaroundPasses() {
  // The pipelines are text naming upstream passes. Registering a pass again
  // is harmless (mlir-opt loading our plugin has them already).
  registerAllPasses();
  registerAdaroundConversionPasses();
  registerAdaroundTransformsPasses();
  registerAdaroundCodegenPasses();
  registerAdaroundLearnPasses();
  registerAdaroundPipelines();
}
