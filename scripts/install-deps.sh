#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs; does nothing when they
# are already there. `--bench` adds what only the benchmarks use.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools libomp-22-dev
  libgtest-dev libeigen3-dev libopenblas0-pthread python3-numpy python3-torch python3-sklearn gnuplot-nox
  clang-22 libclang-rt-22-dev
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(time valgrind)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
