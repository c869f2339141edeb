//===- Optimizer.h - AdaRound's layer-wise optimisation of V ----*- C++ -*-===//
//
// The rounding logits V of one layer, learned as in Nagel et al. 2020: Adam
// on V minimising
//
//   E ||W x - W~(V) x^||^2 / E ||W x||^2
//     + lambda * mean(1 - |2 h(V) - 1|^beta)
//
// where W~(V) is the soft fake quantization of W (SEMANTICS.md), x the
// layer's float input and x^ its input with the preceding layers quantized
// (x^ = x for float inputs). The reconstruction term is normalised by the
// float output's energy, so one lambda fits layers of any output scale. It
// is computed exactly from second moments of the inputs (Gram matrices), so
// a step costs rows x K x K, whatever the amount of calibration data:
//
//   E ||W x - W~ x^||^2 = sum_r w~_r' Hqq w~_r - 2 w~_r' Hqf w_r + w_r' Hff w_r
//
// with Hqq = E[x^ x^'], Hqf = E[x^ x'], Hff = E[x x'] (K x K, K the layer's
// reduction length: a convolution's im2col column), evaluated in the
// difference W~ - W so that f32 does not cancel its large terms (see
// Prepared in Optimizer.cpp). Plain C++ and Eigen, no MLIR: other compilers
// can call it directly.
//
//===----------------------------------------------------------------------===//

#ifndef ADAROUND_LEARN_OPTIMIZER_H
#define ADAROUND_LEARN_OPTIMIZER_H

#include <Eigen/Core>

#include <cstdint>
#include <functional>
#include <vector>

namespace mlir::adaround::learn {

using Matrix =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Second moments of one group of rows' inputs, each K x K (averaged over
/// the calibration vectors and positions). `cross` and `floatGram` may be
/// left empty when the inputs are float (x^ = x): they are then `gram`.
struct InputMoments {
  Matrix gram;      // Hqq = E[x^ x^']
  Matrix cross;     // Hqf = E[x^ x']
  Matrix floatGram; // Hff = E[x x']
};

/// One layer in matrix form: R rows (output channels) by K columns (the
/// reduction). Every parameter is given per element so that per-tensor,
/// per-channel and blockwise grids are all the same case.
struct Layer {
  Matrix weight;                 // W
  Matrix scale, zeroPoint;       // s, z (z an integer held in f32)
  Matrix qmin, qmax;             // storage range
  Matrix logits;                 // initial V
  float zeta = 1.1f, gamma = -0.1f;
  /// The index into `moments` of each row: rows whose inputs differ (the
  /// channels of a depthwise convolution) have moments of their own.
  std::vector<int64_t> rowGroup;
  std::vector<InputMoments> moments;
};

struct Options {
  // The pass's defaults, chosen by measurement on digits (see the guide).
  int64_t iterations = 2000;
  float learningRate = 3e-2f;
  float lambda = 1.0f;
  float betaStart = 20.0f;
  float betaEnd = 2.0f;
  /// Fraction of the iterations run without the regulariser.
  float warmup = 0.2f;
  /// After the warm-up, stop once every h is within this of 0 or 1
  /// (checked every kSettleCheckPeriod iterations); 0 never stops early.
  float settleTolerance = 1e-3f;
  /// Called every `progressPeriod` iterations (0: never).
  std::function<void(int64_t iteration, double loss)> progress;
  int64_t progressPeriod = 1000;
};

inline constexpr int64_t kSettleCheckPeriod = 50;

struct Result {
  Matrix logits;                  // learned V
  double initialLoss = 0, finalLoss = 0; // soft objective, at beta-end
  double nearestError = 0;        // normalised reconstruction, nearest
  double learnedError = 0;        // normalised reconstruction, learned hard
  int64_t changed = 0;            // decisions that differ from nearest
  int64_t unsettled = 0;          // h farther than settleTolerance from 0/1
  int64_t iterations = 0;         // run (fewer than asked when settled)
};

/// The regulariser's beta at `iteration`: none (0) during the warm-up, then
/// linear from betaStart to betaEnd.
float betaAt(const Options &options, int64_t iteration);

/// The objective at `logits` with regulariser exponent `beta` (0: no
/// regulariser); its gradient with respect to the logits in `gradient`
/// when not null. The gradient is autograd's: clamps pass the gradient
/// where their input lies within the bounds, ends included.
double objective(const Layer &layer, const Matrix &logits, float lambda,
                 float beta, Matrix *gradient = nullptr);

/// The normalised reconstruction error E||W x - Wq x^||^2 / E||W x||^2 of a
/// quantized weight `quantized`.
double reconstructionError(const Layer &layer, const Matrix &quantized);

/// Hard fake quantization of the layer's weight with `logits`' decisions.
Matrix hardQuantized(const Layer &layer, const Matrix &logits);
/// Whether round-to-nearest rounds each element up (residual >= 0.5).
Matrix nearestUp(const Layer &layer);

/// E[a b'] over `rows` pairs of K-vectors (a = b when `symmetric`), the
/// n-th pair written by `fill(n, a, b)` (b is null when symmetric): how
/// the moments of a layer's inputs are built from its im2col rows.
Matrix secondMoment(int64_t rows, int64_t columns, bool symmetric,
                    const std::function<void(int64_t, float *, float *)> &fill);

/// Learns V. The layer must be consistent (equal shapes, moments K x K).
Result learnRounding(const Layer &layer, const Options &options);

} // namespace mlir::adaround::learn

#endif // ADAROUND_LEARN_OPTIMIZER_H
