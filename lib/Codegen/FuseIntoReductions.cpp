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
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDFUSEINTOREDUCTIONS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {
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
      signalPassFailure();
  }
};
} // namespace
