"""Reading and writing the state of AdaRound fake quantizers.

An AdaroundFakeQuantizer (PyTorch's seed class, or anything with the same
state) is recognised by its attributes, not its type: `V`, `scale`,
`zero_point`, `quant_min`, `quant_max`, `qscheme`, `ch_axis`,
`use_soft_rounding`. What is exported is what its forward computes: the
stored `scale` and `zero_point` broadcast against the weight, whatever
`ch_axis` says (the seed observes along axis 0 but broadcasts along
`ch_axis`; see docs/guide.md).
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

ADAROUND_STATE = ("V", "scale", "zero_point", "quant_min", "quant_max",
                  "qscheme", "ch_axis", "use_soft_rounding")


class ExportError(ValueError):
    """A model (or part of it) that cannot be exported; the message names it."""


@dataclass
class QuantSpec:
    """Quantization parameters of one weight, in the dialect's terms."""
    qmin: int
    qmax: int
    scales: np.ndarray        # float32, one per slice along `axis` (or one)
    zero_points: np.ndarray   # int64, same shape
    axis: Optional[int]       # None: per tensor

    def storage(self):
        """`i8`, `i4<-7:7>`, `u8`...: the narrowest storage holding the range."""
        signed = self.qmin < 0
        for bits in range(2, 17):
            lo, hi = ((-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed
                      else (0, (1 << bits) - 1))
            if lo <= self.qmin and self.qmax <= hi:
                name = ("i" if signed else "u") + str(bits)
                return name if (lo, hi) == (self.qmin, self.qmax) else \
                    f"{name}<{self.qmin}:{self.qmax}>"
        raise ExportError(f"quantization range [{self.qmin}, {self.qmax}] "
                          "needs more than 16 bits of storage")

    def qtype(self):
        def pair(s, z):
            text = repr(float(np.float32(s)))
            return text if z == 0 else f"{text}:{int(z)}"
        if self.axis is None:
            return (f"!quant.uniform<{self.storage()}:f32, "
                    f"{pair(self.scales[0], self.zero_points[0])}>")
        pairs = ",".join(pair(s, z) for s, z in
                         zip(self.scales, self.zero_points))
        return f"!quant.uniform<{self.storage()}:f32:{self.axis}, {{{pairs}}}>"


def is_adaround_quantizer(q):
    return q is not None and all(hasattr(q, name) for name in ADAROUND_STATE)


def _varying_axis(tensor, weight_shape, what, where):
    """The one axis along which a broadcast parameter varies (None: it is
    one value), checked against the weight's shape."""
    t = tensor.detach().reshape(
        [1] * (len(weight_shape) - tensor.dim()) + list(tensor.shape)) \
        if tensor.dim() < len(weight_shape) else tensor.detach()
    if t.numel() == 1:
        return None, t.reshape(1)
    if t.dim() != len(weight_shape):
        raise ExportError(f"{where}: {what} of shape {tuple(tensor.shape)} "
                          f"does not broadcast to the weight's "
                          f"{tuple(weight_shape)}")
    axes = [d for d, n in enumerate(t.shape) if n != 1]
    if len(axes) != 1 or t.shape[axes[0]] != weight_shape[axes[0]]:
        raise ExportError(f"{where}: {what} of shape {tuple(tensor.shape)} "
                          f"varies along more than one axis of the weight's "
                          f"{tuple(weight_shape)}; only per-tensor and "
                          "per-axis parameters are exported")
    return axes[0], t.reshape(-1)


def quant_spec(q, weight_shape, where):
    """The QuantSpec a fake quantizer's forward applies to a weight of
    `weight_shape`, or None when it has no parameters yet."""
    if is_adaround_quantizer(q):
        scale, zero_point = q.scale, q.zero_point
    else:
        scale, zero_point = q.calculate_qparams()
    if scale is None or scale.numel() == 0:
        return None
    zero_point = torch.as_tensor(zero_point)
    if zero_point.numel() == 0:
        zero_point = torch.zeros_like(scale, dtype=torch.int64)
    if not is_adaround_quantizer(q) and q.qscheme in (
            torch.per_channel_symmetric, torch.per_channel_affine):
        # torch's FakeQuantize keeps 1-D per-channel parameters and applies
        # them along its ch_axis.
        shape = [1] * len(weight_shape)
        shape[q.ch_axis] = -1
        scale = scale.reshape(shape)
        zero_point = zero_point.reshape(shape)
    scale_axis, scales = _varying_axis(scale, weight_shape, "scale", where)
    zp_axis, zero_points = _varying_axis(zero_point, weight_shape,
                                         "zero_point", where)
    if scale_axis is None and zp_axis is not None:
        scales = scales.expand(zero_points.shape)
        scale_axis = zp_axis
    elif zp_axis is None and scale_axis is not None:
        zero_points = zero_points.expand(scales.shape)
    elif zp_axis != scale_axis:
        raise ExportError(f"{where}: scale varies along axis {scale_axis} "
                          f"but zero_point along axis {zp_axis}")
    scales = scales.to(torch.float32).numpy().copy()
    if not np.all(np.isfinite(scales) & (scales > 0)):
        raise ExportError(f"{where}: scale {scales.tolist()} is not positive "
                          "and finite")
    zero_points = np.rint(zero_points.to(torch.float64).numpy()).astype(
        np.int64)
    qmin, qmax = int(q.quant_min), int(q.quant_max)
    if qmin >= qmax:
        raise ExportError(f"{where}: empty quantization range "
                          f"[{qmin}, {qmax}]")
    if np.any(zero_points < qmin) or np.any(zero_points > qmax):
        raise ExportError(f"{where}: zero_point {zero_points.tolist()} is "
                          f"outside [{qmin}, {qmax}]")
    return QuantSpec(qmin, qmax, scales, zero_points, scale_axis)


class AdaroundFakeQuantizer(torch.nn.Module):
    """A fake quantizer with the state and forward of PyTorch's
    AdaroundFakeQuantizer, created by `load_rounding` for weights that had
    none: `y = (clamp(floor(x / s) + z + h(V), qmin, qmax) - z) * s`, with
    `h` the rectified sigmoid (soft) or `V >= 0` (hard)."""

    def __init__(self, V, scale, zero_point, quant_min, quant_max, ch_axis,
                 use_soft_rounding):
        super().__init__()
        self.V = torch.nn.Parameter(V)
        self.register_buffer("scale", scale)
        self.register_buffer("zero_point", zero_point)
        self.quant_min = quant_min
        self.quant_max = quant_max
        self.ch_axis = ch_axis
        self.qscheme = (torch.per_tensor_affine if ch_axis is None
                        else torch.per_channel_affine)
        self.use_soft_rounding = use_soft_rounding
        self.zeta = torch.tensor(1.1)
        self.gamma = torch.tensor(-0.1)

    def forward(self, x):
        if self.use_soft_rounding:
            h = torch.clamp(torch.sigmoid(self.V) * (self.zeta - self.gamma) +
                            self.gamma, min=0, max=1)
        else:
            h = (self.V >= 0).int()
        floor = torch.floor(x / self.scale) + self.zero_point
        return (torch.clamp(floor + h, min=self.quant_min,
                            max=self.quant_max) - self.zero_point) * self.scale
