// RUN: adaround-opt %s -split-input-file --adaround-bake | FileCheck %s
// RUN: adaround-opt %s -split-input-file --adaround-bake=emit-float=1 | FileCheck %s --check-prefix=FLOAT
// RUN: adaround-opt %s -split-input-file --adaround-bake=arith-dequant=1 | FileCheck %s --check-prefix=ARITH
// RUN: adaround-opt %s -split-input-file --adaround-bake=pack=0 | FileCheck %s --check-prefix=UNPACKED

// Levels by hand: row 0 (s = 0.01, z = 0): 0.1 / 0.01 -> 10 (+1, V > 0),
// -0.26 -> -26 (V < 0), 0.3 -> 30 (+1, V = 0 rounds up), 0.4 -> 40 (+1,
// V = -0.0 rounds up); row 1 (s = 0.05, z = 3): 20 + 3 + 1, -40 + 3,
// 100 + 3 + 1, -140 + 3 clamps to -128.
// CHECK-LABEL: func.func @per_axis_i8
// CHECK: %[[Q:.*]] = arith.constant dense<{{\[}}[11, -26, 31, 41], [24, -37, 104, -128]]> : tensor<2x4xi8>
// CHECK: %[[S:.*]] = quant.scast %[[Q]] : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32:0, {1.000000e-02,5.000000e-02:3}>>
// CHECK: quant.dcast %[[S]] : tensor<2x4x!quant.uniform<i8:f32:0, {1.000000e-02,5.000000e-02:3}>> to tensor<2x4xf32>
// CHECK-NOT: 1.000000e-01
// (q - z) * s in f32, as numpy computes it: (24 - 3) * 0.05 = 1.05000007.
// FLOAT-LABEL: func.func @per_axis_i8
// FLOAT: arith.constant dense<{{\[}}[1.100000e-01, -2.600000e-01, 3.100000e-01, 4.100000e-01], [1.05000007, -2.000000e+00, 5.050000e+00, -6.550000e+00]]> : tensor<2x4xf32>
// ARITH-LABEL: func.func @per_axis_i8
// ARITH: linalg.generic
// ARITH: arith.sitofp %{{.*}} : i8 to f32
func.func @per_axis_i8() -> tensor<2x4xf32> {
  %w = arith.constant dense<[[0.1, -0.26, 0.3, 0.4], [1.0, -2.0, 5.0, -7.0]]> : tensor<2x4xf32>
  %0 = adaround.fake_quant %w qtype(!quant.uniform<i8:f32:0, {0.01, 0.05:3}>) v(dense<[[1.0, -1.0, 0.0, -0.0],[1.0, -1.0, 1.0, -1.0]]> : tensor<2x4xf32>) : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// i4, two levels per byte; the per-tensor run of 8 (rows of 4 are too short
// to split it into) is not a multiple of 128, so it is one run of 4 bytes:
// element t in byte t % 4, the first four in the low nibbles. Levels
// (s = 0.5): 0+1, -1+0, 0+1, 0+1, 2+1, -4+0, 10+1 -> 7, -14 -> -8; bytes
// 0x31, 0xCF, 0x71, 0x81. Unpacking shifts left by 4 - 4 * slot, then right
// by 4.
// CHECK-LABEL: func.func @packed_i4
// CHECK: %[[P:.*]] = arith.constant dense<[49, -49, 113, -127]> : tensor<4xi8>
// CHECK: %[[B:.*]] = tensor.expand_shape %[[P]] {{\[}}[0, 1]] output_shape [1, 4] : tensor<4xi8> into tensor<1x4xi8>
// CHECK: %[[SHIFT:.*]] = arith.constant dense<[4, 0]> : tensor<2xi8>
// CHECK: linalg.generic {{.*}} ins(%[[B]], %[[SHIFT]] : tensor<1x4xi8>, tensor<2xi8>) outs(%{{.*}} : tensor<1x2x4xf32>)
// CHECK: arith.shli
// CHECK: arith.shrsi
// CHECK: arith.sitofp
// UNPACKED-LABEL: func.func @packed_i4
// UNPACKED: arith.constant dense<{{\[}}[1, -1, 1, 1], [3, -4, 7, -8]]> : tensor<2x4xi8>
func.func @packed_i4() -> tensor<2x4xf32> {
  %w = arith.constant dense<[[0.1, -0.26, 0.3, 0.4], [1.0, -2.0, 5.0, -7.0]]> : tensor<2x4xf32>
  %0 = adaround.fake_quant %w rounding(<hard>) qtype(!quant.uniform<i4:f32, 0.5>) v(dense<[[1.0, -1.0, 0.0, -0.0],[1.0, -1.0, 1.0, -1.0]]> : tensor<2x4xf32>) : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A run of 128 i4 levels is stored in 64 bytes: byte j holds element j in
// its low nibble and element 64 + j in its high nibble, so that one shift
// pair unpacks 64 consecutive elements (four 16-lane vectors). Levels (s = 1,
// V < 0: floor): (j % 16) - 8 for the first 64, 7 - (j % 16) for the next
// 64; byte j is ((j % 16 - 8) & 15) | ((7 - j % 16) & 15) << 4: 0x78, 0x69,
// ..., 0x0F, 0xF0, ..., 0x87, four times. Folded to f32 (emit-float), the
// values start -8, -7, -6 (little-endian 0xC1000000, 0xC0E00000, ...).
// CHECK-LABEL: func.func @packed_runs_i4
// CHECK: %[[P:.*]] = arith.constant dense<[120, 105, 90, 75, 60, 45, 30, 15, -16, -31, -46, -61, -76, -91, -106, -121, 120, 105, 90, 75, 60, 45, 30, 15, -16, -31, -46, -61, -76, -91, -106, -121, 120, 105, 90, 75, 60, 45, 30, 15, -16, -31, -46, -61, -76, -91, -106, -121, 120, 105, 90, 75, 60, 45, 30, 15, -16, -31, -46, -61, -76, -91, -106, -121]> : tensor<64xi8>
// CHECK: %[[B:.*]] = tensor.expand_shape %[[P]] {{\[}}[0, 1]] output_shape [1, 64] : tensor<64xi8> into tensor<1x64xi8>
// CHECK: %[[SHIFT:.*]] = arith.constant dense<[4, 0]> : tensor<2xi8>
// CHECK: linalg.generic {{.*}} ins(%[[B]], %[[SHIFT]] : tensor<1x64xi8>, tensor<2xi8>) outs(%{{.*}} : tensor<1x2x64xf32>)
// FLOAT-LABEL: func.func @packed_runs_i4
// FLOAT: arith.constant dense<"0x000000C10000E0C00000C0C0{{.*}}"> : tensor<1x128xf32>
func.func @packed_runs_i4() -> tensor<1x128xf32> {
  %w = arith.constant dense<[[-7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75]]> : tensor<1x128xf32>
  %0 = adaround.fake_quant %w rounding(<hard>) qtype(!quant.uniform<i4:f32, 1.0>) v(dense<-1.0> : tensor<1x128xf32>) : tensor<1x128xf32>
  return %0 : tensor<1x128xf32>
}

// -----

// The same levels in two rows, one scale for the tensor: packed as one run
// of 256 levels cut into runs of 128, which are the rows, so the kernel
// iterates over (rows, runs, slot, byte) as with a scale per row, and fuses
// into a consumer iterating over rows (a matvec) the same way.
// CHECK-LABEL: func.func @packed_runs_per_tensor_rows
// CHECK: %[[B:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1, 2]] output_shape [2, 1, 64] : tensor<128xi8> into tensor<2x1x64xi8>
// CHECK: linalg.generic {{.*}} ins(%[[B]], %{{.*}} : tensor<2x1x64xi8>, tensor<2xi8>) outs(%{{.*}} : tensor<2x1x2x64xf32>)
func.func @packed_runs_per_tensor_rows() -> tensor<2x128xf32> {
  %w = arith.constant dense<[[-7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75], [-7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75]]> : tensor<2x128xf32>
  %0 = adaround.fake_quant %w rounding(<hard>) qtype(!quant.uniform<i4:f32, 1.0>) v(dense<-1.0> : tensor<2x128xf32>) : tensor<2x128xf32>
  return %0 : tensor<2x128xf32>
}

// -----

// Rows of 64 i4 levels, one scale for the tensor: each row is whole bytes
// but not a run of 128, so each is one run of 32 bytes (element j of a row
// in byte j % 32, the first 32 in the low nibbles), and the kernel iterates
// over (rows, 1, slot, byte), fusing into a matvec over rows as 128-level
// runs do. The levels of @packed_runs_i4 (s = 1, V < 0: floor), (j % 16) - 8
// in row 0 and 7 - (j % 16) in row 1, so byte j of row 0 is
// ((j % 16 - 8) & 15) * 0x11: 0x88, 0x99, ..., 0xFF, 0x00, ..., 0x77, and
// of row 1 ((7 - j % 16) & 15) * 0x11: 0x77, ..., 0x00, 0xFF, ..., 0x88.
// (One run of 64 bytes across both rows, as before, would pair row 0's
// element j with row 1's: 0x78, 0x69, ...)
// CHECK-LABEL: func.func @packed_row_runs_per_tensor
// CHECK: %[[P:.*]] = arith.constant dense<[-120, -103, -86, -69, -52, -35, -18, -1, 0, 17, 34, 51, 68, 85, 102, 119, -120, -103, -86, -69, -52, -35, -18, -1, 0, 17, 34, 51, 68, 85, 102, 119, 119, 102, 85, 68, 51, 34, 17, 0, -1, -18, -35, -52, -69, -86, -103, -120, 119, 102, 85, 68, 51, 34, 17, 0, -1, -18, -35, -52, -69, -86, -103, -120]> : tensor<64xi8>
// CHECK: %[[B:.*]] = tensor.expand_shape %[[P]] {{\[}}[0, 1, 2]] output_shape [2, 1, 32] : tensor<64xi8> into tensor<2x1x32xi8>
// CHECK: linalg.generic {{.*}} ins(%[[B]], %{{.*}} : tensor<2x1x32xi8>, tensor<2xi8>) outs(%{{.*}} : tensor<2x1x2x32xf32>)
func.func @packed_row_runs_per_tensor() -> tensor<2x64xf32> {
  %w = arith.constant dense<[[-7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, -7.75, -6.75, -5.75, -4.75, -3.75, -2.75, -1.75, -0.75, 0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25], [7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75, 7.25, 6.25, 5.25, 4.25, 3.25, 2.25, 1.25, 0.25, -0.75, -1.75, -2.75, -3.75, -4.75, -5.75, -6.75, -7.75]]> : tensor<2x64xf32>
  %0 = adaround.fake_quant %w rounding(<hard>) qtype(!quant.uniform<i4:f32, 1.0>) v(dense<-1.0> : tensor<2x64xf32>) : tensor<2x64xf32>
  return %0 : tensor<2x64xf32>
}

// -----

// u2, four levels per byte, z = 1, s = 1: 0.5 -> 0+1+1 = 2, 1.5 -> 1+1+0 = 2,
// -3 -> -3+1+1 clamps to 0, 9 -> clamps to 3: 0b11001010 = 0xCA.
// CHECK-LABEL: func.func @packed_u2
// CHECK: arith.constant dense<-54> : tensor<1xi8>
// CHECK: arith.shrui
// CHECK: arith.uitofp
func.func @packed_u2() -> tensor<4xf32> {
  %w = arith.constant dense<[0.5, 1.5, -3.0, 9.0]> : tensor<4xf32>
  %0 = adaround.fake_quant %w rounding(<hard>) qtype(!quant.uniform<u2:f32, 1.0:1>) v(dense<[1.0, -1.0, 1.0, 1.0]> : tensor<4xf32>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An innermost run of 3 per-channel elements cannot pack i4 in pairs: one
// level per byte.
// CHECK-LABEL: func.func @unpackable
// CHECK: arith.constant dense<{{.*}}> : tensor<2x3xi8>
func.func @unpackable() -> tensor<2x3xf32> {
  %w = arith.constant dense<1.0> : tensor<2x3xf32>
  %0 = adaround.fake_quant %w rounding(<hard>) qtype(!quant.uniform<i4:f32:1, {0.5, 0.25, 1.0}>) v(dense<1.0> : tensor<2x3xf32>) : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Soft ops bake their hard decisions; u8 levels are stored as i8 bits
// (200 -> -56). 100 / 0.5 = 200 + 0 (z = 0, V < 0).
// CHECK-LABEL: func.func @soft_u8
// CHECK: arith.constant dense<-56> : tensor<1xi8>
// CHECK: quant.scast %{{.*}} : tensor<1xi8> to tensor<1x!quant.uniform<u8:f32, 5.000000e-01>>
func.func @soft_u8() -> tensor<1xf32> {
  %w = arith.constant dense<100.25> : tensor<1xf32>
  %0 = adaround.fake_quant %w qtype(!quant.uniform<u8:f32, 0.5:0>) v(dense<-3.0> : tensor<1xf32>) : tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// Weights in a resource blob give levels in a resource blob. Levels of
// [1, -1] / 0.25 with V = [1, -1]: 4 + 1 = 5, -4 + 0 = -4.
// CHECK-LABEL: func.func @resource
// CHECK: arith.constant dense_resource<adaround_baked> : tensor<2xi16>
// CHECK: adaround_baked: "0x400000000500FCFF"
func.func @resource() -> tensor<2xf32> {
  %w = arith.constant dense_resource<weights> : tensor<2xf32>
  %0 = adaround.fake_quant %w rounding(<hard>) qtype(!quant.uniform<i16:f32, 0.25>) v(dense<[1.0, -1.0]> : tensor<2xf32>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F000080BF"
    }
  }
#-}

// -----

// Non-constant inputs are left alone.
// CHECK-LABEL: func.func @activation
// CHECK: adaround.fake_quant
func.func @activation(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.25>) v(dense<1.0> : tensor<2xf32>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A rank-0 i4 weight has no rows to split and a run of one level, so it is
// stored one level per byte: 1.3 / 0.5 = 2.6, V > 0 rounds up, level 3.
// CHECK-LABEL: func.func @scalar_i4
// CHECK: arith.constant dense<3> : tensor<i8>
func.func @scalar_i4() -> tensor<f32> {
  %w = arith.constant dense<1.3> : tensor<f32>
  %0 = adaround.fake_quant %w rounding(<hard>) qtype(!quant.uniform<i4:f32, 0.5>) v(dense<1.0> : tensor<f32>) : tensor<f32>
  return %0 : tensor<f32>
}
