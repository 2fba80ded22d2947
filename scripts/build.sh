#!/usr/bin/env bash
# Configures and builds one preset (release by default) with two jobs.
#
# The release build is profile-guided (GCC PGO; see FULCRUM_PGO in cmake/FulcrumOptions.cmake):
# the first time, it builds an instrumented fulcrum, runs scripts/pgo_train.sh (the gateway over
# the stand-in upstream, ~15 s) and then builds everything with the profiles; later builds reuse
# them. FULCRUM_PGO=0 builds without profiles; FULCRUM_PGO_RETRAIN=1 trains again (after large
# changes to the request path; a source file changed since the training is compiled without
# its profile, never wrongly).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-release}
shift || true
jobs=${FULCRUM_JOBS:-2}
cd "$root"
if [ "$preset" = release ] && [ "${FULCRUM_PGO:-1}" != 0 ]; then
  dir=$root/build/release
  stamp=$dir/pgo-profile/.trained
  [ "${FULCRUM_PGO_RETRAIN:-0}" = 1 ] && rm -f "$stamp"
  if [ ! -f "$stamp" ]; then
    echo "build: profile-guided release build, 1/3: instrumented fulcrum"
    cmake --preset release -DFULCRUM_PGO=generate >/dev/null
    cmake --build --preset release -j"$jobs" --target fulcrum fulcrum_standin gateway_loadgen
    rm -rf "$dir/pgo-profile"
    echo "build: 2/3: training run (scripts/pgo_train.sh)"
    FULCRUM_PGO_DIR=$dir/pgo-profile "$root/scripts/pgo_train.sh" "$dir"
    touch "$stamp"
    echo "build: 3/3: release build with the profiles"
  fi
  cmake --preset release -DFULCRUM_PGO=use >/dev/null
elif [ "$preset" = release ]; then
  cmake --preset release -DFULCRUM_PGO= >/dev/null
else
  cmake --preset "$preset" >/dev/null
fi
cmake --build --preset "$preset" -j"$jobs" "$@"
