//===- Pipelines.cpp - adaround compilation pipelines ---------------------===//
//
// Written as textual pipelines of public pass names: what a user would type
// into mlir-opt, and what the tests exercise one pass at a time. Options are
// checked before they are spliced into the text.
//
//===----------------------------------------------------------------------===//

#include "adaround/Pipelines/Pipelines.h"
#include "adaround/Support/CheckedOptions.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Regex.h"
#include "llvm/TargetParser/Host.h"

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
  // TOSA input is lowered to linalg first (a no-op without TOSA ops), so
  // that weights quantized on TOSA ops follow them into linalg; so are
  // elementwise arith/math ops on whole tensors.
  return "adaround-check-registration,tosa-to-linalg-pipeline,"
         "func.func(convert-elementwise-to-linalg),"
         "convert-adaround-to-linalg,func.func(lower-quant-ops),"
         "func.func(linalg-generalize-named-ops,adaround-fuse-into-reductions,"
         "adaround-drop-unit-dims,canonicalize),"
         "func.func(adaround-reshape-into-destination),eliminate-empty-tensors,"
         "canonicalize";
}

// Buffers returned from functions are copies (`bufferization.clone`), which
// convert-bufferization-to-memref turns into allocations and copies. Loop
// hoisting moves fixed-size scratch buffers (a reduction's partial sums) out
// of the loops that use them: one allocation, not one per row. Deallocation
// is upstream's buffer-deallocation-pipeline with adaround-split-deallocs
// before the simplification, which is otherwise quadratic in the kernels of
// a function.
static const char *kBufferize =
    "eliminate-empty-tensors,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "func.func(buffer-loop-hoisting),expand-realloc{emit-deallocs=false},"
    "canonicalize,ownership-based-buffer-deallocation,canonicalize,"
    "func.func(adaround-split-deallocs),buffer-deallocation-simplification,"
    "bufferization-lower-deallocations,cse,canonicalize,convert-bufferization-to-memref,"
    "canonicalize,cse";

std::optional<std::string>
mlir::adaround::checkOptions(const CPUPipelineOptions &options) {
  if (std::optional<std::string> error =
          checkOptionRange("adaround-to-llvm", "vector-width",
                           options.vectorWidth, 1, kMaxVectorWidth))
    return error;
  if (std::optional<std::string> error = checkOptionRange(
          "adaround-to-llvm", "threads", options.threads, 0, kMaxThreads))
    return error;
  if (std::optional<std::string> error =
          checkOptionAtLeast("adaround-to-llvm", "reduction-threads",
                             options.reductionThreads, 0))
    return error;
  if (std::optional<std::string> error =
          checkOptionAtLeast("adaround-to-llvm", "prefetch-distance",
                             options.prefetchDistance, 0))
    return error;
  if (std::optional<std::string> error =
          checkOptionAtLeast("adaround-to-llvm", "prefetch-min-bytes",
                             options.prefetchMinBytes, 0))
    return error;
  StringRef avx512 = options.x86Avx512;
  if (avx512 != "auto" && avx512 != "on" && avx512 != "off")
    return ("adaround-to-llvm: option 'x86-avx512' must be on, off or auto, "
            "got '" + avx512 + "'")
        .str();
  return std::nullopt;
}

bool mlir::adaround::usesX86Avx512(const CPUPipelineOptions &options) {
  if (options.x86Avx512 != "auto")
    return options.x86Avx512 == "on";
  return llvm::sys::getHostCPUFeatures().lookup("avx512f");
}

/// adaround-split-reductions for `threads` parallel iterations, or nothing
/// for 0.
static std::string splitReductions(int64_t threads) {
  if (!threads)
    return "";
  return llvm::formatv(",func.func(adaround-split-reductions{{target-threads={0}})",
                       threads)
      .str();
}

/// adaround-prefetch-streams as the options ask, or nothing for distance 0.
static std::string prefetchStreams(const CPUPipelineOptions &options) {
  if (!options.prefetchDistance)
    return "";
  return llvm::formatv(
             ",adaround-prefetch-streams{{distance={0} min-bytes={1}}",
             options.prefetchDistance.getValue(),
             options.prefetchMinBytes.getValue())
      .str();
}

/// The lowest PTX ISA version (times 10) that supports `chip`, or 0 for a
/// chip the NVPTX backend does not know.
static unsigned minimumPtxVersion(StringRef chip) {
  return llvm::StringSwitch<unsigned>(chip)
      .Cases({"sm_20", "sm_21", "sm_30", "sm_35"}, 32)
      .Cases({"sm_32", "sm_50"}, 40)
      .Cases({"sm_37", "sm_52"}, 41)
      .Case("sm_53", 42)
      .Cases({"sm_60", "sm_61", "sm_62"}, 50)
      .Case("sm_70", 60)
      .Case("sm_72", 61)
      .Case("sm_75", 63)
      .Case("sm_80", 70)
      .Case("sm_86", 71)
      .Case("sm_87", 74)
      .Cases({"sm_89", "sm_90"}, 78)
      .Case("sm_90a", 80)
      .Cases({"sm_100", "sm_100a", "sm_101", "sm_101a"}, 86)
      .Cases({"sm_120", "sm_120a"}, 87)
      .Cases({"sm_100f", "sm_101f", "sm_103", "sm_103a", "sm_103f", "sm_120f",
              "sm_121", "sm_121a", "sm_121f"},
             88)
      .Cases({"sm_88", "sm_110", "sm_110a", "sm_110f"}, 90)
      .Default(0);
}

std::optional<std::string>
mlir::adaround::checkOptions(const GPUPipelineOptions &options) {
  auto bad = [](StringRef option, StringRef expected, const Twine &got) {
    return ("adaround-to-nvvm: option '" + option + "' must be " + expected +
            ", got '" + got + "'")
        .str();
  };
  unsigned chipPtx = minimumPtxVersion(options.chip);
  if (!chipPtx)
    return bad("chip", "an NVPTX target such as sm_80 or sm_90a",
               options.chip.getValue());
  if (options.format != "isa" && options.format != "bin" &&
      options.format != "fatbin")
    return bad("format", "isa, bin or fatbin", options.format.getValue());
  if (std::optional<std::string> error =
          checkOptionRange("adaround-to-nvvm", "block-size",
                           options.blockSize, 1, kMaxThreadsPerBlock))
    return error;
  if (std::optional<std::string> error = checkOptionAtLeast(
          "adaround-to-nvvm", "max-inline-bytes", options.maxInlineBytes, 0))
    return error;
  if (std::optional<std::string> error = checkOptionAtLeast(
          "adaround-to-nvvm", "reduction-threads", options.reductionThreads, 0))
    return error;
  if (options.features.empty())
    return std::nullopt;
  unsigned ptx = 0;
  StringRef features = options.features;
  if (!features.consume_front("+ptx") || features.getAsInteger(10, ptx) ||
      ptx < 32)
    return bad("features", "a PTX ISA version such as +ptx80",
               options.features.getValue());
  if (ptx < chipPtx)
    return llvm::formatv("adaround-to-nvvm: option 'features' is '{0}' but "
                         "chip '{1}' needs PTX ISA {2}.{3} or newer (+ptx{4})",
                         options.features.getValue(), options.chip.getValue(),
                         chipPtx / 10, chipPtx % 10, chipPtx)
        .str();
  return std::nullopt;
}

/// The PTX feature to compile with: the one asked for, else the chip's
/// minimum but at least PTX 8.0.
static std::string ptxFeature(const GPUPipelineOptions &options) {
  if (!options.features.empty())
    return options.features;
  return "+ptx" +
         std::to_string(std::max(80u, minimumPtxVersion(options.chip)));
}

/// Parses `pipeline` into `pm`, or reports why not: a pass it names is not
/// registered in this tool.
static LogicalResult parse(StringRef name, const std::string &pipeline,
                           OpPassManager &pm, llvm::raw_ostream &errors) {
  std::string parseErrors;
  llvm::raw_string_ostream stream(parseErrors);
  if (succeeded(parsePassPipeline(pipeline, pm, stream)))
    return success();
  errors << name << ": cannot build the pipeline (are all passes registered? "
         << "call mlir::adaround::registerAdaroundPasses): " << parseErrors;
  return failure();
}

LogicalResult mlir::adaround::buildCPUPipeline(
    OpPassManager &pm, const CPUPipelineOptions &options,
    llvm::raw_ostream &errors) {
  if (std::optional<std::string> error = checkOptions(options)) {
    errors << *error;
    return failure();
  }
  // Threads: marked loops become chunks of scf.parallel, then OpenMP
  // worksharing loops, right after bufferization (scf-to-cf would make them
  // serial branches). The omp ops stay: mlir-translate turns them into
  // OpenMP runtime calls.
  std::string threads, threadsToLLVM;
  if (options.threads != 1) {
    threads = llvm::formatv("func.func(adaround-parallelize-loops),"
                            "convert-scf-to-openmp{{num-threads={0}},canonicalize,",
                            options.threads.getValue());
    threadsToLLVM = "convert-openmp-to-llvm,";
  }
  // The AVX-512 lookups come after bufferization: they are
  // `llvm.call_intrinsic` ops, whose memory effects bufferization cannot see.
  std::string pipeline = llvm::formatv(
      "{0}{6},func.func(adaround-vectorize-elementwise{{vector-width={1}}),"
      "canonicalize,{2},{3}func.func(adaround-hoist-vector-transfers{7}{8}),"
      "adaround-expand-math,"
      "func.func(adaround-lower-reductions,convert-linalg-to-loops,"
      "lower-vector-multi-reduction),"
      "convert-vector-to-scf{{full-unroll=true},lower-affine,func.func(adaround-split-blocks),convert-scf-to-cf,"
      "convert-vector-to-llvm,convert-math-to-llvm,"
      "expand-strided-metadata,lower-affine,finalize-memref-to-llvm,"
      "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,"
      "convert-func-to-llvm,convert-ub-to-llvm,{4}reconcile-unrealized-casts,"
      "adaround-check-lowered{{allowed-dialects=llvm{5}}",
      frontEnd(), options.vectorWidth.getValue(), kBufferize, threads,
      threadsToLLVM, options.threads != 1 ? ",omp" : "",
      splitReductions(options.reductionThreads),
      usesX86Avx512(options) ? ",adaround-x86-lookup-levels" : "",
      prefetchStreams(options));
  return parse("adaround-to-llvm", pipeline, pm, errors);
}

LogicalResult mlir::adaround::buildGPUPipeline(
    OpPassManager &pm, const GPUPipelineOptions &options,
    llvm::raw_ostream &errors) {
  if (std::optional<std::string> error = checkOptions(options)) {
    errors << *error;
    return failure();
  }
  // Upstream's NVVM pipeline attaches the target without fast math or
  // flush-to-zero: IEEE division (div.rn.f32) and denormals, as on the CPU.
  // Sums with few outputs become partial sums (split-reductions), each
  // thread keeping its sum in a register (lower-reductions). Large constants
  // stay host data with a device copy made at run time (constants-to-device,
  // resolve-device-constants); symbol-dce drops the host copies of the small
  // ones, which outlining copied into the kernels.
  std::string pipeline = llvm::formatv(
      "{0}{7},{1},"
      "func.func(adaround-lower-reductions,"
      "convert-linalg-to-parallel-loops),"
      "adaround-constants-to-device{{max-inline-bytes={6}},"
      "func.func(adaround-map-to-gpu{{block-size={2}},gpu-map-parallel-loops,"
      "convert-parallel-loops-to-gpu),gpu-kernel-outlining,symbol-dce,"
      "adaround-expand-math,lower-affine,func.func(adaround-split-blocks),convert-scf-to-cf,"
      "gpu.module(adaround-math-to-nvvm),"
      "gpu-lower-to-nvvm-pipeline{{cubin-chip={3} cubin-features={4} "
      "cubin-format={5}},adaround-resolve-device-constants,"
      "adaround-check-lowered{{allowed-dialects=llvm,gpu}",
      frontEnd(), kBufferize, options.blockSize.getValue(),
      options.chip.getValue(), ptxFeature(options), options.format.getValue(),
      options.maxInlineBytes.getValue(),
      splitReductions(options.reductionThreads));
  return parse("adaround-to-nvvm", pipeline, pm, errors);
}

/// Registers a pipeline whose option and build errors are reported through
/// the pass-pipeline parser (an `error:` line, exit status 1), never as a
/// fatal error.
template <typename Options>
static void registerPipeline(
    StringRef name, StringRef description,
    LogicalResult (*build)(OpPassManager &, const Options &,
                           llvm::raw_ostream &)) {
  registerPassPipeline(
      name, description,
      [build](OpPassManager &pm, StringRef text,
              function_ref<LogicalResult(const Twine &)> errorHandler) {
        Options options;
        if (failed(options.parseFromString(text)))
          return failure();
        std::string errors;
        llvm::raw_string_ostream stream(errors);
        if (failed(build(pm, options, stream)))
          return errorHandler(errors);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optionHandler) {
        optionHandler(Options());
      });
}

void mlir::adaround::registerAdaroundPipelines() {
  registerPipeline<CPUPipelineOptions>(
      "adaround-to-llvm",
      "Lower adaround/linalg/tensor code to the LLVM dialect for the CPU",
      buildCPUPipeline);
  registerPipeline<GPUPipelineOptions>(
      "adaround-to-nvvm",
      "Lower adaround/linalg/tensor code to host LLVM IR and an NVVM/PTX "
      "gpu.binary",
      buildGPUPipeline);
}
