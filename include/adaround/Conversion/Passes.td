#ifndef ADAROUND_CONVERSION_PASSES_TD
#define ADAROUND_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertAdaroundToLinalg : Pass<"convert-adaround-to-linalg"> {
  let summary = "Lower adaround.fake_quant to linalg.generic over arith and math";
  let description = [{
    Rewrites every `adaround.fake_quant` into one elementwise `linalg.generic`
    on tensors. The tensor is viewed (by `tensor.expand_shape` and
    `tensor.collapse_shape`, which bufferize to views) in the fewest loop
    dimensions in which the scales and zero points are a projection: one loop
    for per-tensor parameters, `outer x channel x inner` for per-axis, block
    dimensions for sub-channel types. Scales and zero points are constants
    broadcast through the indexing maps.

    Soft rounding keeps `V` as an f32 constant and evaluates the rectified
    sigmoid in the kernel. Hard rounding needs one bit of `V`: the decisions
    `V >= 0` are folded at compile time into an `i8` constant of 0/1 (a
    quarter of the bytes of `V`), added to the floor as a float.

    The arithmetic is `adaround/Numerics/Rounding.h`, the same definition the
    folding passes evaluate.

    It also lowers `quant.dcast` of static tensors with 2- to 16-bit storage
    (what `--adaround-bake` emits) to one `linalg.generic`, so that baked
    integer weights stay integers in the compiled code: upstream
    `--lower-quant-ops` emits per-tensor dequantization as tensor arith that
    the canonicalizer folds back into f32 constants.
  }];
  let options = [
    Option<"lowerDequantize", "lower-dequantize", "bool", "true",
           "also lower quant.dcast of static tensors to linalg.generic">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::quant::QuantDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // ADAROUND_CONVERSION_PASSES_TD
