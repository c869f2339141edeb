// RUN: adaround-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(adaround-prefetch-streams))' | FileCheck %s
// RUN: adaround-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(adaround-prefetch-streams{distance=1000 min-bytes=0}))' | FileCheck %s --check-prefix=SMALL
// RUN: not adaround-opt %s --pass-pipeline='builtin.module(func.func(adaround-prefetch-streams{distance=0}))' 2>&1 | FileCheck %s --check-prefix=BAD-DISTANCE
// RUN: not adaround-opt %s --pass-pipeline='builtin.module(func.func(adaround-prefetch-streams{min-bytes=-1}))' 2>&1 | FileCheck %s --check-prefix=BAD-MIN
// RUN: not adaround-opt %s --adaround-to-llvm=prefetch-distance=-4 2>&1 | FileCheck %s --check-prefix=BAD-PIPELINE

// BAD-DISTANCE: adaround-prefetch-streams: option 'distance' must be at least 1, got 0
// BAD-MIN: adaround-prefetch-streams: option 'min-bytes' must be at least 0, got -1
// BAD-PIPELINE: adaround-to-llvm: option 'prefetch-distance' must be at least 0, got -4

// A matvec's rows of a 2 MiB i8 weight, read 64 bytes at a time through
// subviews: each read prefetches the byte 4096 past its first one, in the
// weight's row-major order (the next row, here), clamped to the last byte
// (512 * 4096 - 1).
// CHECK-LABEL: func.func @rows_of_a_large_weight
// CHECK-SAME: (%[[W:[a-z0-9_]+]]: memref<512x4096xi8>
// CHECK: %[[FLAT:[a-z0-9_]+]] = memref.collapse_shape %[[W]] {{\[}}[0, 1]] : memref<512x4096xi8> into memref<2097152xi8>
// CHECK: scf.for %[[N:[a-z0-9_]+]] =
// CHECK: scf.for %[[K:[a-z0-9_]+]] =
// CHECK: %[[TILE:[a-z0-9_]+]] = memref.subview %{{.*}}[0, %[[K]]] [1, 64]
// CHECK: %{{.*}}, %[[OFFSET:[a-z0-9_]+]], %{{.*}}:2, %[[STRIDES:[a-z0-9_]+]]:2 = memref.extract_strided_metadata %[[TILE]]
// CHECK: %[[E0:[a-z0-9_]+]] = arith.muli %[[C0:[a-z0-9_]+]], %[[STRIDES]]#0
// CHECK: %[[E1:[a-z0-9_]+]] = arith.addi %[[OFFSET]], %[[E0]]
// CHECK: %[[E2:[a-z0-9_]+]] = arith.muli %[[C0]], %[[STRIDES]]#1
// CHECK: %[[E3:[a-z0-9_]+]] = arith.addi %[[E1]], %[[E2]]
// CHECK-DAG: %[[AHEAD:[a-z0-9_]+]] = arith.constant 4096 : index
// CHECK-DAG: %[[LAST:[a-z0-9_]+]] = arith.constant 2097151 : index
// CHECK: %[[PAST:[a-z0-9_]+]] = arith.addi %[[E3]], %[[AHEAD]]
// CHECK: %[[AT:[a-z0-9_]+]] = arith.minsi %[[PAST]], %[[LAST]]
// CHECK: memref.prefetch %[[FLAT]][%[[AT]]], read, locality<3>, data : memref<2097152xi8>
// CHECK-NEXT: vector.transfer_read %[[TILE]]
// The input vector (16 KiB) is left to the caches.
// CHECK-NOT: memref.prefetch
// SMALL-LABEL: func.func @rows_of_a_large_weight
// SMALL-COUNT-2: memref.prefetch
func.func @rows_of_a_large_weight(%w: memref<512x4096xi8>, %x: memref<4096xf32>,
                                  %y: memref<512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c512 = arith.constant 512 : index
  %c4096 = arith.constant 4096 : index
  %pad = arith.constant 0 : i8
  %fpad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<64xf32>
  scf.for %n = %c0 to %c512 step %c1 {
    %row = memref.subview %w[%n, 0] [1, 4096] [1, 1] : memref<512x4096xi8> to memref<1x4096xi8, strided<[4096, 1], offset: ?>>
    %sum = scf.for %k = %c0 to %c4096 step %c64 iter_args(%acc = %zero) -> (vector<64xf32>) {
      %tile = memref.subview %row[0, %k] [1, 64] [1, 1] : memref<1x4096xi8, strided<[4096, 1], offset: ?>> to memref<1x64xi8, strided<[4096, 1], offset: ?>>
      %b = vector.transfer_read %tile[%c0, %c0], %pad {in_bounds = [true]} : memref<1x64xi8, strided<[4096, 1], offset: ?>>, vector<64xi8>
      %v = vector.transfer_read %x[%k], %fpad {in_bounds = [true]} : memref<4096xf32>, vector<64xf32>
      %f = arith.sitofp %b : vector<64xi8> to vector<64xf32>
      %p = arith.mulf %f, %v : vector<64xf32>
      %s = arith.addf %acc, %p : vector<64xf32>
      scf.yield %s : vector<64xf32>
    }
    %r = vector.reduction <add>, %sum : vector<64xf32> into f32
    memref.store %r, %y[%n] : memref<512xf32>
  }
  return
}

// -----

// Reads prefetch only where they stream: not a read the loop does not move
// (the same address every step), not one across rows (a column: stride
// 4096), not a buffer of dynamic shape, not one under 1 MiB (800 KB). With min-bytes=0 the one-dimensional
// buffer is prefetched as it is (no reshape), 1000 bytes = 250 floats ahead,
// clamped to its last element.
// CHECK-LABEL: func.func @not_streams
// CHECK-NOT: memref.prefetch
// SMALL-LABEL: func.func @not_streams
// SMALL-SAME: (%[[V:[a-z0-9_]+]]: memref<200000xf32>
// SMALL-NOT: memref.collapse_shape
// SMALL: scf.for %[[I:[a-z0-9_]+]] =
// SMALL: %{{.*}}, %[[OFFSET:[a-z0-9_]+]], %{{.*}}, %[[STRIDE:[a-z0-9_]+]] = memref.extract_strided_metadata %[[V]]
// SMALL: %[[E0:[a-z0-9_]+]] = arith.muli %[[I]], %[[STRIDE]]
// SMALL: %[[E1:[a-z0-9_]+]] = arith.addi %[[OFFSET]], %[[E0]]
// SMALL-DAG: %[[AHEAD:[a-z0-9_]+]] = arith.constant 250 : index
// SMALL-DAG: %[[LAST:[a-z0-9_]+]] = arith.constant 199999 : index
// SMALL: %[[PAST:[a-z0-9_]+]] = arith.addi %[[E1]], %[[AHEAD]]
// SMALL: %[[AT:[a-z0-9_]+]] = arith.minsi %[[PAST]], %[[LAST]]
// SMALL: memref.prefetch %[[V]][%[[AT]]], read, locality<3>, data : memref<200000xf32>
// SMALL-NOT: memref.prefetch
func.func @not_streams(%v: memref<200000xf32>, %w: memref<4096x4096xf32>,
                       %d: memref<?x4096xf32>, %out: memref<200000xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c4096 = arith.constant 4096 : index
  %c200000 = arith.constant 200000 : index
  %pad = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c200000 step %c16 {
    %a = vector.transfer_read %v[%i], %pad {in_bounds = [true]} : memref<200000xf32>, vector<16xf32>
    %same = vector.transfer_read %w[%c0, %c0], %pad {in_bounds = [true]} : memref<4096x4096xf32>, vector<16xf32>
    %column = vector.transfer_read %w[%c0, %i], %pad {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (d0)>} : memref<4096x4096xf32>, vector<16xf32>
    %dyn = vector.transfer_read %d[%c0, %i], %pad : memref<?x4096xf32>, vector<16xf32>
    %s0 = arith.addf %a, %same : vector<16xf32>
    %s1 = arith.addf %s0, %column : vector<16xf32>
    %s2 = arith.addf %s1, %dyn : vector<16xf32>
    vector.transfer_write %s2, %out[%i] {in_bounds = [true]} : vector<16xf32>, memref<200000xf32>
  }
  return
}

// -----

// A block of 4 rows of a 5.4 MiB i8 weight read as one 4x64 vector (a
// matvec whose input is read once per 4 weight rows): one prefetch per row,
// at the row's first byte (offset + r * row stride) plus 4096 / 4 = 1024
// (the rows share the distance), clamped to the last byte (512 * 11008 -
// 1). With min-bytes=0 the input is prefetched too, 1000 bytes = 250 floats
// ahead, once per 64-byte line of its 256-byte read (16 floats apart):
// eight in all.
// CHECK-LABEL: func.func @block_of_rows
// CHECK: %[[TILE:[a-z0-9_]+]] = memref.subview %{{.*}}[0, %{{.*}}] [4, 64]
// CHECK: %{{.*}}, %[[OFFSET:[a-z0-9_]+]], %{{.*}}:2, %[[STRIDES:[a-z0-9_]+]]:2 = memref.extract_strided_metadata %[[TILE]]
// CHECK-DAG: %[[AHEAD:[a-z0-9_]+]] = arith.constant 1024 : index
// CHECK-DAG: %[[LAST:[a-z0-9_]+]] = arith.constant 5636095 : index
// CHECK: %[[P0:[a-z0-9_]+]] = arith.addi %[[FIRST:[a-z0-9_]+]], %[[AHEAD]]
// CHECK: %[[A0:[a-z0-9_]+]] = arith.minsi %[[P0]], %[[LAST]]
// CHECK: memref.prefetch %{{.*}}[%[[A0]]]
// CHECK: %[[C1:[a-z0-9_]+]] = arith.constant 1 : index
// CHECK: %[[S1:[a-z0-9_]+]] = arith.muli %[[STRIDES]]#0, %[[C1]]
// CHECK: %[[R1:[a-z0-9_]+]] = arith.addi %[[FIRST]], %[[S1]]
// CHECK: %[[P1:[a-z0-9_]+]] = arith.addi %[[R1]], %[[AHEAD]]
// CHECK: %[[A1:[a-z0-9_]+]] = arith.minsi %[[P1]], %[[LAST]]
// CHECK: memref.prefetch %{{.*}}[%[[A1]]]
// CHECK: %[[C2:[a-z0-9_]+]] = arith.constant 2 : index
// CHECK: %[[S2:[a-z0-9_]+]] = arith.muli %[[STRIDES]]#0, %[[C2]]
// CHECK: %[[R2:[a-z0-9_]+]] = arith.addi %[[FIRST]], %[[S2]]
// CHECK: memref.prefetch
// CHECK: %[[C3:[a-z0-9_]+]] = arith.constant 3 : index
// CHECK: %[[S3:[a-z0-9_]+]] = arith.muli %[[STRIDES]]#0, %[[C3]]
// CHECK: %[[R3:[a-z0-9_]+]] = arith.addi %[[FIRST]], %[[S3]]
// CHECK: memref.prefetch
// CHECK-NOT: memref.prefetch
// CHECK: vector.transfer_read %[[TILE]]
// SMALL-LABEL: func.func @block_of_rows
// SMALL-SAME: %[[X:[a-z0-9_]+]]: memref<11008xf32>
// SMALL-COUNT-4: memref.prefetch %{{.*}} : memref<5636096xi8>
// SMALL-DAG: %[[XAHEAD:[a-z0-9_]+]] = arith.constant 250 : index
// SMALL-DAG: %[[XLAST:[a-z0-9_]+]] = arith.constant 11007 : index
// SMALL: %[[XAT:[a-z0-9_]+]] = arith.addi %{{.*}}, %[[XAHEAD]]
// SMALL: %[[L0:[a-z0-9_]+]] = arith.minsi %[[XAT]], %[[XLAST]]
// SMALL: memref.prefetch %[[X]][%[[L0]]]
// SMALL: %[[C16:[a-z0-9_]+]] = arith.constant 16 : index
// SMALL: %[[X1:[a-z0-9_]+]] = arith.addi %[[XAT]], %[[C16]]
// SMALL: %[[L1:[a-z0-9_]+]] = arith.minsi %[[X1]], %[[XLAST]]
// SMALL: memref.prefetch %[[X]][%[[L1]]]
// SMALL: arith.constant 32 : index
// SMALL: memref.prefetch %[[X]]
// SMALL: arith.constant 48 : index
// SMALL: memref.prefetch %[[X]]
// SMALL-NOT: memref.prefetch
func.func @block_of_rows(%w: memref<512x11008xi8>, %x: memref<11008xf32>,
                         %y: memref<512xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %c512 = arith.constant 512 : index
  %c11008 = arith.constant 11008 : index
  %pad = arith.constant 0 : i8
  %fpad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<4x64xf32>
  %zero4 = arith.constant dense<0.0> : vector<4xf32>
  scf.for %n = %c0 to %c512 step %c4 {
    %rows = memref.subview %w[%n, 0] [4, 11008] [1, 1] : memref<512x11008xi8> to memref<4x11008xi8, strided<[11008, 1], offset: ?>>
    %sum = scf.for %k = %c0 to %c11008 step %c64 iter_args(%acc = %zero) -> (vector<4x64xf32>) {
      %tile = memref.subview %rows[0, %k] [4, 64] [1, 1] : memref<4x11008xi8, strided<[11008, 1], offset: ?>> to memref<4x64xi8, strided<[11008, 1], offset: ?>>
      %b = vector.transfer_read %tile[%c0, %c0], %pad {in_bounds = [true, true]} : memref<4x64xi8, strided<[11008, 1], offset: ?>>, vector<4x64xi8>
      %v = vector.transfer_read %x[%k], %fpad {in_bounds = [true]} : memref<11008xf32>, vector<64xf32>
      %vb = vector.broadcast %v : vector<64xf32> to vector<4x64xf32>
      %f = arith.sitofp %b : vector<4x64xi8> to vector<4x64xf32>
      %p = arith.mulf %f, %vb : vector<4x64xf32>
      %s = arith.addf %acc, %p : vector<4x64xf32>
      scf.yield %s : vector<4x64xf32>
    }
    %r = vector.multi_reduction <add>, %sum, %zero4 [1] : vector<4x64xf32> to vector<4xf32>
    vector.transfer_write %r, %y[%n] {in_bounds = [true]} : vector<4xf32>, memref<512xf32>
  }
  return
}

// -----

// A block of 3 rows of a 1.5 MiB f32 weight: the rows share 4096 bytes,
// 4096 / 3 = 1365 bytes each, rounded down to whole f32 elements: 341.
// The last element is 96 * 4096 - 1. With min-bytes=0 (distance 1000) the
// input is prefetched too: four in all.
// CHECK-LABEL: func.func @block_of_3_rows
// CHECK-DAG: arith.constant 341 : index
// CHECK-DAG: arith.constant 393215 : index
// CHECK-COUNT-3: memref.prefetch
// CHECK-NOT: memref.prefetch
// CHECK: vector.transfer_read
// SMALL-LABEL: func.func @block_of_3_rows
// SMALL-COUNT-4: memref.prefetch
// SMALL-NOT: memref.prefetch
func.func @block_of_3_rows(%w: memref<96x4096xf32>, %x: memref<4096xf32>,
                           %y: memref<96xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  %c96 = arith.constant 96 : index
  %c4096 = arith.constant 4096 : index
  %pad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<3x16xf32>
  %zero3 = arith.constant dense<0.0> : vector<3xf32>
  scf.for %n = %c0 to %c96 step %c3 {
    %sum = scf.for %k = %c0 to %c4096 step %c16 iter_args(%acc = %zero) -> (vector<3x16xf32>) {
      %b = vector.transfer_read %w[%n, %k], %pad {in_bounds = [true, true]} : memref<96x4096xf32>, vector<3x16xf32>
      %v = vector.transfer_read %x[%k], %pad {in_bounds = [true]} : memref<4096xf32>, vector<16xf32>
      %vb = vector.broadcast %v : vector<16xf32> to vector<3x16xf32>
      %p = arith.mulf %b, %vb : vector<3x16xf32>
      %s = arith.addf %acc, %p : vector<3x16xf32>
      scf.yield %s : vector<3x16xf32>
    }
    %r = vector.multi_reduction <add>, %sum, %zero3 [1] : vector<3x16xf32> to vector<3xf32>
    vector.transfer_write %r, %y[%n] {in_bounds = [true]} : vector<3xf32>, memref<96xf32>
  }
  return
}
