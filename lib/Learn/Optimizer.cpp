//===- Optimizer.cpp - AdaRound's layer-wise optimisation of V ------------===//

#include "adaround/Learn/Optimizer.h"
#include "adaround/Numerics/Rounding.h"

#include <cassert>
#include <cmath>
#include <limits>

namespace mlir::adaround::learn {

namespace {

using Array =
    Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// The numerics formulas (Rounding.h) evaluated on whole arrays at once,
/// which Eigen vectorizes: the same definition as everywhere else.
struct ArrayDomain {
  using Value = Array;
  Eigen::Index rows, cols;
  Array constant(float c) const { return Array::Constant(rows, cols, c); }
  Array add(const Array &a, const Array &b) const { return a + b; }
  Array sub(const Array &a, const Array &b) const { return a - b; }
  Array mul(const Array &a, const Array &b) const { return a * b; }
  Array div(const Array &a, const Array &b) const { return a / b; }
  Array neg(const Array &a) const { return -a; }
  Array floor(const Array &a) const { return a.floor(); }
  Array exp(const Array &a) const { return a.exp(); }
  Array clamp(const Array &x, const Array &lo, const Array &hi) const {
    return (x < lo).select(lo, (x > hi).select(hi, x));
  }
};

/// The layer's rows gathered by input group, and the element parameters as
/// arrays: everything that does not change between iterations.
struct Prepared {
  // The error is taken in the difference D = W~ - W, not as W~ Hqq W~' minus
  // its float counterpart: with inputs far from zero-mean (after a ReLU)
  // those two are large and nearly equal, and their difference in f32 left
  // the gradient noisy enough to end ~10% worse than PyTorch's loop.
  //   E ||W x - W~ x^||^2 = sum_r d_r' Hqq d_r + 2 d_r' s_r + c
  // with s_r = (Hqq - Hqf) w_r (0 for float inputs) and
  // c = sum_r w_r' (Hqq - Hqf - Hqf' + Hff) w_r = E ||W (x^ - x)||^2.
  struct Group {
    std::vector<int64_t> rows;
    const InputMoments *moments;
    Matrix weight; // W_g
    Matrix shift;  // rows s_r: the gradient's constant part
  };
  std::vector<Group> groups;
  double floatEnergy = 0;    // sum_r w_r' Hff w_r: the normaliser
  double constantEnergy = 0; // c: the error at W~ = W
  ArrayDomain d;
  Array weight, scale, zeroPoint, qmin, qmax, zeta, gamma;

  explicit Prepared(const Layer &layer)
      : d{layer.weight.rows(), layer.weight.cols()},
        weight(layer.weight.array()), scale(layer.scale.array()),
        zeroPoint(layer.zeroPoint.array()), qmin(layer.qmin.array()),
        qmax(layer.qmax.array()), zeta(d.constant(layer.zeta)),
        gamma(d.constant(layer.gamma)) {
    groups.resize(layer.moments.size());
    for (size_t g = 0; g < groups.size(); ++g)
      groups[g].moments = &layer.moments[g];
    for (int64_t r = 0; r < layer.weight.rows(); ++r)
      groups[layer.rowGroup[r]].rows.push_back(r);
    for (Group &group : groups) {
      if (group.rows.empty())
        continue;
      group.weight = gather(layer.weight, group.rows);
      const Matrix &w = group.weight;
      const InputMoments &m = *group.moments;
      const Matrix &floatGram = m.floatGram.size() ? m.floatGram : m.gram;
      floatEnergy += energy(w, floatGram);
      if (m.cross.size()) {
        Matrix inputShift = m.gram - m.cross;
        group.shift = w * inputShift.transpose();
        constantEnergy += energy(
            w, Matrix(inputShift - m.cross.transpose() + floatGram));
      } else {
        group.shift = Matrix::Zero(w.rows(), w.cols());
      }
    }
  }

  /// sum_r a_r' M a_r.
  static double energy(const Matrix &a, const Matrix &m) {
    return (a.array() * (a * m.transpose()).array()).cast<double>().sum();
  }

  static Matrix gather(const Matrix &m, const std::vector<int64_t> &rows) {
    if (static_cast<int64_t>(rows.size()) == m.rows())
      return m;
    Matrix out(rows.size(), m.cols());
    for (size_t i = 0; i < rows.size(); ++i)
      out.row(i) = m.row(rows[i]);
    return out;
  }

  float normaliser() const {
    return floatEnergy > 0 ? static_cast<float>(floatEnergy) : 1.0f;
  }

  /// Normalised reconstruction error of `quantized`, and its gradient with
  /// respect to `quantized` when asked.
  double reconstruction(const Matrix &quantized, Matrix *gradient) const {
    double error = constantEnergy;
    for (const Group &group : groups) {
      if (group.rows.empty())
        continue;
      Matrix d = gather(quantized, group.rows) - group.weight;
      Matrix product = d * group.moments->gram;
      error += (d.array() * (product + 2.0f * group.shift).array())
                   .cast<double>()
                   .sum();
      if (!gradient)
        continue;
      Matrix g = (product + group.shift) * (2.0f / normaliser());
      if (static_cast<int64_t>(group.rows.size()) == quantized.rows()) {
        *gradient = std::move(g);
      } else {
        for (size_t i = 0; i < group.rows.size(); ++i)
          gradient->row(group.rows[i]) = g.row(i);
      }
    }
    // Rounding can make the sum slightly negative; the error is not.
    return std::max(0.0, error) / normaliser();
  }

  /// h(V) for every element.
  Array softOffset(const Matrix &logits) const {
    return numerics::softOffset(d, Array(logits.array()), zeta, gamma);
  }

  /// The grid level floor(w / s) + z + h before its clamp to [qmin, qmax].
  Array unclampedLevel(const Array &h) const {
    float inf = std::numeric_limits<float>::infinity();
    return numerics::gridLevel(d, weight, scale, zeroPoint, h,
                               d.constant(-inf), d.constant(inf));
  }

  /// (clamp(level, qmin, qmax) - z) * s.
  Matrix quantized(const Array &level) const {
    return numerics::dequantize(d, d.clamp(level, qmin, qmax), scale,
                                zeroPoint)
        .matrix();
  }
};

/// |x|^p for x != 0 (0 at 0), vectorized as exp(p log|x|).
Array power(const Array &magnitude, float p) {
  return (magnitude > 0).select((magnitude.log() * p).exp(), 0.0f);
}

} // namespace

float betaAt(const Options &options, int64_t iteration) {
  int64_t warm = static_cast<int64_t>(options.warmup * options.iterations);
  if (iteration < warm)
    return 0.0f;
  double progress = options.iterations > warm
                        ? double(iteration - warm) / double(options.iterations - warm)
                        : 1.0;
  return static_cast<float>(options.betaEnd + (options.betaStart - options.betaEnd) *
                                                  (1.0 - progress));
}

/// The objective at `logits` (computed only when `withLoss`), and its
/// gradient into `gradient` when not null.
static double objective(const Layer &layer, const Prepared &prepared,
                        const Matrix &logits, float lambda, float beta,
                        Matrix *gradient, bool withLoss = true) {
  Array h = prepared.softOffset(logits);
  Array level = prepared.unclampedLevel(h);
  Matrix quantized = prepared.quantized(level);
  if (gradient)
    gradient->resize(logits.rows(), logits.cols());
  double loss = prepared.reconstruction(quantized, gradient);

  float count = static_cast<float>(logits.size());
  Array centred = 2.0f * h - 1.0f;
  Array magnitude = centred.abs();
  if (withLoss && beta > 0)
    loss += lambda * (1.0f - power(magnitude, beta)).cast<double>().sum() /
            count;
  if (!gradient)
    return loss;
  // d loss / d h: the reconstruction's through the grid (where the clamp to
  // [qmin, qmax] lets it pass), plus the regulariser's.
  Array dh = (level >= prepared.qmin && level <= prepared.qmax)
                 .select(gradient->array() * prepared.scale, 0.0f);
  if (beta > 0)
    dh -= (lambda / count * beta * 2.0f) * power(magnitude, beta - 1.0f) *
          centred.sign();
  // d h / d V, where the clamp of h to [0, 1] lets it pass.
  float stretch = layer.zeta - layer.gamma;
  Array sigmoid = (1.0f + (-logits.array()).exp()).inverse();
  Array stretched = sigmoid * stretch + layer.gamma;
  gradient->array() = (stretched >= 0.0f && stretched <= 1.0f)
                          .select(dh * stretch * sigmoid * (1.0f - sigmoid), 0.0f);
  return loss;
}

double objective(const Layer &layer, const Matrix &logits, float lambda,
                 float beta, Matrix *gradient) {
  return objective(layer, Prepared(layer), logits, lambda, beta, gradient);
}

Matrix hardQuantized(const Layer &layer, const Matrix &logits) {
  Prepared prepared(layer);
  Array up = (logits.array() >= 0.0f).select(Array::Ones(logits.rows(),
                                                          logits.cols()),
                                             0.0f);
  return prepared.quantized(prepared.unclampedLevel(up));
}

Matrix nearestUp(const Layer &layer) {
  Matrix up(layer.weight.rows(), layer.weight.cols());
  for (int64_t r = 0; r < up.rows(); ++r)
    for (int64_t k = 0; k < up.cols(); ++k)
      up(r, k) = numerics::residual(layer.weight(r, k), layer.scale(r, k)) >= 0.5f
                     ? 1.0f
                     : 0.0f;
  return up;
}

double reconstructionError(const Layer &layer, const Matrix &quantized) {
  return Prepared(layer).reconstruction(quantized, nullptr);
}

Matrix secondMoment(int64_t rows, int64_t columns, bool symmetric,
                    const std::function<void(int64_t, float *, float *)> &fill) {
  Matrix moment = Matrix::Zero(columns, columns);
  constexpr int64_t kRowsPerBlock = 1024;
  Matrix a(kRowsPerBlock, columns), b(symmetric ? 0 : kRowsPerBlock, columns);
  for (int64_t start = 0; start < rows; start += kRowsPerBlock) {
    int64_t count = std::min(kRowsPerBlock, rows - start);
    for (int64_t i = 0; i < count; ++i)
      fill(start + i, a.row(i).data(), symmetric ? nullptr : b.row(i).data());
    const Matrix &other = symmetric ? a : b;
    moment.noalias() +=
        a.topRows(count).transpose() * other.topRows(count);
  }
  if (rows > 0)
    moment /= static_cast<float>(rows);
  return moment;
}

Result learnRounding(const Layer &layer, const Options &options) {
  assert(layer.rowGroup.size() == size_t(layer.weight.rows()) &&
         "one group per row");
  Prepared prepared(layer);
  Result result;
  Matrix v = layer.logits;
  result.initialLoss =
      objective(layer, prepared, v, options.lambda, options.betaEnd, nullptr);

  // Adam, as torch.optim.Adam with its defaults besides the learning rate.
  const float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
  Matrix first = Matrix::Zero(v.rows(), v.cols());
  Matrix second = Matrix::Zero(v.rows(), v.cols());
  Matrix gradient;
  int64_t warm = static_cast<int64_t>(options.warmup * options.iterations);
  int64_t t = 0;
  for (; t < options.iterations; ++t) {
    float beta = betaAt(options, t);
    bool report = options.progress && options.progressPeriod > 0 &&
                  t % options.progressPeriod == 0;
    double loss = objective(layer, prepared, v, options.lambda, beta,
                            &gradient, /*withLoss=*/report);
    if (report)
      options.progress(t, loss);
    first = beta1 * first + (1.0f - beta1) * gradient;
    second = beta2 * second + (1.0f - beta2) * gradient.cwiseProduct(gradient);
    float correction1 = 1.0f - std::pow(beta1, float(t + 1));
    float correction2 = 1.0f - std::pow(beta2, float(t + 1));
    v.array() -= (options.learningRate / correction1) * first.array() /
                 (second.array().sqrt() / std::sqrt(correction2) + epsilon);
    if (options.settleTolerance > 0 && t >= warm &&
        (t + 1 - warm) % kSettleCheckPeriod == 0) {
      Array h = prepared.softOffset(v);
      float tolerance = options.settleTolerance;
      if ((h <= tolerance || h >= 1.0f - tolerance).all()) {
        ++t;
        break;
      }
    }
  }
  result.iterations = t;
  result.finalLoss =
      objective(layer, prepared, v, options.lambda, options.betaEnd, nullptr);

  float tolerance = options.settleTolerance > 0 ? options.settleTolerance : 1e-3f;
  Matrix up = nearestUp(layer);
  Matrix nearest(up.rows(), up.cols());
  for (int64_t i = 0; i < up.size(); ++i) {
    // Logits whose hard decision is the nearest one.
    nearest.data()[i] = up.data()[i] > 0 ? 1.0f : -1.0f;
    result.changed += numerics::roundsUp(v.data()[i]) != (up.data()[i] > 0);
    float h = numerics::softOffset(v.data()[i], layer.zeta, layer.gamma);
    result.unsettled += h > tolerance && h < 1 - tolerance;
  }
  result.nearestError = prepared.reconstruction(hardQuantized(layer, nearest), nullptr);
  result.learnedError = prepared.reconstruction(hardQuantized(layer, v), nullptr);
  result.logits = std::move(v);
  return result;
}

} // namespace mlir::adaround::learn
