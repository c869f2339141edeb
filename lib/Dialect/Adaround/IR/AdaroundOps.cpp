//===- AdaroundOps.cpp - adaround.fake_quant ------------------------------===//

#include "adaround/Dialect/Adaround/IR/Adaround.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace mlir::adaround;

//===----------------------------------------------------------------------===//
// `qtype(...)`: upstream's printer, corrected so that it reads back.
//===----------------------------------------------------------------------===//

/// The shortest decimal (6 to 9 significant digits) that reads back as `s`.
static void printScale(raw_ostream &os, float s) {
  char text[32];
  for (int digits = 6; digits <= 9; ++digits) {
    std::snprintf(text, sizeof(text), "%.*g", digits, static_cast<double>(s));
    if (static_cast<float>(std::strtod(text, nullptr)) == s)
      break;
  }
  // MLIR's float literals need a dot: `2e+08` would lex as an integer.
  StringRef literal(text);
  if (literal.contains('.')) {
    os << literal;
    return;
  }
  auto [mantissa, exponent] = literal.split('e');
  os << mantissa << ".0";
  if (!exponent.empty())
    os << "e" << exponent;
}

/// Upstream prints a sub-channel type's f32 scales with the generic float
/// printer, which falls back to hex bits (`0x4BB383E2`) for integral values
/// of 2^23 and more; the quant parser reads scales as f64, so the hex is
/// misread as f64 bits. It also prints unsigned zero points of 2^(bits-1)
/// and more as negative numbers. This printer writes the scale table itself
/// (every f32 as the shortest decimal that reads back to the same f32, and
/// zero points as the storage's signedness says); every other
/// type, and the head of this one, are printed by upstream.
static void printSubChannel(raw_ostream &os,
                            quant::UniformQuantizedSubChannelType type) {
  std::string text;
  llvm::raw_string_ostream upstream(text);
  type.print(upstream);
  // The head: `!quant.uniform<u4:f32:{0:1, 1:32}, `, up to the table.
  size_t table = text.find("}, {");
  if (table == std::string::npos) {
    os << text;
    return;
  }
  os << StringRef(text).take_front(table + 3);
  ArrayRef<int64_t> shape = type.getScales().getType().getShape();
  SmallVector<APFloat> scales(type.getScales().getValues<APFloat>());
  SmallVector<APInt> zeroPoints(type.getZeroPoints().getValues<APInt>());
  unsigned width = type.getStorageTypeIntegralWidth();
  size_t next = 0;
  std::function<void(size_t)> printDim = [&](size_t dim) {
    os << "{";
    for (int64_t i = 0; i < shape[dim]; ++i) {
      if (i)
        os << ", ";
      if (dim + 1 < shape.size()) {
        printDim(dim + 1);
        continue;
      }
      // Scales may be stored in the expressed type (f16, bf16): widen.
      APFloat scale = scales[next];
      bool lost;
      scale.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                    &lost);
      printScale(os, scale.convertToFloat());
      int64_t z = storedZeroPoint(zeroPoints[next++], width, type.isSigned());
      if (z != 0)
        os << ":" << z;
    }
    os << "}";
  };
  printDim(0);
  os << ">";
}

static void printQtype(OpAsmPrinter &p, FakeQuantOp, TypeAttr qtype) {
  if (!qtype)
    return;
  p << "qtype(";
  if (auto subChannel =
          dyn_cast<quant::UniformQuantizedSubChannelType>(qtype.getValue()))
    printSubChannel(p.getStream(), subChannel);
  else
    p.printType(qtype.getValue());
  p << ")";
}

static ParseResult parseQtype(OpAsmParser &parser, TypeAttr &qtype) {
  if (failed(parser.parseOptionalKeyword("qtype")))
    return success();
  Type type;
  if (parser.parseLParen() || parser.parseType(type) || parser.parseRParen())
    return failure();
  qtype = TypeAttr::get(type);
  return success();
}

#define GET_OP_CLASSES
#include "adaround/Dialect/Adaround/IR/AdaroundOps.cpp.inc"

std::optional<int64_t>
mlir::adaround::checkedNumElements(ArrayRef<int64_t> shape) {
  int64_t elements = 1;
  for (int64_t size : shape)
    if (size < 0 || llvm::MulOverflow(elements, size, elements))
      return std::nullopt;
  int64_t bytes;
  if (llvm::MulOverflow(elements, int64_t(sizeof(float)), bytes))
    return std::nullopt;
  return elements;
}

bool mlir::adaround::hasCompleteBlob(DenseResourceElementsAttr resource) {
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  std::optional<int64_t> elements =
      checkedNumElements(resource.getType().getShape());
  unsigned bits = resource.getElementType().getIntOrFloatBitWidth();
  return blob && elements &&
         static_cast<int64_t>(blob->getData().size()) ==
             *elements * static_cast<int64_t>((bits + 7) / 8);
}

/// The values of an f32 resource whose blob is complete.
static std::optional<ArrayRef<float>>
getExactBlob(DenseResourceElementsAttr resource) {
  if (!hasCompleteBlob(resource))
    return std::nullopt;
  ArrayRef<char> data = resource.getRawHandle().getBlob()->getData();
  return ArrayRef<float>(reinterpret_cast<const float *>(data.data()),
                         resource.getNumElements());
}

bool mlir::adaround::isSupportedElementType(Type type) {
  return isa<Float32Type, Float16Type, BFloat16Type>(type);
}

/// f16 or bf16 values widened to f32 (exactly) into `storage`.
static std::optional<ArrayRef<float>>
widenHalfValues(ElementsAttr attr, SmallVectorImpl<float> &storage) {
  std::optional<int64_t> elements =
      checkedNumElements(cast<ShapedType>(attr.getType()).getShape());
  if (!elements || *elements > kMaxSplatExpansion)
    return std::nullopt;
  const llvm::fltSemantics &semantics =
      cast<FloatType>(attr.getElementType()).getFloatSemantics();
  auto widen = [&](uint16_t bits) {
    return APFloat(semantics, APInt(16, bits)).convertToFloat();
  };
  storage.clear();
  storage.reserve(*elements);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    if (!hasCompleteBlob(resource))
      return std::nullopt;
    ArrayRef<char> data = resource.getRawHandle().getBlob()->getData();
    for (int64_t i = 0; i < *elements; ++i) {
      uint16_t bits;
      std::memcpy(&bits, data.data() + 2 * i, 2);
      storage.push_back(widen(bits));
    }
    return ArrayRef<float>(storage);
  }
  auto dense = dyn_cast<DenseFPElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  for (APFloat value : dense.getValues<APFloat>())
    storage.push_back(widen(
        static_cast<uint16_t>(value.bitcastToAPInt().getZExtValue())));
  return ArrayRef<float>(storage);
}

std::optional<ArrayRef<float>>
mlir::adaround::getF32Values(ElementsAttr attr,
                             SmallVectorImpl<float> &storage) {
  if (isa<Float16Type, BFloat16Type>(attr.getElementType()))
    return widenHalfValues(attr, storage);
  if (!attr.getElementType().isF32())
    return std::nullopt;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    return getExactBlob(resource);
  auto dense = dyn_cast<DenseFPElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  if (dense.isSplat()) {
    // Expanding a splat costs its full size: refuse absurd ones (callers
    // report the values as unavailable) rather than exhaust memory.
    std::optional<int64_t> elements =
        checkedNumElements(dense.getType().getShape());
    if (!elements || *elements > kMaxSplatExpansion)
      return std::nullopt;
    storage.assign(dense.getNumElements(), dense.getSplatValue<float>());
    return ArrayRef<float>(storage);
  }
  ArrayRef<char> raw = dense.getRawData();
  return ArrayRef<float>(reinterpret_cast<const float *>(raw.data()),
                         dense.getNumElements());
}

ElementsAttr mlir::adaround::makeElementsAttr(
    ShapedType type, bool asResource, StringRef blobName, size_t bytes,
    function_ref<void(MutableArrayRef<char>)> fill) {
  if (asResource) {
    AsmResourceBlob blob = HeapAsmResourceBlob::allocate(
        bytes, /*align=*/64, /*dataIsMutable=*/true);
    fill(blob.getMutableData());
    return cast<ElementsAttr>(
        DenseResourceElementsAttr::get(type, blobName, std::move(blob)));
  }
  std::vector<char> data(bytes);
  fill(data);
  return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(type, data));
}

std::optional<ArrayRef<float>>
mlir::adaround::getConstantF32Values(Value value,
                                     SmallVectorImpl<float> &storage,
                                     ElementsAttr *attr) {
  ElementsAttr elements;
  if (!matchPattern(value, m_Constant(&elements)))
    return std::nullopt;
  if (attr)
    *attr = elements;
  return getF32Values(elements, storage);
}

FailureOr<QuantGrid> FakeQuantOp::getQuantGrid() {
  if (!getQtype())
    return emitOpError("has no 'qtype'; run --adaround-calibrate first");
  return QuantGrid::get(*getQtype(),
                        cast<RankedTensorType>(getInput().getType()).getShape(),
                        [&] { return emitOpError(); });
}

LogicalResult FakeQuantOp::verify() {
  auto inputType = dyn_cast<RankedTensorType>(getInput().getType());
  if (!inputType)
    return emitOpError("expects a ranked tensor operand, got ")
           << getInput().getType();
  if (!inputType.hasStaticShape())
    return emitOpError("expects a statically shaped operand, got ")
           << inputType;
  if (!isSupportedElementType(inputType.getElementType()))
    return emitOpError("expects f32, f16 or bf16 elements, got ")
           << inputType.getElementType();
  if (!checkedNumElements(inputType.getShape()))
    return emitOpError("operand type ")
           << inputType << " has more elements than a 64-bit size can hold";

  float zeta = getZeta().convertToFloat(), gamma = getGamma().convertToFloat();
  if (!(zeta > 1.0f) || !std::isfinite(zeta))
    return emitOpError("attribute 'zeta' must be a finite value > 1, got ")
           << zeta;
  if (!(gamma < 0.0f) || !std::isfinite(gamma))
    return emitOpError("attribute 'gamma' must be a finite value < 0, got ")
           << gamma;

  if (std::optional<Type> qtype = getQtype()) {
    auto quantType = dyn_cast<quant::QuantizedType>(*qtype);
    if (quantType && quantType.getExpressedType() != inputType.getElementType())
      return emitOpError("attribute 'qtype' expresses ")
             << quantType.getExpressedType() << " but the operand holds "
             << inputType.getElementType();
    if (failed(getQuantGrid()))
      return failure();
  } else if (getV()) {
    return emitOpError("attribute 'v' requires attribute 'qtype'");
  }

  std::optional<ElementsAttr> v = getV();
  if (!v)
    return success();
  auto vType = cast<ShapedType>(v->getType());
  if (vType.getShape() != inputType.getShape() ||
      !vType.getElementType().isF32())
    return emitOpError("attribute 'v' has type ")
           << vType << " but must be f32 of the operand's shape "
           << inputType.clone(Float32Type::get(getContext()));
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(*v)) {
    // A missing or elided blob cannot be checked here; the passes that read
    // the values report it.
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    int64_t expected = vType.getNumElements() * sizeof(float);
    if (blob && static_cast<int64_t>(blob->getData().size()) != expected)
      return emitOpError("attribute 'v' has a resource blob '")
             << resource.getRawHandle().getKey() << "' of "
             << blob->getData().size() << " bytes; its type "
             << vType << " needs " << expected;
  } else if (!isa<DenseFPElementsAttr>(*v)) {
    return emitOpError("attribute 'v' must be dense or dense_resource "
                       "elements, got ")
           << *v;
  }
  if (auto dense = dyn_cast<DenseFPElementsAttr>(*v); dense && dense.isSplat()) {
    float value = dense.getSplatValue<float>();
    if (!std::isfinite(value))
      return emitOpError("attribute 'v' has non-finite value ")
             << value << " at element 0";
    return success();
  }
  SmallVector<float> storage;
  if (std::optional<ArrayRef<float>> values = getF32Values(*v, storage)) {
    const float *bad =
        llvm::find_if(*values, [](float x) { return !std::isfinite(x); });
    if (bad != values->end())
      return emitOpError("attribute 'v' has non-finite value ")
             << *bad << " at element " << (bad - values->begin());
  }
  return success();
}
