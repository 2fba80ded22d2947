// Context: one sequence being run through a Model — its KV cache, activations and scratch, all
// allocated once at creation so that forward() (prompt batch or one decode step) never
// allocates. Not thread-safe; several Contexts may share one Model.
//
// forward(): the whole batch of tokens at positions n_past .. n_past+T-1 goes through each
// matmul at once (batched), attention reads the KV cache; logits come out for every position or
// only the last.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/result.h"
#include "core/thread_pool.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model.h"

namespace fulcrum::engine {

struct ContextParams {
  int64_t n_ctx = 0;      // 0: the model's context_length; larger values are clamped to it
  int64_t n_batch = 512;  // most tokens per internal batch (longer inputs are split)
  int n_threads = 0;      // 0: ThreadPool::default_threads()
};

enum class LogitsMode { kLast, kAll };

class Context {
 public:
  static Result<std::unique_ptr<Context>> create(const Model& model, ContextParams params);

  // Runs tokens at positions n_past()..; logits_out holds n_vocab floats (kLast) or
  // tokens.size() * n_vocab (kAll), row-major. Fails (without changing state) when a token id is
  // out of range, the context would overflow, or logits_out is too small.
  Status forward(std::span<const int32_t> tokens, LogitsMode mode, std::span<float> logits_out);

  int64_t n_past() const { return n_past_; }
  int64_t n_ctx() const { return kv_.n_ctx(); }
  int64_t n_vocab() const { return model_.config().n_vocab; }
  // Forgets positions >= n (n <= n_past): the next forward starts at position n.
  void truncate(int64_t n);
  void reset() { n_past_ = 0; }
  const Model& model() const { return model_; }
  uint64_t kv_bytes() const { return kv_.bytes(); }
  ThreadPool& pool() { return *pool_; }

 private:
  Context(const Model& model, const ContextParams& p);
  void forward_batch(const int32_t* tokens, int64_t n_tokens, LogitsMode mode, float* logits);
  void attention_layer(int64_t il, int64_t n_tokens);
  void matmul(const Weight& w, const float* x, int64_t n_tokens, float* y);
  void rope(float* x, int64_t n_tokens, int64_t n_heads);

  const Model& model_;
  ContextParams params_;
  std::unique_ptr<ThreadPool> pool_;
  KvCache kv_;
  int64_t n_past_ = 0;
  // Activations for one batch (n_batch rows each). Left uninitialised: a page becomes resident
  // only when a batch writes it, so a short prompt does not make the n_batch-sized buffers
  // resident (resident memory follows the request; see bench/model_memory_bench.cpp).
  std::unique_ptr<float[]> x_;        // [n_batch][n_embd] residual stream
  std::unique_ptr<float[]> xn_;       // [n_batch][max(n_embd, n_embd_q)] normed input
  std::unique_ptr<float[]> q_;        // [n_batch][n_embd_q]
  std::unique_ptr<float[]> k_;        // [n_batch][n_embd_kv]
  std::unique_ptr<float[]> v_;        // [n_batch][n_embd_kv]
  std::unique_ptr<float[]> att_;      // [n_batch][n_embd_q] attention output
  std::unique_ptr<float[]> gate_;     // [n_batch][n_ff]
  std::unique_ptr<float[]> up_;       // [n_batch][n_ff]
  std::unique_ptr<float[]> rope_cs_;  // [n_batch][n_rot/2][2] cos, sin of the batch's positions
  std::unique_ptr<float[]> scores_;   // [n_threads][n_ctx] attention scores
  std::unique_ptr<uint8_t[]> mm_scratch_;  // quantized activations for matmul
  std::vector<float> inv_freq_;  // [n_rot/2] theta per pair (freq_scale and factors applied)
  int64_t batch_pos0_ = 0;       // position of the first token of the running batch
};

}  // namespace fulcrum::engine
