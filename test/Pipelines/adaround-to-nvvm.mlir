// RUN: adaround-opt %s --adaround-to-nvvm | FileCheck %s --check-prefix=HOST
// RUN: adaround-opt %s --adaround-to-nvvm | %python %adaround_src/test/lib/extract_ptx.py -o %t.ptx
// RUN: FileCheck %s --input-file=%t.ptx

// Host code launches the kernels of one gpu.binary holding PTX for sm_90.
// HOST-LABEL: llvm.func @soft_per_tensor
// HOST: gpu.launch_func @soft_per_tensor_kernel::@soft_per_tensor_kernel blocks in ({{.*}}) threads in ({{.*}})
// HOST: gpu.binary @soft_per_tensor_kernel {{.*}}#nvvm.target<chip = "sm_90", features = "+ptx80">{{.*}}assembly = "
// HOST: gpu.binary @hard_per_channel_kernel

// Exact arithmetic: IEEE division, floor as one instruction, no flush to
// zero, no libdevice calls left, no approximate division.
// CHECK-NOT: __nv_
// CHECK-NOT: div.approx
// CHECK-NOT: div.full
// CHECK-NOT: .ftz
// CHECK: .target sm_90
// CHECK: .entry soft_per_tensor_kernel(
// CHECK: mov.u32 {{.*}}%ctaid.x
// CHECK: mov.u32 {{.*}}%tid.x
// CHECK: ld.global.b32
// CHECK: div.rn.f32
// CHECK: cvt.rmi.f32.f32
// CHECK: st.global.b32
func.func @soft_per_tensor(%xm: memref<1000xf32>, %ym: memref<1000xf32>) {
  %x = bufferization.to_tensor %xm restrict : memref<1000xf32> to tensor<1000xf32>
  %y = adaround.fake_quant %x qtype(!quant.uniform<i8:f32, 0.05>) v(dense<0.5> : tensor<1000xf32>) : tensor<1000xf32>
  bufferization.materialize_in_destination %y in restrict writable %ym : (tensor<1000xf32>, memref<1000xf32>) -> ()
  return
}

// Hard rounding reads one byte of decisions per element, not V.
// CHECK: .entry hard_per_channel_kernel(
// CHECK: ld.global.nc.b8
// CHECK: div.rn.f32
// CHECK: cvt.rmi.f32.f32
func.func @hard_per_channel(%xm: memref<3x64xf32>, %ym: memref<3x64xf32>) {
  %x = bufferization.to_tensor %xm restrict : memref<3x64xf32> to tensor<3x64xf32>
  %y = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<i4:f32:0, {0.1, 0.2, 0.4}>) v(dense<[[1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0], [1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0], [1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0]]> : tensor<3x64xf32>) : tensor<3x64xf32>
  bufferization.materialize_in_destination %y in restrict writable %ym : (tensor<3x64xf32>, memref<3x64xf32>) -> ()
  return
}
