//===- adaround-fuzz.cpp - libFuzzer over parse, verify and every pass ----===//
//
// Each input is MLIR text. It is parsed and verified; when that succeeds,
// every adaround pass and pipeline runs on its own copy. Diagnostics are
// expected (most inputs are invalid); a crash, a sanitizer report or a hang
// is the bug. Inputs are capped in size so that each run stays fast.
//
//   adaround-fuzz -max_total_time=60 corpus/ seeds/
//
//===----------------------------------------------------------------------===//

#include "adaround/Registration.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

const char *const kPipelines[] = {
    "adaround-calibrate",
    "adaround-calibrate{insert=1 bits=4}",
    ("adaround-calibrate{granularity=blockwise block-size=2 unsigned=1 "
     "symmetric=0}"),
    "adaround-calibrate{granularity=per-tensor bits=2}",
    "adaround-bake",
    "adaround-bake{pack=0 arith-dequant=1}",
    "adaround-bake{emit-float=1}",
    "convert-adaround-to-linalg",
    "adaround-calibrate{insert=1},adaround-bake,adaround-to-llvm",
    "adaround-to-llvm{vector-width=3}",
    "adaround-to-llvm{reduction-threads=100000}",
    "func.func(linalg-generalize-named-ops,"
    "adaround-split-reductions{min-chunk=2},adaround-lower-reductions)",
    "adaround-to-nvvm{max-inline-bytes=0}",
};

mlir::DialectRegistry &registry() {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry();
    mlir::adaround::registerAdaround(*r);
    return r;
  }();
  return *registry;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096)
    return -1;
  mlir::MLIRContext context(registry(),
                            mlir::MLIRContext::Threading::DISABLED);
  context.allowUnregisteredDialects(false);
  context.printOpOnDiagnostic(false);
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  // The lexer reads the terminating NUL that a file buffer has: give the
  // input one (libFuzzer's data has none).
  std::string source(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module || mlir::failed(mlir::verify(*module)))
    return 0;
  for (const char *pipeline : kPipelines) {
    mlir::OwningOpRef<mlir::ModuleOp> copy = module->clone();
    mlir::PassManager pm(&context, mlir::ModuleOp::getOperationName());
    if (mlir::failed(mlir::parsePassPipeline(pipeline, pm)))
      continue;
    (void)pm.run(*copy);
  }
  return 0;
}
