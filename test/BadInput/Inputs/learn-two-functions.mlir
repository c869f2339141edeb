func.func @first(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}
func.func @second(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %y = func.call @first(%x) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
func.func @scalar(%x: f32) -> f32 {
  return %x : f32
}
