#include "engine/sampler/sampler_stages.h"

#include <algorithm>
#include <cmath>

namespace fulcrum::engine {

PenaltyStage::PenaltyStage(int64_t n_vocab, int32_t last_n, float repeat, float frequency,
                           float presence)
    : repeat_(repeat),
      frequency_(frequency),
      presence_(presence),
      counts_(static_cast<size_t>(n_vocab), 0),
      ring_(static_cast<size_t>(std::max(last_n, 1)), -1) {}

void PenaltyStage::apply(Candidates& c) {
  if (filled_ == 0) return;
  for (auto& t : c) {
    const int32_t n = counts_[static_cast<size_t>(t.id)];
    if (n == 0) continue;
    if (repeat_ != 1.0f) t.logit = t.logit > 0 ? t.logit / repeat_ : t.logit * repeat_;
    t.logit -= static_cast<float>(n) * frequency_ + presence_;
  }
}

void PenaltyStage::accept(int32_t token) {
  if (token < 0 || static_cast<size_t>(token) >= counts_.size()) return;
  if (filled_ == ring_.size()) {
    --counts_[static_cast<size_t>(ring_[head_])];
  } else {
    ++filled_;
  }
  ring_[head_] = token;
  ++counts_[static_cast<size_t>(token)];
  head_ = (head_ + 1) % ring_.size();
}

void PenaltyStage::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  head_ = filled_ = 0;
}

void LogitBiasStage::apply(Candidates& c) {
  if (bias_.empty()) return;
  for (auto& t : c)
    for (const auto& [id, b] : bias_)
      if (t.id == id) t.logit += b;
}

void TopKStage::apply(Candidates& c) {
  if (k_ <= 0 || static_cast<size_t>(k_) >= c.size()) return;
  c.sort_desc(static_cast<size_t>(k_));
}

void TopPStage::apply(Candidates& c) {
  if (p_ >= 1.0f || c.size() <= 1) return;
  c.sort_desc();
  c.softmax();
  double cum = 0.0;
  size_t keep = c.size();
  for (size_t i = 0; i < c.size(); ++i) {
    cum += c[i].p;
    if (cum >= p_) {
      keep = i + 1;
      break;
    }
  }
  c.truncate(keep);
}

void MinPStage::apply(Candidates& c) {
  if (p_ <= 0.0f || c.size() <= 1) return;
  c.sort_desc();
  // p_i >= min_p * p_max  <=>  logit_i >= logit_max + log(min_p)
  const float threshold = c[0].logit + std::log(p_);
  size_t keep = 1;
  while (keep < c.size() && c[keep].logit >= threshold) ++keep;
  c.truncate(keep);
}

void TemperatureStage::apply(Candidates& c) {
  if (t_ == 1.0f) return;
  for (auto& t : c) t.logit /= t_;
}

}  // namespace fulcrum::engine
