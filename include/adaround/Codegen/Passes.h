//===- Passes.h - Code generation passes of the pipelines -------*- C++ -*-===//

#ifndef ADAROUND_CODEGEN_PASSES_H
#define ADAROUND_CODEGEN_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::adaround {

/// Unit attribute on an `scf.for` whose iterations are independent (it tiles
/// a parallel dimension of a kernel): adaround-parallelize-loops may run it on
/// several threads.
inline constexpr llvm::StringLiteral kParallelLoopAttr = "adaround.parallel";

/// Name prefix of the external globals that stand for device copies of host
/// constants, between adaround-constants-to-device and
/// adaround-resolve-device-constants.
inline constexpr llvm::StringLiteral kDeviceConstantPrefix =
    "__adaround_device.";

/// Converts packed weight levels (`sitofp(shrsi(shli(bytes, slot), c))` on
/// vectors of i8, levels of at most 4 bits) to f32 by AVX-512 table lookups.
void populateX86LookupLevelsPatterns(RewritePatternSet &patterns);

#define GEN_PASS_DECL
#include "adaround/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "adaround/Codegen/Passes.h.inc"

} // namespace mlir::adaround

#endif // ADAROUND_CODEGEN_PASSES_H
