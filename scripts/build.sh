#!/usr/bin/env bash
# Configures and builds one preset (release by default) with two jobs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-release}
cd "$root"
cmake --preset "$preset" >/dev/null
shift || true
cmake --build --preset "$preset" -j"${FULCRUM_JOBS:-2}" "$@"
