// RUN: adaround-opt %s --pass-pipeline='builtin.module(func.func(adaround-split-blocks))' | FileCheck %s

// Each loop after the first op of a block starts a block of its own; what
// follows a loop stays with it. Loop bodies are not touched.
// CHECK-LABEL: func.func @loops
// CHECK: %[[C:.*]] = arith.constant 1.0
// CHECK-NEXT: cf.br ^[[B1:.*]]
// CHECK-NEXT: ^[[B1]]:
// CHECK-NEXT: scf.for
// CHECK-NEXT: memref.store
// CHECK-NEXT: }
// CHECK-NEXT: memref.load
// CHECK-NEXT: cf.br ^[[B2:.*]]
// CHECK-NEXT: ^[[B2]]:
// CHECK-NEXT: scf.for
// CHECK-NEXT: scf.if
// CHECK-NEXT: memref.store
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @loops(%m: memref<8xf32>, %p: i1) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %one, %m[%i] : memref<8xf32>
  }
  %v = memref.load %m[%c0] : memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    scf.if %p {
      memref.store %v, %m[%i] : memref<8xf32>
    }
  }
  return %v : f32
}
