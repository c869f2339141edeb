"""Command line: export a model built by a factory function.

    python3 -m adaround_mlir export my_models:make_mlp --input-shape 1x64 \
        -o model.mlir
    python3 -m adaround_mlir export --saved model.pt --input-shape 1x64 \
        -o model.mlir

`MODULE:FACTORY` is imported and called with no arguments; `--saved` loads a
whole model saved with torch.save(model, path). The model is put in eval
mode before tracing.
"""
import argparse
import importlib
import sys

import torch

from . import ExportError, export


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m adaround_mlir")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="export a model to MLIR")
    source = ex.add_mutually_exclusive_group(required=True)
    source.add_argument("factory", nargs="?", help="MODULE:FACTORY")
    source.add_argument("--saved", help="a model saved with torch.save")
    ex.add_argument("--input-shape", action="append", required=True,
                    help="shape of an input, e.g. 1x3x32x32 (repeat for "
                    "several inputs)")
    ex.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)

    if args.saved:
        model = torch.load(args.saved)
    else:
        module_name, _, factory = args.factory.partition(":")
        if not factory:
            parser.error("expected MODULE:FACTORY")
        model = getattr(importlib.import_module(module_name), factory)()
    model.eval()
    inputs = tuple(torch.zeros([int(d) for d in shape.split("x")])
                   for shape in args.input_shape)
    try:
        export(model, inputs, args.output)
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
