// Entry functions --adaround-learn cannot pick or feed.
func.func @first(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}
func.func @second(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<0.3> : tensor<2x4xf32>
  %q = adaround.fake_quant %w qtype(!quant.uniform<i8:f32, 0.0625>)
         v(dense<0.5> : tensor<2x4xf32>) : tensor<2x4xf32>
  %y = func.call @first(%x) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %z = arith.addf %y, %q : tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}
func.func @scalar(%x: f32) -> f32 {
  return %x : f32
}
