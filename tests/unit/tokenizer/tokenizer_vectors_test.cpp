// Data-driven: every ggml-vocab-*.gguf with a .inp/.out pair in the shared tokenizer test data
// must encode each test string exactly to the reference ids (no specials added or parsed), and
// decode back to the string wherever the tokenizer does not normalise by design (WordPiece
// lower-cases, strips accents and re-spaces; it is excluded from the round trip). New vocabs are
// picked up by listing the folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/tokenizer/tokenizer.h"
#include "tests/support/testdata.h"

namespace fulcrum::engine {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// FORMAT.md: strings separated by "\n__ggml_vocab_test__\n"; the last separator ends the file.
std::vector<std::string> read_inputs(const fs::path& p) {
  const std::string text = slurp(p);
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> out;
  size_t at = 0;
  while (true) {
    size_t k = text.find(sep, at);
    if (k == std::string::npos) break;
    out.push_back(text.substr(at, k - at));
    at = k + sep.size();
  }
  return out;
}

std::vector<std::vector<TokenId>> read_outputs(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::vector<TokenId>> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::vector<TokenId> ids;
    TokenId id;
    while (ls >> id) ids.push_back(id);
    out.push_back(std::move(ids));
  }
  return out;
}

std::vector<std::string> vocab_names() {
  std::vector<std::string> names;
  fs::path dir = testing::testdata_path("tokenizer");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 9 && name.ends_with(".gguf.inp") &&
        fs::exists(dir / (name.substr(0, name.size() - 4) + ".out")))
      names.push_back(name.substr(0, name.size() - 4));
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string show(const std::vector<TokenId>& ids) {
  std::string s;
  for (TokenId id : ids) s += " " + std::to_string(id);
  return s;
}

class VocabVectors : public ::testing::TestWithParam<std::string> {};

TEST_P(VocabVectors, EncodesExactlyAndRoundTrips) {
  fs::path dir = testing::testdata_path("tokenizer");
  auto tok = Tokenizer::open((dir / GetParam()).string());
  ASSERT_TRUE(tok.ok()) << tok.error().to_string();
  auto inputs = read_inputs(dir / (GetParam() + ".inp"));
  auto outputs = read_outputs(dir / (GetParam() + ".out"));
  ASSERT_FALSE(inputs.empty());
  ASSERT_EQ(inputs.size(), outputs.size());
  const bool normalises = (*tok)->model() == TokenizerModel::kWordPiece;
  int failures = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<TokenId> ids = (*tok)->encode(inputs[i], false, false);
    EXPECT_EQ(ids, outputs[i]) << "string " << i << " '" << inputs[i] << "'\n got:" << show(ids)
                               << "\nwant:" << show(outputs[i]);
    failures += ids != outputs[i];
    if (!normalises) {
      EXPECT_EQ((*tok)->decode(ids), inputs[i]) << "round trip of string " << i;
    }
  }
  EXPECT_EQ(failures, 0);
}

INSTANTIATE_TEST_SUITE_P(AllVocabs, VocabVectors, ::testing::ValuesIn(vocab_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(10, info.param.size() - 15);
                           std::replace_if(
                               n.begin(), n.end(), [](char c) { return !isalnum(c); }, '_');
                           return n;
                         });

TEST(VocabVectorsData, FolderHasVocabs) {
  EXPECT_GE(vocab_names().size(), 8u)
      << "tokenizer test data missing under " << testing::testdata_path("tokenizer");
}

}  // namespace
}  // namespace fulcrum::engine
