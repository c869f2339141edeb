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
  // Fusion (dequantization into its consumers, e.g. a matvec) comes before
  // empty-tensor elimination: it rewrites `outs` operands, which would undo
  // the in-place writes into destinations. No CSE before bufferization: it
  // would merge the kernels' `tensor.empty` results into one, which every
  // kernel then writes (quadratic analysis, and copies).
  return "convert-adaround-to-linalg,func.func(lower-quant-ops),"
         "func.func(linalg-generalize-named-ops,adaround-fuse-into-reductions,"
         "adaround-drop-unit-dims,canonicalize),"
         "func.func(adaround-reshape-into-destination),eliminate-empty-tensors,"
         "canonicalize";
}

static const char *kBufferize =
    "eliminate-empty-tensors,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-deallocation-pipeline,convert-bufferization-to-memref,"
    "canonicalize,cse";

LogicalResult mlir::adaround::buildCPUPipeline(
    OpPassManager &pm, const CPUPipelineOptions &options) {
  std::string pipeline = llvm::formatv(
      "{0},func.func(adaround-vectorize-elementwise{{vector-width={1}}),"
      "canonicalize,{2},adaround-expand-math,"
      "func.func(convert-linalg-to-loops,lower-vector-multi-reduction),"
      "convert-vector-to-scf,lower-affine,convert-scf-to-cf,"
      "convert-vector-to-llvm,convert-math-to-llvm,"
      "expand-strided-metadata,lower-affine,finalize-memref-to-llvm,"
      "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,"
      "convert-func-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts,"
      "adaround-check-lowered{{allowed-dialects=llvm}",
      frontEnd(), options.vectorWidth.getValue(), kBufferize);
  return parsePassPipeline(pipeline, pm);
}

LogicalResult mlir::adaround::buildGPUPipeline(
    OpPassManager &pm, const GPUPipelineOptions &options) {
  // Upstream's NVVM pipeline attaches the target without fast math or
  // flush-to-zero: IEEE division (div.rn.f32) and denormals, as on the CPU.
  std::string pipeline = llvm::formatv(
      "{0},{1},func.func(convert-linalg-to-parallel-loops,"
      "adaround-map-to-gpu{{block-size={2}},gpu-map-parallel-loops,"
      "convert-parallel-loops-to-gpu),gpu-kernel-outlining,"
      "adaround-expand-math,lower-affine,convert-scf-to-cf,"
      "gpu.module(adaround-math-to-nvvm),"
      "gpu-lower-to-nvvm-pipeline{{cubin-chip={3} cubin-features={4} "
      "cubin-format={5}},"
      "adaround-check-lowered{{allowed-dialects=llvm,gpu}",
      frontEnd(), kBufferize, options.blockSize.getValue(),
      options.chip.getValue(), options.features.getValue(),
      options.format.getValue());
  return parsePassPipeline(pipeline, pm);
}

void mlir::adaround::registerAdaroundPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "adaround-to-llvm",
      "Lower adaround/linalg/tensor code to the LLVM dialect for the CPU",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        if (failed(buildCPUPipeline(pm, options)))
          llvm::report_fatal_error("adaround-to-llvm: bad pipeline");
      });
  PassPipelineRegistration<GPUPipelineOptions>(
      "adaround-to-nvvm",
      "Lower adaround/linalg/tensor code to host LLVM IR and an NVVM/PTX "
      "gpu.binary",
      [](OpPassManager &pm, const GPUPipelineOptions &options) {
        if (failed(buildGPUPipeline(pm, options)))
          llvm::report_fatal_error("adaround-to-nvvm: bad pipeline");
      });
}
