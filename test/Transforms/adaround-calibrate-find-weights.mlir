// RUN: adaround-opt %s -split-input-file --adaround-calibrate="insert=1 verbose=1 bits=4" -verify-diagnostics | FileCheck %s

// Weights are found by structure: the output-channel axes come from the
// indexing maps, through transposes and unit-dimension reshapes, and the op
// goes on the constant itself.

// A PyTorch Linear: weight [out, in], transposed before the matmul.
// CHECK-LABEL: func.func @linear_transposed
// CHECK: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<3x4xf32>
// CHECK: %[[Q:.*]] = adaround.fake_quant %[[W]] qtype(!quant.uniform<i4:f32:0, {{.*}}) v({{.*}}) : tensor<3x4xf32>
// CHECK: linalg.transpose ins(%[[Q]]
func.func @linear_transposed(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, -2.0, 3.0, 0.5], [0.1, 0.2, -0.3, 0.4], [4.0, 3.0, 2.0, -1.0]]> : tensor<3x4xf32>
  %e = tensor.empty() : tensor<4x3xf32>
  %t = linalg.transpose ins(%w : tensor<3x4xf32>) outs(%e : tensor<4x3xf32>) permutation = [1, 0]
  %z = arith.constant dense<0.0> : tensor<2x3xf32>
  // expected-remark @+1 {{adaround-calibrate: quantizing weight 'tensor<3x4xf32>' of 'linalg.matmul' to 4 bits, output channels along axis 0}}
  %y = linalg.matmul ins(%x, %t : tensor<2x4xf32>, tensor<4x3xf32>) outs(%z : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A matmul with user maps reading B transposed.
// CHECK-LABEL: func.func @matmul_transpose_b
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:0, {{.*}} : tensor<3x4xf32>
func.func @matmul_transpose_b(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, -2.0, 3.0, 0.5], [0.1, 0.2, -0.3, 0.4], [4.0, 3.0, 2.0, -1.0]]> : tensor<3x4xf32>
  %z = arith.constant dense<0.0> : tensor<2x3xf32>
  // expected-remark @+1 {{output channels along axis 0}}
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
         ins(%x, %w : tensor<2x4xf32>, tensor<3x4xf32>) outs(%z : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A generic contraction (y = x W with W [in, out]).
// CHECK-LABEL: func.func @generic_contraction
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:1, {{.*}} : tensor<4x3xf32>
func.func @generic_contraction(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, -2.0, 3.0], [0.5, 0.1, 0.2], [-0.3, 0.4, 4.0], [3.0, 2.0, -1.0]]> : tensor<4x3xf32>
  %z = arith.constant dense<0.0> : tensor<2x3xf32>
  // expected-remark @+1 {{output channels along axis 1}}
  %y = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
         ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%z : tensor<2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// NHWC input, FHWC filter (what tosa-to-linalg makes of tosa.conv2d).
// CHECK-LABEL: func.func @conv_fhwc
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:0, {{.*}} : tensor<2x1x1x3xf32>
func.func @conv_fhwc(%x: tensor<1x2x2x3xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0, 3.0]]], [[[-1.0, 0.5, 0.25]]]]> : tensor<2x1x1x3xf32>
  %z = arith.constant dense<0.0> : tensor<1x2x2x2xf32>
  // expected-remark @+1 {{output channels along axis 0}}
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x2x2x3xf32>, tensor<2x1x1x3xf32>) outs(%z : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Depthwise with a channel multiplier: every output channel (c, m) gets its
// own scale, as sub-channel blocks of one along both axes.
// CHECK-LABEL: func.func @depthwise_multiplier
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:{2:1, 3:1}, {{.*}} : tensor<1x1x2x2xf32>
func.func @depthwise_multiplier(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x2xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0], [-3.0, 0.5]]]]> : tensor<1x1x2x2xf32>
  %z = arith.constant dense<0.0> : tensor<1x2x2x2x2xf32>
  // expected-remark @+1 {{output channels along axes 2, 3}}
  %y = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x2x2x2xf32>, tensor<1x1x2x2xf32>) outs(%z : tensor<1x2x2x2x2xf32>) -> tensor<1x2x2x2x2xf32>
  return %y : tensor<1x2x2x2x2xf32>
}

// -----

// Grouped convolution: groups x filters per group are the output channels.
// CHECK-LABEL: func.func @grouped
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:{0:1, 1:1}, {{.*}} : tensor<2x2x1x1x1xf32>
func.func @grouped(%x: tensor<1x2x1x2x2xf32>) -> tensor<1x2x2x2x2xf32> {
  %w = arith.constant dense<[[[[[1.0]]], [[[2.0]]]], [[[[-3.0]]], [[[0.5]]]]]> : tensor<2x2x1x1x1xf32>
  %z = arith.constant dense<0.0> : tensor<1x2x2x2x2xf32>
  // expected-remark @+1 {{output channels along axes 0, 1}}
  %y = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x2x1x2x2xf32>, tensor<2x2x1x1x1xf32>) outs(%z : tensor<1x2x2x2x2xf32>) -> tensor<1x2x2x2x2xf32>
  return %y : tensor<1x2x2x2x2xf32>
}

// -----

// A depthwise filter stored [C, 1, KH, KW] (PyTorch) and collapsed for
// linalg: the op goes on the 4-D constant, along its axis 0.
// CHECK-LABEL: func.func @depthwise_collapsed
// CHECK: %[[Q:.*]] = adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:0, {{.*}} : tensor<2x1x1x2xf32>
// CHECK: tensor.collapse_shape %[[Q]]
func.func @depthwise_collapsed(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x1xf32> {
  %w = arith.constant dense<[[[[1.0, -2.0]]], [[[0.5, 0.25]]]]> : tensor<2x1x1x2xf32>
  %c = tensor.collapse_shape %w [[0, 1], [2], [3]] : tensor<2x1x1x2xf32> into tensor<2x1x2xf32>
  %z = arith.constant dense<0.0> : tensor<1x2x2x1xf32>
  // expected-remark @+1 {{output channels along axis 0}}
  %y = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %c : tensor<1x2x2x2xf32>, tensor<2x1x2xf32>) outs(%z : tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  return %y : tensor<1x2x2x1xf32>
}

// -----

// TOSA: the ops carry their weights directly.
// CHECK-LABEL: func.func @tosa_conv
// CHECK: %[[W:.*]] = "tosa.const"
// CHECK: %[[Q:.*]] = adaround.fake_quant %[[W]] qtype(!quant.uniform<i4:f32:0, {{.*}} : tensor<2x1x1x3xf32>
// CHECK: tosa.conv2d %{{.*}}, %[[Q]]
func.func @tosa_conv(%x: tensor<1x2x2x3xf32>) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0, 2.0, 3.0]]], [[[-1.0, 0.5, 0.25]]]]> : tensor<2x1x1x3xf32>}> : () -> tensor<2x1x1x3xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @+1 {{output channels along axis 0}}
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x3xf32>, tensor<2x1x1x3xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @tosa_matmul_transposed
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:1, {{.*}} : tensor<1x3x4xf32>
func.func @tosa_matmul_transposed(%a: tensor<1x2x4xf32>) -> tensor<1x2x3xf32> {
  %w = "tosa.const"() <{values = dense<[[[1.0, -2.0, 3.0, 0.5], [0.1, 0.2, -0.3, 0.4], [4.0, 3.0, 2.0, -1.0]]]> : tensor<1x3x4xf32>}> : () -> tensor<1x3x4xf32>
  %t = tosa.transpose %w {perms = array<i32: 0, 2, 1>} : (tensor<1x3x4xf32>) -> tensor<1x4x3xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @+1 {{output channels along axis 1}}
  %y = tosa.matmul %a, %t, %zp, %zp : (tensor<1x2x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x3xf32>
  return %y : tensor<1x2x3xf32>
}

// -----

// Candidates left alone say why under verbose.
// CHECK-LABEL: func.func @skipped
// CHECK-NOT: adaround.fake_quant
func.func @skipped(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>) -> tensor<2x3xf32> {
  %z = arith.constant dense<0.0> : tensor<2x3xf32>
  // expected-remark @+1 {{adaround-calibrate: operand 1 is not a constant}}
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%z : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A weight broadcast over a batch before a batch_matmul: the op goes on the
// 2-D constant, along its output channels.
// CHECK-LABEL: func.func @broadcast_weight
// CHECK: %[[Q:.*]] = adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:1, {{.*}} : tensor<4x3xf32>
// CHECK: linalg.broadcast ins(%[[Q]]
func.func @broadcast_weight(%x: tensor<2x5x4xf32>) -> tensor<2x5x3xf32> {
  %w = arith.constant dense<[[1.0, -2.0, 3.0], [0.5, 0.1, 0.2], [-0.3, 0.4, 4.0], [3.0, 2.0, -1.0]]> : tensor<4x3xf32>
  %e = tensor.empty() : tensor<2x4x3xf32>
  %b = linalg.broadcast ins(%w : tensor<4x3xf32>) outs(%e : tensor<2x4x3xf32>) dimensions = [0]
  %z = arith.constant dense<0.0> : tensor<2x5x3xf32>
  // expected-remark @+1 {{output channels along axis 1}}
  %y = linalg.batch_matmul ins(%x, %b : tensor<2x5x4xf32>, tensor<2x4x3xf32>) outs(%z : tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
  return %y : tensor<2x5x3xf32>
}

// -----

// A reshape that splits the channel dimension loses it: left alone.
// CHECK-LABEL: func.func @split_channels
// CHECK-NOT: adaround.fake_quant
func.func @split_channels(%x: tensor<2x4xf32>) -> tensor<2x2x3xf32> {
  %w = arith.constant dense<1.0> : tensor<4x6xf32>
  %r = tensor.expand_shape %w [[0], [1, 2]] output_shape [4, 2, 3] : tensor<4x6xf32> into tensor<4x2x3xf32>
  %z = arith.constant dense<0.0> : tensor<2x2x3xf32>
  // expected-remark @+1 {{operand 1: its channel axis does not survive the reshape or broadcast before it}}
  %y = linalg.generic {indexing_maps = [affine_map<(m, g, n, k) -> (m, k)>, affine_map<(m, g, n, k) -> (k, g, n)>, affine_map<(m, g, n, k) -> (m, g, n)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
         ins(%x, %r : tensor<2x4xf32>, tensor<4x2x3xf32>) outs(%z : tensor<2x2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x2x3xf32>
  return %y : tensor<2x2x3xf32>
}

// -----

// A batched weight is quantized per column (N), not per (batch, column):
// the batch loop is not an output channel.
// CHECK-LABEL: func.func @batch_matmul_weight
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:2, {{.*}} : tensor<2x4x3xf32>
func.func @batch_matmul_weight(%x: tensor<2x5x4xf32>) -> tensor<2x5x3xf32> {
  %w = arith.constant dense<[[[1.0, -2.0, 3.0], [0.5, 0.1, 0.2], [-0.3, 0.4, 4.0], [3.0, 2.0, -1.0]], [[2.0, -1.0, 0.5], [0.25, 0.1, 0.2], [-0.3, 0.4, 1.0], [3.0, 2.0, -1.0]]]> : tensor<2x4x3xf32>
  %z = arith.constant dense<0.0> : tensor<2x5x3xf32>
  // expected-remark @+1 {{output channels along axis 2}}
  %y = linalg.batch_matmul ins(%x, %w : tensor<2x5x4xf32>, tensor<2x4x3xf32>) outs(%z : tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
  return %y : tensor<2x5x3xf32>
}

// -----

// TOSA conv3d ([O, KD, KH, KW, I]) and transpose_conv2d ([O, KH, KW, I]).
// CHECK-LABEL: func.func @tosa_conv3d
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:0, {{.*}} : tensor<3x1x1x1x2xf32>
func.func @tosa_conv3d(%x: tensor<1x4x4x4x2xf32>) -> tensor<1x4x4x4x3xf32> {
  %w = "tosa.const"() <{values = dense<[[[[[0.5, -1.0]]]], [[[[2.0, 0.25]]]], [[[[-3.0, 1.0]]]]]> : tensor<3x1x1x1x2xf32>}> : () -> tensor<3x1x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<3xf32>}> : () -> tensor<3xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @+1 {{output channels along axis 0}}
  %y = tosa.conv3d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1, 1>, pad = array<i64: 0, 0, 0, 0, 0, 0>, stride = array<i64: 1, 1, 1>} : (tensor<1x4x4x4x2xf32>, tensor<3x1x1x1x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4x3xf32>
  return %y : tensor<1x4x4x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @tosa_transpose_conv2d
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:0, {{.*}} : tensor<2x1x1x2xf32>
func.func @tosa_transpose_conv2d(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[[0.5, -1.0]]], [[[2.0, 0.25]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark @+1 {{output channels along axis 0}}
  %y = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}
