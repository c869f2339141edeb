//===- ExpandMath.cpp - Polynomial approximation of math functions --------===//
//
// Upstream exposes the approximations only as patterns (its pass is a test
// pass that Debian does not ship). Without them `math.exp` becomes a scalar
// libm call per element on the CPU and a libdevice call on NVIDIA GPUs.
//
//===----------------------------------------------------------------------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDEXPANDMATH
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {
struct ExpandMathPass
    : adaround::impl::AdaroundExpandMathBase<ExpandMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) { return true; });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
