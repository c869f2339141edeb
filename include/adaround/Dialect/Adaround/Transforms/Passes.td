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

    With `insert`, first wraps the float weight constants of contractions
    and convolutions in new uncalibrated ops, quantized along their output
    channels. Weights are found by structure: any linalg op implementing the
    contraction or convolution interface (named ops of every layout, generic
    contractions, matmuls with user maps), with the output-channel axes read
    from its indexing maps (several for grouped convolutions and batched
    weights: sub-channel blocks of one element along each), and the TOSA ops
    `conv2d`, `conv3d`, `depthwise_conv2d`, `transpose_conv2d` and `matmul`.
    A weight may reach its consumer through `linalg.transpose`,
    `linalg.broadcast` (channels along broadcast dimensions drop out),
    `tosa.transpose` and reshapes that add or drop unit dimensions; the new
    op goes on the constant, with the axes mapped back. `verbose` remarks on
    every weight quantized and every candidate left alone, with the reason.

    `range=mse` chooses each block's range by clipping: of the ratios
    r = k / 100 (k = 1..100) applied to the block's min-max range, the one
    whose round-to-nearest fake quantization has the least squared error
    over the block (ties: the larger r; r = 1 is min-max). `minmax` (the
    default) is PyTorch's observer, bit for bit.
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
    Option<"verbose", "verbose", "bool", "false",
           "remark on every weight found and every candidate skipped">,
    Option<"range", "range", "std::string", "\"minmax\"",
           "range setting: minmax (PyTorch's observer) or mse (the clipping "
           "ratio with the least round-to-nearest error, per block)">,
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
    IR. Storage of 4 bits or less is packed: `8 / bits` levels per byte in
    an `i8` constant of `n / (8 / bits)` elements, in runs of `w` bytes (64,
    or a whole row that is not a multiple of 64 bytes): byte `t` of a run
    holds its levels `t`, `t + w`, ..., the first in the lowest bits, so that
    a vector of bytes unpacks into consecutive levels. Dequantized by one
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

#endif // ADAROUND_TRANSFORMS_PASSES_TD
