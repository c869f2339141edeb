#!/usr/bin/env bash
# `make bench`: builds what it needs (the Makefile did), then runs every
# benchmark and writes bench/results/<date>-<host>{.md,.png,-learn-digits.md}.
set -euo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 bench/run.py --build "${1:-build}" "${@:2}"
/usr/bin/python3 bench/learn_digits.py --build "${1:-build}" "${@:2}"
