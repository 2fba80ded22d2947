// Perplexity as llama.cpp's `llama-perplexity` defines it: the token stream is cut into chunks of
// n_ctx tokens (the first token of each replaced by BOS when the model adds one), each chunk is
// run from an empty cache, and the negative log-likelihood of the tokens of the second half of
// each chunk (predicted from positions n_ctx/2 .. n_ctx-2) is averaged; ppl = exp(mean NLL).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/result.h"
#include "engine/model/context.h"

namespace fulcrum::engine {

struct PerplexityResult {
  double ppl = 0;
  double mean_nll = 0;
  int64_t n_chunks = 0;
  int64_t n_ctx = 0;
  int64_t n_scored = 0;  // tokens whose NLL was summed
};

// ctx must have room for n_ctx tokens; bos: the id that starts each chunk, if the model adds one.
Result<PerplexityResult> perplexity(Context& ctx, std::span<const int32_t> tokens, int64_t n_ctx,
                                    std::optional<int32_t> bos);

}  // namespace fulcrum::engine
