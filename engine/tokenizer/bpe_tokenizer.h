// Byte-level BPE (tokenizer.ggml.model = "gpt2"): the text is split into words by the family's
// pre-tokenizer (pre_tokenizer.h), each byte of a word becomes its GPT-2 byte-level character,
// then adjacent symbols are merged lowest merge rank first (leftmost on ties).
//
// Symbols are integers: every token text and every merge side or result that is not a token gets
// an id at load, and each merge is one hash lookup on (left id, right id).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/tokenizer.h"

namespace fulcrum::engine {

class BpeTokenizer final : public Tokenizer {
 public:
  static Result<std::unique_ptr<Tokenizer>> create(Vocab vocab, PreTokenizer pre);

  const PreTokenizer& pre_tokenizer() const { return pre_; }

 protected:
  void encode_text(std::string_view text, bool after_special, WordCache* cache,
                   std::vector<TokenId>* out) const override;

 private:
  BpeTokenizer(Vocab vocab, PreTokenizer pre);
  Status build();
  int32_t intern(std::string_view text);
  void add_merge(int32_t left, int32_t right, int32_t rank, int32_t result);
  void encode_word(std::string_view word, std::vector<TokenId>* out) const;
  void encode_short_word(std::string_view word, std::vector<TokenId>* out) const;
  void emit_symbol(int32_t sym, std::vector<TokenId>* out) const;

  // Merges: open addressing on (left id << 32 | right id); kFree marks an empty slot.
  struct MergeSlot {
    uint64_t key;
    int32_t rank;
    int32_t result;
  };
  static constexpr uint64_t kFree = ~0ull;
  static uint64_t merge_key(int32_t l, int32_t r) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(l)) << 32) | static_cast<uint32_t>(r);
  }
  size_t merge_slot(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> merge_shift_);
  }
  // The merge of symbols (l, r), or nullptr.
  const MergeSlot* find_merge(int32_t l, int32_t r) const {
    const uint64_t key = merge_key(l, r);
    for (size_t at = merge_slot(key);; at = (at + 1) & merge_mask_) {
      const MergeSlot& s = merges_[at];
      if (s.key == key) return &s;
      if (s.key == kFree) return nullptr;
    }
  }

  PreTokenizer pre_;
  int32_t byte_sym_[256];
  std::string byte_char_[256];            // UTF-8 of each byte's byte-level character
  std::vector<std::string> extra_texts_;  // symbols that are not tokens: id = n_tokens + index
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> extra_ids_;
  std::vector<MergeSlot> merges_;
  size_t merge_mask_ = 0;
  int merge_shift_ = 64;
};

// The GPT-2 byte <-> character mapping: printable Latin-1 bytes map to themselves, the other 68
// bytes to U+0100 onwards in byte order.
uint32_t byte_to_codepoint(uint8_t b);
// The byte a byte-level character stands for, or -1.
int byte_from_codepoint(uint32_t cp);

}  // namespace fulcrum::engine
