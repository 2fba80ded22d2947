#include "engine/model/quant_recipe.h"

#include <algorithm>
#include <cctype>

#include "kernels/kernels.h"

namespace fulcrum::engine {
namespace {

using kernels::GgmlType;
using T = GgmlType;

struct RecipeRow {
  std::string_view name;
  GgmlType base;
  QuantMix mix;
  uint32_t file_type;  // llama_ftype
};

// Plain type names are pure; the suffixed names are llama-quantize's mixes.
constexpr RecipeRow kRecipes[] = {
    {"F32", T::kF32, QuantMix::kPure, 0},        {"F16", T::kF16, QuantMix::kPure, 1},
    {"BF16", T::kBF16, QuantMix::kPure, 32},     {"Q8_0", T::kQ8_0, QuantMix::kPure, 7},
    {"Q4_0", T::kQ4_0, QuantMix::kPure, 2},      {"Q4_1", T::kQ4_1, QuantMix::kPure, 3},
    {"Q5_0", T::kQ5_0, QuantMix::kPure, 8},      {"Q5_1", T::kQ5_1, QuantMix::kPure, 9},
    {"IQ4_NL", T::kIQ4_NL, QuantMix::kPure, 25}, {"Q2_K", T::kQ2_K, QuantMix::kPure, 10},
    {"Q3_K", T::kQ3_K, QuantMix::kPure, 12},     {"Q4_K", T::kQ4_K, QuantMix::kPure, 15},
    {"Q5_K", T::kQ5_K, QuantMix::kPure, 17},     {"Q6_K", T::kQ6_K, QuantMix::kPure, 18},
    {"Q3_K_S", T::kQ3_K, QuantMix::kQ3_K_S, 11}, {"Q3_K_M", T::kQ3_K, QuantMix::kQ3_K_M, 12},
    {"Q3_K_L", T::kQ3_K, QuantMix::kQ3_K_L, 13}, {"Q4_K_S", T::kQ4_K, QuantMix::kQ4_K_S, 14},
    {"Q4_K_M", T::kQ4_K, QuantMix::kQ4_K_M, 15}, {"Q5_K_S", T::kQ5_K, QuantMix::kQ5_K_S, 16},
    {"Q5_K_M", T::kQ5_K, QuantMix::kQ5_K_M, 17},
};

// llama.cpp's choice of layers that get more bits: the first and last eighth, and every third
// layer in between.
bool use_more_bits(int i, int n) {
  return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

bool has(std::string_view name, std::string_view part) {
  return name.find(part) != std::string_view::npos;
}

// K-quants need rows of 256; llama.cpp falls back to a 32-block type of similar size.
GgmlType fit_row(GgmlType t, int64_t n_cols) {
  const auto bs = kernels::ggml_traits(t).block_size;
  if (n_cols % bs == 0) return t;
  switch (t) {
    case T::kQ2_K:
    case T::kQ3_K:
      return n_cols % 32 == 0 ? T::kIQ4_NL : T::kF16;
    case T::kQ4_K:
      return n_cols % 32 == 0 ? T::kQ5_0 : T::kF16;
    case T::kQ5_K:
      return n_cols % 32 == 0 ? T::kQ5_1 : T::kF16;
    case T::kQ6_K:
      return n_cols % 32 == 0 ? T::kQ8_0 : T::kF16;
    default:
      return T::kF16;
  }
}

}  // namespace

std::string_view QuantRecipe::names() {
  return "F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 IQ4_NL Q2_K Q3_K Q4_K Q5_K Q6_K (pure), "
         "Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M (mixed)";
}

Result<QuantRecipe> QuantRecipe::parse(std::string_view name) {
  std::string up(name);
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& r : kRecipes) {
    if (r.name != up) continue;
    QuantRecipe q;
    q.name_ = up;
    q.base_ = r.base;
    q.mix_ = r.mix;
    q.file_type_ = r.file_type;
    if (!kernels::is_supported(r.base))
      return Error(ErrorCode::kUnimplemented, "type " + up + " has no quantizer in this build");
    return q;
  }
  return Error(ErrorCode::kInvalidArgument, "unknown quantization type '" + std::string(name) +
                                                "'; use one of " + std::string(names()));
}

std::optional<GgmlType> QuantRecipe::type_for(const TensorQuantInfo& t) const {
  // Only 2-D weight matrices are quantized; norms, biases and rope factors stay as they are.
  if (t.n_dims < 2 || !t.name.ends_with(".weight")) return std::nullopt;
  if (has(t.name, "_norm") || has(t.name, "rope_freqs") || has(t.name, "position_embd") ||
      has(t.name, "token_types"))
    return std::nullopt;
  return fit_row(choose(t), t.n_cols);
}

// llama_tensor_get_type (llama.cpp src/llama-quant.cpp) for the llama family, as data-light
// rules: output matrix, attn_v, ffn_down, attn_output.
GgmlType QuantRecipe::choose(const TensorQuantInfo& t) const {
  const QuantMix m = mix_;
  if (m == QuantMix::kPure) return base_;
  const int i = t.layer, n = std::max(t.n_layer, 1);
  if (t.is_output) return T::kQ6_K;
  if (has(t.name, "attn_v.weight")) {
    if (m == QuantMix::kQ3_K_M) return i < 2 ? T::kQ5_K : T::kQ4_K;
    if (m == QuantMix::kQ3_K_L) return T::kQ5_K;
    if ((m == QuantMix::kQ4_K_M || m == QuantMix::kQ5_K_M) && use_more_bits(i, n)) return T::kQ6_K;
    if (m == QuantMix::kQ4_K_S && i < 4) return T::kQ5_K;
    return base_;
  }
  if (has(t.name, "ffn_down")) {
    if (m == QuantMix::kQ3_K_M) return i < n / 16 ? T::kQ5_K : T::kQ4_K;
    if (m == QuantMix::kQ3_K_L) return T::kQ5_K;
    if ((m == QuantMix::kQ4_K_M || m == QuantMix::kQ5_K_M) && use_more_bits(i, n)) return T::kQ6_K;
    if (m == QuantMix::kQ4_K_S && i < n / 8) return T::kQ5_K;
    return base_;
  }
  if (has(t.name, "attn_output.weight")) {
    if (m == QuantMix::kQ3_K_M) return T::kQ4_K;
    if (m == QuantMix::kQ3_K_L) return T::kQ5_K;
  }
  return base_;
}

}  // namespace fulcrum::engine
