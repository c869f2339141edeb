#ifndef ADAROUND_OPS_TD
#define ADAROUND_OPS_TD

include "adaround/Dialect/Adaround/IR/AdaroundDialect.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Adaround_RoundingMode : I32EnumAttr<"RoundingMode",
    "how the learned logits V choose between rounding down and up", [
      I32EnumAttrCase<"soft", 0>,
      I32EnumAttrCase<"hard", 1>
    ]> {
  let cppNamespace = "::mlir::adaround";
  let genSpecializedAttr = 0;
}

def Adaround_RoundingModeAttr
    : EnumAttr<Adaround_Dialect, Adaround_RoundingMode, "rounding"> {
  let assemblyFormat = "`<` $value `>`";
}

def Adaround_FakeQuantOp : Adaround_Op<"fake_quant",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "AdaRound fake quantization with learned rounding";
  let description = [{
    Quantizes `input` to the integer grid of `qtype` and back to float, rounding
    each element up or down as the learned logits `v` decide:

    ```
    h = soft: clamp(sigmoid(v) * (zeta - gamma) + gamma, 0, 1)
        hard: v >= 0 ? 1 : 0                  (the tie v = 0, and v = -0.0, round up)
    y = (clamp(floor(input / s) + z + h, qmin, qmax) - z) * s
    ```

    All arithmetic is IEEE f32; `input / s` is a true division. An f16 or
    bf16 `input` is widened to f32, computed the same way, and rounded back
    to nearest even (as PyTorch fake-quantizes half tensors); its `qtype` is
    expressed in its own type, and `v` stays f32. `s` and `z`
    come from `qtype` (a `!quant.uniform` type: per tensor, per axis, or
    sub-channel blocks) and `[qmin, qmax]` is its storage range. NaN in
    `input` propagates; infinities clamp to the edges of the grid.

    An op without `v` is *not yet calibrated*: `--adaround-calibrate` fills in
    `qtype` (unless present) and `v`; every other pass rejects it.

    Examples:

    ```mlir
    // Per tensor, i8, soft rounding (the default).
    %0 = adaround.fake_quant %w qtype(!quant.uniform<i8:f32, 5.000000e-02>)
           v(dense<[0.5, -1.0, 0.0, 3.0]> : tensor<4xf32>) : tensor<4xf32>
    // Per output channel, i4, hard rounding, weights from a resource blob.
    %1 = adaround.fake_quant %w rounding(<hard>)
           qtype(!quant.uniform<i8<-8:7>:f32:0, {1.000000e-01,2.000000e-01}>)
           v(dense_resource<w_logits> : tensor<2x3xf32>) : tensor<2x3xf32>
    ```
  }];

  let arguments = (ins
    AnyTensor:$input,
    OptionalAttr<TypeAttr>:$qtype,
    OptionalAttr<ElementsAttr>:$v,
    DefaultValuedAttr<Adaround_RoundingModeAttr,
                      "::mlir::adaround::RoundingMode::soft">:$rounding,
    DefaultValuedAttr<F32Attr, "1.1f">:$zeta,
    DefaultValuedAttr<F32Attr, "-0.1f">:$gamma
  );
  let results = (outs AnyTensor:$result);

  let assemblyFormat = [{
    $input (`rounding` `(` $rounding^ `)`)? custom<Qtype>($qtype)
    (`v` `(` $v^ `)`)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// True once `v` (and therefore `qtype`) is present.
    bool isCalibrated() { return getV().has_value(); }
    /// The quantization parameters, resolved per element block; only valid on
    /// a verified op with a `qtype`.
    ::mlir::FailureOr<::mlir::adaround::QuantGrid> getQuantGrid();
  }];
}

#endif // ADAROUND_OPS_TD
