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
