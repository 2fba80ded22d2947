// UpstreamProvider: a Provider that talks HTTP to one kind of upstream API (a WireAdapter) over
// one or more replicas. It owns the reliability policy shared by every remote provider:
//
//  - each attempt picks a replica (ReplicaSet: weighted or least latency, breakers skipped);
//  - failures are classified: 429, 5xx, 408, transport errors and timeouts are retried with
//    exponential backoff and full jitter (never sooner than Retry-After; a Retry-After longer
//    than max_retry_after_ms ends the call with kRateLimited and outcome.retry_after_ms);
//    other 4xx are not retried;
//  - a stream that fails after its first chunk reached the sink ends with that error and
//    outcome.tokens_sent = true — it is never restarted;
//  - every attempt logs one line: provider, replica, attempt, status, outcome, milliseconds
//    (or hands the same to CallContext::on_attempt, which the gateway's request log uses).
//    Keys are replaced by "[redacted]" in every message that could echo them.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "providers/http_client.h"
#include "providers/provider.h"
#include "providers/provider_config.h"
#include "providers/replica_set.h"
#include "providers/wire_adapter.h"

namespace fulcrum::providers {

class UpstreamProvider final : public Provider,
                               public std::enable_shared_from_this<UpstreamProvider> {
 public:
  static Result<std::shared_ptr<UpstreamProvider>> create(ProviderConfig config,
                                                          std::shared_ptr<HttpClient> client);

  const std::string& name() const override { return config_.name; }
  std::string_view kind() const override { return config_.kind; }
  bool on_premises() const override { return config_.on_premises; }

  void chat(std::shared_ptr<const api::ChatRequest> request, const CallContext& ctx,
            std::shared_ptr<ChatSink> sink) override;
  void embed(std::shared_ptr<const api::EmbeddingRequest> request, const CallContext& ctx,
             EmbedCallback done) override;
  void check_health(HealthCallback done) override;
  Health health() const override { return replicas_.health(); }

  // Starts periodic health checks when health_check_interval_ms > 0 (stops with the provider).
  void start_health_checks();

  // For the call machinery (upstream_call.cpp) and tests.
  const ProviderConfig& config() const { return config_; }
  const WireAdapter& adapter() const { return *adapter_; }
  ReplicaSet& replicas() { return replicas_; }
  HttpClient& client() { return *client_; }
  // Replaces every configured key in `text` with "[redacted]".
  std::string redact(std::string text) const;
  int64_t jitter_backoff_ms(int retry, int64_t retry_after_ms);

  UpstreamProvider(ProviderConfig config, std::unique_ptr<WireAdapter> adapter,
                   std::shared_ptr<HttpClient> client);

 private:
  ProviderConfig config_;
  std::unique_ptr<WireAdapter> adapter_;
  std::shared_ptr<HttpClient> client_;
  ReplicaSet replicas_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  std::shared_ptr<std::function<void()>> health_tick_;
};

}  // namespace fulcrum::providers
