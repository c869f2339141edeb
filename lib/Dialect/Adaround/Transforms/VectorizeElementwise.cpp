//===- VectorizeElementwise.cpp - Tile, peel and vectorize ----------------===//
//
// The kernels of fake quantization are elementwise linalg.generic ops. This
// pass gives them the shape a CPU wants: the innermost loop strides by one
// vector, the partial last vector is peeled off so that the steady state runs
// unmasked, and the remainder is vectorized with masks.
//
//===----------------------------------------------------------------------===//

#include "adaround/Dialect/Adaround/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDVECTORIZEELEMENTWISE
#include "adaround/Dialect/Adaround/Transforms/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

/// Sub-byte integers sit one per byte in memory, but a vector of them is
/// bit-packed: vector loads would read the wrong bits.
bool hasSubByteOperands(linalg::GenericOp op) {
  return llvm::any_of(op->getOperandTypes(), [](Type type) {
    Type element = getElementTypeOrSelf(type);
    return element.isInteger() && element.getIntOrFloatBitWidth() % 8 != 0;
  });
}

bool isElementwiseOnTensors(linalg::GenericOp op) {
  return op.hasPureTensorSemantics() && !hasSubByteOperands(op) &&
         op.getNumParallelLoops() == op.getNumLoops() && op.getNumLoops() > 0 &&
         !op.hasDynamicShape();
}

struct VectorizeElementwisePass
    : adaround::impl::AdaroundVectorizeElementwiseBase<
          VectorizeElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    if (vectorWidth < 1) {
      getOperation().emitError("adaround-vectorize-elementwise: option "
                               "'vector-width' must be positive, got ")
          << static_cast<int64_t>(vectorWidth);
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    SmallVector<linalg::GenericOp> kernels;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isElementwiseOnTensors(op))
        kernels.push_back(op);
    });

    for (linalg::GenericOp kernel : kernels) {
      SmallVector<int64_t> ranges = kernel.getStaticLoopRanges();
      SmallVector<OpFoldResult> tileSizes(ranges.size(),
                                          rewriter.getIndexAttr(1));
      int64_t innerTile = std::min<int64_t>(vectorWidth, ranges.back());
      tileSizes.back() = rewriter.getIndexAttr(innerTile);
      scf::SCFTilingOptions options;
      options.setTileSizes(tileSizes);
      rewriter.setInsertionPoint(kernel);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(kernel.getOperation()), options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(kernel, tiled->replacements);
      if (tiled->loops.empty() || ranges.back() % innerTile == 0)
        continue;
      auto inner = cast<scf::ForOp>(tiled->loops.back().getOperation());
      scf::ForOp remainder;
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, inner, remainder);
    }

    // Fold the tile-size computations so that full tiles get static shapes.
    {
      RewritePatternSet patterns(ctx);
      linalg::populateLinalgTilingCanonicalizationPatterns(patterns);
      scf::populateSCFForLoopCanonicalizationPatterns(patterns);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }

    SmallVector<linalg::GenericOp> tiles;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.hasPureTensorSemantics() && !hasSubByteOperands(op) &&
          op.getNumParallelLoops() == op.getNumLoops())
        tiles.push_back(op);
    });
    for (linalg::GenericOp tile : tiles) {
      SmallVector<int64_t> vectorSizes;
      if (tile.hasDynamicShape()) {
        // The peeled remainder: masked vectors of the full tile shape.
        SmallVector<int64_t> ranges = tile.getStaticLoopRanges();
        vectorSizes.assign(ranges.size(), 1);
        vectorSizes.back() = vectorWidth;
      }
      rewriter.setInsertionPoint(tile);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, tile, vectorSizes);
      if (succeeded(vectorized))
        rewriter.replaceOp(tile, vectorized->replacements);
    }

    RewritePatternSet patterns(ctx);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateVectorTransferDropUnitDimsPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
