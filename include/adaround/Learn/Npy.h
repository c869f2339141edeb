//===- Npy.h - Reading calibration data from .npy files ---------*- C++ -*-===//

#ifndef ADAROUND_LEARN_NPY_H
#define ADAROUND_LEARN_NPY_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::adaround::learn {

/// An array read from a .npy file, converted to f32.
struct NpyArray {
  llvm::SmallVector<int64_t> shape;
  std::vector<float> values;
  /// The file's dtype (e.g. "<f8") when it was converted, else empty.
  std::string convertedFrom;
};

/// Reads `path`: little-endian f4 (as is), f8, signed or unsigned integers
/// of 1-8 bytes and bool (converted), C order. On failure returns false with
/// `error` saying what is wrong (not a .npy file, unsupported dtype or order,
/// truncated data, a value that is NaN or infinite, ...).
bool readNpy(llvm::StringRef path, NpyArray &array, std::string &error);

} // namespace mlir::adaround::learn

#endif // ADAROUND_LEARN_NPY_H
