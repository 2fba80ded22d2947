// libFuzzer target for the tokenizers. Input: one byte choosing the vocab (fuzz_vocabs.h), then
// the text. For every vocab and any bytes:
//   - encode never crashes, and every id is a token of the vocab, with or without special tokens
//     added or parsed;
//   - decode(encode(s)) == s, except where the tokenizer normalises by design: WordPiece
//     (lower-cases, strips accents, re-spaces) and, for SentencePiece, text containing U+2581
//     (its space marker, which decodes as a space) or special tokens parsed from the text (a
//     leading space is added after each); and except for text with a byte the vocab has no
//     token for (Falcon's has none for 0xF5..0xFF and a few control bytes: they are dropped, as
//     llama.cpp drops them; DeepSeek-Coder spells 0xFF only with an added token);
//   - the incremental detokenizer gives exactly decode(ids) in pieces, never cutting a valid UTF-8
//     character in two (its flush points never fall inside a character of the whole text) and
//     holding back at most 3 bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.h"
#include "engine/tokenizer/bpe_tokenizer.h"
#include "engine/tokenizer/incremental_detokenizer.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_vocabs.h"

namespace {

using fulcrum::engine::DecodeOptions;
using fulcrum::engine::IncrementalDetokenizer;
using fulcrum::engine::TokenId;
using fulcrum::engine::Tokenizer;
using fulcrum::engine::TokenizerModel;

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "fuzz_tokenizer: check failed: %s (%s:%d)\n", #cond, __FILE__, \
                   __LINE__);                                                             \
      __builtin_trap();                                                                   \
    }                                                                                     \
  } while (0)

struct Vocab {
  std::unique_ptr<Tokenizer> tok;
  bool has_byte[256];  // a token stands for this byte alone (byte-level character or <0xNN>)
};
std::vector<Vocab>* g_vocabs = nullptr;

void find_byte_tokens(Vocab* v) {
  for (int b = 0; b < 256; ++b) {
    std::string text;
    if (v->tok->model() == TokenizerModel::kBytePairBpe) {
      fulcrum::utf8::append(fulcrum::engine::byte_to_codepoint(static_cast<uint8_t>(b)), &text);
    } else {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      text = name;
    }
    // A byte-level character that only an added token spells (DeepSeek-Coder's "ÿ") decodes as
    // that token's text, not as the byte: the byte cannot round-trip either.
    const fulcrum::engine::TokenId id = v->tok->find_token(text);
    v->has_byte[b] = id != fulcrum::engine::kNoToken &&
                     (v->tok->token_type(id) == fulcrum::engine::TokenType::kNormal ||
                      v->tok->token_type(id) == fulcrum::engine::TokenType::kByte);
  }
}

bool all_bytes_have_tokens(const Vocab& v, std::string_view text) {
  for (char c : text)
    if (!v.has_byte[static_cast<unsigned char>(c)]) return false;
  return true;
}

// Streams ids through the incremental detokenizer: the pieces add up to decode(ids), and no flush
// point lies inside a valid UTF-8 character of that text.
void check_incremental(const Tokenizer& tok, const std::vector<TokenId>& ids,
                       const DecodeOptions& opts) {
  const std::string whole = tok.decode(ids, opts);
  std::vector<bool> inside(whole.size() + 1, false);
  for (size_t i = 0; i < whole.size();) {
    size_t n = fulcrum::utf8::sequence_length(std::string_view(whole).substr(i));
    if (n == 0) n = 1;
    for (size_t k = 1; k < n; ++k) inside[i + k] = true;
    i += n;
  }
  IncrementalDetokenizer detok(tok, opts);
  std::string streamed;
  for (TokenId id : ids) {
    std::string_view piece = detok.push(id);
    streamed.append(piece);
    FUZZ_CHECK(streamed.size() <= whole.size());
    FUZZ_CHECK(!inside[streamed.size()]);
    FUZZ_CHECK(detok.pending_bytes() <= 3);  // at most an incomplete character is held
  }
  streamed.append(detok.finish());
  FUZZ_CHECK(streamed == whole);
}

void check_ids(const Tokenizer& tok, const std::vector<TokenId>& ids) {
  for (TokenId id : ids) FUZZ_CHECK(id >= 0 && id < tok.n_tokens());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_vocabs = new std::vector<Vocab>();
  for (const std::string& path : fulcrum::fuzz::vocab_files()) {
    auto tok = Tokenizer::open(path);
    if (!tok.ok()) {
      std::fprintf(stderr, "fuzz_tokenizer: %s\n", tok.error().to_string().c_str());
      std::abort();
    }
    g_vocabs->emplace_back();
    g_vocabs->back().tok = std::move(tok).value();
    find_byte_tokens(&g_vocabs->back());
  }
  if (g_vocabs->empty()) {
    std::fprintf(stderr, "fuzz_tokenizer: no vocab files under %s (set FULCRUM_TESTDATA)\n",
                 fulcrum::fuzz::tokenizer_data_dir().c_str());
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Vocab& vocab = (*g_vocabs)[data[0] % g_vocabs->size()];
  const Tokenizer& tok = *vocab.tok;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool wordpiece = tok.model() == TokenizerModel::kWordPiece;
  const bool spm = tok.model() == TokenizerModel::kSentencePiece;
  const bool representable = all_bytes_have_tokens(vocab, text);

  // Plain text: the round trip.
  std::vector<TokenId> ids = tok.encode(text, false, false);
  check_ids(tok, ids);
  if (!wordpiece && representable &&
      !(spm && text.find("\xE2\x96\x81") != std::string_view::npos)) {
    FUZZ_CHECK(tok.decode(ids) == text);
  }
  check_incremental(tok, ids, DecodeOptions{});

  // Special tokens parsed from the text: byte-level BPE still round-trips.
  std::vector<TokenId> sp = tok.encode(text, false, true);
  check_ids(tok, sp);
  if (!wordpiece && !spm && representable) FUZZ_CHECK(tok.decode(sp) == text);
  check_incremental(tok, sp, DecodeOptions{false, false});

  // With BOS/EOS added: valid ids, and for byte-level BPE removing them on decode gives the plain
  // decode back (SentencePiece keeps the leading space after a removed BOS, as the reference
  // does). A stream cannot know its last token, so a trailing EOS is left out of the stream check.
  std::vector<TokenId> full = tok.encode(text, true, false);
  check_ids(tok, full);
  FUZZ_CHECK(full.size() >= ids.size());
  const DecodeOptions strip{true, true};
  if (!wordpiece && !spm) FUZZ_CHECK(tok.decode(full, strip) == tok.decode(ids));
  if (!tok.add_eos()) check_incremental(tok, full, strip);
  return 0;
}
