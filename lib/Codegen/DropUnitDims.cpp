//===- DropUnitDims.cpp - Unit-extent loops away, where it is safe --------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDDROPUNITDIMS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

/// Loops of `op` that no indexing map uses inside a compound expression.
SmallVector<unsigned> loopsUsedPlainly(linalg::GenericOp op) {
  llvm::SmallBitVector compound(op.getNumLoops());
  for (AffineMap map : op.getIndexingMapsArray())
    for (AffineExpr result : map.getResults())
      if (!isa<AffineDimExpr, AffineConstantExpr>(result))
        result.walk([&](AffineExpr e) {
          if (auto dim = dyn_cast<AffineDimExpr>(e))
            compound.set(dim.getPosition());
        });
  SmallVector<unsigned> loops;
  for (unsigned i = 0; i < op.getNumLoops(); ++i)
    if (!compound.test(i))
      loops.push_back(i);
  return loops;
}

struct DropUnitDimsPass
    : adaround::impl::AdaroundDropUnitDimsBase<DropUnitDimsPass> {
  void runOnOperation() override {
    linalg::ControlDropUnitDims options;
    linalg::ControlDropUnitDims::ControlFnTy upstream = options.controlFn;
    options.controlFn = [upstream](Operation *op) {
      if (auto generic = dyn_cast<linalg::GenericOp>(op))
        return loopsUsedPlainly(generic);
      return upstream(op);
    };
    RewritePatternSet patterns(&getContext());
    linalg::populateFoldUnitExtentDimsPatterns(patterns, options);
    linalg::populateMoveInitOperandsToInputPattern(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
