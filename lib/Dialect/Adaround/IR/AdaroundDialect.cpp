//===- AdaroundDialect.cpp - The adaround dialect -------------------------===//

#include "adaround/Dialect/Adaround/IR/Adaround.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::adaround;

#include "adaround/Dialect/Adaround/IR/AdaroundDialect.cpp.inc"
#include "adaround/Dialect/Adaround/IR/AdaroundEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "adaround/Dialect/Adaround/IR/AdaroundAttrs.cpp.inc"

void AdaroundDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "adaround/Dialect/Adaround/IR/AdaroundAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "adaround/Dialect/Adaround/IR/AdaroundOps.cpp.inc"
      >();
}
