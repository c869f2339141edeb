//===- OptimizerTest.cpp - The AdaRound objective and its gradient --------===//
//
// The analytic gradient against central finite differences, and the Gram
// form of the reconstruction against the error summed over explicit input
// vectors in double precision (the definition, computed another way).
//
//===----------------------------------------------------------------------===//

#include "adaround/Learn/Optimizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mlir::adaround::learn;

namespace {

constexpr int kRows = 3, kColumns = 5, kSamples = 40;

/// A layer whose weights lie away from grid points (so that small changes
/// of V never cross a floor), with logits inside the sigmoid's unclamped
/// range, two input groups, and one element at each storage bound.
struct TinyLayer {
  Layer layer;
  std::vector<Matrix> inputs; // per group: kSamples x kColumns

  TinyLayer() {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    layer.weight.resize(kRows, kColumns);
    layer.logits.resize(kRows, kColumns);
    for (int r = 0; r < kRows; ++r)
      for (int k = 0; k < kColumns; ++k) {
        // floor(w / s) + 0.3 .. 0.7 of a step, s = 0.1.
        float level = std::round(unit(rng) * 6.0f);
        layer.weight(r, k) = 0.1f * (level + 0.3f + 0.4f * (unit(rng) + 1) / 2);
        layer.logits(r, k) = 1.5f * unit(rng);
      }
    layer.scale = Matrix::Constant(kRows, kColumns, 0.1f);
    layer.zeroPoint = Matrix::Zero(kRows, kColumns);
    layer.qmin = Matrix::Constant(kRows, kColumns, -8.0f);
    layer.qmax = Matrix::Constant(kRows, kColumns, 7.0f);
    layer.weight(0, 0) = 0.95f;  // level 9: clamped to qmax
    layer.weight(1, 1) = -0.95f; // level -10: clamped to qmin
    layer.rowGroup = {0, 1, 0};
    for (int g = 0; g < 2; ++g) {
      Matrix x(kSamples, kColumns);
      for (int i = 0; i < x.size(); ++i)
        x.data()[i] = unit(rng) + 0.3f * g;
      inputs.push_back(x);
      InputMoments m;
      m.gram = x.transpose() * x / float(kSamples);
      layer.moments.push_back(m);
    }
  }
};

TEST(Optimizer, GradientMatchesFiniteDifferences) {
  TinyLayer tiny;
  for (float beta : {0.0f, 2.0f, 7.5f}) {
    Matrix gradient;
    objective(tiny.layer, tiny.layer.logits, /*lambda=*/0.5f, beta, &gradient);
    for (int r = 0; r < kRows; ++r)
      for (int k = 0; k < kColumns; ++k) {
        const float step = 1e-2f;
        Matrix plus = tiny.layer.logits, minus = tiny.layer.logits;
        plus(r, k) += step;
        minus(r, k) -= step;
        double numeric =
            (objective(tiny.layer, plus, 0.5f, beta) -
             objective(tiny.layer, minus, 0.5f, beta)) /
            (2.0 * step);
        EXPECT_NEAR(gradient(r, k), numeric,
                    2e-3 * std::fabs(numeric) + 2e-5)
            << "element (" << r << ", " << k << "), beta " << beta;
      }
    // The clamped elements get no gradient from the reconstruction.
    if (beta == 0.0f) {
      EXPECT_EQ(gradient(0, 0), 0.0f);
      EXPECT_EQ(gradient(1, 1), 0.0f);
    }
  }
}

TEST(Optimizer, GramFormIsTheReconstructionError) {
  TinyLayer tiny;
  Matrix quantized = hardQuantized(tiny.layer, tiny.layer.logits);
  // sum_n ||W x_n - Q x_n||^2 / sum_n ||W x_n||^2 over each row's group.
  double error = 0, energy = 0;
  for (int r = 0; r < kRows; ++r) {
    const Matrix &x = tiny.inputs[tiny.layer.rowGroup[r]];
    for (int n = 0; n < kSamples; ++n) {
      double exact = 0, approx = 0;
      for (int k = 0; k < kColumns; ++k) {
        exact += double(tiny.layer.weight(r, k)) * x(n, k);
        approx += double(quantized(r, k)) * x(n, k);
      }
      error += (exact - approx) * (exact - approx);
      energy += exact * exact;
    }
  }
  EXPECT_NEAR(reconstructionError(tiny.layer, quantized), error / energy,
              1e-4 * error / energy);
}

TEST(Optimizer, HardQuantizationFollowsTheSignOfV) {
  TinyLayer tiny;
  Matrix v = Matrix::Zero(kRows, kColumns); // the tie rounds up
  v(2, 3) = -1e-30f;
  Matrix q = hardQuantized(tiny.layer, v);
  float w = tiny.layer.weight(2, 2);
  EXPECT_EQ(q(2, 2), (std::floor(w / 0.1f) + 1) * 0.1f);
  w = tiny.layer.weight(2, 3);
  EXPECT_EQ(q(2, 3), std::floor(w / 0.1f) * 0.1f);
  EXPECT_EQ(q(0, 0), 0.7f); // 7 * 0.1, clamped
}

TEST(Optimizer, BetaSchedule) {
  Options options;
  options.iterations = 100;
  options.warmup = 0.2f;
  EXPECT_EQ(betaAt(options, 0), 0.0f);
  EXPECT_EQ(betaAt(options, 19), 0.0f);
  EXPECT_FLOAT_EQ(betaAt(options, 20), 20.0f);
  EXPECT_FLOAT_EQ(betaAt(options, 60), 11.0f); // halfway: (20 + 2) / 2
}

TEST(Optimizer, LearningLowersTheHardReconstructionError) {
  TinyLayer tiny;
  Options options;
  options.iterations = 500;
  Result result = learnRounding(tiny.layer, options);
  EXPECT_LE(result.learnedError, result.nearestError);
  EXPECT_LT(result.finalLoss, result.initialLoss);
  EXPECT_EQ(result.logits.rows(), kRows);
  EXPECT_LE(result.iterations, 500);
}

} // namespace
