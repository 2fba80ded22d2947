#include "providers/circuit_breaker.h"

namespace fulcrum::providers {

void CircuitBreaker::publish() {
  open_flag_.store(open_, std::memory_order_release);
  clean_.store(!open_ && failures_ == 0 && !trial_in_flight_, std::memory_order_release);
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  if (!open_flag_.load(std::memory_order_acquire)) return State::kClosed;
  std::lock_guard lock(mu_);
  if (!open_) return State::kClosed;
  return now - opened_at_ >= cooldown_ ? State::kHalfOpen : State::kOpen;
}

bool CircuitBreaker::would_allow(Clock::time_point now) const {
  if (!open_flag_.load(std::memory_order_acquire)) return true;
  std::lock_guard lock(mu_);
  if (!open_) return true;
  return now - opened_at_ >= cooldown_ && !trial_in_flight_;
}

bool CircuitBreaker::allow(Clock::time_point now) {
  if (!open_flag_.load(std::memory_order_acquire)) return true;
  std::lock_guard lock(mu_);
  if (!open_) return true;
  if (now - opened_at_ < cooldown_ || trial_in_flight_) return false;
  trial_in_flight_ = true;
  publish();
  return true;
}

void CircuitBreaker::on_success() {
  // Nothing to reset: the usual case, and it leaves the shared cache line unwritten. A failure
  // racing with this success is ordered after it, as the lock would have allowed.
  if (clean_.load(std::memory_order_acquire)) return;
  std::lock_guard lock(mu_);
  failures_ = 0;
  open_ = false;
  trial_in_flight_ = false;
  publish();
}

void CircuitBreaker::on_failure(Clock::time_point now) {
  std::lock_guard lock(mu_);
  ++failures_;
  if (open_ || failures_ >= failures_to_open_) {
    open_ = true;
    opened_at_ = now;
  }
  trial_in_flight_ = false;
  publish();
}

int CircuitBreaker::consecutive_failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

}  // namespace fulcrum::providers
