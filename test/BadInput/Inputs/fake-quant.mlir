func.func @f() -> tensor<2x64xf32> {
  %w = arith.constant dense<0.3> : tensor<2x64xf32>
  %y = adaround.fake_quant %w : tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}
