// RUN: adaround-opt %s -split-input-file --adaround-bake=verbose=1 -verify-diagnostics

func.func @nan() -> tensor<4xf32> {
  %w = arith.constant dense<[0.1, 0.2, 0x7FC00000, 0.4]> : tensor<4xf32>
  // expected-error @+1 {{cannot be baked: input element 2 is NaN, which no integer level represents}}
  %0 = adaround.fake_quant %w qtype(!quant.uniform<i8:f32, 0.5>) v(dense<1.0> : tensor<4xf32>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @uncalibrated() -> tensor<4xf32> {
  %w = arith.constant dense<0.5> : tensor<4xf32>
  // expected-error @+1 {{cannot be baked: not calibrated (no 'v'); run --adaround-calibrate first}}
  %0 = adaround.fake_quant %w qtype(!quant.uniform<i8:f32, 0.5>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @overflow() -> tensor<4xf32> {
  %w = arith.constant dense<0.5> : tensor<4xf32>
  // expected-error @+1 {{cannot be baked: attribute 'qtype' has scale 3.000000e+38 at block 0 whose dequantized levels overflow f32}}
  %0 = adaround.fake_quant %w qtype(!quant.uniform<i8:f32, 3.0e38>) v(dense<1.0> : tensor<4xf32>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @activation(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-remark @+1 {{left alone: its input is not a constant}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.25>) v(dense<1.0> : tensor<2xf32>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @unpackable() -> tensor<2x3xf32> {
  %w = arith.constant dense<1.0> : tensor<2x3xf32>
  // expected-remark @+1 {{stored one 4-bit level per byte: the innermost run of elements is not a multiple of 2}}
  %0 = adaround.fake_quant %w rounding(<hard>) qtype(!quant.uniform<i4:f32:1, {0.5, 0.25, 1.0}>) v(dense<1.0> : tensor<2x3xf32>) : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @huge_splat_weight() -> tensor<100000x100000x1000xf32> {
  %w = arith.constant dense<0.5> : tensor<100000x100000x1000xf32>
  // expected-error @+1 {{cannot be baked: the values of its constant input are unavailable (an elided resource, or a splat too large to expand)}}
  %0 = adaround.fake_quant %w qtype(!quant.uniform<i8:f32, 0.05>) v(dense<1.0> : tensor<100000x100000x1000xf32>) : tensor<100000x100000x1000xf32>
  return %0 : tensor<100000x100000x1000xf32>
}
