#include "engine/sampler/sampler_chain.h"

#include <cmath>
#include <string>

namespace fulcrum::engine {
namespace {

Error bad(const std::string& field, const std::string& msg) {
  return Error(ErrorCode::kInvalidArgument, field + ": " + msg).with_field(field);
}

Status validate(const SamplingParams& p, int64_t n_vocab) {
  if (!(p.temperature >= 0) || !std::isfinite(p.temperature))
    return bad("temperature", "must be a finite number >= 0");
  if (p.top_k < 0) return bad("top_k", "must be >= 0");
  if (!(p.top_p > 0 && p.top_p <= 1)) return bad("top_p", "must be in (0, 1]");
  if (!(p.min_p >= 0 && p.min_p <= 1)) return bad("min_p", "must be in [0, 1]");
  if (!(p.repeat_penalty > 0) || !std::isfinite(p.repeat_penalty))
    return bad("repeat_penalty", "must be > 0");
  if (p.repeat_last_n < 0) return bad("repeat_last_n", "must be >= 0");
  if (!std::isfinite(p.frequency_penalty) || !std::isfinite(p.presence_penalty))
    return bad("frequency_penalty", "penalties must be finite");
  for (const auto& [id, b] : p.logit_bias) {
    if (id < 0 || id >= n_vocab)
      return bad("logit_bias", "token id " + std::to_string(id) + " is outside the vocabulary");
    if (std::isnan(b)) return bad("logit_bias", "bias must be a number");
  }
  return {};
}

}  // namespace

SamplerChain::SamplerChain(int64_t n_vocab, bool greedy, uint64_t seed)
    : cand_(static_cast<size_t>(n_vocab)), greedy_(greedy), seed_(seed), rng_(seed) {}

Result<SamplerChain> SamplerChain::create(const SamplingParams& p, int64_t n_vocab) {
  if (n_vocab <= 0) return bad("n_vocab", "must be > 0");
  FULCRUM_TRY_STATUS(validate(p, n_vocab));
  const bool greedy = p.temperature == 0.0f;
  SamplerChain chain(n_vocab, greedy, p.seed);
  if (p.repeat_last_n > 0 &&
      (p.repeat_penalty != 1.0f || p.frequency_penalty != 0.0f || p.presence_penalty != 0.0f))
    chain.add(std::make_unique<PenaltyStage>(n_vocab, p.repeat_last_n, p.repeat_penalty,
                                             p.frequency_penalty, p.presence_penalty));
  if (!p.logit_bias.empty()) chain.add(std::make_unique<LogitBiasStage>(p.logit_bias));
  if (!greedy) {
    if (p.top_k > 0) chain.add(std::make_unique<TopKStage>(p.top_k));
    if (p.top_p < 1.0f) chain.add(std::make_unique<TopPStage>(p.top_p));
    if (p.min_p > 0.0f) chain.add(std::make_unique<MinPStage>(p.min_p));
    chain.add(std::make_unique<TemperatureStage>(p.temperature));
  }
  return chain;
}

double SamplerChain::uniform() {
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

int32_t SamplerChain::sample(std::span<const float> logits) {
  cand_.reset(logits);
  for (auto& s : stages_) s->apply(cand_);
  if (cand_.size() == 0) return 0;
  if (greedy_) return cand_[cand_.argmax()].id;
  cand_.softmax();
  const double r = uniform();
  double cum = 0.0;
  for (size_t i = 0; i < cand_.size(); ++i) {
    cum += cand_[i].p;
    if (r < cum) return cand_[i].id;
  }
  // Rounding left r above the last cumulative sum: the last token with p > 0.
  for (size_t i = cand_.size(); i-- > 0;)
    if (cand_[i].p > 0) return cand_[i].id;
  return cand_[0].id;
}

void SamplerChain::accept(int32_t token) {
  for (auto& s : stages_) s->accept(token);
}

void SamplerChain::reset() {
  for (auto& s : stages_) s->reset();
  rng_.seed(seed_);
}

}  // namespace fulcrum::engine
