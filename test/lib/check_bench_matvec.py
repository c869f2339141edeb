"""The GPU benchmark's baked matvec module computes what its layout says.

bench/fake_quant_kernels.py writes the IR of a baked matvec with the packed
weight as an argument (so that the GPU benchmark need not compile 256 MB of
weights in). Compiled here for the CPU and called through its C interface on
random bytes, its result must equal numpy's unpacking of the same bytes
(i8: one level per byte; i4: in each run of 64 bytes, low nibbles are levels
0..63 and high nibbles 64..127, sign-extended) times the scales, times x.
"""
import ctypes
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
import fake_quant_kernels as fk  # noqa: E402


class MemRef(ctypes.Structure):
    pass


def memref(array, rank):
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * rank),
              ("strides", ctypes.c_int64 * rank)]
    cls = type(f"MemRef{rank}", (ctypes.Structure,), {"_fields_": fields})
    strides = [s // array.itemsize for s in array.strides]
    return cls(array.ctypes.data, array.ctypes.data, 0,
               (ctypes.c_int64 * rank)(*array.shape),
               (ctypes.c_int64 * rank)(*strides))


def levels(bytes_, n, k, bits):
    if bits == 8:
        return bytes_.reshape(n, k).astype(np.float64)
    runs = bytes_.reshape(n, k // 128, 64)
    low = (runs << 4).astype(np.int8) >> 4
    high = runs >> 4
    return np.concatenate([low, high], axis=2).reshape(n, k).astype(np.float64)


def main():
    opt = sys.argv[1]
    rng = np.random.default_rng(3)
    ok = True
    with tempfile.TemporaryDirectory() as work:
        for bits, n, k in [(8, 37, 70), (4, 37, 256), (4, 5, 384)]:
            text, nbytes, scales = fk.baked_matvec_module(n, k, bits)
            so = fk.compile_kernel(text, work, f"mv{bits}_{n}x{k}", opt)
            kernel = ctypes.CDLL(so)._mlir_ciface_kernel
            x = rng.standard_normal((1, k)).astype(np.float32)
            w = rng.integers(-128, 128, nbytes, dtype=np.int8)
            y = np.zeros((1, n), np.float32)
            args = [memref(x, 2), memref(w, 1), memref(y, 2)]
            kernel(*[ctypes.byref(a) for a in args])
            want = (levels(w, n, k, bits) * scales[:, None]) @ x[0].astype(np.float64)
            err = np.max(np.abs(y[0] - want) / (np.abs(want) + 1e-3))
            passed = err < 1e-4
            ok &= passed
            print(f"i{bits} {n}x{k}: max relative error {err:.2e}: "
                  f"{'PASS' if passed else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
