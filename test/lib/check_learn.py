"""Oracle for --adaround-learn: the same layer-wise AdaRound optimisation
written as a plain PyTorch loop (autograd through the soft rounding, the
layer applied to the real data with F.linear / F.conv2d, no Gram matrices),
compared with what the compiler learned.

  check_learn.py make DIR      a small trained CNN + MLP head on sklearn's
                               digits, exported to DIR/model.mlir, with the
                               calibration data DIR/data.npy
  check_learn.py compare DIR [--iters N --lr LR --lambda L --inputs MODE
                              --runs R --tolerance T]
                               learns every layer in torch from the V of
                               DIR/calibrated.mlir and from R - 1 copies
                               perturbed by 1e-6, runs adaround-opt (from
                               PATH) from R - 1 such copies too, and checks
                               the compiler's V (DIR/learned.mlir and those):
                               mean objective and mean hard reconstruction
                               error at most (1 + T)x torch's means, every
                               hard error below 0.8x nearest's

The objective (SEMANTICS.md for the rounding; the pass documentation for
the rest): ||F(x; W) - F(x^; W~(V))||^2 / ||F(x; W)||^2 +
lambda * mean(1 - |2h - 1|^beta), beta 0 during the first `warmup` fraction,
then linear from 20 to 2; Adam; early stop once every h is within 1e-3 of 0
or 1 (checked every 50 iterations after the warm-up).
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "python"))
import adaround_mlir  # noqa: E402
from adaround_mlir.rounding import load_rounding  # noqa: E402

ZETA, GAMMA = 1.1, -0.1
N_CALIB = 256


class Net(torch.nn.Module):
    """Layers of every kind the pass learns: convolutions (plain, depthwise
    with stride 2, dilated) and a linear layer."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 8, 3, padding=1)
        self.depthwise = torch.nn.Conv2d(8, 8, 3, stride=2, padding=1,
                                         groups=8)
        self.dilated = torch.nn.Conv2d(8, 8, 3, padding=2, dilation=2)
        self.fc = torch.nn.Linear(8 * 4 * 4, 10)

    def layers(self):
        return [self.conv, self.depthwise, self.dilated, self.fc]

    def forward(self, x):
        x = F.relu(self.conv(x))
        x = F.relu(self.depthwise(x))
        x = F.relu(self.dilated(x))
        return self.fc(x.flatten(1))

    def apply(self, i, x, w, bias=True):
        return apply_layer(self.layers()[i], x, w, bias)

    def input_of(self, i, x, weights):
        """The input of layer i with the given weights for the layers
        before it."""
        for j in range(i):
            x = F.relu(self.apply(j, x, weights[j]))
            if j == 2:
                x = x.flatten(1)
        return x


def apply_layer(m, x, w, bias=True):
    """Linear or Conv2d `m` applied to `x` with weight `w`."""
    b = m.bias if bias else None
    if isinstance(m, torch.nn.Linear):
        return F.linear(x, w, b)
    return F.conv2d(x, w, b, m.stride, m.padding, m.dilation, m.groups)


def digits():
    from sklearn.datasets import load_digits
    d = load_digits()
    x = (d.data / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    return x, d.target


def make(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    x, y = digits()
    net = Net()
    opt = torch.optim.Adam(net.parameters(), 1e-2)
    xt, yt = torch.from_numpy(x[:1200]), torch.from_numpy(y[:1200])
    for _ in range(150):
        opt.zero_grad()
        F.cross_entropy(net(xt), yt).backward()
        opt.step()
    torch.save(net.state_dict(), os.path.join(out, "net.pt"))
    adaround_mlir.export(net.eval(), (torch.zeros(1, 1, 8, 8),),
                         os.path.join(out, "model.mlir"))
    np.save(os.path.join(out, "data.npy"), x[:N_CALIB])


def soft_h(v):
    return torch.clamp(torch.sigmoid(v) * (ZETA - GAMMA) + GAMMA, 0, 1)


def fake_quant(w, h, q):
    return (torch.clamp(torch.floor(w / q.scale) + q.zero_point + h,
                        q.quant_min, q.quant_max) - q.zero_point) * q.scale


def beta_at(t, iters, warmup):
    warm = int(warmup * iters)
    if t < warm:
        return 0.0
    return 2.0 + (20.0 - 2.0) * (1.0 - (t - warm) / (iters - warm))


def objective(m, v, q, xq, target, lam, beta):
    """The pass's objective for layer `m` at logits `v`."""
    out = apply_layer(m, xq, fake_quant(m.weight, soft_h(v), q), bias=False)
    rec = ((out - target) ** 2).sum() / (target ** 2).sum()
    if beta == 0:
        return rec
    return rec + lam * (1 - (2 * soft_h(v) - 1).abs() ** beta).mean()


def hard_weight(m, v, q):
    return fake_quant(m.weight, (v >= 0).to(torch.float32), q)


def hard_error(m, v, q, xq, target):
    out = apply_layer(m, xq, hard_weight(m, v, q), bias=False)
    return float(((out - target) ** 2).sum() / (target ** 2).sum())


def torch_adaround(m, v0, q, xq, target, iters, lr, lam, warmup=0.2):
    """AdaRound's loop for layer `m`, in PyTorch: the learned V."""
    v = v0.detach().clone().requires_grad_(True)
    opt = torch.optim.Adam([v], lr=lr)
    warm = int(warmup * iters)
    for t in range(iters):
        opt.zero_grad()
        objective(m, v, q, xq, target, lam,
                  beta_at(t, iters, warmup)).backward()
        opt.step()
        if t >= warm and (t + 1 - warm) % 50 == 0:
            h = soft_h(v.detach())
            if bool(((h <= 1e-3) | (h >= 1 - 1e-3)).all()):
                break
    return v.detach()


def quantizers(net, path):
    """The fake quantizer load_rounding installs for each layer's weight."""
    copy = Net()
    copy.load_state_dict(net.state_dict())
    load_rounding(copy, path)
    out = []
    for m in copy.layers():
        q = m.parametrizations.weight[0] if hasattr(m, "parametrizations") \
            else m.weight_fake_quant
        out.append(q)
    return out


def perturbed_copy(src, dst, seed):
    """`src` with every V blob scaled by 1 + 1e-6 N(0, 1) (numpy, `seed`)."""
    rng = np.random.default_rng(seed)

    def perturb(match):
        raw = bytes.fromhex(match.group(2))  # 4 bytes of alignment, then f32
        v = np.frombuffer(raw[4:], dtype=np.float32)
        v = v * (1 + 1e-6 * rng.standard_normal(v.shape)).astype(np.float32)
        return f'{match.group(1)}: "0x{(raw[:4] + v.tobytes()).hex().upper()}"'

    with open(src) as f:
        text = f.read()
    with open(dst, "w") as f:
        f.write(re.sub(r'(adaround_v\w*): "0x([0-9A-Fa-f]+)"', perturb, text))


def learned_by_compiler(args, net):
    """The fake quantizers the compiler learned: DIR/learned.mlir (from V0,
    made by the test's RUN line) and, for its spread, adaround-opt with the
    same options from `runs - 1` perturbed copies of DIR/calibrated.mlir."""
    paths = [os.path.join(args.dir, "learned.mlir")]
    options = f"data={os.path.join(args.dir, 'data.npy')} quiet=1"
    if args.inputs == "float":
        options += " inputs=float"
    for seed in range(1, args.runs):
        start = os.path.join(args.dir, f"calibrated-{seed}.mlir")
        perturbed_copy(os.path.join(args.dir, "calibrated.mlir"), start, seed)
        paths.append(os.path.join(args.dir, f"learned-{seed}.mlir"))
        subprocess.run(["adaround-opt", start, f"--adaround-learn={options}",
                        "-o", paths[-1]], check=True, capture_output=True)
    return [quantizers(net, path) for path in paths]


def compare(args):
    net = Net()
    net.load_state_dict(torch.load(os.path.join(args.dir, "net.pt")))
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    x = torch.from_numpy(np.load(os.path.join(args.dir, "data.npy")))
    initial = quantizers(net, os.path.join(args.dir, "calibrated.mlir"))
    ours = learned_by_compiler(args, net)
    float_w = [m.weight for m in net.layers()]
    hard_w = [hard_weight(m, q.V.detach(), q)
              for m, q in zip(net.layers(), ours[0])]
    failures = 0
    for i, m in enumerate(net.layers()):
        xf = net.input_of(i, x, float_w)
        # Quantized inputs: the layers before hard-quantized with the
        # compiler's V learned from V0, so both optimisers see the same
        # problem.
        xq = xf if args.inputs == "float" else \
            net.input_of(i, x, hard_w[:i] + float_w[i:])
        target = net.apply(i, xf, m.weight, bias=False)
        q0 = initial[i]
        v0 = q0.V.detach()
        # AdaRound's outcome is discrete: starts 1e-6 apart (float-rounding
        # sized) can end 20% apart, on either side. So both sides run from
        # V0 and from perturbed copies of it, and their means are compared;
        # torch stops at two runs where they agree to the bit (the layer's
        # outcome does not depend on the start).
        def torch_run(seed):
            g = torch.Generator().manual_seed(seed)
            start_v = v0 if seed == 0 else \
                v0 * (1 + 1e-6 * torch.randn(v0.shape, generator=g))
            v = torch_adaround(m, start_v, q0, xq, target, args.iters,
                               args.lr, args.lam, args.warmup)
            return (float(objective(m, v, q0, xq, target, args.lam, 2.0)),
                    hard_error(m, v, q0, xq, target))

        start = time.perf_counter()
        runs = [torch_run(seed) for seed in range(2)]
        if runs[0] != runs[1]:
            runs += [torch_run(seed) for seed in range(2, args.runs)]
        seconds = (time.perf_counter() - start) / len(runs)
        mine = [(float(objective(m, q[i].V.detach(), q0, xq, target,
                                 args.lam, 2.0)),
                 hard_error(m, q[i].V.detach(), q0, xq, target))
                for q in ours]
        nearest = hard_error(m, v0, q0, xq, target)
        objective_ours, hard_ours = np.mean(mine, axis=0)
        objective_torch, hard_torch = np.mean(runs, axis=0)
        tolerance = 1 + args.tolerance
        ok = (objective_ours <= objective_torch * tolerance + 1e-5 and
              hard_ours <= hard_torch * tolerance + 1e-5 and
              max(h for _, h in mine) < 0.8 * nearest)
        failures += not ok
        print(f"layer {i} {type(m).__name__}{tuple(m.weight.shape)}: means "
              f"of {len(mine)} / {len(runs)} starts: objective ours {objective_ours:.4e} "
              f"torch {objective_torch:.4e}; hard reconstruction nearest "
              f"{nearest:.4e} ours {hard_ours:.4e} torch {hard_torch:.4e} "
              f"(ours {min(h for _, h in mine):.4e}.."
              f"{max(h for _, h in mine):.4e}, torch "
              f"{min(h for _, h in runs):.4e}..{max(h for _, h in runs):.4e});"
              f" torch loop {seconds:.2f} s {'ok' if ok else 'FAIL'}")
    print("FAILED" if failures else "PASSED")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["make", "compare"])
    parser.add_argument("dir")
    parser.add_argument("--iters", type=int, default=2000)
    parser.add_argument("--lr", type=float, default=3e-2)
    parser.add_argument("--lambda", dest="lam", type=float, default=1.0)
    parser.add_argument("--warmup", type=float, default=0.2)
    parser.add_argument("--inputs", default="quantized")
    parser.add_argument("--runs", type=int, default=6,
                        help="starts on each side: V0, and perturbed copies")
    parser.add_argument("--tolerance", type=float, default=0.1,
                        help="how much higher the compiler's means may be")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.mode == "make":
        make(args.dir)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
