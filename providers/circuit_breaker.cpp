#include "providers/circuit_breaker.h"

namespace fulcrum::providers {

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  if (!open_) return State::kClosed;
  return now - opened_at_ >= cooldown_ ? State::kHalfOpen : State::kOpen;
}

bool CircuitBreaker::would_allow(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  if (!open_) return true;
  return now - opened_at_ >= cooldown_ && !trial_in_flight_;
}

bool CircuitBreaker::allow(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (!open_) return true;
  if (now - opened_at_ < cooldown_ || trial_in_flight_) return false;
  trial_in_flight_ = true;
  return true;
}

void CircuitBreaker::on_success() {
  std::lock_guard lock(mu_);
  failures_ = 0;
  open_ = false;
  trial_in_flight_ = false;
}

void CircuitBreaker::on_failure(Clock::time_point now) {
  std::lock_guard lock(mu_);
  ++failures_;
  if (open_ || failures_ >= failures_to_open_) {
    open_ = true;
    opened_at_ = now;
  }
  trial_in_flight_ = false;
}

int CircuitBreaker::consecutive_failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

}  // namespace fulcrum::providers
