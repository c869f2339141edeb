//===- SplitReductions.cpp - More parallel work for reductions with few outputs ===//
//
// On a GPU, one thread per output element leaves a 4096-output matvec with
// 4096 threads, too few to keep the memory busy. A sum over k of f(..., k)
// with too few outputs is split in two ops: partial sums over S chunks of k,
// each chunk its own set of threads, then the sum of the S partials per
// output. The chunk index is the outermost parallel dimension, so that
// neighbouring threads still read neighbouring elements.
//
//===----------------------------------------------------------------------===//

#include "adaround/Codegen/Passes.h"
#include "adaround/Support/CheckedOptions.h"

#include "mlir/Dialect/Linalg/Utils/Utils.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDSPLITREDUCTIONS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

/// Whether `op`'s body is `out + f(inputs)` (f not reading `out`) on f32, its
/// only output: a sum that may be cut into partial sums.
bool isSumIntoOutput(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumResults() != 1 ||
      !isa<RankedTensorType>(op.getResult(0).getType()))
    return false;
  Block *body = op.getBody();
  BlockArgument out = body->getArguments().back();
  auto add = body->getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || !add.getType().isF32() || !out.hasOneUse())
    return false;
  return add.getLhs() == out || add.getRhs() == out;
}

/// The chunk length: the smallest divisor of `size` that makes at most
/// `wanted` chunks, is at least `minChunk` long and leaves at least two
/// chunks; 0 if there is none (e.g. `size` prime).
int64_t chooseChunk(int64_t size, int64_t wanted, int64_t minChunk) {
  int64_t least = std::max(minChunk, llvm::divideCeilSigned(size, wanted));
  for (int64_t chunk = least; chunk <= size / 2; ++chunk)
    if (size % chunk == 0)
      return chunk;
  return 0;
}

/// Splits the single reduction dimension of `op` into chunks of `chunk`:
/// partial[s, outputs...] = sum over the chunk s, then out = init + sum_s.
void split(RewriterBase &rewriter, linalg::GenericOp op, unsigned reduction,
           int64_t chunk, int64_t size) {
  Location loc = op.getLoc();
  MLIRContext *context = op.getContext();
  unsigned rank = op.getNumLoops();
  int64_t chunks = size / chunk;

  // Loops of the partial op: (s, the original loops), with the reduction
  // loop running within one chunk; the original k is s * chunk + k'.
  SmallVector<AffineExpr> substitution;
  for (unsigned d = 0; d < rank; ++d)
    substitution.push_back(getAffineDimExpr(d + 1, context));
  substitution[reduction] = getAffineDimExpr(0, context) * chunk +
                            getAffineDimExpr(reduction + 1, context);
  SmallVector<AffineMap> maps;
  for (OpOperand *input : op.getDpsInputOperands())
    maps.push_back(op.getMatchingIndexingMap(input).replaceDimsAndSymbols(
        substitution, {}, rank + 1, 0));
  // An operand indexed by (s, k') alone, never read: it gives linalg the two
  // loops' ranges, which the other maps only combine (as upstream's
  // splitReductionByScaling does).
  maps.push_back(AffineMap::get(rank + 1, 0,
                                {getAffineDimExpr(0, context),
                                 getAffineDimExpr(reduction + 1, context)},
                                context));
  AffineMap outputMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  SmallVector<AffineExpr> partialResults{getAffineDimExpr(0, context)};
  for (AffineExpr result : outputMap.getResults())
    partialResults.push_back(result.shiftDims(rank, 1));
  maps.push_back(AffineMap::get(rank + 1, 0, partialResults, context));
  SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel};
  llvm::append_range(iterators, op.getIteratorTypesArray());

  auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
  SmallVector<int64_t> partialShape{chunks};
  llvm::append_range(partialShape, resultType.getShape());
  rewriter.setInsertionPoint(op);
  Value empty = tensor::EmptyOp::create(rewriter, loc, partialShape,
                                        resultType.getElementType());
  Value zero = arith::ConstantOp::create(
      rewriter, loc, rewriter.getF32FloatAttr(0.0f));
  Value partialInit =
      linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
  auto rangesType = RankedTensorType::get({chunks, chunk}, rewriter.getI1Type());
  Value ranges = arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(rangesType, false));
  SmallVector<Value> inputs(op.getDpsInputs());
  inputs.push_back(ranges);
  auto partial = linalg::GenericOp::create(
      rewriter, loc, TypeRange{partialInit.getType()}, inputs,
      ValueRange{partialInit}, maps, iterators);
  rewriter.cloneRegionBefore(op.getRegion(), partial.getRegion(),
                             partial.getRegion().end());
  Block *body = partial.getBody();
  body->insertArgument(body->getNumArguments() - 1, rewriter.getI1Type(), loc);
  // linalg.index of the split loop now counts within its chunk.
  partial.getBody()->walk([&](linalg::IndexOp index) {
    rewriter.setInsertionPoint(index);
    int64_t dim = index.getDim();
    if (dim != reduction) {
      rewriter.replaceOpWithNewOp<linalg::IndexOp>(index, dim + 1);
      return;
    }
    Value s = linalg::IndexOp::create(rewriter, index.getLoc(), 0);
    Value k = linalg::IndexOp::create(rewriter, index.getLoc(), dim + 1);
    Value c = arith::ConstantIndexOp::create(rewriter, index.getLoc(), chunk);
    Value start = arith::MulIOp::create(rewriter, index.getLoc(), s, c);
    rewriter.replaceOpWithNewOp<arith::AddIOp>(index, start, k);
  });

  // out = init + the partial sums, in chunk order.
  rewriter.setInsertionPoint(op);
  unsigned outRank = resultType.getRank();
  SmallVector<AffineExpr> combineInput{getAffineDimExpr(outRank, context)};
  for (unsigned d = 0; d < outRank; ++d)
    combineInput.push_back(getAffineDimExpr(d, context));
  SmallVector<AffineMap> combineMaps{
      AffineMap::get(outRank + 1, 0, combineInput, context),
      AffineMap::getMultiDimIdentityMap(outRank + 1, context)
          .getMajorSubMap(outRank)};
  SmallVector<utils::IteratorType> combineIterators(
      outRank, utils::IteratorType::parallel);
  combineIterators.push_back(utils::IteratorType::reduction);
  auto combine = linalg::GenericOp::create(
      rewriter, loc, TypeRange{resultType}, partial.getResult(0),
      op.getDpsInits(), combineMaps, combineIterators,
      [](OpBuilder &b, Location loc, ValueRange args) {
        Value sum = arith::AddFOp::create(b, loc, args[1], args[0]);
        linalg::YieldOp::create(b, loc, sum);
      });
  rewriter.replaceOp(op, combine.getResults());
}

struct SplitReductionsPass
    : adaround::impl::AdaroundSplitReductionsBase<SplitReductionsPass> {
  using Base::Base;

  std::optional<std::string> optionError() {
    if (std::optional<std::string> error = adaround::checkOptionAtLeast(
            getArgument(), "target-threads", targetThreads, 0))
      return error;
    return adaround::checkOptionAtLeast(getArgument(), "min-chunk", minChunk,
                                        1);
  }
  ADAROUND_CHECKED_OPTIONS

  void runOnOperation() override {
    if (reportedOptionError())
      return signalPassFailure();
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.getNumReductionLoops() == 1 && isSumIntoOutput(op))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic))
        continue;
      int64_t outputs = 1;
      unsigned reduction = 0;
      for (auto [dim, iterator] : llvm::enumerate(op.getIteratorTypesArray())) {
        if (iterator == utils::IteratorType::reduction)
          reduction = dim;
        else
          outputs *= ranges[dim];
      }
      if (outputs == 0 || outputs >= targetThreads)
        continue;
      int64_t wanted = llvm::divideCeilSigned(int64_t(targetThreads), outputs);
      if (int64_t chunk = chooseChunk(ranges[reduction], wanted, minChunk))
        split(rewriter, op, reduction, chunk, ranges[reduction]);
    }
  }
};

} // namespace
