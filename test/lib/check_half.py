"""f16 and bf16 fake quantization against PyTorch: the input is widened to
f32, fake-quantized by the SEMANTICS.md formulas in f32, and rounded back to
the half type (what torch computes for `x.float()` then `.half()` /
`.bfloat16()`). Hard rounding and baked weights are compared bit for bit;
soft within 3e-5 * s before the final rounding (plus one half-type ulp).

  check_half.py --runner "mlir-runner ..." [--opt "adaround-opt ..."]
"""
import argparse
import shlex
import sys

import numpy as np
import torch

import adaround_reference as ref

TORCH = {"f16": torch.float16, "bf16": torch.bfloat16}


def half_bits(t):
    """The 16-bit patterns of a torch half tensor, as int64."""
    return t.view(torch.int16).numpy().astype(np.int64) & 0xFFFF


def make_case(rng, elt, shape, kind, bits, hard):
    qp = ref.make_qparams(rng, shape, True, bits, kind, axis=0)
    x32, v = ref.make_inputs(rng, shape, qp, special=True, nan=False)
    x = torch.from_numpy(x32).to(TORCH[elt])
    want32, s = ref.fake_quant_reference(x.float().numpy(), v, qp, hard)
    want = torch.from_numpy(want32).to(TORCH[elt])
    return dict(elt=elt, shape=shape, x=x, v=v, qp=qp, hard=hard,
                want=want, want32=want32, s=s)


def mlir_case(i, c):
    shape, elt = c["shape"], c["elt"]
    t = ref.tensor_type(shape, elt)
    tf = ref.tensor_type(shape)
    xbits = half_bits(c["x"]).astype(np.uint16)
    rounding = " rounding(<hard>)" if c["hard"] else ""
    qtype = c["qp"].qtype().replace(":f32", ":" + elt)
    return f"""
func.func @case{i}() {{
  %x = arith.constant dense<"0x{xbits.tobytes().hex().upper()}"> : {t}
  %y = adaround.fake_quant %x{rounding} qtype({qtype}) v({ref.hex_dense(c["v"], tf)}) : {t}
{ref.print_bits("%y", shape, elt)}  return
}}
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opt", default="adaround-opt")
    parser.add_argument("--runner", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    cases = []
    for elt in ("f16", "bf16"):
        for hard in (False, True):
            for kind, shape in (("tensor", (37,)), ("axis", (5, 21)),
                                ("axis", (3, 4, 17))):
                for bits in (4, 8):
                    cases.append(make_case(rng, elt, shape, kind, bits, hard))
    body = "".join(mlir_case(i, c) for i, c in enumerate(cases))
    calls = "".join(f"  call @case{i}() : () -> ()\n"
                    for i in range(len(cases)))
    module = ("func.func private @printMemrefI32(tensor<*xi32>)\n" + body +
              "func.func @main() {\n" + calls + "  return\n}\n")
    failures = []
    for baked in (False, True):
        passes = (["--adaround-bake=emit-float=1"] if baked else []) + \
            ["--adaround-to-llvm"]
        outputs = ref.run_compiled(module, shlex.split(args.opt) + passes,
                                   shlex.split(args.runner))
        for i, (c, got) in enumerate(zip(cases, outputs)):
            want_bits = half_bits(c["want"]).ravel()
            got_bits = got.astype(np.int64).ravel() & 0xFFFF
            label = (f"case {i} {c['elt']} {c['qp'].kind} i{c['qp'].bits} "
                     f"{'hard' if c['hard'] or baked else 'soft'}"
                     f"{' baked' if baked else ''}")
            if c["hard"] or baked:
                if baked and not c["hard"]:
                    # Baking deploys hard decisions.
                    w32, _ = ref.fake_quant_reference(
                        c["x"].float().numpy(), c["v"], c["qp"], True)
                    want_bits = half_bits(torch.from_numpy(w32).to(
                        TORCH[c["elt"]])).ravel()
                bad = np.nonzero(got_bits != want_bits)[0]
            else:
                got_vals = torch.from_numpy(
                    got_bits.astype(np.int16)).view(TORCH[c["elt"]]).float()
                want_vals = c["want"].float().ravel()
                ulp = (torch.abs(want_vals) * (2.0 ** -10 if c["elt"] == "f16"
                                               else 2.0 ** -7)).numpy()
                tol = 3e-5 * c["s"].ravel() + ulp + 1e-7
                bad = np.nonzero(~(np.abs((got_vals - want_vals).numpy())
                                   <= tol))[0]
            if bad.size:
                failures.append(f"{label}: {bad.size} of {want_bits.size} "
                                f"differ (first at {bad[0]})")
    for line in failures:
        print("MISMATCH", line)
    print("FAIL" if failures else "PASS",
          f": {len(cases)} f16/bf16 cases, unbaked and baked", sep="")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
