#include "engine/sampler/candidates.h"

#include <algorithm>
#include <cmath>

namespace fulcrum::engine {
namespace {

bool before(const TokenCandidate& a, const TokenCandidate& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

}  // namespace

void Candidates::reset(std::span<const float> logits) {
  if (data_.size() < logits.size()) data_.resize(logits.size());  // only on first use
  for (size_t i = 0; i < logits.size(); ++i) data_[i] = {static_cast<int32_t>(i), logits[i], 0.0f};
  size_ = logits.size();
  sorted_ = false;
}

void Candidates::sort_desc(size_t k) {
  if (k > 0 && k < size_) {
    std::partial_sort(begin(), begin() + k, end(), before);
    size_ = k;
  } else if (!sorted_) {
    std::sort(begin(), end(), before);
  }
  sorted_ = true;
}

void Candidates::softmax() {
  if (size_ == 0) return;
  float mx = data_[argmax()].logit;
  double sum = 0.0;
  for (auto& c : *this) {
    c.p = std::isinf(c.logit) && c.logit < 0 ? 0.0f : std::exp(c.logit - mx);
    sum += c.p;
  }
  for (auto& c : *this) c.p = static_cast<float>(c.p / sum);
}

size_t Candidates::argmax() const {
  size_t best = 0;
  for (size_t i = 1; i < size_; ++i)
    if (before(data_[i], data_[best])) best = i;
  return best;
}

}  // namespace fulcrum::engine
