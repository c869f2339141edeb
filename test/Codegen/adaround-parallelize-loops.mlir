// RUN: adaround-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(adaround-parallelize-loops{chunks=4}))' | FileCheck %s

// A marked row loop becomes 4 chunks of an scf.parallel (0..min(trips, 4)),
// each a loop over its rows; the hoisted scratch buffer (used only inside
// the loop, then freed) is allocated per chunk; the output buffer is shared.
// CHECK-LABEL: func.func @rows
// CHECK-SAME: (%[[OUT:.*]]: memref<10xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK-NOT: memref.alloc
// CHECK: %[[COUNT:.*]] = arith.ceildivsi %{{.*}}, %[[C3]]
// CHECK: %[[PIECES:.*]] = arith.minsi %[[COUNT]], %{{.*}}
// CHECK: %[[PER:.*]] = arith.ceildivsi %[[COUNT]]
// CHECK: %[[STRIDE:.*]] = arith.muli %[[PER]], %[[C3]]
// CHECK: scf.parallel (%[[CHUNK:.*]]) = (%{{.*}}) to (%[[PIECES]]) step (%{{.*}})
// CHECK-NEXT: %[[SCRATCH:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT: %[[OFF:.*]] = arith.muli %[[CHUNK]], %[[STRIDE]]
// CHECK-NEXT: %[[FIRST:.*]] = arith.addi %{{.*}}, %[[OFF]]
// CHECK-NEXT: %[[END:.*]] = arith.addi %[[FIRST]], %[[STRIDE]]
// CHECK-NEXT: %[[LAST:.*]] = arith.minsi %[[C10]], %[[END]]
// CHECK-NEXT: scf.for %[[I:.*]] = %[[FIRST]] to %[[LAST]] step %[[C3]] {
// CHECK-NEXT: memref.store %{{.*}}, %[[SCRATCH]]
// CHECK-NEXT: memref.load %[[SCRATCH]]
// CHECK-NEXT: memref.store %{{.*}}, %[[OUT]][%[[I]]]
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc %[[SCRATCH]]
// CHECK-NEXT: scf.reduce
// CHECK-NOT: memref.dealloc
// CHECK-NOT: adaround.parallel
func.func @rows(%out: memref<10xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c10 = arith.constant 10 : index
  %one = arith.constant 1.0 : f32
  %scratch = memref.alloc() : memref<4xf32>
  scf.for %i = %c1 to %c10 step %c3 {
    memref.store %one, %scratch[%c0] : memref<4xf32>
    %v = memref.load %scratch[%c0] : memref<4xf32>
    memref.store %v, %out[%i] : memref<10xf32>
  } {adaround.parallel}
  memref.dealloc %scratch : memref<4xf32>
  return
}

// -----

// A scratch buffer hoisted out of a serial loop around the marked one (the
// blocks of a long reduction) is its scratch too: allocated per chunk. It
// used to stay shared, and two threads summed into the same partial sums.
// CHECK-LABEL: func.func @blocks_of_rows
// CHECK-NOT: memref.alloc
// CHECK: scf.for
// CHECK: scf.parallel
// CHECK-NEXT: %[[SCRATCH:.*]] = memref.alloc() : memref<4xf32>
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[SCRATCH]]
// CHECK: memref.dealloc %[[SCRATCH]]
// CHECK-NEXT: scf.reduce
// CHECK-NOT: memref.dealloc
func.func @blocks_of_rows(%out: memref<10xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c10 = arith.constant 10 : index
  %one = arith.constant 1.0 : f32
  %scratch = memref.alloc() : memref<4xf32>
  scf.for %block = %c0 to %c2 step %c1 {
    scf.for %i = %c0 to %c10 step %c1 {
      memref.store %one, %scratch[%c0] : memref<4xf32>
      %v = memref.load %scratch[%c0] : memref<4xf32>
      %o = memref.load %out[%i] : memref<10xf32>
      %s = arith.addf %o, %v : f32
      memref.store %s, %out[%i] : memref<10xf32>
    } {adaround.parallel}
  }
  memref.dealloc %scratch : memref<4xf32>
  return
}

// -----

// Unmarked loops, loops of one iteration, and loops with results stay
// serial; the marks go.
// CHECK-LABEL: func.func @serial
// CHECK-NOT: scf.parallel
// CHECK-NOT: adaround.parallel
// CHECK: return
func.func @serial(%out: memref<10xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c10 step %c1 {
    memref.store %zero, %out[%i] : memref<10xf32>
  }
  scf.for %i = %c0 to %c1 step %c1 {
    memref.store %zero, %out[%i] : memref<10xf32>
  } {adaround.parallel}
  %s = scf.for %i = %c0 to %c10 step %c1 iter_args(%a = %zero) -> f32 {
    %v = memref.load %out[%i] : memref<10xf32>
    %n = arith.addf %a, %v : f32
    scf.yield %n : f32
  } {adaround.parallel}
  return %s : f32
}

// -----

// One level of threads: a marked loop inside a marked loop stays serial.
// CHECK-LABEL: func.func @nested
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK-NEXT: scf.for
// CHECK-NOT: scf.parallel
// CHECK-NOT: adaround.parallel
func.func @nested(%out: memref<10x10xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c10 step %c1 {
    scf.for %j = %c0 to %c10 step %c1 {
      memref.store %zero, %out[%i, %j] : memref<10x10xf32>
    } {adaround.parallel}
  } {adaround.parallel}
  return
}
