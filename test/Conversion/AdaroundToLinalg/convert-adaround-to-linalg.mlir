// RUN: adaround-opt %s -split-input-file --convert-adaround-to-linalg | FileCheck %s

// Per tensor: one loop over all elements, parameters as body constants, a
// true division, NaN-propagating clamps. V is a constant: the soft offsets
// h(V) = clamp(sigmoid(V) * 1.2 - 0.1, 0, 1) are computed at compile time
// (values from numpy in f64, to the digits f32 keeps) and the kernel adds
// them, with no exp and no second division.
// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @per_tensor_soft
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: %[[H:.*]] = arith.constant dense<[0.646951{{[0-9]*}}, 0.222729{{[0-9]*}}, 5.000000e-01, 0.777270{{[0-9]*}}, 0.956956{{[0-9]*}}, 0.000000e+00]> : tensor<6xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[FLAT]], %[[H]] : tensor<6xf32>, tensor<6xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[OFFSET:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[S:.*]] = arith.constant 5.000000e-02 : f32
// CHECK-NOT: math.exp
// CHECK: %[[Q:.*]] = arith.divf %[[IN]], %[[S]] : f32
// CHECK: %[[F:.*]] = math.floor %[[Q]]
// CHECK: %[[FZ:.*]] = arith.addf %[[F]]
// CHECK: arith.addf %[[FZ]], %[[OFFSET]]
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: arith.select
// CHECK: %[[DQ:.*]] = arith.subf
// CHECK: %[[Y:.*]] = arith.mulf %[[DQ]], %[[S]]
// CHECK: linalg.yield %[[Y]]
// CHECK: tensor.expand_shape %[[R]] {{\[}}[0, 1]] output_shape [2, 3]
// CHECK-NOT: adaround.fake_quant
func.func @per_tensor_soft(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.05>) v(dense<[[0.5, -1.0, 0.0],[1.0, 2.0, -3.0]]> : tensor<2x3xf32>) : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Hard rounding reads one byte per element, folded from the sign of V; the
// ties V = 0 and V = -0.0 round up. Per-axis scales and zero points are
// broadcast along axis 0.
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @per_axis_hard
// CHECK-DAG: %[[UP:.*]] = arith.constant dense<{{\[}}[1, 0, 1], [1, 0, 1]]> : tensor<2x3xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[1.000000e-01, 2.000000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<[1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ROW]], #[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %[[UP]], %[[S]], %[[Z]] :
// CHECK: ^bb0(%{{.*}}: f32, %[[BIT:.*]]: i8, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: arith.uitofp %[[BIT]] : i8 to f32
// CHECK-NOT: math.exp
// CHECK: linalg.yield
func.func @per_axis_hard(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<i8<-8:7>:f32:0, {0.1:1, 0.2:-2}>) v(dense<[[0.5, -1.0, 0.0],[1.0, -2.0, -0.0]]> : tensor<2x3xf32>) : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Per-axis on the middle axis of a rank-3 tensor: outer x channel x inner.
// CHECK-DAG: #[[MID:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @per_axis_middle
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[MID]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: tensor<2x3x20xf32>
func.func @per_axis_middle(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>) v(dense<1.0> : tensor<2x3x4x5xf32>) : tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// Sub-channel blocks: dimension 1 splits into (blocks, block extent).
// CHECK-DAG: #[[BLK:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @blockwise
// CHECK: %[[SPLIT:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] output_shape [2, 2, 4] : tensor<2x8xf32> into tensor<2x2x4xf32>
// CHECK: %[[VIEW:.*]] = tensor.collapse_shape %[[SPLIT]] {{\[}}[0, 1], [2]] : tensor<2x2x4xf32> into tensor<4x4xf32>
// CHECK: %[[S:.*]] = arith.constant dense<[1.000000e-01, 2.000000e-01, 3.000000e-01, 4.000000e-01]> : tensor<4xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[BLK]], #{{.*}}]{{.*}} ins(%[[VIEW]], %{{.*}}, %[[S]] :
func.func @blockwise(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i4:f32:{0:1, 1:4}, {{0.1, 0.2}, {0.3, 0.4}}>) v(dense<0.0> : tensor<2x8xf32>) : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Large weights stay out of the text: a dense_resource V gives dense_resource
// decisions (blob: 64-byte alignment, then V = [1, -1, 0, -0.0] -> 1, 0, 1, 1).
// CHECK-LABEL: func.func @resource_hard
// CHECK: arith.constant dense_resource<adaround_decisions> : tensor<4xi8>
// CHECK: adaround_decisions: "0x4000000001000101"
func.func @resource_hard(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<i8:f32, 0.25>) v(dense_resource<logits> : tensor<4xf32>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      logits: "0x040000000000803F000080BF0000000000000080"
    }
  }
#-}

// -----

// A soft dense_resource V gives a dense_resource blob of offsets h(V) for
// V = 1, -1, 0, -0 (numpy: 0.7772703, 0.2227297 within 2 ulps, 0.5, 0.5).
// CHECK-LABEL: func.func @resource_soft
// CHECK: arith.constant dense_resource<adaround_soft_offsets> : tensor<4xf32>
// CHECK: adaround_soft_offsets: "0x4000000030FB463F{{4[0-4]}}13643E0000003F0000003F"
func.func @resource_soft(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.25>) v(dense_resource<logits> : tensor<2x2xf32>) : tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      logits: "0x040000000000803F000080BF0000000000000080"
    }
  }
#-}

// -----

// Empty tensors have nothing to quantize.
// CHECK-LABEL: func.func @empty
// CHECK-SAME: (%[[X:.*]]: tensor<0x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @empty(%x: tensor<0x4xf32>) -> tensor<0x4xf32> {
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.25>) v(dense<0.0> : tensor<0x4xf32>) : tensor<0x4xf32>
  return %0 : tensor<0x4xf32>
}

// -----

// Rank 0 needs no reshapes.
// CHECK-LABEL: func.func @scalar
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = []}
func.func @scalar(%x: tensor<f32>) -> tensor<f32> {
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.25>) v(dense<1.0> : tensor<f32>) : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A splat V of a huge tensor is never expanded: its decisions stay a splat.
// CHECK-LABEL: func.func @huge_splat
// CHECK: arith.constant dense<1> : tensor<10000000000000xi8>
func.func @huge_splat(%x: tensor<100000x100000x1000xf32>) -> tensor<100000x100000x1000xf32> {
  %0 = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<i8:f32, 0.05>) v(dense<0.0> : tensor<100000x100000x1000xf32>) : tensor<100000x100000x1000xf32>
  return %0 : tensor<100000x100000x1000xf32>
}

// -----

// Baked i8 levels with one scale for the tensor: rows of whole 64-byte runs
// are dequantized row by row (a (2, 64) kernel, which fuses into a matvec
// reading the rows); shorter rows stay one merged loop of 96.
// CHECK-LABEL: func.func @per_tensor_i8_rows
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x64xi8>) outs(%{{.*}} : tensor<2x64xf32>)
// CHECK-LABEL: func.func @per_tensor_i8_short_rows
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<96xi8>) outs(%{{.*}} : tensor<96xf32>)
func.func @per_tensor_i8_rows(%q: tensor<2x64xi8>) -> tensor<2x64xf32> {
  %s = quant.scast %q : tensor<2x64xi8> to tensor<2x64x!quant.uniform<i8:f32, 5.000000e-01>>
  %f = quant.dcast %s : tensor<2x64x!quant.uniform<i8:f32, 5.000000e-01>> to tensor<2x64xf32>
  return %f : tensor<2x64xf32>
}
func.func @per_tensor_i8_short_rows(%q: tensor<2x48xi8>) -> tensor<2x48xf32> {
  %s = quant.scast %q : tensor<2x48xi8> to tensor<2x48x!quant.uniform<i8:f32, 5.000000e-01>>
  %f = quant.dcast %s : tensor<2x48x!quant.uniform<i8:f32, 5.000000e-01>> to tensor<2x48xf32>
  return %f : tensor<2x48xf32>
}
