// Load-time validation: a tiny llama model is built in memory with the GGUF writer, then broken one
// way at a time (unsupported tensor type, missing tensor, wrong shape, wrong type for its role,
// inconsistent hyper-parameters). Each must be refused at load with an error naming the tensor or
// key — never a crash — while the intact model loads and runs.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/context.h"
#include "engine/model/model.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "kernels/kernels.h"

namespace fulcrum::engine {
namespace {

using kernels::GgmlType;

// Hyper-parameters of the tiny model: n_embd 256 (so every block size, 256 included, fits a row),
// 4 heads of 64, 2 kv heads, n_ff 256, 1 layer, 16 tokens.
constexpr uint64_t kEmbd = 256, kFf = 256, kVocab = 16, kHeadDim = 64, kHeadKv = 2;

struct TensorSpec {
  GgmlType type;
  std::vector<uint64_t> ne;
};

// The tensors of a valid one-layer llama model, by name.
std::map<std::string, TensorSpec> valid_tensors() {
  const uint64_t kv = kHeadKv * kHeadDim;
  return {
      {"token_embd.weight", {GgmlType::kF32, {kEmbd, kVocab}}},
      {"output_norm.weight", {GgmlType::kF32, {kEmbd}}},
      {"output.weight", {GgmlType::kQ8_0, {kEmbd, kVocab}}},
      {"blk.0.attn_norm.weight", {GgmlType::kF32, {kEmbd}}},
      {"blk.0.attn_q.weight", {GgmlType::kQ4_K, {kEmbd, kEmbd}}},
      {"blk.0.attn_k.weight", {GgmlType::kQ8_0, {kEmbd, kv}}},
      {"blk.0.attn_v.weight", {GgmlType::kF16, {kEmbd, kv}}},
      {"blk.0.attn_output.weight", {GgmlType::kQ6_K, {kEmbd, kEmbd}}},
      {"blk.0.ffn_norm.weight", {GgmlType::kF32, {kEmbd}}},
      {"blk.0.ffn_gate.weight", {GgmlType::kQ4_0, {kEmbd, kFf}}},
      {"blk.0.ffn_up.weight", {GgmlType::kQ5_K, {kEmbd, kFf}}},
      {"blk.0.ffn_down.weight", {GgmlType::kIQ4_NL, {kFf, kEmbd}}},
  };
}

void set_valid_metadata(gguf::GgufWriter& w) {
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.context_length", 64);
  w.set_u32("llama.embedding_length", kEmbd);
  w.set_u32("llama.block_count", 1);
  w.set_u32("llama.feed_forward_length", kFf);
  w.set_u32("llama.attention.head_count", 4);
  w.set_u32("llama.attention.head_count_kv", kHeadKv);
  w.set_u32("llama.rope.dimension_count", kHeadDim);
  w.set_f32("llama.rope.freq_base", 10000.0f);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_u32("llama.vocab_size", kVocab);
}

// What a case changes: the metadata (after the valid keys are set) and the tensor table.
struct Breakage {
  std::function<void(gguf::GgufWriter&)> metadata;
  std::function<void(std::map<std::string, TensorSpec>&)> tensors;
};

// Builds the model's bytes. Weights are small random values (quantized where the type asks), so
// the intact model computes finite logits.
std::string build(const Breakage& b) {
  gguf::GgufWriter w;
  set_valid_metadata(w);
  if (b.metadata) b.metadata(w);
  auto tensors = valid_tensors();
  if (b.tensors) b.tensors(tensors);
  std::vector<std::vector<uint8_t>> keep;
  uint32_t seed = 1;
  for (const auto& [name, spec] : tensors) {
    uint64_t n = 1;
    for (uint64_t d : spec.ne) n *= d;
    const uint64_t n_cols = spec.ne[0];
    auto row = kernels::ggml_row_size(spec.type, n_cols);
    std::vector<uint8_t> bytes(row ? *row * (n / n_cols) : 0);
    if (kernels::is_supported(spec.type) && row) {
      std::vector<float> f(n_cols);
      for (uint64_t r = 0; r < n / n_cols; ++r) {
        for (uint64_t i = 0; i < n_cols; ++i) {
          seed = seed * 1664525u + 1013904223u;
          f[i] = name.find("norm") != std::string::npos
                     ? 1.0f
                     : (static_cast<float>(seed >> 8) / 16777216.0f - 0.5f) * 0.2f;
        }
        kernels::quantize_row(spec.type, f.data(), bytes.data() + r * *row,
                              static_cast<int64_t>(n_cols));
      }
    }
    keep.push_back(std::move(bytes));
    const Status st = w.add_tensor(name, spec.type, spec.ne, keep.back().data());
    EXPECT_TRUE(st.ok()) << name << ": " << st.error().to_string();
  }
  auto bytes = w.to_bytes();
  EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
  return bytes.ok() ? *bytes : std::string();
}

Result<std::unique_ptr<Model>> load(const Breakage& b) {
  FULCRUM_TRY(auto file, gguf::GgufFile::from_bytes(build(b), "tiny.gguf"));
  return Model::from_file(std::move(file));
}

// Loads the broken model and checks it is refused with a message naming every one of `names`.
void expect_refused(const Breakage& b, std::vector<std::string> names) {
  auto m = load(b);
  ASSERT_FALSE(m.ok()) << "accepted a malformed model (expected an error naming " << names[0]
                       << ")";
  const std::string msg = m.error().to_string();
  for (const auto& n : names) EXPECT_NE(msg.find(n), std::string::npos) << msg;
}

TEST(ModelLoad, IntactModelLoadsAndRuns) {
  auto m = load({});
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  const ModelConfig& c = (*m)->config();
  EXPECT_EQ(c.n_vocab, static_cast<int64_t>(kVocab));
  EXPECT_EQ(c.head_dim, static_cast<int64_t>(kHeadDim));
  EXPECT_EQ(c.n_gqa(), 2);
  EXPECT_EQ((*m)->weights().layers[0].attn_q.type, GgmlType::kQ4_K);
  auto ctx = Context::create(**m, {16, 16, 1});
  ASSERT_TRUE(ctx.ok());
  std::vector<int32_t> toks = {1, 5, 7, 15};
  std::vector<float> logits(toks.size() * kVocab);
  ASSERT_TRUE((*ctx)->forward(toks, LogitsMode::kAll, logits).ok());
  for (float v : logits) ASSERT_TRUE(std::isfinite(v));
  // Out-of-vocabulary ids and context overflow are errors, not crashes.
  std::vector<int32_t> bad = {3, static_cast<int32_t>(kVocab)};
  EXPECT_FALSE((*ctx)->forward(bad, LogitsMode::kLast, logits).ok());
  std::vector<int32_t> negative = {-1};
  EXPECT_FALSE((*ctx)->forward(negative, LogitsMode::kLast, logits).ok());
  std::vector<int32_t> many(13, 2);
  EXPECT_FALSE((*ctx)->forward(many, LogitsMode::kLast, logits).ok());
}

TEST(ModelLoad, UnsupportedTensorTypeNamesTensorAndType) {
  for (GgmlType t : {GgmlType::kIQ2_XXS, GgmlType::kIQ3_S, GgmlType::kIQ4_XS, GgmlType::kTQ2_0}) {
    SCOPED_TRACE(std::string(kernels::ggml_type_name(t)));
    expect_refused({nullptr, [t](auto& ts) { ts["blk.0.attn_q.weight"].type = t; }},
                   {"blk.0.attn_q.weight", std::string(kernels::ggml_type_name(t))});
  }
  expect_refused({nullptr, [](auto& ts) { ts["output.weight"].type = GgmlType::kI32; }},
                 {"output.weight", "i32"});
}

TEST(ModelLoad, MissingTensorIsNamed) {
  for (const char* name : {"token_embd.weight", "output_norm.weight", "blk.0.attn_norm.weight",
                           "blk.0.attn_k.weight", "blk.0.ffn_down.weight"}) {
    SCOPED_TRACE(name);
    expect_refused({nullptr, [name](auto& ts) { ts.erase(name); }}, {name});
  }
  // A layer the metadata announces but the file lacks.
  expect_refused({[](auto& w) { w.set_u32("llama.block_count", 2); }, nullptr},
                 {"blk.1.attn_norm.weight"});
}

TEST(ModelLoad, WrongShapeIsNamed) {
  struct Case {
    const char* name;
    std::vector<uint64_t> ne;
  };
  for (const Case& c : std::vector<Case>{{"blk.0.attn_q.weight", {kEmbd, 2 * kEmbd}},
                                         {"blk.0.attn_k.weight", {kEmbd, kEmbd}},
                                         {"blk.0.ffn_down.weight", {kFf, 2 * kEmbd}},
                                         {"output.weight", {kEmbd, kVocab + 1}},
                                         {"blk.0.ffn_norm.weight", {kEmbd + 32}},
                                         {"blk.0.attn_v.weight", {kEmbd, 128, 2}}}) {
    SCOPED_TRACE(c.name);
    expect_refused({nullptr, [&c](auto& ts) { ts[c.name].ne = c.ne; }}, {c.name, "shape"});
  }
  // token_embd rows disagreeing with the announced vocabulary size.
  expect_refused({[](auto& w) { w.set_u32("llama.vocab_size", kVocab + 3); }, nullptr},
                 {"token_embd.weight"});
}

TEST(ModelLoad, WrongTypeForRoleIsNamed) {
  // Norms and biases are F32 vectors.
  expect_refused({nullptr, [](auto& ts) { ts["blk.0.attn_norm.weight"].type = GgmlType::kF16; }},
                 {"blk.0.attn_norm.weight", "f16"});
  expect_refused({nullptr,
                  [](auto& ts) {
                    ts["blk.0.attn_q.bias"] = {GgmlType::kQ8_0, {kEmbd}};
                  }},
                 {"blk.0.attn_q.bias", "q8_0"});
  // A tensor the architecture does not use (qwen2 has no rope_freqs).
  expect_refused({[](auto& w) {
                    w.set_string("general.architecture", "qwen2");
                    w.set_u32("qwen2.context_length", 64);
                    w.set_u32("qwen2.embedding_length", kEmbd);
                    w.set_u32("qwen2.block_count", 1);
                    w.set_u32("qwen2.feed_forward_length", kFf);
                    w.set_u32("qwen2.attention.head_count", 4);
                    w.set_u32("qwen2.attention.head_count_kv", kHeadKv);
                  },
                  [](auto& ts) {
                    ts["rope_freqs.weight"] = {GgmlType::kF32, {kHeadDim / 2}};
                  }},
                 {"rope_freqs.weight", "qwen2"});
  // qwen2 requires its q/k/v biases.
  expect_refused({[](auto& w) {
                    w.set_string("general.architecture", "qwen2");
                    w.set_u32("qwen2.context_length", 64);
                    w.set_u32("qwen2.embedding_length", kEmbd);
                    w.set_u32("qwen2.block_count", 1);
                    w.set_u32("qwen2.feed_forward_length", kFf);
                    w.set_u32("qwen2.attention.head_count", 4);
                    w.set_u32("qwen2.attention.head_count_kv", kHeadKv);
                  },
                  nullptr},
                 {"blk.0.attn_q.bias"});
}

TEST(ModelLoad, InconsistentHyperParametersNameTheKey) {
  struct Case {
    std::function<void(gguf::GgufWriter&)> change;
    std::string key;
  };
  const std::vector<Case> cases = {
      {[](auto& w) { w.set_u32("llama.attention.head_count_kv", 3); },
       "llama.attention.head_count_kv"},
      {[](auto& w) { w.set_u32("llama.attention.head_count", 6); }, "llama.attention.head_count"},
      {[](auto& w) { w.set_u32("llama.rope.dimension_count", 128); }, "llama.rope.dimension_count"},
      {[](auto& w) { w.set_u32("llama.rope.dimension_count", 33); }, "llama.rope.dimension_count"},
      {[](auto& w) { w.set_u32("llama.context_length", 0); }, "llama.context_length"},
      {[](auto& w) { w.set_u32("llama.embedding_length", 0); }, "llama.embedding_length"},
      {[](auto& w) { w.remove("llama.block_count"); }, "llama.block_count"},
      {[](auto& w) { w.set_string("llama.block_count", "four"); }, "llama.block_count"},
      {[](auto& w) { w.set_f32("llama.rope.freq_base", -1.0f); }, "llama.rope.freq_base"},
      {[](auto& w) { w.set_f32("llama.attention.layer_norm_rms_epsilon", 0.0f); },
       "llama.attention.layer_norm_rms_epsilon"},
      {[](auto& w) { w.set_u32("llama.attention.value_length", 32); },
       "llama.attention.value_length"},
      {[](auto& w) { w.set_string("llama.rope.scaling.type", "yarn"); }, "llama.rope.scaling.type"},
      {[](auto& w) { w.set_string("llama.rope.scaling.type", "linear"); },
       "llama.rope.scaling.factor"},
      {[](auto& w) { w.set_string("general.architecture", "mamba"); }, "general.architecture"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    expect_refused({c.change, nullptr}, {c.key});
  }
}

TEST(ModelLoad, TiedOutputIsAcceptedWhenArchitectureAllowsIt) {
  auto m = load({nullptr, [](auto& ts) { ts.erase("output.weight"); }});
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ((*m)->weights().output.data, (*m)->weights().token_embd.data);
}

}  // namespace
}  // namespace fulcrum::engine
