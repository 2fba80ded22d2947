#!/usr/bin/env bash
# Gateway overhead benchmark (issue Gateway I). In one run, on loopback:
#
#   1. nginx (Debian) answers POST /v1/chat/completions with a fixed OpenAI chat completion
#      (bench/gateway_bench_response.json) from a temporary, non-root config;
#   2. `fulcrum serve` proxies to it through an openai_compat provider, with the privacy scan
#      and routing on (virtual model "auto", one on-premises target);
#   3. the Portkey gateway (@portkey-ai/gateway from npm, bench/peers) proxies to the same nginx
#      (x-portkey-provider: openai, x-portkey-custom-host: http://127.0.0.1:<nginx>/v1);
#   4. wrk (Debian, bench/gateway_bench.lua) measures requests/s of nginx direct, Fulcrum and
#      Portkey with the same threads/connections/duration and the same body
#      (bench/gateway_bench_request.json);
#   4b. for reference, nginx itself as a reverse proxy (proxy_pass with pooled keep-alive
#      upstream connections) in front of the same nginx: what a proxy that does no request
#      processing at all gets on this setup (BENCH_SKIP_NGINX_PROXY=1 leaves it out);
#   5. bench/gateway_loadgen (open loop, constant rate; wrk2 is not in Debian 12) sends 1,000
#      requests/s to nginx direct and to Fulcrum and records every latency; Fulcrum's added
#      latency is its percentile minus nginx's.
#
# Prints one JSON object. Every process it starts is stopped on exit, also on failure or ^C.
#
# Placement (BENCH_PLACEMENT):
#   machine (default): nothing is pinned; wrk, nginx and the gateway under test share all of
#     the machine's cores as a deployment would, and Fulcrum runs one event loop per core.
#     "nginx direct" is then the most this wrk gets from this machine (the issue's "physical
#     limit of this setup"), and each gateway's rate is what the same machine does when the
#     gateway sits in front of the same nginx. Portkey's gateway is one node process, as it
#     ships (start-server.js has no cluster mode).
#   split: the load generators run on core 0 and everything under test (nginx, and Fulcrum or
#     Portkey in front of it) on core 1, through taskset, with one Fulcrum event loop: the
#     server side gets one core in all runs, so a gateway's rate is what one core does running
#     the gateway and nginx. Stricter for a multi-threaded gateway; less noisy.
# BENCH_CLIENT_CPUS, BENCH_SERVER_CPUS (taskset lists) and BENCH_FULCRUM_THREADS override
# what the placement sets.
#
# Environment: BUILD_DIR (default build/release; needs apps/fulcrum and bench/gateway_loadgen),
# BENCH_DURATION (s per wrk run, 10), BENCH_ROUNDS (3), BENCH_CONNECTIONS (64), BENCH_THREADS
# (wrk threads, 1), BENCH_RATE (1000), BENCH_LATENCY_DURATION (s, 20), BENCH_LATENCY_ROUNDS (3),
# BENCH_FULCRUM_THREADS (event loops; by placement),
# BENCH_FULCRUM_LOG (log_level, info: the structured request log is written, to a file),
# BENCH_SKIP_PORTKEY=1 (Fulcrum and nginx only, while profiling), BENCH_SKIP_NGINX_PROXY=1.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/gateway_common.sh
source "$root/bench/gateway_common.sh"
build=${BUILD_DIR:-$root/build/release}
fulcrum=$build/apps/fulcrum
loadgen=$build/bench/gateway_loadgen
portkey=$root/bench/peers/node_modules/@portkey-ai/gateway/build/start-server.js
duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-1}
rate=${BENCH_RATE:-1000}
lat_duration=${BENCH_LATENCY_DURATION:-20}
placement=${BENCH_PLACEMENT:-machine}
all_cpus="0-$(($(nproc) - 1))"
case "$placement" in
  machine) def_client=$all_cpus def_server=$all_cpus def_threads=$(nproc) ;;
  split) def_client=0 def_server=1 def_threads=1 ;;
  *)
    echo "gateway_bench: BENCH_PLACEMENT must be machine or split, not '$placement'" >&2
    exit 2
    ;;
esac
client_cpus=${BENCH_CLIENT_CPUS:-$def_client}
server_cpus=${BENCH_SERVER_CPUS:-$def_server}
fulcrum_threads=${BENCH_FULCRUM_THREADS:-$def_threads}
fulcrum_log=${BENCH_FULCRUM_LOG:-info}
skip_portkey=${BENCH_SKIP_PORTKEY:-0}
skip_nginx_proxy=${BENCH_SKIP_NGINX_PROXY:-0}
rounds=${BENCH_ROUNDS:-3}
lat_rounds=${BENCH_LATENCY_ROUNDS:-3}
body_file=$root/bench/gateway_bench_request.json
response_file=$root/bench/gateway_bench_response.json

die() {
  echo "gateway_bench: $*" >&2
  exit 1
}

nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || die "nginx not found (scripts/setup.sh installs nginx-light)"
command -v wrk >/dev/null || die "wrk not found (scripts/setup.sh installs it)"
command -v curl >/dev/null || die "curl not found"
command -v node >/dev/null || die "node not found"
[ -x "$fulcrum" ] || die "$fulcrum not built (cmake --build $build --target fulcrum)"
[ -x "$loadgen" ] || die "$loadgen not built (cmake --build $build --target gateway_loadgen)"
if [ "$skip_portkey" != 1 ]; then
  [ -f "$portkey" ] || die "Portkey gateway missing: run scripts/setup.sh (npm install in bench/peers)"
fi

tmp=$(mktemp -d -t fulcrum-gateway-bench.XXXXXX)
pids=()

cleanup() {
  local pid i all=()
  # The processes started here and their children (nginx's worker), so a worker is not left
  # behind should its master need a SIGKILL.
  for pid in ${client_pid:+"$client_pid"} "${pids[@]+"${pids[@]}"}"; do
    all+=("$pid")
    for i in $(pgrep -P "$pid" 2>/dev/null || true); do all+=("$i"); done
  done
  for pid in "${all[@]+"${all[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${all[@]+"${all[@]}"}"; do
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on (a connect to it fails).
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  die "no free port"
}

# Waits until `curl ARGS` succeeds (up to 30 s) or the process has died (then shows its log).
wait_ready() {
  local pid=$1 what=$2 log=$3
  shift 3
  for _ in $(seq 300); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2 || true
      die "$what exited during start-up"
    fi
    if curl -fsS -o /dev/null --max-time 1 "$@" 2>/dev/null; then return; fi
    sleep 0.1
  done
  die "$what did not become ready in 30 s"
}

# POSTs the body once through a target and checks the fixed completion comes back.
check_proxy() {
  local what=$1 url=$2
  shift 2
  local out
  out=$(curl -sS --max-time 5 -H 'content-type: application/json' "$@" --data-binary "@$body_file" "$url") ||
    die "$what: request failed"
  case "$out" in
    *'The status means the carrier'*) ;;
    *) die "$what: unexpected answer: ${out:0:400}" ;;
  esac
  case "$out" in
    *'"chat.completion"'*) ;;
    *) die "$what: answer is not a chat.completion: ${out:0:400}" ;;
  esac
}

# CPU time (user + system, clock ticks) of the given processes and their children's threads.
cpu_ticks() {
  local total=0 pid f
  for pid in "$@"; do
    for f in /proc/"$pid"/stat $(pgrep -P "$pid" | sed 's|.*|/proc/&/stat|'); do
      [ -r "$f" ] || continue
      # Fields after the ")" of the command name: utime and stime are the 12th and 13th.
      total=$((total + $(sed 's/.*) //' "$f" | awk '{print $12 + $13}')))
    done
  done
  echo "$total"
}

# Runs a load client in the background and waits for it (a signal then interrupts the wait at
# once, and cleanup stops the client); sets `result` to its last output line.
client_pid=
run_client() {
  "$@" >"$tmp/client.out" 2>"$tmp/client.err" &
  client_pid=$!
  wait "$client_pid" || die "load client failed: $* ($(tail -n 3 "$tmp/client.err"))"
  client_pid=
  result=$(tail -n 1 "$tmp/client.out")
}

# wrk against a target; sets `result` to the JSON line of gateway_bench.lua's done() with the CPU
# time the processes under test (pids after the third argument) spent per request added.
run_wrk() {
  local url=$1 headers=$2 secs=$3
  shift 3
  local before after requests
  before=$(cpu_ticks "$@")
  export BENCH_BODY_FILE=$body_file BENCH_HEADERS=$headers
  run_client taskset -c "$client_cpus" wrk -t"$threads" -c"$connections" -d"${secs}s" \
    --timeout 5s -s "$root/bench/gateway_bench.lua" "$url"
  after=$(cpu_ticks "$@")
  requests=$(echo "$result" | sed 's/.*"requests": \([0-9]*\).*/\1/')
  result="${result%\}}, \"server_cpu_us_per_request\": $(awk -v t=$((after - before)) \
    -v hz="$(getconf CLK_TCK)" -v r="$requests" 'BEGIN{printf "%.1f", (r > 0 ? t / hz * 1e6 / r : 0)}')}"
}

# --- nginx: the static upstream -------------------------------------------------------------
nginx_port=$(free_port)
write_static_nginx_conf "$tmp/nginx" "$nginx_port" "$response_file"
taskset -c "$server_cpus" "$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" \
  -e "$tmp/nginx/error.log" -g 'daemon off;' &
pids+=($!)
nginx_pid=${pids[-1]}
wait_ready "$nginx_pid" nginx "$tmp/nginx/error.log" -X POST -d '{}' "http://127.0.0.1:$nginx_port/v1/chat/completions"
nginx_url=http://127.0.0.1:$nginx_port/v1/chat/completions
check_proxy nginx "$nginx_url"

# --- nginx as a reverse proxy (reference) ----------------------------------------------------
if [ "$skip_nginx_proxy" != 1 ]; then
  proxy_port=$(free_port)
  mkdir -p "$tmp/nginx-proxy"
  cat >"$tmp/nginx-proxy/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx-proxy/nginx.pid;
error_log $tmp/nginx-proxy/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx-proxy/body;
  proxy_temp_path $tmp/nginx-proxy/proxy;
  fastcgi_temp_path $tmp/nginx-proxy/fastcgi;
  uwsgi_temp_path $tmp/nginx-proxy/uwsgi;
  scgi_temp_path $tmp/nginx-proxy/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  upstream static_upstream {
    server 127.0.0.1:$nginx_port;
    keepalive 256;
    keepalive_requests 100000000;
  }
  server {
    listen 127.0.0.1:$proxy_port backlog=4096;
    location / {
      proxy_pass http://static_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
  taskset -c "$server_cpus" "$nginx_bin" -p "$tmp/nginx-proxy" -c "$tmp/nginx-proxy/nginx.conf" \
    -e "$tmp/nginx-proxy/error.log" -g 'daemon off;' &
  pids+=($!)
  proxy_pid=${pids[-1]}
  proxy_url=http://127.0.0.1:$proxy_port/v1/chat/completions
  wait_ready "$proxy_pid" "nginx reverse proxy" "$tmp/nginx-proxy/error.log" -X POST -d '{}' "$proxy_url"
  check_proxy "nginx reverse proxy" "$proxy_url"
fi

# --- Fulcrum -------------------------------------------------------------------------------
fulcrum_port=$(free_port)
write_fulcrum_conf "$tmp/fulcrum.toml" "$fulcrum_port" "$fulcrum_threads" "$fulcrum_log" "$nginx_port"
taskset -c "$server_cpus" "$fulcrum" serve --config "$tmp/fulcrum.toml" \
  >"$tmp/fulcrum.out" 2>"$tmp/fulcrum.log" &
pids+=($!)
fulcrum_pid=${pids[-1]}
wait_ready "$fulcrum_pid" "fulcrum serve" "$tmp/fulcrum.log" "http://127.0.0.1:$fulcrum_port/health"
fulcrum_url=http://127.0.0.1:$fulcrum_port/v1/chat/completions
check_proxy fulcrum "$fulcrum_url"
grep -q 'x-fulcrum-route' <(curl -sS -D - -o /dev/null -H 'content-type: application/json' \
  --data-binary "@$body_file" "$fulcrum_url") || die "fulcrum: no x-fulcrum-route header"

# --- Portkey --------------------------------------------------------------------------------
portkey_headers="x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:$nginx_port/v1|Authorization: Bearer sk-bench-not-a-secret"
if [ "$skip_portkey" != 1 ]; then
  portkey_port=$(free_port)
  (cd "$tmp" && NODE_ENV=production exec taskset -c "$server_cpus" node "$portkey" \
    --port="$portkey_port" --headless >"$tmp/portkey.log" 2>&1) &
  pids+=($!)
  portkey_pid=${pids[-1]}
  wait_ready "$portkey_pid" "portkey gateway" "$tmp/portkey.log" "http://127.0.0.1:$portkey_port/"
  portkey_url=http://127.0.0.1:$portkey_port/v1/chat/completions
  check_proxy portkey "$portkey_url" -H "x-portkey-provider: openai" \
    -H "x-portkey-custom-host: http://127.0.0.1:$nginx_port/v1" \
    -H "Authorization: Bearer sk-bench-not-a-secret"
fi

# --- throughput: wrk, same settings for all three -------------------------------------------
# Rounds alternate the three targets, so a burst of other load on the machine hits all of them;
# each target's figure is its median round.
echo "gateway_bench: $rounds rounds of wrk -t$threads -c$connections -d${duration}s (client cpus $client_cpus, server cpus $server_cpus)" >&2
run_wrk "$nginx_url" "" 2 "$nginx_pid"
run_wrk "$fulcrum_url" "" 2 "$fulcrum_pid" "$nginx_pid"
[ "$skip_portkey" = 1 ] || run_wrk "$portkey_url" "$portkey_headers" 2 "$portkey_pid" "$nginx_pid"
[ "$skip_nginx_proxy" = 1 ] || run_wrk "$proxy_url" "" 2 "$proxy_pid" "$nginx_pid"
wrk_nginx=() wrk_fulcrum=() wrk_portkey=() wrk_proxy=()
for round in $(seq "$rounds"); do
  run_wrk "$nginx_url" "" "$duration" "$nginx_pid"
  wrk_nginx+=("$result")
  echo "  [$round] nginx direct: ${wrk_nginx[-1]}" >&2
  run_wrk "$fulcrum_url" "" "$duration" "$fulcrum_pid" "$nginx_pid"
  wrk_fulcrum+=("$result")
  echo "  [$round] fulcrum:      ${wrk_fulcrum[-1]}" >&2
  if [ "$skip_nginx_proxy" != 1 ]; then
    run_wrk "$proxy_url" "" "$duration" "$proxy_pid" "$nginx_pid"
    wrk_proxy+=("$result")
    echo "  [$round] nginx proxy:  ${wrk_proxy[-1]}" >&2
  fi
  if [ "$skip_portkey" != 1 ]; then
    run_wrk "$portkey_url" "$portkey_headers" "$duration" "$portkey_pid" "$nginx_pid"
    wrk_portkey+=("$result")
    echo "  [$round] portkey:      ${wrk_portkey[-1]}" >&2
  fi
done

# --- latency at a fixed rate: open loop -----------------------------------------------------
echo "gateway_bench: $lat_rounds rounds of $rate requests/s for ${lat_duration}s (after 2 s warm-up)" >&2
lat_args=(--rate "$rate" --duration "$lat_duration" --warmup 2 --connections 16 --body "$body_file")
lat_nginx=() lat_fulcrum=()
for round in $(seq "$lat_rounds"); do
  run_client taskset -c "$client_cpus" "$loadgen" --port "$nginx_port" "${lat_args[@]}"
  lat_nginx+=("$result")
  echo "  [$round] nginx direct: ${lat_nginx[-1]}" >&2
  run_client taskset -c "$client_cpus" "$loadgen" --port "$fulcrum_port" "${lat_args[@]}"
  lat_fulcrum+=("$result")
  echo "  [$round] fulcrum:      ${lat_fulcrum[-1]}" >&2
done

kill -0 "$fulcrum_pid" 2>/dev/null || die "fulcrum serve died during the run"

# --- one JSON object ------------------------------------------------------------------------
json_array() { local IFS=,; echo "[$*]"; }
node - "$(json_array "${wrk_nginx[@]}")" "$(json_array "${wrk_fulcrum[@]}")" \
  "$(json_array "${wrk_portkey[@]+"${wrk_portkey[@]}"}")" "$(json_array "${lat_nginx[@]}")" \
  "$(json_array "${lat_fulcrum[@]}")" "$(json_array "${wrk_proxy[@]+"${wrk_proxy[@]}"}")" <<EOF
const [wns, wfs, wps, lns, lfs, wxs] = process.argv.slice(2).map((s) => JSON.parse(s));
const r = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs, key) => [...xs].sort((a, b) => key(a) - key(b))[Math.floor((xs.length - 1) / 2)];
const wn = median(wns, (w) => w.rps), wf = median(wfs, (w) => w.rps);
const wp = wps.length ? median(wps, (w) => w.rps) : null;
const wx = wxs.length ? median(wxs, (w) => w.rps) : null;
// Latency: the round whose added p99 is the median one.
const rounds = lns.map((ln, i) => ({ ln, lf: lfs[i], added: lfs[i].latency_us.p99 - ln.latency_us.p99 }));
const { ln, lf } = median(rounds, (x) => x.added);
const errs = (w) => w ? w.errors.connect + w.errors.read + w.errors.write + w.errors.timeout + w.errors.non_2xx : 0;
const sum = (xs, f) => xs.reduce((a, x) => a + f(x), 0);
const out = {
  bench: "gateway_overhead",
  setup: {
    wrk: { threads: $threads, connections: $connections, duration_s: $duration, rounds: $rounds },
    open_loop: { rate: $rate, duration_s: $lat_duration, warmup_s: 2, connections: 16, rounds: $lat_rounds },
    placement: "$placement", client_cpus: "$client_cpus", server_cpus: "$server_cpus",
    fulcrum_event_loops: $fulcrum_threads, fulcrum_log_level: "$fulcrum_log",
    request_bytes: $(wc -c <"$body_file"), response_bytes: $(wc -c <"$response_file"),
    loadavg_1m_at_end: $(cut -d' ' -f1 /proc/loadavg),
  },
  rps: { nginx_direct: r(wn.rps, 0), fulcrum: r(wf.rps, 0), portkey: wp ? r(wp.rps, 0) : null,
         nginx_reverse_proxy: wx ? r(wx.rps, 0) : null },
  rps_rounds: { nginx_direct: wns.map((w) => r(w.rps, 0)), fulcrum: wfs.map((w) => r(w.rps, 0)), portkey: wps.map((w) => r(w.rps, 0)),
                nginx_reverse_proxy: wxs.map((w) => r(w.rps, 0)) },
  ratios: {
    fulcrum_over_portkey: wp ? r(wf.rps / wp.rps, 1) : null,
    fulcrum_over_nginx_direct: r(wf.rps / wn.rps, 3),
    // Reference: a reverse proxy that only forwards bytes, over nginx direct; and Fulcrum over it.
    nginx_reverse_proxy_over_nginx_direct: wx ? r(wx.rps / wn.rps, 3) : null,
    fulcrum_over_nginx_reverse_proxy: wx ? r(wf.rps / wx.rps, 3) : null,
  },
  latency_at_fixed_rate_us: {
    nginx_direct: ln.latency_us, fulcrum: lf.latency_us,
    p50_added: r(lf.latency_us.p50 - ln.latency_us.p50, 1),
    p99_added: r(lf.latency_us.p99 - ln.latency_us.p99, 1),
    p99_added_rounds: rounds.map((x) => r(x.added, 1)),
    achieved_rps: { nginx_direct: ln.achieved_rps, fulcrum: lf.achieved_rps },
  },
  // CPU time of the processes under test per request (/proc, user + system; median rounds):
  // the gateway's own cost is its figure minus nginx direct's.
  server_cpu_us_per_request: {
    nginx_direct: wn.server_cpu_us_per_request,
    fulcrum_and_nginx: wf.server_cpu_us_per_request,
    portkey_and_nginx: wp ? wp.server_cpu_us_per_request : null,
    nginx_reverse_proxy_and_nginx: wx ? wx.server_cpu_us_per_request : null,
    fulcrum_only: r(wf.server_cpu_us_per_request - wn.server_cpu_us_per_request, 1),
    portkey_only: wp ? r(wp.server_cpu_us_per_request - wn.server_cpu_us_per_request, 1) : null,
  },
  errors: {
    nginx_direct: sum(wns, errs) + sum(lns, (l) => l.errors + l.non_2xx),
    fulcrum: sum(wfs, errs) + sum(lfs, (l) => l.errors + l.non_2xx),
    portkey: wp ? sum(wps, errs) : null,
  },
  wrk_latency_us: { nginx_direct: wn.latency_us, fulcrum: wf.latency_us, portkey: wp ? wp.latency_us : null },
  targets: {
    fulcrum_over_portkey_min: 30, fulcrum_over_nginx_direct_min: 0.25, p99_added_max_us: 1000,
    met: {
      fulcrum_over_portkey: wp ? wf.rps / wp.rps >= 30 : null,
      fulcrum_over_nginx_direct: wf.rps / wn.rps >= 0.25,
      p99_added: lf.latency_us.p99 - ln.latency_us.p99 < 1000,
    },
  },
};
console.log(JSON.stringify(out, null, 2));
EOF
