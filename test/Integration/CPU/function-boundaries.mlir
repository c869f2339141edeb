// Functions that return an argument, a constant, or the argument they wrote
// into: the buffers that cross the boundary are copies the pipeline must
// lower (bufferization.clone). Expected values are written by hand.
// RUN: adaround-opt %s --adaround-to-llvm | %mlir_runner | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)

func.func @identity(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

func.func @constant() -> tensor<4xf32> {
  %c = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  return %c : tensor<4xf32>
}

func.func @double_into(%a: tensor<4xf32>, %out: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.add ins(%a, %a : tensor<4xf32>, tensor<4xf32>) outs(%out : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

func.func @twice(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  return %a, %a : tensor<4xf32>, tensor<4xf32>
}

func.func @main() {
  %c = call @constant() : () -> tensor<4xf32>
  %i = call @identity(%c) : (tensor<4xf32>) -> tensor<4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %d = call @double_into(%i, %e) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %p, %q = call @twice(%d) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  %u = tensor.cast %i : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  %v = tensor.cast %q : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%v) : (tensor<*xf32>) -> ()
  return
}
// CHECK: [1,  2,  3,  4]
// CHECK: [2,  4,  6,  8]
