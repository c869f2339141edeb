//===- Pipelines.cpp - adaround compilation pipelines ---------------------===//
//
// Written as textual pipelines of public pass names: what a user would type
// into mlir-opt, and what the tests exercise one pass at a time.
//
//===----------------------------------------------------------------------===//

#include "adaround/Pipelines/Pipelines.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::adaround;

/// Tensors to vectorized, bufferized loops on memrefs, shared by both targets
/// up to the point where they diverge.
static std::string frontEnd() {
  return "convert-adaround-to-linalg,func.func(lower-quant-ops),"
         "func.func(adaround-reshape-into-destination),eliminate-empty-tensors,"
         "canonicalize,cse";
}

static const char *kBufferize =
    "eliminate-empty-tensors,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-deallocation-pipeline,canonicalize,cse";

LogicalResult mlir::adaround::buildCPUPipeline(
    OpPassManager &pm, const CPUPipelineOptions &options) {
  std::string pipeline = llvm::formatv(
      "{0},func.func(adaround-vectorize-elementwise{{vector-width={1}}),"
      "canonicalize,{2},adaround-expand-math,"
      "func.func(convert-linalg-to-loops),convert-vector-to-scf,lower-affine,"
      "convert-scf-to-cf,convert-vector-to-llvm,convert-math-to-llvm,"
      "expand-strided-metadata,lower-affine,finalize-memref-to-llvm,"
      "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,"
      "convert-func-to-llvm,reconcile-unrealized-casts,"
      "adaround-check-lowered{{allowed-dialects=llvm}",
      frontEnd(), options.vectorWidth.getValue(), kBufferize);
  return parsePassPipeline(pipeline, pm);
}

LogicalResult mlir::adaround::buildGPUPipeline(
    OpPassManager &pm, const GPUPipelineOptions &options) {
  return failure();
}

void mlir::adaround::registerAdaroundPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "adaround-to-llvm",
      "Lower adaround/linalg/tensor code to the LLVM dialect for the CPU",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        if (failed(buildCPUPipeline(pm, options)))
          llvm::report_fatal_error("adaround-to-llvm: bad pipeline");
      });
}
