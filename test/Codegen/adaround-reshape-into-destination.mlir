// RUN: adaround-opt %s --adaround-reshape-into-destination | FileCheck %s

// The destination is reshaped (a view), not the result.
// CHECK-LABEL: func.func @expanded_result
// CHECK-SAME: (%[[R:.*]]: tensor<12xf32>, %[[M:.*]]: memref<3x4xf32>)
// CHECK: %[[VIEW:.*]] = memref.collapse_shape %[[M]] {{\[}}[0, 1]] : memref<3x4xf32> into memref<12xf32>
// CHECK: bufferization.materialize_in_destination %[[R]] in restrict writable %[[VIEW]]
func.func @expanded_result(%r: tensor<12xf32>, %m: memref<3x4xf32>) {
  %e = tensor.expand_shape %r [[0, 1]] output_shape [3, 4] : tensor<12xf32> into tensor<3x4xf32>
  bufferization.materialize_in_destination %e in restrict writable %m : (tensor<3x4xf32>, memref<3x4xf32>) -> ()
  return
}

// CHECK-LABEL: func.func @collapsed_result
// CHECK: %[[VIEW:.*]] = memref.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [3, 4] : memref<12xf32> into memref<3x4xf32>
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[VIEW]] : (tensor<3x4xf32>, memref<3x4xf32>)
func.func @collapsed_result(%r: tensor<3x4xf32>, %m: memref<12xf32>) {
  %c = tensor.collapse_shape %r [[0, 1]] : tensor<3x4xf32> into tensor<12xf32>
  bufferization.materialize_in_destination %c in restrict writable %m : (tensor<12xf32>, memref<12xf32>) -> ()
  return
}
