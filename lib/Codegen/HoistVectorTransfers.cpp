//===- HoistVectorTransfers.cpp - Partial sums in registers ---------------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDHOISTVECTORTRANSFERS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {
struct HoistVectorTransfersPass
    : adaround::impl::AdaroundHoistVectorTransfersBase<
          HoistVectorTransfersPass> {
  void runOnOperation() override {
    linalg::hoistRedundantVectorTransfers(getOperation(),
                                          /*verifyNonZeroTrip=*/true);
  }
};
} // namespace
