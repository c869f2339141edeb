#!/usr/bin/env bash
# The GPU check of the device issues, as ONE script (under 8 minutes on an
# H100): build, run the cuda-gpu tests, then time our fake-quant kernels on
# 256M elements and baked matvecs on 256 MB of packed weights against a
# device-to-device copy, writing bench/results/gpu-<date>-<host>.md.
#
#   bench/gpu_bench.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
make build BUILD="$build" >/dev/null
out=bench/results/gpu-$(date +%Y-%m-%d)-$(hostname).md

# Compiles a DPS fake-quant kernel with --adaround-to-nvvm (cubin) into a
# shared library linked with our CUDA runtime; prints its path.
compile_gpu_kernel() {
  /usr/bin/python3 - "$build" "$1" "$2" "$3" <<'PY'
import sys
sys.path.insert(0, "bench")
import fake_quant_kernels as fk
build, rounding, rows, cols = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
text = fk.kernel_module(rows, cols, rounding, "tensor", splat_v=True)
print(fk.compile_kernel(text, f"{build}/bench-gpu", f"gpu_{rounding}_{rows}x{cols}",
                        f"{build}/bin/adaround-opt", pipeline="adaround-to-nvvm",
                        pipeline_options="format=bin",
                        link=[f"-L{build}/lib", "-ladaround_cuda_runtime",
                              f"-Wl,-rpath,{build}/lib"]))
PY
}
# Compiles the baked matvec (weights passed as their packed bytes) for
# `bits` (8 or 4) and N x K; prints its path.
compile_gpu_matvec() {
  /usr/bin/python3 - "$build" "$1" "$2" "$3" <<'PY'
import sys
sys.path.insert(0, "bench")
import fake_quant_kernels as fk
build, bits, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
text, _, _ = fk.baked_matvec_module(n, k, bits)
print(fk.compile_kernel(text, f"{build}/bench-gpu", f"gpu_matvec_i{bits}_{n}x{k}",
                        f"{build}/bin/adaround-opt", pipeline="adaround-to-nvvm",
                        pipeline_options="format=bin",
                        link=[f"-L{build}/lib", "-ladaround_cuda_runtime",
                              f"-Wl,-rpath,{build}/lib"]))
PY
}
mkdir -p bench/results "$build/bench-gpu"
{
  echo "# GPU: fake-quant and baked-matvec kernels vs device-to-device copy"
  echo
  echo "- date: $(date -u +%FT%TZ), host: $(hostname)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/- gpu: /'
  echo "- command: bench/gpu_bench.sh"
  echo
  echo "## cuda-gpu tests"
  echo '```'
  /usr/lib/llvm-22/bin/lit -v "$build/test/Integration/GPU" 2>&1 | grep -E "^(PASS|FAIL|UNSUPPORTED)|Passed|Failed" || true
  echo '```'
  echo
  echo "## Bandwidth, 256M elements (best of 10)"
  echo
  echo "V is a splat here, folded into the kernel, so the kernel moves exactly"
  echo "the bytes of the copy (x in, y out: 8 B/element). A per-element V would add"
  echo "1 B/element (hard: packed decisions) or 4 B/element (soft)."
  echo "The launch overhead (a stream per launch), timed on the same kernel"
  echo "compiled for 1x256 elements, is subtracted."
  echo
  echo "| kernel | call ms | load+launch ms | kernel ms | kernel GB/s | copy GB/s | kernel / copy |"
  echo "|---|---|---|---|---|---|---|"
  for rounding in hard soft; do
    big=$(compile_gpu_kernel "$rounding" 16384 16384)
    tiny=$(compile_gpu_kernel "$rounding" 1 256)
    big_json=$("$build/bin/adaround-gpu-driver" "$big" 16384 16384 10 8)
    tiny_json=$("$build/bin/adaround-gpu-driver" "$tiny" 1 256 10 8)
    /usr/bin/python3 -c "
import json, sys
big, tiny = json.loads(sys.argv[1]), json.loads(sys.argv[2])
kernel = big['kernel_s'] - tiny['kernel_s']
gbps = 8 * big['elements'] / kernel / 1e9
print(f\"| $rounding per-tensor | {big['kernel_s']*1e3:.3f} | {tiny['kernel_s']*1e3:.3f} | {kernel*1e3:.3f} | {gbps:.0f} | {big['copy_GBps']:.0f} | {gbps / big['copy_GBps']:.2f} |\")" "$big_json" "$tiny_json"
  done
  echo
  echo "## Baked matvec, 256 MB of packed weights (best of 10)"
  echo
  echo "y = W x, W N x K baked per output channel, passed to the kernel as its"
  echo "packed bytes (the IR --adaround-bake makes, with the weight an argument,"
  echo "checked against numpy on the CPU by test/Bench/baked-matvec-module.test)."
  echo "The kernel reads the weight bytes once; the copy reads and writes them."
  echo "Kernel time includes the launches (split sum: two kernels)."
  echo
  echo "| weights | N x K | kernel ms | kernel GB/s | copy GB/s | kernel / copy |"
  echo "|---|---|---|---|---|---|"
  for spec in "8 16384 16384" "4 16384 32768"; do
    set -- $spec
    so=$(compile_gpu_matvec "$1" "$2" "$3")
    json=$("$build/bin/adaround-gpu-driver" --matvec "$so" "$3" "$2" $(( $2 * $3 * $1 / 8 )) 10)
    /usr/bin/python3 -c "
import json, sys
r = json.loads(sys.argv[1])
print(f\"| i$1 | $2 x $3 | {r['kernel_s']*1e3:.3f} | {r['kernel_GBps']:.0f} | {r['copy_GBps']:.0f} | {r['bandwidth_ratio']:.2f} |\")" "$json"
  done
} | tee "$out"
echo "wrote $out"
