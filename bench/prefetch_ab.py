"""Matvec kernels compiled with different `prefetch-distance`s, or by
different adaround-opt builds (say, before and after a change), timed side
by side (interleaved, best of 3 x 10) in one run, with the read probe.

  prefetch_ab.py --build build [--shapes 11008x4096,4096x11008]
                 [--batches 1] [--distances 0,4096] [--weights i8,packed_i4]
                 [--opts old/bin/adaround-opt,new/bin/adaround-opt]

One column per adaround-opt and distance; each adaround-opt bakes the
weights it compiles.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fake_quant_kernels as fk  # noqa: E402
import run  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--shapes", default="11008x4096,4096x11008")
    parser.add_argument("--batches", default="1")
    parser.add_argument("--distances", default="0,4096")
    parser.add_argument("--weights", default="f32,i8,packed_i4,packed_i2")
    parser.add_argument("--opts", default="",
                        help="adaround-opt binaries to compare (default: the "
                             "build's)")
    parser.add_argument("--work", default="/tmp/adaround-prefetch-ab")
    args = parser.parse_args()
    opts = [os.path.abspath(o) for o in args.opts.split(",") if o] or \
        [os.path.abspath(os.path.join(args.build, "bin", "adaround-opt"))]
    os.makedirs(args.work, exist_ok=True)
    driver = run.build_driver("matvec_driver.c",
                              os.path.join(args.work, "matvec_driver"))
    columns = [(i, d) for i in range(len(opts))
               for d in args.distances.split(",")]
    wanted = args.weights.replace("_", " ").split(",")
    rng = np.random.default_rng(0)

    def title(column):
        i, d = column
        build = f"opt {i + 1}, " if len(opts) > 1 else ""
        return f"{build}distance {d}: ms (probe / this)"
    print("| weights | M | N x K | " +
          " | ".join(title(c) for c in columns) + " |")
    print("|---|---|---|" + "---|" * len(columns))
    for shape in args.shapes.split(","):
        n, k = (int(s) for s in shape.split("x"))
        w = (rng.standard_normal((n, k)) * 0.1).astype(np.float32)
        for m in (int(b) for b in args.batches.split(",")):
            text = run.matvec_module(w, m)
            for label, pre, bytes_per in run.MATVEC_WEIGHTS:
                if label not in wanted:
                    continue
                # Each adaround-opt bakes its own weights: the packed layout
                # is the bake's.
                prepared = [text] * len(opts)
                if pre:
                    src = os.path.join(args.work, "in.mlir")
                    with open(src, "w") as f:
                        f.write(text)
                    passes = [p.replace(",", " ") for p in pre.split()]
                    prepared = [subprocess.run([o, src] + passes,
                                               capture_output=True, text=True,
                                               check=True).stdout
                                for o in opts]
                name = f"{label.replace(' ', '_')}_{m}x{n}x{k}"
                libs = {(i, d): fk.compile_kernel(
                            prepared[i], args.work, f"{name}_o{i}_d{d}",
                            opts[i], f"prefetch-distance={d}")
                        for i, d in columns}
                best = {c: (1e30, 1e30) for c in columns}
                for _ in range(3):
                    for c in columns:
                        out = subprocess.run(
                            [driver, libs[c], str(n), str(k),
                             str(int(n * k * bytes_per)), "10", "1", str(m)],
                            capture_output=True, text=True, check=True)
                        r = json.loads(out.stdout)
                        best[c] = (min(best[c][0], r["kernel_s"]),
                                   min(best[c][1], r["probe_s"]))
                cells = " | ".join(f"{t * 1e3:.2f} ({p / t:.2f})"
                                   for t, p in best.values())
                print(f"| {label} | {m} | {n}x{k} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
