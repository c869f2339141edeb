//===- Pipelines.h - adaround compilation pipelines -------------*- C++ -*-===//

#ifndef ADAROUND_PIPELINES_PIPELINES_H
#define ADAROUND_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace mlir::adaround {

/// Options of `--adaround-to-llvm`.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  Option<int64_t> vectorWidth{*this, "vector-width",
                              llvm::cl::desc("f32 lanes per vector"),
                              llvm::cl::init(16)};
  Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("threads per kernel: 1 runs everything on the calling "
                     "thread (no runtime library needed), 0 on every core, N "
                     "on N; above 1 the code calls the OpenMP runtime "
                     "(link libomp)"),
      llvm::cl::init(1)};
  Option<int64_t> reductionThreads{
      *this, "reduction-threads",
      llvm::cl::desc("sums with fewer outputs than this are split into "
                     "partial sums over chunks (adaround-split-reductions), "
                     "for about this many parallel iterations; 0: never"),
      llvm::cl::init(0)};
  Option<std::string> x86Avx512{
      *this, "x86-avx512",
      llvm::cl::desc("use AVX-512 instructions that have no target-independent "
                     "form (packed levels unpacked by table lookup, "
                     "adaround-x86-lookup-levels): on, off, or auto (when the "
                     "compiling host has AVX-512F)"),
      llvm::cl::init("auto")};
  Option<int64_t> prefetchDistance{
      *this, "prefetch-distance",
      llvm::cl::desc("reads streaming through large buffers prefetch this "
                     "many bytes ahead (adaround-prefetch-streams); 0: no "
                     "prefetches"),
      llvm::cl::init(4096)};
  Option<int64_t> prefetchMinBytes{
      *this, "prefetch-min-bytes",
      llvm::cl::desc("smallest buffer (bytes) whose streamed reads are "
                     "prefetched; smaller ones are left to the caches"),
      llvm::cl::init(1 << 20)};
};

/// Whether `--adaround-to-llvm` with these options uses AVX-512 (`auto`
/// asks the compiling host).
bool usesX86Avx512(const CPUPipelineOptions &options);

/// Options of `--adaround-to-nvvm`.
struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("target SM"),
                           llvm::cl::init("sm_90")};
  Option<std::string> features{*this, "features",
                               llvm::cl::desc("PTX ISA version, e.g. +ptx80 (default: "
                                            "the chip's minimum, at least "
                                            "+ptx80)"),
                               llvm::cl::init("")};
  Option<std::string> format{*this, "format",
                             llvm::cl::desc("isa (PTX text), bin (cubin) or "
                                            "fatbin"),
                             llvm::cl::init("isa")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("threads per block"),
                            llvm::cl::init(256)};
  Option<int64_t> reductionThreads{
      *this, "reduction-threads",
      llvm::cl::desc("sums with fewer outputs (a matvec's rows) are split "
                     "into partial sums, for about this many threads; 0: "
                     "never"),
      llvm::cl::init(65536)};
  Option<int64_t> maxInlineBytes{
      *this, "max-inline-bytes",
      llvm::cl::desc("constants up to this size are compiled into the "
                     "kernels; larger ones stay host data, copied to the "
                     "device once at run time"),
      llvm::cl::init(4096)};
};

/// Why the options cannot be used (naming the option and its value), or
/// std::nullopt when they can.
std::optional<std::string> checkOptions(const CPUPipelineOptions &options);
std::optional<std::string> checkOptions(const GPUPipelineOptions &options);

/// func/tensor/linalg with adaround ops down to the LLVM dialect: lowering,
/// vectorization, bufferization (writing into destinations, no copies),
/// polynomial exp, and LLVM conversion. Fails naming any op left over.
/// Bad options, or passes missing from the registry, are reported on `errors`.
LogicalResult buildCPUPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options,
                               llvm::raw_ostream &errors = llvm::errs());

/// The same front end, then GPU kernels outlined and compiled to NVVM/PTX in a
/// gpu.binary, with host code in the LLVM dialect.
LogicalResult buildGPUPipeline(OpPassManager &pm,
                               const GPUPipelineOptions &options,
                               llvm::raw_ostream &errors = llvm::errs());

/// Registers `--adaround-to-llvm` and `--adaround-to-nvvm`.
void registerAdaroundPipelines();

} // namespace mlir::adaround

#endif // ADAROUND_PIPELINES_PIPELINES_H
