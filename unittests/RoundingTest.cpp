//===- RoundingTest.cpp - The AdaRound arithmetic on hand-derived cases ---===//
//
// Expected values are derived by hand from SEMANTICS.md (or, where noted,
// from numpy's float32 arithmetic), never from the code under test.
//
//===----------------------------------------------------------------------===//

#include "adaround/Numerics/Rounding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir::adaround::numerics;

namespace {

const BlockParams kInt8{0.05f, 0, -128, 127};

uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}

TEST(Rounding, HardRoundsDownOrUpBySignOfV) {
  // 0.26 / 0.05 = 5.2: floor 5, up to 6 when V >= 0.
  EXPECT_EQ(bits(fakeQuantizeHard(0.26f, 1.0f, kInt8)), bits(6.0f * 0.05f));
  EXPECT_EQ(bits(fakeQuantizeHard(0.26f, -1.0f, kInt8)), bits(5.0f * 0.05f));
}

TEST(Rounding, TieAtZeroRoundsUp) {
  EXPECT_TRUE(roundsUp(0.0f));
  EXPECT_TRUE(roundsUp(-0.0f));
  EXPECT_FALSE(roundsUp(-1e-30f));
  EXPECT_EQ(bits(fakeQuantizeHard(0.26f, -0.0f, kInt8)), bits(6.0f * 0.05f));
}

TEST(Rounding, TrueDivisionAtExactMultiples) {
  // numpy float32: 7 * 0.11f / 0.11f == 7 exactly, while multiplying by the
  // reciprocal gives 6.9999995 and floors to 6.
  const BlockParams p{0.11f, 0, -128, 127};
  float x = 7.0f * 0.11f;
  EXPECT_EQ(bits(fakeQuantizeHard(x, -1.0f, p)), bits(7.0f * 0.11f));
}

TEST(Rounding, ClampsAtBothEdges) {
  EXPECT_EQ(fakeQuantizeHard(1000.0f, 1.0f, kInt8), 127.0f * 0.05f);
  EXPECT_EQ(fakeQuantizeHard(-1000.0f, 1.0f, kInt8), -128.0f * 0.05f);
  float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(fakeQuantizeHard(inf, -1.0f, kInt8), 127.0f * 0.05f);
  EXPECT_EQ(fakeQuantizeHard(-inf, 1.0f, kInt8), -128.0f * 0.05f);
  // Up-rounding at the top edge still clamps: floor(127.5) + 1 = 128 -> 127.
  EXPECT_EQ(fakeQuantizeHard(127.5f * 0.05f, 1.0f, kInt8), 127.0f * 0.05f);
}

TEST(Rounding, NaNPropagates) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(fakeQuantizeHard(nan, 1.0f, kInt8)));
  EXPECT_TRUE(std::isnan(fakeQuantizeSoft(nan, 1.0f, kInt8)));
  EXPECT_FALSE(bakedLevel(nan, 1.0f, kInt8).has_value());
}

TEST(Rounding, ZeroPointShiftsTheGrid) {
  // u8 with z = 128: 0.26 / 0.05 -> floor 5, + 128 + 1 = 134, (134 - 128) * s.
  const BlockParams p{0.05f, 128, 0, 255};
  EXPECT_EQ(bits(fakeQuantizeHard(0.26f, 2.0f, p)), bits(6.0f * 0.05f));
  EXPECT_EQ(bakedLevel(0.26f, 2.0f, p), 134);
  // -100 / 0.05 = -2000 -> clamps to 0, i.e. -128 * s.
  EXPECT_EQ(fakeQuantizeHard(-100.0f, 2.0f, p), -128.0f * 0.05f);
}

TEST(Rounding, BakedLevelsAreTheHardGrid) {
  EXPECT_EQ(bakedLevel(0.26f, 1.0f, kInt8), 6);
  EXPECT_EQ(bakedLevel(0.26f, -1.0f, kInt8), 5);
  EXPECT_EQ(bakedLevel(-0.26f, -1.0f, kInt8), -6);
  EXPECT_EQ(bakedLevel(1e30f, -1.0f, kInt8), 127);
  EXPECT_EQ(bakedLevel(-std::numeric_limits<float>::infinity(), 1.0f, kInt8),
            -128);
  const BlockParams i4{0.5f, 0, -8, 7};
  EXPECT_EQ(bakedLevel(-3.9f, 1.0f, i4), -7);
  EXPECT_EQ(bakedLevel(3.9f, 1.0f, i4), 7);
}

TEST(Rounding, SoftOffsetIsTheRectifiedSigmoid) {
  // sigmoid(0) = 0.5: 0.5 * 1.2 - 0.1 = 0.5.
  EXPECT_NEAR(softOffset(0.0f), 0.5f, 1e-7f);
  EXPECT_EQ(softOffset(40.0f), 1.0f);
  EXPECT_EQ(softOffset(-40.0f), 0.0f);
  // sigmoid(ln 3) = 0.75: 0.75 * 1.2 - 0.1 = 0.8.
  EXPECT_NEAR(softOffset(std::log(3.0f)), 0.8f, 1e-6f);
}

TEST(Calibration, SymmetricMinMax) {
  MinMax range;
  for (float x : {-1.0f, 0.5f, 2.55f})
    range.add(x);
  BlockParams p = symmetricParams(range, -128, 127, /*isSigned=*/true);
  EXPECT_EQ(p.scale, 2.55f / 127.5f);
  EXPECT_EQ(p.zeroPoint, 0);
  EXPECT_EQ(symmetricParams(range, 0, 255, false).zeroPoint, 128);
  EXPECT_EQ(symmetricParams(range, 0, 15, false).zeroPoint, 7);
  // All-zero weights: the scale is torch's float32 epsilon.
  EXPECT_EQ(symmetricParams(MinMax{}, -128, 127, true).scale, 0x1p-23f);
}

TEST(Calibration, RangeIncludesZero) {
  MinMax range;
  range.add(2.0f);
  range.add(3.0f);
  EXPECT_EQ(range.lo, 0.0f);
  EXPECT_EQ(range.hi, 3.0f);
}

TEST(Calibration, AsymmetricMinMax) {
  MinMax range;
  range.add(-1.0f);
  range.add(3.0f);
  BlockParams p = asymmetricParams(range, 0, 255);
  EXPECT_EQ(p.scale, 4.0f / 255.0f);
  // -1 / (4/255) = -63.75 -> round -64 -> z = 0 + 64.
  EXPECT_EQ(p.zeroPoint, 64);
  // Half-way: lo / s = -2.5 rounds to even (-2).
  MinMax half;
  half.add(-2.5f);
  half.add(7.5f);
  EXPECT_EQ(asymmetricParams(half, 0, 10).zeroPoint, 2);
}

TEST(Calibration, InitialLogitMakesSoftRoundingTheIdentity) {
  // 0.26 / 0.05 = 5.2 (f32: 5.19999981), residual 0.19999981:
  // V = -log(1.2 / 0.29999981 - 1) ~ -log(3).
  float v = initialLogit(0.26f, 0.05f);
  EXPECT_NEAR(v, -std::log(3.0), 1e-5);
  EXPECT_NEAR(fakeQuantizeSoft(0.26f, v, kInt8), 0.26f, 1e-6f);
  // Residual 0 gives -log(11); residual 0.5 gives exactly 0.
  EXPECT_NEAR(initialLogit(0.25f, 0.05f), -std::log(11.0), 1e-5);
  EXPECT_EQ(initialLogit(0.125f, 0.25f), 0.0f);
}

} // namespace
