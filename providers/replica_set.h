// ReplicaSet: the replicas of one provider with their breakers and latency, and the balancing
// rule that picks one per attempt. Weighted: random in proportion to `weight` among replicas
// whose breaker allows a call. Least latency: the lowest moving average of time to first byte
// (untried replicas first, ties broken by weight). A retry avoids replicas it already tried
// while others are available. Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "providers/circuit_breaker.h"
#include "providers/provider.h"
#include "providers/provider_config.h"

namespace fulcrum::providers {

class ReplicaSet {
 public:
  explicit ReplicaSet(const ProviderConfig& config);

  size_t size() const { return replicas_.size(); }
  const ReplicaConfig& config(size_t i) const { return replicas_[i]->config; }
  CircuitBreaker& breaker(size_t i) { return replicas_[i]->breaker; }

  // Index of the replica for the next attempt, or -1 when every breaker is open.
  // `tried` is a bit set of replicas already used by this call (bit i = replica i).
  int pick(uint64_t tried);
  // Feedback from an attempt: time to first byte on success, or a failure that counts
  // against the replica's breaker.
  void record_success(size_t i, double first_byte_ms);
  void record_failure(size_t i);
  // Neither success nor failure (e.g. 429: the replica is up but busy).
  void record_neutral(size_t i);
  double latency_ewma_ms(size_t i) const;
  Health health() const;

 private:
  struct Replica {
    Replica(ReplicaConfig c, int failures, std::chrono::milliseconds cooldown)
        : config(std::move(c)), breaker(failures, cooldown) {}
    ReplicaConfig config;
    CircuitBreaker breaker;
    double ewma_ms = -1;  // -1: no sample yet
  };

  BalancePolicy policy_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  mutable std::mutex mu_;  // ewma_ms and rng_
  std::mt19937_64 rng_;
};

}  // namespace fulcrum::providers
