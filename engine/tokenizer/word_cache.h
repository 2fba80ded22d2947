// WordCache: token ids of words already encoded during one encode() call. Natural text repeats
// most of its words, so long inputs are encoded word by word once per distinct word. One cache
// serves a whole encode() call (every run of text between special tokens); it keeps its own copy
// of each key, so callers may pass words from temporary buffers. Open addressing over flat
// arrays: no allocation per word beyond the arrays' growth.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/token_index.h"
#include "engine/tokenizer/vocab.h"

namespace fulcrum::engine {

class WordCache {
 public:
  // Caching pays off only for longer texts.
  explicit WordCache(size_t text_size) : enabled_(text_size >= kMinText) {}

  // Appends the cached ids of word and returns true, or returns false when not cached.
  bool emit(std::string_view word, std::vector<TokenId>* out) {
    if (!enabled_ || word.size() > kMaxWord || slots_.empty()) return false;
    const uint64_t h = StringHash{}(word);
    const auto tag = static_cast<uint32_t>(h >> 32);
    for (size_t at = h & mask_;; at = (at + 1) & mask_) {
      const Slot& s = slots_[at];
      if (s.key_len == kEmpty) return false;
      if (s.tag == tag && s.key_len == word.size() &&
          std::string_view(keys_).substr(s.key_off, s.key_len) == word) {
        out->insert(out->end(), ids_.begin() + s.ids_off, ids_.begin() + s.ids_off + s.n_ids);
        return true;
      }
    }
  }

  // Remembers out[from..] as the ids of word.
  void store(std::string_view word, const std::vector<TokenId>& out, size_t from) {
    if (!enabled_ || word.size() > kMaxWord || out.size() - from > kMaxIds) return;
    if ((used_ + 1) * 2 > slots_.size()) grow();
    const uint64_t h = StringHash{}(word);
    size_t at = h & mask_;
    while (slots_[at].key_len != kEmpty) at = (at + 1) & mask_;
    slots_[at] = Slot{static_cast<uint32_t>(h >> 32), static_cast<uint32_t>(keys_.size()),
                      static_cast<uint32_t>(ids_.size()), static_cast<uint16_t>(word.size()),
                      static_cast<uint16_t>(out.size() - from)};
    keys_.append(word);
    ids_.insert(ids_.end(), out.begin() + from, out.end());
    ++used_;
  }

 private:
  static constexpr size_t kMinText = 512;
  static constexpr size_t kMaxWord = 64;
  static constexpr size_t kMaxIds = 0xFFFF;
  static constexpr uint16_t kEmpty = 0xFFFF;
  struct Slot {
    uint32_t tag;
    uint32_t key_off;
    uint32_t ids_off;
    uint16_t key_len;  // kEmpty: free slot
    uint16_t n_ids;
  };

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{0, 0, 0, kEmpty, 0});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key_len == kEmpty) continue;
      const uint64_t h = StringHash{}(std::string_view(keys_).substr(s.key_off, s.key_len));
      size_t at = h & mask_;
      while (slots_[at].key_len != kEmpty) at = (at + 1) & mask_;
      slots_[at] = s;
    }
  }

  bool enabled_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t used_ = 0;
  std::string keys_;
  std::vector<TokenId> ids_;
};

}  // namespace fulcrum::engine
