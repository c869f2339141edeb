//===- Rounding.h - The AdaRound arithmetic, defined once -------*- C++ -*-===//
//
// The formulas of SEMANTICS.md, written once over an arithmetic domain `D`
// that supplies f32 operations on `D::Value`:
//
//   constant(float), add, sub, mul, div, neg, floor, exp, clamp(x, lo, hi)
//
// `ScalarDomain` below evaluates them on floats (compile-time folding,
// calibration, unit tests); the linalg lowering instantiates them with a
// domain that emits arith/math ops. Generated code and folders are therefore
// the same formula, operation for operation, in the same order.
//
// `clamp` must propagate NaN (as torch.clamp does): lo if x < lo, hi if x > hi,
// else x.
//
//===----------------------------------------------------------------------===//

#ifndef ADAROUND_NUMERICS_ROUNDING_H
#define ADAROUND_NUMERICS_ROUNDING_H

#include <cmath>
#include <cstdint>
#include <optional>

namespace mlir::adaround::numerics {

/// Default stretch of the rectified sigmoid.
inline constexpr float kDefaultZeta = 1.1f;
inline constexpr float kDefaultGamma = -0.1f;
/// torch.finfo(torch.float32).eps: the smallest scale calibration produces.
inline constexpr float kScaleEpsilon = 1.1920928955078125e-07f;

/// Hard rounding decision: the tie V == 0 (and V == -0.0) rounds up.
inline bool roundsUp(float v) { return v >= 0.0f; }

/// Soft rounding offset h(V) = clamp(sigmoid(V) * (zeta - gamma) + gamma, 0, 1).
template <typename D>
typename D::Value softOffset(D &d, typename D::Value v, typename D::Value zeta,
                             typename D::Value gamma) {
  auto one = d.constant(1.0f);
  auto sigmoid = d.div(one, d.add(one, d.exp(d.neg(v))));
  return d.clamp(d.add(d.mul(sigmoid, d.sub(zeta, gamma)), gamma),
                 d.constant(0.0f), one);
}

/// The integer grid level, as a float: clamp(floor(x / s) + z + h, qmin, qmax).
/// `x / s` is a true division: a reciprocal multiply moves `floor` at exact
/// multiples of `s`.
template <typename D>
typename D::Value gridLevel(D &d, typename D::Value x, typename D::Value scale,
                            typename D::Value zeroPoint, typename D::Value h,
                            typename D::Value qmin, typename D::Value qmax) {
  auto level = d.add(d.floor(d.div(x, scale)), zeroPoint);
  return d.clamp(d.add(level, h), qmin, qmax);
}

/// Dequantization of a grid level: (level - z) * s.
template <typename D>
typename D::Value dequantize(D &d, typename D::Value level,
                             typename D::Value scale,
                             typename D::Value zeroPoint) {
  return d.mul(d.sub(level, zeroPoint), scale);
}

/// Fake quantization: the op's value.
template <typename D>
typename D::Value fakeQuantize(D &d, typename D::Value x,
                               typename D::Value scale,
                               typename D::Value zeroPoint, typename D::Value h,
                               typename D::Value qmin, typename D::Value qmax) {
  return dequantize(d, gridLevel(d, x, scale, zeroPoint, h, qmin, qmax), scale,
                    zeroPoint);
}

/// IEEE f32 evaluation of the formulas above.
struct ScalarDomain {
  using Value = float;
  float constant(float c) const { return c; }
  float add(float a, float b) const { return a + b; }
  float sub(float a, float b) const { return a - b; }
  float mul(float a, float b) const { return a * b; }
  float div(float a, float b) const { return a / b; }
  float neg(float a) const { return -a; }
  float floor(float a) const { return std::floor(a); }
  float exp(float a) const { return std::exp(a); }
  float clamp(float x, float lo, float hi) const {
    return x < lo ? lo : (x > hi ? hi : x);
  }
};

/// Quantization parameters of one block, as the arithmetic uses them.
struct BlockParams {
  float scale;
  int64_t zeroPoint;
  int64_t qmin;
  int64_t qmax;
};

/// Scalar entry points (compile-time folding and tests).
float softOffset(float v, float zeta = kDefaultZeta,
                 float gamma = kDefaultGamma);
float fakeQuantizeSoft(float x, float v, const BlockParams &p,
                       float zeta = kDefaultZeta, float gamma = kDefaultGamma);
float fakeQuantizeHard(float x, float v, const BlockParams &p);
/// The baked integer clamp(floor(x / s) + z + [V >= 0], qmin, qmax), or
/// std::nullopt for NaN `x`, which no integer represents.
std::optional<int64_t> bakedLevel(float x, float v, const BlockParams &p);

//===----------------------------------------------------------------------===//
// Calibration: PyTorch's min-max observer path.
//===----------------------------------------------------------------------===//

/// Running min and max of a block, widened to include 0 as the observer does.
struct MinMax {
  float lo = 0.0f;
  float hi = 0.0f;
  void add(float x) {
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
};

/// Symmetric min-max: s = max(max(-lo, hi) / ((qmax - qmin) / 2), eps), z = 0
/// for signed storage, 128 for [0, 255] and (qmin + qmax) / 2 for other
/// unsigned ranges (PyTorch's rule).
BlockParams symmetricParams(MinMax range, int64_t qmin, int64_t qmax,
                            bool isSigned);
/// Asymmetric min-max: s = max((hi - lo) / (qmax - qmin), eps),
/// z = clamp(qmin - round_half_even(lo / s), qmin, qmax).
BlockParams asymmetricParams(MinMax range, int64_t qmin, int64_t qmax);

/// MSE range setting: the clipping ratios tried are r = k / kClipSteps for
/// k = 1..kClipSteps (r = 1 is min-max itself).
inline constexpr int kClipSteps = 100;
/// The range [r * lo, r * hi] of a block clipped to ratio r.
MinMax clipped(MinMax range, float ratio);
/// Round-to-nearest fake quantization (half to even), the error measure of
/// MSE range setting: (clamp(round(x / s) + z, qmin, qmax) - z) * s.
float fakeQuantizeNearest(float x, const BlockParams &p);

/// The residual r = x / s - floor(x / s) in [0, 1): how far above its grid
/// level x lies. Round-to-nearest (half up) rounds up exactly when r >= 0.5.
float residual(float x, float scale);

/// The logit that makes soft rounding start as the identity:
/// V = -log((zeta - gamma) / (r - gamma) - 1), r = x / s - floor(x / s).
float initialLogit(float x, float scale, float zeta = kDefaultZeta,
                   float gamma = kDefaultGamma);

} // namespace mlir::adaround::numerics

#endif // ADAROUND_NUMERICS_ROUNDING_H
