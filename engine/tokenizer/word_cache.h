// WordCache: token ids of words already encoded during one encode() call. Natural text repeats
// most of its words, so long inputs are encoded word by word once per distinct word. Keys are
// views into the caller's text, so a cache lives no longer than one call.
#pragma once

#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/tokenizer/vocab.h"

namespace fulcrum::engine {

class WordCache {
 public:
  // Caching pays off only for longer texts.
  explicit WordCache(size_t text_size) : enabled_(text_size >= kMinText) {
    if (enabled_) map_.reserve(1024);
  }

  // Appends the cached ids of word and returns true, or returns false when not cached.
  bool emit(std::string_view word, std::vector<TokenId>* out) const {
    if (!enabled_ || word.size() > kMaxWord) return false;
    auto it = map_.find(word);
    if (it == map_.end()) return false;
    out->insert(out->end(), ids_.begin() + it->second.first,
                ids_.begin() + it->second.first + it->second.second);
    return true;
  }

  // Remembers out[from..] as the ids of word.
  void store(std::string_view word, const std::vector<TokenId>& out, size_t from) {
    if (!enabled_ || word.size() > kMaxWord) return;
    auto start = static_cast<uint32_t>(ids_.size());
    ids_.insert(ids_.end(), out.begin() + from, out.end());
    map_.emplace(word, std::make_pair(start, static_cast<uint32_t>(out.size() - from)));
  }

 private:
  static constexpr size_t kMinText = 512;
  static constexpr size_t kMaxWord = 64;
  bool enabled_;
  std::unordered_map<std::string_view, std::pair<uint32_t, uint32_t>, StringHash> map_;
  std::vector<TokenId> ids_;
};

}  // namespace fulcrum::engine
