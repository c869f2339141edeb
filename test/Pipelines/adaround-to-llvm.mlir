// RUN: adaround-opt %s --adaround-to-llvm | FileCheck %s --implicit-check-not=@malloc --implicit-check-not=memcpy --implicit-check-not=@expf
// RUN: adaround-opt %s --adaround-to-llvm="vector-width=8" | FileCheck %s --check-prefix=W8

// Destination-passing style: the kernels write straight into %ym, even
// through the reshapes of their loop view. No allocation, no copy, no libm.
// CHECK-LABEL: llvm.func @soft_dps
// Sigmoid as a polynomial on 16 lanes; true division.
// CHECK: llvm.fdiv {{.*}} : vector<16xf32>
// CHECK: llvm.intr.floor({{.*}}) : (vector<16xf32>) -> vector<16xf32>
// CHECK: llvm.store {{.*}} : vector<16xf32>, !llvm.ptr
// W8-LABEL: llvm.func @soft_dps
// W8: llvm.fdiv {{.*}} : vector<8xf32>
func.func @soft_dps(%xm: memref<3x100xf32>, %ym: memref<3x100xf32>) {
  %x = bufferization.to_tensor %xm restrict : memref<3x100xf32> to tensor<3x100xf32>
  %y = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.05>) v(dense<1.0> : tensor<3x100xf32>) : tensor<3x100xf32>
  bufferization.materialize_in_destination %y in restrict writable %ym : (tensor<3x100xf32>, memref<3x100xf32>) -> ()
  return
}

// Hard rounding reads one byte of V's decisions per element (a splat V would
// be folded into the kernel).
// CHECK-LABEL: llvm.func @hard_dps
// CHECK: llvm.load {{.*}} : !llvm.ptr -> vector<16xi8>
// CHECK: llvm.uitofp {{.*}} : vector<16xi8> to vector<16xf32>
// CHECK-NOT: vector<16xf32>) -> vector<16xf32>
// CHECK: llvm.fdiv {{.*}} : vector<16xf32>
func.func @hard_dps(%xm: memref<2x64xf32>, %ym: memref<2x64xf32>) {
  %x = bufferization.to_tensor %xm restrict : memref<2x64xf32> to tensor<2x64xf32>
  %y = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<i4:f32:0, {0.1, 0.2}>) v(dense<[[1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0], [1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0, 1.0, -1.0, 0.0, -2.0]]> : tensor<2x64xf32>) : tensor<2x64xf32>
  bufferization.materialize_in_destination %y in restrict writable %ym : (tensor<2x64xf32>, memref<2x64xf32>) -> ()
  return
}
