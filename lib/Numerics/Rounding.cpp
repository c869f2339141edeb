//===- Rounding.cpp - Scalar AdaRound arithmetic --------------------------===//

#include "adaround/Numerics/Rounding.h"

#include <algorithm>

namespace mlir::adaround::numerics {

namespace {
struct Levels {
  float scale, zeroPoint, qmin, qmax;
  explicit Levels(const BlockParams &p)
      : scale(p.scale), zeroPoint(static_cast<float>(p.zeroPoint)),
        qmin(static_cast<float>(p.qmin)), qmax(static_cast<float>(p.qmax)) {}
};
} // namespace

float softOffset(float v, float zeta, float gamma) {
  ScalarDomain d;
  return softOffset(d, v, zeta, gamma);
}

float fakeQuantizeSoft(float x, float v, const BlockParams &p, float zeta,
                       float gamma) {
  ScalarDomain d;
  Levels l(p);
  return fakeQuantize(d, x, l.scale, l.zeroPoint, softOffset(v, zeta, gamma),
                      l.qmin, l.qmax);
}

float fakeQuantizeHard(float x, float v, const BlockParams &p) {
  ScalarDomain d;
  Levels l(p);
  return fakeQuantize(d, x, l.scale, l.zeroPoint, roundsUp(v) ? 1.0f : 0.0f,
                      l.qmin, l.qmax);
}

std::optional<int64_t> bakedLevel(float x, float v, const BlockParams &p) {
  if (std::isnan(x))
    return std::nullopt;
  ScalarDomain d;
  Levels l(p);
  // The level is an integer-valued float in [qmin, qmax]: exact in f32 for
  // storage up to 16 bits.
  return static_cast<int64_t>(gridLevel(d, x, l.scale, l.zeroPoint,
                                        roundsUp(v) ? 1.0f : 0.0f, l.qmin,
                                        l.qmax));
}

BlockParams symmetricParams(MinMax range, int64_t qmin, int64_t qmax,
                            bool isSigned) {
  float magnitude = std::max(-range.lo, range.hi);
  float halfLevels = static_cast<float>(qmax - qmin) / 2.0f;
  float scale = std::max(magnitude / halfLevels, kScaleEpsilon);
  int64_t zeroPoint = 0;
  if (!isSigned)
    zeroPoint = (qmin == 0 && qmax == 255) ? 128 : (qmin + qmax) / 2;
  return {scale, zeroPoint, qmin, qmax};
}

BlockParams asymmetricParams(MinMax range, int64_t qmin, int64_t qmax) {
  float scale = std::max((range.hi - range.lo) / static_cast<float>(qmax - qmin),
                         kScaleEpsilon);
  // std::nearbyint rounds half to even in the default rounding mode.
  int64_t zeroPoint =
      qmin - static_cast<int64_t>(std::nearbyint(range.lo / scale));
  zeroPoint = std::clamp(zeroPoint, qmin, qmax);
  return {scale, zeroPoint, qmin, qmax};
}

MinMax clipped(MinMax range, float ratio) {
  return {range.lo * ratio, range.hi * ratio};
}

float fakeQuantizeNearest(float x, const BlockParams &p) {
  float level = std::nearbyint(x / p.scale) + static_cast<float>(p.zeroPoint);
  level = std::clamp(level, static_cast<float>(p.qmin),
                     static_cast<float>(p.qmax));
  return (level - static_cast<float>(p.zeroPoint)) * p.scale;
}

float residual(float x, float scale) {
  float scaled = x / scale;
  return scaled - std::floor(scaled);
}

float initialLogit(float x, float scale, float zeta, float gamma) {
  float odds = (zeta - gamma) / (residual(x, scale) - gamma) - 1.0f;
  // The logarithm is the one step whose last bit differs between libraries
  // (glibc logf, Sleef in torch). Take the correctly rounded one, computed in
  // double: it is the closest to every faithful implementation.
  return -static_cast<float>(std::log(static_cast<double>(odds)));
}

} // namespace mlir::adaround::numerics
