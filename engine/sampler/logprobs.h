// Log-probabilities from a logits row: the top-n alternatives and the chosen token's own, as the
// OpenAI `logprobs` / `top_logprobs` fields report them (natural log of the softmax).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace fulcrum::engine {

struct TokenLogprob {
  int32_t id;
  float logprob;
};

// log_softmax(logits)[id].
float token_logprob(std::span<const float> logits, int32_t id);
// The n most likely tokens, most likely first (ties: lower id first), into out (resized to n or
// to the vocabulary size when smaller).
void top_logprobs(std::span<const float> logits, size_t n, std::vector<TokenLogprob>& out);

}  // namespace fulcrum::engine
