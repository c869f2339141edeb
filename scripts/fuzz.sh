#!/usr/bin/env bash
# Runs adaround-fuzz for a bounded time, seeded with the suite's own .mlir
# files (split at `// -----`). A crash leaves crash-* in $build/fuzz and
# fails; keep each one under test/Fuzz/regressions as a regression test.
set -euo pipefail
build=${1:-build-sanitize}
seconds=${2:-60}
work="$build/fuzz"
rm -rf "$work/seeds" && mkdir -p "$work/seeds" "$work/corpus"
i=0
for f in $(find test examples -name '*.mlir' | sort); do
  # One seed per split chunk, each small enough for the fuzzer's cap.
  awk -v dir="$work/seeds" -v base="$i" '
    /^\/\/ -----/ { n++; next }
    { print > (dir "/" base "-" n ".mlir") }' n=0 "$f"
  i=$((i + 1))
done
find "$work/seeds" -size +4k -delete
export ASAN_OPTIONS=detect_leaks=0:allow_user_poisoning=0
export UBSAN_OPTIONS=print_stacktrace=1
cd "$work"
./../bin/adaround-fuzz -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
  -max_len=4096 -print_final_stats=1 corpus seeds
