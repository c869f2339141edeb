// Debian's own mlir-opt loads our dialect and passes from the plugin.
// UNSUPPORTED: asan
// RUN: %mlir_opt %s --load-dialect-plugin=%plugin | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: %mlir_opt %s --load-dialect-plugin=%plugin --load-pass-plugin=%plugin \
// RUN:   --pass-pipeline="builtin.module(convert-adaround-to-linalg)" | FileCheck %s --check-prefix=LINALG
// RUN: %mlir_opt %s --load-dialect-plugin=%plugin --load-pass-plugin=%plugin \
// RUN:   --pass-pipeline="builtin.module(adaround-to-llvm)" | FileCheck %s --check-prefix=LLVM

// ROUNDTRIP: adaround.fake_quant %{{.*}} rounding(<hard>) qtype(!quant.uniform<i8:f32, 5.000000e-02>)
// LINALG: linalg.generic
// LINALG: arith.divf
// LINALG-NOT: adaround.fake_quant
// LLVM: llvm.func @f
// LLVM-NOT: adaround.
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = adaround.fake_quant %x rounding(<hard>) qtype(!quant.uniform<i8:f32, 0.05>) v(dense<[1.0, -1.0, 0.0, 2.0]> : tensor<4xf32>) : tensor<4xf32>
  return %0 : tensor<4xf32>
}
