// Tokenizer: text <-> token ids for a model, built from its GGUF `tokenizer.ggml.*` metadata.
//
//   FULCRUM_TRY(auto tok, Tokenizer::open("model.gguf"));
//   std::vector<TokenId> ids = tok->encode("Hello", /*add_special=*/true, /*parse_special=*/false);
//   std::string text = tok->decode(ids);
//
// One interface over three algorithms (sentencepiece_tokenizer.h, bpe_tokenizer.h,
// wordpiece_tokenizer.h). Special tokens: user-defined tokens are always matched in the text as
// whole tokens; control and unknown tokens (<s>, <|im_start|>, …) only when parse_special is set.
// A Tokenizer is immutable after loading; encode/decode may run on many threads at once.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/tokenizer/special_trie.h"
#include "engine/tokenizer/vocab.h"
#include "gguf/gguf_file.h"

namespace fulcrum::engine {

class WordCache;

struct DecodeOptions {
  bool remove_special = false;  // drop a leading BOS and a trailing EOS the model adds itself
  bool render_special = true;   // write control/unknown tokens' text (false: skip them)
};

class Tokenizer {
 public:
  static Result<std::unique_ptr<Tokenizer>> from_gguf(const gguf::GgufFile& file);
  static Result<std::unique_ptr<Tokenizer>> open(const std::string& path);
  virtual ~Tokenizer();

  // add_special: add BOS/EOS (or CLS/SEP) as the model's metadata says.
  std::vector<TokenId> encode(std::string_view text, bool add_special, bool parse_special) const;
  void encode(std::string_view text, bool add_special, bool parse_special,
              std::vector<TokenId>* out) const;  // appends
  std::string decode(std::span<const TokenId> ids, const DecodeOptions& options = {}) const;

  // The bytes a token stands for (text of control tokens; the byte of <0xNN>); empty when the id
  // is out of range. Not stripped of the SentencePiece leading space.
  std::string_view token_to_piece(TokenId id) const;
  std::string_view token_text(TokenId id) const;  // as stored in the vocab
  TokenType token_type(TokenId id) const;
  TokenId find_token(std::string_view text) const { return vocab_.find(text); }
  int32_t n_tokens() const { return vocab_.size(); }

  TokenizerModel model() const { return vocab_.model; }
  const std::string& model_name() const { return vocab_.model_name; }
  const std::string& pre_name() const { return vocab_.pre_name; }
  const SpecialTokens& special() const { return vocab_.special; }
  bool add_bos() const { return vocab_.add_bos; }
  bool add_eos() const { return vocab_.add_eos; }
  bool add_space_prefix() const { return vocab_.add_space_prefix; }
  bool is_eog(TokenId id) const;
  bool is_control(TokenId id) const { return vocab_.is_control_or_unknown(id); }

 protected:
  explicit Tokenizer(Vocab vocab);
  // Encodes one run of plain text (no special tokens in it). after_special: the run starts the
  // text or follows a special token (SentencePiece adds its leading space there). cache: words
  // already encoded in this encode() call (shared by all its runs).
  virtual void encode_text(std::string_view text, bool after_special, WordCache* cache,
                           std::vector<TokenId>* out) const = 0;
  // Fills pieces_ (called by each subclass constructor).
  void set_piece(TokenId id, std::string piece) { pieces_[id] = std::move(piece); }
  // Token that closes an encoding with add_special (EOS, or SEP for WordPiece); kNoToken: none.
  TokenId suffix_token_ = kNoToken;
  Vocab vocab_;

 private:
  struct Fragment {
    uint32_t begin, end;  // text bytes, when id == kNoToken
    TokenId id;
  };
  void partition(std::string_view text, bool parse_special, std::vector<Fragment>* out) const;
  void build_special_index();

  std::vector<std::string> pieces_;
  // Tokens matched in raw text, longest first; the trie maps their texts to indices in it.
  std::vector<TokenId> special_order_;
  SpecialTrie special_trie_;
  bool has_user_defined_ = false;
};

}  // namespace fulcrum::engine
