// Elementwise arith and math ops on whole tensors (as front ends emit them)
// compile with both pipelines. Hand-derived: the hard fake quant of 0.3 at
// scale 0.0625 with V >= 0 is (floor(4.8) + 1) * 0.0625 = 0.3125, so
// |2 * (x + 0.3125)| for x = [1, 2, -1, 0.5] is [2.625, 4.625, 1.375, 1.625].
// RUN: adaround-opt %s --adaround-to-llvm | %mlir_runner | FileCheck %s
// RUN: adaround-opt %s --adaround-to-nvvm -o /dev/null
// CHECK: [2.625,  4.625,  1.375,  1.625]

func.func private @printMemrefF32(tensor<*xf32>)

func.func @layer(%x: tensor<4xf32>) -> tensor<4xf32> {
  %w = arith.constant dense<0.3> : tensor<4xf32>
  %q = adaround.fake_quant %w rounding(<hard>) qtype(!quant.uniform<i8:f32, 0.0625>)
         v(dense<0.5> : tensor<4xf32>) : tensor<4xf32>
  %two = arith.constant dense<2.0> : tensor<4xf32>
  %s = arith.addf %x, %q : tensor<4xf32>
  %d = arith.mulf %s, %two : tensor<4xf32>
  %a = math.absf %d : tensor<4xf32>
  return %a : tensor<4xf32>
}

func.func @main() {
  %x = arith.constant dense<[1.0, 2.0, -1.0, 0.5]> : tensor<4xf32>
  %y = call @layer(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %u = tensor.cast %y : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
