// RUN: adaround-opt %s --adaround-to-nvvm=max-inline-bytes=64 | FileCheck %s --check-prefix=HOST
// RUN: adaround-opt %s --adaround-to-nvvm=max-inline-bytes=64 | %python %adaround_src/test/lib/extract_ptx.py -o %t.ptx
// RUN: FileCheck %s --input-file=%t.ptx --check-prefix=PTX
// RUN: adaround-opt %s --adaround-to-nvvm | %python %adaround_src/test/lib/extract_ptx.py -o %t.inline.ptx
// RUN: FileCheck %s --input-file=%t.inline.ptx --check-prefix=INLINE

// Weights larger than max-inline-bytes (4x8 f32 here: 128 bytes) stay host
// data, in the host module once: kernels read a device copy that the runtime
// makes on first use, released by the module's destructor. The 8 scales
// (32 bytes) are compiled into the kernel that uses them, and no host copy
// of them remains. The rounding offsets h(V) are data like the weights.
// HOST-LABEL: module attributes {gpu.container_module}
// HOST-DAG: llvm.mlir.global private constant @[[W:__constant_4x8xf32[_0-9]*]](dense<{{.*}} : tensor<4x8xf32>)
// HOST-DAG: llvm.mlir.global private constant @[[H:__constant_4x8xf32[_0-9]*]](dense<{{.*}} : tensor<4x8xf32>)
// HOST-NOT: tensor<8xf32>
// HOST-NOT: __adaround_device
// HOST-LABEL: llvm.func @matvec
// HOST-DAG: %[[WPTR:.*]] = llvm.mlir.addressof @[[W]]
// HOST-DAG: llvm.call @adaroundDeviceConstant(%[[WPTR]], %{{.*}}) : (!llvm.ptr, i64) -> !llvm.ptr
// HOST-DAG: %[[HPTR:.*]] = llvm.mlir.addressof @[[H]]
// HOST-DAG: llvm.call @adaroundDeviceConstant(%[[HPTR]], %{{.*}}) : (!llvm.ptr, i64) -> !llvm.ptr
// HOST: gpu.launch_func
// HOST: llvm.func internal @__adaround_release_device_constants()
// HOST: llvm.mlir.global_dtors dtors = [@__adaround_release_device_constants]
//
// The kernels hold no weight data: the only PTX globals are the scales.
// PTX-NOT: .global .align {{[0-9]+}} .b8 __constant_4x8
// PTX: .global .align {{[0-9]+}} .b8 __constant_8xf32[32] = {
// PTX-NOT: .global .align {{[0-9]+}} .b8 __constant_4x8
//
// With the default limit (4096 bytes) these small weights are inlined.
// INLINE: .global .align {{[0-9]+}} .b8 __constant_4x8xf32
func.func @matvec(%xm: memref<1x4xf32>, %ym: memref<1x8xf32>) {
  %x = bufferization.to_tensor %xm restrict : memref<1x4xf32> to tensor<1x4xf32>
  %w = arith.constant dense<[[0.11, -0.32, 0.53, 0.24, -0.15, 0.66, 0.07, -0.48],
                             [0.19, 0.21, -0.42, 0.33, 0.54, -0.25, 0.16, 0.77],
                             [-0.38, 0.49, 0.12, -0.61, 0.24, 0.35, -0.46, 0.57],
                             [0.68, -0.19, 0.31, 0.42, -0.53, 0.14, 0.25, -0.36]]> : tensor<4x8xf32>
  %wq = adaround.fake_quant %w qtype(!quant.uniform<i8:f32:1, {0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08}>) v(dense<[[0.5, -1.0, 2.0, -3.0, 0.25, 1.5, -0.75, 3.0],
                             [1.0, -0.5, 0.0, 2.5, -2.0, 0.75, 1.25, -1.5],
                             [-0.25, 0.5, 3.5, -3.5, 1.0, -1.0, 0.0, 2.0],
                             [2.25, -2.25, 0.125, -0.125, 1.75, -1.75, 0.375, 4.0]]> : tensor<4x8xf32>) : tensor<4x8xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8xf32>
  %i = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8xf32>) -> tensor<1x8xf32>
  %y = linalg.matmul ins(%x, %wq : tensor<1x4xf32>, tensor<4x8xf32>) outs(%i : tensor<1x8xf32>) -> tensor<1x8xf32>
  bufferization.materialize_in_destination %y in restrict writable %ym : (tensor<1x8xf32>, memref<1x8xf32>) -> ()
  return
}
