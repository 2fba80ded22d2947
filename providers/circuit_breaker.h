// CircuitBreaker: per-replica failure gate. Closed: calls flow; `failures_to_open` consecutive
// failures open it. Open: calls are refused until `cooldown` has passed, then it is half-open:
// one trial call is let through; its success closes the breaker, its failure re-opens it.
// Thread-safe (calls from several I/O threads). A closed breaker with no failures is read and
// kept through two atomic flags without the lock, so healthy traffic from several threads
// only reads the breaker's cache line instead of writing it on every call.
#pragma once

#include <atomic>
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
  bool allow(Clock::time_point now);
  // Like allow() but claims nothing: for picking among replicas.
  bool would_allow(Clock::time_point now) const;
  void on_success();
  void on_failure(Clock::time_point now = Clock::now());
  State state(Clock::time_point now) const;
  // The same at the current time; a closed breaker answers without reading the clock.
  bool allow() { return !open_flag_.load(std::memory_order_acquire) || allow(Clock::now()); }
  bool would_allow() const {
    return !open_flag_.load(std::memory_order_acquire) || would_allow(Clock::now());
  }
  State state() const {
    return open_flag_.load(std::memory_order_acquire) ? state(Clock::now()) : State::kClosed;
  }
  int consecutive_failures() const;

 private:
  void publish();  // under mu_: refreshes the two flags below

  mutable std::mutex mu_;
  std::atomic<bool> open_flag_{false};  // == open_
  std::atomic<bool> clean_{true};       // no failures, closed, no trial in flight
  int failures_to_open_;
  std::chrono::milliseconds cooldown_;
  int failures_ = 0;
  bool open_ = false;
  bool trial_in_flight_ = false;
  Clock::time_point opened_at_{};
};

}  // namespace fulcrum::providers
