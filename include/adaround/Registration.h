//===- Registration.h - One call each to use adaround -----------*- C++ -*-===//
//
// What another tool needs to use this project: the dialect (with the dialects
// its passes create) and every pass and pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef ADAROUND_REGISTRATION_H
#define ADAROUND_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::adaround {

/// Adds the adaround dialect (and the quant dialect its types live in).
void registerAdaroundDialect(DialectRegistry &registry);

/// Registers every adaround pass and the `--adaround-to-llvm` and
/// `--adaround-to-nvvm` pipelines with the global pass registry.
void registerAdaroundPasses();

} // namespace mlir::adaround

#endif // ADAROUND_REGISTRATION_H
