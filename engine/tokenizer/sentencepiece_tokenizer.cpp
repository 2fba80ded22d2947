#include "engine/tokenizer/sentencepiece_tokenizer.h"

#include <cstdio>
#include <queue>
#include <unordered_map>

#include "engine/tokenizer/word_cache.h"

namespace fulcrum::engine {
namespace {

constexpr std::string_view kSpace = kSentencePieceSpace;

size_t utf8_len(unsigned char c) {
  static constexpr uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLen[c >> 4];
}

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(Vocab vocab) : Tokenizer(std::move(vocab)) {
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    TokenId id = vocab_.find(name);
    if (id == kNoToken) id = vocab_.find(std::string_view(reinterpret_cast<const char*>(&b), 1));
    byte_tokens_[b] = id == kNoToken ? vocab_.special.unk : id;
  }
  split_at_spaces_ = true;
  for (TokenId id = 0; id < vocab_.size(); ++id) {
    const std::string& t = vocab_.texts[id];
    for (size_t p = t.find(kSpace, 1); p != std::string::npos; p = t.find(kSpace, p + 1)) {
      if (p < kSpace.size() || t.compare(p - kSpace.size(), kSpace.size(), kSpace) != 0) {
        split_at_spaces_ = false;
        break;
      }
    }
    if (!split_at_spaces_) break;
  }
  for (TokenId id = 0; id < vocab_.size(); ++id) {
    const std::string& t = vocab_.texts[id];
    switch (vocab_.types[id]) {
      case TokenType::kNormal:
        set_piece(id, unescape_spaces(t));
        break;
      case TokenType::kByte: {
        unsigned v = 0;
        if (t.size() == 6 && std::sscanf(t.c_str(), "<0x%02X>", &v) == 1)
          set_piece(id, std::string(1, static_cast<char>(v)));
        break;
      }
      case TokenType::kControl:
      case TokenType::kUnknown:
      case TokenType::kUserDefined:
        set_piece(id, t);
        break;
      default:
        break;  // unused / undefined tokens decode to nothing
    }
  }
  if (vocab_.add_eos) suffix_token_ = vocab_.special.eos;
}

Result<std::unique_ptr<Tokenizer>> SentencePieceTokenizer::create(Vocab vocab) {
  return std::unique_ptr<Tokenizer>(new SentencePieceTokenizer(std::move(vocab)));
}

void SentencePieceTokenizer::encode_text(std::string_view text, bool after_special,
                                         WordCache* cache, std::vector<TokenId>* out) const {
  std::string s;
  s.reserve(text.size() + text.size() / 4 + 4);
  if (vocab_.add_space_prefix && after_special) s.append(kSpace);
  for (char c : text) {
    if (c == ' ')
      s.append(kSpace);
    else
      s.push_back(c);
  }
  if (!split_at_spaces_) {
    encode_chunk(s, out);
    return;
  }
  std::string_view sv = s;
  size_t start = 0;
  for (size_t i = 1; i <= sv.size(); ++i) {
    bool cut = i == sv.size();
    if (!cut && sv[i] == kSpace[0] && sv.compare(i, kSpace.size(), kSpace) == 0)
      cut = i < kSpace.size() || sv.compare(i - kSpace.size(), kSpace.size(), kSpace) != 0;
    if (!cut) continue;
    std::string_view chunk = sv.substr(start, i - start);
    if (!cache->emit(chunk, out)) {
      size_t before = out->size();
      encode_chunk(chunk, out);
      cache->store(chunk, *out, before);
    }
    start = i;
  }
}

void SentencePieceTokenizer::emit_symbol(std::string_view sym, std::vector<TokenId>* out) const {
  TokenId id = vocab_.find(sym);
  if (id != kNoToken) {
    out->push_back(id);
    return;
  }
  for (char c : sym) {
    TokenId b = byte_tokens_[static_cast<unsigned char>(c)];
    if (b != kNoToken) out->push_back(b);
  }
}

// Score-based merging over a linked list of symbols with a priority queue of candidate pairs
// (best score first, leftmost on ties). Merging two adjacent symbols is their concatenated text,
// so a pair's text is one string_view into the chunk.
void SentencePieceTokenizer::encode_chunk(std::string_view chunk, std::vector<TokenId>* out) const {
  struct Sym {
    int32_t prev, next;
    uint32_t start, len;
  };
  struct Pair {
    float score;
    int32_t left, right;
    uint32_t len;
    bool operator<(const Pair& o) const {
      return score < o.score || (score == o.score && left > o.left);
    }
  };
  std::vector<Sym> syms;
  syms.reserve(chunk.size());
  for (size_t off = 0; off < chunk.size();) {
    size_t n = std::min(utf8_len(static_cast<unsigned char>(chunk[off])), chunk.size() - off);
    auto idx = static_cast<int32_t>(syms.size());
    syms.push_back({idx - 1, off + n == chunk.size() ? -1 : idx + 1, static_cast<uint32_t>(off),
                    static_cast<uint32_t>(n)});
    off += n;
  }
  std::priority_queue<Pair> queue;
  auto try_pair = [&](int32_t l, int32_t r) {
    if (l < 0 || r < 0) return;
    uint32_t len = syms[l].len + syms[r].len;
    TokenId id = vocab_.find(chunk.substr(syms[l].start, len));
    if (id == kNoToken) return;
    queue.push({vocab_.scores[id], l, r, len});
  };
  for (int32_t i = 1; i < static_cast<int32_t>(syms.size()); ++i) try_pair(i - 1, i);
  while (!queue.empty()) {
    Pair p = queue.top();
    queue.pop();
    Sym& l = syms[p.left];
    Sym& r = syms[p.right];
    if (l.len == 0 || r.len == 0 || l.len + r.len != p.len) continue;
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = p.left;
    try_pair(l.prev, p.left);
    try_pair(p.left, l.next);
  }
  for (int32_t i = syms.empty() ? -1 : 0; i != -1; i = syms[i].next)
    emit_symbol(chunk.substr(syms[i].start, syms[i].len), out);
}

}  // namespace fulcrum::engine
