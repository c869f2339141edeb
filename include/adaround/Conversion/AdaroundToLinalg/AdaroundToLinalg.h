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

/// The packed layout of sub-byte levels, `k = valuesPerByte` per byte.
/// Elements are taken row-major in consecutive packing runs (packingRun)
/// that never share a byte. A packing run is cut into runs of n = `k *
/// kPackedRunBytes` elements when it is whole such runs, else it is one run
/// of n = its length; each run is stored in n / k bytes: element t of a run
/// goes to byte t % (n / k), bits [(t / (n / k)) * bits, ... + bits). One
/// shift pair then unpacks consecutive elements from consecutive bytes (one
/// 64-byte load gives four 16-lane f32 vectors), so that the kernel and the
/// matvecs it fuses into run in vectors whatever the run's length.
inline constexpr int64_t kPackedRunBytes = 64;

/// Elements per packing run: the innermost run of elements sharing a loop
/// in the kernel's loop view (a row of a per-channel weight, a block of a
/// blockwise one), or the tensor's rows where that run merges several (a
/// per-tensor weight) and the kernel splits it into them.
int64_t packingRun(ArrayRef<int64_t> shape, const QuantGrid &grid,
                   unsigned valuesPerByte);

/// Bytes per run of a packing run of `packingRun` elements.
int64_t packedRunBytes(int64_t packingRun, unsigned valuesPerByte);

/// Where packed element `index` (row-major) lives: its byte, and its slot
/// (the bits [slot * bits, (slot + 1) * bits) of the byte).
struct PackedPosition {
  int64_t byte;
  unsigned slot;
};
PackedPosition packedPosition(int64_t index, int64_t packingRun,
                              unsigned valuesPerByte);

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
