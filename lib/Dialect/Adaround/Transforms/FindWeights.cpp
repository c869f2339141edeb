//===- FindWeights.cpp - Quantizable weights, found by structure ----------===//

#include "FindWeights.h"

#include "adaround/Dialect/Adaround/IR/Adaround.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::adaround;

namespace {

/// The non-unit dimensions of `shape`, in order.
SmallVector<int64_t> nonUnitDims(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> dims;
  for (auto [d, size] : llvm::enumerate(shape))
    if (size != 1)
      dims.push_back(d);
  return dims;
}

/// Maps a dimension of a reshape's result to its source, when the reshape
/// only adds or drops unit dimensions (the values keep their order and the
/// non-unit extents match); std::nullopt otherwise.
std::optional<int64_t> throughUnitReshape(ArrayRef<int64_t> source,
                                          ArrayRef<int64_t> result,
                                          int64_t dim) {
  SmallVector<int64_t> from = nonUnitDims(source), to = nonUnitDims(result);
  if (from.size() != to.size())
    return std::nullopt;
  for (auto [f, t] : llvm::zip(from, to))
    if (source[f] != result[t])
      return std::nullopt;
  auto it = llvm::find(to, dim);
  if (it == to.end())
    return std::nullopt; // a unit dimension: no channel to map
  return from[it - to.begin()];
}

/// One step back from `value` (a weight on its way to its consumer) to the
/// value it was computed from, with `layout` mapped into that value's
/// dimensions. std::nullopt when `value` is not produced by a
/// value-preserving op whose layout can be followed.
std::optional<Value> stepBack(Value value, WeightLayout &layout) {
  Operation *op = value.getDefiningOp();
  if (!op || op->getNumResults() != 1)
    return std::nullopt;
  auto mapAll = [&](auto map) -> bool {
    WeightLayout mapped;
    for (int64_t axis : layout.axes) {
      std::optional<int64_t> d = map(axis);
      if (!d)
        return false;
      mapped.axes.push_back(*d);
    }
    if (layout.blockDim >= 0) {
      std::optional<int64_t> d = map(layout.blockDim);
      mapped.blockDim = d ? *d : -1;
    }
    layout = mapped;
    return true;
  };
  if (auto transpose = dyn_cast<linalg::TransposeOp>(op)) {
    ArrayRef<int64_t> perm = transpose.getPermutation();
    if (mapAll([&](int64_t d) { return std::optional<int64_t>(perm[d]); }))
      return transpose.getInput();
    return std::nullopt;
  }
  if (auto broadcast = dyn_cast<linalg::BroadcastOp>(op)) {
    // Result dimensions not listed in `dimensions` come from the input, in
    // order. Channels along a broadcast dimension are copies of one weight:
    // they drop out (none left: nothing to quantize per channel).
    ArrayRef<int64_t> added = broadcast.getDimensions();
    auto source = [&](int64_t d) {
      return d - llvm::count_if(added, [&](int64_t a) { return a < d; });
    };
    WeightLayout mapped;
    for (int64_t axis : layout.axes)
      if (!llvm::is_contained(added, axis))
        mapped.axes.push_back(source(axis));
    if (layout.blockDim >= 0 && !llvm::is_contained(added, layout.blockDim))
      mapped.blockDim = source(layout.blockDim);
    if (mapped.axes.empty())
      return std::nullopt;
    layout = mapped;
    return broadcast.getInput();
  }
  StringRef name = op->getName().getStringRef();
  if (name == "tosa.transpose") {
    auto perms = op->getAttrOfType<DenseI32ArrayAttr>("perms");
    if (perms && mapAll([&](int64_t d) {
          return std::optional<int64_t>(perms[d]);
        }))
      return op->getOperand(0);
    return std::nullopt;
  }
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op) ||
      name == "tosa.reshape") {
    auto source = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    auto result = dyn_cast<RankedTensorType>(value.getType());
    if (!source || !result || !source.hasStaticShape() ||
        !result.hasStaticShape())
      return std::nullopt;
    if (mapAll([&](int64_t d) {
          return throughUnitReshape(source.getShape(), result.getShape(), d);
        }))
      return op->getOperand(0);
    return std::nullopt;
  }
  return std::nullopt;
}

/// The weight dimension indexed by a plain `loop`, if any.
std::optional<int64_t> weightDimOf(AffineMap wMap, unsigned loop) {
  for (auto [d, e] : llvm::enumerate(wMap.getResults()))
    if (auto dim = dyn_cast<AffineDimExpr>(e); dim && dim.getPosition() == loop)
      return d;
  return std::nullopt;
}

/// Whether `loop` indexes an input other than `w` as a plain dimension.
bool indexesOtherInputPlainly(linalg::LinalgOp op, OpOperand &w,
                              unsigned loop) {
  for (OpOperand *other : op.getDpsInputOperands())
    if (other != &w &&
        weightDimOf(op.getMatchingIndexingMap(other), loop).has_value())
      return true;
  return false;
}

/// The layout of operand `w` of a contraction or convolution, read from its
/// indexing maps. For a contraction, linalg's own inference: the output
/// channels are the weight's M or N loops, not its batch loops (a batched
/// weight is quantized per column, as before), and the block dimension is
/// K. Channels of extent one are dropped unless none is left.
std::optional<WeightLayout> layoutFromMaps(linalg::LinalgOp op,
                                           OpOperand &w) {
  if (op.getNumDpsInits() != 1)
    return std::nullopt;
  AffineMap wMap = op.getMatchingIndexingMap(&w);
  if (!llvm::all_of(wMap.getResults(), llvm::IsaPred<AffineDimExpr>))
    return std::nullopt;
  SmallVector<unsigned> channelLoops, blockLoops;
  FailureOr<linalg::ContractionDimensions> dims = failure();
  if (linalg::isaContractionOpInterface(op))
    dims = linalg::inferContractionDims(op);
  if (succeeded(dims)) {
    llvm::append_range(channelLoops, dims->m);
    llvm::append_range(channelLoops, dims->n);
    llvm::append_range(blockLoops, dims->k);
  } else {
    // Convolutions (and matvecs): every parallel loop of the weight that
    // also indexes the result is an output channel, a grouped
    // convolution's groups and filters, a depthwise channel and its
    // multiplier alike. (linalg's convolution inference files a depthwise
    // channel or a group elsewhere.) The block dimension is a reduction
    // that also indexes the input directly (its channels), else the first.
    AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    SmallVector<unsigned> windowLoops;
    for (AffineExpr e : wMap.getResults()) {
      unsigned loop = cast<AffineDimExpr>(e).getPosition();
      if (iterators[loop] == utils::IteratorType::parallel &&
          outMap.isFunctionOfDim(loop))
        channelLoops.push_back(loop);
      else if (iterators[loop] == utils::IteratorType::reduction)
        (indexesOtherInputPlainly(op, w, loop) ? blockLoops : windowLoops)
            .push_back(loop);
    }
    llvm::append_range(blockLoops, windowLoops);
  }
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(w.get().getType()).getShape();
  WeightLayout layout;
  SmallVector<int64_t> unitChannels;
  for (unsigned loop : channelLoops)
    if (std::optional<int64_t> d = weightDimOf(wMap, loop))
      (shape[*d] == 1 ? unitChannels : layout.axes).push_back(*d);
  if (layout.axes.empty() && !unitChannels.empty())
    layout.axes.push_back(unitChannels.back());
  if (layout.axes.empty())
    return std::nullopt;
  llvm::sort(layout.axes);
  for (unsigned loop : blockLoops)
    if (std::optional<int64_t> d = weightDimOf(wMap, loop)) {
      layout.blockDim = *d;
      break;
    }
  return layout;
}

/// TOSA's weight operands and their layouts: [O, KH, KW, I] filters,
/// [KH, KW, C, M] depthwise filters, [N, C, W] matmul right-hand sides.
std::optional<std::pair<unsigned, WeightLayout>> tosaWeight(Operation *op) {
  StringRef name = op->getName().getStringRef();
  auto layout = [](SmallVector<int64_t> axes, int64_t blockDim) {
    WeightLayout l;
    l.axes = std::move(axes);
    l.blockDim = blockDim;
    return l;
  };
  if (name == "tosa.conv2d" || name == "tosa.transpose_conv2d")
    return std::make_pair(1u, layout({0}, 3));
  if (name == "tosa.conv3d")
    return std::make_pair(1u, layout({0}, 4));
  if (name == "tosa.depthwise_conv2d") {
    auto type = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
    bool multiplier = type && type.getRank() == 4 && type.getDimSize(3) != 1;
    return std::make_pair(1u, layout(multiplier ? SmallVector<int64_t>{2, 3}
                                                : SmallVector<int64_t>{2},
                                     0));
  }
  if (name == "tosa.matmul")
    return std::make_pair(1u, layout({2}, 1));
  return std::nullopt;
}

} // namespace

SmallVector<WeightSite> mlir::adaround::findWeights(
    Operation *root,
    function_ref<void(Operation *, const Twine &, bool)> skipped) {
  SmallVector<WeightSite> sites;
  // Follows operand `w` of `consumer` back to a constant and records it.
  auto trace = [&](Operation *consumer, OpOperand &w, WeightLayout layout) {
    OpOperand *use = &w;
    Value value = w.get();
    while (true) {
      if (matchPattern(value, m_Constant()))
        break;
      if (value.getDefiningOp<FakeQuantOp>())
        return skipped(consumer, "operand " + Twine(w.getOperandNumber()) +
                                     " is already quantized", false);
      Operation *producer = value.getDefiningOp();
      std::optional<Value> source = stepBack(value, layout);
      if (!source) {
        if (producer && isa_and_present<tensor::ExpandShapeOp,
                                        tensor::CollapseShapeOp,
                                        linalg::BroadcastOp>(producer))
          return skipped(consumer, "operand " + Twine(w.getOperandNumber()) +
                                       ": its channel axis does not survive "
                                       "the reshape or broadcast before it",
                       false);
        return skipped(consumer, "operand " + Twine(w.getOperandNumber()) +
                                     " is not a constant", false);
      }
      if (!value.hasOneUse())
        return skipped(consumer, "operand " + Twine(w.getOperandNumber()) +
                                     " is shared with other ops", false);
      use = &producer->getOpOperand(0);
      value = *source;
    }
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type || type.getRank() == 0)
      return skipped(consumer, "operand " + Twine(w.getOperandNumber()) +
                                   " is not a ranked tensor", false);
    StringRef reason;
    if (!isSupportedElementType(type.getElementType()))
      reason = "its elements are not f32, f16 or bf16";
    else if (!checkedNumElements(type.getShape()))
      reason = "its element count overflows a 64-bit size";
    else if (type.getNumElements() == 0)
      reason = "it has no elements";
    if (!reason.empty())
      return skipped(consumer,
                     "weight operand " + Twine(w.getOperandNumber()) +
                         " of type '" + llvm::formatv("{0}", type).str() +
                         "' left unquantized: " + reason,
                     true);
    sites.push_back({consumer, use, layout});
  };

  root->walk([&](Operation *op) {
    if (auto tosa = tosaWeight(op)) {
      trace(op, op->getOpOperand(tosa->first), tosa->second);
      return;
    }
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
        (!linalg::isaContractionOpInterface(linalgOp) &&
         !linalg::isaConvolutionOpInterface(linalgOp)))
      return;
    // The weight is the last input that is (or comes from) a constant: a
    // matmul's B before its A, a convolution's filter before its input.
    // Without one, the last input is the candidate (and is reported).
    SmallVector<OpOperand *> inputs = linalgOp.getDpsInputOperands();
    OpOperand *weight = nullptr;
    for (OpOperand *w : llvm::reverse(inputs)) {
      WeightLayout probe;
      Value source = w->get();
      while (!matchPattern(source, m_Constant()) &&
             !source.getDefiningOp<FakeQuantOp>()) {
        std::optional<Value> next = stepBack(source, probe);
        if (!next)
          break;
        source = *next;
      }
      if (matchPattern(source, m_Constant()) ||
          source.getDefiningOp<FakeQuantOp>()) {
        weight = w;
        break;
      }
    }
    if (!weight)
      weight = inputs.back();
    auto type = dyn_cast<RankedTensorType>(weight->get().getType());
    if (!type || !type.hasStaticShape())
      return skipped(op, "operand " + Twine(weight->getOperandNumber()) +
                             " is not a statically shaped tensor", false);
    std::optional<WeightLayout> layout = layoutFromMaps(linalgOp, *weight);
    if (!layout)
      return skipped(op, "operand " + Twine(weight->getOperandNumber()) +
                             ": no output-channel axis in its indexing map",
                     false);
    trace(op, *weight, *layout);
  });
  return sites;
}
