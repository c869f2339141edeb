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

/// The packed layout of sub-byte levels, `k = valuesPerByte` per byte, `n =
/// kPackedRunBytes`. Elements are taken row-major; the innermost run of the
/// kernel's loop view (`innermostRun`: the tensor's last dimensions that
/// share a quantization loop) is cut into runs of k * n elements, each stored
/// in n bytes: element t of a run goes to byte t % n, bits
/// [(t / n) * bits, (t / n + 1) * bits). One shift pair then unpacks n
/// consecutive elements from n consecutive bytes: one 64-byte load gives
/// four 16-lane f32 vectors. A run length
/// that is a multiple of k but not of k * n is packed element by element
/// (element i in byte i / k, bits [(i % k) * bits, ...)).
inline constexpr int64_t kPackedRunBytes = 64;

/// Where packed element `index` (row-major) lives: its byte, and its slot
/// (the bits [slot * bits, (slot + 1) * bits) of the byte).
struct PackedPosition {
  int64_t byte;
  unsigned slot;
};
PackedPosition packedPosition(int64_t index, int64_t innermostRun,
                              unsigned valuesPerByte);

/// The innermost run of elements sharing a loop in the kernel's loop view.
int64_t innermostRun(ArrayRef<int64_t> shape, const QuantGrid &grid);

/// Builds `(level - z) * s` over a tensor of `resultType` as one
/// `linalg.generic`. `levels` holds the integer levels in the storage type
/// (`valuesPerByte` == 1), or packed in `i8` bytes as packedPosition says
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
