//===- Calibrate.cpp - PyTorch's observer path at compile time ------------===//

#include "adaround/Dialect/Adaround/IR/Adaround.h"
#include "adaround/Dialect/Adaround/Transforms/Passes.h"
#include "adaround/Numerics/Rounding.h"
#include "adaround/Support/CheckedOptions.h"
#include "FindWeights.h"

#include <limits>

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDCALIBRATE
#include "adaround/Dialect/Adaround/Transforms/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;
using namespace mlir::adaround;

namespace {

enum class Granularity { PerTensor, PerChannel, Blockwise };

/// Min and max of every block. Chunks of elements run in parallel, each
/// with its own ranges, when the blocks are few; with many blocks (one per
/// element of a rank-1 per-channel weight) those copies would cost
/// chunks x blocks memory, so the walk is sequential over one array.
std::vector<numerics::MinMax> blockRanges(MLIRContext *ctx, ArrayRef<float> x,
                                          ArrayRef<int64_t> shape,
                                          const QuantGrid &grid) {
  int64_t blocks = grid.numBlocks();
  int64_t chunks = numElementChunks(x.size());
  if (blocks > kElementChunk / 16 || chunks == 1) {
    std::vector<numerics::MinMax> ranges(blocks);
    BlockCursor cursor(grid, shape, 0);
    for (size_t i = 0; i < x.size(); ++i, cursor.next())
      ranges[cursor.block()].add(x[i]);
    return ranges;
  }
  std::vector<std::vector<numerics::MinMax>> partial(
      chunks, std::vector<numerics::MinMax>(blocks));
  forEachElement(ctx, grid, shape, x.size(),
                 [&](int64_t chunk, int64_t i, int64_t block) {
                   partial[chunk][block].add(x[i]);
                 });
  std::vector<numerics::MinMax> ranges = std::move(partial.front());
  for (size_t c = 1; c < partial.size(); ++c)
    for (size_t b = 0; b < ranges.size(); ++b) {
      ranges[b].add(partial[c][b].lo);
      ranges[b].add(partial[c][b].hi);
    }
  return ranges;
}

/// The sum of `term(i, block)` over each block's elements, with the same
/// parallel strategy as blockRanges.
template <typename Term>
std::vector<double> blockSums(MLIRContext *ctx, int64_t n,
                              ArrayRef<int64_t> shape, const QuantGrid &grid,
                              Term &&term) {
  int64_t blocks = grid.numBlocks();
  int64_t chunks = numElementChunks(n);
  if (blocks > kElementChunk / 16 || chunks == 1) {
    std::vector<double> sums(blocks, 0.0);
    BlockCursor cursor(grid, shape, 0);
    for (int64_t i = 0; i < n; ++i, cursor.next())
      sums[cursor.block()] += term(i, cursor.block());
    return sums;
  }
  std::vector<std::vector<double>> partial(chunks,
                                           std::vector<double>(blocks, 0.0));
  forEachElement(ctx, grid, shape, n,
                 [&](int64_t chunk, int64_t i, int64_t block) {
                   partial[chunk][block] += term(i, block);
                 });
  std::vector<double> sums = std::move(partial.front());
  for (size_t c = 1; c < partial.size(); ++c)
    for (size_t b = 0; b < sums.size(); ++b)
      sums[b] += partial[c][b];
  return sums;
}

struct CalibratePass : adaround::impl::AdaroundCalibrateBase<CalibratePass> {
  using Base::Base;

  Granularity granularityKind;

  /// Why the options cannot be used, if they cannot.
  std::optional<std::string> optionError() {
    auto bad = [](StringRef option, const Twine &expected, const Twine &got) {
      return ("adaround-calibrate: option '" + option + "' must be " +
              expected + ", got " + got)
          .str();
    };
    if (granularity != "per-tensor" && granularity != "per-channel" &&
        granularity != "blockwise")
      return bad("granularity", "per-tensor, per-channel or blockwise",
                 "'" + granularity + "'");
    if (bits < 2 || bits > 16)
      return bad("bits", "2 to 16", Twine(static_cast<unsigned>(bits)));
    if (rounding != "soft" && rounding != "hard")
      return bad("rounding", "soft or hard", "'" + rounding + "'");
    if (blockSize <= 0)
      return bad("block-size", "positive", Twine(int64_t(blockSize)));
    if (axis < 0)
      return bad("axis", "non-negative", Twine(int64_t(axis)));
    if (range != "minmax" && range != "mse")
      return bad("range", "minmax or mse", "'" + range + "'");
    return std::nullopt;
  }

  ADAROUND_CHECKED_OPTIONS

  void runOnOperation() override {
    if (reportedOptionError())
      return signalPassFailure();
    granularityKind = granularity == "per-tensor"    ? Granularity::PerTensor
                      : granularity == "per-channel" ? Granularity::PerChannel
                                                     : Granularity::Blockwise;

    // The ops already there; those inserted below are calibrated (or
    // reported) as they are inserted, once.
    SmallVector<FakeQuantOp> ops;
    getOperation()->walk([&](FakeQuantOp op) {
      if (!op.isCalibrated())
        ops.push_back(op);
    });
    bool failed = false;
    if (insert)
      failed |= mlir::failed(insertAtWeights());
    for (FakeQuantOp op : ops) {
      auto type = cast<RankedTensorType>(op.getInput().getType());
      WeightLayout layout;
      layout.axes = {axis};
      if (type.getRank() > 0) {
        // Blocks run along the innermost dimension other than the channel.
        int64_t last = type.getRank() - 1;
        layout.blockDim = axis == last ? last - 1 : last;
      }
      failed |= mlir::failed(calibrate(op, layout));
    }
    if (failed)
      signalPassFailure();
  }

  /// Wraps the float weight constants of contractions and convolutions in
  /// new uncalibrated ops and calibrates them along their output channels.
  LogicalResult insertAtWeights() {
    SmallVector<WeightSite> sites =
        findWeights(getOperation(),
                    [&](Operation *op, const Twine &reason, bool isWeight) {
                      if (verbose || isWeight)
                        op->emitRemark("adaround-calibrate: ") << reason;
                    });
    bool failed = false;
    RoundingMode mode =
        rounding == "hard" ? RoundingMode::hard : RoundingMode::soft;
    for (WeightSite &site : sites) {
      Value weight = site.use->get();
      OpBuilder b(site.use->getOwner());
      auto fakeQuant = FakeQuantOp::create(b, weight.getLoc(),
                                           weight.getType(), weight);
      fakeQuant.setRoundingAttr(RoundingModeAttr::get(&getContext(), mode));
      site.use->set(fakeQuant);
      if (verbose) {
        InFlightDiagnostic remark = site.consumer->emitRemark(
            "adaround-calibrate: quantizing weight ");
        remark << weight.getType() << " of '" << site.consumer->getName()
               << "' to " << static_cast<unsigned>(bits)
               << " bits, output channels along "
               << (site.layout.axes.size() > 1 ? "axes " : "axis ");
        llvm::interleaveComma(site.layout.axes, remark);
      }
      failed |= mlir::failed(calibrate(fakeQuant, site.layout));
    }
    return failure(failed);
  }

  /// Each block's parameters for the clipping ratio whose round-to-nearest
  /// fake quantization has the least squared error over the block; ratios
  /// are tried from 1 (min-max) down, and only a strictly smaller error
  /// replaces the best so far.
  template <typename ParamsOf>
  std::vector<numerics::BlockParams>
  rangesByMSE(ArrayRef<float> x, ArrayRef<int64_t> shape,
              const QuantGrid &grid, ArrayRef<numerics::MinMax> ranges,
              ParamsOf &&paramsOf) {
    size_t blocks = ranges.size();
    std::vector<numerics::BlockParams> best, candidate(blocks);
    std::vector<double> bestError(blocks,
                                  std::numeric_limits<double>::infinity());
    for (int k = numerics::kClipSteps; k >= 1; --k) {
      float ratio = static_cast<float>(k) / numerics::kClipSteps;
      for (size_t b = 0; b < blocks; ++b)
        candidate[b] = paramsOf(numerics::clipped(ranges[b], ratio));
      std::vector<double> errors = blockSums(
          &getContext(), x.size(), shape, grid, [&](int64_t i, int64_t b) {
            double e = static_cast<double>(x[i]) -
                       numerics::fakeQuantizeNearest(x[i], candidate[b]);
            return e * e;
          });
      if (best.empty())
        best = candidate;
      for (size_t b = 0; b < blocks; ++b)
        if (errors[b] < bestError[b]) {
          bestError[b] = errors[b];
          best[b] = candidate[b];
        }
    }
    return best;
  }

  /// The quantization type chosen by min-max (or MSE) for `x`.
  FailureOr<Type> chooseQtype(FakeQuantOp op, ArrayRef<float> x,
                              RankedTensorType type, WeightLayout layout) {
    MLIRContext *ctx = &getContext();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> shape = type.getShape();
    bool isSigned = !isUnsigned;
    int64_t qmin = isSigned ? -(int64_t(1) << (bits - 1)) : 0;
    int64_t qmax = isSigned ? (int64_t(1) << (bits - 1)) - 1
                            : (int64_t(1) << bits) - 1;

    // The block layout the parameters will have; its scales come from the
    // ranges below, and the type built from them is resolved again by
    // QuantGrid::get like any other.
    QuantGrid grid;
    grid.blockSizes.assign(shape.begin(), shape.end());
    if (granularityKind != Granularity::PerTensor) {
      for (int64_t axis : layout.axes) {
        if (axis < 0 || axis >= rank)
          return op.emitOpError("cannot be calibrated per channel: axis ")
                 << axis << " is out of range for rank " << rank;
        grid.blockSizes[axis] = 1;
      }
    }
    if (granularityKind == Granularity::Blockwise) {
      if (layout.blockDim < 0 || layout.blockDim >= rank ||
          llvm::is_contained(layout.axes, layout.blockDim))
        return op.emitOpError("cannot be calibrated blockwise: a rank ")
               << rank << " tensor has no dimension besides axis "
               << layout.axes.front() << " to cut into blocks";
      if (blockSize <= 0 || shape[layout.blockDim] % blockSize != 0)
        return op.emitOpError("cannot be calibrated blockwise: block size ")
               << static_cast<int64_t>(blockSize)
               << " does not divide dimension " << layout.blockDim
               << " of size " << shape[layout.blockDim];
      grid.blockSizes[layout.blockDim] = blockSize;
    }
    grid.gridShape = QuantGrid::gridShapeOf(shape, grid.blockSizes);

    std::vector<numerics::MinMax> ranges = blockRanges(ctx, x, shape, grid);
    auto paramsOf = [&](numerics::MinMax r) {
      return symmetric ? numerics::symmetricParams(r, qmin, qmax, isSigned)
                       : numerics::asymmetricParams(r, qmin, qmax);
    };
    std::vector<numerics::BlockParams> params;
    for (const numerics::MinMax &r : ranges)
      params.push_back(paramsOf(r));
    if (range == "mse")
      params = rangesByMSE(x, shape, grid, ranges, paramsOf);
    SmallVector<double> scales;
    SmallVector<int64_t> zeroPoints;
    for (const numerics::BlockParams &p : params) {
      scales.push_back(p.scale);
      zeroPoints.push_back(p.zeroPoint);
    }

    Type storage = IntegerType::get(ctx, bits);
    Type f32 = Float32Type::get(ctx);
    Type expressed = type.getElementType();
    unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
    if (granularityKind == Granularity::PerTensor)
      return Type(quant::UniformQuantizedType::get(
          flags, storage, expressed, scales.front(), zeroPoints.front(), qmin,
          qmax));
    if (granularityKind == Granularity::PerChannel && layout.axes.size() == 1)
      return Type(quant::UniformQuantizedPerAxisType::get(
          flags, storage, expressed, scales, zeroPoints, layout.axes.front(),
          qmin, qmax));
    // Blocks: of one element along each channel axis, and of `blockSize`
    // along the block dimension when blockwise.
    {
      SmallVector<float> scales32(scales.begin(), scales.end());
      SmallVector<APInt> zeroPointInts;
      for (int64_t z : zeroPoints)
        zeroPointInts.push_back(APInt(bits, z, /*isSigned=*/true));
      auto scaleType = RankedTensorType::get(grid.gridShape, f32);
      SmallVector<int32_t> dims;
      SmallVector<int64_t> blocks;
      for (int64_t d = 0; d < rank; ++d)
        if (grid.blockSizes[d] != shape[d] ||
            llvm::is_contained(layout.axes, d)) {
          dims.push_back(static_cast<int32_t>(d));
          blocks.push_back(grid.blockSizes[d]);
        }
      return Type(quant::UniformQuantizedSubChannelType::get(
          flags, storage, expressed,
          DenseElementsAttr::get(scaleType, ArrayRef<float>(scales32)),
          DenseElementsAttr::get(scaleType.clone(storage), zeroPointInts),
          dims, blocks, qmin, qmax));
    }
  }

  LogicalResult calibrate(FakeQuantOp op, WeightLayout layout) {
    SmallVector<float> storage;
    ElementsAttr input;
    std::optional<ArrayRef<float>> x =
        getConstantF32Values(op.getInput(), storage, &input);
    if (!input) {
      op.emitWarning("left uncalibrated: its input is not a constant");
      return success();
    }
    if (!x)
      return op.emitOpError("cannot be calibrated: the values of its constant "
                            "input are unavailable (an elided resource, or a "
                            "splat too large to expand)");
    const float *bad =
        llvm::find_if(*x, [](float value) { return !std::isfinite(value); });
    if (bad != x->end())
      return op.emitOpError("cannot be calibrated: input element ")
             << (bad - x->begin()) << " is " << *bad;

    auto type = cast<RankedTensorType>(op.getInput().getType());
    if (type.getNumElements() == 0)
      return op.emitOpError("cannot be calibrated: its input ")
             << type << " has no elements to take a range from";
    if (!op.getQtype()) {
      FailureOr<Type> qtype = chooseQtype(op, *x, type, layout);
      if (failed(qtype))
        return failure();
      op.setQtypeAttr(TypeAttr::get(*qtype));
    }
    FailureOr<QuantGrid> grid = op.getQuantGrid();
    if (failed(grid))
      return failure();

    float zeta = op.getZeta().convertToFloat();
    float gamma = op.getGamma().convertToFloat();
    int64_t n = x->size();
    FirstIndex firstBad;
    ElementsAttr v = makeElementsAttr(
        type.clone(Float32Type::get(&getContext())),
        isa<DenseResourceElementsAttr>(input), "adaround_v",
        n * sizeof(float), [&](MutableArrayRef<char> bytes) {
          float *out = reinterpret_cast<float *>(bytes.data());
          forEachElement(&getContext(), *grid, type.getShape(), n,
                         [&](int64_t, int64_t i, int64_t block) {
                           out[i] = numerics::initialLogit(
                               (*x)[i], grid->scales[block], zeta, gamma);
                           if (!std::isfinite(out[i]))
                             firstBad.report(i);
                         });
        });
    if (std::optional<int64_t> bad = firstBad.get())
      return op.emitOpError("cannot be calibrated: input element ")
             << *bad << " divided by its scale overflows f32";
    op.setVAttr(v);
    return success();
  }
};

} // namespace
