// The typed contents of one [providers.<name>] table.
//
//   [providers.claude]
//   kind = "anthropic"                 # openai_compat | anthropic | gemini (required)
//   base_url = "https://api.anthropic.com/v1"   # one replica; or [[providers.X.replicas]]
//   api_key = "..."                    # or api_key_env = "ANTHROPIC_API_KEY"
//   on_premises = false
//   connect_timeout_ms = 5000
//   first_byte_timeout_ms = 60000
//   total_timeout_ms = 600000
//   max_retries = 2                    # retries after the first attempt, retryable errors only
//   backoff_initial_ms = 200           # exponential: initial * 2^k, full jitter, capped
//   backoff_max_ms = 5000
//   max_retry_after_ms = 30000         # a longer Retry-After is returned to the caller instead
//   breaker_failures = 5               # consecutive failures that open a replica's breaker
//   breaker_cooldown_ms = 30000        # open -> half-open (one trial call) after this
//   balance = "weighted"               # weighted | least_latency
//   health_check_interval_ms = 0       # 0: no periodic checks
//   max_response_bytes = 16777216
//   ca_file = ""                       # extra CA bundle (TLS verification stays on)
//   api_version = "2023-06-01"         # anthropic only: anthropic-version header
//
//   [[providers.claude.replicas]]      # several replicas of the same model service
//   base_url = "https://eu.example.com/v1"
//   weight = 2                         # for balance = "weighted"
//   api_key_env = "CLAUDE_EU_KEY"      # optional per-replica key (else the provider's)
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/result.h"
#include "providers/http_client.h"

namespace fulcrum::providers {

enum class BalancePolicy { kWeighted, kLeastLatency };

struct ReplicaConfig {
  std::string base_url;  // scheme://host[:port][/prefix], no trailing slash
  double weight = 1.0;
  std::string api_key;  // resolved (from api_key or api_key_env); may be empty
};

struct ProviderConfig {
  std::string name;
  std::string kind;
  bool on_premises = false;
  std::vector<ReplicaConfig> replicas;  // at least one
  HttpTimeouts timeouts;
  int max_retries = 2;
  int64_t backoff_initial_ms = 200;
  int64_t backoff_max_ms = 5'000;
  int64_t max_retry_after_ms = 30'000;
  int breaker_failures = 5;
  int64_t breaker_cooldown_ms = 30'000;
  BalancePolicy balance = BalancePolicy::kWeighted;
  int64_t health_check_interval_ms = 0;
  int64_t max_response_bytes = 16 << 20;
  std::string ca_file;
  std::string api_version;  // anthropic-version
};

// Reads the environment (std::getenv by default; tests pass their own).
using EnvLookup = std::function<std::string(const std::string&)>;
std::string process_env(const std::string& name);

// Parses and validates one provider table; calls table.finish().
Result<ProviderConfig> parse_provider_config(ConfigTable table, std::string name,
                                             const EnvLookup& env = process_env);

}  // namespace fulcrum::providers
