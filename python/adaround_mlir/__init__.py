"""adaround_mlir: PyTorch models in and out of the adaround MLIR dialect.

    import adaround_mlir
    adaround_mlir.export(model, (torch.randn(1, 64),), "model.mlir")
    # adaround-opt model.mlir --adaround-bake --adaround-to-llvm ...
    adaround_mlir.load_rounding(model, "learned.mlir")

Pure Python on PyTorch and numpy: the MLIR is written as text, which
adaround-opt reads.
"""
import os
import tempfile

import torch

from .exporter import Exporter
from .quantizers import AdaroundFakeQuantizer, ExportError
from .rounding import load_rounding

__all__ = ["export", "load_rounding", "ExportError", "AdaroundFakeQuantizer"]


def export(model, example_inputs, path):
    """Traces `model` with torch.fx on `example_inputs` (a tuple of f32
    tensors, whose shapes become the function's) and writes one
    `func.func @forward` to `path`. Raises ExportError naming the first node
    it cannot export; nothing is written then. Returns the MLIR text."""
    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs,)
    with torch.no_grad():
        text = Exporter(model, tuple(example_inputs)).run()
    directory = os.path.dirname(os.path.abspath(path))
    # Written whole or not at all.
    with tempfile.NamedTemporaryFile("w", dir=directory, delete=False,
                                     suffix=".tmp") as f:
        f.write(text)
    os.replace(f.name, path)
    return text
