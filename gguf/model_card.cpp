#include "gguf/model_card.h"

#include <algorithm>
#include <array>

namespace fulcrum::gguf {
namespace {

struct FtypeRow {
  uint32_t id;
  std::string_view name;
};

// llama_ftype, as written to general.file_type.
constexpr std::array<FtypeRow, 36> kFileTypes = {{
    {0, "F32"},      {1, "F16"},      {2, "Q4_0"},       {3, "Q4_1"},          {7, "Q8_0"},
    {8, "Q5_0"},     {9, "Q5_1"},     {10, "Q2_K"},      {11, "Q3_K_S"},       {12, "Q3_K_M"},
    {13, "Q3_K_L"},  {14, "Q4_K_S"},  {15, "Q4_K_M"},    {16, "Q5_K_S"},       {17, "Q5_K_M"},
    {18, "Q6_K"},    {19, "IQ2_XXS"}, {20, "IQ2_XS"},    {21, "Q2_K_S"},       {22, "IQ3_XS"},
    {23, "IQ3_XXS"}, {24, "IQ1_S"},   {25, "IQ4_NL"},    {26, "IQ3_S"},        {27, "IQ3_M"},
    {28, "IQ2_S"},   {29, "IQ2_M"},   {30, "IQ4_XS"},    {31, "IQ1_M"},        {32, "BF16"},
    {36, "TQ1_0"},   {37, "TQ2_0"},   {38, "MXFP4_MOE"}, {4, "Q4_1_SOME_F16"}, {5, "Q4_2"},
    {6, "Q4_3"},
}};

// An integer hyper-parameter; per-layer arrays (some architectures) report their maximum.
Result<std::optional<uint64_t>> hparam(const GgufFile& f, const std::string& key) {
  const Value* v = f.find(key);
  if (!v) return std::optional<uint64_t>();
  if (v->is_array()) {
    uint64_t best = 0;
    for (uint64_t i = 0; i < v->size(); ++i) {
      auto x = v->int_at(i);
      if (!x || *x < 0)
        return f.error(ErrorCode::kTypeMismatch, "expected non-negative integers").with_field(key);
      best = std::max(best, static_cast<uint64_t>(*x));
    }
    return std::optional<uint64_t>(best);
  }
  return f.get_uint(key);
}

}  // namespace

std::string_view file_type_name(uint32_t file_type) {
  for (const auto& r : kFileTypes)
    if (r.id == file_type) return r.name;
  return "";
}

Result<ModelCard> make_model_card(const GgufFile& f) {
  ModelCard c;
  FULCRUM_TRY(auto arch, f.get_string("general.architecture"));
  c.architecture = arch.value_or("");
  FULCRUM_TRY(auto name, f.get_string("general.name"));
  c.name = name.value_or("");
  FULCRUM_TRY(auto license, f.get_string("general.license"));
  c.license = license.value_or("");
  FULCRUM_TRY(auto ftype, f.get_uint("general.file_type"));
  if (ftype) {
    c.file_type = static_cast<uint32_t>(*ftype);
    c.file_type_name = std::string(file_type_name(*c.file_type));
  }
  for (const auto& t : f.tensors()) {
    c.n_params += t.n_elements;
    c.tensor_bytes += t.n_bytes;
    auto& u = c.tensor_types[std::string(kernels::ggml_type_name(t.type))];
    ++u.n_tensors;
    u.n_bytes += t.n_bytes;
  }
  c.n_tensors = f.tensors().size();
  const std::string p = c.architecture + ".";
  FULCRUM_TRY(c.context_length, hparam(f, p + "context_length"));
  FULCRUM_TRY(c.n_embd, hparam(f, p + "embedding_length"));
  FULCRUM_TRY(c.n_layer, hparam(f, p + "block_count"));
  FULCRUM_TRY(c.n_head, hparam(f, p + "attention.head_count"));
  FULCRUM_TRY(c.n_head_kv, hparam(f, p + "attention.head_count_kv"));
  if (!c.n_head_kv) c.n_head_kv = c.n_head;  // absent means no grouping (llama.cpp's default)
  FULCRUM_TRY(c.n_ff, hparam(f, p + "feed_forward_length"));
  FULCRUM_TRY(c.n_vocab, hparam(f, p + "vocab_size"));
  if (!c.n_vocab) {
    if (const Value* tokens = f.find("tokenizer.ggml.tokens"); tokens && tokens->is_array())
      c.n_vocab = tokens->size();
  }
  FULCRUM_TRY(auto tok_model, f.get_string("tokenizer.ggml.model"));
  c.tokenizer_model = tok_model.value_or("");
  FULCRUM_TRY(auto tok_pre, f.get_string("tokenizer.ggml.pre"));
  c.tokenizer_pre = tok_pre.value_or("");
  FULCRUM_TRY(auto tmpl, f.get_string("tokenizer.chat_template"));
  c.has_chat_template = tmpl.has_value() && !tmpl->empty();
  c.gguf_version = f.version();
  c.file_size = f.file_size();
  return c;
}

}  // namespace fulcrum::gguf
