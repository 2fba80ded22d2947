#include "engine/tokenizer/wordpiece_tokenizer.h"

#include <algorithm>

#include "core/utf8.h"
#include "engine/tokenizer/unicode_props.h"

namespace fulcrum::engine {
namespace {

constexpr std::string_view kSpace = kSentencePieceSpace;

bool is_cjk_ideograph(uint32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// BERT's basic tokenizer: the words of text, normalised.
std::vector<std::string> basic_words(std::string_view text) {
  std::vector<std::string> words(1);
  for (size_t i = 0; i < text.size();) {
    uint32_t cp;
    size_t n = utf8::decode(text.substr(i), &cp);
    if (n == 0) {  // invalid byte: dropped, as U+FFFD is
      ++i;
      continue;
    }
    i += n;
    cp = codepoint_nfd_base(cp);
    uint8_t f = codepoint_flags(cp);
    if (f & cpflag::kWhitespace) {
      if (!words.back().empty()) words.emplace_back();
      continue;
    }
    if (cp == 0 || cp == 0xFFFD || (f & cpflag::kControl)) continue;
    std::string s;
    utf8::append(codepoint_to_lower(cp), &s);
    if ((f & cpflag::kPunctuation) || (cp < 0x7F && (f & cpflag::kSymbol)) ||
        is_cjk_ideograph(cp)) {
      if (!words.back().empty()) words.emplace_back();
      words.back() = std::move(s);
      words.emplace_back();
    } else {
      words.back() += s;
    }
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(Vocab vocab) : Tokenizer(std::move(vocab)) {
  for (TokenId id = 0; id < vocab_.size(); ++id) {
    const std::string& t = vocab_.texts[id];
    switch (vocab_.types[id]) {
      case TokenType::kNormal:
        set_piece(id, unescape_spaces(t));
        break;
      case TokenType::kControl:
      case TokenType::kUnknown:
      case TokenType::kUserDefined:
        set_piece(id, t);
        break;
      default:
        break;
    }
  }
  suffix_token_ = vocab_.special.sep;
}

Result<std::unique_ptr<Tokenizer>> WordPieceTokenizer::create(Vocab vocab) {
  return std::unique_ptr<Tokenizer>(new WordPieceTokenizer(std::move(vocab)));
}

void WordPieceTokenizer::encode_text(std::string_view text, bool /*after_special*/,
                                     WordCache* /*cache*/, std::vector<TokenId>* out) const {
  for (const std::string& word : basic_words(text)) encode_word(word, out);
}

void WordPieceTokenizer::encode_word(const std::string& word, std::vector<TokenId>* out) const {
  // Hugging Face's WordPiece gives a word of more than max_input_chars_per_word (100) characters
  // [UNK] without trying to split it.
  constexpr size_t kMaxWordChars = 100;
  size_t chars = 0;
  for (char c : word) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (chars > kMaxWordChars) {
    if (vocab_.special.unk != kNoToken) out->push_back(vocab_.special.unk);
    return;
  }
  const std::string w = std::string(kSpace) + word;
  const size_t n = w.size();
  const size_t before = out->size();
  for (size_t i = 0; i < n;) {
    size_t j = std::min(n, i + vocab_.max_token_len);
    TokenId found = kNoToken;
    for (; j > i; --j) {
      found = vocab_.find(std::string_view(w).substr(i, j - i));
      if (found != kNoToken) break;
    }
    if (found == kNoToken) {
      out->resize(before);
      break;
    }
    out->push_back(found);
    i = j;
  }
  if (out->size() == before && vocab_.special.unk != kNoToken) out->push_back(vocab_.special.unk);
}

}  // namespace fulcrum::engine
