//===- ReshapeIntoDestination.cpp - Write reshaped results in place -------===//
//
// Kernels iterate over a reshaped view of their tensor, so their result
// reaches `bufferization.materialize_in_destination` through
// `tensor.expand_shape` / `tensor.collapse_shape`. Empty-tensor elimination
// does not look through those, and the result would be computed into a new
// buffer and copied. Reshaping the destination memref instead (a view, no
// copy) lets the kernel write straight into it.
//
//===----------------------------------------------------------------------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDRESHAPEINTODESTINATION
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

struct ReshapeIntoDestination
    : OpRewritePattern<bufferization::MaterializeInDestinationOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(bufferization::MaterializeInDestinationOp op,
                                PatternRewriter &rewriter) const override {
    auto dest = dyn_cast<TypedValue<MemRefType>>(op.getDest());
    if (!dest || !dest.getType().getLayout().isIdentity())
      return rewriter.notifyMatchFailure(op, "needs an identity-layout memref");
    Location loc = op.getLoc();
    Value source, view;
    if (auto expand = op.getSource().getDefiningOp<tensor::ExpandShapeOp>()) {
      source = expand.getSrc();
      view = memref::CollapseShapeOp::create(rewriter, loc, dest,
                                             expand.getReassociationIndices());
    } else if (auto collapse =
                   op.getSource().getDefiningOp<tensor::CollapseShapeOp>()) {
      source = collapse.getSrc();
      auto srcType = collapse.getSrcType();
      view = memref::ExpandShapeOp::create(
          rewriter, loc, srcType.getShape(), dest,
          collapse.getReassociationIndices());
    } else {
      return rewriter.notifyMatchFailure(op, "source is not a reshape");
    }
    auto replacement = bufferization::MaterializeInDestinationOp::create(
        rewriter, loc, Type(), source, view, op.getRestrict(),
        op.getWritable());
    (void)replacement;
    rewriter.eraseOp(op);
    return success();
  }
};

struct ReshapeIntoDestinationPass
    : adaround::impl::AdaroundReshapeIntoDestinationBase<
          ReshapeIntoDestinationPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ReshapeIntoDestination>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
