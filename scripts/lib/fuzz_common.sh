# Shared by scripts/fuzz_<name>.sh (sourced, not run). After `fuzz_setup NAME`:
#   $build   the fuzz build folder (FULCRUM_FUZZ_BUILD_DIR, default build/fuzz)
#   $fuzzer  $build/tests/fuzz/fuzz_NAME and $maker $build/tests/fuzz/NAME_seed_maker, both built
#   $corpus  $build/corpus-NAME with seeds/ (read only) and found/ (new inputs), git-ignored
# `fuzz_exec NAME SECS FLAGS...` then replaces the shell with the fuzzer: -max_total_time=SECS,
# or -runs=$FULCRUM_FUZZ_RUNS when set, final stats printed, crashes written to
# $build/fuzz-artifacts/NAME-*.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
export FULCRUM_TESTDATA=${FULCRUM_TESTDATA:-$root/../shared/testdata}

fuzz_setup() {
  local name=$1
  build=${FULCRUM_FUZZ_BUILD_DIR:-$root/build/fuzz}
  fuzzer=$build/tests/fuzz/fuzz_$name
  maker=$build/tests/fuzz/${name}_seed_maker
  if [ ! -x "$fuzzer" ] || [ ! -x "$maker" ]; then
    if [ -n "${FULCRUM_FUZZ_BUILD_DIR:-}" ]; then
      cmake --build "$build" -j"${FULCRUM_JOBS:-2}" --target "fuzz_$name" "${name}_seed_maker"
    else
      scripts/build.sh fuzz --target "fuzz_$name" "${name}_seed_maker"
    fi
  fi
  corpus=$build/corpus-$name
  mkdir -p "$corpus/seeds" "$corpus/found" "$build/fuzz-artifacts"
}

fuzz_exec() {
  local name=$1 secs=$2
  shift 2
  local runs=()
  [ -n "${FULCRUM_FUZZ_RUNS:-}" ] && runs=(-runs="$FULCRUM_FUZZ_RUNS")
  echo "fuzz_$name: ${runs[*]:-${secs}s}"
  # found/ first: new inputs go there; seeds/ is read only.
  exec "$fuzzer" -max_total_time="$secs" "${runs[@]}" -timeout=10 -print_final_stats=1 "$@" \
    -artifact_prefix="$build/fuzz-artifacts/$name-" "$corpus/found" "$corpus/seeds"
}
