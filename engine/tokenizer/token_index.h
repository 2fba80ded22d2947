// TokenIndex: token text -> id, as an open-addressing table of (hash tag, id) slots over the
// vocab's own texts (8 bytes a slot, no per-entry allocation). A lookup is one hash, usually one
// slot and one compare; building it for 150k tokens takes a few milliseconds. This is the
// tokenizers' hottest lookup (every candidate merge of SentencePiece, every merge side at load).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fulcrum::engine {

// A fast hash for short strings (token texts, words): 8 bytes per multiply-mix step.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (s.size() * 0xFF51AFD7ED558CCDull);
    const char* p = s.data();
    size_t n = s.size();
    while (n >= 8) {
      uint64_t v;
      __builtin_memcpy(&v, p, 8);
      h = (h ^ v) * 0xC2B2AE3D27D4EB4Full;
      h ^= h >> 29;
      p += 8;
      n -= 8;
    }
    uint64_t v = 0;
    __builtin_memcpy(&v, p, n);
    h = (h ^ v) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 32;
    return static_cast<size_t>(h);
  }
};

class TokenIndex {
 public:
  // Indexes texts[0..n); a text that occurs twice maps to its last id. The index keeps no
  // pointer to texts: lookups are given the same vector again (so the owner may move it).
  void build(const std::vector<std::string>& texts) {
    size_t cap = 16;
    while (cap < texts.size() * 2) cap <<= 1;
    mask_ = cap - 1;
    slots_.assign(cap, Slot{0, -1});
    for (size_t i = 0; i < texts.size(); ++i) {
      const uint64_t h = StringHash{}(texts[i]);
      size_t at = h & mask_;
      const auto tag = static_cast<uint32_t>(h >> 32);
      while (slots_[at].id >= 0 && !(slots_[at].tag == tag && texts[slots_[at].id] == texts[i]))
        at = (at + 1) & mask_;
      slots_[at] = Slot{tag, static_cast<int32_t>(i)};
    }
  }

  // The id of text in texts (the vector the index was built over), or -1.
  int32_t find(std::string_view text, const std::vector<std::string>& texts) const {
    if (slots_.empty()) return -1;
    const uint64_t h = StringHash{}(text);
    const auto tag = static_cast<uint32_t>(h >> 32);
    for (size_t at = h & mask_;; at = (at + 1) & mask_) {
      const Slot& s = slots_[at];
      if (s.id < 0) return -1;
      if (s.tag == tag && texts[s.id] == text) return s.id;
    }
  }

 private:
  struct Slot {
    uint32_t tag;  // high half of the hash
    int32_t id;    // -1: empty
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace fulcrum::engine
