"""Generates and compiles the fake-quant kernels the benchmarks time.

A kernel is `func.func @kernel(%x: memref<RxCxf32>, %y: memref<RxCxf32>)` in
destination-passing style (to_tensor restrict / materialize_in_destination),
with a random V in a dense_resource blob, compiled with --adaround-to-llvm,
then mlir-translate, opt -O3 and llc -O3 -mcpu=native into a shared library.
"""
import os
import subprocess

import numpy as np

LLVM = "/usr/lib/llvm-22/bin"


def kernel_module(rows, cols, rounding, granularity, seed=0, splat_v=False):
    """With `splat_v`, V is one value (folded into the kernel): the kernel then
    moves exactly the bytes of a copy, x in and y out."""
    rng = np.random.default_rng(seed)
    v = (rng.standard_normal(rows * cols) * 3).astype(np.float32)
    t = f"tensor<{rows}x{cols}xf32>"
    m = f"memref<{rows}x{cols}xf32>"
    if granularity == "tensor":
        qtype = "!quant.uniform<i8:f32, 0.0235>"
    else:
        scales = ",".join(repr(float(np.float32(0.01 + 0.001 * (i % 17))))
                          for i in range(rows))
        qtype = f"!quant.uniform<i8:f32:0, {{{scales}}}>"
    blob = (np.uint32(64).tobytes() + v.tobytes()).hex().upper()
    mode = " rounding(<hard>)" if rounding == "hard" else ""
    if splat_v:
        return f"""
func.func @kernel(%xm: {m}, %ym: {m}) attributes {{llvm.emit_c_interface}} {{
  %x = bufferization.to_tensor %xm restrict : {m} to {t}
  %y = adaround.fake_quant %x{mode} qtype({qtype}) v(dense<0.75> : {t}) : {t}
  bufferization.materialize_in_destination %y in restrict writable %ym : ({t}, {m}) -> ()
  return
}}
"""
    return f"""
func.func @kernel(%xm: {m}, %ym: {m}) attributes {{llvm.emit_c_interface}} {{
  %x = bufferization.to_tensor %xm restrict : {m} to {t}
  %y = adaround.fake_quant %x{mode} qtype({qtype}) v(dense_resource<v> : {t}) : {t}
  bufferization.materialize_in_destination %y in restrict writable %ym : ({t}, {m}) -> ()
  return
}}
{{-#
  dialect_resources: {{ builtin: {{ v: "0x{blob}" }} }}
#-}}
"""


def compile_kernel(module_text, out_dir, name, opt_tool, pipeline_options="",
                   pipeline="adaround-to-llvm", link=()):
    """Returns the path of the shared library."""
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, name)
    so = base + ".so"
    if os.path.exists(so):
        return so
    with open(base + ".mlir", "w") as f:
        f.write(module_text)
    pipeline = f"--{pipeline}" + (f"={pipeline_options}"
                                  if pipeline_options else "")
    steps = [
        [opt_tool, base + ".mlir", pipeline, "-o", base + ".llvm.mlir"],
        [f"{LLVM}/mlir-translate", "--mlir-to-llvmir", base + ".llvm.mlir",
         "-o", base + ".ll"],
        [f"{LLVM}/opt", "-O3", "-mcpu=native", base + ".ll", "-o", base + ".bc"],
        [f"{LLVM}/llc", "-O3", "-mcpu=native", "-filetype=obj",
         "--relocation-model=pic", base + ".bc", "-o", base + ".o"],
        ["gcc", "-shared", base + ".o", "-o", so, *link],
    ]
    for step in steps:
        subprocess.run(step, check=True)
    for ext in (".mlir", ".llvm.mlir", ".ll", ".bc", ".o"):
        os.remove(base + ext)
    return so
