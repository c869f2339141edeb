//===- AdaroundToLinalg.cpp - adaround.fake_quant to linalg ---------------===//

#include "adaround/Conversion/AdaroundToLinalg/AdaroundToLinalg.h"

#include "adaround/Conversion/Passes.h"
#include "adaround/Dialect/Adaround/IR/Adaround.h"
#include "adaround/Numerics/Rounding.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_CONVERTADAROUNDTOLINALG
#include "adaround/Conversion/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;
using namespace mlir::adaround;

namespace {

/// Emits the arithmetic of adaround/Numerics/Rounding.h as arith/math ops.
struct ArithDomain {
  using Value = mlir::Value;
  OpBuilder &b;
  Location loc;

  Value constant(float c) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(c));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value neg(Value x) { return arith::NegFOp::create(b, loc, x); }
  Value floor(Value x) { return math::FloorOp::create(b, loc, x); }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  // Ordered compares are false for NaN, so NaN passes through as torch.clamp
  // lets it.
  Value clamp(Value x, Value lo, Value hi) {
    Value below =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, lo);
    Value above =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, hi);
    Value upper = arith::SelectOp::create(b, loc, above, hi, x);
    return arith::SelectOp::create(b, loc, below, lo, upper);
  }
};

/// How the tensor is viewed by the kernel: the fewest loop dimensions in
/// which the parameter blocks are a projection. Each dimension is first split
/// into (number of blocks, block extent), dropping unit parts; then adjacent
/// parts of the same kind (block index or position inside a block) merge.
struct LoopView {
  SmallVector<int64_t> splitShape;
  SmallVector<ReassociationIndices> splitOfDim;
  SmallVector<int64_t> loopShape;
  SmallVector<bool> loopIndexesBlocks;
  SmallVector<ReassociationIndices> splitOfLoop;

  LoopView(ArrayRef<int64_t> shape, const QuantGrid &grid) {
    SmallVector<bool> splitIndexesBlocks;
    for (size_t i = 0; i < shape.size(); ++i) {
      ReassociationIndices parts;
      auto addPart = [&](int64_t size, bool indexesBlocks) {
        parts.push_back(splitShape.size());
        splitShape.push_back(size);
        splitIndexesBlocks.push_back(indexesBlocks);
      };
      if (grid.gridShape[i] > 1)
        addPart(grid.gridShape[i], true);
      if (grid.blockSizes[i] > 1 || parts.empty())
        addPart(grid.blockSizes[i], false);
      splitOfDim.push_back(parts);
    }
    // Unit parts join any group; a group takes the kind of its first
    // non-unit part.
    SmallVector<std::optional<bool>> kinds;
    for (size_t j = 0; j < splitShape.size(); ++j) {
      bool unit = splitShape[j] == 1;
      if (splitOfLoop.empty() ||
          (!unit && kinds.back() && *kinds.back() != splitIndexesBlocks[j])) {
        splitOfLoop.emplace_back();
        kinds.emplace_back();
        loopShape.push_back(1);
      }
      splitOfLoop.back().push_back(j);
      loopShape.back() *= splitShape[j];
      if (!unit)
        kinds.back() = splitIndexesBlocks[j];
    }
    for (std::optional<bool> kind : kinds)
      loopIndexesBlocks.push_back(kind.value_or(false));
  }

  SmallVector<int64_t> blockTensorShape() const {
    SmallVector<int64_t> result;
    for (auto [size, indexesBlocks] : llvm::zip(loopShape, loopIndexesBlocks))
      if (indexesBlocks)
        result.push_back(size);
    return result;
  }

  bool needsSplit() const { return splitShape.size() != splitOfDim.size(); }
  bool needsMerge() const { return loopShape.size() != splitShape.size(); }

  Value toLoopView(OpBuilder &b, Location loc, Value tensor) const {
    auto type = cast<RankedTensorType>(tensor.getType());
    if (needsSplit())
      tensor = tensor::ExpandShapeOp::create(
          b, loc, type.clone(splitShape), tensor, splitOfDim);
    if (needsMerge())
      tensor = tensor::CollapseShapeOp::create(b, loc, tensor, splitOfLoop);
    return tensor;
  }

  Value fromLoopView(OpBuilder &b, Location loc, Value tensor,
                     RankedTensorType resultType) const {
    auto type = cast<RankedTensorType>(tensor.getType());
    if (needsMerge())
      tensor = tensor::ExpandShapeOp::create(
          b, loc, type.clone(splitShape), tensor, splitOfLoop);
    if (needsSplit())
      tensor = tensor::CollapseShapeOp::create(b, loc, resultType, tensor,
                                               splitOfDim);
    return tensor;
  }

  /// Indexing map of a tensor holding one value per block.
  AffineMap blockMap(MLIRContext *ctx) const {
    SmallVector<AffineExpr> results;
    for (auto [dim, indexesBlocks] : llvm::enumerate(loopIndexesBlocks))
      if (indexesBlocks)
        results.push_back(getAffineDimExpr(dim, ctx));
    return AffineMap::get(loopShape.size(), 0, results, ctx);
  }
};

/// `v` with the loop view's shape, without copying its values.
FailureOr<ElementsAttr> reshapeElements(ElementsAttr attr,
                                        RankedTensorType type) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return cast<ElementsAttr>(dense.reshape(type));
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return cast<ElementsAttr>(
        DenseResourceElementsAttr::get(type, resource.getRawHandle()));
  return failure();
}

/// The hard rounding decisions [V >= 0] as 0/1 bytes, in a dense_resource blob
/// when `v` was one (large weights), else inline.
ElementsAttr decisionsAttr(ElementsAttr v, ArrayRef<float> values,
                           RankedTensorType type) {
  if (isa<DenseResourceElementsAttr>(v)) {
    AsmResourceBlob blob = HeapAsmResourceBlob::allocate(
        values.size(), alignof(int8_t), /*dataIsMutable=*/true);
    MutableArrayRef<char> bytes = blob.getMutableData();
    for (size_t i = 0; i < values.size(); ++i)
      bytes[i] = numerics::roundsUp(values[i]) ? 1 : 0;
    return cast<ElementsAttr>(DenseI8ResourceElementsAttr::get(
        type, "adaround_decisions", std::move(blob)));
  }
  SmallVector<int8_t> bytes(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    bytes[i] = numerics::roundsUp(values[i]) ? 1 : 0;
  return DenseElementsAttr::get(type, ArrayRef<int8_t>(bytes));
}

LogicalResult lowerFakeQuant(RewriterBase &rewriter, FakeQuantOp op,
                             function_ref<LogicalResult(const Twine &)> fail) {
  if (!op.isCalibrated())
    return fail("is not calibrated (no 'v'); run --adaround-calibrate first");
  auto type = cast<RankedTensorType>(op.getInput().getType());
  if (type.getNumElements() == 0) {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
  FailureOr<QuantGrid> grid = QuantGrid::get(
      *op.getQtype(), type.getShape(), [&] { return op.emitOpError(); });
  if (failed(grid))
    return failure();

  MLIRContext *ctx = rewriter.getContext();
  Location loc = op.getLoc();
  LoopView view(type.getShape(), *grid);
  auto loopType = type.clone(view.loopShape);
  bool hard = op.getRounding() == RoundingMode::hard;

  ElementsAttr v = *op.getV();
  ElementsAttr offsets;
  if (hard) {
    SmallVector<float> storage;
    std::optional<ArrayRef<float>> values = getF32Values(v, storage);
    if (!values)
      return fail("cannot read the values of attribute 'v' (elided or "
                  "missing resource blob)");
    offsets = decisionsAttr(v, *values,
                            loopType.clone(rewriter.getIntegerType(8)));
  } else {
    FailureOr<ElementsAttr> reshaped = reshapeElements(v, loopType);
    if (failed(reshaped))
      return fail("cannot lower attribute 'v': expected dense or "
                  "dense_resource elements");
    offsets = *reshaped;
  }

  rewriter.setInsertionPoint(op);
  Value input = view.toLoopView(rewriter, loc, op.getInput());
  Value offsetTensor = arith::ConstantOp::create(rewriter, loc, offsets);
  SmallVector<Value> inputs = {input, offsetTensor};
  AffineMap identity = rewriter.getMultiDimIdentityMap(view.loopShape.size());
  SmallVector<AffineMap> maps = {identity, identity};

  // Scales (and zero points unless uniform) vary per block: constants
  // broadcast through the block map. Otherwise they are body constants.
  auto blockType = RankedTensorType::get(view.blockTensorShape(),
                                         rewriter.getF32Type());
  bool scalePerBlock = !grid->isPerTensor();
  bool zeroPointPerBlock = !grid->hasUniformZeroPoint();
  if (scalePerBlock) {
    inputs.push_back(arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(blockType, ArrayRef<float>(grid->scales))));
    maps.push_back(view.blockMap(ctx));
  }
  if (zeroPointPerBlock) {
    SmallVector<float> zeroPoints(grid->zeroPoints.begin(),
                                  grid->zeroPoints.end());
    inputs.push_back(arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(blockType, ArrayRef<float>(zeroPoints))));
    maps.push_back(view.blockMap(ctx));
  }
  maps.push_back(identity);
  Value init = tensor::EmptyOp::create(rewriter, loc, view.loopShape,
                                       type.getElementType());
  SmallVector<utils::IteratorType> iterators(view.loopShape.size(),
                                             utils::IteratorType::parallel);

  float zeta = op.getZeta().convertToFloat();
  float gamma = op.getGamma().convertToFloat();
  float uniformScale = grid->scales.front();
  float uniformZeroPoint = static_cast<float>(grid->zeroPoints.front());
  auto generic = linalg::GenericOp::create(
      rewriter, loc, loopType, inputs, init, maps, iterators,
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        ArithDomain d{b, bodyLoc};
        unsigned next = 2;
        Value scale = scalePerBlock ? args[next++] : d.constant(uniformScale);
        Value zeroPoint =
            zeroPointPerBlock ? args[next++] : d.constant(uniformZeroPoint);
        Value h = hard ? arith::UIToFPOp::create(b, bodyLoc, b.getF32Type(),
                                                 args[1])
                             .getResult()
                       : numerics::softOffset(d, args[1], d.constant(zeta),
                                              d.constant(gamma));
        Value y = numerics::fakeQuantize(
            d, args[0], scale, zeroPoint, h,
            d.constant(static_cast<float>(grid->qmin)),
            d.constant(static_cast<float>(grid->qmax)));
        linalg::YieldOp::create(b, bodyLoc, y);
      });
  rewriter.replaceOp(op,
                     view.fromLoopView(rewriter, loc, generic.getResult(0), type));
  return success();
}

struct FakeQuantToLinalgPattern : OpRewritePattern<FakeQuantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FakeQuantOp op,
                                PatternRewriter &rewriter) const override {
    return lowerFakeQuant(rewriter, op, [&](const Twine &reason) {
      return rewriter.notifyMatchFailure(op, reason);
    });
  }
};

struct ConvertAdaroundToLinalgPass
    : mlir::adaround::impl::ConvertAdaroundToLinalgBase<ConvertAdaroundToLinalgPass> {
  void runOnOperation() override {
    SmallVector<FakeQuantOp> ops;
    getOperation()->walk([&](FakeQuantOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    bool failed = false;
    for (FakeQuantOp op : ops)
      failed |= mlir::failed(lowerFakeQuantToLinalg(rewriter, op));
    if (failed)
      signalPassFailure();
  }
};

} // namespace

LogicalResult mlir::adaround::lowerFakeQuantToLinalg(RewriterBase &rewriter,
                                                     FakeQuantOp op) {
  return lowerFakeQuant(rewriter, op, [&](const Twine &reason) {
    return op.emitOpError(reason);
  });
}

void mlir::adaround::populateAdaroundToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<FakeQuantToLinalgPattern>(patterns.getContext());
}
