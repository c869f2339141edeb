//===- Bake.cpp - Hard rounding decisions baked into integer weights ------===//

#include "adaround/Conversion/AdaroundToLinalg/AdaroundToLinalg.h"
#include "adaround/Dialect/Adaround/IR/Adaround.h"
#include "adaround/Dialect/Adaround/Transforms/Passes.h"
#include "adaround/Numerics/Rounding.h"

#include <cstring>

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDBAKE
#include "adaround/Dialect/Adaround/Transforms/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;
using namespace mlir::adaround;

namespace {

/// Computes every baked level in parallel, over chunks of a multiple of
/// `alignment` elements, and hands it to `store(index, level, block)`.
/// Returns the index of the first NaN input, which no level represents.
template <typename Store>
std::optional<int64_t> forEachLevel(MLIRContext *ctx, ArrayRef<float> x,
                                    ArrayRef<float> v, ArrayRef<int64_t> shape,
                                    const QuantGrid &grid, int64_t alignment,
                                    Store &&store) {
  FirstIndex firstNaN;
  forEachElement(ctx, grid, shape, x.size(), alignment,
                 [&](int64_t, int64_t i, int64_t block) {
                   numerics::BlockParams params{grid.scales[block],
                                                grid.zeroPoints[block],
                                                grid.qmin, grid.qmax};
                   if (std::optional<int64_t> level =
                           numerics::bakedLevel(x[i], v[i], params))
                     store(i, *level, block);
                   else
                     firstNaN.report(i);
                 });
  return firstNaN.get();
}

struct BakePass : adaround::impl::AdaroundBakeBase<BakePass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<FakeQuantOp> ops;
    getOperation()->walk([&](FakeQuantOp op) { ops.push_back(op); });
    if (ops.empty()) {
      // Most likely the weights were never wrapped: say so, not nothing.
      emitWarning(getOperation()->getLoc())
          << "adaround-bake: no adaround.fake_quant op to bake; run "
             "--adaround-calibrate=\"insert=1\" first to quantize the weights "
             "of matmuls and convolutions";
      return;
    }
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
                            "input are unavailable (an elided resource, or a "
                            "splat too large to expand)");
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
    ArrayRef<int64_t> shape = type.getShape();
    int64_t n = type.getNumElements();
    if (n == 0) {
      // Nothing to quantize: the empty weights are their own value.
      op.replaceAllUsesWith(op.getInput());
      op.erase();
      return success();
    }
    OpBuilder b(op);
    Location loc = op.getLoc();
    bool asResource = isa<DenseResourceElementsAttr>(input);
    unsigned bits = grid->storageWidth;
    unsigned perByte = (!emitFloat && pack && bits <= 4) ? 8 / bits : 1;
    if (perByte > 1 && !canUnpackInKernel(shape, *grid, perByte)) {
      op.emitRemark() << "stored one " << bits << "-bit level per byte: the "
                      << "innermost run of elements is not a multiple of "
                      << perByte;
      perByte = 1;
    }
    // Levels one per element: in the storage type for 8 and 16 bits; as i8
    // for narrower storage, since memory holds no sub-byte elements (and
    // vector loads of them would read packed bits).
    unsigned width = bits <= 8 ? 8 : 16;

    // The levels are computed once, straight into the new constant's
    // storage; `store(out, index, level, block)` writes one in its layout,
    // never into bytes that another chunk of `alignment` elements writes.
    std::optional<int64_t> firstNaN;
    auto bake = [&](ShapedType constantType, size_t bytes, auto store,
                    int64_t alignment = 1) {
      return makeElementsAttr(
          constantType, asResource, "adaround_baked", bytes,
          [&](MutableArrayRef<char> out) {
            std::memset(out.data(), 0, out.size());
            firstNaN = forEachLevel(
                &getContext(), *x, *v, shape, *grid, alignment,
                [&](int64_t i, int64_t level, int64_t block) {
                  store(out.data(), i, level, block);
                });
          });
    };
    ElementsAttr values;
    if (emitFloat) {
      // Computed in f32; f16 and bf16 round to nearest even, as the
      // lowered kernel's arith.truncf does.
      auto element = cast<FloatType>(type.getElementType());
      size_t width = element.getWidth() / 8;
      values = bake(type, n * width,
                    [&](char *out, int64_t i, int64_t level, int64_t block) {
                      numerics::ScalarDomain d;
                      float y = numerics::dequantize(
                          d, static_cast<float>(level), grid->scales[block],
                          static_cast<float>(grid->zeroPoints[block]));
                      if (width == sizeof(float)) {
                        std::memcpy(out + i * sizeof(float), &y, sizeof(float));
                        return;
                      }
                      APFloat half(y);
                      bool lost;
                      half.convert(element.getFloatSemantics(),
                                   APFloat::rmNearestTiesToEven, &lost);
                      uint16_t bits = static_cast<uint16_t>(
                          half.bitcastToAPInt().getZExtValue());
                      std::memcpy(out + i * 2, &bits, 2);
                    });
    } else if (perByte > 1) {
      uint32_t mask = (1u << bits) - 1;
      int64_t run = packingRun(shape, *grid, perByte);
      values = bake(RankedTensorType::get({n / perByte}, b.getI8Type()),
                    n / perByte,
                    [=](char *out, int64_t i, int64_t level, int64_t) {
                      PackedPosition at = packedPosition(i, run, perByte);
                      out[at.byte] |= static_cast<char>(
                          (static_cast<uint32_t>(level) & mask)
                          << (at.slot * bits));
                    }, perByte * packedRunBytes(run, perByte));
    } else if (width == 8) {
      values = bake(type.clone(b.getI8Type()), n,
                    [](char *out, int64_t i, int64_t level, int64_t) {
                      out[i] = static_cast<char>(level);
                    });
    } else {
      values = bake(type.clone(b.getI16Type()), n * 2,
                    [](char *out, int64_t i, int64_t level, int64_t) {
                      int16_t level16 = static_cast<int16_t>(level);
                      std::memcpy(out + 2 * i, &level16, 2);
                    });
    }
    if (firstNaN)
      return op.emitOpError("cannot be baked: input element ")
             << *firstNaN << " is NaN, which no integer level represents";

    Value constant = arith::ConstantOp::create(b, loc, values);
    Value result;
    if (emitFloat)
      result = constant;
    else if (perByte > 1 || arithDequant || width != bits)
      result = buildDequantizeKernel(b, loc, constant, type, *grid, perByte);
    else
      result = quant::DequantizeCastOp::create(
          b, loc, type,
          quant::StorageCastOp::create(b, loc, type.clone(*op.getQtype()),
                                       constant));
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
