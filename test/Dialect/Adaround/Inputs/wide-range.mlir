// Row 0: values of -3e9 and more (scales above 2^23), row 1: ordinary.
func.func @f() -> tensor<2x8xf32> {
  %w = arith.constant dense<[[-3.0e9, -2.5e9, 1.0, 2.0, -3.1e9, 5.0, 6.0, 7.5e8],
                             [-1.0, 0.5, -2.0, 3.0, 0.25, 5.0, -6.0, 7.0]]> : tensor<2x8xf32>
  %y = adaround.fake_quant %w : tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
