"""Reading the learned rounding (V and qtype) of an adaround module back into
a PyTorch model.

The module is MLIR text as adaround-opt prints it (bytecode is converted
with adaround-opt first). Each calibrated `adaround.fake_quant` whose input
is a `dense_resource` constant named after a parameter (as `export` names
them) is matched with that parameter.
"""
import re
import shutil
import subprocess

import numpy as np
import torch

from .exporter import blob_key
from .quantizers import AdaroundFakeQuantizer, ExportError, \
    is_adaround_quantizer

_FAKE_QUANT = re.compile(
    r"adaround\.fake_quant\s+(%[\w.$-]+)(\s+rounding\(<(\w+)>\))?"
    r"\s+qtype\((!quant\.uniform<.*?>)\)\s+v\((dense(?:_resource)?<.*?>)"
    r"\s*:\s*tensor<([0-9x]*)f32>\)")
_CONSTANT = re.compile(r"(%[\w.$-]+)\s*=\s*arith\.constant\s+"
                       r"dense_resource<([\w.$]+)>")
_BLOB = re.compile(r"^\s*([\w.$]+)\s*:\s*\"0x([0-9A-Fa-f]*)\"", re.M)
_QTYPE = re.compile(r"!quant\.uniform<([iu])(\d+)(?:<(-?\d+):(-?\d+)>)?:f32"
                    r"(?::(\d+))?,\s*(.*)>$")


def read_text(path):
    """The module at `path` as text; bytecode goes through adaround-opt."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"ML\xefR"):
        return data.decode()
    tool = shutil.which("adaround-opt")
    if tool is None:
        raise ExportError(f"{path} is MLIR bytecode: put adaround-opt on PATH "
                          "to read it")
    return subprocess.run([tool, path], check=True, capture_output=True,
                          text=True).stdout


def parse_qtype(text):
    """(qmin, qmax, scales, zero_points, axis) of a per-tensor or per-axis
    !quant.uniform type."""
    m = _QTYPE.match(text)
    if not m or m.group(6).startswith("{{") or ":{" in text.split(",")[0]:
        raise ExportError(f"qtype {text} cannot be loaded into a PyTorch "
                          "fake quantizer (only per-tensor and per-axis)")
    kind, bits = m.group(1), int(m.group(2))
    if m.group(3) is not None:
        qmin, qmax = int(m.group(3)), int(m.group(4))
    elif kind == "i":
        qmin, qmax = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    else:
        qmin, qmax = 0, (1 << bits) - 1
    axis = int(m.group(5)) if m.group(5) is not None else None
    params = m.group(6).strip().strip("{}")
    scales, zero_points = [], []
    for pair in params.split(","):
        s, _, z = pair.strip().partition(":")
        scales.append(np.float32(float(s)))
        zero_points.append(int(z) if z else 0)
    return qmin, qmax, np.array(scales, np.float32), \
        np.array(zero_points, np.int64), axis


def parse_elements(text, shape, blobs):
    """The f32 values of a `dense<...>` or `dense_resource<...>` attribute."""
    count = int(np.prod(shape))
    if text.startswith("dense_resource<"):
        key = text[len("dense_resource<"):-1]
        if key not in blobs:
            raise ExportError(f"resource blob '{key}' is missing or elided")
        data = bytes.fromhex(blobs[key])[4:]
        values = np.frombuffer(data, dtype=np.float32)
    else:
        body = text[len("dense<"):-1]
        if body.startswith('"0x'):
            values = np.frombuffer(bytes.fromhex(body[3:-1]),
                                   dtype=np.float32)
        else:
            values = np.array([float(t) for t in
                               body.replace("[", " ").replace("]", " ")
                               .replace(",", " ").split()], np.float32)
        if values.size == 1:
            values = np.full(count, values[0], np.float32)
    if values.size != count:
        raise ExportError(f"attribute of {values.size} values for shape "
                          f"{shape}")
    return values.reshape(shape).copy()


def load_rounding(model, path):
    """Puts the V and qtype of every calibrated or learned fake_quant of the
    module at `path` into `model`'s fake quantizers; weights without one get
    an AdaroundFakeQuantizer (as `weight_fake_quant` where the module applies
    that attribute, else as a parametrization of the weight). Returns the
    names of the parameters it set."""
    text = read_text(path)
    blobs = {k: v for k, v in _BLOB.findall(text)}
    constants = dict(_CONSTANT.findall(text))
    # A weight already given a quantizer by load_rounding is parametrized:
    # its parameter is `fc.parametrizations.weight.original`.
    params = {}
    for name, _ in model.named_parameters():
        name = re.sub(r"\.parametrizations\.(\w+)\.original$", r".\1", name)
        params[blob_key(name)] = name
    loaded = []
    for m in _FAKE_QUANT.finditer(text):
        source, _, rounding, qtype, v_text, dims = m.groups()
        key = constants.get(source)
        if key is None or key not in params:
            continue  # not one of this model's parameters
        name = params[key]
        shape = tuple(int(d) for d in dims.split("x") if d)
        qmin, qmax, scales, zero_points, axis = parse_qtype(qtype)
        v = parse_elements(v_text, shape, blobs)
        bshape = [1] * len(shape)
        if axis is not None:
            bshape[axis] = -1
        module_path, _, attr = name.rpartition(".")
        module = model.get_submodule(module_path)
        state = dict(
            V=torch.from_numpy(v),
            scale=torch.from_numpy(scales).reshape(bshape),
            zero_point=torch.from_numpy(zero_points).reshape(bshape),
            quant_min=qmin, quant_max=qmax,
            use_soft_rounding=(rounding or "soft") == "soft")
        _install(module, attr, state, axis)
        loaded.append(name)
    return loaded


def _install(module, attr, state, axis):
    q = getattr(module, "weight_fake_quant", None) if attr == "weight" \
        else None
    if q is None and attr == "weight":
        q = getattr(module, "adaround", None)
    parametrizations = getattr(module, "parametrizations", None)
    if q is None and parametrizations is not None and attr in parametrizations:
        q = parametrizations[attr][0]
    if is_adaround_quantizer(q):
        q.V = torch.nn.Parameter(state["V"])
        q.scale = state["scale"]
        q.zero_point = state["zero_point"]
        q.quant_min, q.quant_max = state["quant_min"], state["quant_max"]
        q.use_soft_rounding = state["use_soft_rounding"]
        if hasattr(q, "ch_axis") and axis is not None:
            q.ch_axis = axis
        if hasattr(q, "observer_enabled"):
            q.observer_enabled[0] = 0  # keep the loaded parameters
        return
    fresh = AdaroundFakeQuantizer(ch_axis=axis, **state)
    if attr == "weight" and hasattr(module, "weight_fake_quant"):
        module.weight_fake_quant = fresh  # torch's QAT modules apply it
    else:
        torch.nn.utils.parametrize.register_parametrization(module, attr,
                                                            fresh)
