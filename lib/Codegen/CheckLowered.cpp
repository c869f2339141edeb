//===- CheckLowered.cpp - Name what a pipeline could not lower ------------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDCHECKLOWERED
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {
struct CheckLoweredPass
    : adaround::impl::AdaroundCheckLoweredBase<CheckLoweredPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool clean = true;
    module.walk([&](Operation *op) {
      if (op == module.getOperation())
        return WalkResult::advance();
      StringRef dialect = op->getName().getDialectNamespace();
      if (dialect == "builtin" || llvm::is_contained(allowedDialects, dialect))
        return WalkResult::advance();
      op->emitError() << "'" << op->getName()
                      << "' was not lowered: the pipeline leaves only "
                      << llvm::join(allowedDialects, ", ") << " ops";
      clean = false;
      return WalkResult::skip();
    });
    if (!clean)
      signalPassFailure();
  }
};
} // namespace
