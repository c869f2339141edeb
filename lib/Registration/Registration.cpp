//===- Registration.cpp - One call each to use adaround -------------------===//

#include "adaround/Registration.h"

#include "adaround/Codegen/Passes.h"
#include "adaround/Conversion/Passes.h"
#include "adaround/Dialect/Adaround/IR/Adaround.h"
#include "adaround/Dialect/Adaround/Transforms/Passes.h"
#include "adaround/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::adaround::registerAdaroundDialect(DialectRegistry &registry) {
  registry.insert<AdaroundDialect, quant::QuantDialect>();
}

void mlir::adaround::registerAdaroundPasses() {
  registerAdaroundConversionPasses();
  registerAdaroundTransformsPasses();
  registerAdaroundCodegenPasses();
  registerAdaroundPipelines();
}
