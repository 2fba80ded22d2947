#!/usr/bin/env bash
# Installs every dependency Fulcrum uses: Debian 12 packages (apt-get) and the npm packages of the
# SDK conformance tests. Idempotent: does nothing when everything is present. This is the only
# place dependencies are named (docs/DEPENDENCIES.md says why each one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang clang-format clang-tidy libclang-rt-14-dev
  # libraries
  libssl-dev            # SHA-256, TLS (through libcurl)
  libcurl4-openssl-dev  # HTTP(S) client for remote providers
  nlohmann-json3-dev    # JSON DOM
  libsimdjson-dev       # fast JSON parsing on the request path
  rapidjson-dev         # JSON benchmark comparison (bench/)
  libtomlplusplus-dev   # TOML configuration
  libfmt-dev            # formatting, logging
  libsqlite3-dev        # default storage
  libutf8proc-dev       # Unicode categories and case mapping (tokenizers, templates)
  libvectorscan-dev     # multi-pattern privacy scanning
  libmimalloc-dev       # the fulcrum binary's allocator (FULCRUM_MIMALLOC)
  libgtest-dev libgmock-dev  # unit tests
  libbenchmark-dev      # micro-benchmarks
  # test and benchmark peers
  nginx-light wrk curl
  valgrind              # bench/gateway_instructions.sh (instructions per proxied request)
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A machine may have node from elsewhere; only ask apt for it when there is none.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm test clients (the official OpenAI and Anthropic SDKs, the Portkey gateway for benchmarks).
for dir in "$root/tests/sdk" "$root/bench/peers"; do
  if [ -f "$dir/package.json" ] && [ ! -d "$dir/node_modules" ]; then
    echo "setup: npm install in $dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
done
echo "setup: all dependencies present"
