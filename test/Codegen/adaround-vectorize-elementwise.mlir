// RUN: adaround-opt %s --adaround-vectorize-elementwise 2>&1 | FileCheck %s --implicit-check-not=error:
// RUN: adaround-opt %s --adaround-vectorize-elementwise=vector-width=8 | FileCheck %s --check-prefix=W8
// RUN: adaround-opt %s --adaround-vectorize-elementwise=vector-width=6 | FileCheck %s --check-prefix=W6

// 100 = 6 x 16 + 4: a loop of full vectors, then the peeled remainder.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}}
// CHECK: vector.transfer_read {{.*}} : tensor<16xf32>, vector<16xf32>
// CHECK: arith.negf {{.*}} : vector<16xf32>
// CHECK: arith.negf {{.*}} : vector<4xf32>
// W8-LABEL: func.func @elementwise
// W8: arith.negf {{.*}} : vector<8xf32>
// W8: arith.negf {{.*}} : vector<4xf32>
#id = affine_map<(d0) -> (d0)>
func.func @elementwise(%x: tensor<100xf32>) -> tensor<100xf32> {
  %e = tensor.empty() : tensor<100xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<100xf32>) outs(%e : tensor<100xf32>) {
  ^bb0(%in: f32, %o: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<100xf32>
  return %y : tensor<100xf32>
}

// A row reduction keeps 4 vectors of 16 partial sums per row (independent
// chains of additions; 64 divides the row of 256), accumulated by fusable
// multiply-adds, and merges them once, halves added to halves.
// CHECK-LABEL: func.func @matvec
// CHECK: scf.for
// CHECK: scf.for {{.*}} -> (tensor<1x64xf32>)
// CHECK: arith.mulf {{.*}} fastmath<contract> : vector<64xf32>
// CHECK: arith.addf {{.*}} fastmath<contract> : vector<64xf32>
// CHECK: scf.yield
// CHECK: %[[LOW:.*]] = vector.extract_strided_slice %[[SUMS:.*]] {offsets = [0], sizes = [32], strides = [1]} : vector<64xf32> to vector<32xf32>
// CHECK: %[[HIGH:.*]] = vector.extract_strided_slice %[[SUMS]] {offsets = [32], sizes = [32], strides = [1]}
// CHECK: arith.addf %[[LOW]], %[[HIGH]] : vector<32xf32>
// CHECK-COUNT-4: arith.addf {{.*}} : vector<{{16|8|4|2}}xf32>
// CHECK: %[[LAST:.*]] = arith.addf {{.*}} : vector<1xf32>
// CHECK: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<1x1xf32> to vector<1xf32>
// CHECK-NOT: adaround.
// Vectors of 6: no two of them divide 256, but one vector per step would
// leave one chain of additions, bound by its latency. So 4 per step (10
// steps, 240), then the 16 left as a static tile into the first 16 sums;
// the 24 halve three times and the odd 3 left are summed in order.
// W6-LABEL: func.func @matvec
// W6: scf.for {{.*}} to %c240 step %c24 {{.*}} -> (tensor<1x24xf32>)
// W6: arith.addf {{.*}} fastmath<contract> : vector<24xf32>
// W6: scf.yield
// W6: tensor.extract_slice %{{.*}}[0, 240] [1, 16] [1, 1] : tensor<1x256xf32> to tensor<1x16xf32>
// W6: arith.addf {{.*}} fastmath<contract> : vector<16xf32>
// W6: tensor.insert_slice {{.*}}[0, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<1x24xf32>
// W6: vector.extract_strided_slice {{.*}} vector<24xf32> to vector<12xf32>
// W6: arith.addf {{.*}} : vector<12xf32>
// W6: arith.addf {{.*}} : vector<6xf32>
// W6: arith.addf {{.*}} : vector<3xf32>
// W6-NOT: vector.extract_strided_slice
// W6: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<1x3xf32> to vector<1xf32>
#a = affine_map<(d0, d1) -> (d0, d1)>
#b = affine_map<(d0, d1) -> (d1)>
#c = affine_map<(d0, d1) -> (d0)>
func.func @matvec(%w: tensor<4x256xf32>, %x: tensor<256xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %y = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction"]} ins(%w, %x : tensor<4x256xf32>, tensor<256xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}


// An input longer than 32 KB (8256 f32) does not stay in L1 beside the
// weight: 8 weight rows are summed at once, each input vector loaded once
// for all 8 (8 x 32 partial sums: 16 vectors, merged per row); the loop over
// blocks is the one that threads share.
// CHECK-LABEL: func.func @long_matvec
// CHECK: scf.for {{.*}} step %c8
// CHECK: scf.for {{.*}} -> (tensor<8x32xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK: arith.addf {{.*}} fastmath<contract> : vector<8x32xf32>
// CHECK: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<8x1xf32> to vector<8xf32>
// CHECK: } {adaround.parallel}
func.func @long_matvec(%w: tensor<16x8256xf32>, %x: tensor<8256xf32>, %init: tensor<16xf32>) -> tensor<16xf32> {
  %y = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction"]} ins(%w, %x : tensor<16x8256xf32>, tensor<8256xf32>) outs(%init : tensor<16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// 12 weight rows, which 8 does not divide: blocks of 4 (4 x 64 partial sums).
// CHECK-LABEL: func.func @long_matvec_of_12_rows
// CHECK: scf.for {{.*}} step %c4
// CHECK: scf.for {{.*}} -> (tensor<4x64xf32>)
// CHECK: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<4x1xf32> to vector<4xf32>
// CHECK: } {adaround.parallel}
func.func @long_matvec_of_12_rows(%w: tensor<12x8256xf32>, %x: tensor<8256xf32>, %init: tensor<12xf32>) -> tensor<12xf32> {
  %y = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction"]} ins(%w, %x : tensor<12x8256xf32>, tensor<8256xf32>) outs(%init : tensor<12xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<12xf32>
  return %y : tensor<12xf32>
}

// Packed levels unpacked inside a matvec: reduction loops (runs, slot, byte
// in run). The partial sums run along the bytes; runs and slots, 2 steps
// each here, are unrolled, so that each copy reads its slot's shift at a
// constant position (an immediate after lowering), as one value for the
// whole vector.
// CHECK-LABEL: func.func @packed_matvec
// CHECK: scf.for
// CHECK-NOT: scf.for
// CHECK: %[[SHIFT:.*]] = vector.broadcast %{{.*}} : vector<1xi8> to vector<64xi8>
// CHECK: arith.shli %{{.*}}, %[[SHIFT]] : vector<64xi8>
// CHECK: arith.sitofp {{.*}} : vector<64xi8> to vector<64xf32>
// CHECK-COUNT-3: arith.sitofp {{.*}} : vector<64xi8> to vector<64xf32>
// CHECK-NOT: scf.for
// CHECK: vector.multi_reduction <add>
#bytes = affine_map<(r, b, s, j) -> (r, b, j)>
#slot = affine_map<(r, b, s, j) -> (s)>
#xs = affine_map<(r, b, s, j) -> (b, s, j)>
#row = affine_map<(r, b, s, j) -> (r)>
func.func @packed_matvec(%w: tensor<4x2x64xi8>, %x: tensor<2x2x64xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %shifts = arith.constant dense<[4, 0]> : tensor<2xi8>
  %c4 = arith.constant 4 : i8
  %y = linalg.generic {indexing_maps = [#bytes, #slot, #xs, #row], iterator_types = ["parallel", "reduction", "reduction", "reduction"]} ins(%w, %shifts, %x : tensor<4x2x64xi8>, tensor<2xi8>, tensor<2x2x64xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%p: i8, %s: i8, %q: f32, %acc: f32):
    %up = arith.shli %p, %s : i8
    %l = arith.shrsi %up, %c4 : i8
    %f = arith.sitofp %l : i8 to f32
    %m = arith.mulf %f, %q : f32
    %a = arith.addf %acc, %m : f32
    linalg.yield %a : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// A long input (65 runs of 128 i4 levels: 8320 f32) with packed levels: 8
// weight rows at once, as above, with both slots of a byte in one step, so
// that each 16-byte read of a row serves both (partial sums per row and
// slot: 8 x 2 vectors). The loop along a run's bytes is unrolled: 4 reads
// of the block's bytes per run, not 8.
// CHECK-LABEL: func.func @long_packed_matvec
// CHECK: scf.for {{.*}} step %c8
// CHECK: scf.for {{.*}} -> (tensor<8x1x2x16xf32>)
// CHECK-NOT: scf.for
// CHECK-COUNT-4: vector.transfer_read {{.*}} : tensor<8x1x16xi8>, vector<8x1x16xi8>
// CHECK-NOT: xi8>, vector<8x1x16xi8>
// CHECK: scf.yield
// CHECK: vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1, 2, 3] : vector<8x1x2x1xf32> to vector<8xf32>
// CHECK: } {adaround.parallel}
func.func @long_packed_matvec(%w: tensor<16x65x64xi8>, %x: tensor<65x2x64xf32>, %init: tensor<16xf32>) -> tensor<16xf32> {
  %shifts = arith.constant dense<[4, 0]> : tensor<2xi8>
  %c4 = arith.constant 4 : i8
  %y = linalg.generic {indexing_maps = [#bytes, #slot, #xs, #row], iterator_types = ["parallel", "reduction", "reduction", "reduction"]} ins(%w, %shifts, %x : tensor<16x65x64xi8>, tensor<2xi8>, tensor<65x2x64xf32>) outs(%init : tensor<16xf32>) {
  ^bb0(%p: i8, %s: i8, %q: f32, %acc: f32):
    %up = arith.shli %p, %s : i8
    %l = arith.shrsi %up, %c4 : i8
    %f = arith.sitofp %l : i8 to f32
    %m = arith.mulf %f, %q : f32
    %a = arith.addf %acc, %m : f32
    linalg.yield %a : f32
  } -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// i2 levels, 4 slots a byte: blocks of 4 rows, so that the partial sums
// (4 x 4 vectors) still fit the registers.
// CHECK-LABEL: func.func @long_packed_matvec_of_4_slots
// CHECK: scf.for {{.*}} step %c4
// CHECK: scf.for {{.*}} -> (tensor<4x1x4x16xf32>)
// CHECK-COUNT-4: vector.transfer_read {{.*}} : tensor<4x1x16xi8>, vector<4x1x16xi8>
// CHECK-NOT: xi8>, vector<4x1x16xi8>
// CHECK: } {adaround.parallel}
func.func @long_packed_matvec_of_4_slots(%w: tensor<16x33x64xi8>, %x: tensor<33x4x64xf32>, %init: tensor<16xf32>) -> tensor<16xf32> {
  %shifts = arith.constant dense<[6, 4, 2, 0]> : tensor<4xi8>
  %c6 = arith.constant 6 : i8
  %y = linalg.generic {indexing_maps = [#bytes, #slot, #xs, #row], iterator_types = ["parallel", "reduction", "reduction", "reduction"]} ins(%w, %shifts, %x : tensor<16x33x64xi8>, tensor<4xi8>, tensor<33x4x64xf32>) outs(%init : tensor<16xf32>) {
  ^bb0(%p: i8, %s: i8, %q: f32, %acc: f32):
    %up = arith.shli %p, %s : i8
    %l = arith.shrsi %up, %c6 : i8
    %f = arith.sitofp %l : i8 to f32
    %m = arith.mulf %f, %q : f32
    %a = arith.addf %acc, %m : f32
    linalg.yield %a : f32
  } -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// A batch of packed levels (Y = X W^T, 4 rows by 16 outputs, i4 in 65
// runs): 4 x 4 register blocks as for other batches, the weight's rows
// outermost, one slot at a time. Each slot of the block's 4 weight rows is
// unpacked once (vector<4x1x1x16xi8>) and only then broadcast to the 4 rows
// of the batch, not unpacked once per partial sum (4x4x1x1x16). The slots
// and the loop along a run's bytes are unrolled (2 x 4 reads of the block's
// bytes per run), so that the partial sums stay in registers across runs.
// CHECK-LABEL: func.func @packed_batch_in_register_blocks
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c4
// CHECK: scf.for {{.*}} -> (tensor<4x4x1x1x16xf32>)
// CHECK-NOT: scf.for
// CHECK-NOT: vector<4x4x1x1x16xi8>
// CHECK: vector.transfer_read {{.*}} : tensor<4x1x16xi8>, vector<4x1x16xi8>
// CHECK-NOT: vector<4x4x1x1x16xi8>
// CHECK: arith.shli %{{.*}}, %{{.*}} : vector<4x1x1x16xi8>
// CHECK: %[[LEVELS:.*]] = arith.sitofp %{{.*}} : vector<4x1x1x16xi8> to vector<4x1x1x16xf32>
// CHECK: %[[ROWS:.*]] = vector.broadcast %[[LEVELS]] : vector<4x1x1x16xf32> to vector<4x4x1x1x16xf32>
// CHECK: arith.mulf %{{.*}}, %[[ROWS]] fastmath<contract> : vector<4x4x1x1x16xf32>
// CHECK-NOT: scf.for
// CHECK-COUNT-7: vector.transfer_read {{.*}} : tensor<4x1x16xi8>, vector<4x1x16xi8>
// CHECK-NOT: xi8>, vector<4x1x16xi8>
// CHECK-NOT: vector<4x4x1x1x16xi8>
// CHECK: scf.yield
// CHECK: } {adaround.parallel}
#wq = affine_map<(m, n, b, s, j) -> (n, b, j)>
#sq = affine_map<(m, n, b, s, j) -> (s)>
#xq = affine_map<(m, n, b, s, j) -> (m, b, s, j)>
#yq = affine_map<(m, n, b, s, j) -> (m, n)>
func.func @packed_batch_in_register_blocks(%x: tensor<4x65x2x64xf32>, %w: tensor<16x65x64xi8>, %init: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %shifts = arith.constant dense<[4, 0]> : tensor<2xi8>
  %c4 = arith.constant 4 : i8
  %y = linalg.generic {indexing_maps = [#xq, #wq, #sq, #yq], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w, %shifts : tensor<4x65x2x64xf32>, tensor<16x65x64xi8>, tensor<2xi8>) outs(%init : tensor<4x16xf32>) {
  ^bb0(%q: f32, %p: i8, %s: i8, %acc: f32):
    %up = arith.shli %p, %s : i8
    %l = arith.shrsi %up, %c4 : i8
    %f = arith.sitofp %l : i8 to f32
    %m = arith.mulf %q, %f : f32
    %a = arith.addf %acc, %m : f32
    linalg.yield %a : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// A sum of values, not of products: nothing to fuse, the addition stays as
// written.
// CHECK-LABEL: func.func @row_sum
// CHECK: arith.addf
// CHECK-NOT: fastmath
// CHECK: vector.multi_reduction
func.func @row_sum(%w: tensor<4x256xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %y = linalg.generic {indexing_maps = [#a, #c], iterator_types = ["parallel", "reduction"]} ins(%w : tensor<4x256xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%p: f32, %acc: f32):
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// A product used twice is not fused into a sum; a body that combines twice
// per step (acc + m + n) gets no partial sums (and no error).
// CHECK-LABEL: func.func @product_used_twice
// CHECK: arith.mulf
// CHECK-NOT: fastmath
// CHECK: return
func.func @product_used_twice(%w: tensor<4x256xf32>, %x: tensor<256xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %y = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction"]} ins(%w, %x : tensor<4x256xf32>, tensor<256xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %n = arith.mulf %m, %m : f32
    %s = arith.addf %acc, %m : f32
    %t = arith.addf %s, %n : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// A batch of 4 rows (Y = X W^T) with 6 outputs (not 4 x 4 register
// blocks): the weight is read once per step for all rows, converted once,
// and only then broadcast to the rows.
// CHECK-LABEL: func.func @batch_of_rows
// CHECK: scf.for {{.*}} -> (tensor<4x1x64xf32>)
// CHECK: %[[W:.*]] = vector.transfer_read {{.*}} : tensor<1x64xi8>, vector<64xi8>
// CHECK: %[[F:.*]] = arith.sitofp %[[W]] : vector<64xi8> to vector<64xf32>
// CHECK: %[[ROWS:.*]] = vector.broadcast %[[F]] : vector<64xf32> to vector<4x1x64xf32>
// CHECK: arith.mulf %{{.*}}, %[[ROWS]] fastmath<contract> : vector<4x1x64xf32>
#xb = affine_map<(m, n, k) -> (m, k)>
#wb = affine_map<(m, n, k) -> (n, k)>
#yb = affine_map<(m, n, k) -> (m, n)>
func.func @batch_of_rows(%x: tensor<4x256xf32>, %w: tensor<6x256xi8>, %init: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %y = linalg.generic {indexing_maps = [#xb, #wb, #yb], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<4x256xf32>, tensor<6x256xi8>) outs(%init : tensor<4x6xf32>) {
  ^bb0(%a: f32, %b: i8, %acc: f32):
    %f = arith.sitofp %b : i8 to f32
    %m = arith.mulf %a, %f : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}

// A batch of 4 rows over 4096 inputs reads 64 KB of them per weight row;
// with 6 outputs (no register blocks) the sums run in two blocks of 2048
// (32 KB, an L1 cache's worth), each adding into the output.
// CHECK-LABEL: func.func @batch_blocks
// CHECK: scf.for %{{.*}} = %c0 to %c4096 step %c2048 iter_args(%{{.*}}) -> (tensor<4x6xf32>)
// CHECK: scf.for
// CHECK: scf.for {{.*}} -> (tensor<4x1x64xf32>)
// With 8 outputs, 4 x 4 register blocks read each input vector once per 4
// weight rows, so the inputs are left to L2, unblocked: the weight's rows
// stream whole.
// CHECK-LABEL: func.func @batch_of_4_in_register_blocks
// CHECK-NOT: step %c2048
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c4096 step %c16 iter_args(%{{.*}}) -> (tensor<4x4x16xf32>)
// CHECK: arith.mulf {{.*}} fastmath<contract> : vector<4x4x16xf32>
// CHECK: return
// 16 rows would leave blocks of 512, too short to pay for their merges:
// instead each block of 4 weight rows (outermost) meets 4 rows of the batch
// at a time, in 16 vectors of partial sums, with each vector loaded of
// either used 4 times.
// CHECK-LABEL: func.func @batch_of_16_in_register_blocks
// CHECK-NOT: step %c512
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c4096 step %c16 iter_args(%{{.*}}) -> (tensor<4x4x16xf32>)
// CHECK-COUNT-2: vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// CHECK: arith.mulf {{.*}} fastmath<contract> : vector<4x4x16xf32>
// CHECK: return
func.func @batch_blocks(%x: tensor<4x4096xf32>, %w: tensor<6x4096xf32>, %init: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %y = linalg.generic {indexing_maps = [#xb, #wb, #yb], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<4x4096xf32>, tensor<6x4096xf32>) outs(%init : tensor<4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}

func.func @batch_of_4_in_register_blocks(%x: tensor<4x4096xf32>, %w: tensor<8x4096xf32>, %init: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = linalg.generic {indexing_maps = [#xb, #wb, #yb], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<4x4096xf32>, tensor<8x4096xf32>) outs(%init : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func @batch_of_16_in_register_blocks(%x: tensor<16x4096xf32>, %w: tensor<32x4096xf32>, %init: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %y = linalg.generic {indexing_maps = [#xb, #wb, #yb], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<16x4096xf32>, tensor<32x4096xf32>) outs(%init : tensor<16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}
