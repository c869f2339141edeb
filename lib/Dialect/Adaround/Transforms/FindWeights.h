//===- FindWeights.h - Quantizable weights, found by structure --*- C++ -*-===//
//
// `--adaround-calibrate=insert=1` wraps the constant weights of contractions
// and convolutions. They are found by structure, not by op name: any linalg
// op implementing the contraction or convolution interface (named ops of
// every layout, generic contractions, matmuls with user maps) and the TOSA
// ops that carry weights. The output-channel axes come from the indexing
// maps, and the weight may reach its consumer through value-preserving ops
// (transposes, reshapes that add or drop unit dimensions).
//
//===----------------------------------------------------------------------===//

#ifndef ADAROUND_LIB_DIALECT_ADAROUND_TRANSFORMS_FINDWEIGHTS_H
#define ADAROUND_LIB_DIALECT_ADAROUND_TRANSFORMS_FINDWEIGHTS_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::adaround {

/// Where the quantization parameters of one weight vary, in the layout of
/// the tensor they apply to.
struct WeightLayout {
  /// Output-channel dimensions: one gives a per-axis type; several (a
  /// grouped convolution's groups and filters) give sub-channel blocks of
  /// one element along each.
  SmallVector<int64_t> axes;
  /// The reduction dimension blockwise quantization cuts (-1: none).
  int64_t blockDim = -1;
};

/// One weight constant to wrap.
struct WeightSite {
  /// The contraction or convolution that consumes it.
  Operation *consumer;
  /// The use to redirect to the new op: the constant's use by the first op
  /// on its way to `consumer` (or by `consumer` itself).
  OpOperand *use;
  /// The layout in the constant's own dimensions.
  WeightLayout layout;
};

/// Every weight of `root` that can be wrapped. `skipped(op, reason,
/// isWeight)` is called for each candidate operand that cannot be (not a
/// constant, already quantized, its channel axis lost in a reshape...);
/// `isWeight` says the operand is a constant weight that stays float (not
/// f32, empty, too large), which a user would want to hear of.
SmallVector<WeightSite>
findWeights(Operation *root,
            function_ref<void(Operation *, const Twine &, bool)> skipped);

} // namespace mlir::adaround

#endif // ADAROUND_LIB_DIALECT_ADAROUND_TRANSFORMS_FINDWEIGHTS_H
