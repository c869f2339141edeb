// RUN: adaround-opt %s --pass-pipeline='builtin.module(func.func(adaround-hoist-vector-transfers))' | FileCheck %s

// Partial sums read and written at the same place every step leave the
// loop: read once before it, carried as a vector, written once after.
// CHECK-LABEL: func.func @partial_sums
// CHECK: %[[INIT:.*]] = vector.transfer_read %[[ACC:.*]][%{{.*}}]
// CHECK-NEXT: %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[P:.*]] = %[[INIT]]) -> (vector<16xf32>)
// CHECK-NEXT: %[[X:.*]] = vector.transfer_read %{{.*}}[%{{.*}}]
// CHECK-NEXT: %[[N:.*]] = arith.addf %[[P]], %[[X]]
// CHECK-NEXT: scf.yield %[[N]]
// CHECK: vector.transfer_write %[[SUM]], %[[ACC]]
func.func @partial_sums(%x: memref<64xf32>, %acc: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c64 step %c16 {
    %p = vector.transfer_read %acc[%c0], %pad {in_bounds = [true]} : memref<16xf32>, vector<16xf32>
    %v = vector.transfer_read %x[%i], %pad {in_bounds = [true]} : memref<64xf32>, vector<16xf32>
    %s = arith.addf %p, %v : vector<16xf32>
    vector.transfer_write %s, %acc[%c0] {in_bounds = [true]} : vector<16xf32>, memref<16xf32>
  }
  return
}

// A remainder tile after the loop updates a slice of the partial sums (a
// row of 200 = 3 x 64 + 8 summed 64 at a time). The slice's view is folded
// into its accesses, so the loop's read/write pair is hoisted as above: the
// loop carries the sums, and the buffer is written once after it, then read
// and written by the remainder at offset 0.
// CHECK-LABEL: func.func @partial_sums_and_remainder
// CHECK-NOT: memref.subview
// CHECK: %[[INIT:.*]] = vector.transfer_read %[[ACC:.*]][%{{.*}}], %{{.*}} : memref<64xf32>, vector<64xf32>
// CHECK-NEXT: %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[P:.*]] = %[[INIT]]) -> (vector<64xf32>)
// CHECK-NOT: %[[ACC]]
// CHECK: scf.yield
// CHECK: vector.transfer_write %[[SUM]], %[[ACC]]
// CHECK: vector.transfer_read %[[ACC]][%{{.*}}], %{{.*}} : memref<64xf32>, vector<8xf32>
// CHECK: vector.transfer_write %{{.*}}, %[[ACC]][%{{.*}}] {{.*}} : vector<8xf32>, memref<64xf32>
func.func @partial_sums_and_remainder(%x: memref<200xf32>, %acc: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c192 = arith.constant 192 : index
  %pad = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c192 step %c64 {
    %p = vector.transfer_read %acc[%c0], %pad {in_bounds = [true]} : memref<64xf32>, vector<64xf32>
    %v = vector.transfer_read %x[%i], %pad {in_bounds = [true]} : memref<200xf32>, vector<64xf32>
    %s = arith.addf %p, %v : vector<64xf32>
    vector.transfer_write %s, %acc[%c0] {in_bounds = [true]} : vector<64xf32>, memref<64xf32>
  }
  %head = memref.subview %acc[0] [8] [1] : memref<64xf32> to memref<8xf32, strided<[1]>>
  %p = vector.transfer_read %head[%c0], %pad {in_bounds = [true]} : memref<8xf32, strided<[1]>>, vector<8xf32>
  %v = vector.transfer_read %x[%c192], %pad {in_bounds = [true]} : memref<200xf32>, vector<8xf32>
  %s = arith.addf %p, %v : vector<8xf32>
  vector.transfer_write %s, %head[%c0] {in_bounds = [true]} : vector<8xf32>, memref<8xf32, strided<[1]>>
  return
}
