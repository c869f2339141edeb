"""Generates and compiles the fake-quant kernels the benchmarks time.

A kernel is `func.func @kernel(%x: memref<RxCxf32>, %y: memref<RxCxf32>)` in
destination-passing style (to_tensor restrict / materialize_in_destination),
with a random V in a dense_resource blob, compiled with --adaround-to-llvm,
then mlir-translate, opt -O3 and llc -O3 -mcpu=native into a shared library.
"""
import functools
import os
import subprocess

import numpy as np

LLVM = "/usr/lib/llvm-22/bin"


@functools.lru_cache(maxsize=None)
def host_triple():
    """The host's target triple. mlir-translate leaves the module without
    one; without it llc assumes no C library and expands every memset (a
    zeroed accumulator) into a loop of byte stores."""
    return subprocess.run([f"{LLVM}/llvm-config", "--host-target"],
                          capture_output=True, text=True,
                          check=True).stdout.strip()


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


def baked_matvec_module(n, k, bits, seed=0):
    """y = W x with W (n x k) baked to `bits` (8 or 4) and passed in as its
    bytes, `kernel(x: 1xK f32, w: bytes, y: 1xN f32)`: the IR `--adaround-bake`
    makes for a per-output-channel weight (i4: runs of 64 bytes along K, low
    nibbles the first 64 levels, high nibbles the next 64), with the weight
    an argument instead of a constant, so that a benchmark can time large
    weights without compiling them in. Returns the module text, the weight's
    byte count and the per-channel scales."""
    if bits not in (8, 4) or (bits == 4 and k % 128):
        raise ValueError("bits 8, or 4 with k a multiple of 128")
    rng = np.random.default_rng(seed)
    scales = (0.01 + 0.01 * rng.random(n)).astype(np.float32)
    scale_hex = "0x" + scales.tobytes().hex().upper()
    nbytes = n * k * bits // 8
    x, y, w = f"tensor<1x{k}xf32>", f"tensor<1x{n}xf32>", f"tensor<{nbytes}xi8>"
    if bits == 8:
        levels = f"""%q = tensor.expand_shape %w [[0, 1]] output_shape [{n}, {k}] : {w} into tensor<{n}x{k}xi8>
  %e = tensor.empty() : tensor<{n}x{k}xf32>
  %wf = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}} ins(%q, %scales : tensor<{n}x{k}xi8>, tensor<{n}xf32>) outs(%e : tensor<{n}x{k}xf32>) {{
  ^bb0(%l: i8, %s: f32, %o: f32):
    %f = arith.sitofp %l : i8 to f32
    %v = arith.mulf %f, %s : f32
    linalg.yield %v : f32
  }} -> tensor<{n}x{k}xf32>"""
    else:
        runs = k // 128
        levels = f"""%q = tensor.expand_shape %w [[0, 1, 2]] output_shape [{n}, {runs}, 64] : {w} into tensor<{n}x{runs}x64xi8>
  %shifts = arith.constant dense<[4, 0]> : tensor<2xi8>
  %e = tensor.empty() : tensor<{n}x{runs}x2x64xf32>
  %u = linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d2)>, affine_map<(d0, d1, d2, d3) -> (d0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}} ins(%q, %shifts, %scales : tensor<{n}x{runs}x64xi8>, tensor<2xi8>, tensor<{n}xf32>) outs(%e : tensor<{n}x{runs}x2x64xf32>) {{
  ^bb0(%b: i8, %shift: i8, %s: f32, %o: f32):
    %c4 = arith.constant 4 : i8
    %up = arith.shli %b, %shift : i8
    %l = arith.shrsi %up, %c4 : i8
    %f = arith.sitofp %l : i8 to f32
    %v = arith.mulf %f, %s : f32
    linalg.yield %v : f32
  }} -> tensor<{n}x{runs}x2x64xf32>
  %wf = tensor.collapse_shape %u [[0], [1, 2, 3]] : tensor<{n}x{runs}x2x64xf32> into tensor<{n}x{k}xf32>"""
    text = f"""
func.func @kernel(%xm: memref<1x{k}xf32>, %wm: memref<{nbytes}xi8>, %ym: memref<1x{n}xf32>) attributes {{llvm.emit_c_interface}} {{
  %x2 = bufferization.to_tensor %xm restrict : memref<1x{k}xf32> to {x}
  %x = tensor.collapse_shape %x2 [[0, 1]] : {x} into tensor<{k}xf32>
  %w = bufferization.to_tensor %wm restrict : memref<{nbytes}xi8> to {w}
  %scales = arith.constant dense<"{scale_hex}"> : tensor<{n}xf32>
  {levels}
  %zero = arith.constant 0.0 : f32
  %ye = tensor.empty() : tensor<{n}xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ye : tensor<{n}xf32>) -> tensor<{n}xf32>
  %r = linalg.matvec ins(%wf, %x : tensor<{n}x{k}xf32>, tensor<{k}xf32>) outs(%init : tensor<{n}xf32>) -> tensor<{n}xf32>
  %r2 = tensor.expand_shape %r [[0, 1]] output_shape [1, {n}] : tensor<{n}xf32> into {y}
  bufferization.materialize_in_destination %r2 in restrict writable %ym : ({y}, memref<1x{n}xf32>) -> ()
  return
}}
"""
    return text, nbytes, scales


_BUILT = set()


def compile_kernel(module_text, out_dir, name, opt_tool, pipeline_options="",
                   pipeline="adaround-to-llvm", link=()):
    """Returns the path of the shared library. A library built earlier in
    this process under the same name is reused; one left by an earlier run
    (maybe by an older adaround-opt) never is."""
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, name)
    so = base + ".so"
    if so in _BUILT:
        return so
    with open(base + ".mlir", "w") as f:
        f.write(module_text)
    pipeline = f"--{pipeline}" + (f"={pipeline_options}"
                                  if pipeline_options else "")
    triple = f"-mtriple={host_triple()}"
    steps = [
        [opt_tool, base + ".mlir", pipeline, "-o", base + ".llvm.mlir"],
        [f"{LLVM}/mlir-translate", "--mlir-to-llvmir", base + ".llvm.mlir",
         "-o", base + ".ll"],
        [f"{LLVM}/opt", "-O3", "-mcpu=native", triple,
         base + ".ll", "-o", base + ".bc"],
        [f"{LLVM}/llc", "-O3", "-mcpu=native", triple,
         "-filetype=obj",
         "--relocation-model=pic", base + ".bc", "-o", base + ".o"],
        ["gcc", "-shared", base + ".o", "-o", so, *link],
    ]
    for step in steps:
        subprocess.run(step, check=True)
    for ext in (".mlir", ".llvm.mlir", ".ll", ".bc", ".o"):
        os.remove(base + ext)
    _BUILT.add(so)
    return so
