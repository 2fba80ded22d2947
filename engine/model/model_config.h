// ModelConfig: the hyper-parameters of a decoder, read from `<arch>.*` GGUF metadata and checked
// for consistency. File-derived only; per-run settings (context size, threads) live in
// ContextParams.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "engine/model/arch.h"
#include "gguf/gguf_file.h"

namespace fulcrum::engine {

struct ModelConfig {
  std::string arch;
  const ArchSpec* spec = nullptr;
  int64_t n_vocab = 0;
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;  // attention.key_length, default n_embd / n_head
  int64_t n_ff = 0;
  int64_t n_ctx_train = 0;  // context_length
  int64_t n_rot = 0;        // rope.dimension_count, default head_dim
  RopeStyle rope_style = RopeStyle::kNormal;
  float rope_freq_base = 10000.0f;
  float rope_freq_scale = 1.0f;  // 1 / rope.scaling.factor for linear scaling
  float rms_eps = 1e-5f;

  int64_t n_embd_q() const { return n_head * head_dim; }
  int64_t n_embd_kv() const { return n_head_kv * head_dim; }
  int64_t n_gqa() const { return n_head / n_head_kv; }

  // Reads and validates the keys of general.architecture's family. n_vocab is taken from
  // <arch>.vocab_size, else tokenizer.ggml.tokens, else token_embd.weight (checked at load).
  static Result<ModelConfig> from_gguf(const gguf::GgufFile& f);
};

}  // namespace fulcrum::engine
