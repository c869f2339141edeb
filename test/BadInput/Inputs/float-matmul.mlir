func.func @f(%a: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %b = arith.constant dense<1.0> : tensor<3x4xf32>
  %c = arith.constant dense<0.0> : tensor<2x4xf32>
  %r = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%c : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}
