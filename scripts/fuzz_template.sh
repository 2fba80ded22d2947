#!/usr/bin/env bash
# Fuzzes the chat-template engine (random templates over random chat inputs, small render limits):
# scripts/fuzz_template.sh [SECONDS [LIBFUZZER FLAGS...]] (default 3600 s; CI passes 30).
# FULCRUM_FUZZ_RUNS=N stops after N executions instead.
# Seeds: every chat golden case as "template NUL input JSON" plus the built-in templates
# (tests/fuzz/template_seed_maker), written at run time into BUILD/corpus-template (git-ignored,
# never committed); dictionary tests/fuzz/jinja.dict. Any crash, hang (-timeout), leak, sanitizer
# report, allocation over 64 MB or process over 1 GB is a failure; template errors are not.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${1:-3600}
shift || true  # further arguments go to libFuzzer as they are
build=${FULCRUM_FUZZ_BUILD_DIR:-$root/build/fuzz}
export FULCRUM_TESTDATA=${FULCRUM_TESTDATA:-$root/../shared/testdata}
fuzzer=$build/tests/fuzz/fuzz_template
maker=$build/tests/fuzz/template_seed_maker
if [ ! -x "$fuzzer" ] || [ ! -x "$maker" ]; then
  if [ -n "${FULCRUM_FUZZ_BUILD_DIR:-}" ]; then
    cmake --build "$build" -j"${FULCRUM_JOBS:-2}" --target fuzz_template template_seed_maker
  else
    scripts/build.sh fuzz --target fuzz_template template_seed_maker
  fi
fi

corpus=$build/corpus-template
mkdir -p "$corpus/seeds" "$corpus/found" "$build/fuzz-artifacts"
ASAN_OPTIONS=detect_leaks=0 "$maker" "$corpus/seeds"

runs=()
[ -n "${FULCRUM_FUZZ_RUNS:-}" ] && runs=(-runs="$FULCRUM_FUZZ_RUNS")
echo "fuzz_template.sh: ${runs[*]:-${secs}s}"
# found/ first: new inputs go there; seeds/ is read only.
exec "$fuzzer" -max_total_time="$secs" "${runs[@]}" -max_len=16384 -timeout=10 \
  -rss_limit_mb=1024 -malloc_limit_mb=64 -print_final_stats=1 "$@" -dict=tests/fuzz/jinja.dict \
  -artifact_prefix="$build/fuzz-artifacts/template-" "$corpus/found" "$corpus/seeds"
