#!/usr/bin/env bash
# The main job: calibrate -> bake -> lower -> run on examples/mlp.mlir,
# printing what each step did.
set -euo pipefail
build=${1:-build}
opt="$build/bin/adaround-opt"
llvm=/usr/lib/llvm-22
runner="$llvm/bin/mlir-runner -e main -entry-point-result=void \
  -shared-libs=$llvm/lib/libmlir_runner_utils.so,$llvm/lib/libmlir_c_runner_utils.so"
work="$build/demo"
mkdir -p "$work"
example=examples/mlp.mlir

# Bytes of the weight constants feeding the matmuls, as stored in bytecode.
weight_bytes() {
  "$opt" "$1" --emit-bytecode -o "$work/size.mlirbc"
  stat -c %s "$work/size.mlirbc"
}

echo "== 1. float model ($example): run with --adaround-to-llvm"
"$opt" "$example" --adaround-to-llvm | $runner | tail -n +2

echo "== 2. --adaround-calibrate=\"insert=1 bits=4\": wrap each matmul weight in a"
echo "      calibrated adaround.fake_quant (per output channel, PyTorch's min-max observer)"
"$opt" "$example" --adaround-calibrate="insert=1 bits=4" -o "$work/calibrated.mlir"
grep -o 'adaround.fake_quant %[a-z_0-9]* qtype(![^)]*)' "$work/calibrated.mlir" | cut -c1-110 | sed 's/$/.../'
echo "   soft fake quantization (the trained model's view):"
"$opt" "$work/calibrated.mlir" --adaround-to-llvm | $runner | tail -n +2

echo "== 3. --adaround-bake: hard decisions baked into packed 4-bit integer constants"
"$opt" "$work/calibrated.mlir" --adaround-bake --canonicalize -o "$work/baked.mlir"
# Elements of the tensor types matching a pattern, times bytes per element.
tensor_bytes() {
  grep -o "$2" "$1" | grep -o '<[0-9x]*x' | tr -d '<' | sed 's/x$//' |
    awk -F x -v b="$3" '{ n = 1; for (i = 1; i <= NF; i++) n *= $i; s += n * b }
                        END { print s + 0 }'
}
echo "   integer weight constants (two 4-bit levels per byte):"
grep -o 'arith.constant dense<"0x[0-9A-F]*"> : tensor<[0-9x]*xi8>' "$work/baked.mlir" |
  sed 's/dense<"0x[0-9A-F]*">/dense<...>/; s/^/     /' || true
f32_weights=$(tensor_bytes "$example" '%w[0-9] = arith.constant dense<.*> : tensor<[0-9x]*xf32>' 4)
int_weights=$(tensor_bytes "$work/baked.mlir" 'arith.constant dense<"0x[0-9A-F]*"> : tensor<[0-9x]*xi8>' 1)
echo "   weight bytes: $f32_weights as f32 before, $int_weights as packed i4 after"
before=$(weight_bytes "$example")
after=$(weight_bytes "$work/baked.mlir")
echo "   module bytecode: $before bytes with f32 weights, $after bytes baked"

echo "== 4. baked model: lower with --adaround-to-llvm and run"
"$opt" "$work/baked.mlir" --adaround-to-llvm | $runner | tail -n +2

echo "== 5. --adaround-learn: AdaRound learns V from calibration data (512 digits"
echo "      images, sklearn), in the compiler; a 64-64-32-10 MLP at 2 bits per weight"
/usr/bin/python3 bench/learn_digits.py --build "$build" --demo
echo "demo: done (outputs of steps 2 and 4 differ by soft vs hard rounding)"
