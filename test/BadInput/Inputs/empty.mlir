func.func @f() -> tensor<0xf32> {
  %w = arith.constant dense<> : tensor<0xf32>
  %y = adaround.fake_quant %w qtype(!quant.uniform<i8:f32, 0.05>) v(dense<> : tensor<0xf32>) : tensor<0xf32>
  return %y : tensor<0xf32>
}
