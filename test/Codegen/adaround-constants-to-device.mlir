// RUN: adaround-opt %s -split-input-file --adaround-constants-to-device=max-inline-bytes=64 | FileCheck %s
// RUN: adaround-opt %s -split-input-file --adaround-constants-to-device=max-inline-bytes=64 --adaround-map-to-gpu=block-size=32 --symbol-dce | FileCheck %s --check-prefix=MAP

// A 100-byte constant read in a parallel loop is read from its device copy;
// a 64-byte one (at the limit) is not. The host constant stays, referred to
// by the device copy's declaration.
// CHECK: memref.global "private" constant @big : memref<25xf32> = dense<2.500000e-01>
// CHECK: memref.global "public" @__adaround_device.big : memref<25xf32> {adaround.host_constant = @big}
// CHECK: memref.global "private" constant @small : memref<16xf32>
// CHECK-NOT: @__adaround_device.small
// CHECK-LABEL: func.func @kernel
// CHECK-DAG: %[[SMALL:.*]] = memref.get_global @small
// CHECK-DAG: %[[DEV:.*]] = memref.get_global @__adaround_device.big
// CHECK: scf.parallel
// CHECK: memref.load %[[DEV]]
// CHECK: memref.load %[[SMALL]]
//
// After mapping, the small constant is inside the loop and its host read is
// gone; the device copy stays a kernel argument (read above the loop). With
// no host read left, symbol-dce keeps @small only for the kernel's read.
// MAP-LABEL: func.func @kernel
// MAP: %[[DEV:.*]] = memref.get_global @__adaround_device.big
// MAP-NOT: memref.get_global
// MAP: scf.parallel
// MAP: memref.get_global @small
// MAP: memref.load %[[DEV]]
memref.global "private" constant @big : memref<25xf32> = dense<0.25>
memref.global "private" constant @small : memref<16xf32> = dense<0.5>
func.func @kernel(%y: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %big = memref.get_global @big : memref<25xf32>
  %small = memref.get_global @small : memref<16xf32>
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    %a = memref.load %big[%i] : memref<25xf32>
    %b = memref.load %small[%i] : memref<16xf32>
    %s = arith.addf %a, %b : f32
    memref.store %s, %y[%i] : memref<16xf32>
    scf.reduce
  }
  return
}

// -----

// Host code keeps the host constant (a copy on the host); a view made above
// the loop is remade on the device copy for the loop only. Two functions
// share one declaration.
// CHECK: memref.global "private" constant @weights : memref<4x8xf32>
// CHECK: memref.global "public" @__adaround_device.weights
// CHECK-NOT: memref.global
// CHECK-LABEL: func.func @host_and_kernel
// CHECK: %[[HOST:.*]] = memref.get_global @weights
// CHECK: %[[DEV:.*]] = memref.get_global @__adaround_device.weights
// CHECK: %[[HOSTFLAT:.*]] = memref.collapse_shape %[[HOST]]
// CHECK: %[[DEVFLAT:.*]] = memref.collapse_shape %[[DEV]]
// CHECK: memref.copy %[[HOSTFLAT]], %{{.*}}
// CHECK: scf.parallel
// CHECK: memref.load %[[DEVFLAT]]
// CHECK-LABEL: func.func @second
// CHECK: memref.get_global @__adaround_device.weights
memref.global "private" constant @weights : memref<4x8xf32> = dense<1.0>
func.func @host_and_kernel(%y: memref<32xf32>, %z: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %w = memref.get_global @weights : memref<4x8xf32>
  %flat = memref.collapse_shape %w [[0, 1]] : memref<4x8xf32> into memref<32xf32>
  memref.copy %flat, %z : memref<32xf32> to memref<32xf32>
  scf.parallel (%i) = (%c0) to (%c32) step (%c1) {
    %a = memref.load %flat[%i] : memref<32xf32>
    memref.store %a, %y[%i] : memref<32xf32>
    scf.reduce
  }
  return
}
func.func @second(%y: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %w = memref.get_global @weights : memref<4x8xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    %a = memref.load %w[%i, %j] : memref<4x8xf32>
    memref.store %a, %y[%i, %j] : memref<4x8xf32>
    scf.reduce
  }
  return
}

// -----

// Mutable globals, and constants only the host reads, are left alone; the
// size counts bytes, not elements (i8: 100 bytes, f16: 128 bytes).
// CHECK-LABEL: func.func @left_alone
// CHECK-DAG: memref.get_global @state
// CHECK-DAG: memref.get_global @host_only
// CHECK-DAG: memref.get_global @__adaround_device.bytes
// CHECK-DAG: memref.get_global @__adaround_device.halves
memref.global "private" @state : memref<100xf32> = dense<0.0>
memref.global "private" constant @host_only : memref<100xf32> = dense<0.0>
memref.global "private" constant @bytes : memref<100xi8> = dense<1>
memref.global "private" constant @halves : memref<64xf16> = dense<1.0>
func.func @left_alone(%y: memref<64xf32>, %z: memref<100xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %s = memref.get_global @state : memref<100xf32>
  %h = memref.get_global @host_only : memref<100xf32>
  %b = memref.get_global @bytes : memref<100xi8>
  %f = memref.get_global @halves : memref<64xf16>
  memref.copy %h, %z : memref<100xf32> to memref<100xf32>
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %a = memref.load %s[%i] : memref<100xf32>
    %q = memref.load %b[%i] : memref<100xi8>
    %r = memref.load %f[%i] : memref<64xf16>
    %qf = arith.sitofp %q : i8 to f32
    %rf = arith.extf %r : f16 to f32
    %t = arith.addf %a, %qf : f32
    %u = arith.addf %t, %rf : f32
    memref.store %u, %y[%i] : memref<64xf32>
    scf.reduce
  }
  return
}
