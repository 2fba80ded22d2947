// tokenizer_seed_maker OUT_DIR: writes fuzz seeds for fuzz_tokenizer into OUT_DIR: every test
// string of the shared tokenizer vectors (*.gguf.inp), once per vocab file, each prefixed with the
// byte that selects that vocab (fuzz_vocabs.h).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "tests/fuzz/fuzz_vocabs.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tokenizer_seed_maker OUT_DIR\n");
    return 2;
  }
  namespace fs = std::filesystem;
  const auto vocabs = fulcrum::fuzz::vocab_files();
  if (vocabs.empty() || vocabs.size() > 256) {
    std::fprintf(stderr, "tokenizer_seed_maker: %zu vocab files under %s\n", vocabs.size(),
                 fulcrum::fuzz::tokenizer_data_dir().c_str());
    return 1;
  }
  // FORMAT.md: strings separated by "\n__ggml_vocab_test__\n".
  std::set<std::string> strings;
  const std::string sep = "\n__ggml_vocab_test__\n";
  for (const auto& v : vocabs) {
    std::ifstream in(v + ".inp", std::ios::binary);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    for (size_t at = 0, k; (k = text.find(sep, at)) != std::string::npos; at = k + sep.size())
      strings.insert(text.substr(at, k - at));
  }
  if (strings.empty()) {
    std::fprintf(stderr, "tokenizer_seed_maker: no test strings (*.gguf.inp)\n");
    return 1;
  }
  size_t n = 0;
  for (size_t v = 0; v < vocabs.size(); ++v) {
    size_t i = 0;
    for (const auto& s : strings) {
      auto path = fs::path(argv[1]) / ("v" + std::to_string(v) + "-" + std::to_string(i++));
      std::ofstream out(path, std::ios::binary);
      out.put(static_cast<char>(v));
      out << s;
      n += static_cast<bool>(out);
    }
  }
  std::printf("tokenizer_seed_maker: %zu seeds (%zu strings x %zu vocabs)\n", n, strings.size(),
              vocabs.size());
  return n == strings.size() * vocabs.size() ? 0 : 1;
}
