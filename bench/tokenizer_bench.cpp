// Tokenizer throughput on one core: encodes ~1 MB of mixed text (English prose, code, CJK, emoji,
// numbers) with each vocab and prints JSON with MB/s per vocab (best of --reps runs).
//
//   tokenizer_bench [--bytes N] [--reps R] [--dump FILE] [VOCAB.gguf ...]
// Without vocabs: every ggml-vocab-*.gguf in the shared tokenizer test data.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/tokenizer_bench_text.h"
#include "core/file_util.h"
#include "engine/tokenizer/tokenizer.h"

namespace {

std::string testdata_dir() {
  if (const char* env = std::getenv("FULCRUM_TESTDATA"); env && *env) return env;
  return std::string(FULCRUM_SOURCE_DIR) + "/../shared/testdata";
}

}  // namespace

int main(int argc, char** argv) {
  size_t bytes = 1 << 20;
  int reps = 3;
  std::string dump;
  std::vector<std::string> vocabs;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--bytes") && i + 1 < argc) {
      bytes = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--dump") && i + 1 < argc) {
      dump = argv[++i];
    } else {
      vocabs.emplace_back(argv[i]);
    }
  }
  if (vocabs.empty()) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(testdata_dir() + "/tokenizer", ec))
      if (e.path().extension() == ".gguf") vocabs.push_back(e.path().string());
    std::sort(vocabs.begin(), vocabs.end());
  }
  const std::string text = fulcrum::bench::mixed_text(bytes);
  if (!dump.empty()) (void)fulcrum::write_file(dump, text);
  std::printf("{\"bench\": \"tokenizer\", \"text_bytes\": %zu, \"reps\": %d, \"results\": [", text.size(),
              reps);
  bool first = true;
  for (const auto& path : vocabs) {
    auto tok = fulcrum::engine::Tokenizer::open(path);
    if (!tok.ok()) {
      std::fprintf(stderr, "%s\n", tok.error().to_string().c_str());
      continue;
    }
    double best = 1e30;
    size_t n_tokens = 0;
    for (int r = 0; r < reps; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      auto ids = (*tok)->encode(text, false, false);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best = std::min(best, s);
      n_tokens = ids.size();
    }
    std::string name = std::filesystem::path(path).stem().string();
    std::printf("%s\n  {\"vocab\": \"%s\", \"model\": \"%s\", \"pre\": \"%s\", \"tokens\": %zu, "
                "\"seconds\": %.4f, \"mb_per_s\": %.2f}",
                first ? "" : ",", name.c_str(), (*tok)->model_name().c_str(),
                (*tok)->pre_name().c_str(), n_tokens, best, text.size() / 1e6 / best);
    first = false;
  }
  std::printf("\n]}\n");
  return 0;
}
