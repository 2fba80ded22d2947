// The incremental detokenizer never emits half a UTF-8 character: streaming the reference ids of
// every test string of every vocab token by token gives decode(ids) in pieces whose boundaries
// never fall inside a character, holding back at most 3 bytes; complete_utf8_prefix on its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/utf8.h"
#include "engine/tokenizer/incremental_detokenizer.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/support/run_binary.h"
#include "tests/support/testdata.h"

namespace fulcrum::engine {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> vocab_paths() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fulcrum::testing::testdata_path("tokenizer"), ec))
    if (e.path().extension() == ".gguf") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> test_strings() {
  const std::string text = fulcrum::testing::read_all(
      fulcrum::testing::testdata_path("tokenizer/ggml-vocab-llama-spm.gguf.inp"));
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> out;
  for (size_t at = 0, k; (k = text.find(sep, at)) != std::string::npos; at = k + sep.size())
    out.push_back(text.substr(at, k - at));
  // Characters of 2, 3 and 4 bytes that byte-level and byte-fallback tokens split.
  out.push_back("ÿ€ 𝄞 🦙🦙 ﷽ 𓀀𓀁 ԱԲԳ \xF0\x9F\x98\x80\xF0\x9F\x98");
  out.push_back("\xC3\x28 invalid \xE2\x82 bytes \xFF\xFE end \xE6\x97");
  return out;
}

// Streams ids; returns the text, failing the test when a flush point lies inside a valid
// character of decode(ids).
void expect_streams_whole_characters(const Tokenizer& tok, const std::vector<TokenId>& ids,
                                     const DecodeOptions& opts) {
  const std::string whole = tok.decode(ids, opts);
  std::vector<bool> inside(whole.size() + 1, false);
  for (size_t i = 0; i < whole.size();) {
    size_t n = std::max<size_t>(1, utf8::sequence_length(std::string_view(whole).substr(i)));
    for (size_t k = 1; k < n; ++k) inside[i + k] = true;
    i += n;
  }
  IncrementalDetokenizer detok(tok, opts);
  std::string streamed;
  for (TokenId id : ids) {
    streamed.append(detok.push(id));
    ASSERT_LE(streamed.size(), whole.size());
    ASSERT_FALSE(inside[streamed.size()]) << "flushed half a character at byte " << streamed.size();
    ASSERT_LE(detok.pending_bytes(), 3u);
  }
  streamed.append(detok.finish());
  EXPECT_EQ(streamed, whole);
}

TEST(IncrementalDetokenizer, EveryVocabEveryString) {
  const auto paths = vocab_paths();
  ASSERT_GE(paths.size(), 8u);
  const auto strings = test_strings();
  ASSERT_GT(strings.size(), 40u);
  for (const auto& path : paths) {
    SCOPED_TRACE(path);
    auto tok = Tokenizer::open(path);
    ASSERT_TRUE(tok.ok()) << tok.error().to_string();
    for (const auto& s : strings) {
      SCOPED_TRACE(s);
      expect_streams_whole_characters(**tok, (*tok)->encode(s, false, false), {});
      if (!(*tok)->add_eos())  // a stream cannot know which token is its last
        expect_streams_whole_characters(**tok, (*tok)->encode(s, true, false), {true, false});
    }
  }
}

TEST(IncrementalDetokenizer, SplitCharacterIsHeldUntilComplete) {
  auto tok = Tokenizer::open(fulcrum::testing::testdata_path("tokenizer/ggml-vocab-gpt-2.gguf"));
  ASSERT_TRUE(tok.ok()) << tok.error().to_string();
  // "🦙" is 4 bytes; gpt-2 has no token for it, so it is several byte-level tokens.
  auto ids = (*tok)->encode("🦙!", false, false);
  ASSERT_GE(ids.size(), 3u);
  IncrementalDetokenizer detok(**tok);
  std::string out;
  for (size_t i = 0; i + 1 < ids.size(); ++i) {
    std::string_view piece = detok.push(ids[i]);
    out.append(piece);
    if (i + 2 < ids.size()) {
      EXPECT_EQ(piece, "") << "emitted part of the character";
    }
  }
  out.append(detok.push(ids.back()));
  EXPECT_EQ(out, "🦙!");
  EXPECT_EQ(detok.finish(), "");
  // An incomplete character at the very end comes out at finish().
  detok.reset();
  auto head = (*tok)->encode("\xF0\x9F\xA6", false, false);
  std::string held;
  for (TokenId id : head) held.append(detok.push(id));
  EXPECT_EQ(held, "");
  EXPECT_EQ(detok.finish(), "\xF0\x9F\xA6");
}

TEST(CompleteUtf8Prefix, Cases) {
  EXPECT_EQ(complete_utf8_prefix(""), 0u);
  EXPECT_EQ(complete_utf8_prefix("abc"), 3u);
  EXPECT_EQ(complete_utf8_prefix("a\xC3"), 1u);
  EXPECT_EQ(complete_utf8_prefix("a\xC3\xA9"), 3u);
  EXPECT_EQ(complete_utf8_prefix("a\xE6\x97"), 1u);
  EXPECT_EQ(complete_utf8_prefix("a\xF0\x9F\xA6"), 1u);
  EXPECT_EQ(complete_utf8_prefix("a\xF0\x9F\xA6\x99"), 5u);
  EXPECT_EQ(complete_utf8_prefix("a\xFF"), 2u);              // invalid: more bytes cannot fix it
  EXPECT_EQ(complete_utf8_prefix("a\x80\x80\x80\x80"), 5u);  // stray continuation bytes
}

}  // namespace
}  // namespace fulcrum::engine
