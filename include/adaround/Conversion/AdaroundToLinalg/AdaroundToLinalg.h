//===- AdaroundToLinalg.h - adaround.fake_quant to linalg -------*- C++ -*-===//

#ifndef ADAROUND_CONVERSION_ADAROUNDTOLINALG_ADAROUNDTOLINALG_H
#define ADAROUND_CONVERSION_ADAROUNDTOLINALG_ADAROUNDTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::adaround {

class FakeQuantOp;

/// Adds the pattern rewriting `adaround.fake_quant` into a `linalg.generic` on
/// tensors (plus constants and reshapes), for use inside other conversions.
/// The pattern fails to match an uncalibrated op or one whose `v` values are
/// unavailable.
void populateAdaroundToLinalgPatterns(RewritePatternSet &patterns);

/// Lowers one op, replacing it. On failure emits an error on `op` (naming the
/// reason) and leaves the IR unchanged.
LogicalResult lowerFakeQuantToLinalg(RewriterBase &rewriter, FakeQuantOp op);

} // namespace mlir::adaround

#endif // ADAROUND_CONVERSION_ADAROUNDTOLINALG_ADAROUNDTOLINALG_H
