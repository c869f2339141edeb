//===- LayerAnalysis.cpp - A weight's layer as a matrix product -----------===//

#include "LayerAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace mlir::adaround;
using namespace mlir::adaround::learn;

namespace {

/// Gram matrices are K x K per input group: beyond this they stop fitting.
constexpr int64_t kMaxColumns = 8192;
constexpr int64_t kMaxMomentElements = int64_t(1) << 28;

/// A linalg.generic that only moves elements: one input, yielded as is,
/// every map a permutation (a transpose, or a copy).
bool isPermutingCopy(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 0)
    return false;
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  return yield.getNumOperands() == 1 &&
         yield.getOperand(0) == op.getBody()->getArgument(0) &&
         llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isPermutation(); });
}

/// For a reshape whose result indices determine its source indices linearly
/// (an expansion, or a collapse of groups with at most one non-unit
/// dimension), the map from result to source indices.
FailureOr<AffineMap> reshapeIndexMap(Operation *op) {
  MLIRContext *ctx = op->getContext();
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    ArrayRef<int64_t> shape = expand.getResultType().getShape();
    SmallVector<AffineExpr> exprs;
    for (ReassociationIndices group : expand.getReassociationIndices()) {
      AffineExpr e = getAffineConstantExpr(0, ctx);
      for (int64_t j : group)
        e = e * shape[j] + getAffineDimExpr(j, ctx);
      exprs.push_back(e);
    }
    return AffineMap::get(shape.size(), 0, exprs, ctx);
  }
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
    ArrayRef<int64_t> source = collapse.getSrcType().getShape();
    SmallVector<AffineExpr> exprs(source.size(), getAffineConstantExpr(0, ctx));
    for (auto [j, group] : llvm::enumerate(collapse.getReassociationIndices())) {
      if (llvm::count_if(group, [&](int64_t s) { return source[s] != 1; }) > 1)
        return failure();
      for (int64_t s : group)
        if (source[s] != 1)
          exprs[s] = getAffineDimExpr(j, ctx);
    }
    return AffineMap::get(collapse.getResultType().getRank(), 0, exprs, ctx);
  }
  return failure();
}

/// Whether the body is `out + a * b` with {a, b} the two inputs, in f32.
bool isMultiplyAccumulate(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return false;
  Block *body = op.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (yield.getNumOperands() != 1 || body->getOperations().size() != 3)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || !add.getType().isF32())
    return false;
  Value out = body->getArgument(2);
  Value product = add.getLhs() == out ? add.getRhs() : add.getLhs();
  if (add.getLhs() != out && add.getRhs() != out)
    return false;
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return false;
  Value a = body->getArgument(0), b = body->getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

/// `expr` as sum_l coefficients[l] * d_l + constant, or failure when it is
/// not linear in the dimensions (mod, floordiv, symbols).
LogicalResult linearize(AffineExpr expr, int64_t multiplier,
                        SmallVectorImpl<int64_t> &coefficients,
                        int64_t &constant) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
    coefficients[dim.getPosition()] += multiplier;
    return success();
  }
  if (auto value = dyn_cast<AffineConstantExpr>(expr)) {
    constant += multiplier * value.getValue();
    return success();
  }
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return failure();
  if (binary.getKind() == AffineExprKind::Add)
    return success(
        succeeded(linearize(binary.getLHS(), multiplier, coefficients,
                            constant)) &&
        succeeded(linearize(binary.getRHS(), multiplier, coefficients,
                            constant)));
  if (binary.getKind() != AffineExprKind::Mul)
    return failure();
  if (auto factor = dyn_cast<AffineConstantExpr>(binary.getRHS()))
    return linearize(binary.getLHS(), multiplier * factor.getValue(),
                     coefficients, constant);
  if (auto factor = dyn_cast<AffineConstantExpr>(binary.getLHS()))
    return linearize(binary.getRHS(), multiplier * factor.getValue(),
                     coefficients, constant);
  return failure();
}

SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// base + sum_l i_l * coefficient[l] for every point of the loops `loops`
/// (row-major: the first loop varies slowest).
std::vector<int64_t> offsets(ArrayRef<unsigned> loops,
                             ArrayRef<int64_t> ranges,
                             ArrayRef<int64_t> coefficient, int64_t base = 0) {
  std::vector<int64_t> out{base};
  for (unsigned loop : loops) {
    std::vector<int64_t> next;
    next.reserve(out.size() * ranges[loop]);
    for (int64_t o : out)
      for (int64_t i = 0; i < ranges[loop]; ++i)
        next.push_back(o + i * coefficient[loop]);
    out = std::move(next);
  }
  return out;
}

} // namespace

FailureOr<LayerGeometry> mlir::adaround::learn::analyzeLayer(
    Value weight, std::string &whyNot) {
  auto fail = [&](const Twine &why) {
    whyNot = why.str();
    return failure();
  };
  auto weightType = cast<RankedTensorType>(weight.getType());
  // Follow permuting copies; `toWeight` maps the current value's indices to
  // the weight's.
  AffineMap toWeight =
      AffineMap::getMultiDimIdentityMap(weightType.getRank(), weight.getContext());
  Value current = weight;
  while (true) {
    if (!current.hasOneUse())
      return fail("its value has " +
                  Twine(std::distance(current.use_begin(), current.use_end())) +
                  " users, not one layer");
    OpOperand &use = *current.use_begin();
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(use.getOwner())) {
      FailureOr<AffineMap> toSource = reshapeIndexMap(use.getOwner());
      if (failed(toSource))
        return fail("a reshape merges several non-unit weight dimensions");
      toWeight = toWeight.compose(*toSource);
      current = use.getOwner()->getResult(0);
      continue;
    }
    auto generic = dyn_cast<linalg::GenericOp>(use.getOwner());
    if (!generic)
      return fail("it is used by '" + use.getOwner()->getName().getStringRef() +
                  "', not by a contraction or convolution");
    if (isPermutingCopy(generic)) {
      AffineMap in = generic.getIndexingMapsArray()[0];
      AffineMap out = generic.getIndexingMapsArray()[1];
      toWeight = toWeight.compose(in.compose(inversePermutation(out)));
      current = generic.getResult(0);
      continue;
    }
    if (!isMultiplyAccumulate(generic))
      return fail("its user is not a multiply-accumulate over two f32 inputs "
                  "(a matmul or convolution)");
    unsigned weightOperand = use.getOperandNumber();
    LayerGeometry geometry;
    geometry.layer = generic;
    geometry.inputOperand = 1 - weightOperand;

    SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return fail("the layer has dynamic loop ranges");
    auto inputType =
        dyn_cast<RankedTensorType>(generic->getOperand(geometry.inputOperand).getType());
    if (!inputType || !inputType.hasStaticShape() ||
        !inputType.getElementType().isF32())
      return fail("the layer's input is not a static f32 tensor");
    geometry.inputElements = inputType.getNumElements();

    AffineMap weightMap =
        toWeight.compose(generic.getMatchingIndexingMap(&use));
    AffineMap inputMap = generic.getIndexingMapsArray()[geometry.inputOperand];
    AffineMap outputMap = generic.getIndexingMapsArray()[2];
    unsigned numLoops = ranges.size();
    SmallVector<utils::IteratorType> iterators =
        generic.getIteratorTypesArray();
    // The weight's flat offset, linear in the loops.
    SmallVector<int64_t> weightCoefficient(numLoops, 0);
    SmallVector<int64_t> weightStrides = rowMajorStrides(weightType.getShape());
    for (auto [j, expr] : llvm::enumerate(weightMap.getResults())) {
      SmallVector<int64_t> coefficients(numLoops, 0);
      int64_t constant = 0;
      if (failed(linearize(expr, 1, coefficients, constant)) || constant != 0)
        return fail("the layer reads the weight through a non-linear index");
      for (unsigned l = 0; l < numLoops; ++l)
        weightCoefficient[l] += coefficients[l] * weightStrides[j];
    }
    SmallVector<bool> inWeight(numLoops, false);
    for (unsigned l = 0; l < numLoops; ++l)
      inWeight[l] = weightCoefficient[l] != 0;

    // The input's flat offset, linear in the loops.
    SmallVector<int64_t> inputCoefficient(numLoops, 0);
    SmallVector<int64_t> inputStrides = rowMajorStrides(inputType.getShape());
    int64_t inputBase = 0;
    SmallVector<bool> inInput(numLoops, false);
    for (auto [d, expr] : llvm::enumerate(inputMap.getResults())) {
      SmallVector<int64_t> coefficients(numLoops, 0);
      int64_t constant = 0;
      if (failed(linearize(expr, 1, coefficients, constant)))
        return fail("the layer reads its input through a non-linear index");
      int64_t low = constant, high = constant;
      for (unsigned l = 0; l < numLoops; ++l) {
        int64_t reach = coefficients[l] * (ranges[l] - 1);
        (reach < 0 ? low : high) += reach;
        inputCoefficient[l] += coefficients[l] * inputStrides[d];
        inInput[l] = inInput[l] || coefficients[l] != 0;
      }
      if (low < 0 || high >= inputType.getDimSize(d))
        return fail("the layer reads its input out of bounds");
      inputBase += constant * inputStrides[d];
    }

    SmallVector<unsigned> channelLoops, groupLoops, columnLoops, positionLoops;
    for (unsigned l = 0; l < numLoops; ++l) {
      bool parallel = iterators[l] == utils::IteratorType::parallel;
      if (parallel && !outputMap.isFunctionOfDim(l))
        return fail("a parallel loop of the layer is missing from its output");
      if (!parallel && !inWeight[l] && ranges[l] != 1)
        return fail("the layer reduces along a loop the weight does not "
                    "vary along");
      if (parallel && inWeight[l]) {
        channelLoops.push_back(l);
        if (inInput[l])
          groupLoops.push_back(l);
      } else if (!parallel) {
        columnLoops.push_back(l);
      } else {
        positionLoops.push_back(l);
      }
    }

    SmallVector<int64_t> groupStride(numLoops, 0);
    int64_t groups = 1;
    for (unsigned l : llvm::reverse(groupLoops)) {
      groupStride[l] = groups;
      groups *= ranges[l];
    }
    int64_t columns = 1;
    for (unsigned l : columnLoops)
      columns *= ranges[l];
    if (columns > kMaxColumns ||
        groups > kMaxMomentElements / (columns * columns))
      return fail("its reduction length " + Twine(columns) + " (x " +
                  Twine(groups) + " input groups) is too large for Gram "
                  "matrices");

    std::vector<int64_t> weightRow =
        offsets(channelLoops, ranges, weightCoefficient);
    std::vector<int64_t> weightColumn =
        offsets(columnLoops, ranges, weightCoefficient);
    geometry.rows = weightRow.size();
    geometry.columns = weightColumn.size();
    if (geometry.rows * geometry.columns != weightType.getNumElements())
      return fail("the layer does not read every weight element once");
    geometry.weightIndex.reserve(geometry.rows * geometry.columns);
    std::vector<bool> seen(weightType.getNumElements(), false);
    for (int64_t row : weightRow)
      for (int64_t column : weightColumn) {
        int64_t index = row + column;
        if (index < 0 || index >= weightType.getNumElements() || seen[index])
          return fail("the layer does not read every weight element once");
        seen[index] = true;
        geometry.weightIndex.push_back(index);
      }
    geometry.rowGroup = offsets(channelLoops, ranges, groupStride);
    geometry.groupOffset = offsets(groupLoops, ranges, inputCoefficient);
    geometry.positionOffset =
        offsets(positionLoops, ranges, inputCoefficient, inputBase);
    geometry.columnOffset = offsets(columnLoops, ranges, inputCoefficient);
    return geometry;
  }
}
