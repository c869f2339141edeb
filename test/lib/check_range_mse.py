"""--adaround-calibrate=range=mse against a numpy search of the same grid.

For weights with outliers (where clipping pays), each channel's chosen
parameters must give a round-to-nearest squared error no larger than the
best of the 100 clipping ratios searched independently here in float32 (up
to summation order), never larger than min-max's, and strictly smaller for
some channels.

  check_range_mse.py [--opt adaround-opt]
"""
import argparse
import re
import shlex
import subprocess
import sys

import numpy as np

import adaround_reference as ref

EPS = np.float32(2.0 ** -23)


def params(lo, hi, ratio, qmin, qmax, symmetric, signed):
    f = np.float32
    lo, hi = f(lo) * f(ratio), f(hi) * f(ratio)
    if symmetric:
        s = max(f(max(-lo, hi)) / f((qmax - qmin) / 2), EPS)
        z = 0 if signed else (128 if (qmin, qmax) == (0, 255)
                              else (qmin + qmax) // 2)
    else:
        s = max(f(hi - lo) / f(qmax - qmin), EPS)
        z = int(np.clip(qmin - np.rint(f(lo) / f(s)), qmin, qmax))
    return f(s), z


def nearest_error(x, s, z, qmin, qmax):
    level = np.clip(np.rint(x / s) + np.float32(z), qmin, qmax)
    y = (level - np.float32(z)).astype(np.float32) * s
    return float(np.sum((x.astype(np.float64) - y.astype(np.float64)) ** 2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opt", default="adaround-opt")
    args = parser.parse_args()
    rng = np.random.default_rng(4)
    failures, improved, channels = [], 0, 0
    for bits, symmetric, signed in [(4, True, True), (3, True, True),
                                    (4, False, True), (4, False, False),
                                    (8, True, True)]:
        qmin, qmax = ref.storage_range(signed, bits)
        w = rng.standard_normal((6, 40)).astype(np.float32)
        w[np.arange(6), rng.integers(0, 40, 6)] *= 8  # one outlier per row
        module = (f"func.func @f() -> {ref.tensor_type(w.shape)} {{\n"
                  f"  %w = arith.constant {ref.hex_dense(w, ref.tensor_type(w.shape))}\n"
                  f"  %y = adaround.fake_quant %w : {ref.tensor_type(w.shape)}\n"
                  f"  return %y : {ref.tensor_type(w.shape)}\n}}\n")
        option = (f"--adaround-calibrate=range=mse bits={bits} "
                  f"symmetric={int(symmetric)} unsigned={int(not signed)}")
        out = subprocess.run(shlex.split(args.opt) + [option], input=module,
                             capture_output=True, text=True, check=True).stdout
        table = re.search(r"f32:0, \{([^}]*)\}", out).group(1)
        chosen = []
        for pair in table.split(","):
            s, _, z = pair.partition(":")
            chosen.append((np.float32(float(s)), int(z) if z else 0))
        for c, (s, z) in enumerate(chosen):
            x = w[c]
            lo, hi = min(x.min(), 0), max(x.max(), 0)
            ours = nearest_error(x, s, z, qmin, qmax)
            grid = [nearest_error(x, *params(lo, hi, k / 100, qmin, qmax,
                                             symmetric, signed), qmin, qmax)
                    for k in range(1, 101)]
            best, minmax = min(grid), grid[-1]
            channels += 1
            if ours > best * (1 + 1e-9) + 1e-30 or ours > minmax * (1 + 1e-9):
                failures.append(f"{option} channel {c}: error {ours} vs "
                                f"best {best}, min-max {minmax}")
            if ours < minmax * (1 - 1e-6):
                improved += 1
    if improved == 0:
        failures.append("no channel improved on min-max: the test is vacuous")
    for line in failures:
        print("MISMATCH", line)
    print("FAIL" if failures else "PASS",
          f": range=mse on {channels} channels, {improved} better than "
          "min-max", sep="")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
