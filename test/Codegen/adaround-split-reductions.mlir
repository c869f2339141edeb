// RUN: adaround-opt %s -split-input-file --linalg-generalize-named-ops --adaround-split-reductions="target-threads=8192 min-chunk=64" | FileCheck %s

// A matvec with 512 outputs and 4096 terms each: 8192 / 512 = 16 chunks of
// 256 terms, partial sums laid out chunk-major (the chunk index is the
// outermost loop), then added to the original output in chunk order.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d0 * 256 + d3)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3) -> (d0 * 256 + d3, d2)>
// CHECK-DAG: #[[RANGES:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[PARTIAL:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[CHUNKS:.*]] = affine_map<(d0, d1, d2) -> (d2, d0, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matvec
// CHECK-SAME: (%[[XA:.*]]: tensor<1x4096xf32>, %[[WA:.*]]: tensor<4096x512xf32>, %[[Y:.*]]: tensor<1x512xf32>)
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<16x1x512xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[EMPTY]]
// CHECK: %[[R:.*]] = arith.constant dense<false> : tensor<16x256xi1>
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[RANGES]], #[[PARTIAL]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[XA]], %[[WA]], %[[R]] : {{.*}}) outs(%[[ZERO]] : tensor<16x1x512xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[CHUNKS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[P]] : tensor<16x1x512xf32>) outs(%[[Y]] : tensor<1x512xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: arith.addf %[[ACC]], %[[IN]]
// CHECK: return %[[SUM]]
func.func @matvec(%x: tensor<1x4096xf32>, %w: tensor<4096x512xf32>, %y: tensor<1x512xf32>) -> tensor<1x512xf32> {
  %r = linalg.matmul ins(%x, %w : tensor<1x4096xf32>, tensor<4096x512xf32>) outs(%y : tensor<1x512xf32>) -> tensor<1x512xf32>
  return %r : tensor<1x512xf32>
}

// -----

// The chunk divides the reduction: 4099 terms (prime) cannot be split, nor
// can 96 (no divisor >= 64 leaves two chunks); 8192 outputs are enough; no
// outputs at all (a 0-row matmul) is left alone.
// linalg.index of the split loop counts from the chunk's start.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK-LABEL: func.func @index
// CHECK: linalg.generic
// CHECK: %[[S:.*]] = linalg.index 0 : index
// CHECK: %[[K:.*]] = linalg.index 2 : index
// CHECK: %[[C:.*]] = arith.constant 64 : index
// CHECK: %[[START:.*]] = arith.muli %[[S]], %[[C]]
// CHECK: arith.addi %[[START]], %[[K]]
// CHECK: linalg.index 1 : index
func.func @left_alone(%x: tensor<1x4099xf32>, %w: tensor<4099x8xf32>, %y: tensor<1x8xf32>,
                      %a: tensor<1x96xf32>, %b: tensor<96x8xf32>,
                      %c: tensor<1x128xf32>, %d: tensor<128x8192xf32>, %e: tensor<1x8192xf32>,
                      %f: tensor<0x4096xf32>, %g: tensor<4096x8xf32>, %h: tensor<0x8xf32>)
    -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8192xf32>, tensor<0x8xf32>) {
  %r = linalg.matmul ins(%x, %w : tensor<1x4099xf32>, tensor<4099x8xf32>) outs(%y : tensor<1x8xf32>) -> tensor<1x8xf32>
  %s = linalg.matmul ins(%a, %b : tensor<1x96xf32>, tensor<96x8xf32>) outs(%y : tensor<1x8xf32>) -> tensor<1x8xf32>
  %t = linalg.matmul ins(%c, %d : tensor<1x128xf32>, tensor<128x8192xf32>) outs(%e : tensor<1x8192xf32>) -> tensor<1x8192xf32>
  %z = linalg.matmul ins(%f, %g : tensor<0x4096xf32>, tensor<4096x8xf32>) outs(%h : tensor<0x8xf32>) -> tensor<0x8xf32>
  return %r, %s, %t, %z : tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8192xf32>, tensor<0x8xf32>
}
func.func @index(%x: tensor<256xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(i, k) -> (k)>, affine_map<(i, k) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<256xf32>) outs(%y : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %k = linalg.index 1 : index
    %i = linalg.index 0 : index
    %sum = arith.addi %k, %i : index
    %n = arith.index_cast %sum : index to i32
    %f = arith.sitofp %n : i32 to f32
    %p = arith.mulf %a, %f : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Not a sum into the output (a max), or the output read twice: left alone.
// CHECK-LABEL: func.func @not_sums
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: linalg.generic
func.func @not_sums(%x: tensor<4096xf32>, %y: tensor<1xf32>) -> (tensor<1xf32>, tensor<1xf32>) {
  %m = linalg.generic {indexing_maps = [affine_map<(i, k) -> (k)>, affine_map<(i, k) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4096xf32>) outs(%y : tensor<1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.maximumf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<1xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(i, k) -> (k)>, affine_map<(i, k) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4096xf32>) outs(%y : tensor<1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %p = arith.mulf %a, %acc : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1xf32>
  return %m, %t : tensor<1xf32>, tensor<1xf32>
}
