//===- QuantGrid.h - Quantization parameters resolved per block -*- C++ -*-===//
//
// A `!quant.uniform` type describes its scales in three shapes (one value, one
// per slice along an axis, one per sub-channel block). Every pass that computes
// with them wants one shape: a grid of blocks over the tensor. QuantGrid is
// that view, built once and checked once.
//
//===----------------------------------------------------------------------===//

#ifndef ADAROUND_DIALECT_ADAROUND_IR_QUANTGRID_H
#define ADAROUND_DIALECT_ADAROUND_IR_QUANTGRID_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Threading.h"
#include "mlir/IR/Types.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/MathExtras.h"

#include <atomic>
#include <limits>
#include <optional>

namespace mlir::adaround {

struct QuantGrid {
  /// Integer storage range.
  int64_t qmin = 0;
  int64_t qmax = 0;
  bool isSigned = true;
  unsigned storageWidth = 8;
  /// Extent of one block along each tensor dimension: 1 along a per-axis
  /// dimension, the whole dimension where the parameters do not vary.
  SmallVector<int64_t> blockSizes;
  /// Number of blocks along each dimension: shape[i] / blockSizes[i].
  SmallVector<int64_t> gridShape;
  /// One scale (rounded to f32) and zero point per block, row-major over
  /// `gridShape`.
  SmallVector<float> scales;
  SmallVector<int64_t> zeroPoints;

  /// Resolves `qtype` for a tensor of `shape`. Emits a diagnostic naming the
  /// offending part of `qtype` and fails when the two do not fit together or a
  /// parameter is out of range (non-positive or non-finite scale, zero point
  /// outside the storage range, storage narrower than 2 or wider than 16 bits).
  static FailureOr<QuantGrid>
  get(Type qtype, ArrayRef<int64_t> shape,
      function_ref<InFlightDiagnostic()> emitError);

  /// Number of blocks along each dimension of `shape` cut into `blockSizes`
  /// (1 along an empty dimension quantized as a whole).
  static SmallVector<int64_t> gridShapeOf(ArrayRef<int64_t> shape,
                                          ArrayRef<int64_t> blockSizes);
  /// Number of blocks in all.
  int64_t numBlocks() const;

  bool isPerTensor() const { return scales.size() == 1; }
  /// Whether every block's dequantized levels (qmin - z) * s and
  /// (qmax - z) * s are finite f32; otherwise `block` names the first that
  /// overflows.
  bool dequantizesFinitely(int64_t &block) const;
  bool hasUniformZeroPoint() const;
};

/// A sub-channel zero point as the storage reads it: its low `storageWidth`
/// bits, with the storage's signedness. Upstream prints unsigned zero points
/// of 2^(bits-1) and more as negative numbers, which its parser stores
/// sign-extended, and the APInts it hands out for i4 can carry bits above
/// their width: only the low bits count.
int64_t storedZeroPoint(const APInt &zeroPoint, unsigned storageWidth,
                        bool isSigned);

/// The block index of consecutive row-major elements, without a division per
/// element: walk a chunk of a tensor with `next()`.
class BlockCursor {
public:
  BlockCursor(const QuantGrid &grid, ArrayRef<int64_t> shape, int64_t start);
  int64_t block() const { return blockIndex; }
  void next();

private:
  const QuantGrid &grid;
  ArrayRef<int64_t> shape;
  SmallVector<int64_t> coordinate, inBlock, gridStride;
  int64_t blockIndex = 0;
};

/// Elements per parallel work item of forEachElement: large enough to
/// amortize.
inline constexpr int64_t kElementChunk = 1 << 20;

inline int64_t numElementChunks(int64_t elements) {
  return std::max<int64_t>(1, (elements + kElementChunk - 1) / kElementChunk);
}

/// Calls `fn(chunk, index, block)` for every element of a tensor of `shape`
/// (`index` row-major, `block` its entry in `grid`), in parallel over chunks
/// of consecutive elements on the context's thread pool, each a multiple of
/// `alignment` elements (packed levels that share a byte then never fall
/// into two chunks).
template <typename Fn>
void forEachElement(MLIRContext *ctx, const QuantGrid &grid,
                    ArrayRef<int64_t> shape, int64_t elements,
                    int64_t alignment, Fn &&fn) {
  int64_t chunkElements =
      llvm::divideCeil(kElementChunk, alignment) * alignment;
  int64_t chunks =
      std::max<int64_t>(1, llvm::divideCeil(elements, chunkElements));
  parallelFor(ctx, 0, chunks, [&](size_t chunk) {
    int64_t begin = chunk * chunkElements;
    int64_t end = std::min(elements, begin + chunkElements);
    if (begin >= end)
      return;
    BlockCursor cursor(grid, shape, begin);
    for (int64_t i = begin; i < end; ++i, cursor.next())
      fn(chunk, i, cursor.block());
  });
}

/// The same in chunks of kElementChunk (numElementChunks of them).
template <typename Fn>
void forEachElement(MLIRContext *ctx, const QuantGrid &grid,
                    ArrayRef<int64_t> shape, int64_t elements, Fn &&fn) {
  forEachElement(ctx, grid, shape, elements, /*alignment=*/1,
                 std::forward<Fn>(fn));
}

/// The smallest index any thread reports: the first bad element.
class FirstIndex {
public:
  void report(int64_t index) {
    int64_t seen = first.load();
    while (index < seen && !first.compare_exchange_weak(seen, index)) {
    }
  }
  std::optional<int64_t> get() const {
    int64_t value = first.load();
    return value == kNone ? std::nullopt : std::optional<int64_t>(value);
  }

private:
  static constexpr int64_t kNone = std::numeric_limits<int64_t>::max();
  std::atomic<int64_t> first{kNone};
};

} // namespace mlir::adaround

#endif // ADAROUND_DIALECT_ADAROUND_IR_QUANTGRID_H
