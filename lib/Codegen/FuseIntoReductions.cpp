//===- FuseIntoReductions.cpp - Dequantize inside the consuming reduction -===//
//
// A baked weight is dequantized by an elementwise kernel; if that kernel ran
// on its own, the f32 weight would be written and read again, and integer
// weights would cost more memory traffic than f32 ones. Fusing the
// elementwise producer into the reduction that consumes it (a matvec, a
// matmul) reads the integers directly. Chains of elementwise kernels are left
// alone: fusing them buys nothing here and costs time quadratic in the chain.
//
//===----------------------------------------------------------------------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDFUSEINTOREDUCTIONS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

/// In `op`'s body, whether `value` is the same for every iteration of the
/// reduction loops: defined outside the body, or read from an input indexed
/// by parallel loops only.
bool isReductionInvariant(linalg::GenericOp op, Value value) {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg)
    return value.getParentRegion() != &op.getRegion() ||
           matchPattern(value, m_Constant());
  if (arg.getOwner() != op.getBody() ||
      arg.getArgNumber() >= op.getNumDpsInputs())
    return false;
  AffineMap map = op.getMatchingIndexingMap(op.getDpsInputOperand(arg.getArgNumber()));
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (auto [loop, iterator] : llvm::enumerate(iterators))
    if (iterator == utils::IteratorType::reduction && map.isFunctionOfDim(loop))
      return false;
  return true;
}

/// The sum of products a dequantized weight feeds, `acc + (w * s) * x` with
/// a scale `s` that does not vary along the reduction (a per-output-channel
/// or per-tensor scale), computed as `acc + s * sum(w * x)`: one
/// multiplication per row instead of one per weight. The sum starts from
/// zero in a new reduction; an elementwise kernel then scales it and adds it
/// to the original accumulator. Rounding differs from the per-element form
/// by the order of operations only (matmul results are compared within a
/// summation-order tolerance, as with the partial sums).
struct FactorScaleOutOfSum : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
        op.getNumReductionLoops() == 0 || op.getNumResults() != 1)
      return failure();
    AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    if (!outMap.isProjectedPermutation())
      return failure();
    Block *body = op.getBody();
    Value acc = body->getArgument(body->getNumArguments() - 1);
    auto yield = cast<linalg::YieldOp>(body->getTerminator());
    auto sum = yield.getValues().front().getDefiningOp<arith::AddFOp>();
    if (!sum)
      return failure();
    Value product = sum.getLhs() == acc ? sum.getRhs() : sum.getLhs();
    auto mul = product.getDefiningOp<arith::MulFOp>();
    if (!mul || (sum.getLhs() != acc && sum.getRhs() != acc) ||
        !product.hasOneUse())
      return failure();
    // One factor of the product is `weight * scale`.
    for (OpOperand &factor : mul->getOpOperands()) {
      auto scaled = factor.get().getDefiningOp<arith::MulFOp>();
      if (!scaled || !scaled->hasOneUse())
        continue;
      for (unsigned side = 0; side < 2; ++side) {
        Value scale = scaled->getOperand(side);
        Value weight = scaled->getOperand(1 - side);
        if (!isReductionInvariant(op, scale) || isReductionInvariant(op, weight))
          continue;
        rewrite(op, mul, factor.getOperandNumber(), scaled, weight, scale,
                outMap, rewriter);
        return success();
      }
    }
    return failure();
  }

  void rewrite(linalg::GenericOp op, arith::MulFOp mul, unsigned factorIndex,
               arith::MulFOp scaled, Value weight, Value scale,
               AffineMap outMap, PatternRewriter &rewriter) const {
    Location loc = op.getLoc();
    Value init = op.getDpsInitOperand(0)->get();
    auto type = cast<RankedTensorType>(init.getType());
    // The scale's value in the epilogue: an input read by output index, or a
    // value cloned (constant) or captured.
    AffineMap scaleMap;
    Value scaleInput;
    if (auto arg = dyn_cast<BlockArgument>(scale)) {
      OpOperand *operand = op.getDpsInputOperand(arg.getArgNumber());
      scaleInput = operand->get();
      SmallVector<AffineExpr> toOutput(op.getNumLoops(),
                                       rewriter.getAffineConstantExpr(0));
      for (auto [position, result] : llvm::enumerate(outMap.getResults()))
        toOutput[cast<AffineDimExpr>(result).getPosition()] =
            rewriter.getAffineDimExpr(position);
      scaleMap = op.getMatchingIndexingMap(operand).replaceDimsAndSymbols(
          toOutput, {}, outMap.getNumResults(), 0);
    }
    // The sum without the scale, from zero.
    rewriter.modifyOpInPlace(mul, [&] { mul->setOperand(factorIndex, weight); });
    rewriter.eraseOp(scaled);
    rewriter.setInsertionPoint(op);
    Value zero = arith::ConstantOp::create(
        rewriter, loc, rewriter.getZeroAttr(type.getElementType()));
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    Value zeros = linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                         ValueRange{empty})
                      .getResult(0);
    rewriter.modifyOpInPlace(
        op, [&] { op.getDpsInitOperand(0)->set(zeros); });
    rewriter.setInsertionPointAfter(op);
    // acc + scale * sum, elementwise over the output.
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    SmallVector<Value> inputs = {op.getResult(0)};
    SmallVector<AffineMap> maps = {identity};
    if (scaleInput) {
      inputs.push_back(scaleInput);
      maps.push_back(scaleMap);
    }
    maps.push_back(identity);
    SmallVector<utils::IteratorType> parallel(type.getRank(),
                                              utils::IteratorType::parallel);
    Operation *scaleDef = scale.getDefiningOp();
    auto epilogue = linalg::GenericOp::create(
        rewriter, loc, type, inputs, init, maps, parallel,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value s = scaleInput ? args[1]
                    : scaleDef && op->isAncestor(scaleDef)
                        ? b.clone(*scaleDef)->getResult(0)
                        : scale;
          Value scaledSum = arith::MulFOp::create(b, l, args[0], s);
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, args.back(), scaledSum)
                        .getResult());
        });
    rewriter.replaceAllUsesExcept(op.getResult(0), epilogue.getResult(0),
                                  epilogue);
  }
};

struct FuseIntoReductionsPass
    : adaround::impl::AdaroundFuseIntoReductionsBase<FuseIntoReductionsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    auto intoReduction = [](OpOperand *fused) {
      auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
      return consumer && consumer.getNumReductionLoops() > 0 &&
             fused->get().hasOneUse();
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, intoReduction);
    // Packed levels are unpacked over (bytes, levels per byte): the reshape
    // back to the weight's shape moves into the reduction's loops so that the
    // unpacking can fuse too.
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, intoReduction);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // After fusion, so that the scale is inside the reduction to be found.
    RewritePatternSet factor(&getContext());
    factor.add<FactorScaleOutOfSum>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(factor))))
      signalPassFailure();
  }
};
} // namespace
