#!/usr/bin/env bash
# Fuzzes the GGUF reader (+ model card + writer round trip): scripts/fuzz_gguf.sh [SECONDS
# [LIBFUZZER FLAGS...]] (default 3600; CI passes 60). FULCRUM_FUZZ_RUNS=N stops after N
# executions instead.
# Seeds: a miniature of every .gguf under the test data (tests/fuzz/gguf_seed_maker) plus the
# files themselves (cut to -max_len), gathered at run time into build/fuzz/corpus-gguf (git-ignored,
# never committed). Memory is bounded: any single allocation over 64 MB or a process over 1 GB is
# reported as a failure, as is any crash, leak, timeout or sanitizer report.
set -euo pipefail
source "$(dirname "$0")/lib/fuzz_common.sh"
secs=${1:-3600}
shift || true  # further arguments go to libFuzzer as they are
fuzz_setup gguf
mapfile -t files < <(find "$FULCRUM_TESTDATA" -name '*.gguf' -type f | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "fuzz_gguf.sh: no .gguf files under $FULCRUM_TESTDATA" >&2
  exit 1
fi
for f in "${files[@]}"; do ln -sf "$f" "$corpus/seeds/$(basename "$f")"; done
ASAN_OPTIONS=detect_leaks=0 "$maker" "$corpus/seeds" "${files[@]}"
echo "fuzz_gguf.sh: ${#files[@]} seed files"
fuzz_exec gguf "$secs" -max_len=262144 -rss_limit_mb=1024 -malloc_limit_mb=64 "$@"
