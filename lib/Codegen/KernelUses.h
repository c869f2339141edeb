//===- KernelUses.h - Which values the future GPU kernels use ---*- C++ -*-===//
//
// Before outlining, a GPU kernel is an outermost scf.parallel: these tell
// the GPU passes whether a buffer or constant is used inside one, on the
// host, or both. Internal to lib/Codegen.
//
//===----------------------------------------------------------------------===//

#ifndef ADAROUND_LIB_CODEGEN_KERNELUSES_H
#define ADAROUND_LIB_CODEGEN_KERNELUSES_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::adaround {

inline bool insideParallelLoop(Operation *op) {
  return op->getParentOfType<scf::ParallelOp>() != nullptr;
}

/// Whether `value`, or a view of it, is used inside a parallel loop.
inline bool usedInParallelLoop(Value value) {
  return llvm::any_of(value.getUsers(), [](Operation *user) {
    return insideParallelLoop(user) ||
           (isa<ViewLikeOpInterface>(user) &&
            llvm::any_of(user->getResults(), usedInParallelLoop));
  });
}

} // namespace mlir::adaround

#endif // ADAROUND_LIB_CODEGEN_KERNELUSES_H
