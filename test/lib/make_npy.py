"""Writes the calibration files of test/BadInput/learn.test into DIR: good
ones, and one for each way a .npy file can be wrong."""
import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
good = rng.standard_normal((8, 4)).astype(np.float32)


def save(name, array):
    np.save(os.path.join(out, name), array)


save("good.npy", good)
save("f64.npy", good.astype(np.float64))
save("int.npy", (good * 4).astype(np.int16))
save("odd.npy", rng.standard_normal((7, 4)).astype(np.float32))
save("one.npy", good[:1])
save("empty.npy", good[:0])
save("rank.npy", good.reshape(8, 2, 2))
save("shape.npy", good.reshape(4, 8))
save("complex.npy", good.astype(np.complex64))
save("fortran.npy", np.asfortranarray(good))
save("bigendian.npy", good.astype(">f4"))
nan = good.copy()
nan[3, 1] = np.nan
save("nan.npy", nan)
inf = good.copy()
inf[5, 2] = -np.inf
save("inf.npy", inf)
with open(os.path.join(out, "good.npy"), "rb") as f:
    data = f.read()
with open(os.path.join(out, "truncated.npy"), "wb") as f:
    f.write(data[:-10])
with open(os.path.join(out, "header.npy"), "wb") as f:
    f.write(data[:20])
with open(os.path.join(out, "text.npy"), "w") as f:
    f.write("0.1 0.2 0.3 0.4\n")
