// RUN: adaround-opt %s -split-input-file -verify-diagnostics --adaround-calibrate="insert=1" | FileCheck %s

// Weights insert=1 cannot wrap are left alone with a remark saying why.
// CHECK-LABEL: func.func @i8_matmul
// CHECK-NOT: adaround.fake_quant
func.func @i8_matmul(%a: tensor<2x3xi8>) -> tensor<2x4xi32> {
  %b = arith.constant dense<1> : tensor<3x4xi8>
  %c = arith.constant dense<0> : tensor<2x4xi32>
  // expected-remark @+1 {{adaround-calibrate: weight operand 1 of type 'tensor<3x4xi8>' left unquantized: its elements are not f32, f16 or bf16}}
  %r = linalg.matmul ins(%a, %b : tensor<2x3xi8>, tensor<3x4xi8>) outs(%c : tensor<2x4xi32>) -> tensor<2x4xi32>
  return %r : tensor<2x4xi32>
}

// -----

// f16 weights are quantized (computed in f32, rounded back).
// CHECK-LABEL: func.func @f16_matmul
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i8:f16:1, {{.*}}) v({{.*}} : tensor<3x4xf32>) : tensor<3x4xf16>
func.func @f16_matmul(%a: tensor<2x3xf16>) -> tensor<2x4xf16> {
  %b = arith.constant dense<1.0> : tensor<3x4xf16>
  %c = arith.constant dense<0.0> : tensor<2x4xf16>
  %r = linalg.matmul ins(%a, %b : tensor<2x3xf16>, tensor<3x4xf16>) outs(%c : tensor<2x4xf16>) -> tensor<2x4xf16>
  return %r : tensor<2x4xf16>
}

// -----

// CHECK-LABEL: func.func @empty_matmul
// CHECK-NOT: adaround.fake_quant
func.func @empty_matmul(%a: tensor<2x0xf32>) -> tensor<2x4xf32> {
  %b = arith.constant dense<1.0> : tensor<0x4xf32>
  %c = arith.constant dense<0.0> : tensor<2x4xf32>
  // expected-remark @+1 {{adaround-calibrate: weight operand 1 of type 'tensor<0x4xf32>' left unquantized: it has no elements}}
  %r = linalg.matmul ins(%a, %b : tensor<2x0xf32>, tensor<0x4xf32>) outs(%c : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @huge_matmul
// CHECK-NOT: adaround.fake_quant
func.func @huge_matmul(%a: tensor<2x3037000500xf32>) -> tensor<2x3037000500xf32> {
  %b = arith.constant dense<1.0> : tensor<3037000500x3037000500xf32>
  %c = arith.constant dense<0.0> : tensor<2x3037000500xf32>
  // expected-remark @+1 {{adaround-calibrate: weight operand 1 of type 'tensor<3037000500x3037000500xf32>' left unquantized: its element count overflows a 64-bit size}}
  %r = linalg.matmul ins(%a, %b : tensor<2x3037000500xf32>, tensor<3037000500x3037000500xf32>) outs(%c : tensor<2x3037000500xf32>) -> tensor<2x3037000500xf32>
  return %r : tensor<2x3037000500xf32>
}

// -----

// An explicit op on an empty tensor has no range to calibrate from.
func.func @empty_op() -> tensor<0x3xf32> {
  %w = arith.constant dense<> : tensor<0x3xf32>
  // expected-error @+1 {{cannot be calibrated: its input 'tensor<0x3xf32>' has no elements to take a range from}}
  %y = adaround.fake_quant %w : tensor<0x3xf32>
  return %y : tensor<0x3xf32>
}

// -----

// A weight that cannot be calibrated is reported once.
func.func @nan_weight(%a: tensor<2x3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{cannot be calibrated: input element 1 is nan}}
  %b = arith.constant dense<[[1.0, 0x7FC00000, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]> : tensor<3x4xf32>
  %c = arith.constant dense<0.0> : tensor<2x4xf32>
  %r = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%c : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}
