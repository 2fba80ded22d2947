#include "engine/tokenizer/incremental_detokenizer.h"

namespace fulcrum::engine {

size_t complete_utf8_prefix(std::string_view s) {
  const size_t n = s.size();
  // Find the start of the last sequence among the last 4 bytes.
  for (size_t back = 1; back <= 4 && back <= n; ++back) {
    auto c = static_cast<unsigned char>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep looking left
    size_t need = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 1;
    if (c >= 0xF5) need = 1;
    return back < need ? n - back : n;
  }
  return n;
}

IncrementalDetokenizer::IncrementalDetokenizer(const Tokenizer& tokenizer, DecodeOptions options)
    : tok_(tokenizer), options_(options) {
  pending_.reserve(64);
}

void IncrementalDetokenizer::reset() {
  pending_.clear();
  emitted_ = 0;
  first_ = true;
}

std::string_view IncrementalDetokenizer::push(TokenId id) {
  // Drop what was returned last time (its view is no longer promised).
  if (emitted_ > 0) {
    pending_.erase(0, emitted_);
    emitted_ = 0;
  }
  bool first = first_;
  first_ = false;
  const SpecialTokens& sp = tok_.special();
  if (options_.remove_special && first && tok_.add_bos() && id == sp.bos) return {};
  std::string_view piece = tok_.token_to_piece(id);
  if (!options_.render_special && tok_.is_control(id)) piece = {};
  if (first && tok_.add_space_prefix() && !piece.empty() && piece[0] == ' ') piece.remove_prefix(1);
  pending_.append(piece);
  emitted_ = complete_utf8_prefix(pending_);
  return std::string_view(pending_).substr(0, emitted_);
}

std::string_view IncrementalDetokenizer::finish() {
  if (emitted_ > 0) {
    pending_.erase(0, emitted_);
    emitted_ = 0;
  }
  emitted_ = pending_.size();
  return pending_;
}

}  // namespace fulcrum::engine
