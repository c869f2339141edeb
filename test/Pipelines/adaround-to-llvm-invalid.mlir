// RUN: not adaround-opt %s --adaround-to-llvm 2>&1 | FileCheck %s

// The pipeline names what it cannot lower.
// CHECK: error: 'complex.abs' was not lowered: the pipeline leaves only llvm ops
func.func @f(%a: f32, %b: f32) -> f32 {
  %c = complex.create %a, %b : complex<f32>
  %r = complex.abs %c : complex<f32>
  return %r : f32
}
