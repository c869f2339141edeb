// Bad values reach the passes as diagnostics naming the op, the attribute
// and the value; none crashes.
// RUN: adaround-opt %s -split-input-file -verify-diagnostics
// RUN: adaround-opt %s -split-input-file -verify-diagnostics --adaround-calibrate="insert=1" --adaround-bake --adaround-to-llvm

// Element counts that overflow a 64-bit size are refused by the verifier,
// before any pass multiplies them.
func.func @overflow() -> tensor<3037000500x3037000500xf32> {
  %w = arith.constant dense<1.0> : tensor<3037000500x3037000500xf32>
  // expected-error @+1 {{operand type 'tensor<3037000500x3037000500xf32>' has more elements than a 64-bit size can hold}}
  %y = adaround.fake_quant %w qtype(!quant.uniform<i8:f32, 0.1>) v(dense<1.0> : tensor<3037000500x3037000500xf32>) : tensor<3037000500x3037000500xf32>
  return %y : tensor<3037000500x3037000500xf32>
}

// -----

// A V blob whose size is not the tensor's (17 bytes for 4 floats).
func.func @odd_blob(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{attribute 'v' has a resource blob 'odd_v' of 17 bytes; its type 'tensor<4xf32>' needs 16}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) v(dense_resource<odd_v> : tensor<4xf32>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      odd_v: "0x040000000000803F000080BF0000803F000080BF00"
    }
  }
#-}

// -----

// Sparse V could hide a NaN from the verifier: only dense forms are taken.
func.func @sparse_v(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{attribute 'v' must be dense or dense_resource elements, got sparse<1, 0x7FC00000> : tensor<4xf32>}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) v(sparse<[[1]], [0x7FC00000]> : tensor<4xf32>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}
