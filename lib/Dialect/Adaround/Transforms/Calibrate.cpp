#include "adaround/Dialect/Adaround/Transforms/Passes.h"
namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDCALIBRATE
#include "adaround/Dialect/Adaround/Transforms/Passes.h.inc"
} // namespace mlir::adaround
namespace {
struct CalibratePass : mlir::adaround::impl::AdaroundCalibrateBase<CalibratePass> {
  using Base::Base;
  void runOnOperation() override { signalPassFailure(); }
};
}
