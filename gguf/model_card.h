// ModelCard: the facts about a GGUF model that people and policies ask for (inspect, /v1/models,
// license checks), computed from the metadata and tensor index of a GgufFile.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/result.h"
#include "gguf/gguf_file.h"

namespace fulcrum::gguf {

struct TypeUsage {
  uint64_t n_tensors = 0;
  uint64_t n_bytes = 0;
};

struct ModelCard {
  std::string architecture;  // general.architecture ("" when absent)
  std::string name;          // general.name
  std::string license;       // general.license
  std::optional<uint32_t> file_type;
  std::string file_type_name;  // "Q4_K_M", "F16", ... ("" when absent/unknown)
  uint64_t n_params = 0;       // sum of tensor element counts
  uint64_t n_tensors = 0;
  uint64_t tensor_bytes = 0;
  std::map<std::string, TypeUsage> tensor_types;  // type name → usage
  std::optional<uint64_t> context_length, n_embd, n_layer, n_head, n_head_kv, n_ff, n_vocab;
  std::string tokenizer_model;  // tokenizer.ggml.model
  std::string tokenizer_pre;    // tokenizer.ggml.pre
  bool has_chat_template = false;
  uint32_t gguf_version = 0;
  uint64_t file_size = 0;
};

// Fails only when a key that is present has the wrong type (named in the error).
Result<ModelCard> make_model_card(const GgufFile& f);

// llama.cpp's `general.file_type` values (llama_ftype) by name; "" when unknown.
std::string_view file_type_name(uint32_t file_type);

}  // namespace fulcrum::gguf
