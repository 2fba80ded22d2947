// SentencePiece-style BPE (tokenizer.ggml.model = "llama"): spaces become U+2581, a leading
// U+2581 is added at the start of the text and after each special token (add_space_prefix), then
// adjacent symbols (UTF-8 characters) are merged best-score first; a symbol that is no token is
// written as its bytes (<0xNN> tokens), or as UNK when the vocab has no byte tokens.
#pragma once

#include <memory>

#include "engine/tokenizer/tokenizer.h"

namespace fulcrum::engine {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  static Result<std::unique_ptr<Tokenizer>> create(Vocab vocab);

 protected:
  void encode_text(std::string_view text, bool after_special, WordCache* cache,
                   std::vector<TokenId>* out) const override;

 private:
  explicit SentencePieceTokenizer(Vocab vocab);
  void encode_chunk(std::string_view chunk, std::vector<TokenId>* out) const;
  void emit_symbol(std::string_view sym, std::vector<TokenId>* out) const;

  TokenId byte_tokens_[256];
  // True when no token has U+2581 after another character: then merges never cross the start of
  // a space run, and the text can be encoded run by run (and runs cached) with the same result.
  bool split_at_spaces_ = false;
};

}  // namespace fulcrum::engine
