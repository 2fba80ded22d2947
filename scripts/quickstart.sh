#!/usr/bin/env bash
# The main job: install dependencies, build Fulcrum, and show the model card of the real model
# in the shared test data.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" release
testdata=${FULCRUM_TESTDATA:-$root/../shared/testdata}
exec "$root/build/release/apps/fulcrum" inspect "$testdata/models/kjv-tiny-q4_k_m.gguf"
