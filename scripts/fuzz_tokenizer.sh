#!/usr/bin/env bash
# Fuzzes the tokenizers (encode/decode round trip + incremental detokenizer over every vocab file
# of the test data): scripts/fuzz_tokenizer.sh [SECONDS [LIBFUZZER FLAGS...]] (default 3600 s;
# CI passes 30). FULCRUM_FUZZ_RUNS=N stops after N executions instead.
# Seeds: every test string of $FULCRUM_TESTDATA/tokenizer/*.gguf.inp once per vocab
# (tests/fuzz/tokenizer_seed_maker), written at run time into BUILD/corpus-tokenizer (git-ignored,
# never committed). Any crash, failed round trip, leak, timeout, sanitizer report, allocation over
# 256 MB or process over 2 GB is a failure.
set -euo pipefail
source "$(dirname "$0")/lib/fuzz_common.sh"
secs=${1:-3600}
shift || true  # further arguments go to libFuzzer as they are
fuzz_setup tokenizer
ASAN_OPTIONS=detect_leaks=0 "$maker" "$corpus/seeds"
echo "fuzz_tokenizer.sh: vocabs under $FULCRUM_TESTDATA/tokenizer"
fuzz_exec tokenizer "$secs" -max_len=4096 -rss_limit_mb=2048 -malloc_limit_mb=256 "$@"
