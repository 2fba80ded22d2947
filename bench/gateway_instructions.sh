#!/usr/bin/env bash
# User-space instructions per proxied request (issue Gateway I, diagnostic). Requests per second
# on this VM move by 20-40% between minutes; instruction counts do not, so this is how a change
# to the request path is judged before the timed benchmark (bench/gateway_bench.sh) is run.
#
# On loopback: nginx (Debian) answers POST /v1/chat/completions with the fixed reply of
# bench/gateway_bench_response.json; `fulcrum serve` (one event loop, privacy scan on, request log
# at info, the same config as gateway_bench.sh) proxies to it under valgrind's callgrind.
# bench/gateway_loadgen sends the request of bench/gateway_bench_request.json at 500/s for
# BENCH_SHORT_S (2) seconds in one run and BENCH_LONG_S (6) in another; the difference of the two
# totals over the difference of the request counts leaves start-up and shutdown out.
#
# Prints one JSON object. Needs valgrind (scripts/setup.sh installs it). BUILD_DIR as in
# gateway_bench.sh (default build/release).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/gateway_common.sh
source "$root/bench/gateway_common.sh"
build=${BUILD_DIR:-$root/build/release}
fulcrum=$build/apps/fulcrum
loadgen=$build/bench/gateway_loadgen
short_s=${BENCH_SHORT_S:-2}
long_s=${BENCH_LONG_S:-6}
for tool in valgrind nginx curl; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
    { echo "gateway_instructions: $tool not found (scripts/setup.sh installs it)" >&2; exit 1; }
done
for f in "$fulcrum" "$loadgen"; do
  [ -x "$f" ] || { echo "gateway_instructions: $f not built (scripts/build.sh)" >&2; exit 1; }
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_http() {  # URL [curl args]: until it answers, at most 60 s (valgrind starts slowly)
  local url=$1
  shift
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "$@" "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "gateway_instructions: $url never answered" >&2
  exit 1
}

nginx_port=$(free_port)
write_static_nginx_conf "$tmp/nginx" "$nginx_port" "$root/bench/gateway_bench_response.json"
"$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" \
  -g 'daemon off;' </dev/null >/dev/null 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$nginx_port/v1/chat/completions" -X POST -d '{}'

fulcrum_port=$(free_port)
write_fulcrum_conf "$tmp/fulcrum.toml" "$fulcrum_port" 1 info "$nginx_port"

# One run: Fulcrum under callgrind, SECONDS of load, a graceful stop. Prints "requests Ir".
one_run() {
  local secs=$1 out="$tmp/callgrind.$1"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$fulcrum" serve \
    --config "$tmp/fulcrum.toml" </dev/null >/dev/null 2>"$tmp/valgrind.$secs.log" &
  local vp=$!
  wait_http "http://127.0.0.1:$fulcrum_port/health"
  local result
  result=$("$loadgen" --port "$fulcrum_port" --rate 500 --duration "$secs" --warmup 0 \
    --connections 4 --body "$root/bench/gateway_bench_request.json")
  kill -TERM "$vp"
  wait "$vp" || true
  local measured errors non2xx ir
  measured=$(echo "$result" | sed 's/.*"measured": \([0-9]*\).*/\1/')
  errors=$(echo "$result" | sed 's/.*"errors": \([0-9]*\).*/\1/')
  non2xx=$(echo "$result" | sed 's/.*"non_2xx": \([0-9]*\).*/\1/')
  if [ "$errors" != 0 ] || [ "$non2xx" != 0 ]; then
    echo "gateway_instructions: $errors errors, $non2xx non-2xx answers in the $secs s run" >&2
    exit 1
  fi
  ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out")
  [ -n "$ir" ] || { echo "gateway_instructions: no callgrind summary for the $secs s run" >&2; exit 1; }
  echo "$measured $ir"
}

one_run "$short_s" >"$tmp/short"
one_run "$long_s" >"$tmp/long"
read -r short_n short_ir <"$tmp/short"
read -r long_n long_ir <"$tmp/long"
if [ "$long_n" -le "$short_n" ]; then
  echo "gateway_instructions: the long run measured no more requests than the short one" >&2
  exit 1
fi
echo "{\"bench\": \"gateway_instructions\", \"code\": \"$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)\", \
\"runs\": [{\"requests\": $short_n, \"instructions\": $short_ir}, {\"requests\": $long_n, \"instructions\": $long_ir}], \
\"instructions_per_request\": $(( (long_ir - short_ir) / (long_n - short_n) ))}"
