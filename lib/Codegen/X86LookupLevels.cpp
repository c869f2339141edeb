//===- X86LookupLevels.cpp - Packed levels to floats by lookup ------------===//
//
// A packed weight level reaches the multiply-add as
// `sitofp(shrsi(shli(byte, slot), 8 - bits))` (unsigned levels: shrui,
// uitofp): on x86 a byte shift (there is
// none; LLVM emulates it), a sign extension to 32 bits and a conversion, per
// 16 levels. With AVX-512 one `vpermps` does the last two: it picks each lane
// of a 16-float table by the low 4 bits of a 32-bit index, so the level's
// bits, moved into those 4 bits by a 32-bit shift, select its value directly.
//
//===----------------------------------------------------------------------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMAttrs.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDX86LOOKUPLEVELS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

/// Lanes of one `vpermps` on 512-bit registers, and entries of its table.
constexpr int64_t kLanes = 16;

/// The splat integer value of `value`, if it is a constant splat.
std::optional<int64_t> splatConstant(Value value) {
  APInt constant;
  if (!matchPattern(value, m_ConstantInt(&constant)))
    return std::nullopt;
  return constant.getSExtValue();
}

/// Rewrites `sitofp(shrsi(shli(%bytes, %slot), c))` (the shli optional; or
/// shrui and uitofp, for unsigned levels) on vectors of i8 to f32, with
/// 4 <= c <= 7 (levels of 8 - c <= 4 bits), into
///   index = (zext32(%bytes) << zext32(%slot)) >> c
///   result = vpermps(table, index), 16 lanes at a time,
/// where table[n] is what the shift and conversion make of a level whose
/// bits are n's low 8 - c. Exact: bits c..7 of the i8 `shli` are bits c..7
/// of the 32-bit one, and `vpermps` reads only the low 4 bits of each index.
template <typename ConvertOp>
struct LookupLevels : OpRewritePattern<ConvertOp> {
  using OpRewritePattern<ConvertOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvertOp convert,
                                PatternRewriter &rewriter) const override {
    auto sourceType = dyn_cast<VectorType>(convert.getIn().getType());
    auto resultType = dyn_cast<VectorType>(convert.getType());
    if (!sourceType || !resultType || sourceType.isScalable() ||
        !sourceType.getElementType().isInteger(8) ||
        !resultType.getElementType().isF32() ||
        sourceType.getNumElements() % kLanes != 0)
      return rewriter.notifyMatchFailure(convert, "not i8 to f32 by 16 lanes");
    Operation *levels = convert.getIn().getDefiningOp();
    if (!isa_and_nonnull<arith::ShRSIOp, arith::ShRUIOp>(levels))
      return rewriter.notifyMatchFailure(convert, "not of a right shift");
    bool signedLevels = isa<arith::ShRSIOp>(levels);
    std::optional<int64_t> shift = splatConstant(levels->getOperand(1));
    if (!shift || *shift < 4 || *shift > 7)
      return rewriter.notifyMatchFailure(convert, "levels wider than 4 bits");
    Value bytes = levels->getOperand(0), slot;
    if (auto up = bytes.getDefiningOp<arith::ShLIOp>()) {
      bytes = up.getLhs();
      slot = up.getRhs();
    }

    Location loc = convert.getLoc();
    int64_t count = sourceType.getNumElements();
    auto flat = [&](Type element) { return VectorType::get({count}, element); };
    auto toFlat = [&](Value value, Type element) -> Value {
      Value flatValue = vector::ShapeCastOp::create(rewriter, loc,
                                                    flat(element), value);
      return arith::ExtUIOp::create(rewriter, loc,
                                    flat(rewriter.getI32Type()), flatValue);
    };
    Value index = toFlat(bytes, rewriter.getI8Type());
    if (slot)
      index = arith::ShLIOp::create(rewriter, loc, index,
                                    toFlat(slot, rewriter.getI8Type()));
    Value down = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(flat(rewriter.getI32Type()),
                               rewriter.getI32IntegerAttr(*shift)));
    index = arith::ShRUIOp::create(rewriter, loc, index, down);

    unsigned bits = 8 - *shift;
    SmallVector<float> entries;
    for (int64_t n = 0; n < kLanes; ++n) {
      // The level as the shift leaves it in an i8, then as converted.
      int64_t level = n % (int64_t(1) << bits);
      if (signedLevels && level >= (int64_t(1) << (bits - 1)))
        level -= int64_t(1) << bits;
      entries.push_back(std::is_same_v<ConvertOp, arith::SIToFPOp>
                            ? static_cast<float>(static_cast<int8_t>(level))
                            : static_cast<float>(static_cast<uint8_t>(level)));
    }
    auto chunkType = VectorType::get({kLanes}, rewriter.getF32Type());
    Value table = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(chunkType, ArrayRef<float>(entries)));
    Value result = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(flat(rewriter.getF32Type()),
                                              rewriter.getF32FloatAttr(0)));
    StringAttr permute = rewriter.getStringAttr("llvm.x86.avx512.permvar.sf.512");
    for (int64_t offset = 0; offset < count; offset += kLanes) {
      Value chunk = vector::ExtractStridedSliceOp::create(
          rewriter, loc, index, ArrayRef<int64_t>{offset},
          ArrayRef<int64_t>{kLanes}, ArrayRef<int64_t>{1});
      Value values = LLVM::CallIntrinsicOp::create(rewriter, loc, chunkType,
                                                   permute,
                                                   ValueRange{table, chunk})
                         .getResult(0);
      result = vector::InsertStridedSliceOp::create(
          rewriter, loc, values, result, ArrayRef<int64_t>{offset},
          ArrayRef<int64_t>{1});
    }
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(convert, resultType,
                                                     result);
    return success();
  }
};

struct X86LookupLevelsPass
    : adaround::impl::AdaroundX86LookupLevelsBase<X86LookupLevelsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    RewritePatternSet patterns(&getContext());
    adaround::populateX86LookupLevelsPatterns(patterns);
    bool changed = false;
    if (failed(applyPatternsGreedily(func, std::move(patterns),
                                     GreedyRewriteConfig(), &changed)))
      return signalPassFailure();
    // The lookups are AVX-512 instructions: the function must be compiled
    // for it whatever CPU the backend is told to target.
    if (changed)
      func->setAttr("target_features",
                    LLVM::TargetFeaturesAttr::get(&getContext(),
                                                  ArrayRef<StringRef>{"+avx512f"}));
  }
};

} // namespace

void mlir::adaround::populateX86LookupLevelsPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LookupLevels<arith::SIToFPOp>, LookupLevels<arith::UIToFPOp>>(
      patterns.getContext());
}
