"""Differential test of whole layers over random shapes: matmul, matvec,
batch_matmul and 2-D convolutions (with strides and dilations), their weights
float, fake-quantized (soft or hard) or baked, compiled with adaround-opt,
run with mlir-runner and compared with numpy in float64 on the weights that
PyTorch's fake quantization gives (adaround_reference.fake_quant_reference).

  check_shapes.py --seed 3 --cases 24 --vector-widths 16,7 --runner "..."

Every dimension is drawn from 1..70 (a few cases are larger); each vector
width compiles one module of all cases, once as written and once after
--adaround-bake.
"""
import argparse
import shlex
import sys
from dataclasses import dataclass

import numpy as np

import adaround_reference as ref


@dataclass
class Layer:
    name: str
    mlir: str            # the body computing %out from %in and %w
    x: np.ndarray        # activation
    w: np.ndarray        # float weight
    out_shape: tuple
    weight_axis: int     # output-channel axis of the weight
    compute: callable    # (x, w) -> float64 output


def conv_nhwc(x, w, strides, dilations):
    """x [N,H,W,C], w [KH,KW,C,F] -> [N,OH,OW,F]."""
    n, h, wd, c = x.shape
    kh, kw, _, f = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (wd - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, oh, ow, f))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                      j * dw:j * dw + sw * (ow - 1) + 1:sw, :]
            out += np.einsum("nhwc,cf->nhwf", patch, w[i, j])
    return out


def depthwise_nhwc(x, w, strides, dilations):
    """x [N,H,W,C], w [KH,KW,C] -> [N,OH,OW,C]."""
    return conv_nhwc(x, w[:, :, :, None] * np.eye(w.shape[2])[None, None],
                     strides, dilations)


def attrs(strides, dilations):
    return (f"{{dilations = dense<[{dilations[0]}, {dilations[1]}]> : "
            f"tensor<2xi64>, strides = dense<[{strides[0]}, {strides[1]}]> : "
            f"tensor<2xi64>}}")


def dim(rng, large=False):
    if large:
        return int(rng.choice([97, 128, 129, 255, 300]))
    # Multiples of 128 and 256 often: packed i4 and i2 weights are stored in
    # runs of 128 and 256 levels when the innermost run allows.
    if rng.random() < 0.2:
        return int(rng.choice([128, 256]))
    return int(rng.integers(1, 71))


def random_layer(rng, kind, large, long_reductions=False):
    f32 = lambda shape: (rng.standard_normal(shape)).astype(np.float32)
    t = ref.tensor_type
    if kind in ("matmul", "small_batch_matmul", "blocked_batch_matmul"):
        # A small batch (2..16 rows) is tiled whole by the CPU vectorizer;
        # with long reductions its input exceeds the L1 block the vectorizer
        # sums at a time (32 KB), so the sums run block by block. Batches of
        # 4, 8, 12 or 16 rows with a multiple of 4 outputs are summed in
        # blocks of 4 rows by 4 outputs (packed levels: 8 rows at a time).
        m = int(rng.integers(2, 17)) if kind == "small_batch_matmul" else dim(rng)
        k, n = dim(rng, large), dim(rng)
        if kind == "blocked_batch_matmul":
            m = int(rng.choice([4, 8, 12, 16]))
            n = 4 * int(rng.integers(1, 18)) if rng.random() < 0.8 else n
        if long_reductions:
            k = int(rng.choice([2304, 4096, 4352, 6000]))
            n = int(rng.integers(1, 9))
        x, w = f32((m, k)), f32((k, n))
        body = (f"linalg.matmul ins(%in, %w : {t(x.shape)}, {t(w.shape)}) "
                f"outs(%init : {t((m, n))})")
        return Layer(f"matmul {m}x{k}x{n}", body, x, w, (m, n), 1,
                     lambda a, b: a @ b)
    if kind == "linear":
        # Y = X W^T with W stored as (outputs, inputs), as in torch's Linear:
        # baked i4 and i2 levels are packed along the reduction, in 64-byte
        # runs when it is a multiple of 128 / 256, else one run per row (200,
        # 6000). Batches of 4..16 rows (multiples of
        # 4) with a multiple of 4 outputs are summed in register blocks of
        # 4 x 4, packed levels one slot at a time (baked weights also with
        # fewer outputs than rows: the vectorizer finds the weight by its
        # integer levels); 6 and 10 rows are not blocked.
        m = int(rng.choice([1, 3, 4, 6, 8, 10, 12, 16]))
        k = (int(rng.choice([2304, 4096, 4352, 6000])) if long_reductions
             else int(rng.choice([128, 256, 384, 200])))
        n = 4 * int(rng.integers(1, 9)) if rng.random() < 0.8 else dim(rng)
        x, w = f32((m, k)), f32((n, k))
        maps = ("[affine_map<(m, n, k) -> (m, k)>, "
                "affine_map<(m, n, k) -> (n, k)>, "
                "affine_map<(m, n, k) -> (m, n)>]")
        body = (f"linalg.matmul indexing_maps = {maps} "
                f"ins(%in, %w : {t(x.shape)}, {t(w.shape)}) "
                f"outs(%init : {t((m, n))})")
        return Layer(f"linear {m}x{k}x{n}", body, x, w, (m, n), 0,
                     lambda a, b: a @ b.T)
    if kind == "matvec":
        m, k = dim(rng, large), dim(rng, large)
        if long_reductions:
            # An input longer than 8192 f32 (32 KB) is read once per block
            # of 8 weight rows (4 where 8 do not divide them, none where 4
            # do not either; packed i2, 4 slots a byte: 4). Baked, 8320
            # packs i4 levels (65 runs of 128) and 11008 i4 and i2.
            k = int(rng.choice([8200, 8320, 9000, 11008]))
            m = 4 * int(rng.integers(1, 9)) if rng.random() < 0.7 else m
        x, w = f32((k,)), f32((m, k))
        body = (f"linalg.matvec ins(%w, %in : {t(w.shape)}, {t(x.shape)}) "
                f"outs(%init : {t((m,))})")
        return Layer(f"matvec {m}x{k}", body, x, w, (m,), 0,
                     lambda a, b: b @ a)
    if kind == "batch_matmul":
        b, m, k, n = int(rng.integers(1, 4)), dim(rng), dim(rng), dim(rng)
        x, w = f32((b, m, k)), f32((b, k, n))
        body = (f"linalg.batch_matmul ins(%in, %w : {t(x.shape)}, "
                f"{t(w.shape)}) outs(%init : {t((b, m, n))})")
        return Layer(f"batch_matmul {b}x{m}x{k}x{n}", body, x, w, (b, m, n), 2,
                     lambda a, c: np.einsum("bmk,bkn->bmn", a, c))
    strides = tuple(int(s) for s in rng.integers(1, 3, size=2))
    dilations = tuple(int(d) for d in rng.integers(1, 3, size=2))
    kh, kw = (int(s) for s in rng.integers(1, 4, size=2))
    h = int(rng.integers(dilations[0] * (kh - 1) + 1, 13))
    wd = int(rng.integers(dilations[1] * (kw - 1) + 1, 13))
    oh = (h - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (wd - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    n = int(rng.integers(1, 3))
    c = int(rng.integers(1, 40))
    f = int(rng.integers(1, 40))
    a = attrs(strides, dilations)
    label = f"{n}x{h}x{wd}x{c} k{kh}x{kw} f{f} s{strides} d{dilations}"
    if kind == "conv_nhwc_hwcf":
        x, w = f32((n, h, wd, c)), f32((kh, kw, c, f))
        out = (n, oh, ow, f)
        body = (f"linalg.conv_2d_nhwc_hwcf {a} ins(%in, %w : {t(x.shape)}, "
                f"{t(w.shape)}) outs(%init : {t(out)})")
        return Layer(f"conv_nhwc_hwcf {label}", body, x, w, out, 3,
                     lambda p, q: conv_nhwc(p, q, strides, dilations))
    if kind == "conv_nchw_fchw":
        x, w = f32((n, c, h, wd)), f32((f, c, kh, kw))
        out = (n, f, oh, ow)
        body = (f"linalg.conv_2d_nchw_fchw {a} ins(%in, %w : {t(x.shape)}, "
                f"{t(w.shape)}) outs(%init : {t(out)})")
        return Layer(
            f"conv_nchw_fchw {label}", body, x, w, out, 0,
            lambda p, q: conv_nhwc(p.transpose(0, 2, 3, 1), q.transpose(
                2, 3, 1, 0), strides, dilations).transpose(0, 3, 1, 2))
    assert kind == "depthwise_nhwc_hwc"
    x, w = f32((n, h, wd, c)), f32((kh, kw, c))
    out = (n, oh, ow, c)
    body = (f"linalg.depthwise_conv_2d_nhwc_hwc {a} ins(%in, %w : "
            f"{t(x.shape)}, {t(w.shape)}) outs(%init : {t(out)})")
    return Layer(f"depthwise_nhwc_hwc {label}", body, x, w, out, 2,
                 lambda p, q: depthwise_nhwc(p, q, strides, dilations))


KINDS = ["matmul", "matvec", "batch_matmul", "conv_nhwc_hwcf",
         "conv_nchw_fchw", "depthwise_nhwc_hwc", "small_batch_matmul",
         "blocked_batch_matmul", "linear"]
WEIGHTS = ["float", "soft", "hard"]


@dataclass
class Case:
    layer: Layer
    weight: str                # float | soft | hard
    qp: ref.QParams = None
    v: np.ndarray = None

    def expected(self, baked):
        w = self.layer.w
        scale = 0.0
        if self.weight != "float":
            hard = self.weight == "hard" or baked
            w, s = ref.fake_quant_reference(w, self.v, self.qp, hard)
            scale = 0.0 if hard else float(s.max())
        x = self.layer.x.astype(np.float64)
        want = self.layer.compute(x, w.astype(np.float64))
        # Summation order changes the float32 result by a few ulps of the
        # magnitudes summed; soft rounding adds 3e-5 * s per weight.
        bound = self.layer.compute(np.abs(x), np.abs(w.astype(np.float64)))
        slack = self.layer.compute(np.abs(x), np.full(w.shape, 3e-5 * scale))
        return want, 1e-5 * bound + slack + 1e-30

    def mlir(self, index):
        layer = self.layer
        t = ref.tensor_type
        wt, ot = t(layer.w.shape), t(layer.out_shape)
        weight = "%w = arith.constant " + ref.hex_dense(layer.w, wt)
        if self.weight != "float":
            rounding = " rounding(<hard>)" if self.weight == "hard" else ""
            weight = ("%w0 = arith.constant " + ref.hex_dense(layer.w, wt) +
                      f"\n  %w = adaround.fake_quant %w0{rounding} "
                      f"qtype({self.qp.qtype()}) "
                      f"v({ref.hex_dense(self.v, wt)}) : {wt}")
        return f"""
// {layer.name} weight={self.weight}
func.func @case{index}() {{
  %in = arith.constant {ref.hex_dense(layer.x, t(layer.x.shape))}
  {weight}
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : {ot}
  %init = linalg.fill ins(%zero : f32) outs(%empty : {ot}) -> {ot}
  %out = {layer.mlir} -> {ot}
{ref.print_bits("%out", layer.out_shape)}  return
}}
"""


def make_cases(rng, count, kinds=KINDS, long_reductions=False,
               weights=WEIGHTS, bits_choices=(2, 4, 8)):
    cases = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        layer = random_layer(rng, kind, large=rng.random() < 0.1,
                             long_reductions=long_reductions)
        weight = weights[(i // len(kinds)) % len(weights)]
        case = Case(layer, weight)
        if weight != "float":
            bits = int(rng.choice(bits_choices))
            per_axis = rng.random() < 0.7
            case.qp = ref.make_qparams(
                rng, layer.w.shape, True, bits,
                "axis" if per_axis else "tensor", layer.weight_axis)
            # Scales that fit the weights: most levels inside the grid.
            spread = float(np.abs(layer.w).max()) / max(1, case.qp.qmax)
            case.qp.scales = (case.qp.scales / case.qp.scales.max() *
                              spread).astype(np.float32)
            case.v = (rng.standard_normal(layer.w.shape) * 3).astype(
                np.float32)
        cases.append(case)
    return cases


def check(cases, outputs, baked):
    failures = []
    if len(outputs) != len(cases):
        return [f"{len(outputs)} outputs for {len(cases)} cases"]
    for case, got_bits in zip(cases, outputs):
        want, tol = case.expected(baked)
        got = got_bits.view(np.float32).astype(np.float64)
        want, tol = want.ravel(), tol.ravel()
        if got.size != want.size:
            failures.append(f"{case.layer.name}: {got.size} outputs, "
                            f"expected {want.size}")
            continue
        bad = np.nonzero(~(np.abs(got - want) <= tol))[0]
        for i in bad[:3]:
            failures.append(f"{case.layer.name} weight={case.weight} "
                            f"baked={baked} [{i}]: got {got[i]!r} want "
                            f"{want[i]!r} (tolerance {tol[i]:.3g})")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cases", type=int, default=24)
    parser.add_argument("--vector-widths", default="16")
    parser.add_argument("--opt", default="adaround-opt")
    parser.add_argument("--runner", help="without it, only --dump the module")
    parser.add_argument("--threads", type=int, default=1,
                        help="--adaround-to-llvm's threads option")
    parser.add_argument("--reduction-threads", type=int, default=0,
                        help="--adaround-to-llvm's reduction-threads option")
    parser.add_argument("--x86-avx512", default="auto",
                        help="--adaround-to-llvm's x86-avx512 option")
    parser.add_argument("--prefetch-min-bytes", type=int, default=1 << 20,
                        help="--adaround-to-llvm's prefetch-min-bytes option")
    parser.add_argument("--gpu", metavar="OPTIONS",
                        help="compile with --adaround-to-nvvm=OPTIONS instead "
                             "(once per widths entry: give one)")
    parser.add_argument("--dump", help="write the test module here")
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help="layer kinds to draw from, comma-separated")
    parser.add_argument("--long-reductions", action="store_true",
                        help="matmuls reduce over 2304..6000 elements")
    parser.add_argument("--weights", default=",".join(WEIGHTS),
                        help="weight kinds to cycle through, comma-separated")
    parser.add_argument("--bits", default="2,4,8",
                        help="bit widths to draw quantized weights from")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    kinds = args.kinds.split(",")
    unknown = set(kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}; known: {KINDS}")
    weights = args.weights.split(",")
    if set(weights) - set(WEIGHTS):
        parser.error(f"unknown weights {sorted(set(weights) - set(WEIGHTS))}; "
                     f"known: {WEIGHTS}")
    cases = make_cases(rng, args.cases, kinds, args.long_reductions, weights,
                       [int(b) for b in args.bits.split(",")])
    module = ref.module_text(cases)
    if args.dump:
        with open(args.dump, "w") as f:
            f.write(module)
    if not args.runner:
        return 0 if args.dump else parser.error("give --runner or --dump")
    failures = []
    runs = 0
    for width in args.vector_widths.split(","):
        for baked in (False, True):
            pipeline = (f"--adaround-to-nvvm={args.gpu}" if args.gpu is not None
                        else f"--adaround-to-llvm=vector-width={width} "
                             f"threads={args.threads} "
                             f"reduction-threads={args.reduction_threads} "
                             f"x86-avx512={args.x86_avx512} "
                             f"prefetch-min-bytes={args.prefetch_min_bytes}")
            passes = (["--adaround-bake"] if baked else []) + [pipeline]
            outputs = ref.run_compiled(module, shlex.split(args.opt) + passes,
                                       shlex.split(args.runner))
            failures += check(cases, outputs, baked)
            runs += 1
    for line in failures[:40]:
        print("MISMATCH", line)
    status = "FAIL" if failures else "PASS"
    print(f"{status}: {len(cases)} layers x {runs} pipelines")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
