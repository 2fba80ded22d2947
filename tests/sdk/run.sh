#!/usr/bin/env bash
# SDK conformance driver (run by ctest): the official openai and @anthropic-ai/sdk clients
# against `fulcrum serve` in front of the stand-in upstream. The node tests start both
# programs themselves (harness.mjs) and stop them, also on failure. Missing node or missing
# modules is a failure, never a skip: scripts/setup.sh installs them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${FULCRUM_BIN:?FULCRUM_BIN must name the fulcrum binary}"
: "${FULCRUM_STANDIN_BIN:?FULCRUM_STANDIN_BIN must name the stand-in binary}"
if ! command -v node >/dev/null 2>&1; then
  echo "sdk: node is not installed (run scripts/setup.sh)" >&2
  exit 1
fi
for m in openai @anthropic-ai/sdk; do
  if [ ! -f "$here/node_modules/$m/package.json" ]; then
    echo "sdk: npm module $m is missing in tests/sdk/node_modules (run scripts/setup.sh)" >&2
    exit 1
  fi
done
cd "$here"
exec node --test openai.test.mjs anthropic.test.mjs
