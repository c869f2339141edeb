//===- Adaround.h - The adaround dialect ------------------------*- C++ -*-===//

#ifndef ADAROUND_DIALECT_ADAROUND_IR_ADAROUND_H
#define ADAROUND_DIALECT_ADAROUND_IR_ADAROUND_H

#include "adaround/Dialect/Adaround/IR/QuantGrid.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "adaround/Dialect/Adaround/IR/AdaroundDialect.h.inc"
#include "adaround/Dialect/Adaround/IR/AdaroundEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "adaround/Dialect/Adaround/IR/AdaroundAttrs.h.inc"

#define GET_OP_CLASSES
#include "adaround/Dialect/Adaround/IR/AdaroundOps.h.inc"

namespace mlir::adaround {

/// Splats larger than this many elements are not expanded into memory.
inline constexpr int64_t kMaxSplatExpansion = int64_t(1) << 30;

/// Elements of a tensor of `shape` whose bytes (4 per element) fit in a
/// signed 64-bit size; std::nullopt when they do not (or a size is dynamic
/// or negative), so that no pass computes with an overflowed count.
std::optional<int64_t> checkedNumElements(ArrayRef<int64_t> shape);

/// The element types adaround.fake_quant takes: f32, and f16/bf16 (computed
/// in f32 and rounded back to nearest even).
bool isSupportedElementType(Type type);

/// Whether a `dense_resource` attribute's blob is present (not elided or
/// missing) and exactly as large as its tensor type says.
bool hasCompleteBlob(DenseResourceElementsAttr resource);

/// The f32 values of an elements attribute (`dense` or `dense_resource`),
/// without copying when the storage already is a flat f32 array (f16 and
/// bf16 values are widened into `storage`). Returns
/// std::nullopt when the values are unavailable (an elided resource blob, a
/// splat of more than kMaxSplatExpansion elements) or not f32. `storage`
/// keeps splat expansions alive.
std::optional<ArrayRef<float>> getF32Values(ElementsAttr attr,
                                            SmallVectorImpl<float> &storage);

/// A new elements attribute of `type` whose raw row-major storage
/// (`bytes` long) is written by `fill`: a `dense_resource` blob named
/// `blobName` when `asResource` (large weights stay out of the text and are
/// written once, in place), else `dense`.
ElementsAttr makeElementsAttr(ShapedType type, bool asResource,
                              StringRef blobName, size_t bytes,
                              function_ref<void(MutableArrayRef<char>)> fill);

/// The f32 values of a constant tensor `value` (`dense` or `dense_resource`).
std::optional<ArrayRef<float>> getConstantF32Values(
    Value value, SmallVectorImpl<float> &storage, ElementsAttr *attr = nullptr);

} // namespace mlir::adaround

#endif // ADAROUND_DIALECT_ADAROUND_IR_ADAROUND_H
