#!/usr/bin/env bash
# A short fuzzing run for CI: $1 seconds (default 60) from the seed corpus, in a
# scratch copy so the repository is not modified. A crash leaves its input in
# fuzz/crashes/ (commit it: tests/test_fuzz_regressions.py replays it forever).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
work=$(mktemp -d)
cp fuzz/corpus/* "$work/"
python fuzz/fuzz_validate.py -max_total_time="$seconds" -max_len=65536 \
  -artifact_prefix=fuzz/crashes/ -print_final_stats=1 "$work"
