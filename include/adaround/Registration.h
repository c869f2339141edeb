//===- Registration.h - One call each to use adaround -----------*- C++ -*-===//
//
// What another tool needs to use this project. `registerAdaround` is the one
// call that gives a tool everything the passes and pipelines need; the two
// narrower calls are for tools that manage the rest themselves.
//
//===----------------------------------------------------------------------===//

#ifndef ADAROUND_REGISTRATION_H
#define ADAROUND_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::adaround {

/// Everything: every upstream dialect and its extensions (the interfaces the
/// pipelines tile, vectorize and bufferize through), the LLVM IR
/// translations the GPU pipeline serializes with, the adaround dialect, and
/// every pass and pipeline (`registerAdaroundPasses`).
void registerAdaround(DialectRegistry &registry);

/// Adds the adaround dialect (and the quant dialect its types live in).
void registerAdaroundDialect(DialectRegistry &registry);

/// Registers every adaround pass, the `--adaround-to-llvm` and
/// `--adaround-to-nvvm` pipelines, and the upstream passes those pipelines
/// name, with the global pass registry. The pipelines also need the dialect
/// extensions in the context (see `registerAdaround`); without them they
/// fail with a diagnostic naming what is missing.
void registerAdaroundPasses();

} // namespace mlir::adaround

#endif // ADAROUND_REGISTRATION_H
