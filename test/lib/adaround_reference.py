"""Independent reference for AdaRound fake quantization, and a harness that
compiles and runs our code on the same inputs.

The reference is PyTorch (Debian's torch 1.13) evaluating the formulas of
SEMANTICS.md op by op, as PyTorch's AdaroundFakeQuantizer does; nothing here
calls the code under test except through the public tools (adaround-opt,
mlir-runner), whose output bits are compared with torch's.
"""
import re
import subprocess
from dataclasses import dataclass, field

import numpy as np
import torch

ZETA = 1.1
GAMMA = -0.1


@dataclass
class QParams:
    """Quantization parameters of one tensor, as a grid of blocks."""
    signed: bool
    bits: int
    qmin: int
    qmax: int
    blocks: list          # block extent per dimension
    scales: np.ndarray    # float32, shape = shape // blocks
    zero_points: np.ndarray  # int64, same shape
    kind: str = "tensor"  # tensor | axis | block
    axis: int = 0

    def storage(self):
        letter = "i" if self.signed else "u"
        return f"{letter}{self.bits}<{self.qmin}:{self.qmax}>"

    def qtype(self):
        def num(s):
            return repr(float(np.float32(s)))
        pairs = [f"{num(s)}:{int(z)}" for s, z in
                 zip(self.scales.ravel(), self.zero_points.ravel())]
        if self.kind == "tensor":
            return f"!quant.uniform<{self.storage()}:f32, {pairs[0]}>"
        if self.kind == "axis":
            return (f"!quant.uniform<{self.storage()}:f32:{self.axis}, "
                    f"{{{','.join(pairs)}}}>")
        dims = ", ".join(f"{d}:{b}" for d, b in enumerate(self.blocks))

        def nest(arr, flat):
            if arr.ndim == 1:
                return "{" + ",".join(flat[i] for i in arr) + "}"
            return "{" + ",".join(nest(a, flat) for a in arr) + "}"
        index = np.arange(self.scales.size).reshape(self.scales.shape)
        return f"!quant.uniform<{self.storage()}:f32:{{{dims}}}, {nest(index, pairs)}>"

    def broadcast(self, shape):
        """Per-element scale (f32) and zero point (int64) tensors."""
        s = torch.from_numpy(self.scales.astype(np.float32))
        z = torch.from_numpy(self.zero_points.astype(np.int64))
        for d, b in enumerate(self.blocks):
            s = s.repeat_interleave(b, dim=d)
            z = z.repeat_interleave(b, dim=d)
        return s.reshape(shape), z.reshape(shape)


def storage_range(signed, bits):
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def fake_quant_reference(x, v, qp, hard):
    """PyTorch's AdaroundFakeQuantizer.forward, per SEMANTICS.md."""
    x = torch.from_numpy(x)
    v = torch.from_numpy(v)
    s, z = qp.broadcast(x.shape)
    if hard:
        h = (v >= 0).int()
    else:
        zeta, gamma = torch.tensor(ZETA), torch.tensor(GAMMA)
        h = torch.clamp(torch.sigmoid(v) * (zeta - gamma) + gamma, min=0, max=1)
    x_floor = torch.floor(x / s) + z
    y = (torch.clamp(x_floor + h, min=qp.qmin, max=qp.qmax) - z) * s
    return y.numpy().astype(np.float32), s.numpy()


def hex_dense(array, mlir_type):
    data = np.ascontiguousarray(array).tobytes()
    return f'dense<"0x{data.hex().upper()}"> : {mlir_type}'


def tensor_type(shape, elt="f32"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + elt + ">"


@dataclass
class Case:
    name: str
    x: np.ndarray
    v: np.ndarray
    qp: QParams
    hard: bool
    expected: np.ndarray = field(default=None)
    scale_per_element: np.ndarray = field(default=None)
    # Baking deploys hard decisions whatever the op's rounding mode.
    baked: bool = False
    # Emitted without qtype and v: the pipeline calibrates it.
    uncalibrated: bool = False

    def finish(self):
        self.expected, self.scale_per_element = fake_quant_reference(
            self.x, self.v, self.qp, self.hard or self.baked)
        return self

    def mlir(self, index):
        t = tensor_type(self.x.shape)
        rounding = " rounding(<hard>)" if self.hard else ""
        params = ("" if self.uncalibrated else
                  f" qtype({self.qp.qtype()}) v({hex_dense(self.v, t)})")
        return f"""
// {self.name}
func.func @case{index}() {{
  %x = arith.constant {hex_dense(self.x, t)}
  %y = adaround.fake_quant %x{rounding}{params} : {t}
{print_bits("%y", self.x.shape)}  return
}}
"""


def print_bits(value, shape, elt="f32"):
    """MLIR lines printing the tensor `value` of `shape` bit for bit, as
    int32 (read back by run_compiled): f32 as is, f16/bf16 zero-extended."""
    t = tensor_type(shape, elt)
    ti = tensor_type(shape, "i32")
    n = int(np.prod(shape))
    rank = len(shape)
    ids = ", ".join(f"d{i}" for i in range(rank))
    m = f"affine_map<({ids}) -> ({ids})>"
    collapse = "[" + ", ".join(str(i) for i in range(rank)) + "]"
    widen = ("    %bits_c = arith.bitcast %bits_in : f32 to i32\n" if elt == "f32"
             else f"    %bits_h = arith.bitcast %bits_in : {elt} to i16\n"
                  "    %bits_c = arith.extui %bits_h : i16 to i32\n")
    return f"""  %bits_e = tensor.empty() : {ti}
  %bits = linalg.generic {{indexing_maps = [{m}, {m}], iterator_types = [{", ".join(['"parallel"'] * rank)}]}} ins({value} : {t}) outs(%bits_e : {ti}) {{
  ^bb0(%bits_in: {elt}, %bits_out: i32):
{widen}    linalg.yield %bits_c : i32
  }} -> {ti}
  %bits_flat = tensor.collapse_shape %bits [{collapse}] : {ti} into tensor<{n}xi32>
  %bits_u = tensor.cast %bits_flat : tensor<{n}xi32> to tensor<*xi32>
  call @printMemrefI32(%bits_u) : (tensor<*xi32>) -> ()
"""


def module_text(cases):
    body = "".join(c.mlir(i) for i, c in enumerate(cases))
    calls = "".join(f"  call @case{i}() : () -> ()\n" for i in range(len(cases)))
    return ("func.func private @printMemrefI32(tensor<*xi32>)\n" + body +
            "func.func @main() {\n" + calls + "  return\n}\n")


def run_compiled(module, opt_cmd, runner_cmd):
    """Compiles `module` with `opt_cmd` and runs it; returns one int32 array
    per printed memref."""
    lowered = subprocess.run(opt_cmd, input=module, capture_output=True,
                             text=True)
    if lowered.returncode != 0:
        raise RuntimeError("compilation failed:\n" + lowered.stderr[-4000:])
    ran = subprocess.run(runner_cmd, input=lowered.stdout, capture_output=True,
                         text=True)
    if ran.returncode != 0:
        raise RuntimeError("run failed:\n" + ran.stderr[-4000:])
    outputs = re.findall(r"data =\s*\[([^\]]*)\]", ran.stdout)
    return [np.array([int(t) for t in o.replace("\n", " ").split(",") if t.strip()],
                     dtype=np.int64).astype(np.int32) for o in outputs]


def compare(case, got_bits):
    """Returns a list of mismatch descriptions (empty when the case passes)."""
    want = case.expected.ravel()
    got = got_bits.view(np.float32)
    if got.size != want.size:
        return [f"{case.name}: {got.size} outputs, expected {want.size}"]
    scale = case.scale_per_element.ravel()
    bad = []
    if case.hard or case.baked:
        mismatch = np.nonzero(got.view(np.int32) != want.view(np.int32))[0]
    else:
        both_nan = np.isnan(got) & np.isnan(want)
        close = np.abs(got.astype(np.float64) - want) <= 3e-5 * scale
        mismatch = np.nonzero(~(both_nan | close))[0]
    for i in mismatch[:5]:
        bad.append(f"{case.name}[{i}]: x={case.x.ravel()[i]!r} "
                   f"v={case.v.ravel()[i]!r} s={scale[i]!r} "
                   f"got={got[i]!r} want={want[i]!r}")
    if len(mismatch) > 5:
        bad.append(f"{case.name}: {len(mismatch)} mismatches in all")
    return bad


# ---------------------------------------------------------------------------
# Case generation.

SPECIAL_X = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 1.4e-45,
             3.0e38, -3.0e38, 1e30, -1e30]
SPECIAL_V = [0.0, -0.0, 40.0, -40.0, 1e-30, -1e-30]


def make_qparams(rng, shape, signed, bits, kind, axis=0, blocks=None,
                 symmetric=True):
    qmin, qmax = storage_range(signed, bits)
    if kind == "tensor":
        block = list(shape)
    elif kind == "axis":
        block = list(shape)
        block[axis] = 1
    else:
        block = list(blocks)
    grid = tuple(d // b for d, b in zip(shape, block))
    scales = np.exp(rng.uniform(-5, 0, size=grid)).astype(np.float32)
    if symmetric:
        zp = (np.zeros(grid, dtype=np.int64) if signed else
              np.full(grid, 128 if (qmin, qmax) == (0, 255)
                      else (qmin + qmax) // 2, dtype=np.int64))
    else:
        zp = rng.integers(qmin, qmax + 1, size=grid).astype(np.int64)
    return QParams(signed, bits, qmin, qmax, block, scales, zp, kind, axis)


def make_inputs(rng, shape, qp, special=True, nan=True):
    s, z = qp.broadcast(shape)
    s = s.numpy()
    z = z.numpy()
    span = (qp.qmax - qp.qmin)
    levels = rng.uniform(qp.qmin - 0.2 * span - 2, qp.qmax + 0.2 * span + 2,
                         size=shape)
    x = ((levels - z) * s).astype(np.float32)
    flat = x.reshape(-1)
    sflat = s.reshape(-1)
    zflat = z.reshape(-1)
    n = flat.size
    # Exact grid multiples and the clamp edges, in the element's own scale.
    for i in rng.choice(n, size=min(n, max(1, n // 6)), replace=False):
        k = rng.choice([qp.qmin - zflat[i], qp.qmax - zflat[i],
                        qp.qmin - zflat[i] - 1, qp.qmax - zflat[i] + 1,
                        rng.integers(qp.qmin, qp.qmax + 1) - zflat[i]])
        flat[i] = np.float32(k) * sflat[i]
    if special:
        specials = [x for x in SPECIAL_X if nan or not np.isnan(x)]
        for i, value in zip(rng.choice(n, size=min(n, len(specials)),
                                       replace=False), specials):
            flat[i] = value
    v = (rng.standard_normal(shape) * 4).astype(np.float32)
    vflat = v.reshape(-1)
    if special:
        for i, value in zip(rng.choice(n, size=min(n, len(SPECIAL_V)),
                                       replace=False), SPECIAL_V):
            vflat[i] = value
    return x, v


def random_shape(rng, rank, low=1, high=9):
    return tuple(int(d) for d in rng.integers(low, high, size=rank))


def suite(name, rng, baked=False):
    """The named list of cases. `baked` cases have constant inputs without
    NaN (which cannot be baked) and expect hard rounding."""
    cases = []

    def add(label, shape, signed, bits, kind, hard, axis=0, blocks=None,
            symmetric=True, special=True):
        qp = make_qparams(rng, shape, signed, bits, kind, axis, blocks,
                          symmetric)
        x, v = make_inputs(rng, shape, qp, special, nan=not baked)
        cases.append(Case(f"{label} shape={shape} {qp.storage()} "
                          f"{'hard' if hard else 'soft'}", x, v, qp,
                          hard, baked=baked).finish())

    if name == "ranks":
        for rank in range(1, 5):
            for hard in (False, True):
                shape = random_shape(rng, rank, 2, 8 if rank > 2 else 40)
                add("per-tensor", shape, True, 8, "tensor", hard)
                for axis in range(rank):
                    add(f"per-axis {axis}", shape, True, 8, "axis", hard, axis)
    elif name == "storage":
        for signed, bits in [(True, 2), (True, 4), (True, 8), (False, 8),
                             (True, 16), (False, 4)]:
            for symmetric in (True, False):
                for hard in (False, True):
                    add("per-tensor", (37,), signed, bits, "tensor", hard,
                        symmetric=symmetric)
                    add("per-axis 1", (3, 21), signed, bits, "axis", hard, 1,
                        symmetric=symmetric)
    elif name == "blockwise":
        for hard in (False, True):
            add("blocks", (4, 64), True, 4, "block", hard, blocks=[1, 16])
            add("blocks", (6, 10), True, 8, "block", hard, blocks=[2, 5],
                symmetric=False)
            add("blocks", (2, 3, 32), False, 8, "block", hard,
                blocks=[1, 3, 8], symmetric=False)
    elif name == "calibrated":
        # PyTorch's observer path end to end: torch's PerChannelMinMaxObserver
        # (axis 0, symmetric int8) and the AdaRound V initialisation give the
        # parameters; the module carries neither and is calibrated by the
        # pipeline (--adaround-calibrate=axis=0).
        from torch.ao.quantization import observer as obs
        for shape in [(8, 33), (3, 4, 5), (16, 100)]:
            for hard in (False, True):
                x = (rng.standard_normal(shape) * rng.uniform(0.1, 3)).astype(
                    np.float32)
                o = obs.PerChannelMinMaxObserver(
                    ch_axis=0, dtype=torch.qint8,
                    qscheme=torch.per_channel_symmetric)
                tx = torch.from_numpy(x)
                o(tx)
                scale, zp = o.calculate_qparams()
                bshape = [-1] + [1] * (len(shape) - 1)
                xq = tx / scale.reshape(bshape)
                residual = xq - torch.floor(xq)
                zeta, gamma = torch.tensor(ZETA), torch.tensor(GAMMA)
                v = (-torch.log((zeta - gamma) / (residual - gamma) - 1)).numpy()
                block = list(shape)
                block[0] = 1
                grid = tuple(d // b for d, b in zip(shape, block))
                qp = QParams(True, 8, -128, 127, block,
                             scale.numpy().astype(np.float32).reshape(grid),
                             zp.numpy().astype(np.int64).reshape(grid), "axis", 0)
                cases.append(Case(f"calibrated shape={shape} "
                                  f"{'hard' if hard else 'soft'}", x,
                                  v.astype(np.float32), qp, hard,
                                  uncalibrated=True, baked=baked).finish())
    elif name == "sizes":
        for n in [1, 15, 16, 17, 33, 255, 1000, 4099]:
            for hard in (False, True):
                add("size", (n,), True, 8, "tensor", hard)
                add("size 2-D", (3, n), True, 4, "axis", hard, 0)
    elif name == "large":
        # Above the 2^15 elements from which kernels run on several threads:
        # chunk counts and vector widths that do not divide the sizes.
        for shape in [(40009,), (3, 20011), (257, 130)]:
            for hard in (False, True):
                add("large", shape, True, 8, "tensor", hard)
                add("large per-axis", shape, True, 4, "axis", hard, 0)
    else:
        raise ValueError(f"unknown suite {name}")
    return cases
