#!/usr/bin/env bash
# Fuzzes the chat-template engine (random templates over random chat inputs, small render limits):
# scripts/fuzz_template.sh [SECONDS [LIBFUZZER FLAGS...]] (default 3600 s; CI passes 30).
# FULCRUM_FUZZ_RUNS=N stops after N executions instead.
# Seeds: every chat golden case as "template NUL input JSON" plus the built-in templates
# (tests/fuzz/template_seed_maker), written at run time into BUILD/corpus-template (git-ignored,
# never committed); dictionary tests/fuzz/jinja.dict. Any crash, hang (-timeout), leak, sanitizer
# report, allocation over 64 MB or process over 1 GB is a failure; template errors are not.
set -euo pipefail
source "$(dirname "$0")/lib/fuzz_common.sh"
secs=${1:-3600}
shift || true  # further arguments go to libFuzzer as they are
fuzz_setup template
ASAN_OPTIONS=detect_leaks=0 "$maker" "$corpus/seeds"
fuzz_exec template "$secs" -max_len=16384 -rss_limit_mb=1024 -malloc_limit_mb=64 \
  -dict=tests/fuzz/jinja.dict "$@"
