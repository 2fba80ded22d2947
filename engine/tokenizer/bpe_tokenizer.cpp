#include "engine/tokenizer/bpe_tokenizer.h"

#include <queue>

#include "core/utf8.h"
#include "engine/tokenizer/word_cache.h"

namespace fulcrum::engine {
namespace {

bool maps_to_itself(uint32_t b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct ByteMap {
  uint32_t to_cp[256];
  int16_t from_cp[512];
  ByteMap() {
    uint32_t extra = 0;
    for (int i = 0; i < 512; ++i) from_cp[i] = -1;
    for (uint32_t b = 0; b < 256; ++b) {
      to_cp[b] = maps_to_itself(b) ? b : 256 + extra++;
      from_cp[to_cp[b]] = static_cast<int16_t>(b);
    }
  }
};

const ByteMap& byte_map() {
  static const ByteMap m;
  return m;
}

// Bytes of a byte-level token text (characters outside the mapping are kept as they are).
std::string decode_byte_level(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp;
    size_t n = utf8::decode(text.substr(i), &cp);
    if (n == 0) {
      out.push_back(text[i++]);
      continue;
    }
    int b = byte_from_codepoint(cp);
    if (b >= 0)
      out.push_back(static_cast<char>(b));
    else
      out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace

uint32_t byte_to_codepoint(uint8_t b) {
  return byte_map().to_cp[b];
}

int byte_from_codepoint(uint32_t cp) {
  return cp < 512 ? byte_map().from_cp[cp] : -1;
}

BpeTokenizer::BpeTokenizer(Vocab vocab, PreTokenizer pre)
    : Tokenizer(std::move(vocab)), pre_(std::move(pre)) {}

Result<std::unique_ptr<Tokenizer>> BpeTokenizer::create(Vocab vocab, PreTokenizer pre) {
  std::unique_ptr<BpeTokenizer> t(new BpeTokenizer(std::move(vocab), std::move(pre)));
  FULCRUM_TRY_STATUS(t->build());
  return std::unique_ptr<Tokenizer>(std::move(t));
}

int32_t BpeTokenizer::intern(const std::string& text) {
  TokenId id = vocab_.find(text);
  if (id != kNoToken) return id;
  auto [it, fresh] =
      extra_ids_.emplace(text, vocab_.size() + static_cast<int32_t>(extra_texts_.size()));
  if (fresh) extra_texts_.push_back(text);
  return it->second;
}

Status BpeTokenizer::build() {
  for (int b = 0; b < 256; ++b) {
    byte_char_[b].clear();
    utf8::append(byte_to_codepoint(static_cast<uint8_t>(b)), &byte_char_[b]);
    byte_sym_[b] = intern(byte_char_[b]);
  }
  merges_.reserve(vocab_.merges.size() * 2);
  for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
    const std::string& m = vocab_.merges[rank];
    size_t sp = m.find(' ', 1);
    if (sp == std::string::npos) continue;
    std::string left = m.substr(0, sp), right = m.substr(sp + 1);
    int32_t l = intern(left), r = intern(right), res = intern(left + right);
    uint64_t key =
        (static_cast<uint64_t>(static_cast<uint32_t>(l)) << 32) | static_cast<uint32_t>(r);
    merges_.emplace(key, Merge{static_cast<int32_t>(rank), res});
  }
  for (TokenId id = 0; id < vocab_.size(); ++id) {
    switch (vocab_.types[id]) {
      case TokenType::kNormal:
        set_piece(id, decode_byte_level(vocab_.texts[id]));
        break;
      case TokenType::kControl:
      case TokenType::kUnknown:
      case TokenType::kUserDefined:
        set_piece(id, vocab_.texts[id]);
        break;
      default:
        break;
    }
  }
  if (vocab_.add_eos) suffix_token_ = vocab_.special.eos;
  return ok_status();
}

void BpeTokenizer::encode_text(std::string_view text, bool /*after_special*/,
                               std::vector<TokenId>* out) const {
  std::vector<Word> words;
  pre_.split(text, &words);
  WordCache cache(text.size());
  for (const Word& w : words) {
    std::string_view word = text.substr(w.begin, w.end - w.begin);
    if (cache.emit(word, out)) continue;
    size_t before = out->size();
    encode_word(word, out);
    cache.store(word, *out, before);
  }
}

void BpeTokenizer::emit_symbol(int32_t sym, std::vector<TokenId>* out) const {
  if (sym < vocab_.size()) {
    out->push_back(sym);
    return;
  }
  // Not a token: its single-byte characters that are tokens (the reference does the same).
  for (char c : extra_texts_[sym - vocab_.size()]) {
    TokenId id = vocab_.find(std::string_view(&c, 1));
    if (id != kNoToken) out->push_back(id);
  }
}

void BpeTokenizer::encode_word(std::string_view word, std::vector<TokenId>* out) const {
  if (pre_.ignore_merges()) {
    std::string encoded;
    for (char c : word) encoded += byte_char_[static_cast<unsigned char>(c)];
    if (TokenId id = vocab_.find(encoded); id != kNoToken) {
      out->push_back(id);
      return;
    }
  }
  const auto n = static_cast<int32_t>(word.size());
  if (n == 1) {
    emit_symbol(byte_sym_[static_cast<unsigned char>(word[0])], out);
    return;
  }
  struct Sym {
    int32_t id, prev, next;
  };
  struct Pair {
    int32_t rank, left, right, left_id, right_id, result;
    bool operator<(const Pair& o) const {  // priority_queue top = lowest rank, then leftmost
      return rank > o.rank || (rank == o.rank && left > o.left);
    }
  };
  std::vector<Sym> syms(n);
  for (int32_t i = 0; i < n; ++i)
    syms[i] = {byte_sym_[static_cast<unsigned char>(word[i])], i - 1, i + 1 < n ? i + 1 : -1};
  std::priority_queue<Pair> queue;
  auto try_pair = [&](int32_t l, int32_t r) {
    if (l < 0 || r < 0) return;
    uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(syms[l].id)) << 32) |
                   static_cast<uint32_t>(syms[r].id);
    auto it = merges_.find(key);
    if (it == merges_.end()) return;
    queue.push({it->second.rank, l, r, syms[l].id, syms[r].id, it->second.result});
  };
  for (int32_t i = 0; i + 1 < n; ++i) try_pair(i, i + 1);
  while (!queue.empty()) {
    Pair p = queue.top();
    queue.pop();
    Sym& l = syms[p.left];
    Sym& r = syms[p.right];
    if (l.id != p.left_id || r.id != p.right_id || l.next != p.right) continue;  // stale
    l.id = p.result;
    l.next = r.next;
    r.id = -1;
    r.prev = r.next = -1;
    if (l.next >= 0) syms[l.next].prev = p.left;
    try_pair(l.prev, p.left);
    try_pair(p.left, l.next);
  }
  for (int32_t i = 0; i != -1; i = syms[i].next) emit_symbol(syms[i].id, out);
}

}  // namespace fulcrum::engine
