//===- CheckedOptions.h - Pass options checked once ------------*- C++ -*-===//
//
// A pass option given on the command line is checked when the pipeline is
// parsed (an `error:` line naming the option and value, nothing run); one set
// from C++ is checked again when the pass runs.
//
//===----------------------------------------------------------------------===//

#ifndef ADAROUND_SUPPORT_CHECKEDOPTIONS_H
#define ADAROUND_SUPPORT_CHECKEDOPTIONS_H

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FormatVariadic.h"

#include <optional>
#include <string>

namespace mlir::adaround {

/// The largest `vector-width` (f32 lanes) and `block-size` (threads per GPU
/// block) any pass or pipeline accepts.
inline constexpr int64_t kMaxVectorWidth = 1024;
inline constexpr int64_t kMaxThreadsPerBlock = 1024;
/// The largest CPU thread count `--adaround-to-llvm` accepts.
inline constexpr int64_t kMaxThreads = 4096;

/// "PASS: option 'OPTION' must be LO to HI, got VALUE" when out of range.
inline std::optional<std::string> checkOptionRange(StringRef pass,
                                                   StringRef option,
                                                   int64_t value, int64_t lo,
                                                   int64_t hi) {
  if (value >= lo && value <= hi)
    return std::nullopt;
  return llvm::formatv("{0}: option '{1}' must be {2} to {3}, got {4}", pass,
                       option, lo, hi, value)
      .str();
}

/// "PASS: option 'OPTION' must be at least LO, got VALUE" when below.
inline std::optional<std::string> checkOptionAtLeast(StringRef pass,
                                                     StringRef option,
                                                     int64_t value,
                                                     int64_t lo) {
  if (value >= lo)
    return std::nullopt;
  return llvm::formatv("{0}: option '{1}' must be at least {2}, got {3}", pass,
                       option, lo, value)
      .str();
}

/// Overrides for a pass whose `optionError()` names a bad option.
#define ADAROUND_CHECKED_OPTIONS                                               \
  LogicalResult initializeOptions(                                             \
      StringRef options,                                                       \
      function_ref<LogicalResult(const Twine &)> errorHandler) override {      \
    if (failed(Base::initializeOptions(options, errorHandler)))                \
      return failure();                                                        \
    if (std::optional<std::string> error = optionError())                      \
      return errorHandler(*error);                                             \
    return success();                                                          \
  }                                                                            \
  bool reportedOptionError() {                                                 \
    std::optional<std::string> error = optionError();                          \
    if (error)                                                                 \
      emitError(getOperation()->getLoc()) << *error;                           \
    return error.has_value();                                                  \
  }

} // namespace mlir::adaround

#endif // ADAROUND_SUPPORT_CHECKEDOPTIONS_H
