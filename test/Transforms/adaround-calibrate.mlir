// RUN: adaround-opt %s -split-input-file --adaround-calibrate="granularity=per-tensor" | FileCheck %s --check-prefix=TENSOR
// RUN: adaround-opt %s -split-input-file --adaround-calibrate="insert=1 bits=4 rounding=hard" | FileCheck %s --check-prefix=INSERT

// Expected numbers by hand (numpy float32): max(|-1|, 2.55) / 127.5 =
// 0.0199999996; x / s = -50, 25, 127.5, 0; residuals 0, 0, 0.5, 0; so
// V = -log(11) = -2.39789534 except V(0.5) = -log(1) = -0.
// TENSOR-LABEL: func.func @existing
// TENSOR: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i8:f32, 0.019999999552965164>) v(dense<[-2.39789534, -2.39789534, -0.000000e+00, -2.39789534]> : tensor<4xf32>) : tensor<4xf32>
// A qtype already present is kept; only V is initialised: with s = 0.25 the
// residuals are 0, 0, 0.2, 0 and V(0.2) = -log(1.2 / 0.3 - 1) = -log(3).
// TENSOR: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i8:f32, 2.500000e-01>) v(dense<[-2.39789534, -2.39789534, -1.09861326, -2.39789534]>
// INSERT-LABEL: func.func @existing
// INSERT: qtype(!quant.uniform<i4:f32:0, {0.13333334028720856,0.066666670143604279,0.34000000357627869,1.1920928955078125E-7}>)
func.func @existing() -> (tensor<4xf32>, tensor<4xf32>) {
  %w = arith.constant dense<[-1.0, 0.5, 2.55, 0.0]> : tensor<4xf32>
  %0 = adaround.fake_quant %w : tensor<4xf32>
  %1 = adaround.fake_quant %w qtype(!quant.uniform<i8:f32, 0.25>) : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Insertion wraps the weight of a matmul, quantized per output column (axis
// 1): scales max(|column|) / 7.5 = 1 / 7.5 and 4 / 7.5.
// INSERT-LABEL: func.func @matmul
// INSERT: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<3x2xf32>
// INSERT: %[[Q:.*]] = adaround.fake_quant %[[W]] rounding(<hard>) qtype(!quant.uniform<i4:f32:1, {0.13333334028720856,0.53333336114883423}>) v(
// INSERT: linalg.matmul ins(%{{.*}}, %[[Q]] :
// TENSOR-LABEL: func.func @matmul
// TENSOR-NOT: adaround.fake_quant
// TENSOR-LABEL: func.func @convs
func.func @matmul(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, -2.0], [0.5, 4.0], [-0.25, 1.0]]> : tensor<3x2xf32>
  %i = arith.constant dense<0.0> : tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%i : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Convolutions quantize their output channels: F of FCHW, F of HWCF.
// INSERT-LABEL: func.func @convs
// INSERT: qtype(!quant.uniform<i4:f32:0, {{.*}}>)
// INSERT: linalg.conv_2d_nchw_fchw
// INSERT: qtype(!quant.uniform<i4:f32:3, {{.*}}>)
// INSERT: linalg.conv_2d_nhwc_hwcf
func.func @convs(%a: tensor<1x2x4x4xf32>, %b: tensor<1x4x4x2xf32>) -> (tensor<1x3x3x3xf32>, tensor<1x3x3x3xf32>) {
  %f1 = arith.constant dense<0.5> : tensor<3x2x2x2xf32>
  %f2 = arith.constant dense<0.5> : tensor<2x2x2x3xf32>
  %o1 = arith.constant dense<0.0> : tensor<1x3x3x3xf32>
  %r1 = linalg.conv_2d_nchw_fchw ins(%a, %f1 : tensor<1x2x4x4xf32>, tensor<3x2x2x2xf32>) outs(%o1 : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %r2 = linalg.conv_2d_nhwc_hwcf ins(%b, %f2 : tensor<1x4x4x2xf32>, tensor<2x2x2x3xf32>) outs(%o1 : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %r1, %r2 : tensor<1x3x3x3xf32>, tensor<1x3x3x3xf32>
}

