//===- AdaroundToLinalg.h - adaround.fake_quant to linalg -------*- C++ -*-===//

#ifndef ADAROUND_CONVERSION_ADAROUNDTOLINALG_ADAROUNDTOLINALG_H
#define ADAROUND_CONVERSION_ADAROUNDTOLINALG_ADAROUNDTOLINALG_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::adaround {

class FakeQuantOp;
struct QuantGrid;

/// Adds the pattern rewriting `adaround.fake_quant` into a `linalg.generic` on
/// tensors (plus constants and reshapes), for use inside other conversions.
/// The pattern fails to match an uncalibrated op or one whose `v` values are
/// unavailable.
void populateAdaroundToLinalgPatterns(RewritePatternSet &patterns);

/// Lowers one op, replacing it. On failure emits an error on `op` (naming the
/// reason) and leaves the IR unchanged.
LogicalResult lowerFakeQuantToLinalg(RewriterBase &rewriter, FakeQuantOp op);

/// Adds the pattern rewriting `quant.dcast` of a static tensor with 2- to
/// 16-bit storage into one `linalg.generic` (see buildDequantizeKernel).
void populateQuantDequantizeToLinalgPatterns(RewritePatternSet &patterns);

/// Builds `(level - z) * s` over a tensor of `resultType` as one
/// `linalg.generic`. `levels` holds the integer levels in the storage type
/// (`valuesPerByte` == 1), or packed: `i8` bytes, row-major over all elements,
/// `valuesPerByte` values per byte with the first element in the lowest bits
/// (requires canUnpackInKernel).
Value buildDequantizeKernel(OpBuilder &b, Location loc, Value levels,
                            RankedTensorType resultType, const QuantGrid &grid,
                            unsigned valuesPerByte);

/// Whether the kernel can unpack `valuesPerByte` values per byte for this
/// tensor: the innermost run of elements sharing a loop must be a multiple.
bool canUnpackInKernel(ArrayRef<int64_t> shape, const QuantGrid &grid,
                       unsigned valuesPerByte);

} // namespace mlir::adaround

#endif // ADAROUND_CONVERSION_ADAROUNDTOLINALG_ADAROUNDTOLINALG_H
