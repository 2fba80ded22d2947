// KvCache: the keys and values of every layer for one sequence, F32, sized from the request
// (n_ctx positions, at most the model's trained context). Layout per layer: keys
// [n_ctx][n_embd_kv]; values transposed, [n_embd_kv][n_ctx], so that both halves of attention
// (q·k per position, then the probability-weighted sum of values per dimension) are contiguous
// dot products.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/model/model_config.h"

namespace fulcrum::engine {

class KvCache {
 public:
  KvCache(const ModelConfig& c, int64_t n_ctx)
      : n_ctx_(n_ctx),
        n_embd_kv_(c.n_embd_kv()),
        layer_stride_(n_ctx * c.n_embd_kv()),
        k_(static_cast<size_t>(c.n_layer * n_ctx * c.n_embd_kv())),
        v_(k_.size()) {}

  int64_t n_ctx() const { return n_ctx_; }
  // Row of position `pos` in layer `il`: n_embd_kv floats.
  float* k(int64_t il, int64_t pos) { return k_.data() + il * layer_stride_ + pos * n_embd_kv_; }
  // Value dimension i (0 .. n_embd_kv-1) of layer il at every position: n_ctx floats.
  float* v_dim(int64_t il, int64_t i) { return v_.data() + il * layer_stride_ + i * n_ctx_; }
  const float* k(int64_t il, int64_t pos) const {
    return k_.data() + il * layer_stride_ + pos * n_embd_kv_;
  }
  const float* v_dim(int64_t il, int64_t i) const {
    return v_.data() + il * layer_stride_ + i * n_ctx_;
  }
  uint64_t bytes() const { return (k_.size() + v_.size()) * sizeof(float); }

 private:
  int64_t n_ctx_;
  int64_t n_embd_kv_;
  int64_t layer_stride_;
  std::vector<float> k_;
  std::vector<float> v_;
};

}  // namespace fulcrum::engine
