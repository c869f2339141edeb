//===- LowerReductions.cpp - Reductions to loops with register accumulators ===//
//
// `convert-linalg-to-parallel-loops` turns a reduction (a matvec, a matmul,
// a convolution) into parallel loops around sequential loops that load the
// output element, add one product and store it back, every step: a memory
// round trip per weight, which on a GPU thread is a dependent load after a
// store. Here the same loops carry the output element as a loop value
// instead, loaded before the reduction and stored after it.
//
// Linalg on buffers reads its inputs and updates each output element in
// place; the rewrite relies on the inputs not aliasing the outputs, which
// bufferization guarantees for the ops it creates. An output read as an
// input too (visibly: the same buffer or views of it) is left as it was.
//
//===----------------------------------------------------------------------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDLOWERREDUCTIONS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

/// The buffer `value` views (through view-like ops), or `value` itself.
Value underlyingBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

/// The load and store of one element of `buffer` directly in `loop`'s body,
/// at indices fixed across the loop, when they are the loop's only accesses
/// to `buffer`.
std::optional<std::pair<memref::LoadOp, memref::StoreOp>>
findAccumulator(scf::ForOp loop, Value buffer) {
  memref::LoadOp load;
  memref::StoreOp store;
  for (Operation *user : buffer.getUsers()) {
    if (!loop->isProperAncestor(user))
      continue;
    if (user->getParentOp() != loop)
      return std::nullopt;
    if (auto read = dyn_cast<memref::LoadOp>(user); read && !load)
      load = read;
    else if (auto write = dyn_cast<memref::StoreOp>(user);
             write && !store && write.getMemRef() == buffer)
      store = write;
    else
      return std::nullopt;
  }
  if (!load || !store || !load->isBeforeInBlock(store) ||
      load.getIndices() != store.getIndices() ||
      !llvm::all_of(load.getIndices(), [&](Value index) {
        return loop.isDefinedOutsideOfLoop(index);
      }))
    return std::nullopt;
  return std::make_pair(load, store);
}

/// Carries the element of `buffer` that `loop` accumulates into as a loop
/// value. Returns the new loop, or nullptr when there is no such element.
scf::ForOp carryAccumulator(RewriterBase &rewriter, scf::ForOp loop,
                            Value buffer) {
  std::optional<std::pair<memref::LoadOp, memref::StoreOp>> accumulator =
      findAccumulator(loop, buffer);
  if (!accumulator)
    return nullptr;
  auto [load, store] = *accumulator;
  rewriter.setInsertionPoint(loop);
  Value initial = memref::LoadOp::create(rewriter, load.getLoc(), buffer,
                                         load.getIndices());
  Value update = store.getValueToStore();
  FailureOr<LoopLikeOpInterface> carried =
      cast<LoopLikeOpInterface>(loop.getOperation())
          .replaceWithAdditionalYields(
              rewriter, initial, /*replaceInitOperandUsesInLoop=*/false,
              [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
                return SmallVector<Value>{update};
              });
  if (failed(carried))
    return nullptr;
  auto newLoop = cast<scf::ForOp>(carried->getOperation());
  rewriter.replaceAllUsesWith(load.getResult(),
                              newLoop.getRegionIterArgs().back());
  SmallVector<Value> indices(store.getIndices());
  rewriter.eraseOp(store);
  rewriter.eraseOp(load);
  rewriter.setInsertionPointAfter(newLoop);
  memref::StoreOp::create(rewriter, newLoop.getLoc(),
                          newLoop.getResults().back(), buffer, indices);
  return newLoop;
}

struct LowerReductionsPass
    : adaround::impl::AdaroundLowerReductionsBase<LowerReductionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> reductions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && op.getNumReductionLoops() > 0)
        reductions.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : reductions) {
      // An output that is also read as an input (the same buffer, or views
      // of it) keeps its per-step load and store: the loops then see each
      // update, as the op written on buffers does.
      SmallVector<Value> outputs;
      for (OpOperand &init : op.getDpsInitsMutable())
        if (llvm::none_of(op.getDpsInputs(), [&](Value input) {
              return underlyingBuffer(input) == underlyingBuffer(init.get());
            }))
          outputs.push_back(init.get());
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::LinalgLoops> loops =
          linalg::linalgOpToParallelLoops(rewriter, op);
      if (failed(loops) || loops->empty())
        continue;
      rewriter.eraseOp(op);
      // Innermost reduction loop first: each step moves the accumulator out
      // of one loop, into the one around it.
      Operation *outermost = loops->front();
      while (llvm::is_contained(*loops, outermost->getParentOp()))
        outermost = outermost->getParentOp();
      SmallVector<scf::ForOp> reductionLoops;
      outermost->walk([&](scf::ForOp loop) { reductionLoops.push_back(loop); });
      // The output's indices, computed once per element (the lowering
      // computes them afresh for the load and for the store).
      for (scf::ForOp loop : reductionLoops)
        moveLoopInvariantCode(loop);
      DominanceInfo dominance;
      eliminateCommonSubExpressions(rewriter, dominance, outermost);
      for (scf::ForOp loop : reductionLoops)
        for (Value output : outputs)
          if (scf::ForOp carried = carryAccumulator(rewriter, loop, output))
            loop = carried;
    }
  }
};

} // namespace
