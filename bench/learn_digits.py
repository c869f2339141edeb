"""AdaRound learned by the compiler, on real data: sklearn's digits (8x8
images, shipped by Debian's python3-sklearn, no download).

Trains two small float models in PyTorch (an MLP, and a CNN with a depthwise
convolution), exports them with adaround_mlir.export, then for W4/W3/W2
per-channel weights reports test accuracy of
  - float,
  - round-to-nearest (`--adaround-calibrate="insert=1 rounding=hard"`),
  - AdaRound learned by the compiler (`--adaround-learn`, default options),
  - the same AdaRound loop written in PyTorch (test/lib/check_learn.py),
    run on the same machine in the same run, same iterations,
and the learning time per layer of both. The compiler's V is brought back
into the torch model with adaround_mlir.load_rounding (bit-exact semantics).

  bench/learn_digits.py --build build [--quick] [--demo] [--out DIR]
"""
import argparse
import copy as copying
import datetime
import os
import re
import socket
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, os.path.join(HERE, "..", "test", "lib"))
import adaround_mlir  # noqa: E402
from check_learn import apply_layer, digits, hard_weight, \
    torch_adaround  # noqa: E402

ITERS, LR, LAMBDA = 2000, 3e-2, 1.0  # the pass's defaults
EIGEN = "3.4"
N_TRAIN, N_CALIB = 1200, 512


def mlp():
    return torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))


def cnn():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16),
        torch.nn.ReLU(), torch.nn.Conv2d(16, 32, 1), torch.nn.ReLU(),
        torch.nn.Flatten(), torch.nn.Linear(32 * 4 * 4, 10))


def layers(model):
    return [m for m in model if isinstance(m, (torch.nn.Linear,
                                               torch.nn.Conv2d))]


def run(model, x, weights=None, upto=None):
    """`model` on `x`, with `weights` (module -> tensor) replacing some
    layers' weights; stops at the input of `upto`."""
    weights = weights or {}
    for m in model:
        if m is upto:
            return x
        x = apply_layer(m, x, weights[m]) if m in weights else m(x)
    return x


def accuracy(model, x, y, weights=None):
    with torch.no_grad():
        return float((run(model, x, weights).argmax(1) == y).float().mean())


def train(model, x, y, epochs):
    torch.manual_seed(0)
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.1) if p.dim() > 1 else \
            torch.nn.init.zeros_(p)
    opt = torch.optim.Adam(model.parameters(), 1e-2)
    for _ in range(epochs):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)


def quantizers(model, path):
    """(V, quantizer) of each layer, from the module at `path`."""
    copy = copying.deepcopy(model)
    adaround_mlir.load_rounding(copy, path)
    out = []
    for m in layers(copy):
        q = m.parametrizations.weight[0] if hasattr(m, "parametrizations") \
            else m.weight_fake_quant
        out.append(q)
    return out


def hard_weights(model, qs, vs=None):
    return {m: hard_weight(m, (vs[i] if vs else q.V.detach()), q)
            for i, (m, q) in enumerate(zip(layers(model), qs))}


def opt(args, *argv):
    run = subprocess.run([args.opt, *argv], capture_output=True, text=True)
    if run.returncode:
        # Say why: the caller's traceback alone does not.
        sys.stderr.write(run.stderr[-4000:])
        run.check_returncode()
    return run


def evaluate(args, name, model, example, data, test, work):
    x_calib, (x_test, y_test) = data, test
    stem = os.path.join(work, name)
    adaround_mlir.export(model, (example,), stem + ".mlir")
    np.save(stem + "-calib.npy", x_calib.numpy())
    rows = []
    for bits in args.bits:
        cal = f"{stem}-w{bits}-calibrated.mlir"
        learned = f"{stem}-w{bits}-learned.mlir"
        opt(args, stem + ".mlir",
            f"--adaround-calibrate=insert=1 bits={bits} rounding=hard",
            "-o", cal)
        start = time.perf_counter()
        out = opt(args, cal, f"--adaround-learn=data={stem}-calib.npy "
                  f"iters={args.iters} verbose=1 quiet=1", "-o", learned)
        pass_s = time.perf_counter() - start
        ours_layer_s = [float(s) for s in re.findall(
            r"iterations in ([0-9.]+) s", out.stderr)]
        initial = quantizers(model, cal)
        ours = quantizers(model, learned)

        # The PyTorch loop, layer after layer, inputs from its own learned
        # preceding layers (the pass's default, inputs=quantized).
        torch_v, torch_s, done = [], [], {}
        if args.demo:
            print(f"  {name} W{bits} test accuracy: float "
                  f"{accuracy(model, x_test, y_test):.3f}, round-to-nearest "
                  f"{accuracy(model, x_test, y_test, hard_weights(model, initial)):.3f}, "
                  f"learned by --adaround-learn "
                  f"{accuracy(model, x_test, y_test, hard_weights(model, ours)):.3f}"
                  f" ({pass_s:.1f} s)")
            continue
        for m, q in zip(layers(model), initial):
            xf = run(model, x_calib, upto=m)
            xq = run(model, x_calib, done, upto=m)
            target = apply_layer(m, xf, m.weight, bias=False)
            start = time.perf_counter()
            v = torch_adaround(m, q.V.detach(), q, xq, target, args.iters,
                               LR, LAMBDA)
            torch_s.append(time.perf_counter() - start)
            torch_v.append(v)
            done[m] = hard_weight(m, v, q)
        rows.append(dict(
            model=name, bits=bits,
            float=accuracy(model, x_test, y_test),
            nearest=accuracy(model, x_test, y_test,
                             hard_weights(model, initial)),
            ours=accuracy(model, x_test, y_test, hard_weights(model, ours)),
            torch=accuracy(model, x_test, y_test,
                           hard_weights(model, initial, torch_v)),
            ours_s=ours_layer_s, pass_s=pass_s, torch_s=torch_s))
        r = rows[-1]
        print(f"{name} W{bits}: float {r['float']:.4f} nearest "
              f"{r['nearest']:.4f} learned {r['ours']:.4f} torch loop "
              f"{r['torch']:.4f}; learning {sum(r['ours_s']):.2f} s "
              f"(pass {pass_s:.2f} s) vs torch {sum(torch_s):.2f} s",
              flush=True)
    return rows


def blas():
    """The BLAS library torch has loaded (Debian's libblas.so.3 is the
    reference BLAS unless an optimized one, e.g. OpenBLAS, is installed)."""
    torch.randn(8, 8) @ torch.randn(8, 8)
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "libblas" in line or
                 "openblas" in line}
    return ", ".join(sorted(paths)) or "torch's own"


def write_report(path, rows, args):
    lines = [
        f"# AdaRound learned by the compiler: digits, {datetime.date.today()}",
        "", f"- command: `{' '.join(sys.argv)}`",
        f"- machine: {socket.gethostname()}, {os.cpu_count()} cores; torch "
        f"{torch.__version__} ({torch.get_num_threads()} threads, BLAS: "
        f"{blas()}); ours: Eigen {EIGEN}, one thread per layer",
        f"- {N_TRAIN} training images, {N_CALIB} of them for calibration, "
        f"test on the other {1797 - N_TRAIN}",
        f"- both optimisers: {args.iters} iterations (early stop once every "
        f"h settles), lr {LR}, lambda {LAMBDA}, beta 20 -> 2 after 20% "
        "warm-up, inputs from the quantized preceding layers",
        "- accuracy with hard (deployed) rounding, per-channel symmetric "
        "min-max scales", "",
        "| model | weights | float | nearest | learned (ours) | torch loop "
        "| ours - nearest | ours - torch | learning s/layer ours | torch "
        "| speed-up | whole pass s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ours_s, torch_s = sum(r["ours_s"]), sum(r["torch_s"])
        n = len(r["torch_s"])
        lines.append(
            f"| {r['model']} | W{r['bits']} | {100 * r['float']:.1f} | "
            f"{100 * r['nearest']:.1f} | {100 * r['ours']:.1f} | "
            f"{100 * r['torch']:.1f} | "
            f"{100 * (r['ours'] - r['nearest']):+.1f} | "
            f"{100 * (r['ours'] - r['torch']):+.1f} | {ours_s / n:.3f} | "
            f"{torch_s / n:.3f} | {torch_s / max(ours_s, 1e-9):.0f}x | "
            f"{r['pass_s']:.2f} |")
    lines += ["", "Per-layer learning time is the optimisation alone "
              "(the pass's remark; torch: its loop). The whole pass also "
              "compiles and runs the model to collect layer inputs (JIT, "
              "once per depth) and builds the Gram matrices."]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--quick", action="store_true",
                        help="few epochs and iterations: checks the harness")
    parser.add_argument("--demo", action="store_true",
                        help="the MLP at W2, without the torch loop, printed")
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args()
    args.opt = os.path.abspath(os.path.join(args.build, "bin",
                                            "adaround-opt"))
    work = os.path.abspath(os.path.join(args.build, "bench-work"))
    os.makedirs(work, exist_ok=True)
    args.iters = 50 if args.quick else ITERS
    args.bits = [2] if args.demo else ([4, 2] if args.quick else [4, 3, 2])
    epochs = 20 if args.quick else 300

    x, y = digits()
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    train_x, train_y = x[:N_TRAIN], y[:N_TRAIN]
    test = (x[N_TRAIN:], y[N_TRAIN:])
    calib = train_x[:N_CALIB]
    rows = []
    for name, make in [("mlp", mlp), ("cnn", cnn)]:
        if args.demo and name != "mlp":
            continue
        model = make()
        train(model, train_x, train_y, epochs)
        rows += evaluate(args, name, model, torch.zeros(1, 1, 8, 8), calib,
                         test, work)
    if args.demo:
        return 0
    os.makedirs(args.out, exist_ok=True)
    stamp = f"{datetime.date.today()}-{socket.gethostname()}" + \
        ("-quick" if args.quick else "")
    report = os.path.join(args.out, stamp + "-learn-digits.md")
    write_report(report, rows, args)
    print(f"wrote {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
