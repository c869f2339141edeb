//===- KernelBuilder.h - Shared pieces of the elementwise kernels -*- C++ -*-===//
//
// Private to the conversion library: the arith domain the numerics templates
// are instantiated with, and the loop view every kernel iterates over.
//
//===----------------------------------------------------------------------===//

#ifndef ADAROUND_LIB_CONVERSION_KERNELBUILDER_H
#define ADAROUND_LIB_CONVERSION_KERNELBUILDER_H

#include "adaround/Dialect/Adaround/IR/QuantGrid.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

namespace mlir::adaround {

/// Emits the arithmetic of adaround/Numerics/Rounding.h as arith/math ops.
struct ArithDomain {
  using Value = mlir::Value;
  OpBuilder &b;
  Location loc;

  Value constant(float c) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(c));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value neg(Value x) { return arith::NegFOp::create(b, loc, x); }
  Value floor(Value x) { return math::FloorOp::create(b, loc, x); }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  // Ordered compares are false for NaN, so NaN passes through as torch.clamp
  // lets it.
  Value clamp(Value x, Value lo, Value hi) {
    Value below =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, lo);
    Value above =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, hi);
    Value upper = arith::SelectOp::create(b, loc, above, hi, x);
    return arith::SelectOp::create(b, loc, below, lo, upper);
  }
};

/// f16 and bf16 tensors are computed in f32 and rounded back (as PyTorch
/// fake-quantizes half tensors): `toF32` widens exactly, `fromF32` rounds to
/// nearest even. Both are the identity on f32.
inline Value toF32(OpBuilder &b, Location loc, Value x) {
  if (x.getType().isF32())
    return x;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), x);
}
inline Value fromF32(OpBuilder &b, Location loc, Value x, Type elementType) {
  if (elementType.isF32())
    return x;
  return arith::TruncFOp::create(b, loc, elementType, x);
}

/// How the tensor is viewed by the kernel: the fewest loop dimensions in
/// which the parameter blocks are a projection. Each dimension is first split
/// into (number of blocks, block extent), dropping unit parts; then adjacent
/// parts of the same kind (block index or position inside a block) merge.
struct LoopView {
  SmallVector<int64_t> splitShape;
  SmallVector<ReassociationIndices> splitOfDim;
  SmallVector<int64_t> loopShape;
  SmallVector<bool> loopIndexesBlocks;
  SmallVector<ReassociationIndices> splitOfLoop;

  LoopView(ArrayRef<int64_t> shape, const QuantGrid &grid) {
    SmallVector<bool> splitIndexesBlocks;
    for (size_t i = 0; i < shape.size(); ++i) {
      ReassociationIndices parts;
      auto addPart = [&](int64_t size, bool indexesBlocks) {
        parts.push_back(splitShape.size());
        splitShape.push_back(size);
        splitIndexesBlocks.push_back(indexesBlocks);
      };
      if (grid.gridShape[i] > 1)
        addPart(grid.gridShape[i], true);
      if (grid.blockSizes[i] > 1 || parts.empty())
        addPart(grid.blockSizes[i], false);
      splitOfDim.push_back(parts);
    }
    // Unit parts join any group; a group takes the kind of its first
    // non-unit part.
    SmallVector<std::optional<bool>> kinds;
    for (size_t j = 0; j < splitShape.size(); ++j) {
      bool unit = splitShape[j] == 1;
      if (splitOfLoop.empty() ||
          (!unit && kinds.back() && *kinds.back() != splitIndexesBlocks[j])) {
        splitOfLoop.emplace_back();
        kinds.emplace_back();
        loopShape.push_back(1);
      }
      splitOfLoop.back().push_back(j);
      loopShape.back() *= splitShape[j];
      if (!unit)
        kinds.back() = splitIndexesBlocks[j];
    }
    for (std::optional<bool> kind : kinds)
      loopIndexesBlocks.push_back(kind.value_or(false));
  }

  SmallVector<int64_t> blockTensorShape() const {
    SmallVector<int64_t> result;
    for (auto [size, indexesBlocks] : llvm::zip(loopShape, loopIndexesBlocks))
      if (indexesBlocks)
        result.push_back(size);
    return result;
  }

  bool needsSplit() const { return splitShape.size() != splitOfDim.size(); }
  bool needsMerge() const { return loopShape.size() != splitShape.size(); }

  Value toLoopView(OpBuilder &b, Location loc, Value tensor) const {
    auto type = cast<RankedTensorType>(tensor.getType());
    if (needsSplit())
      tensor = tensor::ExpandShapeOp::create(
          b, loc, type.clone(splitShape), tensor, splitOfDim);
    if (needsMerge())
      tensor = tensor::CollapseShapeOp::create(b, loc, tensor, splitOfLoop);
    return tensor;
  }

  Value fromLoopView(OpBuilder &b, Location loc, Value tensor,
                     RankedTensorType resultType) const {
    auto type = cast<RankedTensorType>(tensor.getType());
    if (needsMerge())
      tensor = tensor::ExpandShapeOp::create(
          b, loc, type.clone(splitShape), tensor, splitOfLoop);
    if (needsSplit())
      tensor = tensor::CollapseShapeOp::create(b, loc, resultType, tensor,
                                               splitOfDim);
    return tensor;
  }

  /// Indexing map of a tensor holding one value per block.
  AffineMap blockMap(MLIRContext *ctx) const {
    SmallVector<AffineExpr> results;
    for (auto [dim, indexesBlocks] : llvm::enumerate(loopIndexesBlocks))
      if (indexesBlocks)
        results.push_back(getAffineDimExpr(dim, ctx));
    return AffineMap::get(loopShape.size(), 0, results, ctx);
  }
};

} // namespace mlir::adaround

#endif // ADAROUND_LIB_CONVERSION_KERNELBUILDER_H
