// RUN: adaround-opt %s -split-input-file --adaround-map-to-gpu=block-size=128 | FileCheck %s --check-prefix=MAP
// RUN: adaround-opt %s -split-input-file --adaround-math-to-nvvm | FileCheck %s --check-prefix=NVVM
// RUN: adaround-opt %s -split-input-file --adaround-expand-math | FileCheck %s --check-prefix=EXPAND

// A 2-D elementwise loop becomes one dimension in blocks of 128 threads with
// a bound check; the constant it reads moves inside; the buffer only it
// writes is device memory.
// MAP-LABEL: func.func @loop
// MAP: %[[S0:.*]] = gpu.wait async
// MAP: %[[BUF:.*]], %[[S1:.*]] = gpu.alloc async [%[[S0]]] () : memref<3x50xf32>
// MAP: gpu.wait [%[[S1]]]
// MAP-NOT: memref.alloc
// MAP-NOT: gpu.host_register
// MAP: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// MAP: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// MAP: scf.if
// MAP: memref.get_global @table
// MAP: memref.store %{{.*}}, %[[BUF]]
// MAP: %[[S2:.*]] = gpu.wait async
// MAP: %[[S3:.*]] = gpu.dealloc async [%[[S2]]] %[[BUF]]
// MAP: gpu.wait [%[[S3]]]
// MAP-NOT: memref.dealloc
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

// -----

// A buffer the host also reads (copied out after the kernel) stays in host
// memory, registered with the GPU while it lives; so does one the function
// returns.
// MAP-LABEL: func.func @host_reads
// MAP: %[[BUF:.*]] = memref.alloc() : memref<64xf32>
// MAP: gpu.host_register
// MAP: scf.parallel
// MAP: memref.copy %[[BUF]], %{{.*}}
// MAP: gpu.host_unregister
// MAP: memref.dealloc %[[BUF]]
// MAP-LABEL: func.func @returned
// MAP: %[[OUT:.*]] = memref.alloc() : memref<64xf32>
// MAP: gpu.host_register
// MAP-NOT: gpu.alloc
// MAP: return %[[OUT]]
func.func @host_reads(%z: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  %y = memref.alloc() : memref<64xf32>
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    memref.store %one, %y[%i] : memref<64xf32>
    scf.reduce
  }
  memref.copy %y, %z : memref<64xf32> to memref<64xf32>
  memref.dealloc %y : memref<64xf32>
  return
}
func.func @returned() -> memref<64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  %y = memref.alloc() : memref<64xf32>
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    memref.store %one, %y[%i] : memref<64xf32>
    scf.reduce
  }
  return %y : memref<64xf32>
}
