//===- SplitBlocks.cpp - A block per loop, before scf-to-cf ---------------===//
//
// Lowering a loop to branches splits its block in two; in dialect conversion
// that moves every later op of the block one at a time, with a record for
// rollback. A function of n kernels then costs O(n^2). Splitting the blocks
// here first, from the end, moves each op once.
//
//===----------------------------------------------------------------------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDSPLITBLOCKS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

struct SplitBlocksPass : adaround::impl::AdaroundSplitBlocksBase<SplitBlocksPass> {
  void runOnOperation() override {
    Region &body = getOperation().getBody();
    SmallVector<Block *> blocks = llvm::to_vector(
        llvm::map_range(body, [](Block &block) { return &block; }));
    for (Block *block : blocks) {
      SmallVector<Operation *> regionOps;
      for (Operation &op : *block)
        if (op.getNumRegions() > 0 && &op != &block->front())
          regionOps.push_back(&op);
      for (Operation *op : llvm::reverse(regionOps)) {
        Block *rest = block->splitBlock(op);
        OpBuilder builder = OpBuilder::atBlockEnd(block);
        cf::BranchOp::create(builder, op->getLoc(), rest);
      }
    }
  }
};

} // namespace
