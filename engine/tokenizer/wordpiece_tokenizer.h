// WordPiece (tokenizer.ggml.model = "bert"): BERT's basic tokenizer (accents stripped to the first
// code point of the canonical decomposition, lower-cased, control characters dropped, split on
// whitespace, punctuation and CJK ideographs each a word), then greedy longest-match-first over
// the vocab, where a word start is written with a leading U+2581 (GGUF's form of BERT's vocab,
// whose "##" continuation prefix was removed). A word with no match, or of more than 100
// characters (Hugging Face's max_input_chars_per_word), becomes [UNK].
// Normalises by design: decode(encode(s)) is the lower-cased, accent-stripped, re-spaced text.
#pragma once

#include <memory>

#include "engine/tokenizer/tokenizer.h"

namespace fulcrum::engine {

class WordPieceTokenizer final : public Tokenizer {
 public:
  static Result<std::unique_ptr<Tokenizer>> create(Vocab vocab);

 protected:
  void encode_text(std::string_view text, bool after_special, WordCache* cache,
                   std::vector<TokenId>* out) const override;

 private:
  explicit WordPieceTokenizer(Vocab vocab);
  void encode_word(const std::string& word, std::vector<TokenId>* out) const;
};

}  // namespace fulcrum::engine
