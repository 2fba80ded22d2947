// SamplerChain: logits → one token id, through a chain of small stages (sampler_stages.h) and a
// final selector: greedy argmax when temperature is 0, else a draw from a seeded generator (the
// same seed and the same logits give the same tokens, on any platform).
//
//   FULCRUM_TRY(auto chain, SamplerChain::create(params, n_vocab));
//   for (int32_t t : prompt) chain.accept(t);
//   int32_t tok = chain.sample(logits);  chain.accept(tok);
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "core/result.h"
#include "engine/sampler/candidates.h"
#include "engine/sampler/sampler_stages.h"

namespace fulcrum::engine {

struct SamplingParams {
  float temperature = 0.8f;     // 0: greedy
  int32_t top_k = 40;           // 0: off
  float top_p = 0.95f;          // 1: off
  float min_p = 0.05f;          // 0: off
  float repeat_penalty = 1.0f;  // 1: off
  int32_t repeat_last_n = 64;   // window of the penalties
  float frequency_penalty = 0.0f;
  float presence_penalty = 0.0f;
  std::vector<std::pair<int32_t, float>> logit_bias;
  uint64_t seed = 0;
};

class SamplerChain {
 public:
  // The default chain: penalties → logit bias → top-k → top-p → min-p → temperature → draw
  // (llama.cpp's order). Invalid values (negative temperature, top_p outside (0, 1], ...) and
  // logit-bias ids outside the vocabulary are errors naming the parameter.
  static Result<SamplerChain> create(const SamplingParams& params, int64_t n_vocab);
  // An empty chain (greedy unless stages with a non-zero temperature are added).
  SamplerChain(int64_t n_vocab, bool greedy, uint64_t seed);

  void add(std::unique_ptr<SamplerStage> stage) { stages_.push_back(std::move(stage)); }
  // Picks a token from a logits row of n_vocab floats. Does not allocate.
  int32_t sample(std::span<const float> logits);
  // Records a token of the sequence (for penalties).
  void accept(int32_t token);
  // Clears the history and re-seeds the generator.
  void reset();
  bool greedy() const { return greedy_; }
  const Candidates& last_candidates() const { return cand_; }

 private:
  double uniform();  // [0, 1) with 53 random bits, independent of the standard library

  std::vector<std::unique_ptr<SamplerStage>> stages_;
  Candidates cand_;
  bool greedy_;
  uint64_t seed_;
  std::mt19937_64 rng_;
};

}  // namespace fulcrum::engine
