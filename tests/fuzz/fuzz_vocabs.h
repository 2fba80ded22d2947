// The vocab files the tokenizer fuzzer and its seed maker share: every *.gguf in
// $FULCRUM_TESTDATA/tokenizer (default ../shared/testdata beside the source tree), sorted by name,
// so the first byte of a fuzz input (modulo their count) names the same vocab in both.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fulcrum::fuzz {

inline std::string tokenizer_data_dir() {
  if (const char* env = std::getenv("FULCRUM_TESTDATA"); env && *env)
    return std::string(env) + "/tokenizer";
  return std::string(FULCRUM_SOURCE_DIR) + "/../shared/testdata/tokenizer";
}

inline std::vector<std::string> vocab_files() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(tokenizer_data_dir(), ec))
    if (e.path().extension() == ".gguf") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace fulcrum::fuzz
