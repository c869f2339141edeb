// A calibrated 4 -> 3 linear layer on a batch of 2.
func.func @forward(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[0.5, -0.25, 0.3], [0.1, 0.7, -0.6],
                             [-0.45, 0.2, 0.05], [0.35, -0.15, 0.9]]> : tensor<4x3xf32>
  %q = adaround.fake_quant %w qtype(!quant.uniform<i4:f32, 0.0625>)
         v(dense<0.5> : tensor<4x3xf32>) : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %q : tensor<2x4xf32>, tensor<4x3xf32>)
                     outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
