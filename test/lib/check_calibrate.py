"""--adaround-calibrate against PyTorch's observers (Debian's torch 1.13).

Scales and zero points must be equal bit for bit; V is PyTorch's
`-log((zeta - gamma) / (r - gamma) - 1)`. torch evaluates log with Sleef's
vectorized logf (1-ulp accurate) and we with the correctly rounded log, so V
may differ in the last bit: the check requires |dV| <= 1 ulp, identical hard
decisions (V >= 0) everywhere, and reports how many elements differ.
"""
import argparse
import re
import subprocess
import sys

import numpy as np
import torch
from torch.ao.quantization import observer as obs

import adaround_reference as ref


def torch_qparams(w, signed, bits, symmetric, axis):
    qmin, qmax = ref.storage_range(signed, bits)
    if bits <= 8:
        dtype = torch.qint8 if signed else torch.quint8
    else:
        dtype = torch.qint32
    # A full 8-bit range is torch's default range, not a customized one (for
    # quint8 the symmetric zero point is then 128, not 127).
    if bits == 8:
        qmin = qmax = None
    if axis is None:
        scheme = torch.per_tensor_symmetric if symmetric else torch.per_tensor_affine
        o = obs.MinMaxObserver(dtype=dtype, qscheme=scheme, quant_min=qmin,
                               quant_max=qmax)
    else:
        scheme = (torch.per_channel_symmetric if symmetric
                  else torch.per_channel_affine)
        o = obs.PerChannelMinMaxObserver(ch_axis=axis, dtype=dtype,
                                         qscheme=scheme, quant_min=qmin,
                                         quant_max=qmax)
    o(w)
    scale, zp = o.calculate_qparams()
    return scale.to(torch.float32), zp.to(torch.int64)


def torch_v(w, scale, axis):
    if axis is not None:
        shape = [1] * w.dim()
        shape[axis] = -1
        scale = scale.reshape(shape)
    zeta, gamma = torch.tensor(ref.ZETA), torch.tensor(ref.GAMMA)
    xq = w / scale
    residual = xq - torch.floor(xq)
    return -torch.log((zeta - gamma) / (residual - gamma) - 1)


def parse(output, n):
    qtype = re.search(r"qtype\((!quant\.uniform<.*?>)\) v\(", output).group(1)
    body = qtype[qtype.index(",") + 1:].strip().rstrip(">").strip("{} ")
    scales, zps = [], []
    for item in body.split(","):
        s, _, z = item.strip().partition(":")
        scales.append(np.float32(float(s)))
        zps.append(int(z) if z else 0)
    hexdata = re.search(r'v\(dense<"0x([0-9A-F]+)">', output).group(1)
    v = np.frombuffer(bytes.fromhex(hexdata), dtype=np.float32)
    assert v.size == n
    return np.array(scales, dtype=np.float32), np.array(zps), v


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opt", default="adaround-opt")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    configs = []
    for shape in [(64,), (16, 24), (6, 5, 7), (4, 3, 3, 5)]:
        for axis in [None] + list(range(len(shape))):
            for signed, bits in [(True, 8), (False, 8), (True, 4), (True, 2),
                                 (True, 16), (False, 4)]:
                for symmetric in (True, False):
                    if axis is not None and len(shape) == 1 and bits != 8:
                        continue
                    configs.append((shape, axis, signed, bits, symmetric))
    failures = 0
    ulp_differences = 0
    elements = 0
    for shape, axis, signed, bits, symmetric in configs:
        w = (rng.standard_normal(shape) * rng.uniform(0.01, 3)).astype(np.float32)
        if rng.random() < 0.3:
            w = np.abs(w)  # all-positive weights: lo clamps to 0
        if axis is not None and len(shape) == 1:
            # torch's per-channel observer rejects rank 1; compare per element
            # with a rank-2 view, which is the same computation.
            tw = torch.from_numpy(w).reshape(-1, 1)
            t_axis = 0
        else:
            tw = torch.from_numpy(w)
            t_axis = axis
        scale, zp = torch_qparams(tw, signed, bits, symmetric, t_axis)
        v_ref = torch_v(tw, scale, t_axis).numpy().reshape(-1)

        t = ref.tensor_type(shape)
        module = (f"func.func @f() -> {t} {{\n"
                  f"  %w = arith.constant {ref.hex_dense(w, t)}\n"
                  f"  %0 = adaround.fake_quant %w : {t}\n"
                  f"  return %0 : {t}\n}}\n")
        opts = [f"bits={bits}", f"unsigned={int(not signed)}",
                f"symmetric={int(symmetric)}",
                "granularity=" + ("per-tensor" if axis is None else "per-channel"),
                f"axis={axis or 0}"]
        run = subprocess.run(
            args.opt.split() + ["--adaround-calibrate=" + " ".join(opts),
                                "--mlir-print-elementsattrs-with-hex-if-larger=0"],
            input=module, capture_output=True, text=True)
        label = f"shape={shape} axis={axis} {'i' if signed else 'u'}{bits} " \
                f"{'sym' if symmetric else 'asym'}"
        if run.returncode != 0:
            print("FAIL", label, run.stderr[-2000:])
            failures += 1
            continue
        scales, zps, v = parse(run.stdout, w.size)
        ref_scales = scale.numpy().reshape(-1)
        ref_zps = zp.numpy().reshape(-1)
        if not np.array_equal(scales.view(np.int32), ref_scales.view(np.int32)):
            print("FAIL scales", label, scales[:4], ref_scales[:4])
            failures += 1
        if not np.array_equal(zps, ref_zps):
            print("FAIL zero points", label, zps[:4], ref_zps[:4])
            failures += 1
        ulps = np.abs(v.view(np.int32).astype(np.int64) -
                      v_ref.astype(np.float32).view(np.int32).astype(np.int64))
        if ulps.max() > 1 or not np.array_equal(v >= 0, v_ref >= 0):
            i = int(np.argmax(ulps))
            print("FAIL v", label, i, v[i], v_ref[i])
            failures += 1
        ulp_differences += int(np.count_nonzero(ulps))
        elements += w.size
    status = "FAIL" if failures else "PASS"
    print(f"{status}: {len(configs)} calibrations, {elements} elements, "
          f"scales and zero points bit-exact, V within 1 ulp "
          f"({ulp_differences} elements differ by 1 ulp)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
