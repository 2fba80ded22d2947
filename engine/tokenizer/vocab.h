// Vocab: everything a tokenizer reads from a GGUF's `tokenizer.ggml.*` metadata, copied out of
// the mapping (a Vocab outlives its GgufFile): token texts, scores, types, merges, special ids
// and the add_bos / add_eos / add_space_prefix defaults.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/tokenizer/token_index.h"
#include "gguf/gguf_file.h"

namespace fulcrum::engine {

using TokenId = int32_t;

inline constexpr TokenId kNoToken = -1;

enum class TokenizerModel : uint8_t {
  kSentencePiece,  // tokenizer.ggml.model = "llama"
  kBytePairBpe,    // "gpt2"
  kWordPiece,      // "bert"
};

// tokenizer.ggml.token_type values.
enum class TokenType : uint8_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

struct SpecialTokens {
  TokenId bos = kNoToken;
  TokenId eos = kNoToken;
  TokenId eot = kNoToken;
  TokenId eom = kNoToken;
  TokenId unk = kNoToken;
  TokenId sep = kNoToken;
  TokenId pad = kNoToken;
  TokenId mask = kNoToken;
  TokenId fim_pre = kNoToken;
  TokenId fim_suf = kNoToken;
  TokenId fim_mid = kNoToken;
  TokenId fim_pad = kNoToken;
  TokenId fim_rep = kNoToken;
  TokenId fim_sep = kNoToken;
};

struct Vocab {
  TokenizerModel model = TokenizerModel::kSentencePiece;
  std::string model_name;  // tokenizer.ggml.model
  std::string pre_name;    // tokenizer.ggml.pre ("" when absent)

  std::vector<std::string> texts;   // by id
  std::vector<float> scores;        // by id (0 when the file has none)
  std::vector<TokenType> types;     // by id (kNormal when the file has none)
  TokenIndex ids;                   // text -> id (the last of duplicates)
  std::vector<std::string> merges;  // "left right", by rank (BPE only)
  size_t max_token_len = 0;         // bytes

  SpecialTokens special;
  std::vector<TokenId> eog;  // tokens that end generation
  bool add_bos = false;
  bool add_eos = false;
  bool add_space_prefix = false;

  int32_t size() const { return static_cast<int32_t>(texts.size()); }
  bool valid(TokenId id) const { return id >= 0 && id < size(); }
  TokenId find(std::string_view text) const { return ids.find(text, texts); }
  bool is_control_or_unknown(TokenId id) const {
    return valid(id) && (types[id] == TokenType::kControl || types[id] == TokenType::kUnknown);
  }

  Vocab() = default;
  Vocab(Vocab&&) noexcept = default;
  Vocab& operator=(Vocab&&) noexcept = default;
  Vocab(const Vocab&) = delete;
};

// Reads the vocabulary. Unknown `tokenizer.ggml.model` values are a kUnimplemented error naming the
// value; a missing or mistyped array is an error naming its key.
Result<Vocab> load_vocab(const gguf::GgufFile& file);

// SentencePiece writes a space as U+2581 ("▁") inside token texts (SentencePiece and WordPiece
// vocabs converted from it); unescape_spaces turns each back into ' '.
inline constexpr std::string_view kSentencePieceSpace = "\xE2\x96\x81";
std::string unescape_spaces(std::string_view s);

}  // namespace fulcrum::engine
