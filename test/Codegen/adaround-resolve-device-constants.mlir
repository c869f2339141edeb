// RUN: adaround-opt %s -split-input-file -verify-diagnostics --adaround-resolve-device-constants | FileCheck %s

// Each address of a device copy becomes a call with the host constant's
// address and size (3x5 f32: 60 bytes; 7 i8: 7 bytes); the declarations go;
// one destructor, added to those the module has, releases the copies.
// CHECK-DAG: llvm.func @adaroundDeviceConstant(!llvm.ptr, i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @adaroundReleaseDeviceConstant(!llvm.ptr)
// CHECK-NOT: __adaround_device.
// CHECK-LABEL: llvm.func @host
// CHECK: %[[W:.*]] = llvm.mlir.addressof @weights : !llvm.ptr
// CHECK: %[[WBYTES:.*]] = llvm.mlir.constant(60 : i64) : i64
// CHECK: %[[WDEV:.*]] = llvm.call @adaroundDeviceConstant(%[[W]], %[[WBYTES]])
// CHECK: %[[D:.*]] = llvm.mlir.addressof @decisions : !llvm.ptr
// CHECK: %[[DBYTES:.*]] = llvm.mlir.constant(7 : i64) : i64
// CHECK: %[[DDEV:.*]] = llvm.call @adaroundDeviceConstant(%[[D]], %[[DBYTES]])
// CHECK: llvm.insertvalue %[[WDEV]]
// CHECK: llvm.insertvalue %[[DDEV]]
// CHECK: llvm.func internal @__adaround_release_device_constants()
// CHECK: %[[W2:.*]] = llvm.mlir.addressof @weights
// CHECK: llvm.call @adaroundReleaseDeviceConstant(%[[W2]])
// CHECK: %[[D2:.*]] = llvm.mlir.addressof @decisions
// CHECK: llvm.call @adaroundReleaseDeviceConstant(%[[D2]])
// CHECK: llvm.mlir.global_dtors dtors = [@existing, @__adaround_release_device_constants], priorities = [7 : i32, 0 : i32]
llvm.mlir.global private constant @weights(dense<1.0> : tensor<3x5xf32>) : !llvm.array<3 x array<5 x f32>>
llvm.mlir.global external @__adaround_device.weights() : !llvm.array<3 x array<5 x f32>>
llvm.mlir.global private constant @decisions(dense<1> : tensor<7xi8>) : !llvm.array<7 x i8>
llvm.mlir.global external @__adaround_device.decisions() : !llvm.array<7 x i8>
llvm.func @existing() {
  llvm.return
}
llvm.mlir.global_dtors dtors = [@existing], priorities = [7 : i32], data = [#llvm.zero]
llvm.func @host() -> !llvm.struct<(ptr, ptr)> {
  %w = llvm.mlir.addressof @__adaround_device.weights : !llvm.ptr
  %d = llvm.mlir.addressof @__adaround_device.decisions : !llvm.ptr
  %p = llvm.mlir.poison : !llvm.struct<(ptr, ptr)>
  %s0 = llvm.insertvalue %w, %p[0] : !llvm.struct<(ptr, ptr)>
  %s1 = llvm.insertvalue %d, %s0[1] : !llvm.struct<(ptr, ptr)>
  llvm.return %s1 : !llvm.struct<(ptr, ptr)>
}

// -----

// A module without device copies is left as it was.
// CHECK-LABEL: llvm.func @plain
// CHECK-NOT: adaroundDeviceConstant
// CHECK-NOT: global_dtors
llvm.func @plain() {
  llvm.return
}

// -----

// expected-error @below {{'__adaround_device.missing' names the device copy of 'missing', which is not a constant global with data}}
llvm.mlir.global external @__adaround_device.missing() : !llvm.array<4 x f32>

// -----

llvm.mlir.global private @mutable(dense<1.0> : tensor<4xf32>) : !llvm.array<4 x f32>
// expected-error @below {{'__adaround_device.mutable' names the device copy of 'mutable', which is not a constant global with data}}
llvm.mlir.global external @__adaround_device.mutable() : !llvm.array<4 x f32>

// -----

llvm.mlir.global private constant @small(dense<1.0> : tensor<4xf32>) : !llvm.array<4 x f32>
// expected-error @below {{'__adaround_device.small' has type '!llvm.array<8 x f32>' but 'small' has type '!llvm.array<4 x f32>'}}
llvm.mlir.global external @__adaround_device.small() : !llvm.array<8 x f32>
