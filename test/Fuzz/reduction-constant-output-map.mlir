// Found by adaround-fuzz: a reduction whose output map has a constant result
// crashed partial-reduction tiling (upstream) inside
// adaround-vectorize-elementwise, and the vectorizer built an invalid
// vector.multi_reduction for it. Such ops are left to the scalar path. The
// results are checked by hand: all of %q * 0.5 dotted with %x accumulates
// into the single output element, 4 rows x 8 x (0.5 * 1 * 1) = 16.
// RUN: adaround-opt %s --adaround-to-llvm | %mlir_runner | FileCheck %s
// CHECK: [16]
// CHECK: [16]
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#out = affine_map<(d0, d1) -> (0)>
func.func private @printMemrefF32(tensor<*xf32>)
func.func @dequant_matvec(%q: tensor<4x8xi8>, %x: tensor<8xf32>, %init: tensor<1xf32>) -> tensor<1xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%q : tensor<4x8xi8>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: i8, %o: f32):
    %f = arith.sitofp %in : i8 to f32
    %s = arith.constant 0.5 : f32
    %d = arith.mulf %f, %s : f32
    linalg.yield %d : f32
  } -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #out], iterator_types = ["reduction", "reduction"]} ins(%w, %x : tensor<4x8xf32>, tensor<8xf32>) outs(%init : tensor<1xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1xf32>
  return %y : tensor<1xf32>
}
// The form the fuzzer found: the row loop is marked parallel.
func.func @dequant_matvec_parallel_rows(%q: tensor<4x8xi8>, %x: tensor<8xf32>, %init: tensor<1xf32>) -> tensor<1xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%q : tensor<4x8xi8>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: i8, %o: f32):
    %f = arith.sitofp %in : i8 to f32
    %s = arith.constant 0.5 : f32
    %d = arith.mulf %f, %s : f32
    linalg.yield %d : f32
  } -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #out], iterator_types = ["parallel", "reduction"]} ins(%w, %x : tensor<4x8xf32>, tensor<8xf32>) outs(%init : tensor<1xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1xf32>
  return %y : tensor<1xf32>
}
func.func @main() {
  %q = arith.constant dense<1> : tensor<4x8xi8>
  %x = arith.constant dense<1.0> : tensor<8xf32>
  %i = arith.constant dense<0.0> : tensor<1xf32>
  %y = call @dequant_matvec(%q, %x, %i) : (tensor<4x8xi8>, tensor<8xf32>, tensor<1xf32>) -> tensor<1xf32>
  %u = tensor.cast %y : tensor<1xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  %p = call @dequant_matvec_parallel_rows(%q, %x, %i) : (tensor<4x8xi8>, tensor<8xf32>, tensor<1xf32>) -> tensor<1xf32>
  %v = tensor.cast %p : tensor<1xf32> to tensor<*xf32>
  call @printMemrefF32(%v) : (tensor<*xf32>) -> ()
  return
}
