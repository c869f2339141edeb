//===- AdaroundOps.cpp - adaround.fake_quant ------------------------------===//

#include "adaround/Dialect/Adaround/IR/Adaround.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::adaround;

#define GET_OP_CLASSES
#include "adaround/Dialect/Adaround/IR/AdaroundOps.cpp.inc"

std::optional<ArrayRef<float>>
mlir::adaround::getF32Values(ElementsAttr attr,
                             SmallVectorImpl<float> &storage) {
  if (!attr.getElementType().isF32())
    return std::nullopt;
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    // A blob of the wrong size would be read out of bounds.
    std::optional<ArrayRef<float>> values = resource.tryGetAsArrayRef();
    if (!values ||
        static_cast<int64_t>(values->size()) != resource.getNumElements())
      return std::nullopt;
    return values;
  }
  auto dense = dyn_cast<DenseFPElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  if (dense.isSplat()) {
    // Expanding a splat costs its full size: refuse absurd ones (callers
    // report the values as unavailable) rather than exhaust memory.
    if (dense.getNumElements() > kMaxSplatExpansion)
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
  if (!inputType.getElementType().isF32())
    return emitOpError("expects f32 elements, got ")
           << inputType.getElementType();

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
      vType.getElementType() != inputType.getElementType())
    return emitOpError("attribute 'v' has type ")
           << vType << " but must match the operand type " << inputType;
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(*v)) {
    std::optional<ArrayRef<float>> blob = resource.tryGetAsArrayRef();
    if (blob && static_cast<int64_t>(blob->size()) != vType.getNumElements())
      return emitOpError("attribute 'v' has a resource blob of ")
             << blob->size() << " f32 values for " << vType.getNumElements()
             << " elements";
  }
  if (auto dense = dyn_cast<DenseFPElementsAttr>(*v); dense && dense.isSplat()) {
    float value = dense.getSplatValue<float>();
    if (!std::isfinite(value))
      return emitOpError("attribute 'v' has non-finite value ")
             << value << " at element 0";
    return success();
  }
  SmallVector<float> storage;
  // An elided resource blob cannot be checked here; the passes that read the
  // values report it.
  if (std::optional<ArrayRef<float>> values = getF32Values(*v, storage)) {
    const float *bad =
        llvm::find_if(*values, [](float x) { return !std::isfinite(x); });
    if (bad != values->end())
      return emitOpError("attribute 'v' has non-finite value ")
             << *bad << " at element " << (bad - values->begin());
  }
  return success();
}
