#include "engine/model/model_config.h"

#include <cmath>
#include <string>

namespace fulcrum::engine {
namespace {

constexpr int64_t kMaxDim = int64_t{1} << 20;  // far above any real model; bounds allocations

Error key_error(const gguf::GgufFile& f, const std::string& key, std::string msg) {
  return f.error(ErrorCode::kInvalidArgument, std::move(msg)).with_field(key);
}

// A required positive integer key within [1, max].
Result<int64_t> positive(const gguf::GgufFile& f, const std::string& key, int64_t max) {
  FULCRUM_TRY(auto v, f.require_uint(key));
  if (v == 0 || v > static_cast<uint64_t>(max))
    return key_error(f, key, key + " = " + std::to_string(v) + " is out of range");
  return static_cast<int64_t>(v);
}

Result<int64_t> positive_or(const gguf::GgufFile& f, const std::string& key, int64_t fallback,
                            int64_t max) {
  FULCRUM_TRY(auto v, f.get_uint(key));
  if (!v) return fallback;
  if (*v == 0 || *v > static_cast<uint64_t>(max))
    return key_error(f, key, key + " = " + std::to_string(*v) + " is out of range");
  return static_cast<int64_t>(*v);
}

Status read_rope(const gguf::GgufFile& f, const std::string& p, ModelConfig& c) {
  FULCRUM_TRY(auto base, f.get_float(p + ".rope.freq_base"));
  if (base) {
    if (!(*base > 0) || !std::isfinite(*base))
      return key_error(f, p + ".rope.freq_base", "rope.freq_base must be positive");
    c.rope_freq_base = static_cast<float>(*base);
  }
  FULCRUM_TRY(auto type, f.get_string(p + ".rope.scaling.type"));
  FULCRUM_TRY(auto factor, f.get_float(p + ".rope.scaling.factor"));
  std::string_view t = type.value_or("none");
  if (t == "linear") {
    if (!factor || !(*factor > 0) || !std::isfinite(*factor))
      return key_error(f, p + ".rope.scaling.factor",
                       "linear rope scaling needs a positive factor");
    c.rope_freq_scale = static_cast<float>(1.0 / *factor);
  } else if (t != "none" && t != "llama3") {
    // llama3 scaling is carried by the rope_freqs.weight tensor.
    return f
        .error(ErrorCode::kUnimplemented,
               "rope scaling type '" + std::string(t) + "' is not supported (none, linear, llama3)")
        .with_field(p + ".rope.scaling.type");
  }
  return {};
}

}  // namespace

Result<ModelConfig> ModelConfig::from_gguf(const gguf::GgufFile& f) {
  ModelConfig c;
  FULCRUM_TRY(auto arch, f.require_string("general.architecture"));
  c.arch = std::string(arch);
  c.spec = find_arch(arch);
  if (!c.spec)
    return f
        .error(ErrorCode::kUnimplemented,
               "architecture '" + c.arch +
                   "' is not supported (supported: " + std::string(supported_archs()) + ")")
        .with_field("general.architecture");
  c.rope_style = c.spec->rope_style;
  const std::string p = c.arch;
  FULCRUM_TRY(c.n_embd, positive(f, p + ".embedding_length", kMaxDim));
  FULCRUM_TRY(c.n_layer, positive(f, p + ".block_count", 4096));
  FULCRUM_TRY(c.n_head, positive(f, p + ".attention.head_count", 4096));
  FULCRUM_TRY(c.n_head_kv, positive_or(f, p + ".attention.head_count_kv", c.n_head, 4096));
  FULCRUM_TRY(c.n_ff, positive(f, p + ".feed_forward_length", kMaxDim * 4));
  FULCRUM_TRY(c.n_ctx_train, positive(f, p + ".context_length", int64_t{1} << 24));
  if (c.n_head % c.n_head_kv != 0)
    return key_error(f, p + ".attention.head_count_kv",
                     "head_count " + std::to_string(c.n_head) +
                         " is not a multiple of head_count_kv " + std::to_string(c.n_head_kv));
  int64_t default_hd = c.n_embd % c.n_head == 0 ? c.n_embd / c.n_head : 0;
  FULCRUM_TRY(c.head_dim, positive_or(f, p + ".attention.key_length", default_hd, 4096));
  if (c.head_dim == 0)
    return key_error(f, p + ".attention.head_count",
                     "embedding_length " + std::to_string(c.n_embd) +
                         " is not a multiple of head_count " + std::to_string(c.n_head));
  FULCRUM_TRY(auto vlen, positive_or(f, p + ".attention.value_length", c.head_dim, 4096));
  if (vlen != c.head_dim)
    return key_error(f, p + ".attention.value_length", "value_length must equal key_length");
  FULCRUM_TRY(c.n_rot, positive_or(f, p + ".rope.dimension_count", c.head_dim, 4096));
  if (c.n_rot > c.head_dim || c.n_rot % 2 != 0)
    return key_error(f, p + ".rope.dimension_count",
                     "rope.dimension_count " + std::to_string(c.n_rot) +
                         " must be even and at most the head size " + std::to_string(c.head_dim));
  FULCRUM_TRY(auto eps, f.get_float(p + ".attention.layer_norm_rms_epsilon"));
  if (eps) {
    if (!(*eps > 0) || *eps > 1)
      return key_error(f, p + ".attention.layer_norm_rms_epsilon", "epsilon must be in (0, 1]");
    c.rms_eps = static_cast<float>(*eps);
  }
  FULCRUM_TRY_STATUS(read_rope(f, p, c));
  FULCRUM_TRY(auto vocab, f.get_uint(p + ".vocab_size"));
  if (vocab) {
    if (*vocab == 0 || *vocab > static_cast<uint64_t>(kMaxDim * 16))
      return key_error(f, p + ".vocab_size", "vocab_size is out of range");
    c.n_vocab = static_cast<int64_t>(*vocab);
  } else if (const auto* toks = f.find("tokenizer.ggml.tokens"); toks && toks->is_array()) {
    c.n_vocab = static_cast<int64_t>(toks->size());
  }
  return c;
}

}  // namespace fulcrum::engine
