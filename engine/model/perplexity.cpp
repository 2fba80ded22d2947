#include "engine/model/perplexity.h"

#include <cmath>
#include <string>
#include <vector>

namespace fulcrum::engine {

Result<PerplexityResult> perplexity(Context& ctx, std::span<const int32_t> tokens, int64_t n_ctx,
                                    std::optional<int32_t> bos) {
  if (n_ctx < 4) return Error(ErrorCode::kInvalidArgument, "perplexity needs n_ctx >= 4");
  if (n_ctx > ctx.n_ctx())
    return Error(ErrorCode::kInvalidArgument,
                 "n_ctx " + std::to_string(n_ctx) + " exceeds the context size " +
                     std::to_string(ctx.n_ctx()) + " (the model's context_length)");
  const int64_t n_chunks = static_cast<int64_t>(tokens.size()) / n_ctx;
  if (n_chunks == 0)
    return Error(ErrorCode::kInvalidArgument,
                 "text has " + std::to_string(tokens.size()) +
                     " tokens, need at least n_ctx = " + std::to_string(n_ctx));
  const int64_t n_vocab = ctx.n_vocab();
  std::vector<int32_t> chunk(static_cast<size_t>(n_ctx));
  std::vector<float> logits(static_cast<size_t>(n_ctx * n_vocab));
  const int64_t first = n_ctx / 2;
  double nll = 0.0;
  int64_t count = 0;
  for (int64_t c = 0; c < n_chunks; ++c) {
    for (int64_t j = 0; j < n_ctx; ++j) chunk[j] = tokens[c * n_ctx + j];
    if (bos) chunk[0] = *bos;
    ctx.reset();
    FULCRUM_TRY_STATUS(ctx.forward(chunk, LogitsMode::kAll, logits));
    for (int64_t j = first; j < n_ctx - 1; ++j) {
      const float* row = logits.data() + j * n_vocab;
      float mx = row[0];
      for (int64_t v = 1; v < n_vocab; ++v) mx = std::max(mx, row[v]);
      double sum = 0.0;
      for (int64_t v = 0; v < n_vocab; ++v) sum += std::exp(static_cast<double>(row[v]) - mx);
      const int32_t target = tokens[c * n_ctx + j + 1];
      nll += -(static_cast<double>(row[target]) - mx - std::log(sum));
      ++count;
    }
  }
  PerplexityResult r;
  r.mean_nll = nll / static_cast<double>(count);
  r.ppl = std::exp(r.mean_nll);
  r.n_chunks = n_chunks;
  r.n_ctx = n_ctx;
  r.n_scored = count;
  return r;
}

}  // namespace fulcrum::engine
