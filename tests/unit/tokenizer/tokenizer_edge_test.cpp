// Behaviour of the tokenizers outside the reference vectors: Hugging Face's WordPiece word-length
// cap, and the word cache that spans every run of text between special tokens of one call.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/tokenizer/tokenizer.h"
#include "tests/support/testdata.h"

namespace fulcrum::engine {
namespace {

std::unique_ptr<Tokenizer> open_vocab(const std::string& name) {
  auto tok =
      Tokenizer::open(fulcrum::testing::testdata_path("tokenizer/ggml-vocab-" + name + ".gguf"));
  EXPECT_TRUE(tok.ok()) << tok.error().to_string();
  return tok.ok() ? std::move(tok).value() : nullptr;
}

TEST(WordPiece, WordOverOneHundredCharactersIsUnknown) {
  auto tok = open_vocab("bert-bge");
  ASSERT_TRUE(tok);
  const TokenId unk = tok->special().unk;
  ASSERT_NE(unk, kNoToken);
  auto at_limit = tok->encode(std::string(100, 'a') + " ok", false, false);
  ASSERT_GE(at_limit.size(), 3u);
  EXPECT_NE(at_limit[0], unk);  // 100 characters: split into pieces
  auto over = tok->encode(std::string(101, 'a') + " ok", false, false);
  ASSERT_EQ(over.size(), 2u);
  EXPECT_EQ(over[0], unk);
  EXPECT_EQ(over[1], tok->encode("ok", false, false)[0]);
  // Characters, not bytes: 60 two-byte letters are one word under the cap.
  std::string accented;
  for (int i = 0; i < 60; ++i) accented += "\xC3\xB1";  // ñ
  EXPECT_NE(tok->encode(accented, false, false)[0], unk);
}

// A long text made of a short one (encoded without the word cache) repeated between control tokens
// parsed from the text encodes to the short one's ids repeated: the word cache, shared by every
// run of one encode() call, gives each word the ids it would get on its own.
TEST(Tokenizer, WordCacheAcrossRunsBetweenSpecialTokens) {
  const std::string piece =
      "The cat  sat on the mat; it's 12345 years old.\n\n  def f(x): return x[0]  # 東京 🚀 ";
  for (const char* name : {"gpt-2", "mpt", "deepseek-llm", "falcon", "llama-spm", "bert-bge"}) {
    SCOPED_TRACE(name);
    auto tok = open_vocab(name);
    ASSERT_TRUE(tok);
    const TokenId sep = tok->special().eos != kNoToken ? tok->special().eos : tok->special().sep;
    ASSERT_TRUE(tok->is_control(sep));
    const std::vector<TokenId> one = tok->encode(piece, false, false);
    std::string text;
    std::vector<TokenId> want;
    for (int i = 0; i < 30; ++i) {
      text += piece;
      text += tok->token_text(sep);
      want.insert(want.end(), one.begin(), one.end());
      want.push_back(sep);
    }
    ASSERT_GT(text.size(), 2048u);  // long enough for the word cache
    EXPECT_EQ(tok->encode(text, false, true), want);
  }
}

}  // namespace
}  // namespace fulcrum::engine
