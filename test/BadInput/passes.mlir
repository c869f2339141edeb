// Inputs the passes cannot use: each gets a diagnostic, none a crash.

// RUN: adaround-opt %s -split-input-file -verify-diagnostics --adaround-to-llvm --verify-each=0 -o /dev/null
// A missing V blob is reported by the lowering, not by mlir-translate later.
func.func @missing_v(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{attribute 'v' refers to a resource blob that is missing, elided or of the wrong size}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) v(dense_resource<nowhere> : tensor<4xf32>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @missing_weights() -> tensor<4xf32> {
  %w = arith.constant dense_resource<no_weights> : tensor<4xf32>
  // expected-error @+1 {{input refers to a resource blob that is missing, elided or of the wrong size}}
  %0 = adaround.fake_quant %w qtype(!quant.uniform<i8:f32, 0.1>) v(dense<1.0> : tensor<4xf32>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}
