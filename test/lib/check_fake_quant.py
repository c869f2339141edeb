"""Compiles the cases of a suite with adaround-opt, runs them with mlir-runner,
and compares every output with the PyTorch reference.

  check_fake_quant.py --suite ranks --pipeline adaround-to-llvm --runner "..."
"""
import argparse
import shlex
import sys

import numpy as np

import adaround_reference as ref


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--suite", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--opt", default="adaround-opt --adaround-to-llvm")
    parser.add_argument("--runner", required=True)
    parser.add_argument("--dump", help="write the test module here")
    parser.add_argument("--baked", action="store_true",
                        help="the pipeline bakes the constant inputs: no NaN "
                        "inputs, hard rounding expected")
    args = parser.parse_args()

    cases = ref.suite(args.suite, np.random.default_rng(args.seed),
                      baked=args.baked)
    module = ref.module_text(cases)
    if args.dump:
        with open(args.dump, "w") as f:
            f.write(module)
    outputs = ref.run_compiled(module, shlex.split(args.opt),
                               shlex.split(args.runner))
    if len(outputs) != len(cases):
        print(f"FAIL: {len(outputs)} outputs for {len(cases)} cases")
        return 1
    failures = []
    for case, got in zip(cases, outputs):
        failures += ref.compare(case, got)
    elements = sum(c.x.size for c in cases)
    for line in failures:
        print("MISMATCH", line)
    status = "FAIL" if failures else "PASS"
    print(f"{status}: suite {args.suite}, {len(cases)} cases, "
          f"{elements} elements")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
