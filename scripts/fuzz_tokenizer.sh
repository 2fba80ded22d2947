#!/usr/bin/env bash
# Fuzzes the tokenizers (encode/decode round trip + incremental detokenizer over every vocab file
# of the test data): scripts/fuzz_tokenizer.sh [SECONDS [LIBFUZZER FLAGS...]] (default 3600 s;
# CI passes 30).
# FULCRUM_FUZZ_RUNS=N stops after N executions instead.
# Seeds: every test string of $FULCRUM_TESTDATA/tokenizer/*.gguf.inp once per vocab
# (tests/fuzz/tokenizer_seed_maker), written at run time into BUILD/corpus-tokenizer (git-ignored,
# never committed). Any crash, failed round trip, leak, timeout, sanitizer report, allocation over
# 256 MB or process over 2 GB is a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${1:-3600}
shift || true  # further arguments go to libFuzzer as they are
build=${FULCRUM_FUZZ_BUILD_DIR:-$root/build/fuzz}
export FULCRUM_TESTDATA=${FULCRUM_TESTDATA:-$root/../shared/testdata}
fuzzer=$build/tests/fuzz/fuzz_tokenizer
maker=$build/tests/fuzz/tokenizer_seed_maker
if [ ! -x "$fuzzer" ] || [ ! -x "$maker" ]; then
  if [ -n "${FULCRUM_FUZZ_BUILD_DIR:-}" ]; then
    cmake --build "$build" -j"${FULCRUM_JOBS:-2}" --target fuzz_tokenizer tokenizer_seed_maker
  else
    scripts/build.sh fuzz --target fuzz_tokenizer tokenizer_seed_maker
  fi
fi

corpus=$build/corpus-tokenizer
mkdir -p "$corpus/seeds" "$corpus/found" "$build/fuzz-artifacts"
ASAN_OPTIONS=detect_leaks=0 "$maker" "$corpus/seeds"

runs=()
[ -n "${FULCRUM_FUZZ_RUNS:-}" ] && runs=(-runs="$FULCRUM_FUZZ_RUNS")
echo "fuzz_tokenizer.sh: vocabs under $FULCRUM_TESTDATA/tokenizer, ${runs[*]:-${secs}s}"
# found/ first: new inputs go there; seeds/ is read only.
exec "$fuzzer" -max_total_time="$secs" "${runs[@]}" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -malloc_limit_mb=256 -print_final_stats=1 "$@" \
  -artifact_prefix="$build/fuzz-artifacts/tokenizer-" "$corpus/found" "$corpus/seeds"
