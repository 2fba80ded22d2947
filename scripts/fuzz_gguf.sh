#!/usr/bin/env bash
# Fuzzes the GGUF reader (+ model card + writer round trip): scripts/fuzz_gguf.sh [SECONDS]
# (default 3600; CI passes 60). FULCRUM_FUZZ_RUNS=N stops after N executions instead.
# Seeds: a miniature of every .gguf under the test data (tests/fuzz/gguf_seed_maker) plus the
# files themselves (cut to -max_len), gathered at run time into build/fuzz/corpus-gguf (git-ignored,
# never committed). Memory is bounded: any single allocation over 64 MB or a process over 1 GB is
# reported as a failure, as is any crash, leak, timeout or sanitizer report.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${1:-3600}
build=${FULCRUM_FUZZ_BUILD_DIR:-$root/build/fuzz}
testdata=${FULCRUM_TESTDATA:-$root/../shared/testdata}
fuzzer=$build/tests/fuzz/fuzz_gguf
maker=$build/tests/fuzz/gguf_seed_maker
if [ ! -x "$fuzzer" ] || [ ! -x "$maker" ]; then
  if [ -n "${FULCRUM_FUZZ_BUILD_DIR:-}" ]; then
    cmake --build "$build" -j"${FULCRUM_JOBS:-2}" --target fuzz_gguf gguf_seed_maker
  else
    scripts/build.sh fuzz --target fuzz_gguf gguf_seed_maker
  fi
fi

corpus=$build/corpus-gguf
mkdir -p "$corpus/seeds" "$corpus/found" "$build/fuzz-artifacts"
mapfile -t files < <(find "$testdata" -name '*.gguf' -type f | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "fuzz_gguf.sh: no .gguf files under $testdata" >&2; exit 1; fi
for f in "${files[@]}"; do ln -sf "$f" "$corpus/seeds/$(basename "$f")"; done
ASAN_OPTIONS=detect_leaks=0 "$maker" "$corpus/seeds" "${files[@]}"

runs=()
[ -n "${FULCRUM_FUZZ_RUNS:-}" ] && runs=(-runs="$FULCRUM_FUZZ_RUNS")
echo "fuzz_gguf.sh: ${#files[@]} seed files, ${runs[*]:-${secs}s}"
# found/ first: new inputs go there; seeds/ is read only.
exec "$fuzzer" -max_total_time="$secs" "${runs[@]}" -max_len=262144 -timeout=10 \
  -rss_limit_mb=1024 -malloc_limit_mb=64 -print_final_stats=1 \
  -artifact_prefix="$build/fuzz-artifacts/" "$corpus/found" "$corpus/seeds"
