//===- CheckRegistration.cpp - Name the extensions a tool forgot ----------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDCHECKREGISTRATION
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

/// Whether the op `OpT` carries interface `Interface` in this context.
template <typename OpT, typename Interface>
bool implements(MLIRContext *ctx) {
  std::optional<RegisteredOperationName> name =
      RegisteredOperationName::lookup(TypeID::get<OpT>(), ctx);
  return name && name->hasInterface<Interface>();
}

struct CheckRegistrationPass
    : adaround::impl::AdaroundCheckRegistrationBase<CheckRegistrationPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    using bufferization::BufferizableOpInterface;
    struct Need {
      bool present;
      StringRef what;
    } needs[] = {
        {implements<linalg::GenericOp, TilingInterface>(ctx),
         "linalg.generic has no TilingInterface model"},
        {implements<linalg::GenericOp, BufferizableOpInterface>(ctx),
         "linalg.generic has no BufferizableOpInterface model"},
        {implements<tensor::EmptyOp, BufferizableOpInterface>(ctx),
         "tensor.empty has no BufferizableOpInterface model"},
        {implements<arith::ConstantOp, BufferizableOpInterface>(ctx),
         "arith.constant has no BufferizableOpInterface model"},
        {implements<scf::ForOp, BufferizableOpInterface>(ctx),
         "scf.for has no BufferizableOpInterface model"},
        {implements<vector::TransferWriteOp, BufferizableOpInterface>(ctx),
         "vector.transfer_write has no BufferizableOpInterface model"},
    };
    for (const Need &need : needs) {
      if (need.present)
        continue;
      // At the module's location, without the module printed as a note.
      emitError(getOperation().getLoc())
          << "the adaround pipelines cannot run in this tool: " << need.what
          << "; register the dialect extensions (mlir::adaround::"
             "registerAdaround, or mlir::registerAllExtensions)";
      return signalPassFailure();
    }
  }
};

} // namespace
