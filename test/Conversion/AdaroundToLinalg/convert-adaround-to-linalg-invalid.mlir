// RUN: adaround-opt %s -split-input-file --convert-adaround-to-linalg -verify-diagnostics

func.func @uncalibrated(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{is not calibrated (no 'v'); run --adaround-calibrate first}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.25>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @missing_blob(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'v' refers to a resource blob that is missing, elided or of the wrong size}}
  %0 = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<i8:f32, 0.25>) v(dense_resource<nowhere> : tensor<2xf32>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}
