"""Oracle for --adaround-learn: the same layer-wise AdaRound optimisation
written as a plain PyTorch loop (autograd through the soft rounding, the
layer applied to the real data with F.linear / F.conv2d, no Gram matrices),
compared with what the compiler learned.

  check_learn.py make DIR      a small trained CNN + MLP head on sklearn's
                               digits, exported to DIR/model.mlir, with the
                               calibration data DIR/data.npy
  check_learn.py compare DIR [--iters N --lr LR --lambda L --inputs MODE]
                               learns every layer in torch from the V of
                               DIR/calibrated.mlir (and from it perturbed by
                               1e-6, for torch's own spread) and checks the
                               compiler's V in DIR/learned.mlir: objective
                               and hard reconstruction error no worse than
                               torch's worst run by more than 5%, hard error
                               below 0.8x nearest's

The objective (SEMANTICS.md for the rounding; the pass documentation for
the rest): ||F(x; W) - F(x^; W~(V))||^2 / ||F(x; W)||^2 +
lambda * mean(1 - |2h - 1|^beta), beta 0 during the first `warmup` fraction,
then linear from 20 to 2; Adam; early stop once every h is within 1e-3 of 0
or 1 (checked every 50 iterations after the warm-up).
"""
import argparse
import os
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


def compare(args):
    net = Net()
    net.load_state_dict(torch.load(os.path.join(args.dir, "net.pt")))
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    x = torch.from_numpy(np.load(os.path.join(args.dir, "data.npy")))
    initial = quantizers(net, os.path.join(args.dir, "calibrated.mlir"))
    learned = quantizers(net, os.path.join(args.dir, "learned.mlir"))
    float_w = [m.weight for m in net.layers()]
    hard_w = [hard_weight(m, q.V.detach(), q)
              for m, q in zip(net.layers(), learned)]
    failures = 0
    for i, m in enumerate(net.layers()):
        xf = net.input_of(i, x, float_w)
        # Quantized inputs: the layers before hard-quantized with the
        # compiler's learned V, so both optimisers see the same problem.
        xq = xf if args.inputs == "float" else \
            net.input_of(i, x, hard_w[:i] + float_w[i:])
        target = net.apply(i, xf, m.weight, bias=False)
        q0 = initial[i]
        v0 = q0.V.detach()
        # Torch's own spread: the loop from V0 and from V0 perturbed by 1e-6
        # relative (float-rounding-sized); AdaRound's outcome is discrete,
        # and such perturbations alone move a layer's hard error by ~20%.
        start = time.perf_counter()
        runs = []
        for seed in range(args.runs):
            g = torch.Generator().manual_seed(seed)
            start_v = v0 if seed == 0 else \
                v0 * (1 + 1e-6 * torch.randn(v0.shape, generator=g))
            v = torch_adaround(m, start_v, q0, xq, target, args.iters,
                               args.lr, args.lam, args.warmup)
            runs.append((float(objective(m, v, q0, xq, target, args.lam,
                                         2.0)),
                         hard_error(m, v, q0, xq, target)))
        seconds = (time.perf_counter() - start) / args.runs
        v_ours = learned[i].V.detach()
        ours = float(objective(m, v_ours, q0, xq, target, args.lam, 2.0))
        nearest = hard_error(m, v0, q0, xq, target)
        hard_ours = hard_error(m, v_ours, q0, xq, target)
        objectives = [r[0] for r in runs]
        hards = [r[1] for r in runs]
        ok = (ours <= max(objectives) * 1.05 + 1e-5 and
              hard_ours <= max(hards) * 1.05 + 1e-5 and
              hard_ours < 0.8 * nearest)
        failures += not ok
        print(f"layer {i} {type(m).__name__}{tuple(m.weight.shape)}: "
              f"objective ours {ours:.4e} torch {min(objectives):.4e}.."
              f"{max(objectives):.4e}; hard reconstruction nearest "
              f"{nearest:.4e} ours {hard_ours:.4e} torch {min(hards):.4e}.."
              f"{max(hards):.4e}; torch loop {seconds:.2f} s "
              f"{'ok' if ok else 'FAIL'}")
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
    parser.add_argument("--runs", type=int, default=2,
                        help="torch runs: from V0, and perturbed")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.mode == "make":
        make(args.dir)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
