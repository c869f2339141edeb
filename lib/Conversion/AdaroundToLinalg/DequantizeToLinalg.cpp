//===- DequantizeToLinalg.cpp - Integer levels to f32 in one kernel -------===//
//
// Baked weights are integer levels plus a !quant.uniform type. Upstream
// --lower-quant-ops lowers per-tensor dequantization to tensor arith, which
// the canonicalizer folds straight back into f32 constants: the integer
// weights would never reach the binary. Here dequantization is one
// linalg.generic over the levels (unpacking sub-byte storage in the same
// loop), which nothing folds.
//
//===----------------------------------------------------------------------===//

#include "adaround/Conversion/AdaroundToLinalg/AdaroundToLinalg.h"

#include "KernelBuilder.h"
#include "adaround/Dialect/Adaround/IR/Adaround.h"
#include "adaround/Numerics/Rounding.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"

using namespace mlir;
using namespace mlir::adaround;

/// Whether the kernel splits its innermost loop, `run` elements merged over
/// rows of `row` (a per-tensor grid merges the whole tensor into one), back
/// into its rows: when the rows are long enough for vector loops and whole
/// bytes of packed levels. The bytes are then laid out row by row, and the
/// kernel, iterating over rows, fuses into a consumer that does (a matvec;
/// over the merged loop it would not, and the f32 weight would be built on
/// every call). Shorter rows stay merged, so that a kernel left on its own
/// still runs long vector loops.
static bool splitsIntoRows(int64_t run, bool runIndexesBlocks, int64_t row,
                           int64_t valuesPerByte) {
  return !runIndexesBlocks && row >= kPackedRunBytes && run > row &&
         run % row == 0 && row % valuesPerByte == 0;
}

int64_t mlir::adaround::packingRun(ArrayRef<int64_t> shape,
                                   const QuantGrid &grid,
                                   unsigned valuesPerByte) {
  LoopView view(shape, grid);
  if (view.loopShape.empty())
    return 0;
  int64_t run = view.loopShape.back();
  int64_t row = shape.empty() ? 0 : shape.back();
  return splitsIntoRows(run, view.loopIndexesBlocks.back(), row, valuesPerByte)
             ? row
             : run;
}

bool mlir::adaround::canUnpackInKernel(ArrayRef<int64_t> shape,
                                       const QuantGrid &grid,
                                       unsigned valuesPerByte) {
  int64_t run = packingRun(shape, grid, valuesPerByte);
  return run > 0 && run % valuesPerByte == 0;
}

int64_t mlir::adaround::packedRunBytes(int64_t packingRun,
                                       unsigned valuesPerByte) {
  int64_t k = valuesPerByte;
  return packingRun % (k * kPackedRunBytes) == 0 ? kPackedRunBytes
                                                 : packingRun / k;
}

PackedPosition mlir::adaround::packedPosition(int64_t index,
                                              int64_t packingRun,
                                              unsigned valuesPerByte) {
  int64_t runBytes = packedRunBytes(packingRun, valuesPerByte);
  int64_t runElements = valuesPerByte * runBytes;
  int64_t outer = index / packingRun, t = index % packingRun;
  return {outer * (packingRun / valuesPerByte) + (t / runElements) * runBytes +
              t % runBytes,
          static_cast<unsigned>((t % runElements) / runBytes)};
}

Value mlir::adaround::buildDequantizeKernel(OpBuilder &b, Location loc,
                                            Value levels,
                                            RankedTensorType resultType,
                                            const QuantGrid &grid,
                                            unsigned valuesPerByte) {
  MLIRContext *ctx = b.getContext();
  LoopView view(resultType.getShape(), grid);
  int64_t k = valuesPerByte;

  // The iteration space: the loop view, its innermost dimension split when
  // levels are packed into (runs, slot, byte in run). The slot dimension is
  // the one the bytes do not have.
  SmallVector<int64_t> iterShape(view.loopShape);
  SmallVector<bool> iterIndexesBlocks(view.loopIndexesBlocks);
  unsigned splitDims = k == 1 ? 1 : 3;
  // The innermost loop is first split into rows where packingRun says so.
  int64_t row = resultType.getRank() ? resultType.getShape().back() : 0;
  bool splitRows = splitsIntoRows(iterShape.back(), iterIndexesBlocks.back(),
                                  row, k);
  if (splitRows) {
    int64_t inner = iterShape.pop_back_val();
    iterShape.append({inner / row, row});
    iterIndexesBlocks.push_back(false);
  }
  Value levelTensor;
  if (k == 1) {
    levelTensor = view.toLoopView(b, loc, levels);
    if (splitRows) {
      SmallVector<ReassociationIndices> rows;
      for (int64_t d = 0; d + 2 < static_cast<int64_t>(iterShape.size()); ++d)
        rows.push_back({d});
      rows.push_back({static_cast<int64_t>(iterShape.size()) - 2,
                      static_cast<int64_t>(iterShape.size()) - 1});
      levelTensor = tensor::ExpandShapeOp::create(
          b, loc,
          cast<RankedTensorType>(levelTensor.getType()).clone(iterShape),
          levelTensor, rows);
    }
  } else {
    int64_t inner = iterShape.pop_back_val();
    int64_t runBytes = packedRunBytes(inner, k);
    iterShape.append({inner / (k * runBytes), k, runBytes});
    iterIndexesBlocks.append(splitDims - 1, iterIndexesBlocks.back());
    unsigned slotDim = iterShape.size() - 2;
    SmallVector<int64_t> byteShape;
    for (auto [d, size] : llvm::enumerate(iterShape))
      if (d != slotDim)
        byteShape.push_back(size);
    auto levelsType = cast<RankedTensorType>(levels.getType());
    // Packed bytes are row-major in this order: view them in the iteration
    // space without the slot dimension.
    levelTensor = levels;
    if (byteShape.size() > 1)
      levelTensor = tensor::ExpandShapeOp::create(
          b, loc, levelsType.clone(byteShape), levels,
          SmallVector<ReassociationIndices>{
              llvm::to_vector(llvm::seq<int64_t>(0, byteShape.size()))});
  }

  unsigned rank = iterShape.size();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap levelMap = identity;
  unsigned slotDim = rank - 2;
  if (k > 1)
    levelMap = identity.dropResult(slotDim);
  SmallVector<AffineExpr> blockDims;
  SmallVector<int64_t> blockShape;
  for (unsigned d = 0; d < rank; ++d)
    if (iterIndexesBlocks[d]) {
      blockDims.push_back(getAffineDimExpr(d, ctx));
      blockShape.push_back(iterShape[d]);
    }
  AffineMap blockMap = AffineMap::get(rank, 0, blockDims, ctx);
  auto blockType = RankedTensorType::get(blockShape, b.getF32Type());

  SmallVector<Value> inputs = {levelTensor};
  SmallVector<AffineMap> maps = {levelMap};
  unsigned bits = grid.storageWidth;
  if (k > 1) {
    // Level `slot` of a byte sits in bits [slot * bits, (slot + 1) * bits):
    // shifted left by (8 - bits) - slot * bits it is at the top, and an
    // arithmetic (signed) or logical right shift by 8 - bits brings it down.
    // The amounts are a constant read by slot, not computed from
    // linalg.index, so that the kernel vectorizes along its bytes.
    SmallVector<int8_t> shifts;
    for (int64_t slot = 0; slot < k; ++slot)
      shifts.push_back(static_cast<int8_t>((8 - bits) - slot * bits));
    auto shiftType = RankedTensorType::get({k}, b.getI8Type());
    inputs.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(shiftType, ArrayRef<int8_t>(shifts))));
    maps.push_back(AffineMap::get(rank, 0, getAffineDimExpr(slotDim, ctx)));
  }
  bool scalePerBlock = !grid.isPerTensor();
  bool zeroPointPerBlock = !grid.hasUniformZeroPoint();
  if (scalePerBlock) {
    inputs.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(blockType, ArrayRef<float>(grid.scales))));
    maps.push_back(blockMap);
  }
  if (zeroPointPerBlock) {
    SmallVector<float> zeroPoints(grid.zeroPoints.begin(),
                                  grid.zeroPoints.end());
    inputs.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(blockType, ArrayRef<float>(zeroPoints))));
    maps.push_back(blockMap);
  }
  maps.push_back(identity);
  Type elementType = resultType.getElementType();
  Value init = tensor::EmptyOp::create(b, loc, iterShape, elementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);

  bool isSigned = grid.isSigned;
  float uniformScale = grid.scales.front();
  float uniformZeroPoint = static_cast<float>(grid.zeroPoints.front());
  auto generic = linalg::GenericOp::create(
      b, loc, RankedTensorType::get(iterShape, elementType), inputs, init,
      maps, iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        ArithDomain d{nb, l};
        Value level = args[0];
        unsigned next = 1;
        if (k > 1) {
          Value top = arith::ConstantOp::create(
              nb, l, nb.getI8IntegerAttr(8 - bits));
          Value high = arith::ShLIOp::create(nb, l, level, args[next++]);
          level = isSigned ? arith::ShRSIOp::create(nb, l, high, top).getResult()
                           : arith::ShRUIOp::create(nb, l, high, top).getResult();
        }
        Value asFloat =
            isSigned
                ? arith::SIToFPOp::create(nb, l, nb.getF32Type(), level).getResult()
                : arith::UIToFPOp::create(nb, l, nb.getF32Type(), level).getResult();
        Value scale = scalePerBlock ? args[next++] : d.constant(uniformScale);
        Value zeroPoint =
            zeroPointPerBlock ? args[next++] : d.constant(uniformZeroPoint);
        Value y = numerics::dequantize(d, asFloat, scale, zeroPoint);
        linalg::YieldOp::create(nb, l, fromF32(nb, l, y, elementType));
      });
  Value result = generic.getResult(0);
  if (k > 1 || splitRows) {
    SmallVector<ReassociationIndices> mergeLast;
    unsigned merged = splitDims + (splitRows ? 1 : 0);
    for (unsigned d = 0; d + merged < rank; ++d)
      mergeLast.push_back({d});
    mergeLast.push_back(
        llvm::to_vector(llvm::seq<int64_t>(rank - merged, rank)));
    result = tensor::CollapseShapeOp::create(b, loc, result, mergeLast);
  }
  return view.fromLoopView(b, loc, result, resultType);
}

namespace {
/// quant.dcast of a statically shaped tensor with 2- to 16-bit storage.
struct DequantizeToLinalgPattern : OpRewritePattern<quant::DequantizeCastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(quant::DequantizeCastOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = dyn_cast<RankedTensorType>(op.getInput().getType());
    auto resultType = dyn_cast<RankedTensorType>(op.getResult().getType());
    if (!inputType || !resultType || !inputType.hasStaticShape() ||
        !isa<Float32Type, Float16Type, BFloat16Type>(
            resultType.getElementType()))
      return rewriter.notifyMatchFailure(op,
                                         "not a static f32/f16/bf16 tensor");
    auto quantType = dyn_cast<quant::QuantizedType>(inputType.getElementType());
    if (!quantType || quantType.getStorageTypeIntegralWidth() < 2 ||
        quantType.getStorageTypeIntegralWidth() > 16)
      return rewriter.notifyMatchFailure(op, "storage outside 2-16 bits");
    FailureOr<QuantGrid> grid =
        QuantGrid::get(quantType, inputType.getShape(),
                       [&] { return op.emitOpError(); });
    if (failed(grid))
      return failure();
    Value levels = quant::StorageCastOp::create(
        rewriter, op.getLoc(), inputType.clone(quantType.getStorageType()),
        op.getInput());
    rewriter.replaceOp(op, buildDequantizeKernel(rewriter, op.getLoc(), levels,
                                                 resultType, *grid, 1));
    return success();
  }
};
} // namespace

void mlir::adaround::populateQuantDequantizeToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DequantizeToLinalgPattern>(patterns.getContext());
}
