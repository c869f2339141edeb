//===- HoistVectorTransfers.cpp - Partial sums in registers ---------------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDHOISTVECTORTRANSFERS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {
struct HoistVectorTransfersPass
    : adaround::impl::AdaroundHoistVectorTransfersBase<
          HoistVectorTransfersPass> {
  void runOnOperation() override {
    // Upstream hoisting leaves a buffer alone once any view of it exists (a
    // reduction's remainder tile reads a slice of its partial sums): the
    // views are folded into the accesses first. As upstream's
    // fold-memref-alias-ops, whatever they fold is kept even where the
    // rewrites did not settle within the driver's iteration limit.
    RewritePatternSet patterns(&getContext());
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns));
    linalg::hoistRedundantVectorTransfers(getOperation(),
                                          /*verifyNonZeroTrip=*/true);
  }
};
} // namespace
