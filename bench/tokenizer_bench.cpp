// Tokenizer throughput on one core: encodes ~1 MB of mixed text (English prose, code, CJK, emoji,
// numbers) with each vocab and prints JSON with MB/s per vocab (best of --reps runs), measured
// both by the wall clock and by the thread's CPU time (the same on an idle machine; on a shared
// one the CPU-time figure is what one core delivers), the vocab's load time, and the target of
// its family (byte-level BPE 20 MB/s, SentencePiece 10 MB/s; none for WordPiece).
//
//   tokenizer_bench [--bytes N] [--reps R] [--dump FILE] [VOCAB.gguf ...]
// Without vocabs: every ggml-vocab-*.gguf in the shared tokenizer test data.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
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

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double target_mb_per_s(fulcrum::engine::TokenizerModel m) {
  switch (m) {
    case fulcrum::engine::TokenizerModel::kBytePairBpe:
      return 20;
    case fulcrum::engine::TokenizerModel::kSentencePiece:
      return 10;
    case fulcrum::engine::TokenizerModel::kWordPiece:
      return 0;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  size_t bytes = 1 << 20;
  int reps = 5;
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
  std::printf("{\"bench\": \"tokenizer\", \"text_bytes\": %zu, \"reps\": %d, \"results\": [",
              text.size(), reps);
  bool first = true;
  for (const auto& path : vocabs) {
    const auto load0 = std::chrono::steady_clock::now();
    auto tok = fulcrum::engine::Tokenizer::open(path);
    const double load_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - load0).count();
    if (!tok.ok()) {
      std::fprintf(stderr, "%s\n", tok.error().to_string().c_str());
      continue;
    }
    double best = 1e30, best_cpu = 1e30;
    size_t n_tokens = 0;
    for (int r = 0; r < reps; ++r) {
      const double c0 = thread_cpu_seconds();
      auto t0 = std::chrono::steady_clock::now();
      auto ids = (*tok)->encode(text, false, false);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best_cpu = std::min(best_cpu, thread_cpu_seconds() - c0);
      best = std::min(best, s);
      n_tokens = ids.size();
    }
    const double mb = static_cast<double>(text.size()) / 1e6;
    const double target = target_mb_per_s((*tok)->model());
    std::string name = std::filesystem::path(path).stem().string();
    std::printf(
        "%s\n  {\"vocab\": \"%s\", \"model\": \"%s\", \"pre\": \"%s\", \"tokens\": %zu, "
        "\"load_ms\": %.1f, \"seconds\": %.4f, \"mb_per_s\": %.2f, \"cpu_seconds\": %.4f, "
        "\"mb_per_s_cpu\": %.2f, \"target_mb_per_s\": %.0f, \"meets_target\": %s}",
        first ? "" : ",", name.c_str(), (*tok)->model_name().c_str(), (*tok)->pre_name().c_str(),
        n_tokens, load_s * 1e3, best, mb / best, best_cpu, mb / best_cpu, target,
        mb / best >= target ? "true" : "false");
    first = false;
  }
  std::printf("\n]}\n");
  return 0;
}
