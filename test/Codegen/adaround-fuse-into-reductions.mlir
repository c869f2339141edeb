// RUN: adaround-opt %s -split-input-file --adaround-fuse-into-reductions | FileCheck %s

// The dequantization of a baked weight runs inside the matvec: the reduction
// reads i8 levels, no f32 weight is materialized. The per-tensor scale
// leaves the sum: init + 0.5 * sum(level * x), the sum from zero.
// CHECK-LABEL: func.func @dequant_matvec
// CHECK-SAME: %[[INIT:[a-z0-9]+]]: tensor<4xf32>
// CHECK: %[[HALF:.*]] = arith.constant 5.000000e-01
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32)
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%{{.*}}, %{{.*}} : tensor<4x8xi8>, tensor<8xf32>) outs(%[[ZERO]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[Q:.*]]: i8, %[[X:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[Q]]
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[F]], %[[X]]
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]]
// CHECK-NEXT: linalg.yield %[[S]]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel"]{{.*}} ins(%[[SUM]] : tensor<4xf32>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[T:.*]]: f32, %[[Y0:.*]]: f32):
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[T]], %[[HALF]]
// CHECK-NEXT: arith.addf %[[Y0]], %[[M]]
// CHECK-NOT: linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @dequant_matvec(%q: tensor<4x8xi8>, %x: tensor<8xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%q : tensor<4x8xi8>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: i8, %o: f32):
    %f = arith.sitofp %in : i8 to f32
    %s = arith.constant 0.5 : f32
    %d = arith.mulf %f, %s : f32
    linalg.yield %d : f32
  } -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #out], iterator_types = ["parallel", "reduction"]} ins(%w, %x : tensor<4x8xf32>, tensor<8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Elementwise chains stay separate kernels.
// CHECK-LABEL: func.func @chain
// CHECK: linalg.generic
// CHECK: linalg.generic
#id1 = affine_map<(d0) -> (d0)>
func.func @chain(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %o: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<8xf32>
  %b = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %o: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<8xf32>
  return %b : tensor<8xf32>
}

// -----

// A per-row scale (an input indexed by the output's loop) leaves the sum and
// is read by the epilogue at the output index (the unused input goes at the
// next canonicalization); a scale varying along the reduction (blockwise
// along K) stays inside.
// CHECK-LABEL: func.func @per_row
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}["parallel", "reduction"]{{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32, %[[B:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[A]], %[[B]]
// CHECK-NEXT: arith.addf %[[ACC]], %[[M]]
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel"]} ins(%[[SUM]], %{{.*}} : tensor<4xf32>, tensor<4xf32>)
// CHECK-LABEL: func.func @blockwise
// CHECK: linalg.generic {{.*}}["parallel", "reduction"]{{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4x2xf32>, tensor<8xf32>)
// CHECK-NOT: linalg.generic
#w = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#b = affine_map<(d0, d1) -> (d0, d1 floordiv 4)>
#x = affine_map<(d0, d1) -> (d1)>
func.func @per_row(%w: tensor<4x8xf32>, %s: tensor<4xf32>, %x: tensor<8xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %y = linalg.generic {indexing_maps = [#w, #r, #x, #r], iterator_types = ["parallel", "reduction"]} ins(%w, %s, %x : tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %sc: f32, %b: f32, %acc: f32):
    %d = arith.mulf %a, %sc : f32
    %m = arith.mulf %d, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func @blockwise(%w: tensor<4x8xf32>, %s: tensor<4x2xf32>, %x: tensor<8xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %y = linalg.generic {indexing_maps = [#w, #b, #x, #r], iterator_types = ["parallel", "reduction"]} ins(%w, %s, %x : tensor<4x8xf32>, tensor<4x2xf32>, tensor<8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %sc: f32, %b: f32, %acc: f32):
    %d = arith.mulf %a, %sc : f32
    %m = arith.mulf %d, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Packed i4 levels with one scale for the tensor, dequantized over (rows,
// runs, slot, byte) as adaround-bake emits them when each row holds whole
// runs: the reshape back to the weight moves into the matvec's loops, so the
// unpacking fuses and the f32 weight is never built.
// CHECK-LABEL: func.func @packed_per_tensor_rows
// CHECK: linalg.generic {{.*}}["parallel", "reduction", "reduction", "reduction"]{{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x1x64xi8>, tensor<2xi8>, tensor<1x2x64xf32>)
// CHECK-NOT: tensor<2x128xf32>
#bytes = affine_map<(r, b, s, j) -> (r, b, j)>
#slot = affine_map<(r, b, s, j) -> (s)>
#all = affine_map<(r, b, s, j) -> (r, b, s, j)>
func.func @packed_per_tensor_rows(%q: tensor<128xi8>, %x: tensor<128xf32>, %init: tensor<2xf32>) -> tensor<2xf32> {
  %bytes = tensor.expand_shape %q [[0, 1, 2]] output_shape [2, 1, 64] : tensor<128xi8> into tensor<2x1x64xi8>
  %shifts = arith.constant dense<[4, 0]> : tensor<2xi8>
  %c4 = arith.constant 4 : i8
  %half = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<2x1x2x64xf32>
  %levels = linalg.generic {indexing_maps = [#bytes, #slot, #all], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bytes, %shifts : tensor<2x1x64xi8>, tensor<2xi8>) outs(%e : tensor<2x1x2x64xf32>) {
  ^bb0(%p: i8, %s: i8, %o: f32):
    %up = arith.shli %p, %s : i8
    %l = arith.shrsi %up, %c4 : i8
    %f = arith.sitofp %l : i8 to f32
    %v = arith.mulf %f, %half : f32
    linalg.yield %v : f32
  } -> tensor<2x1x2x64xf32>
  %w = tensor.collapse_shape %levels [[0], [1, 2, 3]] : tensor<2x1x2x64xf32> into tensor<2x128xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (k)>, affine_map<(i, k) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%w, %x : tensor<2x128xf32>, tensor<128xf32>) outs(%init : tensor<2xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  return %y : tensor<2xf32>
}
