#ifndef ADAROUND_CODEGEN_PASSES_TD
#define ADAROUND_CODEGEN_PASSES_TD

// Code generation passes the pipelines use. None of them knows the adaround
// dialect: they shape linalg, scf and vector code for CPUs and GPUs, and
// another compiler can run them on its own kernels.

include "mlir/Pass/PassBase.td"

def AdaroundVectorizeElementwise : Pass<"adaround-vectorize-elementwise",
                                        "::mlir::func::FuncOp"> {
  let summary = "Tile and vectorize elementwise linalg.generic ops";
  let description = [{
    Tiles every all-parallel `linalg.generic` on tensors to `1 x ... x 1 x
    vector-width`, peels the partial last tile, and vectorizes (the full
    tiles without masks, the remainder with masks). A generic whose
    innermost loop is its only reduction (a matvec, with dequantization
    fused in) is tiled one row at a time with up to 4 x `vector-width`
    partial sums per row (4 vectors even where no two divide the row, the
    rest then summed by a static remainder tile: one vector per step would
    leave one chain of additions), accumulated by fusable multiply-adds
    (fast-math `contract`) and merged once per row as a tree, then
    vectorized the same way; outer reduction loops of at most 8 steps (the
    slots of packed levels) are unrolled. A small batch of rows (2 to 16: the parallel loops
    the weight, the largest input of integer levels or else the largest
    input, does not depend on) is tiled whole, so that each stretch of the
    weight is loaded and converted once for all its rows, and summed in
    blocks whose share of the batch's input fits the L1 cache (32 KB) when
    such blocks are long enough (1024 elements) to pay for their merges. A
    batch whose rows and weight rows are multiples of 4 is summed instead in
    register blocks of 4 weight rows by 4 rows of the batch (16 vectors of
    partial sums), packed levels one slot at a time, each slot of a weight
    row unpacked once for the block before it is broadcast to the batch's
    rows. A matvec whose input exceeds 32 KB is summed 8 weight rows at a
    time (4 where 8 do not divide them), each input vector loaded once for
    the block; with packed levels the block takes each byte's slots in one
    step (rows x slots at most 16: 8 rows for i4, 4 for i2) and the loop
    along a run's bytes is unrolled, so each byte is read and widened once
    for all its slots.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "f32 lanes per vector (16 fills an AVX-512 register)">,
  ];
  // Every dialect whose canonicalization patterns the pass adds, so that it
  // also runs on a function that holds none of their ops.
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def AdaroundReshapeIntoDestination
    : Pass<"adaround-reshape-into-destination", "::mlir::func::FuncOp"> {
  let summary = "Reshape destination memrefs instead of results";
  let description = [{
    Rewrites `materialize_in_destination(tensor.expand_shape(%r)) in %m` into
    `materialize_in_destination(%r) in memref.collapse_shape(%m)` (and the
    collapse/expand mirror), so that empty-tensor elimination can make a
    kernel that iterates over a reshaped view write straight into `%m`.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def AdaroundMapToGPU : Pass<"adaround-map-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Collapse, tile and prepare elementwise scf.parallel loops for GPU";
  let description = [{
    Collapses each outermost `scf.parallel` to one dimension, tiles it by
    `block-size` (the inner loop becomes the threads of a block, with a bound
    check instead of min/max bounds), and moves the `memref.get_global`
    constants it reads inside, so that `gpu-kernel-outlining` carries them
    into the GPU module (`memref.global` declarations, such as the device
    copies of `adaround-constants-to-device`, stay kernel arguments). Buffers
    (`memref.alloc`) that only the loops use become device memory
    (`gpu.alloc`/`gpu.dealloc`); those the host also touches are registered
    with the GPU (`gpu.host_register`) until their deallocation.
    Run `gpu-map-parallel-loops` and `convert-parallel-loops-to-gpu` next.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", "256", "threads per block">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::affine::AffineDialect"];
}

def AdaroundConstantsToDevice
    : Pass<"adaround-constants-to-device", "::mlir::ModuleOp"> {
  let summary = "Let kernels read large constants from a device copy";
  let description = [{
    Where a parallel loop (a future GPU kernel) reads a constant global larger
    than `max-inline-bytes`, it reads instead the external global
    `__adaround_device.<name>`, declared here: the name of the constant's
    device copy (its `adaround.host_constant` attribute refers to the host
    global, so that `symbol-dce` keeps it). `adaround-resolve-device-constants` later turns its address
    into a call that makes the copy once, from the host global, which stays
    the constant's only copy. So weights reach the GPU as data, never as PTX
    text. Smaller constants (scales) are left to `adaround-map-to-gpu`, which
    carries them into the kernels. Host code keeps reading the host global.
  }];
  let options = [
    Option<"maxInlineBytes", "max-inline-bytes", "int64_t", "4096",
           "constants up to this size are carried into the kernels">,
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def AdaroundResolveDeviceConstants
    : Pass<"adaround-resolve-device-constants", "::mlir::ModuleOp"> {
  let summary = "Make device copies of host constants at run time, once";
  let description = [{
    Runs on host LLVM IR. Each address of an external global
    `__adaround_device.<name>` becomes
    `llvm.call @adaroundDeviceConstant(<address of name>, <bytes>)`, which
    the CUDA runtime answers with a device copy of the host constant, made at
    the first call; the declaration goes. A global destructor of the module
    frees the copies (`adaroundReleaseDeviceConstant`) when it is unloaded.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def AdaroundLowerReductions
    : Pass<"adaround-lower-reductions", "::mlir::func::FuncOp"> {
  let summary = "Lower linalg reductions on buffers to loops that accumulate "
                "in registers";
  let description = [{
    Lowers each linalg op on buffers with a reduction iterator as
    `convert-linalg-to-parallel-loops` does (parallel dimensions in
    `scf.parallel`, reductions in `scf.for`), then carries each output
    element through the reduction loops as a loop value: loaded once before
    them, stored once after, instead of a load and a store per step. Relies
    on the op's inputs not aliasing its outputs, as after bufferization.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect"];
}

def AdaroundSplitReductions
    : Pass<"adaround-split-reductions", "::mlir::func::FuncOp"> {
  let summary = "Split sums with few outputs into partial sums over chunks";
  let description = [{
    For a `linalg.generic` on tensors with one reduction dimension whose body
    is `out + f(inputs)` (f32), and fewer parallel iterations (outputs) than
    `target-threads`: computes partial sums over chunks of the reduction
    dimension, the chunk index an outer parallel dimension, then adds the
    partial sums to the original output in chunk order. The chunk length
    divides the reduction's size, is at least `min-chunk`, and makes at most
    enough chunks for `target-threads` iterations in all; a size with no such
    divisor is left alone. The summation order changes (as any parallel
    reduction's), within the tolerance of f32 sums. For GPUs, where one
    thread per output of a matvec would leave most of the device idle.
  }];
  let options = [
    Option<"targetThreads", "target-threads", "int64_t", "65536",
           "split reductions with fewer outputs than this, into up to this "
           "many iterations in all">,
    Option<"minChunk", "min-chunk", "int64_t", "64",
           "the shortest chunk of the reduction one iteration sums">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def AdaroundMathToNVVM : Pass<"adaround-math-to-nvvm"> {
  let summary = "Lower f32 math.floor and math.fma to NVVM intrinsics";
  let description = [{
    `convert-gpu-to-nvvm` lowers `math.floor` and `math.fma` to libdevice
    calls (`__nv_floorf`, `__nv_fmaf`), which need the CUDA toolkit's
    libdevice when the binary is made. These are single PTX instructions
    (`cvt.rmi.f32.f32`, `fma.rn.f32`); this pass emits them directly.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def AdaroundFuseIntoReductions
    : Pass<"adaround-fuse-into-reductions", "::mlir::func::FuncOp"> {
  let summary = "Fuse elementwise producers into the reductions consuming them";
  let description = [{
    Fuses an elementwise `linalg.generic` (e.g. the dequantization of a baked
    weight) into a single consumer that has reduction loops (a generalized
    matvec or matmul), so the reduction reads the integer levels directly
    instead of a materialized f32 copy. Elementwise chains are not fused.

    Then a scale that does not vary along the reduction (per tensor, or per
    output channel) leaves the sum: `acc + (w * s) * x` summed becomes
    `acc + s * sum(w * x)`, the sum from zero in the reduction and the rest
    in an elementwise kernel on its result. One multiplication per output
    instead of one per weight; the rounding differs by the order of
    operations only. Blockwise scales along the reduction stay inside.
  }];
}

def AdaroundDropUnitDims
    : Pass<"adaround-drop-unit-dims", "::mlir::func::FuncOp"> {
  let summary = "Drop unit loops of linalg.generic ops, except inside strided accesses";
  let description = [{
    Upstream `linalg-fold-unit-extent-dims`, restricted to loop dimensions
    that every indexing map uses as a plain dimension. Upstream also drops a
    unit loop that appears in a compound access such as a convolution's
    `oh * stride + kh * dilation`, and the generic it builds then fails to
    verify (a 1-row filter with dilation above 1). Those loops are kept.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def AdaroundSplitDeallocs
    : Pass<"adaround-split-deallocs", "::mlir::func::FuncOp"> {
  let summary = "Free each provably unaliased buffer on its own, after its last use";
  let description = [{
    Ownership-based deallocation frees every buffer of a block in one
    `bufferization.dealloc` at the block's end. Upstream simplification then
    compares each pair of its memrefs for aliasing: quadratic in a function
    with thousands of kernels, and every intermediate buffer stays alive
    until the function returns.

    This pass, run between the two, splits off each memref that is a
    `memref.alloc` of its own block, listed once, and not the origin of any
    retained value (traced through view-like ops; a retained value of unknown
    origin keeps the dealloc whole). Distinct allocations cannot alias, so the
    split is exact. The new `bufferization.dealloc` goes right after the last
    use of the buffer or of a view of it when every such use stays in the
    block and none can capture an alias (a call, a branch, a yield, an op
    returning a memref); otherwise it stays where the dealloc was.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def AdaroundSplitBlocks : Pass<"adaround-split-blocks", "::mlir::func::FuncOp"> {
  let summary = "Start a new block at each region-holding op of a function";
  let description = [{
    `convert-scf-to-cf` splits the block around each loop it lowers, and
    dialect conversion moves the ops after the split point one at a time:
    quadratic in the kernels of a function. This pass, run just before it,
    gives each op with regions (an `scf.for`, `scf.if`, ...) at the top of a
    function's blocks a block of its own, joined by `cf.br`, splitting from
    the end so that every op moves at most once. The branches cost nothing
    after LLVM's CFG simplification.
  }];
  let dependentDialects = ["::mlir::cf::ControlFlowDialect"];
}

def AdaroundParallelizeLoops
    : Pass<"adaround-parallelize-loops", "::mlir::func::FuncOp"> {
  let summary = "Run loops marked independent as chunks of an scf.parallel";
  let description = [{
    adaround-vectorize-elementwise marks (`adaround.parallel`) the outermost
    loop over a parallel dimension of each kernel large enough to be worth
    threads. After bufferization, this pass turns each marked `scf.for`
    without results into an `scf.parallel` over at most `chunks` contiguous
    chunks, each an `scf.for` over its share of the iterations;
    `convert-scf-to-openmp` then runs the chunks on a thread team.

    Bufferization may have hoisted a kernel's scratch buffer (its partial
    sums) out of the loop; one shared buffer would then be a race. A buffer
    allocated before the loop that is used inside it and otherwise only
    deallocated is therefore allocated per chunk. Marks are removed whether
    or not a loop is converted.
  }];
  let options = [
    Option<"chunks", "chunks", "int64_t", "64",
           "contiguous pieces of a loop shared out among the threads">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::arith::ArithDialect"];
}

def AdaroundHoistVectorTransfers
    : Pass<"adaround-hoist-vector-transfers", "::mlir::func::FuncOp"> {
  let summary = "Keep a reduction's partial sums in registers across its loops";
  let description = [{
    After bufferization a reduction's partial sums live in a scratch buffer
    that every step reads and writes. Upstream
    `linalg::hoistRedundantVectorTransfers` (with non-zero trip counts
    verified) moves each such read/write pair out of the loops around it,
    so the sums travel as loop-carried vectors. It leaves a buffer alone
    once any view of it exists, as when a reduction's remainder tile
    updates a slice of the partial sums after the loop, so views are first
    folded into the accesses (upstream's `fold-memref-alias-ops` patterns).
    Run after adaround-parallelize-loops: it does not model threads, and
    moving a buffer's accesses out of a loop would hide from that pass which
    buffers are scratch.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::vector::VectorDialect"];
}

def AdaroundPrefetchStreams
    : Pass<"adaround-prefetch-streams", "::mlir::func::FuncOp"> {
  let summary = "Prefetch reads that stream through large buffers, ahead of the loop";
  let description = [{
    A matvec reads its weight once, front to back. The hardware prefetchers
    stop at every 4 KiB page and keep few lines in flight per core, so a
    kernel that does more work per byte than a plain sum (an i8 weight:
    a sign extension, a conversion and an FMA per lane) leaves the memory
    idle: a 43 MiB i8 weight streamed at half the rate of an f32 one here.

    For each `vector.transfer_read` in an `scf.for` whose address changes
    with the loop, that reads along the innermost, contiguous dimension of
    a buffer of static shape and identity layout of at least `min-bytes`,
    this pass adds a `memref.prefetch` (read, data, locality 3) of the
    element `distance` bytes past the first one it reads, in the buffer's
    row-major order (clamped to its last element), so the next rows are on
    their way while this one is summed. A read of a block of R rows (up to
    16) prefetches each row `distance` / R bytes ahead: the bytes fetched
    ahead stay `distance` in all, and leave room in L1 for the input the
    rows share. A row of the read longer than a 64-byte cache line gets a
    prefetch per line. Prefetches do not change results.
    Meant for loops that walk such a buffer forwards (the kernels of
    adaround-vectorize-elementwise); a loop that jumps prefetches lines it
    reads later or not at all, which costs bandwidth only.
  }];
  let options = [
    Option<"distance", "distance", "int64_t", "4096",
           "bytes ahead of each read to prefetch (shared by its rows)">,
    Option<"minBytes", "min-bytes", "int64_t", "1048576",
           "smallest buffer (bytes) whose reads are prefetched">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def AdaroundX86LookupLevels
    : Pass<"adaround-x86-lookup-levels", "::mlir::func::FuncOp"> {
  let summary = "Convert packed weight levels to floats by AVX-512 table lookups";
  let description = [{
    A packed level of at most 4 bits reaches a kernel as
    `sitofp(shrsi(shli(%bytes, %slot), 8 - bits))` on vectors of i8. On x86
    that costs an emulated byte shift, a sign extension and a conversion
    per 16 levels. This pass computes a 32-bit index instead,
    `(zext(%bytes) << %slot) >> (8 - bits)`, and looks each level's value
    up in a 16-float table with `vpermps` (`llvm.x86.avx512.permvar.sf.512`,
    which reads the index's low 4 bits), 16 lanes at a time; the result is
    bit-identical. Functions it changes get `target_features = +avx512f`:
    run it only for CPUs with AVX-512F (`--adaround-to-llvm` decides with
    its `x86-avx512` option). Patterns: `populateX86LookupLevelsPatterns`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def AdaroundExpandMath : Pass<"adaround-expand-math"> {
  let summary = "Replace math.exp and friends by polynomial approximations";
  let description = [{
    Runs upstream `populateMathPolynomialApproximationPatterns`, so that
    `exp` in the kernels becomes vectorizable arithmetic instead of a scalar
    libm (or libdevice) call per element.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def AdaroundCheckLowered : Pass<"adaround-check-lowered", "::mlir::ModuleOp"> {
  let summary = "Fail with a diagnostic on any op not in the target dialects";
  let options = [
    ListOption<"allowedDialects", "allowed-dialects", "std::string",
               "dialects that may remain">,
  ];
}

def AdaroundCheckRegistration
    : Pass<"adaround-check-registration", "::mlir::ModuleOp"> {
  let summary = "Fail with a diagnostic when the pipelines' extensions are missing";
  let description = [{
    The pipelines tile, vectorize and bufferize through interfaces that
    upstream attaches to linalg, tensor, arith and the other dialects as
    registry extensions (`mlir::registerAllExtensions`). A tool that
    registered the dialects without them would crash inside those passes;
    this pass, first in each pipeline, names what is missing instead.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // ADAROUND_CODEGEN_PASSES_TD
