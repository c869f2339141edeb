// RUN: adaround-opt %s -split-input-file --adaround-lower-reductions --canonicalize | FileCheck %s

// A matmul: the output element is loaded once before the reduction loop,
// carried through it, and stored once after; inside, only the operands are
// read.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:.*]]: memref<3x4xf32>, %[[W:.*]]: memref<4x8xf32>, %[[Y:.*]]: memref<3x8xf32>)
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) =
// CHECK: %[[INIT:.*]] = memref.load %[[Y]][%[[I]], %[[J]]]
// CHECK: %[[SUM:.*]] = scf.for %[[K:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32) {
// CHECK-NOT: memref.store
// CHECK-DAG: memref.load %[[X]][%[[I]], %[[K]]]
// CHECK-DAG: memref.load %[[W]][%[[K]], %[[J]]]
// CHECK: %[[P:.*]] = arith.mulf
// CHECK: %[[NEXT:.*]] = arith.addf %[[ACC]], %[[P]]
// CHECK: scf.yield %[[NEXT]]
// CHECK: memref.store %[[SUM]], %[[Y]][%[[I]], %[[J]]]
func.func @matmul(%x: memref<3x4xf32>, %w: memref<4x8xf32>, %y: memref<3x8xf32>) {
  linalg.matmul ins(%x, %w : memref<3x4xf32>, memref<4x8xf32>) outs(%y : memref<3x8xf32>)
  return
}

// -----

// Two reduction dimensions (a 1-D convolution over channels and taps): the
// accumulator moves out of both loops.
// CHECK-LABEL: func.func @conv
// CHECK: scf.parallel
// CHECK: %[[INIT:.*]] = memref.load %{{.*}} : memref<2x6xf32>
// CHECK: %[[OUTER:.*]] = scf.for {{.*}} iter_args(%[[A:.*]] = %[[INIT]]) -> (f32) {
// CHECK: %[[INNER:.*]] = scf.for {{.*}} iter_args(%[[B:.*]] = %[[A]]) -> (f32) {
// CHECK-NOT: memref.store
// CHECK: scf.yield
// CHECK: scf.yield %[[INNER]]
// CHECK: memref.store %[[OUTER]]
#input = affine_map<(b, o, c, t) -> (b, o + t, c)>
#filter = affine_map<(b, o, c, t) -> (t, c)>
#output = affine_map<(b, o, c, t) -> (b, o)>
func.func @conv(%x: memref<2x8x3xf32>, %f: memref<3x3xf32>, %y: memref<2x6xf32>) {
  linalg.generic {indexing_maps = [#input, #filter, #output],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %f : memref<2x8x3xf32>, memref<3x3xf32>) outs(%y : memref<2x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A reduction outside its parallel dimension keeps the per-step load and
// store (the loop nest is a reduction around a parallel loop); ops without
// reductions are left to convert-linalg-to-parallel-loops.
// CHECK-LABEL: func.func @reduction_outside
// CHECK: scf.for
// CHECK-NOT: iter_args
// CHECK: scf.parallel
// CHECK: memref.load
// CHECK: memref.store
// CHECK-LABEL: func.func @elementwise
// CHECK: linalg.generic
#col = affine_map<(k, j) -> (k, j)>
#row = affine_map<(k, j) -> (j)>
func.func @reduction_outside(%x: memref<5x7xf32>, %y: memref<7xf32>) {
  linalg.generic {indexing_maps = [#col, #row], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<5x7xf32>) outs(%y : memref<7xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  return
}
func.func @elementwise(%x: memref<7xf32>, %y: memref<7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : memref<7xf32>) outs(%y : memref<7xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.negf %a : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The output also read as an input (through a view of the same buffer):
// every step must see the previous one's store, so the per-step load and
// store stay.
// CHECK-LABEL: func.func @in_place
// CHECK: scf.for
// CHECK-NOT: iter_args
// CHECK: memref.load
// CHECK: memref.store
func.func @in_place(%y: memref<8xf32>) {
  %v = memref.subview %y[0] [8] [1] : memref<8xf32> to memref<8xf32, strided<[1]>>
  linalg.generic {indexing_maps = [affine_map<(i, k) -> (k)>, affine_map<(i, k) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%v : memref<8xf32, strided<[1]>>) outs(%y : memref<8xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  return
}
