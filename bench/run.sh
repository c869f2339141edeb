#!/usr/bin/env bash
# `make bench`: builds what it needs (the Makefile did), then runs every
# benchmark and writes bench/results/<date>-<host>.{md,png}.
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/run.py --build "${1:-build}" "${@:2}"
