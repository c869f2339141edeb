//===- Bake.cpp - Hard rounding decisions baked into integer weights ------===//

#include "adaround/Conversion/AdaroundToLinalg/AdaroundToLinalg.h"
#include "adaround/Dialect/Adaround/IR/Adaround.h"
#include "adaround/Dialect/Adaround/Transforms/Passes.h"
#include "adaround/Numerics/Rounding.h"

#include "mlir/IR/Threading.h"

#include <atomic>
#include <cstring>

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDBAKE
#include "adaround/Dialect/Adaround/Transforms/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;
using namespace mlir::adaround;

namespace {

/// Elements per parallel work item: large enough to amortize, small enough to
/// balance two cores.
constexpr int64_t kChunk = 1 << 20;

/// The baked integer levels of one op, one int32 per element.
struct BakedLevels {
  std::vector<int32_t> levels;
  int64_t firstNaN = -1;
};

BakedLevels computeLevels(MLIRContext *ctx, ArrayRef<float> x,
                          ArrayRef<float> v, ArrayRef<int64_t> shape,
                          const QuantGrid &grid) {
  int64_t n = x.size();
  BakedLevels result;
  result.levels.resize(n);
  std::atomic<int64_t> firstNaN(n);
  int64_t chunks = (n + kChunk - 1) / kChunk;
  parallelFor(ctx, 0, chunks, [&](size_t chunk) {
    int64_t begin = chunk * kChunk, end = std::min(n, begin + kChunk);
    BlockCursor cursor(grid, shape, begin);
    for (int64_t i = begin; i < end; ++i, cursor.next()) {
      int64_t b = cursor.block();
      numerics::BlockParams params{grid.scales[b], grid.zeroPoints[b],
                                   grid.qmin, grid.qmax};
      std::optional<int64_t> level = numerics::bakedLevel(x[i], v[i], params);
      if (!level) {
        int64_t seen = firstNaN.load();
        while (i < seen && !firstNaN.compare_exchange_weak(seen, i)) {
        }
        return;
      }
      result.levels[i] = static_cast<int32_t>(*level);
    }
  });
  if (firstNaN.load() < n)
    result.firstNaN = firstNaN.load();
  return result;
}

struct BakePass : adaround::impl::AdaroundBakeBase<BakePass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<FakeQuantOp> ops;
    getOperation()->walk([&](FakeQuantOp op) { ops.push_back(op); });
    bool failed = false;
    for (FakeQuantOp op : ops)
      failed |= mlir::failed(bake(op));
    if (failed)
      signalPassFailure();
  }

  LogicalResult bake(FakeQuantOp op) {
    SmallVector<float> xStorage, vStorage;
    ElementsAttr input;
    std::optional<ArrayRef<float>> x =
        getConstantF32Values(op.getInput(), xStorage, &input);
    if (!input) {
      if (verbose)
        op.emitRemark("left alone: its input is not a constant");
      return success();
    }
    if (!op.isCalibrated())
      return op.emitOpError("cannot be baked: not calibrated (no 'v'); run "
                            "--adaround-calibrate first");
    if (!x)
      return op.emitOpError("cannot be baked: the values of its constant "
                            "input are unavailable");
    std::optional<ArrayRef<float>> v = getF32Values(*op.getV(), vStorage);
    if (!v)
      return op.emitOpError("cannot be baked: the values of attribute 'v' are "
                            "unavailable (elided or missing resource blob)");
    FailureOr<QuantGrid> grid = op.getQuantGrid();
    if (failed(grid))
      return failure();
    int64_t block;
    if (!grid->dequantizesFinitely(block))
      return op.emitOpError("cannot be baked: attribute 'qtype' has scale ")
             << grid->scales[block] << " at block " << block
             << " whose dequantized levels overflow f32";

    auto type = cast<RankedTensorType>(op.getInput().getType());
    BakedLevels baked =
        computeLevels(&getContext(), *x, *v, type.getShape(), *grid);
    if (baked.firstNaN >= 0)
      return op.emitOpError("cannot be baked: input element ")
             << baked.firstNaN << " is NaN, which no integer level represents";

    OpBuilder b(op);
    Location loc = op.getLoc();
    bool asResource = isa<DenseResourceElementsAttr>(input);
    const std::vector<int32_t> &levels = baked.levels;
    int64_t n = levels.size();
    Value result;
    if (emitFloat) {
      ElementsAttr values = makeElementsAttr(
          type, asResource, "adaround_baked", n * sizeof(float),
          [&](MutableArrayRef<char> bytes) {
            float *out = reinterpret_cast<float *>(bytes.data());
            BlockCursor cursor(*grid, type.getShape(), 0);
            for (int64_t i = 0; i < n; ++i, cursor.next()) {
              numerics::ScalarDomain d;
              int64_t blk = cursor.block();
              out[i] = numerics::dequantize(
                  d, static_cast<float>(levels[i]), grid->scales[blk],
                  static_cast<float>(grid->zeroPoints[blk]));
            }
          });
      result = arith::ConstantOp::create(b, loc, values);
    } else {
      unsigned bits = grid->storageWidth;
      unsigned perByte = (pack && bits <= 4) ? 8 / bits : 1;
      if (perByte > 1 && !canUnpackInKernel(type.getShape(), *grid, perByte)) {
        op.emitRemark() << "stored one " << bits << "-bit level per byte: the "
                        << "innermost run of elements is not a multiple of "
                        << perByte;
        perByte = 1;
      }
      if (perByte > 1) {
        int64_t bytes = (n + perByte - 1) / perByte;
        auto packedType = RankedTensorType::get({bytes}, b.getI8Type());
        ElementsAttr packed = makeElementsAttr(
            packedType, asResource, "adaround_baked", bytes,
            [&](MutableArrayRef<char> out) {
              std::memset(out.data(), 0, out.size());
              uint32_t mask = (1u << bits) - 1;
              for (int64_t i = 0; i < n; ++i)
                out[i / perByte] |= static_cast<char>(
                    (static_cast<uint32_t>(levels[i]) & mask)
                    << ((i % perByte) * bits));
            });
        Value bytesValue = arith::ConstantOp::create(b, loc, packed);
        result = buildDequantizeKernel(b, loc, bytesValue, type, *grid, perByte);
      } else {
        // One level per element: in the storage type for 8 and 16 bits; as
        // i8 for narrower storage, since memory holds no sub-byte elements
        // (and vector loads of them would read packed bits).
        unsigned width = bits <= 8 ? 8 : 16;
        auto storageType = type.clone(b.getIntegerType(width));
        ElementsAttr integers = makeElementsAttr(
            storageType, asResource, "adaround_baked", n * width / 8,
            [&](MutableArrayRef<char> out) {
              for (int64_t i = 0; i < n; ++i) {
                if (width == 8) {
                  out[i] = static_cast<char>(levels[i]);
                } else {
                  int16_t level = static_cast<int16_t>(levels[i]);
                  std::memcpy(out.data() + 2 * i, &level, 2);
                }
              }
            });
        Value levelsValue = arith::ConstantOp::create(b, loc, integers);
        if (arithDequant || width != bits) {
          result = buildDequantizeKernel(b, loc, levelsValue, type, *grid, 1);
        } else {
          auto quantized = type.clone(*op.getQtype());
          Value cast =
              quant::StorageCastOp::create(b, loc, quantized, levelsValue);
          result = quant::DequantizeCastOp::create(b, loc, type, cast);
        }
      }
    }
    Operation *weights = op.getInput().getDefiningOp();
    op.replaceAllUsesWith(result);
    op.erase();
    // The float weights are what baking removes from the module.
    if (weights->use_empty())
      weights->erase();
    return success();
  }
};

} // namespace
