//===- VectorizeElementwise.cpp - Tile, peel and vectorize ----------------===//
//
// The kernels of fake quantization are elementwise linalg.generic ops. This
// pass gives them the shape a CPU wants: the innermost loop strides by one
// vector, the partial last vector is peeled off so that the steady state runs
// unmasked, and the remainder is vectorized with masks.
//
//===----------------------------------------------------------------------===//

#include "adaround/Codegen/Passes.h"
#include "adaround/Support/CheckedOptions.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDVECTORIZEELEMENTWISE
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

/// Sub-byte integers sit one per byte in memory, but a vector of them is
/// bit-packed: vector loads would read the wrong bits.
bool hasSubByteOperands(linalg::LinalgOp op) {
  return llvm::any_of(op->getOperandTypes(), [](Type type) {
    Type element = getElementTypeOrSelf(type);
    return element.isInteger() && element.getIntOrFloatBitWidth() % 8 != 0;
  });
}

/// Whether every indexing map is a projected permutation and every result
/// depends on every parallel loop. A constant result (`(d0, d1) -> (0)`)
/// crashes partial-reduction tiling upstream, and a parallel loop missing
/// from a result makes the vectorizer build an invalid reduction: such ops
/// stay scalar loops.
bool readsByProjection(linalg::LinalgOp op) {
  if (!llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
        return map.isProjectedPermutation();
      }))
    return false;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  return llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    for (auto [loop, iterator] : llvm::enumerate(iterators))
      if (iterator == utils::IteratorType::parallel &&
          !map.isFunctionOfDim(loop))
        return false;
    return true;
  });
}

bool isElementwiseOnTensors(linalg::GenericOp op) {
  return op.hasPureTensorSemantics() && !hasSubByteOperands(op) &&
         readsByProjection(op) &&
         op.getNumParallelLoops() == op.getNumLoops() && op.getNumLoops() > 0 &&
         !op.hasDynamicShape();
}

/// Whether the body reads its loop indices (`linalg.index`), as packed
/// levels unpacked by position do. Partial-reduction tiling does not offset
/// those indices into the tile, so such reductions stay whole.
bool hasIndexSemantics(linalg::GenericOp op) {
  return !op.getBody()->getOps<linalg::IndexOp>().empty();
}

/// A static reduction whose innermost loop reduces, with at least one
/// parallel loop: a matvec or matmul with dequantization fused into it
/// (packed levels add reduction loops: runs, slot, byte in run).
bool isInnerReductionOnTensors(linalg::GenericOp op) {
  // Partial sums need one combining op per step (upstream's tiling reports
  // an error on any other body: `acc + a + b`, say).
  SmallVector<Operation *> combiner;
  if (op.getNumDpsInits() != 1 ||
      !matchReduction(op.getRegionOutputArgs(), 0, combiner) ||
      combiner.size() != 1)
    return false;
  return op.hasPureTensorSemantics() && !hasSubByteOperands(op) &&
         op.getNumParallelLoops() > 0 && op.getNumReductionLoops() > 0 &&
         op.getIteratorTypesArray().back() == utils::IteratorType::reduction &&
         !op.hasDynamicShape() && readsByProjection(op) &&
         !hasIndexSemantics(op);
}

/// Vectors of partial sums a reduction keeps: enough independent additions
/// to hide the latency of one (4 cycles, 2 per cycle on current x86).
constexpr int64_t kAccumulators = 4;

/// The most rows of a batch (Y = X W^T for M rows of X) tiled together:
/// each stretch of W is then loaded and converted once for all of them,
/// into one vector of partial sums per row, which must fit the vector
/// registers.
constexpr int64_t kMaxBatchRows = 16;

/// Unit attribute on the tiles of a batched reduction (partial sums, their
/// initial values and merges): vectorized although larger than isSmallTile
/// allows, up to kMaxBatchRows vectors.
constexpr StringLiteral kBatchTileAttr = "adaround.batch_tile";

/// Outer reduction loops of at most this many steps are unrolled: the
/// slots of a byte of packed levels (8 for 1-bit levels).
constexpr int64_t kMaxUnrolledSteps = 8;

/// Unit attribute on the merges of partial sums, whose vectorized sum
/// becomes a tree (see sumAsTree).
constexpr StringLiteral kPartialSumMergeAttr = "adaround.partial_sum_merge";

/// Iterations of `op`, counting a dynamic loop as `dynamicRange`; INT64_MAX
/// on overflow.
int64_t iterationVolume(linalg::LinalgOp op, int64_t dynamicRange) {
  int64_t volume = 1;
  for (int64_t range : op.getStaticLoopRanges())
    if (llvm::MulOverflow(
            volume, ShapedType::isDynamic(range) ? dynamicRange : range,
            volume))
      return std::numeric_limits<int64_t>::max();
  return volume;
}

/// Iteration volume small enough to become a handful of vector registers.
bool isSmallTile(linalg::LinalgOp op, int64_t vectorWidth) {
  return iterationVolume(op, vectorWidth) <= kAccumulators * vectorWidth;
}

/// Kernels with fewer iterations than this stay on one thread: forking costs
/// microseconds, about what 2^15 elements take.
constexpr int64_t kMinParallelVolume = int64_t(1) << 15;

/// Tiles `op` as `options` say and replaces it by the loops. The outermost
/// loop, over a parallel dimension when `parallel`, is marked for
/// adaround-parallelize-loops if `op` is worth several threads.
FailureOr<scf::SCFTilingResult> tileInPlace(RewriterBase &rewriter,
                                            linalg::LinalgOp op,
                                            const scf::SCFTilingOptions &options,
                                            bool parallel = false) {
  bool manyThreads = iterationVolume(op, 1) >= kMinParallelVolume;
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return failure();
  if (parallel && manyThreads && !tiled->loops.empty())
    tiled->loops.front()->setAttr(adaround::kParallelLoopAttr,
                                  rewriter.getUnitAttr());
  rewriter.replaceOp(op, tiled->replacements);
  return tiled;
}

/// The loops of `iterator` type that the weight does not depend on: the
/// largest input of integer levels (baked), else the largest input (a float
/// weight); none if no input has a static shape.
SmallVector<unsigned> loopsNotReadingWeight(linalg::GenericOp op,
                                            utils::IteratorType iterator) {
  OpOperand *weight = nullptr;
  std::pair<bool, int64_t> largest = {false, 0};
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto type = dyn_cast<ShapedType>(input->get().getType());
    if (!type || !type.hasStaticShape())
      continue;
    std::pair<bool, int64_t> size = {type.getElementType().isInteger(),
                                     type.getNumElements()};
    if (size > largest) {
      largest = size;
      weight = input;
    }
  }
  if (!weight)
    return {};
  AffineMap map = op.getMatchingIndexingMap(weight);
  SmallVector<unsigned> loops;
  for (auto [loop, type] : llvm::enumerate(op.getIteratorTypesArray()))
    if (type == iterator && !map.isFunctionOfDim(loop))
      loops.push_back(loop);
  return loops;
}

/// The parallel loops the weight does not depend on, if their iterations
/// multiply to 2..kMaxBatchRows: the rows of a batch.
SmallVector<unsigned> batchDims(linalg::GenericOp op) {
  SmallVector<unsigned> dims =
      loopsNotReadingWeight(op, utils::IteratorType::parallel);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t rows = 1;
  for (unsigned loop : dims)
    rows *= ranges[loop];
  if (rows < 2 || rows > kMaxBatchRows)
    return {};
  return dims;
}

/// The reduction loops the weight does not depend on, but the innermost
/// (which is vectorized): the slots of a byte of packed levels stored in
/// runs, each byte read once for all of them. (Levels packed element by
/// element have their slot loop innermost: none then.)
SmallVector<unsigned> slotDims(linalg::GenericOp op) {
  SmallVector<unsigned> slots =
      loopsNotReadingWeight(op, utils::IteratorType::reduction);
  if (!slots.empty() && slots.back() == op.getNumLoops() - 1)
    slots.pop_back();
  return slots;
}

/// Iterations of `loops` in `op`.
int64_t iterations(linalg::GenericOp op, ArrayRef<unsigned> loops) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t product = 1;
  for (unsigned loop : loops)
    product *= ranges[loop];
  return product;
}

/// Lets the multiply and add that accumulate a product into the output of
/// `op` fuse (fast-math `contract`): one FMA per element where the target
/// has it. The sum is reordered by the tiling anyway, and a fused multiply-add
/// only drops the product's rounding.
void contractAccumulation(linalg::GenericOp op) {
  Block *body = op.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  for (auto [value, output] :
       llvm::zip(yield.getValues(), op.getRegionOutputArgs())) {
    auto add = value.getDefiningOp<arith::AddFOp>();
    if (!add)
      continue;
    Value product = add.getLhs() == output   ? add.getRhs()
                    : add.getRhs() == output ? add.getLhs()
                                             : Value();
    auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
    if (!mul || !mul->hasOneUse() || mul->getBlock() != body)
      continue;
    add.setFastmath(add.getFastmath() | arith::FastMathFlags::contract);
    mul.setFastmath(mul.getFastmath() | arith::FastMathFlags::contract);
  }
}

/// Rewrites the vectorized merge of partial sums, an ordered sum that
/// includes the innermost dimension (a chain of as many dependent additions
/// as there are partial sums), as a tree: halves of the innermost dimension
/// added while its length is even, so that the chain is log2 as long.
void sumAsTree(RewriterBase &rewriter, vector::MultiDimReductionOp sum) {
  VectorType type = sum.getSourceVectorType();
  int64_t inner = type.getRank() - 1;
  if (sum.getKind() != vector::CombiningKind::ADD ||
      !isa<FloatType>(type.getElementType()) || type.isScalable() ||
      !llvm::is_contained(sum.getReductionDims(), inner))
    return;
  rewriter.setInsertionPoint(sum);
  Value partials = sum.getSource();
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<int64_t> strides(shape.size(), 1);
  while (shape.back() > 1 && shape.back() % 2 == 0) {
    shape.back() /= 2;
    SmallVector<int64_t> offsets(shape.size(), 0);
    Value low = vector::ExtractStridedSliceOp::create(
        rewriter, sum.getLoc(), partials, offsets, shape, strides);
    offsets.back() = shape.back();
    Value high = vector::ExtractStridedSliceOp::create(
        rewriter, sum.getLoc(), partials, offsets, shape, strides);
    partials = arith::AddFOp::create(rewriter, sum.getLoc(), low, high);
  }
  if (partials == sum.getSource())
    return;
  rewriter.modifyOpInPlace(sum,
                           [&] { sum.getSourceMutable().assign(partials); });
}

/// Bytes of a batch's input (f32) one pass over the weight reads: they stay
/// in the L1 cache while the weight rows stream past. Unblocked, 4 rows of
/// 4096 are 64 KB, read again for every weight row from L2, whose
/// bandwidth then bounds the loop.
constexpr int64_t kBatchBlockBytes = 32 * 1024;

/// The fewest reduction elements per row a block may have: each block of
/// each row ends in a merge of its partial sums and an update of the output
/// (about a hundred instructions for 16 rows), which 1024 elements keep
/// under a tenth of the work. A batch too large for that is not blocked.
constexpr int64_t kMinBlockElements = 1024;

/// The outermost reduction loop of `op` and the steps of it per block for
/// a batch of `batchRows` rows, so that each block of the batch's input fits
/// kBatchBlockBytes; none when the input fits or no block divides the loop.
std::optional<std::pair<unsigned, int64_t>>
reductionBlock(linalg::GenericOp op, int64_t batchRows, int64_t vectorWidth) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned outer = llvm::find(iterators, utils::IteratorType::reduction) -
                   iterators.begin();
  int64_t inner = 1;
  for (unsigned loop = outer + 1; loop < ranges.size(); ++loop)
    if (iterators[loop] == utils::IteratorType::reduction)
      inner *= ranges[loop];
  int64_t block = kBatchBlockBytes / (batchRows * inner * 4);
  if (block >= ranges[outer])
    return std::nullopt;
  // Blocks of whole vectors: each block would otherwise end in a peeled
  // partial vector.
  while (block > 1 &&
         (ranges[outer] % block != 0 || block * inner % vectorWidth != 0))
    --block;
  if (block * inner < kMinBlockElements)
    return std::nullopt;
  return std::make_pair(outer, block);
}

/// For a batch of `batchRows` rows, tiles the sum into reductionBlock's
/// blocks: the sums then run block by block, each adding into the output.
/// Returns the op to tile further (`op` itself when there are no blocks).
linalg::GenericOp blockReduction(RewriterBase &rewriter, linalg::GenericOp op,
                                 int64_t batchRows, int64_t vectorWidth) {
  std::optional<std::pair<unsigned, int64_t>> blocking =
      reductionBlock(op, batchRows, vectorWidth);
  if (!blocking)
    return op;
  auto [outer, block] = *blocking;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<OpFoldResult> tiles(ranges.size(), rewriter.getIndexAttr(0));
  tiles[outer] = rewriter.getIndexAttr(block);
  scf::SCFTilingOptions options;
  options.setTileSizes(tiles);
  FailureOr<scf::SCFTilingResult> blocks = tileInPlace(rewriter, op, options);
  if (failed(blocks))
    return op;
  return cast<linalg::GenericOp>(blocks->tiledOps.back());
}

/// A batch of this many rows or more is summed in blocks of kRegisterBlock
/// rows of the batch by kRegisterBlock rows of the weight: each input vector
/// loaded then serves kRegisterBlock weight rows (16 rows of 4096 are
/// 256 KB, read from L2 for every weight row otherwise) and each converted
/// weight vector kRegisterBlock input rows; the block's partial sums fill
/// the vector registers (kMaxBatchRows).
constexpr int64_t kRegisterBlock = 4;

/// A batch of packed levels that cannot be blocked that way (its rows or
/// the weight's are not multiples of kRegisterBlock) is summed this many
/// rows at a time instead, where each part can be blocked in L1 as a small
/// batch is (the weight is streamed once per part).
constexpr int64_t kPackedBatchRows = 8;

/// A matvec whose input is larger than kBatchBlockBytes sums this many
/// weight rows per input load (or kRegisterBlock where this many do not
/// divide the rows): its input does not stay in L1 beside the streaming
/// weight, so each input vector read from L2 should serve several rows
/// (i8 at 4096x11008: one row 2.3 ms, 4 rows 1.5-2.0 ms, 8 rows 1.2-1.3 ms
/// once their prefetches share one distance, see PrefetchStreams; an input
/// that fits is better read once per row: 4 rows at once made 11008x4096
/// 1.7x slower).
constexpr int64_t kLongInputWeightRows = 8;

/// The weight rows summed together in one block: the parallel loop over them
/// (the innermost one the weight depends on) and the rows per block. For a
/// batch along the single loop `batch` (at least kRegisterBlock rows),
/// kRegisterBlock of them, when kRegisterBlock divides both; without a batch
/// (a matvec), kLongInputWeightRows (else kRegisterBlock) for an input larger
/// than kBatchBlockBytes.
/// A matvec of packed levels keeps a vector of partial sums per row and slot
/// (see tileInnerReduction), so its blocks have at most kMaxBatchRows / slots
/// rows. A batch of packed levels takes one slot at a time, in the same
/// kRegisterBlock x kRegisterBlock blocks as other batches: with slots whole
/// its blocks would have one or two weight rows, each input vector then read
/// from L2 once or twice per FMA (i2 at 4x4096x11008: 5.9 ms, against 2.5
/// ms one slot at a time). Other sums over several loops (convolutions) are
/// not blocked.
std::optional<std::pair<unsigned, int64_t>>
weightRowsToBlock(linalg::GenericOp op, ArrayRef<unsigned> batch,
                  ArrayRef<unsigned> slotLoops) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t slots = iterations(op, slotLoops);
  bool packed = slots > 1;
  if (batch.size() > 1 || (op.getNumReductionLoops() > 1 && !packed))
    return std::nullopt;
  if (batch.size() == 1 && (ranges[batch[0]] < kRegisterBlock ||
                            ranges[batch[0]] % kRegisterBlock != 0))
    return std::nullopt;
  SmallVector<unsigned> reductions;
  op.getReductionDims(reductions);
  if (batch.empty() && iterations(op, reductions) <= kBatchBlockBytes / 4)
    return std::nullopt; // the f32 input fits beside the weight
  SmallVector<int64_t> blocks = {kRegisterBlock};
  if (batch.empty())
    blocks.insert(blocks.begin(), kLongInputWeightRows);
  // Partial sums per weight row: a batch's rows (one slot at a time), or a
  // matvec's slots (taken whole).
  int64_t sumsPerRow = batch.empty() ? slots : kRegisterBlock;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned loop = op.getNumLoops(); loop-- > 0;) {
    if (iterators[loop] != utils::IteratorType::parallel ||
        llvm::is_contained(batch, loop))
      continue;
    for (int64_t rows : blocks)
      if (ranges[loop] % rows == 0 && rows * sumsPerRow <= kMaxBatchRows)
        return std::make_pair(loop, rows);
    return std::nullopt;
  }
  return std::nullopt;
}

/// Rows one at a time (a small batch of rows at once, in blocks of the
/// reduction; a larger one in blocks of rows of both), and along each row a
/// vector of partial sums accumulated over the whole reduction (outer
/// reduction loops one step at a time, the innermost by vectors) and merged
/// once at the end: the inner step is elementwise and vectorizes like any
/// other kernel.
void tileInnerReduction(RewriterBase &rewriter, linalg::GenericOp op,
                        int64_t vectorWidth) {
  if (op.getStaticLoopRanges().back() < vectorWidth)
    return;
  SmallVector<unsigned> batch = batchDims(op);
  int64_t batchRows = iterations(op, batch);
  // On the whole op: a tile of a float weight's rows can be smaller than the
  // input, and be taken for it.
  SmallVector<unsigned> slots = slotDims(op);
  // Decided once, on the whole op: neither the parts nor the blocks below
  // change a range it reads (they come only with a batch, and leave the
  // weight's rows whole).
  std::optional<std::pair<unsigned, int64_t>> weightRows =
      weightRowsToBlock(op, batch, slots);
  // Packed levels without register blocks: a larger batch in parts of
  // kPackedBatchRows rows, when such a part is summed in blocks (otherwise
  // the parts would only stream the weight more often).
  if (!weightRows && op.getNumReductionLoops() > 1 && batch.size() == 1 &&
      batchRows > kPackedBatchRows && batchRows % kPackedBatchRows == 0 &&
      reductionBlock(op, kPackedBatchRows, vectorWidth)) {
    SmallVector<OpFoldResult> parts(op.getNumLoops(), rewriter.getIndexAttr(0));
    parts[batch[0]] = rewriter.getIndexAttr(kPackedBatchRows);
    scf::SCFTilingOptions options;
    options.setTileSizes(parts);
    FailureOr<scf::SCFTilingResult> part = tileInPlace(rewriter, op, options);
    if (failed(part))
      return;
    op = cast<linalg::GenericOp>(part->tiledOps.back());
    batchRows = kPackedBatchRows;
  }
  // A batch of kRegisterBlock rows summed in register blocks reads each
  // input vector once per kRegisterBlock weight rows, so its input may come
  // from L2: blocking the sum for L1 would only cut the weight's streams
  // into short runs (688 bytes of i4 at K = 11008), which made i8 at
  // 4x4096x11008 2.7x slower.
  bool inputFromL2 = batchRows == kRegisterBlock && weightRows.has_value();
  if (batchRows > 1 && !inputFromL2)
    op = blockReduction(rewriter, op, batchRows, vectorWidth);
  unsigned loops = op.getNumLoops();
  int64_t reductionRange = op.getStaticLoopRanges().back();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> reductionDims;
  for (unsigned loop = 0; loop < loops; ++loop)
    if (iterators[loop] == utils::IteratorType::reduction)
      reductionDims.push_back(loop);
  // Every parallel loop one step at a time, but the rows of a batch whole,
  // or a block of them and of the weight's rows, with the weight's outermost
  // (each weight row is read from memory once).
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<OpFoldResult> rowTiles(loops, rewriter.getIndexAttr(0));
  for (unsigned loop = 0; loop < loops; ++loop)
    if (iterators[loop] == utils::IteratorType::parallel)
      rowTiles[loop] = rewriter.getIndexAttr(1);
  for (unsigned loop : batch)
    rowTiles[loop] = rewriter.getIndexAttr(ranges[loop]);
  scf::SCFTilingOptions rowOptions;
  if (weightRows) {
    auto [weightLoop, blockRows] = *weightRows;
    for (unsigned loop : batch)
      rowTiles[loop] = rewriter.getIndexAttr(kRegisterBlock);
    rowTiles[weightLoop] = rewriter.getIndexAttr(blockRows);
    batchRows = blockRows * (batch.empty() ? 1 : kRegisterBlock);
    SmallVector<int64_t> order = {weightLoop};
    for (unsigned loop = 0; loop < loops; ++loop)
      if (loop != weightLoop)
        order.push_back(loop);
    rowOptions.setInterchange(order);
  }
  rowOptions.setTileSizes(rowTiles);
  FailureOr<scf::SCFTilingResult> rows =
      tileInPlace(rewriter, op, rowOptions, /*parallel=*/true);
  if (failed(rows))
    return;
  auto row = dyn_cast<linalg::GenericOp>(rows->tiledOps.back());
  if (!row)
    return;
  // Along the row, partial sums in up to kAccumulators vectors along the
  // innermost loop (independent chains of additions, so that the loop is
  // not bound by one chain's latency), as many as divide it evenly; outer
  // reduction loops step one at a time, so that what they index (the slot
  // of a packed level) is uniform across the vectors. But a matvec's block
  // of weight rows of packed levels takes the slots whole: each byte is then
  // read and widened once for all of them, not once per slot, its slots kept
  // in separate partial sums (i4 at 4096x11008: 1.27 -> 0.77 ms).
  SmallVector<unsigned> wholeSlots;
  if (weightRows && batch.empty())
    wholeSlots = slots;
  int64_t sumsPerStep = batchRows * iterations(row, wholeSlots);
  auto fits = [&](int64_t factor) {
    return sumsPerStep * factor <= kMaxBatchRows &&
           factor * vectorWidth <= reductionRange;
  };
  int64_t innerFactor = kAccumulators;
  while (innerFactor > 1 &&
         (reductionRange % (innerFactor * vectorWidth) != 0 ||
          !fits(innerFactor)))
    innerFactor /= 2;
  // A range that no two vectors divide (a row of 2000 bytes of packed
  // levels) would leave one chain of additions, bound by its latency: it
  // takes as many vectors per step as fit, and ends in a remainder tile.
  if (innerFactor == 1)
    for (int64_t factor = kAccumulators; factor > 1 && innerFactor == 1;
         factor /= 2)
      if (fits(factor))
        innerFactor = factor;
  SmallVector<OpFoldResult> partialTiles(loops, rewriter.getIndexAttr(0));
  for (unsigned loop : reductionDims)
    partialTiles[loop] = rewriter.getIndexAttr(1);
  for (unsigned loop : wholeSlots)
    partialTiles[loop] = rewriter.getIndexAttr(row.getStaticLoopRanges()[loop]);
  partialTiles.back() = rewriter.getIndexAttr(innerFactor * vectorWidth);
  scf::SCFTilingOptions partialOptions;
  partialOptions.setTileSizes(partialTiles);
  partialOptions.setReductionTilingStrategy(
      ReductionTilingStrategy::PartialReductionOuterReduction);
  partialOptions.setReductionDims(reductionDims);
  FailureOr<scf::SCFTilingResult> partial =
      tileInPlace(rewriter, row, partialOptions);
  if (failed(partial))
    return;
  for (Operation *tile : partial->tiledOps)
    if (auto generic = dyn_cast<linalg::GenericOp>(tile))
      contractAccumulation(generic);
  for (Operation *merge : partial->mergeOps)
    merge->setAttr(kPartialSumMergeAttr, rewriter.getUnitAttr());
  if (sumsPerStep > 1) {
    SmallVector<Operation *> tiles(partial->tiledOps);
    llvm::append_range(tiles, partial->mergeOps);
    for (Value initial : partial->initialValues)
      if (Operation *fill = initial.getDefiningOp())
        tiles.push_back(fill);
    for (Operation *tile : tiles)
      tile->setAttr(kBatchTileAttr, rewriter.getUnitAttr());
  }
  // Full steps in the steady state, then the remainder tile.
  if (reductionRange % (innerFactor * vectorWidth) != 0 &&
      !partial->loops.empty()) {
    auto inner = cast<scf::ForOp>(partial->loops.back().getOperation());
    scf::ForOp remainder;
    (void)scf::peelForLoopAndSimplifyBounds(rewriter, inner, remainder);
  }
  // Outer reduction loops of a few steps (the slots of packed levels)
  // unrolled, innermost first: what they index becomes a constant (a slot's
  // shift an immediate), whatever the backend decides to unroll. With packed
  // levels, the loop along a run's bytes too (4 steps of 16): the backend
  // then schedules a run's loads and lookups together (whole slots: 0.90 ->
  // 0.77 ms), and the partial sums stay in registers across the loop over
  // runs (a batch's 4 x 4 block stored all 16 to memory after each slot's
  // loop).
  ArrayRef<LoopLikeOpInterface> unrolled(partial->loops);
  if (slots.empty() && !unrolled.empty())
    unrolled = unrolled.drop_back();
  for (LoopLikeOpInterface loop : llvm::reverse(unrolled)) {
    auto outer = dyn_cast<scf::ForOp>(loop.getOperation());
    std::optional<APInt> trips = loop.getStaticTripCount();
    if (outer && trips && trips->ule(kMaxUnrolledSteps))
      (void)loopUnrollFull(outer);
  }
}

/// Whether every operand is read in loop order (each indexing map lists loop
/// dimensions in increasing order, without constants). The masked
/// vectorization of a dynamic tile builds wrong masks for transposed or
/// broadcast reads (a `vector.mask` that fails to verify), so tiles read
/// otherwise stay scalar loops: they are remainders shorter than a vector.
bool readsInLoopOrder(linalg::LinalgOp op) {
  return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
    int64_t previous = -1;
    for (AffineExpr result : map.getResults()) {
      auto dim = dyn_cast<AffineDimExpr>(result);
      if (!dim || static_cast<int64_t>(dim.getPosition()) <= previous)
        return false;
      previous = dim.getPosition();
    }
    return true;
  });
}

/// transpose(broadcast(x)), where the transpose keeps in place leading
/// dimensions that the broadcast adds (the rows of a batch), becomes
/// broadcast(transpose(broadcast(x))), those dimensions added last. The
/// weight of a batch, read once for all its rows but widened across the
/// slots of its bytes, is then unpacked before it meets the rows, not once
/// per row: sinking elementwise ops past broadcasts needs the broadcast
/// outermost.
struct HoistBroadcastRowsOutOfTranspose
    : OpRewritePattern<vector::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransposeOp transpose,
                                PatternRewriter &rewriter) const override {
    auto broadcast = transpose.getVector().getDefiningOp<vector::BroadcastOp>();
    auto source = broadcast ? dyn_cast<VectorType>(broadcast.getSourceType())
                            : VectorType();
    VectorType type = transpose.getResultVectorType();
    if (!source || type.isScalable())
      return failure();
    ArrayRef<int64_t> permutation = transpose.getPermutation();
    int64_t added = type.getRank() - source.getRank();
    int64_t rows = 0;
    while (rows < added && permutation[rows] == rows)
      ++rows;
    if (rows == 0)
      return failure();
    ArrayRef<int64_t> shape = broadcast.getResultVectorType().getShape();
    auto inner = VectorType::get(shape.drop_front(rows), type.getElementType());
    SmallVector<int64_t> innerPermutation;
    for (int64_t dim : permutation.drop_front(rows))
      innerPermutation.push_back(dim - rows);
    Location loc = transpose.getLoc();
    Value widened = vector::BroadcastOp::create(rewriter, loc, inner,
                                                broadcast.getSource());
    Value permuted =
        vector::TransposeOp::create(rewriter, loc, widened, innerPermutation);
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(transpose, type, permuted);
    return success();
  }
};

/// An elementwise op whose vector operands are all broadcasts (or splat
/// constants) adding the same leading dimensions, from sources of different
/// shapes (a batch's unpacked weight and a slot's shifts): the op runs
/// before those dimensions are added, once, not once per row. (Upstream's
/// sinking wants sources of one type.)
struct SinkElementwiseBeforeBroadcastRows
    : OpTraitRewritePattern<OpTrait::Elementwise> {
  using OpTraitRewritePattern::OpTraitRewritePattern;

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || op->getNumRegions() != 0 ||
        op->getNumOperands() == 0)
      return failure();
    auto type = dyn_cast<VectorType>(op->getResult(0).getType());
    if (!type || type.isScalable())
      return failure();
    // The leading dimensions every broadcast adds.
    int64_t rows = type.getRank();
    for (Value operand : op->getOperands()) {
      if (auto broadcast = operand.getDefiningOp<vector::BroadcastOp>()) {
        auto source = dyn_cast<VectorType>(broadcast.getSourceType());
        rows = std::min<int64_t>(rows, type.getRank() -
                                           (source ? source.getRank() : 0));
        continue;
      }
      SplatElementsAttr splat;
      if (!matchPattern(operand, m_Constant(&splat)))
        return failure();
    }
    if (rows == 0 || rows == type.getRank())
      return failure();
    ArrayRef<int64_t> inner = type.getShape().drop_front(rows);
    Location loc = op->getLoc();
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      Type element = getElementTypeOrSelf(operand.getType());
      auto innerType = VectorType::get(inner, element);
      SplatElementsAttr splat;
      if (matchPattern(operand, m_Constant(&splat))) {
        operands.push_back(arith::ConstantOp::create(
            rewriter, loc, innerType,
            SplatElementsAttr::get(innerType,
                                   splat.getSplatValue<Attribute>())));
        continue;
      }
      Value source = operand.getDefiningOp<vector::BroadcastOp>().getSource();
      operands.push_back(
          source.getType() == innerType
              ? source
              : vector::BroadcastOp::create(rewriter, loc, innerType, source)
                    .getResult());
    }
    Operation *innerOp = rewriter.create(
        loc, op->getName().getIdentifier(), operands,
        {VectorType::get(inner, type.getElementType())}, op->getAttrs());
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(op, type,
                                                     innerOp->getResult(0));
    return success();
  }
};

struct VectorizeElementwisePass
    : adaround::impl::AdaroundVectorizeElementwiseBase<
          VectorizeElementwisePass> {
  using Base::Base;

  std::optional<std::string> optionError() {
    return adaround::checkOptionRange(getArgument(), "vector-width", vectorWidth, 1,
                                      adaround::kMaxVectorWidth);
  }
  ADAROUND_CHECKED_OPTIONS

  void runOnOperation() override {
    if (reportedOptionError())
      return signalPassFailure();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    SmallVector<linalg::GenericOp> kernels, reductions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isElementwiseOnTensors(op))
        kernels.push_back(op);
      else if (isInnerReductionOnTensors(op))
        reductions.push_back(op);
    });
    for (linalg::GenericOp reduction : reductions)
      tileInnerReduction(rewriter, reduction, vectorWidth);

    for (linalg::GenericOp kernel : kernels) {
      SmallVector<int64_t> ranges = kernel.getStaticLoopRanges();
      SmallVector<OpFoldResult> tileSizes(ranges.size(),
                                          rewriter.getIndexAttr(1));
      int64_t innerTile = std::min<int64_t>(vectorWidth, ranges.back());
      tileSizes.back() = rewriter.getIndexAttr(innerTile);
      scf::SCFTilingOptions options;
      options.setTileSizes(tileSizes);
      FailureOr<scf::SCFTilingResult> tiled =
          tileInPlace(rewriter, kernel, options, /*parallel=*/true);
      if (failed(tiled))
        continue;
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

    // The tiles: elementwise tiles, the partial reductions, their
    // accumulators' fills and final merges.
    SmallVector<linalg::LinalgOp> tiles;
    getOperation().walk([&](linalg::LinalgOp op) {
      bool small = isSmallTile(op, vectorWidth) ||
                   (op->hasAttr(kBatchTileAttr) &&
                    iterationVolume(op, vectorWidth) <=
                        kMaxBatchRows * vectorWidth);
      if (op.hasPureTensorSemantics() && !hasSubByteOperands(op) &&
          readsByProjection(op) && small)
        tiles.push_back(op);
    });
    for (linalg::LinalgOp tile : tiles) {
      SmallVector<int64_t> vectorSizes;
      if (tile.hasDynamicShape()) {
        if (!readsInLoopOrder(tile))
          continue;
        // The peeled remainder: masked vectors of the full tile shape (the
        // static loops, the rows of a batch, whole).
        for (int64_t range : tile.getStaticLoopRanges())
          vectorSizes.push_back(ShapedType::isDynamic(range) ? 1 : range);
        vectorSizes.back() = vectorWidth;
      }
      rewriter.setInsertionPoint(tile);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, tile, vectorSizes);
      if (failed(vectorized))
        continue;
      if (tile->hasAttr(kPartialSumMergeAttr))
        for (Value result : vectorized->replacements)
          if (auto write = result.getDefiningOp<vector::TransferWriteOp>())
            if (auto sum = write.getVector()
                               .getDefiningOp<vector::MultiDimReductionOp>())
              sumAsTree(rewriter, sum);
      rewriter.replaceOp(tile, vectorized->replacements);
    }
    // The markers are this pass's own: none leaves it.
    getOperation().walk([](linalg::LinalgOp op) {
      op->removeAttr(kBatchTileAttr);
      op->removeAttr(kPartialSumMergeAttr);
    });

    // A weight read once for the rows of a batch is a broadcasting read:
    // made an explicit broadcast, and moved after the elementwise ops on it,
    // its unpacking happens once, not once per row.
    RewritePatternSet patterns(ctx);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateSinkVectorOpsPatterns(patterns);
    patterns.add<HoistBroadcastRowsOutOfTranspose,
                 SinkElementwiseBeforeBroadcastRows>(ctx);
    vector::BroadcastOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransposeOp::getCanonicalizationPatterns(patterns, ctx);
    vector::ShapeCastOp::getCanonicalizationPatterns(patterns, ctx);
    vector::ExtractOp::getCanonicalizationPatterns(patterns, ctx);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateVectorTransferDropUnitDimsPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
