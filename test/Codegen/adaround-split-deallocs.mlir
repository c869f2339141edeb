// RUN: adaround-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(adaround-split-deallocs))' | FileCheck %s

// Two allocations, the second returned: the first is freed on its own right
// after its last use (a read through a view); the second stays in the
// block's dealloc with its retained alias, whose updated condition is kept.
// CHECK-LABEL: func.func @chain
// CHECK: %[[A:.*]] = memref.alloc()
// CHECK: %[[B:.*]] = memref.alloc()
// CHECK: %[[V:.*]] = memref.subview %[[A]]
// CHECK-NEXT: memref.subview %[[B]]
// CHECK-NEXT: memref.copy %[[V]]
// CHECK-NEXT: bufferization.dealloc (%[[A]] : memref<8xf32>) if (%{{.*}}){{$}}
// CHECK-NEXT: memref.copy
// CHECK-NEXT: %[[C:.*]] = bufferization.dealloc (%[[B]] : memref<8xf32>) if (%{{.*}}) retain (%[[B]] : memref<8xf32>)
// CHECK-NEXT: return %[[B]], %[[C]]
func.func @chain(%x: memref<8xf32>) -> (memref<8xf32>, i1) {
  %true = arith.constant true
  %a = memref.alloc() : memref<8xf32>
  %b = memref.alloc() : memref<8xf32>
  memref.copy %x, %a : memref<8xf32> to memref<8xf32>
  %v = memref.subview %a[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  %w = memref.subview %b[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  memref.copy %v, %w : memref<4xf32, strided<[1]>> to memref<4xf32, strided<[1]>>
  memref.copy %x, %x : memref<8xf32> to memref<8xf32>
  %c = bufferization.dealloc (%a, %b : memref<8xf32>, memref<8xf32>) if (%true, %true) retain (%b : memref<8xf32>)
  return %b, %c : memref<8xf32>, i1
}

// -----

// A retained value of unknown origin (chosen at run time) may alias any
// buffer: the dealloc stays whole.
// CHECK-LABEL: func.func @unknown_retained
// CHECK: arith.select
// CHECK-NEXT: bufferization.dealloc (%{{.*}}, %{{.*}} : memref<8xf32>, memref<8xf32>)
// CHECK-NEXT: return
func.func @unknown_retained(%p: i1) -> (memref<8xf32>, i1) {
  %true = arith.constant true
  %a = memref.alloc() : memref<8xf32>
  %b = memref.alloc() : memref<8xf32>
  %r = arith.select %p, %a, %b : memref<8xf32>
  %c = bufferization.dealloc (%a, %b : memref<8xf32>, memref<8xf32>) if (%true, %true) retain (%r : memref<8xf32>)
  return %r, %c : memref<8xf32>, i1
}

// -----

// A buffer passed to a call may be kept alive by it: split, but freed where
// the block's dealloc was. A buffer listed twice stays in the dealloc.
// CHECK-LABEL: func.func @captured
// CHECK: call @keep
// CHECK-NEXT: memref.copy
// CHECK-NEXT: bufferization.dealloc (%{{.*}} : memref<8xf32>) if (%{{.*}}){{$}}
// CHECK-NEXT: bufferization.dealloc (%[[D:.*]], %[[D]] : memref<8xf32>, memref<8xf32>)
// CHECK-NEXT: return
func.func private @keep(memref<8xf32>)
func.func @captured(%x: memref<8xf32>, %p: i1) {
  %a = memref.alloc() : memref<8xf32>
  %d = memref.alloc() : memref<8xf32>
  call @keep(%a) : (memref<8xf32>) -> ()
  memref.copy %x, %x : memref<8xf32> to memref<8xf32>
  bufferization.dealloc (%a, %d, %d : memref<8xf32>, memref<8xf32>, memref<8xf32>) if (%p, %p, %p)
  return
}

// -----

// The condition is computed after the last use: the dealloc waits for it.
// CHECK-LABEL: func.func @late_condition
// CHECK: memref.copy
// CHECK-NEXT: %[[P:.*]] = arith.xori
// CHECK-NEXT: bufferization.dealloc (%{{.*}} : memref<8xf32>) if (%[[P]]){{$}}
// CHECK-NEXT: return
func.func @late_condition(%x: memref<8xf32>, %p: i1, %q: i1) {
  %a = memref.alloc() : memref<8xf32>
  memref.copy %x, %a : memref<8xf32> to memref<8xf32>
  %c = arith.xori %p, %q : i1
  bufferization.dealloc (%a : memref<8xf32>) if (%c)
  return
}

// -----

// Every buffer split off: the retained value's updated condition is false.
// CHECK-LABEL: func.func @all_split
// CHECK: %[[NO:.*]] = arith.constant false
// CHECK-NOT: retain
// CHECK: return %{{.*}}, %[[NO]]
func.func @all_split(%x: memref<8xf32>) -> (memref<8xf32>, i1) {
  %true = arith.constant true
  %a = memref.alloc() : memref<8xf32>
  memref.copy %x, %a : memref<8xf32> to memref<8xf32>
  %c = bufferization.dealloc (%a : memref<8xf32>) if (%true) retain (%x : memref<8xf32>)
  return %x, %c : memref<8xf32>, i1
}

// -----

// A buffer stored into memory may be read back through the store: split, but
// freed where the block's dealloc was.
// CHECK-LABEL: func.func @stored
// CHECK: memref.store
// CHECK-NEXT: memref.copy
// CHECK-NEXT: bufferization.dealloc (%{{.*}} : memref<8xf32>) if (%{{.*}}){{$}}
// CHECK-NEXT: return
func.func @stored(%x: memref<8xf32>, %box: memref<1xmemref<8xf32>>, %p: i1) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<8xf32>
  memref.store %a, %box[%c0] : memref<1xmemref<8xf32>>
  memref.copy %x, %x : memref<8xf32> to memref<8xf32>
  bufferization.dealloc (%a : memref<8xf32>) if (%p)
  return
}
