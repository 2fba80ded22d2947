// The CLI contracts of `fulcrum run`, `fulcrum run --chat` and `fulcrum quantize`, through the
// real binary: JSON fields, BOS per metadata, special tokens in the prompt not parsed,
// --dump-logits layout and values (against the golden pack's llama.cpp logits), the sampling
// flags, seed determinism, finish_reason, the chat template path, and quantize --dry-run sizes and
// recipes (against the llama-quantize Q4_K_M file of kjv-tiny).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "kernels/kernels.h"
#include "tests/unit/model/cli_runner.h"

namespace fulcrum::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string kjv(const std::string& type) {
  return testdata_path("models/kjv-tiny-" + type + ".gguf");
}
std::string golden(const std::string& rel) {
  return testdata_path("golden/" + rel);
}

json run_json(std::vector<std::string> args, const std::string& stdin_text = "") {
  args.insert(args.begin(), "run");
  args.push_back("--json");
  RunResult r = run_fulcrum(args, stdin_text);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json j = stdout_json(r);
  EXPECT_TRUE(j.is_object()) << r.out << r.err;
  return j.is_object() ? j : json::object();
}

std::vector<int32_t> ids_of(const json& j) {
  return j.contains("ids") ? j["ids"].get<std::vector<int32_t>>() : std::vector<int32_t>{};
}

// Writes a copy of a model with some metadata changed (tensors point into the source mapping).
void write_variant(const std::string& src, const std::string& dst,
                   const std::function<void(gguf::GgufWriter&)>& change) {
  auto f = gguf::GgufFile::open(src);
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  gguf::GgufWriter w;
  w.copy_metadata(*f);
  change(w);
  for (const auto& t : f->tensors())
    ASSERT_TRUE(w.add_tensor(t.name, t.type, std::span<const uint64_t>(t.ne.data(), t.n_dims),
                             static_cast<const void*>(t.data))
                    .ok());
  ASSERT_TRUE(w.write(dst).ok());
}

// ---- run ----------------------------------------------------------------------------------------

TEST(RunCli, JsonHasEveryFieldOfTheContract) {
  json j = run_json({"-m", kjv("q8_0"), "-p", "In the beginning", "-n", "5", "--temp", "0"});
  for (const char* k : {"prompt_ids", "ids", "text", "finish_reason", "prompt_ms", "gen_ms"})
    ASSERT_TRUE(j.contains(k)) << k;
  EXPECT_TRUE(j["prompt_ids"].is_array());
  EXPECT_EQ(j["prompt_ids"].get<std::vector<int32_t>>(),
            (std::vector<int32_t>{1, 1029, 261, 1916, 1286}));
  EXPECT_EQ(j["ids"].size(), 5u);
  EXPECT_TRUE(j["text"].is_string());
  EXPECT_FALSE(j["text"].get<std::string>().empty());
  EXPECT_EQ(j["finish_reason"], "length");
  EXPECT_TRUE(j["prompt_ms"].is_number() && j["prompt_ms"].get<double>() >= 0);
  EXPECT_TRUE(j["gen_ms"].is_number() && j["gen_ms"].get<double>() >= 0);
  // Without --json the text goes to stdout as it is generated.
  RunResult plain =
      run_fulcrum({"run", "-m", kjv("q8_0"), "-p", "In the beginning", "-n", "5", "--temp", "0"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, j["text"].get<std::string>() + "\n");
}

TEST(RunCli, SpecialTokensInThePromptAreNotParsed) {
  json j = run_json({"-m", kjv("q8_0"), "-p", "<s>In</s>", "-n", "1", "--temp", "0"});
  auto ids = j["prompt_ids"].get<std::vector<int32_t>>();
  ASSERT_GT(ids.size(), 3u);
  EXPECT_EQ(ids[0], 1);  // the BOS the metadata asks for
  for (size_t i = 1; i < ids.size(); ++i) {
    EXPECT_NE(ids[i], 1) << "<s> in the text became the BOS token";
    EXPECT_NE(ids[i], 2) << "</s> in the text became the EOS token";
  }
}

TEST(RunCli, BosFollowsTheMetadata) {
  // llama cut: add_bos_token -> BOS 1 first; qwen2 cut: no add_bos_token key -> no BOS. The
  // golden ids are llama.cpp's for the same prompt.
  const std::string prompt = read_all(golden("prompts/prompt0.txt"));
  for (const char* base : {"synth-llama", "synth-qwen2"}) {
    SCOPED_TRACE(base);
    json g = json::parse(read_all(golden(std::string("outputs/") + base + "-F32.json")));
    json j = run_json({"-m", golden(std::string("models/") + base + "-F32.gguf"), "-p", prompt,
                       "-n", "1", "--temp", "0"});
    EXPECT_EQ(j["prompt_ids"], g["prompts"][0]["tokens"]);
  }
}

// --dump-logits: [n_prompt][n_vocab] little-endian float32, the same logits llama.cpp computes.
TEST(RunCli, DumpLogitsMatchesTheGoldenLogits) {
  const std::string prompt = read_all(golden("prompts/prompt0.txt"));
  for (const char* name : {"synth-llama-F32", "synth-qwen2-F32", "synth-llama-Q4_K_M"}) {
    SCOPED_TRACE(name);
    json g = json::parse(read_all(golden(std::string("outputs/") + name + ".json")));
    const json& p = g["prompts"][0];
    const auto n_vocab = g["n_vocab"].get<size_t>();
    const size_t n_prompt = p["tokens"].size();
    ASSERT_EQ(p["logits_positions"].size(), n_prompt) << "prompt 0 stores every position";
    const std::string dump = temp_path("logits.bin");
    json j = run_json({"-m", golden(std::string("models/") + name + ".gguf"), "-p", prompt, "-n",
                       "2", "--temp", "0", "--dump-logits", dump});
    EXPECT_EQ(j["prompt_ids"], p["tokens"]);
    const std::string bytes = read_all(dump);
    fs::remove(dump);
    ASSERT_EQ(bytes.size(), n_prompt * n_vocab * 4);
    std::vector<float> got(n_prompt * n_vocab), gold(n_prompt * n_vocab);
    std::memcpy(got.data(), bytes.data(), bytes.size());
    const std::string gbytes = read_all(golden(p["logits_file"].get<std::string>()));
    if (p["logits_dtype"] == "f32") {
      ASSERT_EQ(gbytes.size(), bytes.size());
      std::memcpy(gold.data(), gbytes.data(), gbytes.size());
    } else {
      ASSERT_EQ(gbytes.size(), bytes.size() / 2);
      for (size_t i = 0; i < gold.size(); ++i) {
        uint16_t h;
        std::memcpy(&h, gbytes.data() + 2 * i, 2);
        gold[i] = kernels::fp16_to_fp32(h);
      }
    }
    double num = 0, den = 0;
    for (size_t i = 0; i < gold.size(); ++i) {
      num += (static_cast<double>(got[i]) - gold[i]) * (static_cast<double>(got[i]) - gold[i]);
      den += static_cast<double>(gold[i]) * gold[i];
    }
    EXPECT_LE(num / den, g["tolerance"]["nmse_max"].get<double>());
    // The last row is what chose the first generated token.
    const float* last = got.data() + (n_prompt - 1) * n_vocab;
    const auto argmax = std::max_element(last, last + n_vocab) - last;
    EXPECT_EQ(j["ids"][0], argmax);
  }
}

TEST(RunCli, SameSeedSameOutputOtherSeedDiffers) {
  const std::vector<std::string> base = {
      "-m",  kjv("q8_0"), "-p", "And the LORD said", "-n", "24",      "--temp",
      "1.2", "--top-k",   "0",  "--top-p",           "1",  "--min-p", "0"};
  auto with_seed = [&](const char* seed) {
    auto args = base;
    args.insert(args.end(), {"--seed", seed});
    return run_json(args);
  };
  json a = with_seed("7"), b = with_seed("7"), c = with_seed("8");
  EXPECT_EQ(ids_of(a), ids_of(b));
  EXPECT_EQ(a["text"], b["text"]);
  EXPECT_EQ(a["seed"], 7);
  EXPECT_EQ(ids_of(a).size(), 24u);
  EXPECT_NE(ids_of(a), ids_of(c));
  // Sampling at temperature 1.2 over the whole vocabulary leaves the greedy path.
  json greedy = run_json({"-m", kjv("q8_0"), "-p", "And the LORD said", "-n", "24", "--temp", "0"});
  EXPECT_NE(ids_of(a), ids_of(greedy));
}

TEST(RunCli, SamplingFlagsAct) {
  const std::vector<std::string> base = {"-m", kjv("f16"), "-p", "Blessed are the", "-n", "20"};
  auto run_with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return ids_of(run_json(args));
  };
  const auto greedy = run_with({"--temp", "0"});
  ASSERT_EQ(greedy.size(), 20u);
  // Each filter that keeps only the most likely token makes sampling greedy.
  EXPECT_EQ(run_with({"--temp", "1.5", "--top-k", "1", "--seed", "3"}), greedy);
  EXPECT_EQ(run_with({"--temp", "1.5", "--top-k", "0", "--top-p", "1e-6", "--seed", "3"}), greedy);
  EXPECT_EQ(run_with({"--temp", "1.5", "--top-k", "0", "--min-p", "1", "--seed", "3"}), greedy);
  // Threads do not change the result.
  EXPECT_EQ(run_with({"--temp", "0", "--threads", "1"}), greedy);
  EXPECT_EQ(run_with({"--temp", "0", "--threads", "3"}), greedy);
  // The greedy path loops ("and to thy God, and to thy God"); a repetition penalty leaves it.
  const auto penalized = run_with({"--temp", "0", "--repeat-penalty", "1.5"});
  EXPECT_NE(penalized, greedy);
  EXPECT_EQ(penalized.size(), 20u);
  // A context smaller than prompt + n ends generation at the context's end.
  json j = run_json(
      {"-m", kjv("f16"), "-p", "Blessed are the", "-n", "20", "--temp", "0", "--ctx", "10"});
  EXPECT_EQ(j["ids"].size(), 10u - j["prompt_ids"].size() + 1);
  EXPECT_EQ(j["finish_reason"], "length");
}

TEST(RunCli, FinishReasonStopAtEndOfGeneration) {
  // A copy of the model whose EOS is the 6th greedy token: generation stops right before it.
  json greedy =
      run_json({"-m", kjv("q4_k_m"), "-p", "In the beginning", "-n", "12", "--temp", "0"});
  const auto ids = ids_of(greedy);
  ASSERT_EQ(ids.size(), 12u);
  const int32_t eos = ids[5];
  const size_t first = std::find(ids.begin(), ids.end(), eos) - ids.begin();
  const std::string variant = temp_path("eos.gguf");
  write_variant(kjv("q4_k_m"), variant,
                [&](gguf::GgufWriter& w) { w.set_u32("tokenizer.ggml.eos_token_id", eos); });
  json j = run_json({"-m", variant, "-p", "In the beginning", "-n", "12", "--temp", "0"});
  fs::remove(variant);
  EXPECT_EQ(j["finish_reason"], "stop");
  EXPECT_EQ(ids_of(j), std::vector<int32_t>(ids.begin(), ids.begin() + first));
  // The unmodified model ran into -n: the reason is the length.
  EXPECT_EQ(greedy["finish_reason"], "length");
}

TEST(RunCli, BadInputIsAnErrorNotACrash) {
  struct Case {
    std::vector<std::string> args;
    int code;
  };
  const std::vector<Case> cases = {
      {{"run", "-p", "x"}, 2},
      {{"run", "-m", kjv("q8_0")}, 2},
      {{"run", "-m", kjv("q8_0"), "-p", "x", "--temp", "-1"}, 2},
      {{"run", "-m", kjv("q8_0"), "-p", "x", "--top-p", "0"}, 2},
      {{"run", "-m", kjv("q8_0"), "-p", "x", "--min-p", "2"}, 2},
      {{"run", "-m", kjv("q8_0"), "-p", "x", "-n", "abc"}, 2},
      {{"run", "-m", kjv("q8_0"), "-p", "x", "--bogus"}, 2},
      {{"run", "-m", "/nonexistent/model.gguf", "-p", "x"}, 1},
      {{"run", "-m", testdata_path("models/kjv-valid.txt"), "-p", "x"}, 1},
      // No BOS (qwen2 metadata) and no text: nothing to run.
      {{"run", "-m", golden("models/synth-qwen2-Q8_0.gguf"), "-p", "", "-n", "1"}, 1},
      {{"run", "-m", kjv("q8_0"), "-p", "x", "--dump-logits", "/nonexistent/dir/l.bin"}, 1},
  };
  for (const auto& c : cases) {
    RunResult r = run_fulcrum(c.args);
    std::string what;
    for (const auto& a : c.args) what += a + " ";
    EXPECT_EQ(r.exit_code, c.code) << what << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << what;
  }
}

// ---- run --chat ---------------------------------------------------------------------------------

constexpr const char* kChatml =
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

std::string render_chatml(const std::vector<std::pair<std::string, std::string>>& msgs) {
  std::string s;
  for (const auto& [role, content] : msgs)
    s += "<|im_start|>" + role + "\n" + content + "<|im_end|>\n";
  return s + "<|im_start|>assistant\n";
}

TEST(ChatCli, EachTurnIsTheRenderedConversationThroughTheModelsTemplate) {
  const std::string model = temp_path("chat.gguf");
  write_variant(kjv("q8_0"), model,
                [](gguf::GgufWriter& w) { w.set_string("tokenizer.chat_template", kChatml); });
  RunResult r = run_fulcrum({"run", "-m", model, "--chat", "-n", "12", "--temp", "0", "--json"},
                            "Who made the heaven?\nAnd the earth?\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> turns;
  std::istringstream lines(r.out);
  for (std::string l; std::getline(lines, l);) turns.push_back(json::parse(l, nullptr, false));
  ASSERT_EQ(turns.size(), 2u) << r.out;
  // Turn k equals a plain run over the conversation rendered by hand (kjv-tiny has no
  // <|im_start|> token, so parsing special tokens changes nothing here).
  const std::string p1 = render_chatml({{"user", "Who made the heaven?"}});
  json one = run_json({"-m", model, "-p", p1, "-n", "12", "--temp", "0"});
  EXPECT_EQ(turns[0]["prompt_ids"], one["prompt_ids"]);
  EXPECT_EQ(turns[0]["ids"], one["ids"]);
  const std::string reply = one["text"].get<std::string>();
  EXPECT_EQ(turns[0]["text"], reply);
  const std::string p2 = render_chatml(
      {{"user", "Who made the heaven?"}, {"assistant", reply}, {"user", "And the earth?"}});
  json two = run_json({"-m", model, "-p", p2, "-n", "12", "--temp", "0"});
  EXPECT_EQ(turns[1]["prompt_ids"], two["prompt_ids"]);
  EXPECT_EQ(turns[1]["ids"], two["ids"]);
  EXPECT_EQ(turns[1]["finish_reason"], "length");
  // Plain mode streams each reply followed by a newline.
  RunResult plain = run_fulcrum({"run", "-m", model, "--chat", "-n", "12", "--temp", "0"},
                                "Who made the heaven?\n");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, reply + "\n");
  fs::remove(model);
}

TEST(ChatCli, BuiltinTemplateAndMissingTemplate) {
  // kjv-tiny carries no chat template: --chat alone is an error that says what to do.
  RunResult none = run_fulcrum({"run", "-m", kjv("q8_0"), "--chat", "-n", "4"}, "Hello\n");
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("chat_template"), std::string::npos) << none.err;
  RunResult builtin = run_fulcrum({"run", "-m", kjv("q8_0"), "--chat", "--chat-template", "chatml",
                                   "-n", "4", "--temp", "0", "--json"},
                                  "Hello\n");
  ASSERT_EQ(builtin.exit_code, 0) << builtin.err;
  json t = json::parse(builtin.out, nullptr, false);
  ASSERT_TRUE(t.is_object()) << builtin.out;
  EXPECT_EQ(t["ids"].size(), 4u);
  RunResult unknown = run_fulcrum(
      {"run", "-m", kjv("q8_0"), "--chat", "--chat-template", "nope", "-n", "4"}, "Hello\n");
  EXPECT_EQ(unknown.exit_code, 1);
}

// ---- quantize -----------------------------------------------------------------------------------

std::map<std::string, std::string> tensor_types(const std::string& path) {
  std::map<std::string, std::string> out;
  auto f = gguf::GgufFile::open(path);
  EXPECT_TRUE(f.ok()) << path;
  if (!f.ok()) return out;
  for (const auto& t : f->tensors())
    out[std::string(t.name)] = std::string(kernels::ggml_type_name(t.type));
  return out;
}

// --dry-run prints the size and writes nothing; the real run writes exactly that many bytes, and
// every 2-D weight of the output has the type (pure types) or the recipe's type.
TEST(QuantizeCli, DryRunSizeEqualsWrittenSizeForEveryType) {
  std::vector<std::string> types = {"F16",  "BF16", "Q8_0",   "Q4_0",   "Q4_1",
                                    "Q5_0", "Q5_1", "Q2_K",   "Q3_K",   "Q4_K",
                                    "Q5_K", "Q6_K", "IQ4_NL", "Q4_K_M", "Q5_K_M"};
  if (kSanitizerBuild) types = {"F16", "Q8_0", "Q4_K_M", "Q5_K_M"};
  const std::string src = golden("models/synth-qwen2-F32.gguf");
  for (const auto& type : types) {
    SCOPED_TRACE(type);
    const std::string out = temp_path("q.gguf");
    RunResult dry = run_fulcrum({"quantize", src, out, type, "--dry-run", "--json"});
    ASSERT_EQ(dry.exit_code, 0) << dry.err;
    EXPECT_FALSE(fs::exists(out)) << "--dry-run wrote the file";
    json d = stdout_json(dry);
    ASSERT_TRUE(d.is_object()) << dry.out;
    RunResult text = run_fulcrum({"quantize", src, out, type, "--dry-run"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find(std::to_string(d["out_bytes"].get<uint64_t>()) + " bytes"),
              std::string::npos)
        << text.out;
    RunResult real = run_fulcrum({"quantize", src, out, type});
    ASSERT_EQ(real.exit_code, 0) << real.err;
    ASSERT_TRUE(fs::exists(out));
    EXPECT_EQ(fs::file_size(out), d["out_bytes"].get<uint64_t>());
    auto types_out = tensor_types(out);
    fs::remove(out);
    const bool mixed = type.size() > 2 && type.substr(type.size() - 2) == "_M";
    const std::string base = mixed ? type.substr(0, type.size() - 2) : type;
    for (const auto& [name, t] : types_out) {
      const bool vec =
          name.find("norm") != std::string::npos || name.find(".bias") != std::string::npos;
      if (vec) {
        EXPECT_EQ(t, "f32") << name;
      } else if (!mixed) {
        EXPECT_EQ(kernels::ggml_type_from_name(t), kernels::ggml_type_from_name(base)) << name;
      }
    }
  }
}

// The Q4_K_M recipe puts exactly the tensors llama-quantize puts in Q6_K there (kjv-tiny, 4
// layers: output, blk.2/3 attn_v and ffn_down); Q5_K_M raises the same ones over Q5_K.
TEST(QuantizeCli, MixedRecipesMatchLlamaQuantize) {
  const auto reference = tensor_types(kjv("q4_k_m"));
  ASSERT_EQ(reference.size(), 39u);
  for (const char* recipe : {"Q4_K_M", "Q5_K_M"}) {
    SCOPED_TRACE(recipe);
    const std::string out = temp_path("mix.gguf");
    RunResult r = run_fulcrum({"quantize", kjv("f32"), out, recipe});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto got = tensor_types(out);
    ASSERT_EQ(got.size(), reference.size());
    for (const auto& [name, t] : reference) {
      std::string expect = t;
      if (std::string(recipe) == "Q5_K_M" && t == "q4_K") expect = "q5_K";
      EXPECT_EQ(got.at(name), expect) << name;
    }
    // The written model loads and runs (its accuracy against llama.cpp's files is
    // test_model_quantize's subject).
    json j = run_json({"-m", out, "-p", "In the beginning", "-n", "4", "--temp", "0"});
    fs::remove(out);
    EXPECT_EQ(j["ids"].size(), 4u);
  }
}

TEST(QuantizeCli, BadInputIsAnError) {
  const std::string out = temp_path("bad.gguf");
  EXPECT_EQ(run_fulcrum({"quantize", kjv("f32"), out, "Q9_Z"}).exit_code, 2);
  EXPECT_EQ(run_fulcrum({"quantize", kjv("f32"), out}).exit_code, 2);
  EXPECT_EQ(run_fulcrum({"quantize", "/nonexistent.gguf", out, "Q8_0"}).exit_code, 1);
  EXPECT_FALSE(fs::exists(out));
}

// ---- --version ----------------------------------------------------------------------------------

// The binary says which allocator serves malloc, checked at run time: mimalloc in the builds
// that link it (FULCRUM_MIMALLOC, the default without sanitizers), malloc otherwise.
TEST(VersionCli, ReportsTheAllocatorInUse) {
  RunResult r = run_fulcrum({"--version"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("fulcrum ", 0), 0u) << r.out;
#if defined(FULCRUM_TEST_MIMALLOC)
  EXPECT_NE(r.out.find("(allocator: mimalloc 2."), std::string::npos) << r.out;
#else
  EXPECT_NE(r.out.find("(allocator: malloc)"), std::string::npos) << r.out;
#endif
}

}  // namespace
}  // namespace fulcrum::testing
