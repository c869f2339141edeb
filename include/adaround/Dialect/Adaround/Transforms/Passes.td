#ifndef ADAROUND_TRANSFORMS_PASSES_TD
#define ADAROUND_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AdaroundCalibrate : Pass<"adaround-calibrate"> {
  let summary = "Choose qtype by min-max and initialise V, as PyTorch's observer does";
  let description = [{
    For every `adaround.fake_quant` whose input is a float constant and that is
    not yet calibrated (it has no `v`), computes the quantization parameters
    by min-max (unless the op already carries a `qtype`, which is then kept)
    and initialises `v` from the residual, so that soft rounding starts as the
    identity: `V = -log((zeta - gamma) / (r - gamma) - 1)`,
    `r = x / s - floor(x / s)`.

    With `insert`, first wraps the float weight constants that feed
    `linalg.matmul`, `linalg.batch_matmul`, `linalg.matvec` and the 2-D
    convolutions in new uncalibrated ops, quantized along each op's output
    channel axis.
  }];
  let options = [
    Option<"bits", "bits", "unsigned", "8", "storage width, 2 to 16 bits">,
    Option<"isUnsigned", "unsigned", "bool", "false", "unsigned storage">,
    Option<"symmetric", "symmetric", "bool", "true",
           "symmetric min-max (false: asymmetric, with a zero point)">,
    Option<"granularity", "granularity", "std::string", "\"per-channel\"",
           "per-tensor, per-channel or blockwise">,
    Option<"axis", "axis", "int64_t", "0",
           "channel axis for per-channel and blockwise on existing ops">,
    Option<"blockSize", "block-size", "int64_t", "32",
           "block size along the non-channel (last reduction) axis for blockwise">,
    Option<"insert", "insert", "bool", "false",
           "wrap float weight constants of matmul/matvec/conv ops first">,
    Option<"rounding", "rounding", "std::string", "\"soft\"",
           "rounding mode of inserted ops: soft or hard">,
  ];
  let dependentDialects = [
    "::mlir::adaround::AdaroundDialect",
    "::mlir::quant::QuantDialect",
  ];
}

def AdaroundBake : Pass<"adaround-bake"> {
  let summary = "Bake hard rounding decisions into integer weight constants";
  let description = [{
    Replaces every calibrated `adaround.fake_quant` of a constant by the baked
    integers `q = clamp(floor(x / s) + z + [V >= 0], qmin, qmax)` and a
    standard dequantization. Deployment uses hard decisions: a soft op is baked
    with its hard decisions.

    By default the integers become a constant of the storage type (8 or 16
    bits) followed by `quant.scast` and `quant.dcast`: ordinary quant-dialect
    IR. Storage of 4 bits or less is packed: `8 / bits` levels per byte,
    row-major over all elements, the first element in the lowest bits, in an
    `i8` constant of `n / (8 / bits)` elements, dequantized by one
    `linalg.generic` that unpacks with shifts in the same loop (the quant
    dialect has no packed storage). When a tensor's innermost run of elements
    sharing a loop is not a multiple of the levels per byte, the levels are
    stored one per byte (a remark says so).

    A NaN weight cannot be baked: the pass stops naming the op and element.
    Scales whose dequantized levels overflow f32 are errors.
    Ops whose input is not a constant are left alone (a remark under
    `verbose`).
  }];
  let options = [
    Option<"emitFloat", "emit-float", "bool", "false",
           "fold completely: emit the fake-quantized f32 constant">,
    Option<"arithDequant", "arith-dequant", "bool", "false",
           "dequantize with arith in linalg.generic instead of quant ops">,
    Option<"pack", "pack", "bool", "true",
           "pack sub-byte storage (i4, i2) several values per byte">,
    Option<"verbose", "verbose", "bool", "false",
           "remark on ops left alone (non-constant input)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::quant::QuantDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def AdaroundVectorizeElementwise : Pass<"adaround-vectorize-elementwise",
                                        "::mlir::func::FuncOp"> {
  let summary = "Tile and vectorize elementwise linalg.generic ops";
  let description = [{
    Tiles every all-parallel `linalg.generic` on tensors to
    `1 x ... x 1 x vector-width`, peels the partial last tile, and vectorizes
    (the full tiles without masks, the remainder with masks). A generic whose
    innermost loop is its only reduction (a matvec, with dequantization fused
    in) is tiled one row at a time with `vector-width` partial sums per row,
    accumulated elementwise and merged once per row, then vectorized the same
    way.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "f32 lanes per vector (16 fills an AVX-512 register)">,
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::affine::AffineDialect",
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
    into the GPU module. Host buffers (`memref.alloc`) the loops use are
    registered with the GPU (`gpu.host_register`) until their deallocation.
    Run `gpu-map-parallel-loops` and `convert-parallel-loops-to-gpu` next.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", "256", "threads per block">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::affine::AffineDialect"];
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

#endif // ADAROUND_TRANSFORMS_PASSES_TD
