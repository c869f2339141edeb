// RUN: adaround-opt %s -split-input-file -verify-diagnostics

func.func @v_shape(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{attribute 'v' has type 'tensor<3x2xf32>' but must be f32 of the operand's shape 'tensor<2x3xf32>'}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) v(dense<0.0> : tensor<3x2xf32>) : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @v_element_type(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'v' has type 'tensor<2xf16>' but must be f32 of the operand's shape 'tensor<2xf32>'}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) v(dense<0.0> : tensor<2xf16>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @v_nan(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{attribute 'v' has non-finite value nan at element 2}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) v(dense<[1.0, 2.0, 0x7FC00000]> : tensor<3xf32>) : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @v_inf(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'v' has non-finite value -INF at element 0}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) v(dense<[0xFF800000, 1.0]> : tensor<2xf32>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @v_resource_nan(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'v' has non-finite value nan at element 1}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) v(dense_resource<bad_v> : tensor<2xf32>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      bad_v: "0x040000000000803F0000C07F"
    }
  }
#-}

// -----

func.func @v_without_qtype(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'v' requires attribute 'qtype'}}
  %0 = adaround.fake_quant %x v(dense<0.0> : tensor<2xf32>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @qtype_expressed(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'qtype' expresses 'f16' but the operand holds 'f32'}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f16, 0.1>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @qtype_not_quant(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'qtype' must be a !quant.uniform type, got 'f32'}}
  %0 = adaround.fake_quant %x qtype(f32) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @axis_out_of_range(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{attribute 'qtype' has axis 2 out of range for an operand of rank 2}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32:2, {0.1, 0.2}>) : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @scale_count(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{attribute 'qtype' has 2 scales for axis 1 of size 3}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32:1, {0.1, 0.2}>) : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @block_divides(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{attribute 'qtype' has block size 3 that does not divide dimension 0 of size 4}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32:{0:3}, {{0.1},{0.2}}>) : tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @block_scales_shape(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{attribute 'qtype' has scales of shape 'tensor<2x1xf32>' but needs one scale per block: shape [4, 1]}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32:{0:1}, {{0.1},{0.2}}>) : tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @block_axis_range(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{attribute 'qtype' has axis 2 out of range for an operand of rank 2}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32:{2:1}, {{{0.1}}}>) : tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @scale_zero(%x: tensor<2xf32>) -> tensor<2xf32> {
  // The quant dialect itself rejects scales outside (0, f32 max].
  // expected-error @+1 {{scale 0.000000e+00 out of expressed type range}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.0>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @scale_negative(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{scale -1.000000e+00 out of expressed type range}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32:0, {0.1, -1.0}>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @scale_infinite(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{scale 1.000000e+50 out of expressed type range}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 1.0e50>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @scale_nan(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'qtype' has scale nan at block 0 that is not a positive finite f32}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0x7FF8000000000000>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @scale_nan_per_axis(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'qtype' has scale nan at block 1 that is not a positive finite f32}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32:0, {0.1, 0x7FF8000000000000}>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @zero_point_range(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'qtype' has zero point 100 at block 0 outside the storage range [-8, 7]}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8<-8:7>:f32, 0.1:100>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @zero_point_range_per_axis(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'qtype' has zero point -1 at block 1 outside the storage range [0, 255]}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<u8:f32:0, {0.1:3, 0.2:-1}>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @storage_too_wide(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'qtype' has 32-bit storage; expected 2 to 16 bits}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i32:f32, 0.1>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @storage_too_narrow(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'qtype' has 1-bit storage; expected 2 to 16 bits}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i1:f32, 0.1>) : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @zeta(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'zeta' must be a finite value > 1, got 1.000000e+00}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) {zeta = 1.0 : f32} : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gamma(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'gamma' must be a finite value < 0, got 0.000000e+00}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) {gamma = 0.0 : f32} : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{expects a ranked tensor operand, got 'tensor<*xf32>'}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) : tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{expects a statically shaped operand, got 'tensor<?x4xf32>'}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @integer_elements(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{expects f32, f16 or bf16 elements, got 'i32'}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @double_elements(%x: tensor<4xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{expects f32, f16 or bf16 elements, got 'f64'}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f64, 0.1>) : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// Half tensors take a qtype expressed in their own type.
func.func @half_expressed_as_f32(%x: tensor<4xf16>) -> tensor<4xf16> {
  // expected-error @+1 {{attribute 'qtype' expresses 'f32' but the operand holds 'f16'}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @not_a_tensor(%x: f32) -> f32 {
  // expected-error @+1 {{operand #0 must be tensor of any type values, but got 'f32'}}
  %0 = "adaround.fake_quant"(%x) <{qtype = !quant.uniform<i8:f32, 0.1>}> : (f32) -> f32
  return %0 : f32
}

// -----

func.func @result_type(%x: tensor<4xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{all of {input, result} have same type}}
  %0 = "adaround.fake_quant"(%x) <{qtype = !quant.uniform<i8:f32, 0.1>}> : (tensor<4xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @v_resource_size(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{attribute 'v' has a resource blob 'short_v' of 8 bytes; its type 'tensor<4xf32>' needs 16}}
  %0 = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.1>) v(dense_resource<short_v> : tensor<4xf32>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      short_v: "0x040000000000803F000080BF"
    }
  }
#-}
