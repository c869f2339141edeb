//===- LayerAnalysis.h - A weight's layer as a matrix product ---*- C++ -*-===//
//
// A layer (a linalg contraction or convolution in generic form) computes, for
// each output channel c and position p, y[c, p] = sum_k W[c, k] x[g(c), p, k].
// LayerGeometry holds that view as flat offsets: which weight element is
// (c, k), and where the input holds x[g, p, k] (its im2col view).
//
//===----------------------------------------------------------------------===//

#ifndef ADAROUND_LIB_LEARN_LAYERANALYSIS_H
#define ADAROUND_LIB_LEARN_LAYERANALYSIS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <string>
#include <vector>

namespace mlir::adaround::learn {

struct LayerGeometry {
  /// The layer op and its input operand (the activations).
  linalg::GenericOp layer;
  unsigned inputOperand = 0;
  int64_t rows = 0, columns = 0;
  /// Flat weight index of (row, column), row-major.
  std::vector<int64_t> weightIndex;
  /// Input group of each row (rows that see different inputs: the channels
  /// of a depthwise convolution, the batches of a batched weight).
  std::vector<int64_t> rowGroup;
  /// Flat input offset of x[g, p, k] = groupOffset[g] + positionOffset[p] +
  /// columnOffset[k].
  std::vector<int64_t> groupOffset, positionOffset, columnOffset;
  int64_t inputElements = 0;
};

/// The layer that consumes `weight` (the result of a fake_quant), directly
/// or through permuting copies, or a reason why there is none that the
/// optimiser understands.
FailureOr<LayerGeometry> analyzeLayer(Value weight, std::string &whyNot);

} // namespace mlir::adaround::learn

#endif // ADAROUND_LIB_LEARN_LAYERANALYSIS_H
