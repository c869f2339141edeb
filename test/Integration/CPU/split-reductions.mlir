// Sums split into partial sums (adaround-split-reductions, through
// --adaround-to-llvm's reduction-threads) give the same values. Expected
// values by hand: y[i] = init[i] + sum_k x[k] * (k + i) over k < 256, with x
// all ones and init = 1000 i: 32640 + 256 i + 1000 i (exact in f32). The
// body reads linalg.index of the split loop, so a wrong chunk offset shows.
// RUN: adaround-opt %s --adaround-to-llvm="reduction-threads=64" | %mlir_runner | FileCheck %s
// RUN: adaround-opt %s --adaround-to-llvm="reduction-threads=64" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: adaround-opt %s --adaround-to-llvm | %mlir_runner | FileCheck %s
// RUN: adaround-opt %s --adaround-split-reductions=target-threads=64 | FileCheck %s --check-prefix=SPLIT
// PIPELINE: adaround-split-reductions{min-chunk=64 target-threads=64}
// SPLIT: linalg.generic {{.*}} outs(%{{.*}} : tensor<4x4xf32>)
// CHECK: [32640,  33896,  35152,  36408]

func.func private @printMemrefF32(tensor<*xf32>)

func.func @weighted(%x: tensor<256xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
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

func.func @main() {
  %x = arith.constant dense<1.0> : tensor<256xf32>
  %y = arith.constant dense<[0.0, 1000.0, 2000.0, 3000.0]> : tensor<4xf32>
  %r = call @weighted(%x, %y) : (tensor<256xf32>, tensor<4xf32>) -> tensor<4xf32>
  %u = tensor.cast %r : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
