#!/usr/bin/env bash
# The training run of the profile-guided build (scripts/build.sh, FULCRUM_PGO in
# cmake/FulcrumOptions.cmake): an instrumented `fulcrum serve` answers a mix of traffic through the
# stand-in upstream (tests/standin, the providers' reference fixtures) so that its profiles cover
# the gateway's request paths:
#   OpenAI chat in and out (plain, streamed with usage, with sensitive data for the privacy scan,
#   with tools), Anthropic Messages in (to an OpenAI-compatible target, plain and streamed),
#   OpenAI chat in to Anthropic and Gemini targets (plain and streamed), embeddings, models,
#   health and metrics; two event loops, privacy scan on, request log at info.
# The profiles are written when the server exits (SIGTERM, a clean drain).
#
#   scripts/pgo_train.sh BUILD_DIR      (needs BUILD_DIR's fulcrum, fulcrum_standin, gateway_loadgen)
#
# Exits non-zero, saying why, when any part fails: a build that asked for profiles gets them or
# stops.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: pgo_train.sh BUILD_DIR}
fulcrum=$build/apps/fulcrum
standin=$build/tests/standin/fulcrum_standin
loadgen=$build/bench/gateway_loadgen
rate=${FULCRUM_PGO_RATE:-300}      # requests/s per traffic kind
secs=${FULCRUM_PGO_SECONDS:-1}     # seconds per traffic kind

die() { echo "pgo_train: $*" >&2; exit 1; }
for b in "$fulcrum" "$standin" "$loadgen"; do [ -x "$b" ] || die "$b is not built"; done

tmp=$(mktemp -d -t fulcrum-pgo.XXXXXX)
standin_pid="" fulcrum_pid=""
cleanup() {
  [ -n "$fulcrum_pid" ] && kill "$fulcrum_pid" 2>/dev/null
  [ -n "$standin_pid" ] && kill "$standin_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# A process that prints a line naming its port; waits up to 30 s for it.
read_port() {  # FILE PATTERN
  for _ in $(seq 300); do
    if [ -s "$1" ]; then
      local line
      line=$(grep -m1 -E "$2" "$1" || true)
      if [ -n "$line" ]; then
        grep -oE '[0-9]+$' <<<"$line"
        return
      fi
    fi
    sleep 0.1
  done
  return 1
}

"$standin" --port 0 >"$tmp/standin.out" 2>"$tmp/standin.err" &
standin_pid=$!
sp=$(read_port "$tmp/standin.out" '^[0-9]+$') || die "the stand-in upstream did not start: $(cat "$tmp/standin.err")"

cat >"$tmp/fulcrum.toml" <<CONF
[server]
host = "127.0.0.1"
port = 0
threads = 2
log_format = "json"
log_level = "info"
request_log = "$tmp/requests.log"

[providers.openai]
kind = "openai_compat"
base_url = "http://127.0.0.1:$sp/v1"
api_key = "test-openai-key"
on_premises = true
max_retries = 0

[providers.anthropic]
kind = "anthropic"
base_url = "http://127.0.0.1:$sp/v1"
api_key = "test-anthropic-key"
on_premises = true
max_retries = 0

[providers.gemini]
kind = "gemini"
base_url = "http://127.0.0.1:$sp/v1beta"
api_key = "test-gemini-key"
on_premises = true
max_retries = 0

[privacy]
enabled = true

[models.auto]
targets = [{ provider = "openai", model = "gpt-test", on_premises = true }]

[models.tools]
targets = [{ provider = "openai", model = "gpt-test-tools", on_premises = true }]

[models.claude]
targets = [{ provider = "anthropic", model = "claude-test", on_premises = true }]

[models.gemini]
targets = [{ provider = "gemini", model = "gemini-test", on_premises = true }]

[models.embed]
targets = [{ provider = "openai", model = "embed-test", on_premises = true }]
CONF

"$fulcrum" serve --config "$tmp/fulcrum.toml" >"$tmp/fulcrum.out" 2>"$tmp/fulcrum.err" &
fulcrum_pid=$!
fp=$(read_port "$tmp/fulcrum.out" 'listening on') ||
  die "fulcrum serve did not start: $(tail -5 "$tmp/fulcrum.err")"

sys='{"role":"system","content":"You are a concise assistant for an online bookshop. Answer in two or three sentences."}'
user='{"role":"user","content":"Order 4481-2207 was placed on 2024-03-02 and shows version 2.14.1 of the tracking page. What does the status mean?"}'
pii='{"role":"user","content":"Please update my account: email jane.doe@example.com, phone +1 415 555 0132, card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00."}'
tool='{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}'

# One traffic kind: PATH BODY [HEADER ...]; every answer must be 2xx.
drive() {
  local path=$1 body=$2
  shift 2
  printf '%s' "$body" >"$tmp/body.json"
  local args=(--port "$fp" --path "$path" --rate "$rate" --duration "$secs" --warmup 0
              --connections 8 --body "$tmp/body.json")
  for h in "$@"; do args+=(--header "$h"); done
  local out
  out=$("$loadgen" "${args[@]}") || die "load generator failed on $path"
  grep -q '"errors": 0, "non_2xx": 0' <<<"$out" || die "errors on $path $body: $out"
}

drive /v1/chat/completions "{\"model\":\"auto\",\"messages\":[$sys,$user],\"temperature\":0.2,\"max_tokens\":256}"
drive /v1/chat/completions "{\"model\":\"auto\",\"messages\":[$sys,$user],\"stream\":true,\"stream_options\":{\"include_usage\":true}}"
drive /v1/chat/completions "{\"model\":\"auto\",\"messages\":[$sys,$pii],\"max_tokens\":64}"
drive /v1/chat/completions "{\"model\":\"tools\",\"messages\":[$user],\"tools\":[$tool],\"tool_choice\":\"auto\"}"
drive /v1/chat/completions "{\"model\":\"claude\",\"messages\":[$sys,$user],\"max_tokens\":1024}"
drive /v1/chat/completions "{\"model\":\"claude\",\"messages\":[$sys,$user],\"max_tokens\":1024,\"stream\":true}"
drive /v1/chat/completions "{\"model\":\"gemini\",\"messages\":[$sys,$user],\"max_tokens\":256}"
drive /v1/chat/completions "{\"model\":\"gemini\",\"messages\":[$sys,$user],\"stream\":true}"
drive /v1/messages "{\"model\":\"auto\",\"max_tokens\":256,\"system\":\"Be brief.\",\"messages\":[$user]}"
drive /v1/messages "{\"model\":\"auto\",\"max_tokens\":256,\"messages\":[$user],\"stream\":true}"
drive /v1/embeddings '{"model":"embed","input":["hello","world"]}'

# GETs: once each is enough.
for path in /health /metrics /v1/models; do
  exec 3<>"/dev/tcp/127.0.0.1/$fp" || die "cannot connect for GET $path"
  printf 'GET %s HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n' "$path" >&3
  head -c 12 <&3 | grep -q ' 200' || die "GET $path did not answer 200"
  exec 3<&-
done

kill -TERM "$fulcrum_pid"
wait "$fulcrum_pid" || die "fulcrum serve did not exit cleanly (its profiles would be missing)"
fulcrum_pid=""
echo "pgo_train: profiles written ($(find "${FULCRUM_PGO_DIR:-$build/pgo-profile}" -name '*.gcda' 2>/dev/null | wc -l) files)" >&2
