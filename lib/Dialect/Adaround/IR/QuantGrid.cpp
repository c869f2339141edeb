//===- QuantGrid.cpp - Quantization parameters resolved per block ---------===//

#include "adaround/Dialect/Adaround/IR/QuantGrid.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::adaround;

namespace {
/// Collects scales and zero points of one block, checking each.
struct ParamCollector {
  QuantGrid &grid;
  function_ref<InFlightDiagnostic()> emitError;

  LogicalResult add(double scale, int64_t zeroPoint) {
    // Scales are used as f32: check the value the arithmetic will see.
    float s = static_cast<float>(scale);
    size_t block = grid.scales.size();
    if (!(s > 0.0f) || !std::isfinite(s))
      return emitError() << "attribute 'qtype' has scale " << scale
                         << " at block " << block
                         << " that is not a positive finite f32";
    if (zeroPoint < grid.qmin || zeroPoint > grid.qmax)
      return emitError() << "attribute 'qtype' has zero point " << zeroPoint
                         << " at block " << block << " outside the storage range ["
                         << grid.qmin << ", " << grid.qmax << "]";
    grid.scales.push_back(s);
    grid.zeroPoints.push_back(zeroPoint);
    return success();
  }
};
} // namespace

FailureOr<QuantGrid>
QuantGrid::get(Type qtype, ArrayRef<int64_t> shape,
               function_ref<InFlightDiagnostic()> emitError) {
  auto quantType = dyn_cast<quant::QuantizedType>(qtype);
  if (!quantType || !isa<quant::UniformQuantizedType,
                         quant::UniformQuantizedPerAxisType,
                         quant::UniformQuantizedSubChannelType>(qtype))
    return emitError() << "attribute 'qtype' must be a !quant.uniform type, got "
                       << qtype;

  QuantGrid grid;
  grid.isSigned = quantType.isSigned();
  grid.storageWidth = quantType.getStorageTypeIntegralWidth();
  grid.qmin = quantType.getStorageTypeMin();
  grid.qmax = quantType.getStorageTypeMax();
  if (grid.storageWidth < 2 || grid.storageWidth > 16)
    return emitError() << "attribute 'qtype' has " << grid.storageWidth
                       << "-bit storage; expected 2 to 16 bits";
  if (grid.qmin >= grid.qmax)
    return emitError() << "attribute 'qtype' has an empty storage range ["
                       << grid.qmin << ", " << grid.qmax << "]";

  int64_t rank = shape.size();
  grid.blockSizes.assign(shape.begin(), shape.end());
  ParamCollector collect{grid, emitError};

  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(qtype)) {
    if (failed(collect.add(perTensor.getScale(), perTensor.getZeroPoint())))
      return failure();
  } else if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(qtype)) {
    int64_t axis = perAxis.getQuantizedDimension();
    if (axis < 0 || axis >= rank)
      return emitError() << "attribute 'qtype' has axis " << axis
                         << " out of range for an operand of rank " << rank;
    int64_t count = perAxis.getScales().size();
    if (count != shape[axis])
      return emitError() << "attribute 'qtype' has " << count
                         << " scales for axis " << axis << " of size "
                         << shape[axis];
    grid.blockSizes[axis] = 1;
    for (auto [scale, zp] :
         llvm::zip_equal(perAxis.getScales(), perAxis.getZeroPoints()))
      if (failed(collect.add(scale, zp)))
        return failure();
  } else {
    auto subChannel = cast<quant::UniformQuantizedSubChannelType>(qtype);
    for (auto [axis, block] : llvm::zip_equal(
             subChannel.getQuantizedDimensions(), subChannel.getBlockSizes())) {
      if (axis < 0 || axis >= rank)
        return emitError() << "attribute 'qtype' has axis " << axis
                           << " out of range for an operand of rank " << rank;
      if (block <= 0 || shape[axis] % block != 0)
        return emitError() << "attribute 'qtype' has block size " << block
                           << " that does not divide dimension " << axis
                           << " of size " << shape[axis];
      grid.blockSizes[axis] = block;
    }
    DenseElementsAttr scales = subChannel.getScales();
    DenseElementsAttr zeroPoints = subChannel.getZeroPoints();
    ArrayRef<int64_t> scaleShape = scales.getType().getShape();
    SmallVector<int64_t> expected = gridShapeOf(shape, grid.blockSizes);
    if (scaleShape != ArrayRef<int64_t>(expected)) {
      InFlightDiagnostic diag = emitError();
      diag << "attribute 'qtype' has scales of shape " << scales.getType()
           << " but needs one scale per block: shape [";
      llvm::interleaveComma(expected, diag);
      return diag << "]";
    }
    for (auto [scale, zp] : llvm::zip_equal(scales.getValues<APFloat>(),
                                            zeroPoints.getValues<APInt>())) {
      if (failed(collect.add(scale.convertToDouble(),
                             storedZeroPoint(zp, grid.storageWidth,
                                             grid.isSigned))))
        return failure();
    }
  }

  grid.gridShape = gridShapeOf(shape, grid.blockSizes);
  return grid;
}

int64_t mlir::adaround::storedZeroPoint(const APInt &zeroPoint,
                                        unsigned storageWidth, bool isSigned) {
  uint64_t bits = zeroPoint.getRawData()[0] &
                  llvm::maskTrailingOnes<uint64_t>(storageWidth);
  return isSigned ? llvm::SignExtend64(bits, storageWidth)
                  : static_cast<int64_t>(bits);
}

SmallVector<int64_t> QuantGrid::gridShapeOf(ArrayRef<int64_t> shape,
                                            ArrayRef<int64_t> blockSizes) {
  SmallVector<int64_t> result;
  for (auto [size, block] : llvm::zip_equal(shape, blockSizes))
    result.push_back(block == 0 ? 1 : size / block);
  return result;
}

int64_t QuantGrid::numBlocks() const {
  int64_t blocks = 1;
  for (int64_t g : gridShape)
    blocks *= g;
  return blocks;
}

bool QuantGrid::hasUniformZeroPoint() const {
  return llvm::all_equal(zeroPoints);
}

bool QuantGrid::dequantizesFinitely(int64_t &block) const {
  for (size_t i = 0; i < scales.size(); ++i) {
    float lo = static_cast<float>(qmin - zeroPoints[i]) * scales[i];
    float hi = static_cast<float>(qmax - zeroPoints[i]) * scales[i];
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
      block = i;
      return false;
    }
  }
  return true;
}

BlockCursor::BlockCursor(const QuantGrid &grid, ArrayRef<int64_t> shape,
                         int64_t start)
    : grid(grid), shape(shape), coordinate(shape.size()),
      inBlock(shape.size()), gridStride(shape.size()) {
  int64_t stride = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    gridStride[d] = stride;
    stride *= grid.gridShape[d];
  }
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    coordinate[d] = start % shape[d];
    start /= shape[d];
    inBlock[d] = coordinate[d] % grid.blockSizes[d];
    blockIndex += (coordinate[d] / grid.blockSizes[d]) * gridStride[d];
  }
}

void BlockCursor::next() {
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (++coordinate[d] < shape[d]) {
      if (++inBlock[d] == grid.blockSizes[d]) {
        inBlock[d] = 0;
        blockIndex += gridStride[d];
      }
      return;
    }
    // Wrap this dimension back to its first block.
    blockIndex -= ((shape[d] - 1) / grid.blockSizes[d]) * gridStride[d];
    coordinate[d] = 0;
    inBlock[d] = 0;
  }
}
