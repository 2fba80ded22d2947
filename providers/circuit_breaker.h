// CircuitBreaker: per-replica failure gate. Closed: calls flow; `failures_to_open` consecutive
// failures open it. Open: calls are refused until `cooldown` has passed, then it is half-open:
// one trial call is let through; its success closes the breaker, its failure re-opens it.
// Thread-safe (calls from several I/O threads).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace fulcrum::providers {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { kClosed, kOpen, kHalfOpen };

  CircuitBreaker(int failures_to_open, std::chrono::milliseconds cooldown)
      : failures_to_open_(failures_to_open), cooldown_(cooldown) {}

  // True when a call may go out now (claims the half-open trial slot).
  bool allow(Clock::time_point now = Clock::now());
  // Like allow() but claims nothing: for picking among replicas.
  bool would_allow(Clock::time_point now = Clock::now()) const;
  void on_success();
  void on_failure(Clock::time_point now = Clock::now());
  State state(Clock::time_point now = Clock::now()) const;
  int consecutive_failures() const;

 private:
  mutable std::mutex mu_;
  int failures_to_open_;
  std::chrono::milliseconds cooldown_;
  int failures_ = 0;
  bool open_ = false;
  bool trial_in_flight_ = false;
  Clock::time_point opened_at_{};
};

}  // namespace fulcrum::providers
