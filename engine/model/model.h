// Model: a GGUF decoder loaded for inference. Weights are views into the file mapping (no copies:
// resident memory after load is about the file size); every tensor is checked at load for
// presence, shape and a type fit for its role, and a bad one is an error naming the tensor.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/model/model_config.h"
#include "gguf/gguf_file.h"
#include "kernels/ggml_type.h"

namespace fulcrum::engine {

// A weight matrix or vector used in place from the mapping. Matrices are n_rows rows of n_cols
// elements of `type` (GGUF ne[0] = n_cols, ne[1] = n_rows); vectors are n_cols F32 values.
struct Weight {
  std::string_view name;
  kernels::GgmlType type = kernels::GgmlType::kF32;
  int64_t n_cols = 0;
  int64_t n_rows = 0;
  size_t row_bytes = 0;
  const void* data = nullptr;

  bool present() const { return data != nullptr; }
  const float* f32() const { return static_cast<const float*>(data); }
  const void* row(int64_t r) const { return static_cast<const uint8_t*>(data) + r * row_bytes; }
};

struct LayerWeights {
  Weight attn_norm;    // [n_embd] F32
  Weight attn_q;       // [n_embd_q rows × n_embd]
  Weight attn_k;       // [n_embd_kv rows × n_embd]
  Weight attn_v;       // [n_embd_kv rows × n_embd]
  Weight attn_output;  // [n_embd rows × n_embd_q]
  Weight attn_q_bias;  // [n_embd_q] F32, optional
  Weight attn_k_bias;  // [n_embd_kv] F32, optional
  Weight attn_v_bias;  // [n_embd_kv] F32, optional
  Weight ffn_norm;     // [n_embd] F32
  Weight ffn_gate;     // [n_ff rows × n_embd]
  Weight ffn_up;       // [n_ff rows × n_embd]
  Weight ffn_down;     // [n_embd rows × n_ff]
};

struct ModelWeights {
  Weight token_embd;   // [n_vocab rows × n_embd]
  Weight output_norm;  // [n_embd] F32
  Weight output;       // [n_vocab rows × n_embd]; token_embd when tied
  Weight rope_freqs;   // [n_rot/2] F32, optional (llama3 rope scaling)
  std::vector<LayerWeights> layers;
};

class Model {
 public:
  static Result<std::unique_ptr<Model>> load(const std::string& path);
  // Builds a model over an already opened file (tests with in-memory files).
  static Result<std::unique_ptr<Model>> from_file(gguf::GgufFile file);

  const ModelConfig& config() const { return config_; }
  const ModelWeights& weights() const { return weights_; }
  const gguf::GgufFile& file() const { return file_; }
  // Bytes of tensor data in the mapping.
  uint64_t weight_bytes() const { return weight_bytes_; }

 private:
  explicit Model(gguf::GgufFile file) : file_(std::move(file)) {}
  Status bind_weights();

  gguf::GgufFile file_;
  ModelConfig config_;
  ModelWeights weights_;
  uint64_t weight_bytes_ = 0;
};

}  // namespace fulcrum::engine
