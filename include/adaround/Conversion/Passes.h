//===- Passes.h - adaround conversion passes --------------------*- C++ -*-===//

#ifndef ADAROUND_CONVERSION_PASSES_H
#define ADAROUND_CONVERSION_PASSES_H

#include "adaround/Conversion/AdaroundToLinalg/AdaroundToLinalg.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::adaround {

#define GEN_PASS_DECL
#include "adaround/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "adaround/Conversion/Passes.h.inc"

} // namespace mlir::adaround

#endif // ADAROUND_CONVERSION_PASSES_H
