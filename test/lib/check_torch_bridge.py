"""End-to-end checks of the PyTorch bridge (python/adaround_mlir).

Models carry AdaRound fake quantizers on their weights, written here from
SEMANTICS.md with the state of PyTorch's AdaroundFakeQuantizer (Debian's
torch 1.13 does not ship the class) and trained a few steps so that V is no
longer nearest rounding. Each model is exported, compiled with adaround-opt,
run with mlir-runner and compared with its own torch forward.

  check_torch_bridge.py --runner "mlir-runner ..." [--opt adaround-opt]
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.ao.quantization import QConfig, FakeQuantize, \
    PerChannelMinMaxObserver

import adaround_reference as ref

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "python"))
import adaround_mlir  # noqa: E402


class SeedQuantizer(nn.Module):
    """The state and forward of PyTorch's AdaroundFakeQuantizer: symmetric
    min-max parameters observed once (per tensor, or per channel along
    axis 0 and stored unsqueezed for broadcasting), V initialised from the
    residual, then `(clamp(floor(x/s) + z + h(V), qmin, qmax) - z) * s`."""

    def __init__(self, quant_min=-128, quant_max=127, per_channel=True):
        super().__init__()
        self.quant_min, self.quant_max = quant_min, quant_max
        self.qscheme = (torch.per_channel_symmetric if per_channel
                        else torch.per_tensor_symmetric)
        self.ch_axis = 0
        self.scale = torch.tensor([])
        self.zero_point = torch.tensor([])
        self.V = nn.Parameter(torch.tensor([]))
        self.zeta, self.gamma = torch.tensor(1.1), torch.tensor(-0.1)
        self.use_soft_rounding = True
        self.register_buffer("fake_quant_enabled", torch.tensor([1]))
        self.register_buffer("observer_enabled", torch.tensor([1]))

    def observe(self, x):
        dims = list(range(1, x.dim())) if self.qscheme == \
            torch.per_channel_symmetric else list(range(x.dim()))
        lo = torch.clamp(x.amin(dim=dims, keepdim=True), max=0)
        hi = torch.clamp(x.amax(dim=dims, keepdim=True), min=0)
        scale = torch.clamp(torch.maximum(-lo, hi) /
                            ((self.quant_max - self.quant_min) / 2),
                            min=torch.finfo(torch.float32).eps)
        self.scale = scale.detach()
        self.zero_point = torch.zeros_like(scale, dtype=torch.int64)
        xq = x / self.scale
        residual = xq - torch.floor(xq)
        self.V = nn.Parameter(-torch.log((self.zeta - self.gamma) /
                                         (residual - self.gamma) - 1))
        self.observer_enabled[0] = 0

    def forward(self, x):
        if self.observer_enabled[0] == 1:
            self.observe(x.detach())
        if self.use_soft_rounding:
            h = torch.clamp(torch.sigmoid(self.V) * (self.zeta - self.gamma) +
                            self.gamma, min=0, max=1)
        else:
            h = (self.V >= 0).int()
        floor = torch.floor(x / self.scale) + self.zero_point
        return (torch.clamp(floor + h, min=self.quant_min,
                            max=self.quant_max) - self.zero_point) * self.scale


def seed_qconfig(bits=4, per_channel=True):
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return QConfig(activation=nn.Identity,
                   weight=lambda factory_kwargs=None: SeedQuantizer(
                       lo, hi, per_channel))


class MLP(nn.Module):
    def __init__(self, qconfig):
        super().__init__()
        self.fc1 = torch.ao.nn.qat.Linear(64, 32, qconfig=qconfig)
        self.fc2 = torch.ao.nn.qat.Linear(32, 10, qconfig=qconfig)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


class CNN(nn.Module):
    """Conv, depthwise conv with BatchNorm, residual add, pooling, ReLU6."""

    def __init__(self, qconfig):
        super().__init__()
        self.conv = torch.ao.nn.qat.Conv2d(1, 8, 3, padding=1,
                                           qconfig=qconfig)
        self.dw = torch.ao.nn.qat.Conv2d(8, 8, 3, padding=1, groups=8,
                                         qconfig=qconfig)
        self.bn = nn.BatchNorm2d(8)
        self.float_conv = nn.Conv2d(8, 8, 1, stride=1)
        self.float_bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.head = torch.ao.nn.qat.Linear(8, 10, qconfig=qconfig)

    def forward(self, x):
        y = F.relu(self.conv(x))
        y = y + F.relu6(self.bn(self.dw(y)))
        y = self.float_bn(self.float_conv(y))
        y = self.pool(y)
        y = F.adaptive_avg_pool2d(y, 1) + y.mean((2, 3), keepdim=True)
        return self.head(torch.flatten(y, 1))


class OddSizes(nn.Module):
    """Sizes that are multiples of nothing: 3 -> 7 channels, stride 2 on an
    11x13 image, depthwise over 7, a 37-wide hidden Linear, 5 outputs."""

    def __init__(self, qconfig):
        super().__init__()
        self.conv = torch.ao.nn.qat.Conv2d(3, 7, 3, stride=2, padding=1,
                                           qconfig=qconfig)
        self.dw = torch.ao.nn.qat.Conv2d(7, 7, 3, padding=1, groups=7,
                                         qconfig=qconfig)
        self.fc1 = torch.ao.nn.qat.Linear(7 * 6 * 7, 37, qconfig=qconfig)
        self.fc2 = torch.ao.nn.qat.Linear(37, 5, qconfig=qconfig)

    def forward(self, x):
        y = F.relu(self.dw(F.relu(self.conv(x))))
        return self.fc2(F.relu(self.fc1(y.flatten(1))))


class Functional(nn.Module):
    """Functional forms: a quantizer applied to a parameter in forward,
    F.conv2d with groups, padding='same' with an even kernel, average
    pooling with padding, Dropout (eval), view by size."""

    def __init__(self, qconfig):
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(6, 2, 3, 3) * 0.3)
        self.b1 = nn.Parameter(torch.randn(6) * 0.1)
        self.quant = qconfig.weight()
        self.same = nn.Conv2d(6, 6, 4, padding="same", dilation=1)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(6 * 3 * 3, 5)

    def forward(self, x):
        y = F.conv2d(x, self.quant(self.w1), self.b1, stride=1, padding=1,
                     groups=2)
        y = torch.relu(y)
        y = self.same(y)  # even kernel: torch pads one more at the end
        y = F.avg_pool2d(y, 3, stride=2, padding=1)
        y = self.drop(y)
        y = torch.add(y, y)
        y = y.view(y.size(0), -1)
        return F.linear(y, self.fc.weight, self.fc.bias)


def train_a_little(model, x, steps=10):
    """A few Adam steps on V only, towards a random target, so that the
    hard decisions differ from nearest rounding."""
    model(x)  # observe: scales and initial V
    vs = [p for n, p in model.named_parameters() if n.endswith(".V")]
    for p in model.parameters():
        p.requires_grad_(False)
    for v in vs:
        v.requires_grad_(True)
    opt = torch.optim.Adam(vs, lr=0.5)
    target = torch.randn_like(model(x))
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(x) - target) ** 2).mean()
        loss.backward()
        opt.step()
    for v in vs:
        v.requires_grad_(False)


def quantizers(model):
    return [m for m in model.modules() if isinstance(m, SeedQuantizer)]


def with_main(text, x):
    """The exported module plus a @main running @forward on `x` and
    printing the result's bits."""
    t = ref.tensor_type(x.shape)
    out = re.search(r"-> (tensor<[0-9x]*f32>)", text).group(1)
    shape = tuple(int(d) for d in re.findall(r"(\d+)x", out))
    main = (f"func.func private @printMemrefI32(tensor<*xi32>)\n"
            f"func.func @main() {{\n"
            f"  %x = arith.constant {ref.hex_dense(x, t)}\n"
            f"  %y = call @forward(%x) : ({t}) -> {out}\n"
            f"{ref.print_bits('%y', shape)}  return\n}}\n")
    head, sep, resources = text.partition("{-#")
    if re.search(r"^module\b", head, re.M):
        # As adaround-opt prints it: main goes inside the module.
        end = head.rstrip().rfind("}")
        return head[:end] + main + "}\n" + sep + resources
    return head + main + sep + resources


def run(text, passes, opt, runner):
    return ref.run_compiled(text, shlex.split(opt) + passes,
                            shlex.split(runner))[0].view(np.float32)


def close(got, want, x_scale, label):
    want = want.detach().double().numpy().ravel()
    bad = np.abs(got.astype(np.float64) - want) > 1e-4 * x_scale + \
        1e-4 * np.abs(want)
    if bad.any():
        i = np.nonzero(bad)[0][0]
        return [f"{label}: output {i} is {got[i]!r}, torch {want[i]!r}"]
    return []


def baked_constants(text):
    """The f32 weight constants that --adaround-bake=emit-float=1 wrote, in
    order."""
    blobs = dict(re.findall(r"^\s*([\w.$]+)\s*:\s*\"0x([0-9A-F]*)\"", text,
                            re.M))
    out = []
    for key, dims in re.findall(
            r"arith\.constant dense_resource<(adaround_baked[\w$]*)> : "
            r"tensor<([0-9x]*)f32>", text):
        shape = [int(d) for d in dims.split("x") if d]
        out.append(np.frombuffer(bytes.fromhex(blobs[key])[4:],
                                 np.float32).reshape(shape))
    return out


def quantized_weights(model):
    """(weight, quantizer) pairs in the order the model uses them."""
    if isinstance(model, Functional):
        return [(model.w1, model.quant)]
    return [(m.weight, m.weight_fake_quant) for m in model.modules()
            if hasattr(m, "weight_fake_quant")]


def changed_from_nearest(model):
    """Hard decisions that differ from round-to-nearest."""
    changed = 0
    for w, q in quantized_weights(model):
        xq = w / q.scale
        nearest = (xq - torch.floor(xq)) >= 0.5
        changed += int(((q.V >= 0) != nearest).sum())
    return changed


def check_model(name, model, x, opt, runner, to_llvm):
    failures = []
    if changed_from_nearest(model) == 0:
        failures.append(f"{name}: training left every decision at nearest")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.mlir")
        for soft in (True, False):
            for q in quantizers(model):
                q.use_soft_rounding = soft
            with torch.no_grad():
                want = model(x)
            text = with_main(adaround_mlir.export(model, (x,), path), x)
            mode = "soft" if soft else "hard"
            passes = [to_llvm] if soft else ["--adaround-bake", to_llvm]
            got = run(text, passes, opt, runner)
            failures += close(got, want, float(want.abs().max()),
                              f"{name} {mode}")
            if not soft:
                # The baked weights, bit for bit.
                folded = subprocess.run(
                    shlex.split(opt) + ["--adaround-bake=emit-float=1"],
                    input=text, capture_output=True, text=True, check=True)
                weights = baked_constants(folded.stdout)
                expected = [q(w).detach().numpy()
                            for w, q in quantized_weights(model)]
                if len(weights) != len(expected):
                    failures.append(f"{name}: {len(weights)} baked weights "
                                    f"for {len(expected)} quantizers")
                print(f"{name}: {len(weights)} baked weights compared, "
                      f"{changed_from_nearest(model)} decisions differ from "
                      "nearest")
                for i, (w, e) in enumerate(zip(weights, expected)):
                    if w.shape != e.shape or not np.array_equal(
                            w.view(np.int32), e.view(np.int32)):
                        failures.append(f"{name}: baked weight {i} differs "
                                        "from the torch quantizer's output")
    return failures


def check_round_trip(opt, runner):
    """export -> --adaround-calibrate -> load_rounding: torch then computes
    what the compiled calibrated module computes."""
    torch.manual_seed(3)
    qconfig = QConfig(activation=nn.Identity,
                      weight=FakeQuantize.with_args(
                          observer=PerChannelMinMaxObserver, quant_min=-8,
                          quant_max=7, dtype=torch.qint8,
                          qscheme=torch.per_channel_symmetric))
    model = MLP(qconfig).eval()
    x = torch.randn(4, 64)
    model.train()
    model(x)  # observe the FakeQuantize parameters
    model.eval()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        exported = os.path.join(tmp, "model.mlir")
        calibrated = os.path.join(tmp, "calibrated.mlir")
        adaround_mlir.export(model, (x,), exported)
        subprocess.run(shlex.split(opt) + [exported, "--adaround-calibrate",
                                           "-o", calibrated], check=True)
        loaded = adaround_mlir.load_rounding(model, calibrated)
        if sorted(loaded) != ["fc1.weight", "fc2.weight"]:
            failures.append(f"round trip: loaded {loaded}")
        with torch.no_grad():
            want = model(x)
        with open(calibrated) as f:
            text = with_main(f.read(), x)
        got = run(text, ["--adaround-to-llvm"], opt, runner)
        failures += close(got, want, float(want.abs().max()), "round trip")
        # A plain float twin, from bytecode: it gets quantizers of its own.
        bytecode = os.path.join(tmp, "calibrated.mlirbc")
        subprocess.run(shlex.split(opt) + [calibrated, "--emit-bytecode",
                                           "-o", bytecode], check=True)
        twin = PlainMLP()
        twin.load_state_dict({k: v for k, v in model.state_dict().items()
                              if k.rsplit(".", 1)[-1] in ("weight", "bias")})
        os.environ["PATH"] = os.path.dirname(shutil.which(
            shlex.split(opt)[0]) or "") + os.pathsep + os.environ["PATH"]
        if sorted(adaround_mlir.load_rounding(twin, bytecode)) != \
                ["fc1.weight", "fc2.weight"]:
            failures.append("round trip: bytecode not loaded into the twin")
        with torch.no_grad():
            if not torch.equal(twin(x), want):
                failures.append("round trip: the float twin with loaded "
                                "quantizers differs from the QAT model")
    return failures


class PlainMLP(nn.Module):
    """MLP's float twin: nn.Linear without quantizers."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def check_errors():
    """Unsupported nodes and bad quantizer state: an ExportError naming the
    problem, and no file written."""
    failures = []

    class Sigmoid(nn.Module):
        def forward(self, x):
            return torch.sigmoid(x)

    class Gelu(nn.Module):
        def __init__(self):
            super().__init__()
            self.act = nn.GELU()

        def forward(self, x):
            return self.act(x)

    bad_scale = nn.Sequential(
        torch.ao.nn.qat.Linear(4, 3, qconfig=seed_qconfig()))
    bad_scale(torch.randn(2, 4))
    bad_scale[0].weight_fake_quant.scale = \
        -bad_scale[0].weight_fake_quant.scale
    bad_v = nn.Sequential(torch.ao.nn.qat.Linear(4, 3, qconfig=seed_qconfig()))
    bad_v(torch.randn(2, 4))
    bad_v[0].weight_fake_quant.V.data[1, 2] = float("nan")
    cases = [
        (Sigmoid(), "function sigmoid is not supported"),
        (Gelu(), "module GELU is not supported"),
        (bad_scale, "is not positive and finite"),
        (bad_v, "quantizer V has non-finite values"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "never.mlir")
        for model, message in cases:
            try:
                adaround_mlir.export(model.eval(), (torch.randn(2, 4),), path)
                failures.append(f"no error for '{message}'")
            except adaround_mlir.ExportError as error:
                if message not in str(error):
                    failures.append(f"error '{error}' lacks '{message}'")
            if os.path.exists(path):
                failures.append(f"a file was written for '{message}'")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opt", default="adaround-opt")
    parser.add_argument("--runner", required=True)
    parser.add_argument("--threads", type=int, default=1,
                        help="--adaround-to-llvm's threads option for the models")
    parser.add_argument("--batch-scale", type=int, default=1,
                        help="multiply every model's batch (so that its "
                        "kernels are large enough to be split among threads)")
    args = parser.parse_args()
    to_llvm = f"--adaround-to-llvm=threads={args.threads}"
    torch.manual_seed(0)
    failures = []
    for name, model, x in [
            ("mlp w4", MLP(seed_qconfig(4)), torch.randn(3, 64)),
            ("mlp w3 per-tensor", MLP(seed_qconfig(3, per_channel=False)),
             torch.randn(2, 64)),
            ("cnn w4", CNN(seed_qconfig(4)), torch.randn(2, 1, 8, 8)),
            ("odd sizes w2", OddSizes(seed_qconfig(2)),
             torch.randn(3, 3, 11, 13)),
            ("odd sizes w4 per-tensor", OddSizes(seed_qconfig(4, False)),
             torch.randn(1, 3, 11, 13)),
            ("functional w8", Functional(seed_qconfig(8)),
             torch.randn(2, 4, 5, 5))]:
        x = torch.randn(x.shape[0] * args.batch_scale, *x.shape[1:])
        train_a_little(model, x)
        model.eval()
        failures += check_model(name, model, x, args.opt, args.runner, to_llvm)
    failures += check_round_trip(args.opt, args.runner)
    failures += check_errors()
    for line in failures:
        print("MISMATCH", line)
    print("FAIL" if failures else "PASS", ": torch bridge", sep="")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
