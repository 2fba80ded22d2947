#include "engine/sampler/logprobs.h"

#include <algorithm>
#include <cmath>

namespace fulcrum::engine {
namespace {

// log(sum(exp(logits))) computed stably.
double log_sum_exp(std::span<const float> logits) {
  float mx = -INFINITY;
  for (float l : logits) mx = std::max(mx, l);
  double s = 0.0;
  for (float l : logits) s += std::exp(static_cast<double>(l) - mx);
  return mx + std::log(s);
}

}  // namespace

float token_logprob(std::span<const float> logits, int32_t id) {
  if (id < 0 || static_cast<size_t>(id) >= logits.size()) return -INFINITY;
  return static_cast<float>(logits[static_cast<size_t>(id)] - log_sum_exp(logits));
}

void top_logprobs(std::span<const float> logits, size_t n, std::vector<TokenLogprob>& out) {
  n = std::min(n, logits.size());
  out.clear();
  if (n == 0) return;
  out.reserve(n + 1);
  const double lse = log_sum_exp(logits);
  auto better = [](const TokenLogprob& a, const TokenLogprob& b) {
    return a.logprob > b.logprob || (a.logprob == b.logprob && a.id < b.id);
  };
  // Keep a sorted list of the best n seen (n is small: OpenAI allows at most 20).
  for (size_t i = 0; i < logits.size(); ++i) {
    TokenLogprob t{static_cast<int32_t>(i), logits[i]};
    if (out.size() == n && !better(t, out.back())) continue;
    if (out.size() == n) out.pop_back();
    out.insert(std::upper_bound(out.begin(), out.end(), t, better), t);
  }
  for (auto& t : out) t.logprob = static_cast<float>(t.logprob - lse);
}

}  // namespace fulcrum::engine
