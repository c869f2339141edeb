"""`make bench`: where adaround-mlir stands against PyTorch and the memory
roofline, in one run. Writes bench/results/<date>-<host>.md and a PNG plot.

Every figure is a ratio against something measured in the same run.

  run.py --build build [--quick]
"""
import argparse
import datetime
import json
import os
import re
import platform
import resource
import socket
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fake_quant_kernels as fk  # noqa: E402

LLVM = "/usr/lib/llvm-22/bin"


LLVM_LIB = "/usr/lib/llvm-22/lib"
# Kernels compiled with threads != 1 call the OpenMP runtime (LLVM's libomp);
# the drivers' probes use the same one.
OMP_LINK = (f"-L{LLVM_LIB}", "-lomp", f"-Wl,-rpath,{LLVM_LIB}")


def build_driver(source, out):
    subprocess.run([f"{LLVM}/clang", "-O3", "-march=native", "-fopenmp",
                    "-o", out, os.path.join(HERE, source), "-ldl", *OMP_LINK],
                   check=True)
    return out


def best_time(fn, reps):
    best = 1e30
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (f"{cpu}, {os.cpu_count()} cores, "
            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
            f"{platform.platform()}, torch {torch.__version__}")


# ---------------------------------------------------------------------------
# 1. Fake-quant kernels.

def torch_reference(x, v, s, z, qmin, qmax, hard):
    if hard:
        h = (v >= 0).int()
    else:
        zeta, gamma = torch.tensor(1.1), torch.tensor(-0.1)
        h = torch.clamp(torch.sigmoid(v) * (zeta - gamma) + gamma, 0, 1)
    return (torch.clamp(torch.floor(x / s) + z + h, qmin, qmax) - z) * s


def kernel_rows(args, work, sizes, reps):
    torch.set_num_threads(1)
    rows = []
    for n in sizes:
        for granularity in ("tensor", "channel"):
            channels = 1 if granularity == "tensor" else 256
            cols = n // channels
            x = torch.randn(channels, cols) * 3
            v = torch.randn(channels, cols) * 3
            if granularity == "tensor":
                s, z = torch.tensor(0.0235), torch.tensor(0)
                fused = lambda: torch.fake_quantize_per_tensor_affine(
                    x, 0.0235, 0, -128, 127)
            else:
                sc = torch.tensor([0.01 + 0.001 * (i % 17) for i in range(channels)])
                zc = torch.zeros(channels, dtype=torch.int32)
                s, z = sc.reshape(-1, 1), zc.reshape(-1, 1)
                fused = lambda: torch.fake_quantize_per_channel_affine(
                    x, sc, zc, 0, -128, 127)
            fused_s = best_time(fused, reps)
            for rounding in ("soft", "hard"):
                name = f"k_{rounding}_{granularity}_{channels}x{cols}"
                so = fk.compile_kernel(
                    fk.kernel_module(channels, cols, rounding, granularity),
                    work, name, args.opt)
                out = subprocess.run(
                    [os.path.join(work, "driver"), so, str(channels), str(cols),
                     str(reps)], capture_output=True, text=True, check=True)
                r = json.loads(out.stdout)
                ref_s = best_time(lambda: torch_reference(
                    x, v, s, z, -128, 127, rounding == "hard"), reps)
                rows.append(dict(n=n, granularity=granularity, rounding=rounding,
                                 ours_s=r["kernel_s"], probe_s=r["probe_s"],
                                 torch_ref_s=ref_s, torch_fused_s=fused_s))
                print(f"kernel {rounding:4} {granularity:7} n={n:>9}: "
                      f"ours/probe {r['probe_s'] / r['kernel_s']:.2f}, "
                      f"ours/torch {ref_s / r['kernel_s']:.1f}x", flush=True)
    return rows


# ---------------------------------------------------------------------------
# 2. Baked weights: matvec on f32, i8 and packed i4 weights.

def matvec_module(w, batch=1):
    """y = W x (batch 1: linalg.matvec) or Y = X W^T for a batch of rows."""
    m, k = w.shape
    blob = (np.uint32(64).tobytes() + w.tobytes()).hex().upper()
    if batch == 1:
        body = f"""%x = tensor.collapse_shape %x2 [[0, 1]] : tensor<1x{k}xf32> into tensor<{k}xf32>
  %w = arith.constant dense_resource<w> : tensor<{m}x{k}xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{m}xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<{m}xf32>) -> tensor<{m}xf32>
  %y = linalg.matvec ins(%w, %x : tensor<{m}x{k}xf32>, tensor<{k}xf32>) outs(%init : tensor<{m}xf32>) -> tensor<{m}xf32>
  %y2 = tensor.expand_shape %y [[0, 1]] output_shape [1, {m}] : tensor<{m}xf32> into tensor<1x{m}xf32>"""
    else:
        body = f"""%w = arith.constant dense_resource<w> : tensor<{m}x{k}xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{batch}x{m}xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<{batch}x{m}xf32>) -> tensor<{batch}x{m}xf32>
  %y2 = linalg.generic {{indexing_maps = [affine_map<(b, n, k) -> (b, k)>, affine_map<(b, n, k) -> (n, k)>, affine_map<(b, n, k) -> (b, n)>], iterator_types = ["parallel", "parallel", "reduction"]}} ins(%x2, %w : tensor<{batch}x{k}xf32>, tensor<{m}x{k}xf32>) outs(%init : tensor<{batch}x{m}xf32>) {{
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }} -> tensor<{batch}x{m}xf32>"""
    return f"""
func.func @kernel(%xm: memref<{batch}x{k}xf32>, %ym: memref<{batch}x{m}xf32>) attributes {{llvm.emit_c_interface}} {{
  %x2 = bufferization.to_tensor %xm restrict : memref<{batch}x{k}xf32> to tensor<{batch}x{k}xf32>
  {body}
  bufferization.materialize_in_destination %y2 in restrict writable %ym : (tensor<{batch}x{m}xf32>, memref<{batch}x{m}xf32>) -> ()
  return
}}
{{-#
  dialect_resources: {{ builtin: {{ w: "0x{blob}" }} }}
#-}}
"""


MATVEC_WEIGHTS = [("f32", "", 4.0),
                  ("i8", "--adaround-calibrate=insert=1 --adaround-bake", 1.0),
                  ("packed i4", "--adaround-calibrate=insert=1,bits=4 --adaround-bake", 0.5),
                  ("packed i2", "--adaround-calibrate=insert=1,bits=2 --adaround-bake", 0.25)]


def torch_linear_s(w, reps, batch=1):
    """torch's f32 nn.Linear and its dynamically quantized int8 Linear on
    the same weight (one thread), best of `reps`."""
    n, k = w.shape
    linear = torch.nn.Linear(k, n, bias=False)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(w))
    dynamic = torch.ao.quantization.quantize_dynamic(
        torch.nn.Sequential(linear), {torch.nn.Linear}, dtype=torch.qint8)
    x = torch.randn(batch, k)
    times = {}
    for label, module in [("torch f32 Linear", linear),
                          ("torch dynamic int8 Linear", dynamic)]:
        with torch.no_grad():
            times[label] = best_time(lambda: module(x), reps)
    return times


def matvec_rows(args, work, shapes, reps, batches=(1,)):
    """y = W x (or Y = X W^T for a batch of M rows) for each weight shape
    (N x K) and storage: our kernel, the read-bandwidth probe over the same
    bytes, in one process."""
    driver = build_driver("matvec_driver.c", os.path.join(work, "matvec_driver"))
    rng = np.random.default_rng(0)
    rows = []
    for n, k in shapes:
        w = (rng.standard_normal((n, k)) * 0.1).astype(np.float32)
        for m in batches:
            text = matvec_module(w, m)
            for label, pre, bytes_per in MATVEC_WEIGHTS:
                name = f"matvec_{label.replace(' ', '_')}_{m}x{n}x{k}"
                src = os.path.join(work, name + ".in.mlir")
                with open(src, "w") as f:
                    f.write(text)
                prepared = text
                if pre:
                    passes = [p.replace(",", " ") for p in pre.split()]
                    prepared = subprocess.run([args.opt, src] + passes,
                                              capture_output=True, text=True,
                                              check=True).stdout
                so = fk.compile_kernel(prepared, work, name, args.opt)
                weight_bytes = int(n * k * bytes_per)
                out = subprocess.run([driver, so, str(n), str(k),
                                      str(weight_bytes), str(reps), "1", str(m)],
                                     capture_output=True, text=True, check=True)
                r = json.loads(out.stdout)
                rows.append(dict(weights=label, m=m, n=n, k=k, ours_s=r["kernel_s"],
                                 probe_s=r["probe_s"], weight_bytes=weight_bytes))
                print(f"matvec {label} {m}x{n}x{k}: {r['kernel_s'] * 1e3:.2f} ms, "
                      f"probe {r['probe_s'] * 1e3:.2f} ms", flush=True)
            for label, seconds in torch_linear_s(w, reps, m).items():
                rows.append(dict(weights=label, m=m, n=n, k=k, ours_s=seconds,
                                 probe_s=None, weight_bytes=None))
                print(f"matvec {label} {m}x{n}x{k}: {seconds * 1e3:.2f} ms",
                      flush=True)
    return rows


# ---------------------------------------------------------------------------
# 2b. Threads: the same kernels with --adaround-to-llvm=threads=T.

def threads_rows(args, work, fq_sizes, mv_shape, reps, threads):
    """Fake quantization (per tensor, soft and hard) and baked matvecs,
    compiled for one thread and for `threads`, each against its probe run
    on as many threads, in one process per kernel."""
    matvec_driver = build_driver("matvec_driver.c",
                                 os.path.join(work, "matvec_driver"))
    rows = []
    for n in fq_sizes:
        for rounding in ("soft", "hard"):
            times = {}
            for t in (1, threads):
                name = f"t{t}_{rounding}_{n}"
                so = fk.compile_kernel(
                    fk.kernel_module(1, n, rounding, "tensor"), work, name,
                    args.opt, pipeline_options=f"threads={t}", link=OMP_LINK)
                out = subprocess.run(
                    [os.path.join(work, "driver"), so, "1", str(n), str(reps),
                     str(t)], capture_output=True, text=True, check=True)
                times[t] = json.loads(out.stdout)
            rows.append(dict(kernel=f"fake quant {rounding}", size=f"{n}",
                             one_s=times[1]["kernel_s"],
                             many_s=times[threads]["kernel_s"],
                             probe_s=times[threads]["probe_s"]))
            print(f"threads {rounding} n={n}: x{rows[-1]['one_s'] / rows[-1]['many_s']:.2f}",
                  flush=True)
    n, k = mv_shape
    w = (np.random.default_rng(0).standard_normal((n, k)) * 0.1).astype(np.float32)
    text = matvec_module(w)
    for label, pre, bytes_per in MATVEC_WEIGHTS:
        prepared = text
        if pre:
            src = os.path.join(work, f"threads_matvec_{n}x{k}.in.mlir")
            with open(src, "w") as f:
                f.write(text)
            passes = [p.replace(",", " ") for p in pre.split()]
            prepared = subprocess.run([args.opt, src] + passes, capture_output=True,
                                      text=True, check=True).stdout
        times = {}
        for t in (1, threads):
            name = f"t{t}_matvec_{label.replace(' ', '_')}_{n}x{k}"
            so = fk.compile_kernel(prepared, work, name, args.opt,
                                   pipeline_options=f"threads={t}", link=OMP_LINK)
            out = subprocess.run([matvec_driver, so, str(n), str(k),
                                  str(int(n * k * bytes_per)), str(reps), str(t)],
                                 capture_output=True, text=True, check=True)
            times[t] = json.loads(out.stdout)
        rows.append(dict(kernel=f"matvec {label}", size=f"{n}x{k}",
                         one_s=times[1]["kernel_s"], many_s=times[threads]["kernel_s"],
                         probe_s=times[threads]["probe_s"]))
        print(f"threads matvec {label}: x{rows[-1]['one_s'] / rows[-1]['many_s']:.2f}",
              flush=True)
    return rows


def threads_lines(rows, threads):
    lines = [f"## 2b. Threads: `--adaround-to-llvm=threads={threads}` against threads=1",
             "",
             f"Each kernel compiled twice; 'probe' is the section's probe (three f32",
             f"streams for fake quantization, a read of the weight bytes for matvecs)",
             f"run on {threads} threads by OpenMP in the same process. In-cache",
             "fake quantization is compute-bound (target: speed-up >= 1.8);",
             "out-of-cache kernels are memory-bound (target: probe / this >= 0.9).",
             "'f32 / this' compares the matvecs on the threaded f32 one.", "",
             f"| kernel | size | 1 thread ms | {threads} threads ms | speed-up | "
             f"probe ({threads} threads) / this | f32 / this |",
             "|---|---|---|---|---|---|---|"]
    f32 = next((r["many_s"] for r in rows if r["kernel"] == "matvec f32"), None)
    for r in rows:
        versus = (f"{f32 / r['many_s']:.2f}"
                  if f32 and r["kernel"].startswith("matvec") else "")
        lines.append(f"| {r['kernel']} | {r['size']} | {r['one_s'] * 1e3:.3f} | "
                     f"{r['many_s'] * 1e3:.3f} | {r['one_s'] / r['many_s']:.2f} | "
                     f"{r['probe_s'] / r['many_s']:.2f} | {versus} |")
    return lines


# ---------------------------------------------------------------------------
# 3. Bake throughput and peak memory, against numpy.

def bake_rows(args, work, sizes):
    rows = []
    for n in sizes:
        channels = 256
        cols = n // channels
        rng = np.random.default_rng(1)
        x = rng.standard_normal((channels, cols), dtype=np.float32)
        v = rng.standard_normal((channels, cols), dtype=np.float32)
        scales = (np.abs(x).max(axis=1) / np.float32(127.5)).astype(np.float32)
        t = f"tensor<{channels}x{cols}xf32>"
        qtype = "!quant.uniform<i8:f32:0, {" + ",".join(
            repr(float(s)) for s in scales) + "}>"
        src = os.path.join(work, f"bake_{n}.mlir")
        with open(src, "w") as f:
            f.write(f"func.func @w() -> {t} {{\n"
                    f"  %w = arith.constant dense_resource<x> : {t}\n"
                    f"  %q = adaround.fake_quant %w rounding(<hard>) qtype({qtype}) "
                    f"v(dense_resource<v> : {t}) : {t}\n"
                    f"  return %q : {t}\n}}\n{{-#\n  dialect_resources: {{ builtin: {{\n")
            f.write(",\n".join(
                f'    {name}: "0x{(np.uint32(64).tobytes() + arr.tobytes()).hex().upper()}"'
                for name, arr in (("x", x), ("v", v))))
            f.write("\n  } }\n#-}\n")
        bc = os.path.join(work, f"bake_{n}.mlirbc")
        subprocess.run([args.opt, src, "--emit-bytecode", "-o", bc], check=True)
        os.remove(src)
        out = os.path.join(work, f"baked_{n}.mlirbc")
        t0 = time.perf_counter()
        run = subprocess.run(["/usr/bin/time", "-f", "%M", args.opt, bc,
                              "--adaround-bake", "--emit-bytecode", "-o", out,
                              "--mlir-timing"],
                             capture_output=True, text=True, check=True)
        total_s = time.perf_counter() - t0
        rss = int(run.stderr.strip().splitlines()[-1]) * 1024
        # The pass itself, from MLIR's own timing report.
        pass_s = next(float(line.split()[0]) for line in run.stderr.splitlines()
                      if line.strip().endswith("AdaroundBake"))
        for p in (out, bc):
            os.remove(p)
        # numpy doing the same integer computation in memory.
        s = scales.reshape(-1, 1)

        def numpy_bake():
            q = np.floor(x / s) + (v >= 0)
            return np.clip(q, -128, 127).astype(np.int8)
        numpy_s = best_time(numpy_bake, 3)
        input_bytes = x.nbytes + v.nbytes
        rows.append(dict(n=n, total_s=total_s, pass_s=pass_s, numpy_s=numpy_s,
                         rss=rss, input_bytes=input_bytes))
        print(f"bake n={n}: {n / pass_s / 1e6:.0f} Melem/s "
              f"(pass), {n / total_s / 1e6:.0f} Melem/s (whole tool), numpy "
              f"{n / numpy_s / 1e6:.0f} Melem/s, peak RSS {rss / 2**20:.0f} MiB "
              f"for {input_bytes / 2**20:.0f} MiB input", flush=True)
    return rows


# ---------------------------------------------------------------------------
# 4. Compile time against op count.

def compile_rows(args, work, counts):
    """A chain of `count` fake_quant ops (alternately soft and hard, per
    channel) on a 64x64 tensor in one function, compiled by
    --adaround-to-llvm; beside it a probe of what touching that much IR costs
    on this machine (parsing and printing the lowered module once), and,
    with --compile-instructions, the instructions executed (callgrind)."""
    rows = []
    scales = ",".join(["0.05"] * 64)
    for count in counts:
        lines = ["func.func @f(%a0: tensor<64x64xf32>) -> tensor<64x64xf32> {"]
        for i in range(count):
            mode = " rounding(<hard>)" if i % 2 else ""
            lines.append(f"  %a{i + 1} = adaround.fake_quant %a{i}{mode} qtype("
                         f"!quant.uniform<i8:f32:0, {{{scales}}}>) v(dense<"
                         f"{(i % 7) - 3}.5> : tensor<64x64xf32>) : tensor<64x64xf32>")
        lines.append(f"  return %a{count} : tensor<64x64xf32>\n}}")
        src = os.path.join(work, f"compile_{count}.mlir")
        lowered = os.path.join(work, f"compile_{count}.llvm.mlir")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        compile_ = [args.opt, src, "--adaround-to-llvm", "-o", os.devnull]
        subprocess.run(compile_[:-2] + ["-o", lowered], check=True)
        touch = [args.opt, lowered, "-o", os.devnull]
        seconds, probe = 1e30, 1e30
        for _ in range(5):  # interleaved, so that both see the same drift
            seconds = min(seconds, best_time(lambda: subprocess.run(compile_, check=True), 1))
            probe = min(probe, best_time(lambda: subprocess.run(touch, check=True), 1))
        row = dict(ops=count, seconds=seconds, probe=probe)
        if args.compile_instructions:
            row["instructions"] = instructions(compile_, work)
        rows.append(row)
        print(f"compile {count} ops: {seconds:.2f} s (probe {probe:.2f} s)", flush=True)
    return rows


def instructions(command, work):
    """Instructions `command` executes, counted by callgrind (deterministic,
    unlike time on a shared machine; about 60x slower than running it)."""
    out = os.path.join(work, "callgrind.out")
    run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
                         + command[:1] + ["--mlir-disable-threading"] + command[1:],
                         capture_output=True, text=True, check=True)
    os.remove(out)
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


# ---------------------------------------------------------------------------
# 5. GPU compilation at model scale: time, output and memory against the
#    weights' bytes.

def peak_rss(command):
    """Peak resident memory of `command` in bytes."""
    run = subprocess.run(["/usr/bin/time", "-f", "%M"] + command,
                         capture_output=True, text=True, check=True)
    return int(run.stderr.strip().splitlines()[-1]) * 1024


def gpu_compile_rows(args, work, sizes):
    """One NxN weight feeding a matmul, calibrated (soft: weight + V) or
    baked to i4, in bytecode; compiled with --adaround-to-nvvm to bytecode."""
    empty = os.path.join(work, "empty.mlir")
    with open(empty, "w") as f:
        f.write("module {}\n")
    base_rss = peak_rss([args.opt, empty, "-o", os.devnull])
    pipeline_rss = None
    rows = []
    for n in [8] + sizes:
        w = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
        blob = (np.uint32(4).tobytes() + w.tobytes()).hex().upper()
        src = os.path.join(work, f"gpu_{n}.mlir")
        with open(src, "w") as f:
            f.write(f"""func.func @layer(%x: tensor<1x{n}xf32>) -> tensor<1x{n}xf32> {{
  %w = arith.constant dense_resource<weight> : tensor<{n}x{n}xf32>
  %init = arith.constant dense<0.0> : tensor<1x{n}xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x{n}xf32>, tensor<{n}x{n}xf32>) outs(%init : tensor<1x{n}xf32>) -> tensor<1x{n}xf32>
  return %y : tensor<1x{n}xf32>
}}
{{-#
  dialect_resources: {{ builtin: {{ weight: "0x{blob}" }} }}
#-}}
""")
        for mode, passes, data_bytes in (
                ("soft", ["--adaround-calibrate=insert=1"], 2 * w.nbytes),
                ("baked i4", ["--adaround-calibrate=insert=1 bits=4",
                              "--adaround-bake"], w.size // 2)):
            # Small inputs as text: Debian's MLIR 22 rejects bytecode whose
            # resources ask for 64-byte alignment when the file lands in an
            # unaligned heap buffer, as small files may (large ones are mapped).
            tiny = n == 8
            as_text = n < 1024
            inp = os.path.join(work, f"gpu_{n}_in.mlir" + ("" if as_text else "bc"))
            out = os.path.join(work, f"gpu_{n}_out.mlirbc")
            subprocess.run([args.opt, src] + passes
                           + ([] if as_text else ["--emit-bytecode"]) + ["-o", inp],
                           check=True)
            seconds = best_time(lambda: subprocess.run(
                [args.opt, inp, "--adaround-to-nvvm", "--emit-bytecode", "-o", out],
                check=True), 3)
            rss = peak_rss([args.opt, inp, "--adaround-to-nvvm",
                               "--emit-bytecode", "-o", out])
            if tiny:
                # The pipeline's own memory (NVPTX backend, passes): the
                # baseline of the marginal column.
                pipeline_rss = max(pipeline_rss or 0, rss)
                os.remove(inp)
                os.remove(out)
                continue
            # (Debian's MLIR 22 cannot read back bytecode whose resources ask
            # for 64-byte alignment, so the PTX is counted in a text run.)
            text = subprocess.run([args.opt, inp, "--adaround-to-nvvm"],
                                  capture_output=True, text=True, check=True).stdout
            ptx = sum(len(m) for m in re.findall(r'assembly = "((?:[^"\\]|\\.)*)"', text))
            rows.append(dict(n=n, mode=mode, seconds=seconds, data=data_bytes,
                             input=os.path.getsize(inp), output=os.path.getsize(out),
                             ptx=ptx, rss=rss - base_rss,
                             marginal=max(0, rss - pipeline_rss)))
            print(f"gpu compile {mode} {n}x{n}: {seconds:.2f} s, output "
                  f"{os.path.getsize(out) / data_bytes:.3f}x data, memory "
                  f"{(rss - base_rss) / os.path.getsize(inp):.2f}x input", flush=True)
            os.remove(inp)
            os.remove(out)
        os.remove(src)
    return rows, base_rss, pipeline_rss


def gpu_compile_lines(result):
    rows, base_rss, pipeline_rss = result
    lines = ["## 5. `--adaround-to-nvvm` at model scale", "",
             "One NxN f32 weight feeding a matmul, calibrated (soft: the kernels",
             "read the weight and h(V), both f32) or baked to packed i4. Input in",
             "bytecode from N = 1024 (text below), output in bytecode. 'data' is the",
             "bytes the kernels read (weight + h(V), or the packed levels);",
             "'output / data' the compiled module's size over it; 'PTX' the kernels'",
             "text (data never goes there); 'memory' the peak resident memory above",
             f"that of reading and writing an empty module ({base_rss / 2**20:.0f} MiB),",
             "over the input's size; 'marginal' the same above compiling an 8x8 layer",
             f"({pipeline_rss / 2**20:.0f} MiB: the NVPTX backend and the passes). Best of 3.", "",
             "| weights | N | data MiB | seconds | output / data | PTX KiB | memory / input | marginal / input |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['mode']} | {r['n']} | {r['data'] / 2**20:.2f} | "
                     f"{r['seconds']:.2f} | {r['output'] / r['data']:.3f} | "
                     f"{r['ptx'] / 1024:.0f} | {r['rss'] / r['input']:.2f} | "
                     f"{r['marginal'] / r['input']:.2f} |")
    return lines


# ---------------------------------------------------------------------------

def blas_note():
    """Which BLAS torch has loaded."""
    torch.randn(8, 8) @ torch.randn(8, 8)
    with open("/proc/self/maps") as f:
        paths = sorted({line.split()[-1] for line in f
                        if "libblas" in line or "openblas" in line})
    return "BLAS: " + (", ".join(paths) or "torch's own")


def matvec_lines(matvec):
    lines = ["## 2. Baked weights: matvec (batch 1) and small batches, one thread", "",
             "Weights larger than the last-level cache. 'probe' is a vectorized",
             "sum over as many bytes as the weights (the read roofline for that",
             "format), timed in the same process; 'f32 / this' is our f32 kernel's",
             "time over this one. M is the batch (rows of X in Y = X W^T). torch",
             "rows: the same weight in torch's `nn.Linear` and `quantize_dynamic`",
             f"int8 Linear ({blas_note()}).", "",
             "| weights | M | N x K | weight MiB | time ms | f32 / this | probe / this |",
             "|---|---|---|---|---|---|---|"]
    for r in matvec:
        f32 = next(o["ours_s"] for o in matvec if o["weights"] == "f32" and
                   (o["m"], o["n"], o["k"]) == (r["m"], r["n"], r["k"]))
        mib = f"{r['weight_bytes'] / 2**20:.1f}" if r["weight_bytes"] else ""
        probe = f"{r['probe_s'] / r['ours_s']:.2f}" if r["probe_s"] else ""
        lines.append(f"| {r['weights']} | {r['m']} | {r['n']}x{r['k']} | {mib} | "
                     f"{r['ours_s'] * 1e3:.2f} | {f32 / r['ours_s']:.2f} | {probe} |")
    return lines


def compile_lines(compile_):
    """Per-op cost, and each count's per-op cost over the smallest count's
    (1.0 is linear; the target is at most 1.2 at 2000 ops), beside the same
    for the touch probe and, where counted, for instructions."""
    counted = all("instructions" in c for c in compile_)
    lines = ["## 4. Compile time of `--adaround-to-llvm`", "",
             "A chain of fake_quant ops in one function, best of 5 runs. 'probe':",
             "parsing and printing the lowered module once (`adaround-opt",
             "lowered.mlir -o /dev/null`), best of 5 runs interleaved with the",
             "compiles: what touching that much IR costs here, so that growth the",
             "machine's memory hierarchy adds (the IR outgrowing the caches) shows",
             "apart from growth in the passes."
             + (" 'instructions': executed, counted by callgrind (one thread)." if counted else ""),
             "",
             "| fake_quant ops | seconds | per op | per op / at the fewest | "
             "probe per op / at the fewest | compile / probe |"
             + (" instructions per op | / at the fewest |" if counted else ""),
             "|---|---|---|---|---|---|" + ("---|---|" if counted else "")]
    first = compile_[0]
    for c in compile_:
        per = c["seconds"] / c["ops"]
        line = (f"| {c['ops']} | {c['seconds']:.2f} | {per * 1e3:.1f} ms | "
                f"{per / (first['seconds'] / first['ops']):.2f} | "
                f"{(c['probe'] / c['ops']) / (first['probe'] / first['ops']):.2f} | "
                f"{c['seconds'] / c['probe']:.1f} |")
        if counted:
            ipo = c["instructions"] / c["ops"]
            line += (f" {ipo / 1e6:.2f} M | "
                     f"{ipo / (first['instructions'] / first['ops']):.3f} |")
        lines.append(line)
    return lines


def write_report(path, plot, rows, matvec, bake, compile_, command, threaded,
                 gpu_compile):
    k = rows
    lines = [f"# adaround-mlir benchmarks, {datetime.date.today()}", "",
             f"- machine: {machine()}", f"- command: `{command}`",
             "- one thread everywhere (torch.set_num_threads(1)); best of N runs",
             "- every ratio is against a baseline measured in the same run", "",
             "## 1. Fake-quant kernels (CPU)", "",
             "Ours: `--adaround-to-llvm`, destination-passing style. Probe: three f32",
             "streams `y = x + v * k` (clang -O3 -march=native), the bytes of the f32",
             "formulation. torch ref: eager PyTorch computing the reference semantics.",
             "torch fused: `fake_quantize_per_{tensor,channel}_affine` (nearest rounding).",
             "", "| rounding | params | elements | ours Melem/s | ours GB/s | probe Melem/s | ours/probe | torch ref Melem/s | ours/torch ref | torch fused Melem/s | ours/torch fused |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in k:
        n = r["n"]
        bytes_per = 12 if r["rounding"] == "soft" else 9
        lines.append(
            f"| {r['rounding']} | {r['granularity']} | {n} | {n / r['ours_s'] / 1e6:.0f} | "
            f"{bytes_per * n / r['ours_s'] / 1e9:.1f} | {n / r['probe_s'] / 1e6:.0f} | "
            f"{r['probe_s'] / r['ours_s']:.2f} | {n / r['torch_ref_s'] / 1e6:.0f} | "
            f"{r['torch_ref_s'] / r['ours_s']:.1f} | {n / r['torch_fused_s'] / 1e6:.0f} | "
            f"{r['torch_fused_s'] / r['ours_s']:.2f} |")
    lines += ["", f"![throughput]({os.path.basename(plot)})", "",
              ] + matvec_lines(matvec) + [""] + threaded
    lines += ["", "## 3. Bake throughput (dense_resource weights in bytecode)", "",
              "`adaround-opt in.mlirbc --adaround-bake --emit-bytecode`, per-channel i8, hard.",
              "'pass' is the time of the pass in MLIR's `--mlir-timing` report; the whole",
              "tool also reads and writes the bytecode.",
              "", "| elements | whole tool s | pass Melem/s | numpy Melem/s | pass/numpy | peak RSS MiB | input MiB | RSS/input |",
              "|---|---|---|---|---|---|---|---|"]
    for b in bake:
        pass_s = b["pass_s"]
        lines.append(f"| {b['n']} | {b['total_s']:.2f} | {b['n'] / pass_s / 1e6:.0f} | "
                     f"{b['n'] / b['numpy_s'] / 1e6:.0f} | {b['numpy_s'] / pass_s:.2f} | "
                     f"{b['rss'] / 2**20:.0f} | {b['input_bytes'] / 2**20:.0f} | "
                     f"{b['rss'] / b['input_bytes']:.2f} |")
    lines += [""] + compile_lines(compile_) + [""] + gpu_compile
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def plot_kernels(rows, plot, work):
    data = os.path.join(work, "kernels.dat")
    series = [("soft", "tensor"), ("hard", "tensor"), ("soft", "channel"), ("hard", "channel")]
    with open(data, "w") as f:
        for rounding, granularity in series:
            f.write(f"# {rounding} {granularity}\n")
            for r in rows:
                if r["rounding"] == rounding and r["granularity"] == granularity:
                    n = r["n"]
                    f.write(f"{n} {n / r['ours_s'] / 1e6} {n / r['probe_s'] / 1e6} "
                            f"{n / r['torch_ref_s'] / 1e6} {n / r['torch_fused_s'] / 1e6}\n")
            f.write("\n\n")
    script = f"""
set terminal pngcairo size 1000,600
set output '{plot}'
set logscale x 2
set format x "2^{{%L}}"
set logscale y 10
set xlabel 'elements'
set ylabel 'Melem/s (one thread)'
set key outside right
set title 'AdaRound fake quantization, CPU'
plot '{data}' index 0 using 1:2 with linespoints title 'ours soft per-tensor', \\
     '' index 1 using 1:2 with linespoints title 'ours hard per-tensor', \\
     '' index 2 using 1:2 with linespoints title 'ours soft per-channel', \\
     '' index 3 using 1:2 with linespoints title 'ours hard per-channel', \\
     '' index 0 using 1:3 with lines dt 2 lw 2 title 'roofline probe (3 f32 streams)', \\
     '' index 0 using 1:4 with linespoints title 'torch ref soft per-tensor', \\
     '' index 1 using 1:4 with linespoints title 'torch ref hard per-tensor', \\
     '' index 0 using 1:5 with linespoints title 'torch fused (nearest) per-tensor'
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes: checks the harness, measures nothing")
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    parser.add_argument("--matvec-only", action="store_true",
                        help="only the baked-weight matvec section")
    parser.add_argument("--threads-only", action="store_true",
                        help="only the threads section")
    parser.add_argument("--compile-only", action="store_true",
                        help="only the compile-time section")
    parser.add_argument("--compile-instructions", action="store_true",
                        help="also count the compile section's instructions "
                             "with valgrind (about 15 minutes more)")
    parser.add_argument("--batches", default="1",
                        help="matvec section: batch sizes M, e.g. 1,4,16")
    parser.add_argument("--gpu-compile-only", action="store_true",
                        help="only the GPU compilation section (no GPU needed)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="threads for the threads section (default: all)")
    args = parser.parse_args()
    args.opt = os.path.abspath(os.path.join(args.build, "bin", "adaround-opt"))
    work = os.path.abspath(os.path.join(args.build, "bench-work"))
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    build_driver("driver.c", os.path.join(work, "driver"))
    if args.quick:
        sizes, reps, mv, bake_sizes, counts = [1 << 12, 1 << 14], 2, [(256, 256)], [1 << 16], [4, 8]
    else:
        sizes = [1 << p for p in (16, 18, 20, 22, 24, 26)]
        reps, mv = 10, [(4096, 4096), (11008, 4096), (4096, 11008)]
        bake_sizes = [1 << 20, 1 << 22, 1 << 24, 1 << 26, 1 << 28]
        counts = [250, 500, 1000, 2000]
    stamp = f"{datetime.date.today()}-{socket.gethostname()}" + ("-quick" if args.quick else "")
    if args.quick:
        t_sizes, t_shape = [1 << 16], (256, 512)
    else:
        t_sizes, t_shape = [1 << 16, 1 << 18, 1 << 20, 1 << 24], (4096, 11008)
    def section_report(suffix, title, command, lines):
        """One section's page: bench/results/<stamp>-<suffix>.md."""
        report = os.path.join(args.out, f"{stamp}-{suffix}.md")
        with open(report, "w") as f:
            f.write("\n".join([f"# adaround-mlir {title}, {datetime.date.today()}",
                               "", f"- machine: {machine()}",
                               f"- command: `{command}`", ""] + lines) + "\n")
        print(f"wrote {report}")

    if args.threads_only:
        torch.set_num_threads(1)
        threaded = threads_rows(args, work, t_sizes, t_shape, reps, args.threads)
        return section_report(
            "threads", "threads",
            f"bench/run.py --threads-only --threads {args.threads}",
            threads_lines(threaded, args.threads))
    g_sizes = [64, 128] if args.quick else [256, 512, 1024, 2048, 4096]
    if args.gpu_compile_only:
        return section_report("gpu-compile", "GPU compilation",
                              "bench/run.py --gpu-compile-only",
                              gpu_compile_lines(gpu_compile_rows(args, work, g_sizes)))
    if args.compile_only:
        return section_report("compile", "compile time", "bench/run.py --compile-only"
                              + (" --compile-instructions" if args.compile_instructions else ""),
                              compile_lines(compile_rows(args, work, counts)))
    if args.matvec_only:
        torch.set_num_threads(1)
        batches = [int(b) for b in args.batches.split(",")]
        return section_report(
            "matvec", "matvec", f"bench/run.py --matvec-only --batches {args.batches}",
            matvec_lines(matvec_rows(args, work, mv, reps, batches)))
    rows = kernel_rows(args, work, sizes, reps)
    matvec = matvec_rows(args, work, mv, reps)
    threaded = threads_rows(args, work, t_sizes, t_shape, reps, args.threads)
    bake = bake_rows(args, work, bake_sizes)
    compile_ = compile_rows(args, work, counts)
    gpu_compile = gpu_compile_lines(gpu_compile_rows(args, work, g_sizes))
    report = os.path.join(args.out, stamp + ".md")
    plot = os.path.join(args.out, stamp + ".png")
    plot_kernels(rows, plot, work)
    write_report(report, plot, rows, matvec, bake, compile_,
                 "make bench" if not args.quick else "bench/run.py --quick",
                 threads_lines(threaded, args.threads), gpu_compile)
    print(f"wrote {report} and {plot}")


if __name__ == "__main__":
    main()
