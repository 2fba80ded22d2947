// `fulcrum quantize` against llama-quantize, from the golden pack's F32 models: for every type in
// golden/index.json, (1) every tensor gets the type llama.cpp's file has (pure types and the
// Q4_K_M recipe), (2) per tensor, NMSE(dequantize(quantize(w)), w) <= 1.02x llama.cpp's
// (weight_quant_error.json), (3) the logits of our quantized file are no further from the F32
// model's golden logits than 1.1x llama.cpp's file's distance (both over the stored positions).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/model/context.h"
#include "engine/model/model.h"
#include "engine/model/quant_recipe.h"
#include "engine/model/quantizer.h"
#include "gguf/gguf_file.h"
#include "kernels/kernels.h"
#include "tests/support/testdata.h"

namespace fulcrum::engine {
namespace {

using nlohmann::json;

json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return json();
  return json::parse(in, nullptr, false);
}

struct QuantCase {
  std::string base;  // synth-llama
  std::string type;  // Q4_K_M
};

void PrintTo(const QuantCase& c, std::ostream* os) {
  *os << c.base << "-" << c.type;
}

std::vector<QuantCase> quant_cases() {
  std::vector<QuantCase> out;
  json index = read_json(testing::testdata_path("golden/index.json"));
  if (!index.is_object()) return out;
  for (const auto& f : index["files"]) {
    const std::string model = f.value("model", ""), type = f.value("quant_type", "");
    if (model.find("bert") != std::string::npos || type == "F32") continue;
    auto slash = model.rfind('/');
    auto dash = model.rfind('-');
    if (slash == std::string::npos || dash == std::string::npos) continue;
    out.push_back({model.substr(slash + 1, dash - slash - 1), type});
  }
  return out;
}

std::vector<float> dequantize(const gguf::TensorInfo& t) {
  std::vector<float> out(t.n_elements);
  const int64_t n_cols = static_cast<int64_t>(t.ne[0]);
  const uint64_t row = *kernels::ggml_row_size(t.type, n_cols);
  for (uint64_t r = 0; r < t.n_elements / t.ne[0]; ++r)
    kernels::dequantize_row(t.type, t.data + r * row, out.data() + r * n_cols, n_cols);
  return out;
}

// Stored golden logits: float32 for F32/F16/BF16 files, IEEE half for the quantized ones.
std::vector<float> read_logits(const std::string& path, const std::string& dtype, size_t n) {
  std::vector<float> out(n);
  std::ifstream in(path, std::ios::binary);
  if (dtype == "f32") {
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n * 4));
  } else {
    std::vector<uint16_t> h(n);
    in.read(reinterpret_cast<char*>(h.data()), static_cast<std::streamsize>(n * 2));
    for (size_t i = 0; i < n; ++i) out[i] = kernels::fp16_to_fp32(h[i]);
  }
  if (!in) out.clear();
  return out;
}

// NMSE of x against g over `rows` rows of n_vocab, x's row i taken from row x_row(i).
template <typename RowOf>
double nmse(const float* x, const std::vector<float>& g, size_t rows, int64_t n_vocab,
            RowOf x_row) {
  double num = 0, den = 0;
  for (size_t i = 0; i < rows; ++i)
    for (int64_t v = 0; v < n_vocab; ++v) {
      const double gv = g[i * n_vocab + v];
      const double d = x[x_row(i) * n_vocab + v] - gv;
      num += d * d;
      den += gv * gv;
    }
  return num / den;
}

class QuantizeTest : public ::testing::TestWithParam<QuantCase> {};

TEST_P(QuantizeTest, MatchesLlamaQuantize) {
  const QuantCase& qc = GetParam();
  const std::string dir = testing::testdata_path("golden/");
  const std::string name = qc.base + "-" + qc.type;
  json golden = read_json(dir + "outputs/" + name + ".json");
  json f32_golden = read_json(dir + "outputs/" + qc.base + "-F32.json");
  json werr = read_json(dir + "weight_quant_error.json");
  ASSERT_TRUE(golden.is_object() && f32_golden.is_object() && werr.is_object());
  auto recipe = QuantRecipe::parse(qc.type);
  ASSERT_TRUE(recipe.ok()) << recipe.error().to_string();
  const auto out = (std::filesystem::temp_directory_path() /
                    ("fulcrum_quant_" + name + "_" + std::to_string(::getpid()) + ".gguf"))
                       .string();
  auto rep = quantize_model(dir + "models/" + qc.base + "-F32.gguf", out, *recipe, 2, false);
  ASSERT_TRUE(rep.ok()) << rep.error().to_string();
  auto ours = gguf::GgufFile::open(out);
  auto src = gguf::GgufFile::open(dir + "models/" + qc.base + "-F32.gguf");
  ASSERT_TRUE(ours.ok() && src.ok());

  // (1) types and (2) weight error per tensor.
  const json& ref_tensors = werr["files"][name]["tensors"];
  for (const auto& t : ours->tensors()) {
    const std::string tn(t.name);
    ASSERT_TRUE(golden["tensor_types"].contains(tn)) << tn;
    std::string want = golden["tensor_types"][tn].get<std::string>();
    std::string got(kernels::ggml_type_name(t.type));
    for (char& ch : got) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    EXPECT_EQ(got, want) << tn;
    if (!ref_tensors.contains(tn)) continue;
    std::vector<float> q = dequantize(t), w = dequantize(*src->find_tensor(t.name));
    double num = 0, den = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      const double d = static_cast<double>(q[i]) - w[i];
      num += d * d;
      den += static_cast<double>(w[i]) * w[i];
    }
    const double ref = ref_tensors[tn]["nmse"].get<double>();
    EXPECT_LE(num / den, 1.02 * ref) << tn << " ours " << num / den << " llama.cpp " << ref;
  }

  // (3) logits distance to the F32 model's golden.
  auto model = Model::load(out);
  ASSERT_TRUE(model.ok()) << model.error().to_string();
  auto ctx = Context::create(**model, ContextParams{512, 512, 2});
  ASSERT_TRUE(ctx.ok());
  const int64_t n_vocab = (*model)->config().n_vocab;
  for (size_t k = 0; k < golden["prompts"].size(); ++k) {
    const json& p = golden["prompts"][k];
    const json& fp = f32_golden["prompts"][k];
    auto toks = p["tokens"].get<std::vector<int32_t>>();
    std::vector<float> logits(toks.size() * n_vocab);
    (*ctx)->reset();
    ASSERT_TRUE((*ctx)->forward(toks, LogitsMode::kAll, logits).ok());
    auto positions = fp["logits_positions"].get<std::vector<int64_t>>();
    ASSERT_EQ(positions, p["logits_positions"].get<std::vector<int64_t>>());
    const size_t n = positions.size() * n_vocab;
    auto gold = read_logits(dir + fp["logits_file"].get<std::string>(),
                            fp["logits_dtype"].get<std::string>(), n);
    auto theirs = read_logits(dir + p["logits_file"].get<std::string>(),
                              p["logits_dtype"].get<std::string>(), n);
    ASSERT_FALSE(gold.empty() || theirs.empty());
    // Both distances over the same stored positions (`measured` covers every position, which
    // only prompt 0 stores, so it is not comparable for the longer prompts).
    const double ours = nmse(logits.data(), gold, positions.size(), n_vocab,
                             [&](size_t i) { return positions[i]; });
    const double ref =
        nmse(theirs.data(), gold, positions.size(), n_vocab, [](size_t i) { return i; });
    std::printf("[ measured ] %s prompt%zu logits nmse vs F32 golden: ours %.4g llama.cpp %.4g\n",
                name.c_str(), k, ours, ref);
    EXPECT_LE(ours, 1.1 * ref) << "prompt " << k;
  }
  std::filesystem::remove(out);
}

std::string case_name(const ::testing::TestParamInfo<QuantCase>& info) {
  std::string n = info.param.base + "_" + info.param.type;
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Golden, QuantizeTest, ::testing::ValuesIn(quant_cases()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(QuantizeTest);

}  // namespace
}  // namespace fulcrum::engine
