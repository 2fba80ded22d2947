// Resident memory of a loaded model: the target is that loading maps the file (weights used in
// place, never copied), so peak RSS after load stays within 10% of the file size plus the KV
// cache. For each model (one child process each, so every measurement starts clean): the
// process's RSS before loading, then the peak RSS (VmHWM, reset before the load) after
// Model::load + tokenizer + Context::create, and again after a short greedy generation that
// touches every weight. The context is sized as `fulcrum run` sizes it (prompt + generated
// tokens); `--ctx N` sets it instead. Prints one JSON object with a row per model.
//
//   model_memory_bench [--ctx N] [--gen N] MODEL.gguf...
//   model_memory_bench --write-synth OUT.gguf --from MODEL.gguf
//
// --write-synth writes a larger random-weight llama model (Q8_0, n_embd 2048, 16 layers, n_ff
// 5632, GQA 16/4, about 0.8 GB) with the tokenizer of --from, so the bound can be measured at a
// size where fixed costs (program code, tokenizer tables) no longer dominate.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "engine/model/context.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "kernels/kernels.h"

namespace {

using namespace fulcrum;

constexpr const char* kPrompt = "In the beginning God created the heaven and the earth.";

// A field of /proc/self/status in bytes ("VmRSS", "VmHWM").
uint64_t proc_status_bytes(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0)
      return std::strtoull(line.c_str() + key.size(), nullptr, 10) * 1024;
  return 0;
}

// Resident bytes, from /proc/self/smaps: of the mappings of `path` (the model file, used in place),
// of anonymous memory (heap, stacks: where a copy of the weights would show), and of other files
// (the program's own code and libraries).
struct RssSplit {
  uint64_t file = 0, anon = 0, code = 0;
};
RssSplit rss_split(const std::string& path) {
  char real[4096];
  const std::string target = realpath(path.c_str(), real) ? std::string(real) : path;
  std::ifstream in("/proc/self/smaps");
  std::string line;
  int kind = 0;  // 0 model file, 1 anonymous, 2 other file
  RssSplit out;
  while (std::getline(in, line)) {
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
        line.find('-') < line.find(' ')) {
      const auto slash = line.find('/');
      kind = slash == std::string::npos ? 1 : line.substr(slash) == target ? 0 : 2;
    } else if (line.rfind("Rss:", 0) == 0) {
      const uint64_t kb = std::strtoull(line.c_str() + 4, nullptr, 10);
      (kind == 0 ? out.file : kind == 1 ? out.anon : out.code) += kb * 1024;
    }
  }
  return out;
}

// Resets VmHWM to the current RSS (Linux >= 4.0).
bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

struct Options {
  int64_t n_ctx = 0;  // 0: prompt + generated tokens, as `fulcrum run`
  int64_t n_gen = 32;
  std::vector<std::string> models;
};

// Measures one model in this process and prints its JSON row; returns false on a load error.
bool measure(const std::string& path, const Options& o) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "cannot stat %s\n", path.c_str());
    return false;
  }
  const uint64_t file_bytes = static_cast<uint64_t>(st.st_size);
  const uint64_t rss_before = proc_status_bytes("VmRSS");
  const RssSplit split_before = rss_split(path);
  const bool peak_reset = reset_peak_rss();

  auto model = engine::Model::load(path);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.error().to_string().c_str());
    return false;
  }
  const uint64_t rss_model = proc_status_bytes("VmRSS");
  auto tok = engine::Tokenizer::from_gguf((*model)->file());
  if (!tok.ok()) {
    std::fprintf(stderr, "%s\n", tok.error().to_string().c_str());
    return false;
  }
  const uint64_t rss_tokenizer = proc_status_bytes("VmRSS");
  std::vector<int32_t> prompt = (*tok)->encode(kPrompt, true, false);
  const int64_t n_prompt = static_cast<int64_t>(prompt.size());
  int64_t n_ctx = o.n_ctx > 0 ? o.n_ctx : n_prompt + o.n_gen;
  auto ctx = engine::Context::create(**model, {n_ctx, 512, 2});
  if (!ctx.ok()) {
    std::fprintf(stderr, "%s\n", ctx.error().to_string().c_str());
    return false;
  }
  engine::Context& c = **ctx;
  const uint64_t kv = c.kv_bytes();
  const uint64_t hwm_load = proc_status_bytes("VmHWM");

  const int64_t n_vocab = c.n_vocab();
  std::vector<float> logits(static_cast<size_t>(n_vocab));
  bool ok = c.forward(prompt, engine::LogitsMode::kLast, logits).ok();
  int64_t generated = 0;
  while (ok && generated < o.n_gen && c.n_past() < c.n_ctx()) {
    const int32_t t =
        static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    ok = c.forward(std::span<const int32_t>(&t, 1), engine::LogitsMode::kLast, logits).ok();
    ++generated;
  }
  const uint64_t hwm_gen = proc_status_bytes("VmHWM");
  const RssSplit split = rss_split(path);
  const double bound = static_cast<double>(file_bytes + kv);
  const double load_delta = static_cast<double>(hwm_load) - static_cast<double>(rss_before);
  const double gen_delta = static_cast<double>(hwm_gen) - static_cast<double>(rss_before);
  std::printf(
      "{\"model\": \"%s\", \"file_bytes\": %llu, \"weight_bytes\": %llu, \"n_ctx\": %lld, "
      "\"kv_bytes\": %llu, \"rss_before_load\": %llu, \"peak_rss_after_load\": %llu, "
      "\"peak_rss_after_generation\": %llu, \"rss_model_only\": %llu, "
      "\"rss_model_and_tokenizer\": %llu, \"model_mapping_rss_after_generation\": %llu, "
      "\"anon_rss_growth\": %lld, \"code_rss_growth\": %lld, \"generated_tokens\": %lld, "
      "\"load_ratio\": %.4f, \"generation_ratio\": %.4f, \"within_10_percent\": %s, "
      "\"peak_reset\": %s}",
      path.c_str(), static_cast<unsigned long long>(file_bytes),
      static_cast<unsigned long long>((*model)->weight_bytes()), static_cast<long long>(c.n_ctx()),
      static_cast<unsigned long long>(kv), static_cast<unsigned long long>(rss_before),
      static_cast<unsigned long long>(hwm_load), static_cast<unsigned long long>(hwm_gen),
      static_cast<unsigned long long>(rss_model), static_cast<unsigned long long>(rss_tokenizer),
      static_cast<unsigned long long>(split.file),
      static_cast<long long>(split.anon) - static_cast<long long>(split_before.anon),
      static_cast<long long>(split.code) - static_cast<long long>(split_before.code),
      static_cast<long long>(generated), load_delta / bound, gen_delta / bound,
      load_delta <= 1.1 * bound && gen_delta <= 1.1 * bound ? "true" : "false",
      peak_reset ? "true" : "false");
  std::fflush(stdout);
  return ok;
}

// A random-weight llama model in Q8_0 (norms F32) with the tokenizer keys of `from`. Rows are
// generated and quantized as the writer streams them: the model never sits in memory.
int write_synth(const std::string& out, const std::string& from) {
  auto src = gguf::GgufFile::open(from);
  if (!src.ok()) {
    std::fprintf(stderr, "%s\n", src.error().to_string().c_str());
    return 1;
  }
  const uint64_t n_embd = 2048, n_layer = 16, n_head = 16, n_head_kv = 4, n_ff = 5632;
  const uint64_t kv = n_embd / n_head * n_head_kv;
  auto vocab = src->find("tokenizer.ggml.tokens");
  const uint64_t n_vocab = vocab && vocab->is_array() ? vocab->size() : 0;
  gguf::GgufWriter w;
  for (const auto& k : src->metadata())
    if (k.key.starts_with("tokenizer.")) w.set_value(k.key, gguf::WriteValue::from(k.value));
  w.set_string("general.architecture", "llama");
  w.set_string("general.name", "memory-bench-synth");
  w.set_u32("general.file_type", 7);
  w.set_u32("llama.context_length", 2048);
  w.set_u32("llama.embedding_length", n_embd);
  w.set_u32("llama.block_count", n_layer);
  w.set_u32("llama.feed_forward_length", n_ff);
  w.set_u32("llama.attention.head_count", n_head);
  w.set_u32("llama.attention.head_count_kv", n_head_kv);
  w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_u32("llama.vocab_size", static_cast<uint32_t>(n_vocab));
  static const std::vector<float> ones(n_embd, 1.0f);
  auto matrix = [&](const std::string& name, uint64_t cols, uint64_t rows) {
    return w.add_tensor(
        name, kernels::GgmlType::kQ8_0, {cols, rows},
        [cols, rows, seed = static_cast<uint32_t>(std::hash<std::string>{}(name))](
            gguf::TensorSink& sink) mutable -> Status {
          std::vector<float> f(cols);
          std::vector<uint8_t> q(*kernels::ggml_row_size(kernels::GgmlType::kQ8_0, cols));
          const float scale = 1.0f / std::sqrt(static_cast<float>(cols));
          for (uint64_t r = 0; r < rows; ++r) {
            for (auto& v : f) {
              seed = seed * 1664525u + 1013904223u;
              v = (static_cast<float>(seed >> 8) / 16777216.0f - 0.5f) * 3.4f * scale;
            }
            kernels::quantize_row(kernels::GgmlType::kQ8_0, f.data(), q.data(),
                                  static_cast<int64_t>(cols));
            FULCRUM_TRY_STATUS(sink.write(q.data(), q.size()));
          }
          return {};
        });
  };
  auto check = [](const Status& st) {
    if (!st.ok()) std::fprintf(stderr, "%s\n", st.error().to_string().c_str());
    return st.ok();
  };
  bool ok =
      check(matrix("token_embd.weight", n_embd, n_vocab)) &&
      check(w.add_tensor("output_norm.weight", kernels::GgmlType::kF32, {n_embd}, ones.data())) &&
      check(matrix("output.weight", n_embd, n_vocab));
  for (uint64_t il = 0; ok && il < n_layer; ++il) {
    const std::string b = "blk." + std::to_string(il) + ".";
    ok = check(w.add_tensor(b + "attn_norm.weight", kernels::GgmlType::kF32, {n_embd},
                            ones.data())) &&
         check(matrix(b + "attn_q.weight", n_embd, n_embd)) &&
         check(matrix(b + "attn_k.weight", n_embd, kv)) &&
         check(matrix(b + "attn_v.weight", n_embd, kv)) &&
         check(matrix(b + "attn_output.weight", n_embd, n_embd)) &&
         check(
             w.add_tensor(b + "ffn_norm.weight", kernels::GgmlType::kF32, {n_embd}, ones.data())) &&
         check(matrix(b + "ffn_gate.weight", n_embd, n_ff)) &&
         check(matrix(b + "ffn_up.weight", n_embd, n_ff)) &&
         check(matrix(b + "ffn_down.weight", n_ff, n_embd));
  }
  if (!ok || !check(w.write(out))) return 1;
  std::printf("{\"written\": \"%s\"}\n", out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--write-synth" && std::string(argv[3]) == "--from")
    return write_synth(argv[2], argv[4]);
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--ctx" || a == "--gen") && i + 1 < argc) {
      (a == "--ctx" ? o.n_ctx : o.n_gen) = std::atoll(argv[++i]);
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "usage: model_memory_bench [--ctx N] [--gen N] MODEL.gguf...\n");
      return 2;
    } else {
      o.models.push_back(a);
    }
  }
  if (o.models.empty()) {
    std::fprintf(stderr, "usage: model_memory_bench [--ctx N] [--gen N] MODEL.gguf...\n");
    return 2;
  }
  std::printf("{\"bench\": \"model_memory\", \"gen_tokens\": %lld, \"rows\": [",
              static_cast<long long>(o.n_gen));
  std::fflush(stdout);
  int failures = 0;
  for (size_t i = 0; i < o.models.size(); ++i) {
    if (i) std::printf(", ");
    std::fflush(stdout);
    // A child per model: its RSS starts from the bare process, not from the previous model.
    const pid_t pid = fork();
    if (pid == 0) _exit(measure(o.models[i], o) ? 0 : 1);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::printf("{\"model\": \"%s\", \"error\": true}", o.models[i].c_str());
      ++failures;
    }
  }
  std::printf("]}\n");
  return failures ? 1 : 0;
}
