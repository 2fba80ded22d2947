#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. Release build + every test (unit, end-to-end, SDK conformance) under ctest;
#   2. Debug + ASan + UBSan build + every test again (set FULCRUM_SKIP_ASAN=1 to skip locally);
#   3. each libFuzzer target for a short bounded time (clang build; FULCRUM_FUZZ_SECONDS, 60 s for
#      the GGUF reader and 30 s for the others by default; scripts/fuzz_*.sh run them long).
# The last line is "N passed, N failed" over all phases.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export FULCRUM_TESTDATA=${FULCRUM_TESTDATA:-$root/../shared/testdata}
passed=0
failed=0

count_ctest() {  # $1: ctest log
  local line p f total
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$1" | tail -1)
  if [ -z "$line" ]; then
    echo "test.sh: ctest printed no summary ($1)"; failed=$((failed + 1)); return
  fi
  f=$(sed -E 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
  p=$((total - f))
  passed=$((passed + p)); failed=$((failed + f))
}

phase() { echo; echo "==== $* ===="; }

phase "setup"
if ! scripts/setup.sh; then echo "0 passed, 1 failed"; exit 1; fi

phase "release build"
if ! scripts/build.sh release; then echo "0 passed, 1 failed"; exit 1; fi
phase "release tests"
ctest --preset release 2>&1 | tee build/release/ctest.log
count_ctest build/release/ctest.log

if [ "${FULCRUM_SKIP_ASAN:-0}" != 1 ]; then
  phase "asan build"
  if scripts/build.sh asan; then
    phase "asan tests"
    ctest --preset asan 2>&1 | tee build/asan/ctest.log
    count_ctest build/asan/ctest.log
  else
    failed=$((failed + 1))
  fi
fi

if [ "${FULCRUM_SKIP_FUZZ:-0}" != 1 ]; then
  phase "fuzz build"
  if scripts/build.sh fuzz --target fuzzers; then
    for script in scripts/fuzz_*.sh; do
      [ -e "$script" ] || continue
      secs=${FULCRUM_FUZZ_SECONDS:-30}
      [[ $script == *fuzz_gguf.sh ]] && secs=${FULCRUM_FUZZ_SECONDS:-60}
      phase "fuzz $script ${secs}s"
      if "$script" "$secs"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $script"; fi
    done
  else
    failed=$((failed + 1))
  fi
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
