// RUN: adaround-opt %s -split-input-file --adaround-calibrate -verify-diagnostics
// RUN: not adaround-opt %s --adaround-calibrate="granularity=rows" 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not adaround-opt %s --adaround-calibrate="bits=17" 2>&1 | FileCheck %s --check-prefix=BITS

// OPTION: option 'granularity' must be per-tensor, per-channel or blockwise, got 'rows'
// BITS: option 'bits' must be 2 to 16, got 17

func.func @nan_weight() -> tensor<2xf32> {
  %w = arith.constant dense<[1.0, 0x7FC00000]> : tensor<2xf32>
  // expected-error @+1 {{cannot be calibrated: input element 1 is nan}}
  %0 = adaround.fake_quant %w : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @not_constant(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-warning @+1 {{left uncalibrated: its input is not a constant}}
  %0 = adaround.fake_quant %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @axis_range() -> tensor<f32> {
  %w = arith.constant dense<1.0> : tensor<f32>
  // expected-error @+1 {{cannot be calibrated per channel: axis 0 is out of range for rank 0}}
  %0 = adaround.fake_quant %w : tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @overflow() -> tensor<2xf32> {
  %w = arith.constant dense<[3.0e38, 1.0]> : tensor<2xf32>
  // expected-error @+1 {{cannot be calibrated: input element 0 divided by its scale overflows f32}}
  %0 = adaround.fake_quant %w qtype(!quant.uniform<i8:f32, 1.0e-3>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}
