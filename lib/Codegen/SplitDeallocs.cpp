//===- SplitDeallocs.cpp - One dealloc per unaliased buffer, freed early --===//
//
// Runs between ownership-based deallocation and upstream simplification,
// whose pairwise alias checks on one dealloc per block are quadratic in the
// number of kernels. Distinct `memref.alloc` results never alias, so each can
// be freed on its own, and as soon as nothing reads it any more.
//
//===----------------------------------------------------------------------===//

#include "adaround/Codegen/Passes.h"

#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDSPLITDEALLOCS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

/// The value `view` is a view of, through any chain of view-like ops.
Value viewRoot(Value view) {
  while (auto viewLike = view.getDefiningOp<ViewLikeOpInterface>())
    view = viewLike.getViewSource();
  return view;
}

/// The allocations the retained values of `dealloc` may alias, or nothing
/// when one of them has an origin this pass cannot name. Arguments of the
/// function are never allocations made inside it.
std::optional<SmallPtrSet<Operation *, 4>>
retainedAllocations(bufferization::DeallocOp dealloc, Block &entry) {
  SmallPtrSet<Operation *, 4> allocations;
  for (Value retained : dealloc.getRetained()) {
    Value root = viewRoot(retained);
    if (auto arg = dyn_cast<BlockArgument>(root); arg && arg.getOwner() == &entry)
      continue;
    if (!root.getDefiningOp<memref::AllocOp>())
      return std::nullopt;
    allocations.insert(root.getDefiningOp());
  }
  return allocations;
}

/// Whether `op` may make `view` reachable other than through its own results
/// or outlive its block: control transfer, calls, memref results, or
/// storing the memref itself into memory.
bool mayCaptureAlias(Operation *op, Value view) {
  if (op->hasTrait<OpTrait::IsTerminator>() || isa<CallOpInterface>(op))
    return true;
  if (auto store = dyn_cast<memref::StoreOp>(op);
      store && store.getValueToStore() == view)
    return true;
  return llvm::any_of(op->getResultTypes(),
                      [](Type type) { return isa<BaseMemRefType>(type); });
}

/// The op of `block` after which `buffer` (allocated in `block`) is dead: the
/// last one that uses it or a view of it, or null when a use could keep an
/// alias alive or lies outside the block.
Operation *lastUse(Value buffer, Block *block) {
  Operation *last = buffer.getDefiningOp();
  SmallVector<Value> views = {buffer};
  while (!views.empty()) {
    Value view = views.pop_back_val();
    for (Operation *user : view.getUsers()) {
      if (isa<bufferization::DeallocOp>(user))
        continue;
      if (auto viewLike = dyn_cast<ViewLikeOpInterface>(user);
          viewLike && viewLike.getViewSource() == view) {
        views.push_back(viewLike->getResult(0));
      } else if (mayCaptureAlias(user, view)) {
        return nullptr;
      }
      Operation *inBlock = block->findAncestorOpInBlock(*user);
      if (!inBlock)
        return nullptr;
      if (last->isBeforeInBlock(inBlock))
        last = inBlock;
    }
  }
  return last;
}

struct SplitDeallocsPass
    : adaround::impl::AdaroundSplitDeallocsBase<SplitDeallocsPass> {
  void runOnOperation() override {
    SmallVector<bufferization::DeallocOp> deallocs;
    getOperation().walk(
        [&](bufferization::DeallocOp op) { deallocs.push_back(op); });
    for (bufferization::DeallocOp dealloc : deallocs)
      split(dealloc);
  }

  void split(bufferization::DeallocOp dealloc) {
    std::optional<SmallPtrSet<Operation *, 4>> retained =
        retainedAllocations(dealloc, getOperation().getBody().front());
    if (!retained)
      return;
    Block *block = dealloc->getBlock();
    llvm::SmallDenseMap<Value, unsigned> listed;
    for (Value memref : dealloc.getMemrefs())
      ++listed[memref];

    SmallVector<Value> keptMemrefs, keptConditions;
    OpBuilder builder(dealloc);
    for (auto [memref, condition] :
         llvm::zip_equal(dealloc.getMemrefs(), dealloc.getConditions())) {
      auto alloc = memref.getDefiningOp<memref::AllocOp>();
      if (!alloc || alloc->getBlock() != block || listed[memref] != 1 ||
          retained->contains(alloc)) {
        keptMemrefs.push_back(memref);
        keptConditions.push_back(condition);
        continue;
      }
      // Free early only where the condition is already known.
      Operation *after = lastUse(memref, block);
      Operation *conditionOp = condition.getDefiningOp();
      if (after && conditionOp && conditionOp->getBlock() == block &&
          after->isBeforeInBlock(conditionOp))
        after = conditionOp;
      if (after)
        builder.setInsertionPointAfter(after);
      else
        builder.setInsertionPoint(dealloc);
      bufferization::DeallocOp::create(builder, dealloc.getLoc(), memref,
                                       condition, ValueRange());
    }
    if (keptMemrefs.size() == dealloc.getMemrefs().size())
      return;
    // The split memrefs alias no retained value: they added nothing to the
    // retained values' updated conditions, which are false when none is left.
    builder.setInsertionPoint(dealloc);
    if (keptMemrefs.empty() && !dealloc.getRetained().empty()) {
      Value no = arith::ConstantIntOp::create(builder, dealloc.getLoc(), 0, 1);
      for (Value updated : dealloc.getUpdatedConditions())
        updated.replaceAllUsesWith(no);
    } else if (!keptMemrefs.empty()) {
      auto rest = bufferization::DeallocOp::create(
          builder, dealloc.getLoc(), keptMemrefs, keptConditions,
          dealloc.getRetained());
      dealloc->replaceAllUsesWith(rest);
    }
    dealloc->erase();
  }
};

} // namespace
