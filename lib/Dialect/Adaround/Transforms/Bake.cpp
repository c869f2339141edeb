#include "adaround/Dialect/Adaround/Transforms/Passes.h"
namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDBAKE
#include "adaround/Dialect/Adaround/Transforms/Passes.h.inc"
} // namespace mlir::adaround
namespace {
struct BakePass : mlir::adaround::impl::AdaroundBakeBase<BakePass> {
  using Base::Base;
  void runOnOperation() override { signalPassFailure(); }
};
}
