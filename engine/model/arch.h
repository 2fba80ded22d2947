// Per-architecture data: which hyper-parameter keys and tensors an architecture has and how its
// forward pass differs (rope style, biases, tied output). Adding an architecture of the llama
// family (qwen3, phi3, mistral variants) is adding a row to the table in arch.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace fulcrum::engine {

enum class RopeStyle { kNormal, kNeox };  // normal: adjacent pairs (2i, 2i+1); NeoX: (i, i+n_rot/2)

// Every tensor a decoder of the llama family may have. Names follow the GGUF convention; per-layer
// names contain "{}" for the layer index.
enum class TensorRole : int {
  kTokenEmbd,   // token_embd.weight      [n_embd, n_vocab]
  kOutputNorm,  // output_norm.weight     [n_embd]
  kOutput,      // output.weight          [n_embd, n_vocab]
  kRopeFreqs,   // rope_freqs.weight      [n_rot/2] (llama3-style per-dimension factors)
  kAttnNorm,    // blk.{}.attn_norm       [n_embd]
  kAttnQ,       // blk.{}.attn_q          [n_embd, n_head*head_dim]
  kAttnK,       // blk.{}.attn_k          [n_embd, n_head_kv*head_dim]
  kAttnV,       // blk.{}.attn_v          [n_embd, n_head_kv*head_dim]
  kAttnOut,     // blk.{}.attn_output     [n_head*head_dim, n_embd]
  kAttnQBias,   // blk.{}.attn_q.bias     [n_head*head_dim]
  kAttnKBias,   // blk.{}.attn_k.bias     [n_head_kv*head_dim]
  kAttnVBias,   // blk.{}.attn_v.bias     [n_head_kv*head_dim]
  kFfnNorm,     // blk.{}.ffn_norm        [n_embd]
  kFfnGate,     // blk.{}.ffn_gate        [n_embd, n_ff]
  kFfnUp,       // blk.{}.ffn_up          [n_embd, n_ff]
  kFfnDown,     // blk.{}.ffn_down        [n_ff, n_embd]
  kCount,
};
inline constexpr size_t kTensorRoleCount = static_cast<size_t>(TensorRole::kCount);

enum class Need : unsigned char { kAbsent, kOptional, kRequired };

struct TensorRoleInfo {
  TensorRole role;
  std::string_view name;  // "token_embd.weight" or "blk.{}.attn_q.weight"
  bool per_layer;
  bool is_matrix;  // 2-D weight used by matmul (any supported type); else 1-D F32 vector
};

struct ArchSpec {
  std::string_view name;  // general.architecture
  RopeStyle rope_style;
  std::array<Need, kTensorRoleCount> tensors;  // indexed by TensorRole
  // output.weight may be absent: the output matrix is token_embd.weight (tied embeddings).
  bool output_may_tie;

  Need need(TensorRole r) const { return tensors[static_cast<size_t>(r)]; }
};

// nullptr when the architecture is not supported.
const ArchSpec* find_arch(std::string_view name);
const TensorRoleInfo& tensor_role_info(TensorRole r);
// Comma-separated list of supported architectures, for error messages.
std::string_view supported_archs();

}  // namespace fulcrum::engine
