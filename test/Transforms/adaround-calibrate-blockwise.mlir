// RUN: adaround-opt %s --adaround-calibrate="granularity=blockwise axis=0 block-size=2 symmetric=0 unsigned=1" | FileCheck %s

// Asymmetric u8 blocks of 2 along dimension 1, per row (axis 0): block
// [0, 1] spans [0, 1] -> s = 1/255, z = 0; block [-2, 2] -> s = 4/255,
// z = 0 - round(-2 / s) = 127 (in f32, -2 / s = -127.49999).
// CHECK-LABEL: func.func @blocks
// CHECK: qtype(!quant.uniform<u8:f32:{0:1, 1:2}, {{\{\{}}0.003921569, 0.015686275:127}}>)
func.func @blocks() -> tensor<1x4xf32> {
  %w = arith.constant dense<[[0.0, 1.0, -2.0, 2.0]]> : tensor<1x4xf32>
  %0 = adaround.fake_quant %w : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
