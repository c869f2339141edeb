"""Execution test of weight finding on realistic IR: a TOSA convolution and
matmul, a PyTorch-layout Linear (weight transposed before the matmul) and a
grouped convolution in linalg. Each module is calibrated with insert=1,
baked, compiled and run; the expected output is numpy on weights
fake-quantized with hard rounding from torch's own per-channel min-max
observer (along the output channels) and the AdaRound V initialisation.

  check_front_ends.py --runner "mlir-runner ..." [--opt adaround-opt]
"""
import argparse
import shlex
import sys

import numpy as np
import torch
from torch.ao.quantization import observer as obs

import adaround_reference as ref
from check_shapes import conv_nhwc


def torch_quantized(w, channel_axes, bits=4):
    """w fake-quantized as --adaround-calibrate --adaround-bake should:
    torch's symmetric per-channel observer over the output channels (all of
    `channel_axes` together), V from the residual, hard rounding."""
    lo, hi = ref.storage_range(True, bits)
    other = [d for d in range(w.ndim) if d not in channel_axes]
    moved = np.transpose(w, list(channel_axes) + other)
    flat = moved.reshape(int(np.prod([w.shape[d] for d in channel_axes])), -1)
    o = obs.PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8,
                                     qscheme=torch.per_channel_symmetric,
                                     quant_min=lo, quant_max=hi)
    o(torch.from_numpy(flat))
    scale, _ = o.calculate_qparams()
    s = scale.numpy().astype(np.float32)[:, None]
    xq = torch.from_numpy(flat) / torch.from_numpy(s)
    r = xq - torch.floor(xq)
    zeta, gamma = torch.tensor(ref.ZETA), torch.tensor(ref.GAMMA)
    v = (-torch.log((zeta - gamma) / (r - gamma) - 1)).numpy()
    blocks = [flat.shape[0], flat.shape[1]]
    qp = ref.QParams(True, bits, lo, hi, [1, blocks[1]], s,
                     np.zeros_like(s, dtype=np.int64), "axis", 0)
    y, _ = ref.fake_quant_reference(flat, v.astype(np.float32), qp, hard=True)
    shape = [w.shape[d] for d in list(channel_axes) + other]
    return np.transpose(y.reshape(shape), np.argsort(list(channel_axes) +
                                                     other))


def tosa_conv(rng):
    x = rng.standard_normal((1, 6, 6, 3)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)  # O, KH, KW, I
    t = ref.tensor_type
    body = f"""
  %w = "tosa.const"() <{{values = {ref.hex_dense(w, t(w.shape))}}}> : () -> {t(w.shape)}
  %b = "tosa.const"() <{{values = dense<0.0> : tensor<4xf32>}}> : () -> tensor<4xf32>
  %zp = "tosa.const"() <{{values = dense<0.0> : tensor<1xf32>}}> : () -> tensor<1xf32>
  %out = tosa.conv2d %in, %w, %b, %zp, %zp {{acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}} : ({t(x.shape)}, {t(w.shape)}, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32>
"""
    want = conv_nhwc(x.astype(np.float64),
                     torch_quantized(w, [0]).transpose(1, 2, 3, 0), (1, 1),
                     (1, 1))
    return "tosa conv2d", x, body, (1, 4, 4, 4), want


def tosa_matmul(rng):
    x = rng.standard_normal((1, 5, 8)).astype(np.float32)
    w = rng.standard_normal((1, 6, 8)).astype(np.float32)  # stored [N, W, C]
    t = ref.tensor_type
    body = f"""
  %w = "tosa.const"() <{{values = {ref.hex_dense(w, t(w.shape))}}}> : () -> {t(w.shape)}
  %wt = tosa.transpose %w {{perms = array<i32: 0, 2, 1>}} : ({t(w.shape)}) -> tensor<1x8x6xf32>
  %zp = "tosa.const"() <{{values = dense<0.0> : tensor<1xf32>}}> : () -> tensor<1xf32>
  %out = tosa.matmul %in, %wt, %zp, %zp : ({t(x.shape)}, tensor<1x8x6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x6xf32>
"""
    want = x.astype(np.float64) @ torch_quantized(w, [1]).transpose(0, 2, 1)
    return "tosa matmul, transposed weight", x, body, (1, 5, 6), want


def tosa_pointwise(rng, op):
    """tosa.conv3d or tosa.transpose_conv2d with a 1-wide kernel: per
    position, y = W x over the channels."""
    spatial = (3, 3, 2) if op == "conv3d" else (3, 3)
    x = rng.standard_normal((1,) + spatial + (4,)).astype(np.float32)
    w = rng.standard_normal((5,) + (1,) * len(spatial) + (4,)).astype(
        np.float32)
    t = ref.tensor_type
    out = (1,) + spatial + (5,)
    if op == "conv3d":
        attrs = ("dilation = array<i64: 1, 1, 1>, pad = array<i64: 0, 0, 0, "
                 "0, 0, 0>, stride = array<i64: 1, 1, 1>")
    else:
        attrs = "out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>"
    body = f"""
  %w = "tosa.const"() <{{values = {ref.hex_dense(w, t(w.shape))}}}> : () -> {t(w.shape)}
  %b = "tosa.const"() <{{values = dense<0.0> : tensor<5xf32>}}> : () -> tensor<5xf32>
  %zp = "tosa.const"() <{{values = dense<0.0> : tensor<1xf32>}}> : () -> tensor<1xf32>
  %out = tosa.{op} %in, %w, %b, %zp, %zp {{acc_type = f32, {attrs}}} : ({t(x.shape)}, {t(w.shape)}, tensor<5xf32>, tensor<1xf32>, tensor<1xf32>) -> {t(out)}
"""
    wq = torch_quantized(w, [0]).reshape(5, 4)
    want = x.astype(np.float64) @ wq.T.astype(np.float64)
    return f"tosa {op}", x, body, out, want


def linear_transposed(rng):
    x = rng.standard_normal((3, 20)).astype(np.float32)
    w = rng.standard_normal((7, 20)).astype(np.float32)  # [out, in]
    t = ref.tensor_type
    body = f"""
  %w = arith.constant {ref.hex_dense(w, t(w.shape))}
  %e = tensor.empty() : tensor<20x7xf32>
  %wt = linalg.transpose ins(%w : {t(w.shape)}) outs(%e : tensor<20x7xf32>) permutation = [1, 0]
  %z = arith.constant dense<0.0> : tensor<3x7xf32>
  %out = linalg.matmul ins(%in, %wt : {t(x.shape)}, tensor<20x7xf32>) outs(%z : tensor<3x7xf32>) -> tensor<3x7xf32>
"""
    want = x.astype(np.float64) @ torch_quantized(w, [0]).T
    return "linalg Linear, transposed weight", x, body, (3, 7), want


def grouped_conv(rng):
    n, g, c, f, h = 1, 2, 3, 4, 5
    x = rng.standard_normal((n, g, c, h, h)).astype(np.float32)
    w = rng.standard_normal((g, f, c, 3, 3)).astype(np.float32)
    t = ref.tensor_type
    out = (n, g, f, h - 2, h - 2)
    body = f"""
  %w = arith.constant {ref.hex_dense(w, t(w.shape))}
  %z = arith.constant dense<0.0> : {t(out)}
  %out = linalg.conv_2d_ngchw_gfchw {{dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}} ins(%in, %w : {t(x.shape)}, {t(w.shape)}) outs(%z : {t(out)}) -> {t(out)}
"""
    wq = torch_quantized(w, [0, 1])
    want = np.stack([
        conv_nhwc(x[:, k].transpose(0, 2, 3, 1).astype(np.float64),
                  wq[k].transpose(2, 3, 1, 0), (1, 1),
                  (1, 1)).transpose(0, 3, 1, 2) for k in range(g)], axis=1)
    return "grouped convolution", x, body, out, want


def module(x, body, out_shape):
    t = ref.tensor_type
    return (f"func.func private @printMemrefI32(tensor<*xi32>)\n"
            f"func.func @main() {{\n"
            f"  %in = arith.constant {ref.hex_dense(x, t(x.shape))}\n"
            f"{body}{ref.print_bits('%out', out_shape)}  return\n}}\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opt", default="adaround-opt")
    parser.add_argument("--runner", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(5)
    failures = []
    for make in (tosa_conv, tosa_matmul,
                 lambda r: tosa_pointwise(r, "conv3d"),
                 lambda r: tosa_pointwise(r, "transpose_conv2d"),
                 linear_transposed, grouped_conv):
        name, x, body, out_shape, want = make(rng)
        opt = shlex.split(args.opt) + [
            "--adaround-calibrate=insert=1 bits=4", "--adaround-bake",
            "--adaround-to-llvm"]
        got = ref.run_compiled(module(x, body, out_shape), opt,
                               shlex.split(args.runner))[0].view(np.float32)
        want = want.ravel()
        tol = 1e-5 * np.abs(want).max() + 1e-6
        bad = np.nonzero(~(np.abs(got - want) <= tol))[0]
        if got.size != want.size or bad.size:
            failures.append(f"{name}: {bad.size} of {want.size} outputs "
                            "differ")
        else:
            print(f"{name}: {want.size} outputs match")
    for line in failures:
        print("MISMATCH", line)
    print("FAIL" if failures else "PASS", ": front ends", sep="")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
