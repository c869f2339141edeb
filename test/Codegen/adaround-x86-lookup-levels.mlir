// RUN: adaround-opt %s --split-input-file --adaround-x86-lookup-levels | FileCheck %s

// 4-bit levels, 32 lanes: the index is (zext(byte) << slot) >> 4, and two
// lookups of 16 lanes in the table of the 4-bit two's complement values.
// CHECK-LABEL: func.func @nibbles
// CHECK-SAME: target_features = #llvm.target_features<["+avx512f"]>
// CHECK-DAG: %[[TABLE:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, -8.000000e+00, -7.000000e+00, -6.000000e+00, -5.000000e+00, -4.000000e+00, -3.000000e+00, -2.000000e+00, -1.000000e+00]> : vector<16xf32>
// CHECK-DAG: %[[FOUR:.*]] = arith.constant dense<4> : vector<32xi32>
// CHECK: %[[BYTES:.*]] = arith.extui %{{.*}} : vector<32xi8> to vector<32xi32>
// CHECK: %[[SLOT:.*]] = arith.extui %{{.*}} : vector<32xi8> to vector<32xi32>
// CHECK: %[[UP:.*]] = arith.shli %[[BYTES]], %[[SLOT]] : vector<32xi32>
// CHECK: %[[INDEX:.*]] = arith.shrui %[[UP]], %[[FOUR]] : vector<32xi32>
// CHECK: %[[LOW:.*]] = vector.extract_strided_slice %[[INDEX]] {offsets = [0], sizes = [16], strides = [1]}
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%[[TABLE]], %[[LOW]]) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
// CHECK: %[[HIGH:.*]] = vector.extract_strided_slice %[[INDEX]] {offsets = [16], sizes = [16], strides = [1]}
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%[[TABLE]], %[[HIGH]])
// CHECK-NOT: arith.sitofp
func.func @nibbles(%bytes: vector<32xi8>, %slot: vector<32xi8>) -> vector<32xf32> {
  %c4 = arith.constant dense<4> : vector<32xi8>
  %up = arith.shli %bytes, %slot : vector<32xi8>
  %level = arith.shrsi %up, %c4 : vector<32xi8>
  %f = arith.sitofp %level : vector<32xi8> to vector<32xf32>
  return %f : vector<32xf32>
}

// -----

// 2-bit levels without a slot shift (the top two bits), in a 2-D vector: the
// table repeats the four 2-bit values, since vpermps reads 4 index bits.
// CHECK-LABEL: func.func @top_pairs
// CHECK-DAG: arith.constant dense<[0.000000e+00, 1.000000e+00, -2.000000e+00, -1.000000e+00, 0.000000e+00, 1.000000e+00, -2.000000e+00, -1.000000e+00, 0.000000e+00, 1.000000e+00, -2.000000e+00, -1.000000e+00, 0.000000e+00, 1.000000e+00, -2.000000e+00, -1.000000e+00]> : vector<16xf32>
// CHECK-DAG: arith.constant dense<6> : vector<32xi32>
// CHECK: vector.shape_cast %{{.*}} : vector<2x16xi8> to vector<32xi8>
// CHECK-NOT: arith.shli
// CHECK: arith.shrui
// CHECK-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// CHECK: vector.shape_cast %{{.*}} : vector<32xf32> to vector<2x16xf32>
func.func @top_pairs(%bytes: vector<2x16xi8>) -> vector<2x16xf32> {
  %c6 = arith.constant dense<6> : vector<2x16xi8>
  %level = arith.shrsi %bytes, %c6 : vector<2x16xi8>
  %f = arith.sitofp %level : vector<2x16xi8> to vector<2x16xf32>
  return %f : vector<2x16xf32>
}

// -----

// Unsigned 4-bit levels (logical shift, unsigned conversion): the table is
// 0..15.
// CHECK-LABEL: func.func @unsigned_nibbles
// CHECK: arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01]> : vector<16xf32>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// CHECK-NOT: arith.uitofp
func.func @unsigned_nibbles(%bytes: vector<16xi8>, %slot: vector<16xi8>) -> vector<16xf32> {
  %c4 = arith.constant dense<4> : vector<16xi8>
  %up = arith.shli %bytes, %slot : vector<16xi8>
  %level = arith.shrui %up, %c4 : vector<16xi8>
  %f = arith.uitofp %level : vector<16xi8> to vector<16xf32>
  return %f : vector<16xf32>
}

// -----

// Left alone: 5-bit levels (32 values: more than a table holds), lanes not a
// multiple of 16, a conversion to f64, a shift that is not a constant, a
// plain conversion. No target feature is added.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: target_features
// CHECK-NOT: llvm.call_intrinsic
// CHECK-COUNT-5: arith.sitofp
func.func @left_alone(%b16: vector<16xi8>, %b8: vector<8xi8>, %n: vector<16xi8>)
    -> (vector<16xf32>, vector<8xf32>, vector<16xf64>, vector<16xf32>, vector<16xf32>) {
  %c3 = arith.constant dense<3> : vector<16xi8>
  %c4 = arith.constant dense<4> : vector<16xi8>
  %c4s = arith.constant dense<4> : vector<8xi8>
  %wide = arith.shrsi %b16, %c3 : vector<16xi8>
  %f0 = arith.sitofp %wide : vector<16xi8> to vector<16xf32>
  %short = arith.shrsi %b8, %c4s : vector<8xi8>
  %f1 = arith.sitofp %short : vector<8xi8> to vector<8xf32>
  %nib = arith.shrsi %b16, %c4 : vector<16xi8>
  %f2 = arith.sitofp %nib : vector<16xi8> to vector<16xf64>
  %var = arith.shrsi %b16, %n : vector<16xi8>
  %f3 = arith.sitofp %var : vector<16xi8> to vector<16xf32>
  %f4 = arith.sitofp %b16 : vector<16xi8> to vector<16xf32>
  return %f0, %f1, %f2, %f3, %f4 : vector<16xf32>, vector<8xf32>, vector<16xf64>, vector<16xf32>, vector<16xf32>
}
