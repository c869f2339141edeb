"""Size of a baked 512x512 weight in bytecode, against its f32 bytes.

Calibrates and bakes a dense_resource weight and writes bytecode; i8 must take
at most ~1/4 of the f32 weight's bytes and packed i4 ~1/8.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np


def main():
    opt = sys.argv[1] if len(sys.argv) > 1 else "adaround-opt"
    rng = np.random.default_rng(0)
    w = rng.standard_normal((512, 512)).astype(np.float32)
    f32_bytes = w.nbytes
    blob = (np.uint32(4).tobytes() + w.tobytes()).hex().upper()
    module = f"""
func.func @layer(%x: tensor<8x512xf32>) -> tensor<8x512xf32> {{
  %w = arith.constant dense_resource<weight> : tensor<512x512xf32>
  %init = arith.constant dense<0.0> : tensor<8x512xf32>
  %y = linalg.matmul ins(%x, %w : tensor<8x512xf32>, tensor<512x512xf32>) outs(%init : tensor<8x512xf32>) -> tensor<8x512xf32>
  return %y : tensor<8x512xf32>
}}
{{-#
  dialect_resources: {{ builtin: {{ weight: "0x{blob}" }} }}
#-}}
"""
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for bits, limit in [(8, 1 / 4), (4, 1 / 8)]:
            out = os.path.join(tmp, f"baked{bits}.mlirbc")
            subprocess.run(
                opt.split() + [f"--adaround-calibrate=insert=1 bits={bits}",
                               "--adaround-bake", "--canonicalize",
                               "--emit-bytecode", "-o", out],
                input=module, text=True, check=True)
            size = os.path.getsize(out)
            ratio = size / f32_bytes
            # Scales, the matmul and the dequantization kernel cost a few KiB.
            passed = size <= f32_bytes * limit + 8192
            ok &= passed
            print(f"i{bits}: {size} bytes for {f32_bytes} f32 bytes, ratio "
                  f"{ratio:.4f} (limit {limit:.4f}): "
                  f"{'PASS' if passed else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
