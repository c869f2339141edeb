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

/// The f32 values of an elements attribute (`dense` or `dense_resource`),
/// without copying when the storage already is a flat f32 array. Returns
/// std::nullopt when the values are unavailable (an elided resource blob) or
/// not f32. `storage` keeps splat expansions alive.
std::optional<ArrayRef<float>> getF32Values(ElementsAttr attr,
                                            SmallVectorImpl<float> &storage);

} // namespace mlir::adaround

#endif // ADAROUND_DIALECT_ADAROUND_IR_ADAROUND_H
