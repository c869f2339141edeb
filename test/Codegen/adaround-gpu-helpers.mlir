// RUN: adaround-opt %s -split-input-file --adaround-map-to-gpu=block-size=128 | FileCheck %s --check-prefix=MAP
// RUN: adaround-opt %s -split-input-file --adaround-math-to-nvvm | FileCheck %s --check-prefix=NVVM
// RUN: adaround-opt %s -split-input-file --adaround-expand-math | FileCheck %s --check-prefix=EXPAND

// A 2-D elementwise loop becomes one dimension in blocks of 128 threads with
// a bound check; the constant it reads moves inside; the buffer it writes is
// registered with the GPU.
// MAP-LABEL: func.func @loop
// MAP: %[[BUF:.*]] = memref.alloc() : memref<3x50xf32>
// MAP: gpu.host_register
// MAP: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// MAP: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// MAP: scf.if
// MAP: memref.get_global @table
// MAP: gpu.host_unregister
// MAP: memref.dealloc %[[BUF]]
// NVVM-LABEL: func.func @loop
// NVVM: llvm.call_intrinsic "llvm.nvvm.floor.f"
// NVVM: llvm.call_intrinsic "llvm.fma.f32"
// EXPAND-LABEL: func.func @loop
// EXPAND-NOT: math.exp
memref.global "private" constant @table : memref<50xf32> = dense<1.0>
func.func @loop(%x: memref<3x50xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c50 = arith.constant 50 : index
  %t = memref.get_global @table : memref<50xf32>
  %y = memref.alloc() : memref<3x50xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c3, %c50) step (%c1, %c1) {
    %a = memref.load %x[%i, %j] : memref<3x50xf32>
    %b = memref.load %t[%j] : memref<50xf32>
    %f = math.floor %a : f32
    %e = math.exp %b : f32
    %m = math.fma %f, %e, %b : f32
    memref.store %m, %y[%i, %j] : memref<3x50xf32>
    scf.reduce
  }
  memref.dealloc %y : memref<3x50xf32>
  return
}
