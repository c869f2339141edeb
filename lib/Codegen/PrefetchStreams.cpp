//===- PrefetchStreams.cpp - Prefetch reads of large buffers, ahead -------===//
//
// The address is computed from the read's own view (its strided metadata),
// so it holds for any chain of subviews and reshapes, and is clamped into
// the buffer: the prefetch never points outside it.
//
//===----------------------------------------------------------------------===//

#include "adaround/Codegen/Passes.h"
#include "adaround/Support/CheckedOptions.h"

#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDPREFETCHSTREAMS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

/// The most rows of one read that get a prefetch each (a long matvec's
/// block reads 8 weight rows, a batch's register block 4; more would be
/// rare).
static constexpr int64_t kMaxPrefetchedRows = 16;

/// Bytes one prefetch fetches.
static constexpr int64_t kCacheLineBytes = 64;

/// The buffer `view` looks into, through subviews, reshapes and casts.
static Value underlyingBuffer(Value view) {
  while (auto viewLike = view.getDefiningOp<ViewLikeOpInterface>())
    view = viewLike.getViewSource();
  return view;
}

/// The buffer `read` streams through, or null: the read must vary with the
/// loop it is in, read along its view's innermost dimension with unit
/// stride, and the buffer must be a row-major memref of static shape of at
/// least `minBytes`, of the read's element type.
static Value streamedBuffer(vector::TransferReadOp read, int64_t minBytes) {
  auto loop = dyn_cast<scf::ForOp>(read->getParentOp());
  if (!loop || llvm::all_of(read->getOperands(), [&](Value operand) {
        return loop.isDefinedOutsideOfLoop(operand);
      }))
    return {};
  auto viewType = dyn_cast<MemRefType>(read.getBase().getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!viewType || viewType.getRank() == 0 ||
      !read.getPermutationMap().isMinorIdentity() ||
      failed(viewType.getStridesAndOffset(strides, offset)) ||
      strides.back() != 1)
    return {};
  Value buffer = underlyingBuffer(read.getBase());
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type || type.getRank() == 0 || !type.hasStaticShape() ||
      !type.getLayout().isIdentity() ||
      type.getElementType() != viewType.getElementType() ||
      !type.getElementType().isIntOrFloat() ||
      type.getElementTypeBitWidth() % 8 != 0)
    return {};
  // Compared in elements: a byte count of a huge shape could overflow.
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  return type.getNumElements() >= llvm::divideCeilSigned(minBytes, elementBytes)
             ? buffer
             : Value();
}

/// `buffer` as a 1-D memref, made once, where `buffer` is defined.
static Value flatView(Value buffer, DenseMap<Value, Value> &flatViews) {
  auto type = cast<MemRefType>(buffer.getType());
  if (type.getRank() == 1)
    return buffer;
  Value &flat = flatViews[buffer];
  if (!flat) {
    OpBuilder builder(buffer.getContext());
    builder.setInsertionPointAfterValue(buffer);
    SmallVector<ReassociationIndices> allDims = {
        llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))};
    flat = memref::CollapseShapeOp::create(builder, buffer.getLoc(), buffer,
                                           allDims);
  }
  return flat;
}

/// Prefetches, for each row of the vector `read` reads (a 2-D read of a
/// block of weight rows reads several streams), the element `distance` / rows
/// bytes past the row's first one (in `buffer`'s row-major order, clamped to
/// its last element). The rows share the distance: what is fetched ahead must
/// stay in L1 beside the block's input, and 8 rows each 4096 bytes ahead
/// (32 KB) evicted it (i8 at 4096x11008: 1.5 ms, against 1.2 ms with 512
/// bytes per row).
static void prefetchAhead(vector::TransferReadOp read, Value buffer,
                          int64_t distance, DenseMap<Value, Value> &flatViews) {
  auto type = cast<MemRefType>(buffer.getType());
  Value flat = flatView(buffer, flatViews);
  OpBuilder builder(read);
  Location loc = read.getLoc();
  auto metadata =
      memref::ExtractStridedMetadataOp::create(builder, loc, read.getBase());
  Value first = metadata.getOffset();
  for (auto [index, stride] :
       llvm::zip_equal(read.getIndices(), metadata.getStrides()))
    first = arith::AddIOp::create(
        builder, loc, first, arith::MulIOp::create(builder, loc, index, stride));
  // The read's leading vector dimensions are the view's trailing ones but
  // its innermost (the permutation map is a minor identity).
  ArrayRef<int64_t> shape = read.getVectorType().getShape().drop_back();
  ValueRange strides = metadata.getStrides();
  strides = strides.drop_back().take_back(shape.size());
  int64_t rows = std::min(kMaxPrefetchedRows, ShapedType::getNumElements(shape));
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  Value ahead = arith::ConstantIndexOp::create(
      builder, loc, std::max<int64_t>(1, distance / rows / elementBytes));
  Value last =
      arith::ConstantIndexOp::create(builder, loc, type.getNumElements() - 1);
  // A row of the read longer than a cache line (4 vectors of f32 per step)
  // gets a prefetch per line.
  int64_t rowBytes = read.getVectorType().getShape().back() * elementBytes;
  int64_t lines = llvm::divideCeil(rowBytes, kCacheLineBytes);
  for (int64_t row = 0; row < rows; ++row) {
    Value element = first;
    for (int64_t dim = shape.size(), rest = row; dim-- > 0; rest /= shape[dim])
      if (int64_t position = rest % shape[dim])
        element = arith::AddIOp::create(
            builder, loc, element,
            arith::MulIOp::create(
                builder, loc, strides[dim],
                arith::ConstantIndexOp::create(builder, loc, position)));
    Value start = arith::AddIOp::create(builder, loc, element, ahead);
    for (int64_t line = 0; line < lines; ++line) {
      Value target = start;
      if (line)
        target = arith::AddIOp::create(
            builder, loc, start,
            arith::ConstantIndexOp::create(
                builder, loc, line * kCacheLineBytes / elementBytes));
      Value clamped = arith::MinSIOp::create(builder, loc, target, last);
      memref::PrefetchOp::create(builder, loc, flat, clamped, /*isWrite=*/false,
                                 /*localityHint=*/3, /*isDataCache=*/true);
    }
  }
}

namespace {

struct PrefetchStreamsPass
    : adaround::impl::AdaroundPrefetchStreamsBase<PrefetchStreamsPass> {
  using Base::Base;

  std::optional<std::string> optionError() {
    if (std::optional<std::string> error =
            adaround::checkOptionAtLeast(getArgument(), "distance", distance, 1))
      return error;
    return adaround::checkOptionAtLeast(getArgument(), "min-bytes", minBytes,
                                        0);
  }
  ADAROUND_CHECKED_OPTIONS

  void runOnOperation() override {
    if (reportedOptionError())
      return signalPassFailure();
    SmallVector<std::pair<vector::TransferReadOp, Value>> streams;
    getOperation().walk([&](vector::TransferReadOp read) {
      if (Value buffer = streamedBuffer(read, minBytes))
        streams.emplace_back(read, buffer);
    });
    DenseMap<Value, Value> flatViews;
    for (auto [read, buffer] : streams)
      prefetchAhead(read, buffer, distance, flatViews);
  }
};

} // namespace
