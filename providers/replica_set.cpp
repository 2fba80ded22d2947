#include "providers/replica_set.h"

namespace fulcrum::providers {
namespace {
constexpr double kEwmaAlpha = 0.2;
}

ReplicaSet::ReplicaSet(const ProviderConfig& config)
    : policy_(config.balance), rng_(std::random_device{}()) {
  for (const auto& r : config.replicas) {
    replicas_.push_back(std::make_unique<Replica>(
        r, config.breaker_failures, std::chrono::milliseconds(config.breaker_cooldown_ms)));
  }
}

int ReplicaSet::pick(uint64_t tried) {
  // One replica (the usual provider): it is the only candidate, tried or not, if its breaker
  // lets the call through; no candidate list, no lock, and no clock read while it is closed.
  if (replicas_.size() == 1) return replicas_[0]->breaker.allow() ? 0 : -1;
  auto now = CircuitBreaker::Clock::now();
  std::vector<int> candidates;
  for (int pass = 0; pass < 2 && candidates.empty(); ++pass) {
    for (size_t i = 0; i < replicas_.size(); ++i) {
      bool was_tried = i < 64 && (tried >> i) & 1;
      if (pass == 0 && was_tried) continue;
      if (replicas_[i]->breaker.would_allow(now)) candidates.push_back(static_cast<int>(i));
    }
  }
  std::lock_guard lock(mu_);
  while (!candidates.empty()) {
    int chosen = -1;
    if (policy_ == BalancePolicy::kLeastLatency) {
      double best = 0;
      for (int i : candidates) {
        double e = replicas_[i]->ewma_ms;
        double w = replicas_[i]->config.weight;
        // Untried replicas (-1) sort first; among equals the heavier weight wins.
        double score = e < 0 ? -w : e / w;
        if (chosen < 0 || score < best) {
          best = score;
          chosen = i;
        }
      }
    } else {
      double total = 0;
      for (int i : candidates) total += replicas_[i]->config.weight;
      double x = std::uniform_real_distribution<double>(0, total)(rng_);
      chosen = candidates.back();
      for (int i : candidates) {
        x -= replicas_[i]->config.weight;
        if (x < 0) {
          chosen = i;
          break;
        }
      }
    }
    if (replicas_[chosen]->breaker.allow(now)) return chosen;
    std::erase(candidates, chosen);  // lost the half-open trial slot to another call
  }
  return -1;
}

void ReplicaSet::record_success(size_t i, double first_byte_ms) {
  replicas_[i]->breaker.on_success();
  std::lock_guard lock(mu_);
  double& e = replicas_[i]->ewma_ms;
  e = e < 0 ? first_byte_ms : (1 - kEwmaAlpha) * e + kEwmaAlpha * first_byte_ms;
}

void ReplicaSet::record_failure(size_t i) {
  replicas_[i]->breaker.on_failure();
  std::lock_guard lock(mu_);
  double& e = replicas_[i]->ewma_ms;
  // A failing replica looks slower, so least-latency moves away from it.
  e = e < 0 ? 1000 : e * 1.5 + 100;
}

void ReplicaSet::record_neutral(size_t i) {
  // A busy replica keeps its breaker state but releases a half-open trial slot.
  if (replicas_[i]->breaker.state() == CircuitBreaker::State::kHalfOpen) {
    replicas_[i]->breaker.on_failure();
  }
}

double ReplicaSet::latency_ewma_ms(size_t i) const {
  std::lock_guard lock(mu_);
  return replicas_[i]->ewma_ms;
}

Health ReplicaSet::health() const {
  size_t open = 0;
  for (const auto& r : replicas_) open += r->breaker.state() == CircuitBreaker::State::kOpen;
  if (open == 0) return Health::kHealthy;
  return open == replicas_.size() ? Health::kUnhealthy : Health::kDegraded;
}

}  // namespace fulcrum::providers
