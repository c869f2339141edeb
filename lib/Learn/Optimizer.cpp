//===- Optimizer.cpp - AdaRound's layer-wise optimisation of V ------------===//

#include "adaround/Learn/Optimizer.h"
#include "adaround/Numerics/Rounding.h"

#include <cassert>
#include <cmath>

namespace mlir::adaround::learn {

namespace {

/// The layer's rows gathered by input group, with everything that does not
/// change between iterations.
struct Prepared {
  struct Group {
    std::vector<int64_t> rows;
    const InputMoments *moments;
    Matrix crossProduct; // W_g Hqf' : the gradient's constant part
  };
  std::vector<Group> groups;
  double constantEnergy = 0; // sum_r w_r' Hff w_r
  double floatEnergy = 0;    // the normaliser (the same sum)

  explicit Prepared(const Layer &layer) {
    groups.resize(layer.moments.size());
    for (size_t g = 0; g < groups.size(); ++g)
      groups[g].moments = &layer.moments[g];
    for (int64_t r = 0; r < layer.weight.rows(); ++r)
      groups[layer.rowGroup[r]].rows.push_back(r);
    for (Group &group : groups) {
      if (group.rows.empty())
        continue;
      Matrix w = gather(layer.weight, group.rows);
      const InputMoments &m = *group.moments;
      const Matrix &cross = m.cross.size() ? m.cross : m.gram;
      const Matrix &floatGram = m.floatGram.size() ? m.floatGram : m.gram;
      group.crossProduct = w * cross.transpose();
      constantEnergy += (w.array() * (w * floatGram).array()).cast<double>().sum();
    }
    floatEnergy = constantEnergy;
  }

  static Matrix gather(const Matrix &m, const std::vector<int64_t> &rows) {
    if (static_cast<int64_t>(rows.size()) == m.rows())
      return m;
    Matrix out(rows.size(), m.cols());
    for (size_t i = 0; i < rows.size(); ++i)
      out.row(i) = m.row(rows[i]);
    return out;
  }

  /// Normalised reconstruction error of `quantized`, and its gradient with
  /// respect to `quantized` when asked.
  double reconstruction(const Matrix &quantized, Matrix *gradient) const {
    double energy = constantEnergy;
    for (const Group &group : groups) {
      if (group.rows.empty())
        continue;
      Matrix q = gather(quantized, group.rows);
      Matrix product = q * group.moments->gram;
      energy += (q.array() * (product - 2.0f * group.crossProduct).array())
                    .cast<double>()
                    .sum();
      if (!gradient)
        continue;
      Matrix g = (product - group.crossProduct) * (2.0 / scaleOf());
      if (static_cast<int64_t>(group.rows.size()) == quantized.rows()) {
        *gradient = std::move(g);
      } else {
        for (size_t i = 0; i < group.rows.size(); ++i)
          gradient->row(group.rows[i]) = g.row(i);
      }
    }
    // Rounding can make the difference slightly negative; the error is not.
    return std::max(0.0, energy) / scaleOf();
  }

  float scaleOf() const {
    return floatEnergy > 0 ? static_cast<float>(floatEnergy) : 1.0f;
  }
};

float softH(const Layer &layer, float v) {
  return numerics::softOffset(v, layer.zeta, layer.gamma);
}

/// floor(w / s) + z, the grid level before the rounding offset.
float baseLevel(const Layer &layer, int64_t r, int64_t k) {
  numerics::ScalarDomain d;
  return d.add(d.floor(d.div(layer.weight(r, k), layer.scale(r, k))),
               layer.zeroPoint(r, k));
}

/// (clamp(base + h, qmin, qmax) - z) * s.
float quantizedAt(const Layer &layer, int64_t r, int64_t k, float h) {
  numerics::ScalarDomain d;
  float level = d.clamp(d.add(baseLevel(layer, r, k), h), layer.qmin(r, k),
                        layer.qmax(r, k));
  return numerics::dequantize(d, level, layer.scale(r, k),
                              layer.zeroPoint(r, k));
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

static double objective(const Layer &layer, const Prepared &prepared,
                        const Matrix &logits, float lambda, float beta,
                        Matrix *gradient) {
  int64_t rows = layer.weight.rows(), cols = layer.weight.cols();
  Matrix quantized(rows, cols);
  Matrix h(rows, cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < cols; ++k) {
      h(r, k) = softH(layer, logits(r, k));
      quantized(r, k) = quantizedAt(layer, r, k, h(r, k));
    }
  if (gradient)
    gradient->resize(rows, cols);
  double loss = prepared.reconstruction(quantized, gradient);

  double count = double(rows) * double(cols);
  double regulariser = 0;
  float stretch = layer.zeta - layer.gamma;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < cols; ++k) {
      float centred = 2.0f * h(r, k) - 1.0f;
      if (beta > 0)
        regulariser += 1.0 - std::pow(std::fabs(double(centred)), double(beta));
      if (!gradient)
        continue;
      // d loss / d h: the reconstruction's through the grid (where the clamp
      // to [qmin, qmax] lets it pass), plus the regulariser's.
      float level = baseLevel(layer, r, k) + h(r, k);
      float dh = level >= layer.qmin(r, k) && level <= layer.qmax(r, k)
                     ? (*gradient)(r, k) * layer.scale(r, k)
                     : 0.0f;
      if (beta > 0 && centred != 0.0f)
        dh -= static_cast<float>(lambda / count * beta * 2.0 *
                                 std::pow(std::fabs(double(centred)), beta - 1.0) *
                                 (centred > 0 ? 1.0 : -1.0));
      // d h / d V, where the clamp of h to [0, 1] lets it pass.
      float sigmoid = 1.0f / (1.0f + std::exp(-logits(r, k)));
      float stretched = sigmoid * stretch + layer.gamma;
      (*gradient)(r, k) = stretched >= 0.0f && stretched <= 1.0f
                              ? dh * stretch * sigmoid * (1.0f - sigmoid)
                              : 0.0f;
    }
  return loss + (beta > 0 ? lambda * regulariser / count : 0.0);
}

double objective(const Layer &layer, const Matrix &logits, float lambda,
                 float beta, Matrix *gradient) {
  return objective(layer, Prepared(layer), logits, lambda, beta, gradient);
}

Matrix hardQuantized(const Layer &layer, const Matrix &logits) {
  Matrix out(layer.weight.rows(), layer.weight.cols());
  for (int64_t r = 0; r < out.rows(); ++r)
    for (int64_t k = 0; k < out.cols(); ++k)
      out(r, k) = quantizedAt(layer, r, k,
                              numerics::roundsUp(logits(r, k)) ? 1.0f : 0.0f);
  return out;
}

Matrix nearestUp(const Layer &layer) {
  Matrix up(layer.weight.rows(), layer.weight.cols());
  for (int64_t r = 0; r < up.rows(); ++r)
    for (int64_t k = 0; k < up.cols(); ++k) {
      float x = layer.weight(r, k) / layer.scale(r, k);
      up(r, k) = x - std::floor(x) >= 0.5f ? 1.0f : 0.0f;
    }
  return up;
}

double reconstructionError(const Layer &layer, const Matrix &quantized) {
  return Prepared(layer).reconstruction(quantized, nullptr);
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
    double loss = objective(layer, prepared, v, options.lambda, beta, &gradient);
    if (options.progress && options.progressPeriod > 0 &&
        t % options.progressPeriod == 0)
      options.progress(t, loss);
    first = beta1 * first + (1.0f - beta1) * gradient;
    second = beta2 * second + (1.0f - beta2) * gradient.cwiseProduct(gradient);
    float correction1 = 1.0f - std::pow(beta1, float(t + 1));
    float correction2 = 1.0f - std::pow(beta2, float(t + 1));
    v.array() -= (options.learningRate / correction1) * first.array() /
                 (second.array().sqrt() / std::sqrt(correction2) + epsilon);
    if (options.settleTolerance > 0 && t >= warm &&
        (t + 1 - warm) % kSettleCheckPeriod == 0) {
      bool settled = true;
      for (int64_t i = 0; settled && i < v.size(); ++i) {
        float h = softH(layer, v.data()[i]);
        settled = h <= options.settleTolerance || h >= 1 - options.settleTolerance;
      }
      if (settled) {
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
    float h = softH(layer, v.data()[i]);
    result.unsettled += h > tolerance && h < 1 - tolerance;
  }
  result.nearestError = prepared.reconstruction(hardQuantized(layer, nearest), nullptr);
  result.learnedError = prepared.reconstruction(hardQuantized(layer, v), nullptr);
  result.logits = std::move(v);
  return result;
}

} // namespace mlir::adaround::learn
