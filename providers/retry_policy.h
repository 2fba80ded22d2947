// Retry timing: exponential backoff with full jitter, and the upstream's Retry-After.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

namespace fulcrum::providers {

struct BackoffPolicy {
  int64_t initial_ms = 200;
  int64_t max_ms = 5'000;
};

// Delay before retry number `retry` (1 = first retry): uniform in [0, min(max, initial*2^(k-1))]
// ("full jitter"), and never less than `retry_after_ms` when that is >= 0.
int64_t backoff_delay_ms(const BackoffPolicy& policy, int retry, int64_t retry_after_ms,
                         std::mt19937_64& rng);

// Parses a Retry-After value (delta seconds, possibly fractional, or an HTTP date) into
// milliseconds from `now_unix_s`; -1 when absent or unparsable.
int64_t parse_retry_after_ms(std::string_view value, int64_t now_unix_s);

}  // namespace fulcrum::providers
