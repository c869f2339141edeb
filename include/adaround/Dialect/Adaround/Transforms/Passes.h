//===- Passes.h - adaround dialect transformations --------------*- C++ -*-===//

#ifndef ADAROUND_DIALECT_ADAROUND_TRANSFORMS_PASSES_H
#define ADAROUND_DIALECT_ADAROUND_TRANSFORMS_PASSES_H

#include "adaround/Dialect/Adaround/IR/Adaround.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::adaround {

#define GEN_PASS_DECL
#include "adaround/Dialect/Adaround/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "adaround/Dialect/Adaround/Transforms/Passes.h.inc"

} // namespace mlir::adaround

#endif // ADAROUND_DIALECT_ADAROUND_TRANSFORMS_PASSES_H
