//===- AdaroundToLinalg.cpp - adaround.fake_quant to linalg ---------------===//

#include "adaround/Conversion/AdaroundToLinalg/AdaroundToLinalg.h"

#include "adaround/Conversion/Passes.h"
#include "adaround/Dialect/Adaround/IR/Adaround.h"
#include "adaround/Numerics/Rounding.h"
#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#include <cstring>

namespace mlir::adaround {
#define GEN_PASS_DEF_CONVERTADAROUNDTOLINALG
#include "adaround/Conversion/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;
using namespace mlir::adaround;

namespace {

/// The hard rounding decisions [V >= 0] as 0/1 bytes: a splat stays a
/// splat (never expanded), a dense_resource V gives a dense_resource blob.
/// Fails when the values of `v` are unavailable.
FailureOr<ElementsAttr> decisionsAttr(ElementsAttr v, RankedTensorType type) {
  if (auto dense = dyn_cast<DenseFPElementsAttr>(v); dense && dense.isSplat())
    return cast<ElementsAttr>(DenseElementsAttr::get(
        type, static_cast<int8_t>(
                  numerics::roundsUp(dense.getSplatValue<float>()) ? 1 : 0)));
  SmallVector<float> storage;
  std::optional<ArrayRef<float>> values = getF32Values(v, storage);
  if (!values)
    return failure();
  return makeElementsAttr(type, isa<DenseResourceElementsAttr>(v),
                          "adaround_decisions", values->size(),
                          [&](MutableArrayRef<char> bytes) {
                            for (size_t i = 0; i < values->size(); ++i)
                              bytes[i] = numerics::roundsUp((*values)[i]) ? 1 : 0;
                          });
}

/// The soft rounding offsets h(V), computed once here (V is a constant of
/// the op) instead of per element at run time: the kernel reads h and needs
/// neither `exp` nor the sigmoid's division, which bounded it. A splat stays
/// a splat, a dense_resource V gives a dense_resource blob. Fails when the
/// values of `v` are unavailable.
FailureOr<ElementsAttr> softOffsetsAttr(ElementsAttr v, RankedTensorType type,
                                        float zeta, float gamma) {
  if (auto dense = dyn_cast<DenseFPElementsAttr>(v); dense && dense.isSplat())
    return cast<ElementsAttr>(DenseElementsAttr::get(
        type, numerics::softOffset(dense.getSplatValue<float>(), zeta, gamma)));
  SmallVector<float> storage;
  std::optional<ArrayRef<float>> values = getF32Values(v, storage);
  if (!values)
    return failure();
  return makeElementsAttr(
      type, isa<DenseResourceElementsAttr>(v), "adaround_soft_offsets",
      values->size() * sizeof(float), [&](MutableArrayRef<char> bytes) {
        for (size_t i = 0; i < values->size(); ++i) {
          float h = numerics::softOffset((*values)[i], zeta, gamma);
          std::memcpy(bytes.data() + i * sizeof(float), &h, sizeof(float));
        }
      });
}

LogicalResult lowerFakeQuant(RewriterBase &rewriter, FakeQuantOp op,
                             function_ref<LogicalResult(const Twine &)> fail) {
  if (!op.isCalibrated())
    return fail("is not calibrated (no 'v'); run --adaround-calibrate first");
  auto type = cast<RankedTensorType>(op.getInput().getType());
  // Blobs are checked here, not at translation: the error names the op.
  auto incomplete = [](Attribute attr) {
    auto resource = dyn_cast_if_present<DenseResourceElementsAttr>(attr);
    return resource && !hasCompleteBlob(resource);
  };
  if (incomplete(*op.getV()))
    return fail("attribute 'v' refers to a resource blob that is missing, "
                "elided or of the wrong size");
  ElementsAttr weights;
  if (matchPattern(op.getInput(), m_Constant(&weights)) &&
      incomplete(weights))
    return fail("input refers to a resource blob that is missing, elided or "
                "of the wrong size");
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
  float zeta = op.getZeta().convertToFloat();
  float gamma = op.getGamma().convertToFloat();
  ElementsAttr offsets;
  if (hard) {
    FailureOr<ElementsAttr> decisions =
        decisionsAttr(v, loopType.clone(rewriter.getIntegerType(8)));
    if (failed(decisions))
      return fail("cannot read the values of attribute 'v' (elided or "
                  "missing resource blob)");
    offsets = *decisions;
  } else {
    FailureOr<ElementsAttr> soft =
        softOffsetsAttr(v, loopType.clone(rewriter.getF32Type()), zeta, gamma);
    if (failed(soft))
      return fail("cannot read the values of attribute 'v' (elided or "
                  "missing resource blob)");
    offsets = *soft;
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
  // An empty tensor of the loop shape: through the reshapes around the
  // kernel, adaround-reshape-into-destination and empty-tensor elimination
  // turn it into the destination buffer.
  Value init = tensor::EmptyOp::create(rewriter, loc, view.loopShape,
                                       type.getElementType());
  SmallVector<utils::IteratorType> iterators(view.loopShape.size(),
                                             utils::IteratorType::parallel);

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
                       : args[1];
        Value y = numerics::fakeQuantize(
            d, toF32(b, bodyLoc, args[0]), scale, zeroPoint, h,
            d.constant(static_cast<float>(grid->qmin)),
            d.constant(static_cast<float>(grid->qmax)));
        linalg::YieldOp::create(
            b, bodyLoc, fromF32(b, bodyLoc, y, type.getElementType()));
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
    : mlir::adaround::impl::ConvertAdaroundToLinalgBase<
          ConvertAdaroundToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<FakeQuantOp> ops;
    getOperation()->walk([&](FakeQuantOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    bool failed = false;
    for (FakeQuantOp op : ops)
      failed |= mlir::failed(lowerFakeQuantToLinalg(rewriter, op));
    if (failed)
      return signalPassFailure();
    if (!lowerDequantize)
      return;
    RewritePatternSet patterns(&getContext());
    populateQuantDequantizeToLinalgPatterns(patterns);
    // One walk, no folding: the output stays what the patterns wrote.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
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
