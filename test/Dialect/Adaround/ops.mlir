// RUN: adaround-opt %s | adaround-opt | FileCheck %s
// RUN: adaround-opt %s --mlir-print-op-generic | adaround-opt | FileCheck %s
// RUN: adaround-opt %s --emit-bytecode | adaround-opt | FileCheck %s

// CHECK-LABEL: func.func @per_tensor_soft
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i8:f32, 5.000000e-02>) v(dense<[5.000000e-01, -1.000000e+00, 0.000000e+00, 3.000000e+00]> : tensor<4xf32>) : tensor<4xf32>
func.func @per_tensor_soft(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.05>) v(dense<[0.5, -1.0, 0.0, 3.0]> : tensor<4xf32>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Defaults (soft rounding, zeta 1.1, gamma -0.1) are elided when printing,
// whether written out or not.
// CHECK-LABEL: func.func @defaults_elided
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i8:f32, 5.000000e-02>) v(dense<0.000000e+00> : tensor<4xf32>) : tensor<4xf32>
func.func @defaults_elided(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = adaround.fake_quant %x rounding(<soft>) qtype(!quant.uniform<i8:f32, 0.05>) v(dense<0.0> : tensor<4xf32>) {zeta = 1.1 : f32, gamma = -0.1 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @non_default_stretch
// CHECK: adaround.fake_quant %{{.*}} rounding(<hard>) qtype(!quant.uniform<u8:f32, 1.000000e-01:128>) v(dense<1.000000e+00> : tensor<4xf32>) {gamma = -2.000000e-01 : f32, zeta = 1.200000e+00 : f32} : tensor<4xf32>
func.func @non_default_stretch(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<u8:f32, 0.1:128>) v(dense<1.0> : tensor<4xf32>) {zeta = 1.2 : f32, gamma = -0.2 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @per_axis_hard
// CHECK: adaround.fake_quant %{{.*}} rounding(<hard>) qtype(!quant.uniform<i8<-8:7>:f32:1, {1.000000e-01,2.000000e-01:-3,3.000000e-01}>) v(dense<{{.*}}> : tensor<2x3xf32>) : tensor<2x3xf32>
func.func @per_axis_hard(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<i8<-8:7>:f32:1, {0.1, 0.2:-3, 0.3}>) v(dense<[[1.0, -1.0, 0.0], [2.0, -2.0, -0.0]]> : tensor<2x3xf32>) : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @blockwise
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32:{0:1, 1:2}, {{\{\{}}0.1, 0.2}, {0.3, 0.4}}>) v(dense<2.500000e-01> : tensor<2x4xf32>) : tensor<2x4xf32>
func.func @blockwise(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i4:f32:{0:1, 1:2}, {{0.1, 0.2}, {0.3, 0.4}}>) v(dense<0.25> : tensor<2x4xf32>) : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func @i16_and_i2
// CHECK: qtype(!quant.uniform<i16:f32, 1.000000e-03>)
// CHECK: qtype(!quant.uniform<i2:f32, 5.000000e-01>)
func.func @i16_and_i2(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i16:f32, 0.001>) v(dense<0.0> : tensor<4xf32>) : tensor<4xf32>
  %1 = adaround.fake_quant %x qtype(!quant.uniform<i2:f32, 0.5>) v(dense<0.0> : tensor<4xf32>) : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @resource
// CHECK: adaround.fake_quant %{{.*}} rounding(<hard>) qtype(!quant.uniform<i8:f32, 2.500000e-01>) v(dense_resource<logits> : tensor<2xf32>) : tensor<2xf32>
func.func @resource(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<i8:f32, 0.25>) v(dense_resource<logits> : tensor<2xf32>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// An op without `v` is not yet calibrated.
// CHECK-LABEL: func.func @uncalibrated
// CHECK: adaround.fake_quant %{{.*}} : tensor<8xf32>
// CHECK: adaround.fake_quant %{{.*}} qtype(!quant.uniform<i4:f32, 1.000000e+00>) : tensor<8xf32>
func.func @uncalibrated(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %0 = adaround.fake_quant %x : tensor<8xf32>
  %1 = adaround.fake_quant %x qtype(!quant.uniform<i4:f32, 1.0>) : tensor<8xf32>
  return %0, %1 : tensor<8xf32>, tensor<8xf32>
}

// f16 and bf16 operands: qtype expressed in their type, V in f32.
// CHECK-LABEL: func.func @bf16_operand
// CHECK: adaround.fake_quant %{{.*}} rounding(<hard>) qtype(!quant.uniform<i4:bf16:0, {1.000000e-01,2.000000e-01}>) v(dense<5.000000e-01> : tensor<2x3xf32>) : tensor<2x3xbf16>
func.func @bf16_operand(%x: tensor<2x3xbf16>) -> tensor<2x3xbf16> {
  %0 = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<i4:bf16:0, {0.1, 0.2}>) v(dense<0.5> : tensor<2x3xf32>) : tensor<2x3xbf16>
  return %0 : tensor<2x3xbf16>
}

// CHECK: dialect_resources
// CHECK: logits: "0x040000000000803F000080BF"
{-#
  dialect_resources: {
    builtin: {
      logits: "0x040000000000803F000080BF"
    }
  }
#-}
