//===- ParallelizeLoops.cpp - Marked loops as chunks of an scf.parallel ---===//
//
// Independence is known where the loops are made (tiling a parallel
// dimension on tensors) and lost by the time threads can be introduced
// (after bufferization, which is also what may make iterations share a
// hoisted scratch buffer). The mark carries the first fact across; this
// pass checks the second.
//
//===----------------------------------------------------------------------===//

#include "adaround/Codegen/Passes.h"
#include "adaround/Support/CheckedOptions.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDPARALLELIZELOOPS
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;

namespace {

/// The largest `chunks` accepted: far more than any machine's cores.
constexpr int64_t kMaxChunks = 1 << 16;

/// Scratch buffers of `loop`: allocated before it in its block or in an
/// enclosing one (buffer-loop-hoisting lifts them out of serial loops around
/// it: the blocks of a long reduction), used only inside it and by
/// deallocations in the allocation's block (with those deallocations).
/// Buffers with other uses outside are the kernel's inputs and outputs,
/// which the iterations share by design (each writes its own tile).
SmallVector<std::pair<memref::AllocOp, SmallVector<Operation *>>>
scratchBuffers(scf::ForOp loop) {
  SmallVector<std::pair<memref::AllocOp, SmallVector<Operation *>>> scratch;
  for (Operation *enclosing = loop;
       enclosing && !isa<FunctionOpInterface>(enclosing);
       enclosing = enclosing->getParentOp()) {
    for (Operation *op = enclosing->getPrevNode(); op; op = op->getPrevNode()) {
      auto alloc = dyn_cast<memref::AllocOp>(op);
      if (!alloc)
        continue;
      bool usedInside = false, usedOutside = false;
      SmallVector<Operation *> deallocs;
      for (Operation *user : alloc->getUsers()) {
        if (loop->isAncestor(user))
          usedInside = true;
        else if (isa<memref::DeallocOp>(user) &&
                 user->getBlock() == alloc->getBlock())
          deallocs.push_back(user);
        else
          usedOutside = true;
      }
      if (usedInside && !usedOutside)
        scratch.emplace_back(alloc, std::move(deallocs));
    }
  }
  return scratch;
}

struct ParallelizeLoopsPass
    : adaround::impl::AdaroundParallelizeLoopsBase<ParallelizeLoopsPass> {
  using Base::Base;

  std::optional<std::string> optionError() {
    return adaround::checkOptionRange(getArgument(), "chunks", chunks, 1,
                                      kMaxChunks);
  }
  ADAROUND_CHECKED_OPTIONS

  void runOnOperation() override {
    if (reportedOptionError())
      return signalPassFailure();
    // Outer loops first: a marked loop inside one already made parallel
    // stays serial (one level of threads).
    SmallVector<scf::ForOp> marked;
    getOperation().walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
      if (loop->removeAttr(adaround::kParallelLoopAttr) &&
          loop.getNumResults() == 0)
        marked.push_back(loop);
    });
    for (scf::ForOp loop : marked)
      if (!loop->getParentOfType<scf::ParallelOp>())
        parallelize(loop);
  }

  /// for %i = lb to ub step s  ->  parallel %c = 0 to n {
  ///   for %i = lb + c * per * s to min(lb + (c + 1) * per * s, ub) step s }
  /// with `per` iterations per chunk and n chunks (at most `chunks`).
  void parallelize(scf::ForOp loop) {
    std::optional<APInt> trips = loop.getStaticTripCount();
    if (!loop.getInductionVar().getType().isIndex() || loop.getUnsignedCmp() ||
        (trips && trips->ule(1)))
      return;
    OpBuilder b(loop);
    Location loc = loop.getLoc();
    Type type = loop.getInductionVar().getType();
    auto constant = [&](int64_t value) {
      return arith::ConstantOp::create(b, loc, type,
                                       b.getIntegerAttr(type, value))
          .getResult();
    };
    Value lb = loop.getLowerBound(), ub = loop.getUpperBound(),
          step = loop.getStep();
    // Trip count ceil((ub - lb) / step), zero when ub <= lb.
    Value zero = constant(0), one = constant(1);
    Value span = arith::MaxSIOp::create(b, loc, zero,
                                        arith::SubIOp::create(b, loc, ub, lb));
    Value count = arith::CeilDivSIOp::create(b, loc, span, step);
    Value pieces = arith::MinSIOp::create(b, loc, count, constant(chunks));
    Value per = arith::CeilDivSIOp::create(
        b, loc, count, arith::MaxSIOp::create(b, loc, pieces, one));
    Value stride = arith::MulIOp::create(b, loc, per, step);
    auto parallel = scf::ParallelOp::create(
        b, loc, ValueRange{zero}, ValueRange{pieces}, ValueRange{one});
    b.setInsertionPointToStart(parallel.getBody());
    Value chunk = parallel.getInductionVars().front();
    Value first = arith::AddIOp::create(
        b, loc, lb, arith::MulIOp::create(b, loc, chunk, stride));
    Value last = arith::MinSIOp::create(
        b, loc, ub, arith::AddIOp::create(b, loc, first, stride));
    // Each chunk gets its own scratch, freed when the chunk is done.
    SmallVector<std::pair<memref::AllocOp, SmallVector<Operation *>>> scratch =
        scratchBuffers(loop);
    for (auto &[alloc, deallocs] : scratch) {
      alloc->moveBefore(parallel.getBody(), parallel.getBody()->begin());
      for (Operation *dealloc : deallocs)
        dealloc->erase();
    }
    loop->moveBefore(parallel.getBody()->getTerminator());
    loop.getLowerBoundMutable().assign(first);
    loop.getUpperBoundMutable().assign(last);
    b.setInsertionPoint(parallel.getBody()->getTerminator());
    for (auto &[alloc, deallocs] : scratch)
      memref::DeallocOp::create(b, loc, alloc);
  }
};

} // namespace
