// QuantRecipe: which type each tensor of a model gets when it is quantized to a target such as
// "Q4_K_M". A plain type name ("Q4_K", "Q8_0", "IQ4_NL", "F16") is a pure recipe: every 2-D
// weight in that type (llama-quantize --pure), as the golden pack's single-type files are made.
// A mixed recipe (Q3_K_S/M/L, Q4_K_S/M, Q5_K_S/M) gives some tensors more precision the way
// llama.cpp's llama_tensor_get_type does: the output matrix Q6_K, and attn_v / ffn_down /
// attn_output of chosen layers one or two steps up. 1-D tensors (norms, biases) stay F32.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "kernels/ggml_type.h"

namespace fulcrum::engine {

enum class QuantMix {
  kPure,  // every 2-D weight in base
  kQ3_K_S,
  kQ3_K_M,
  kQ3_K_L,
  kQ4_K_S,
  kQ4_K_M,
  kQ5_K_S,
  kQ5_K_M,
};

// What the recipe needs to know about a tensor to choose its type.
struct TensorQuantInfo {
  std::string_view name;
  uint32_t n_dims;
  int64_t n_cols;  // ne[0]
  bool is_output;  // output.weight, or token_embd.weight when the model has no output.weight
  int layer;       // block index for blk.N.* tensors, else -1
  int n_layer;
  int64_t n_gqa;  // n_head / n_head_kv (1 when unknown)
};

class QuantRecipe {
 public:
  // Parses "Q4_K_M", "q8_0", "F16", "pure:Q4_K" ... An unknown or unsupported name is an error
  // listing the accepted names.
  static Result<QuantRecipe> parse(std::string_view name);

  const std::string& name() const { return name_; }
  kernels::GgmlType base() const { return base_; }
  QuantMix mix() const { return mix_; }
  // llama_ftype id written to general.file_type.
  uint32_t file_type() const { return file_type_; }
  // The type for one tensor; nullopt keeps the tensor as it is (1-D tensors, non-weights).
  std::optional<kernels::GgmlType> type_for(const TensorQuantInfo& t) const;
  // Accepted names, for usage messages.
  static std::string_view names();

 private:
  kernels::GgmlType choose(const TensorQuantInfo& t) const;

  std::string name_;
  kernels::GgmlType base_ = kernels::GgmlType::kF32;
  QuantMix mix_ = QuantMix::kPure;
  uint32_t file_type_ = 0;
};

}  // namespace fulcrum::engine
