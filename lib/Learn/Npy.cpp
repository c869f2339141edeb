//===- Npy.cpp - Reading calibration data from .npy files -----------------===//
//
// The format: "\x93NUMPY", a version (1.0: 2-byte header length; 2.0 and
// 3.0: 4 bytes), then a Python dict literal with 'descr', 'fortran_order'
// and 'shape', then the raw data.
//
//===----------------------------------------------------------------------===//

#include "adaround/Learn/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"

#include <cmath>
#include <cstring>

using namespace llvm;

namespace mlir::adaround::learn {

namespace {

/// The value of `key` in the header dict (up to the next top-level comma
/// or the closing brace), or empty.
StringRef headerField(StringRef header, StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t at = header.find(quoted);
  if (at == StringRef::npos)
    return {};
  StringRef rest = header.drop_front(at + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return {};
  rest = rest.ltrim();
  size_t end = rest.starts_with("(") ? rest.find(')') + 1 : rest.find_first_of(",}");
  return end == StringRef::npos ? StringRef() : rest.take_front(end).trim();
}

template <typename T> float load(const char *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return static_cast<float>(value);
}

} // namespace

bool readNpy(StringRef path, NpyArray &array, std::string &error) {
  auto fail = [&](const Twine &why) {
    error = why.str();
    return false;
  };
  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path);
  if (!file)
    return fail("cannot be read: " + file.getError().message());
  StringRef bytes = (*file)->getBuffer();
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return fail("is not a .npy file (no \\x93NUMPY magic)");
  uint8_t major = bytes[6];
  size_t lengthBytes = major == 1 ? 2 : (major == 2 || major == 3) ? 4 : 0;
  if (!lengthBytes)
    return fail("has unsupported .npy version " + Twine(unsigned(major)));
  if (bytes.size() < 8 + lengthBytes)
    return fail("is truncated in its header");
  uint64_t headerLength =
      lengthBytes == 2
          ? support::endian::read16le(bytes.data() + 8)
          : support::endian::read32le(bytes.data() + 8);
  size_t dataStart = 8 + lengthBytes + headerLength;
  if (bytes.size() < dataStart)
    return fail("is truncated in its header");
  StringRef header = bytes.slice(8 + lengthBytes, dataStart);

  StringRef descr = headerField(header, "descr").trim("'\"");
  StringRef order = headerField(header, "fortran_order");
  StringRef shapeText = headerField(header, "shape");
  if (descr.empty() || order.empty() || !shapeText.consume_front("(") ||
      !shapeText.consume_back(")"))
    return fail("has a malformed header: " + header.trim());
  if (order != "False")
    return fail("is in Fortran order; save it in C order");
  array.shape.clear();
  SmallVector<StringRef> dims;
  shapeText.split(dims, ',', -1, /*KeepEmpty=*/false);
  uint64_t count = 1;
  for (StringRef dim : dims) {
    uint64_t size;
    if (dim.trim().getAsInteger(10, size) || size > (uint64_t(1) << 40))
      return fail("has a malformed shape: (" + shapeText + ")");
    array.shape.push_back(static_cast<int64_t>(size));
    if (size && count > (uint64_t(1) << 40) / size)
      return fail("is too large: (" + shapeText + ")");
    count *= size;
  }

  // '<' little-endian, '|' byte-sized, '=' native (little-endian here).
  char byteOrder = descr.empty() ? 0 : descr[0];
  StringRef kind = descr.drop_front();
  if (byteOrder == '>')
    return fail("has big-endian dtype '" + descr + "'; save it little-endian");
  if (byteOrder != '<' && byteOrder != '|' && byteOrder != '=')
    return fail("has unsupported dtype '" + descr + "'");
  using Loader = float (*)(const char *);
  Loader loader = StringSwitch<Loader>(kind)
                      .Case("f4", load<float>)
                      .Case("f8", load<double>)
                      .Case("i1", load<int8_t>)
                      .Case("i2", load<int16_t>)
                      .Case("i4", load<int32_t>)
                      .Case("i8", load<int64_t>)
                      .Case("u1", load<uint8_t>)
                      .Case("b1", load<uint8_t>)
                      .Case("u2", load<uint16_t>)
                      .Case("u4", load<uint32_t>)
                      .Case("u8", load<uint64_t>)
                      .Default(nullptr);
  if (!loader)
    return fail("has unsupported dtype '" + descr +
                "' (f4, f8, integers or bool)");
  size_t width = kind.back() - '0';
  if (bytes.size() - dataStart < count * width)
    return fail("is truncated: " + Twine(count) + " values of " +
                Twine(width) + " bytes need " + Twine(count * width) +
                " bytes, the file has " + Twine(bytes.size() - dataStart));
  array.convertedFrom = kind == "f4" ? "" : descr.str();
  array.values.resize(count);
  const char *data = bytes.data() + dataStart;
  for (uint64_t i = 0; i < count; ++i) {
    float value = loader(data + i * width);
    if (!std::isfinite(value))
      return fail("has a non-finite value at flat index " + Twine(i) + " (" +
                  (std::isnan(value) ? "nan" : value < 0 ? "-inf" : "inf") + ")");
    array.values[i] = value;
  }
  return true;
}

} // namespace mlir::adaround::learn
