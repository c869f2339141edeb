//===- Passes.h - Learning the rounding logits V ----------------*- C++ -*-===//

#ifndef ADAROUND_LEARN_PASSES_H
#define ADAROUND_LEARN_PASSES_H

#include "adaround/Dialect/Adaround/IR/Adaround.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::adaround {

#define GEN_PASS_DECL
#include "adaround/Learn/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "adaround/Learn/Passes.h.inc"

} // namespace mlir::adaround

#endif // ADAROUND_LEARN_PASSES_H
