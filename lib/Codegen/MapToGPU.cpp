//===- MapToGPU.cpp - Elementwise parallel loops to GPU blocks and threads -===//
//
// Each kernel's scf.parallel (from linalg) becomes one dimension of
// consecutive elements, cut into blocks of `block-size` threads: consecutive
// threads touch consecutive elements (coalesced). The small constants the
// loop reads are moved inside it, so that kernel outlining carries them into
// the GPU module (large ones have a device copy, from
// adaround-constants-to-device, passed as a kernel argument). Buffers only
// kernels use are allocated on the device; host buffers kernels use are
// registered with the GPU.
//
//===----------------------------------------------------------------------===//

#include "KernelUses.h"
#include "adaround/Codegen/Passes.h"
#include "adaround/Support/CheckedOptions.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"

#include <numeric>

namespace mlir::adaround {
#define GEN_PASS_DEF_ADAROUNDMAPTOGPU
#define GEN_PASS_DEF_ADAROUNDMATHTONVVM
#include "adaround/Codegen/Passes.h.inc"
} // namespace mlir::adaround

using namespace mlir;
using mlir::adaround::insideParallelLoop;
using mlir::adaround::usedInParallelLoop;

namespace {

bool isOutermost(scf::ParallelOp op) {
  return !op->getParentOfType<scf::ParallelOp>();
}

/// Whether `read` reads a global with data (not a declaration, such as the
/// device copies of adaround-constants-to-device, which stay kernel
/// arguments).
bool hasData(SymbolTableCollection &symbols, memref::GetGlobalOp read) {
  auto global = symbols.lookupNearestSymbolFrom<memref::GlobalOp>(
      read, read.getNameAttr());
  return global && !global.isExternal();
}

/// Whether only kernels touch `value`: every use, through views, is inside
/// a parallel loop or frees it.
bool onlyKernelsUse(Value value) {
  return llvm::all_of(value.getUsers(), [](Operation *user) {
    if (insideParallelLoop(user) || isa<memref::DeallocOp>(user))
      return true;
    return isa<ViewLikeOpInterface>(user) &&
           llvm::all_of(user->getResults(), onlyKernelsUse);
  });
}

/// Runs the asynchronous op `build` makes in a stream of its own and waits
/// for it: gpu-to-llvm lowers allocation and deallocation only in their
/// asynchronous form.
template <typename Build>
void inStream(RewriterBase &rewriter, Location loc, Build build) {
  Value start =
      gpu::WaitOp::create(rewriter, loc, rewriter.getType<gpu::AsyncTokenType>(),
                          ValueRange())
          .getAsyncToken();
  Value done = build(start);
  gpu::WaitOp::create(rewriter, loc, Type(), done);
}

/// Buffers only kernels touch live in device memory (gpu.alloc). Host
/// buffers that kernels also read or write are page-locked and mapped for
/// the GPU (cuMemHostRegister: with unified addressing the host pointer is
/// valid in kernels) from allocation to deallocation.
void placeBuffers(RewriterBase &rewriter, func::FuncOp func) {
  SmallVector<memref::AllocOp> allocs;
  func.walk([&](memref::AllocOp alloc) {
    if (!insideParallelLoop(alloc) &&
        usedInParallelLoop(alloc))
      allocs.push_back(alloc);
  });
  for (memref::AllocOp alloc : allocs) {
    Location loc = alloc.getLoc();
    SmallVector<Operation *> deallocs;
    for (Operation *user : alloc->getUsers())
      if (isa<memref::DeallocOp>(user))
        deallocs.push_back(user);

    if (onlyKernelsUse(alloc)) {
      rewriter.setInsertionPoint(alloc);
      Value device;
      inStream(rewriter, loc, [&](Value start) {
        auto deviceAlloc = gpu::AllocOp::create(
            rewriter, loc, alloc.getType(),
            rewriter.getType<gpu::AsyncTokenType>(), ValueRange{start},
            alloc.getDynamicSizes(), alloc.getSymbolOperands(),
            /*hostShared=*/false);
        device = deviceAlloc.getMemref();
        return deviceAlloc.getAsyncToken();
      });
      rewriter.replaceAllUsesWith(alloc, device);
      rewriter.eraseOp(alloc);
      for (Operation *dealloc : deallocs) {
        rewriter.setInsertionPoint(dealloc);
        inStream(rewriter, loc, [&](Value start) {
          return gpu::DeallocOp::create(
                     rewriter, loc, rewriter.getType<gpu::AsyncTokenType>(),
                     ValueRange{start}, device)
              .getAsyncToken();
        });
        rewriter.eraseOp(dealloc);
      }
      continue;
    }

    auto unranked = UnrankedMemRefType::get(
        alloc.getType().getElementType(), alloc.getType().getMemorySpace());
    rewriter.setInsertionPointAfter(alloc);
    Value cast = memref::CastOp::create(rewriter, loc, unranked, alloc);
    gpu::HostRegisterOp::create(rewriter, loc, cast);
    for (Operation *dealloc : deallocs) {
      rewriter.setInsertionPoint(dealloc);
      Value before = memref::CastOp::create(rewriter, loc, unranked, alloc);
      gpu::HostUnregisterOp::create(rewriter, loc, before);
    }
  }
}

struct MapToGPUPass : adaround::impl::AdaroundMapToGPUBase<MapToGPUPass> {
  using Base::Base;

  std::optional<std::string> optionError() {
    return adaround::checkOptionRange(getArgument(), "block-size", blockSize,
                                      1, adaround::kMaxThreadsPerBlock);
  }
  ADAROUND_CHECKED_OPTIONS

  void runOnOperation() override {
    if (reportedOptionError())
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    // One symbol table for all lookups: a model has many constants.
    SymbolTableCollection symbols;
    placeBuffers(rewriter, getOperation());
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp op) {
      if (isOutermost(op))
        loops.push_back(op);
    });
    for (scf::ParallelOp loop : loops) {
      // Constants read inside the kernel move into it.
      SmallVector<memref::GetGlobalOp> globals;
      llvm::SetVector<Value> usedAbove;
      getUsedValuesDefinedAbove(loop.getRegion(), usedAbove);
      for (Value operand : usedAbove)
        if (auto global = operand.getDefiningOp<memref::GetGlobalOp>();
            global && hasData(symbols, global))
          globals.push_back(global);
      rewriter.setInsertionPointToStart(loop.getBody());
      for (memref::GetGlobalOp global : globals) {
        Operation *clone = rewriter.clone(*global);
        rewriter.replaceUsesWithIf(global, clone->getResult(0),
                                   [&](OpOperand &use) {
                                     return loop->isProperAncestor(
                                         use.getOwner());
                                   });
        if (global->use_empty())
          rewriter.eraseOp(global);
      }

      unsigned rank = loop.getNumLoops();
      if (rank > 1) {
        std::vector<unsigned> all(rank);
        std::iota(all.begin(), all.end(), 0);
        rewriter.setInsertionPoint(loop);
        collapseParallelLoops(rewriter, loop, {all});
      }
    }
    loops.clear();
    getOperation().walk([&](scf::ParallelOp op) {
      if (isOutermost(op))
        loops.push_back(op);
    });
    for (scf::ParallelOp loop : loops)
      scf::tileParallelLoop(loop, {static_cast<int64_t>(blockSize)},
                            /*noMinMaxBounds=*/true);
  }
};

/// math.floor on f32 as the NVVM intrinsic (cvt.rmi.f32.f32): the GPU-to-NVVM
/// conversion would make it a libdevice call (__nv_floorf), which needs the
/// CUDA toolkit's libdevice at binary time.
struct FloorToNVVM : OpRewritePattern<math::FloorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FloorOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().isF32())
      return rewriter.notifyMatchFailure(op, "not f32");
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, op.getType(), rewriter.getStringAttr("llvm.nvvm.floor.f"),
        ValueRange{op.getOperand()});
    return success();
  }
};

/// math.fma on f32 as llvm.fma (fma.rn.f32), for the same reason.
struct FmaToNVVM : OpRewritePattern<math::FmaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FmaOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().isF32())
      return rewriter.notifyMatchFailure(op, "not f32");
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, op.getType(), rewriter.getStringAttr("llvm.fma.f32"),
        op->getOperands());
    return success();
  }
};

struct MathToNVVMPass
    : adaround::impl::AdaroundMathToNVVMBase<MathToNVVMPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FloorToNVVM, FmaToNVVM>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
