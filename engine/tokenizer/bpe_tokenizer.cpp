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

int32_t BpeTokenizer::intern(std::string_view text) {
  TokenId id = vocab_.find(text);
  if (id != kNoToken) return id;
  if (auto it = extra_ids_.find(text); it != extra_ids_.end()) return it->second;
  auto sym = vocab_.size() + static_cast<int32_t>(extra_texts_.size());
  extra_texts_.emplace_back(text);
  extra_ids_.emplace(std::string(text), sym);
  return sym;
}

void BpeTokenizer::add_merge(int32_t left, int32_t right, int32_t rank, int32_t result) {
  const uint64_t key = merge_key(left, right);
  size_t at = merge_slot(key);
  while (merges_[at].key != kFree && merges_[at].key != key) at = (at + 1) & merge_mask_;
  if (merges_[at].key == key) return;  // a repeated merge keeps its first (lowest) rank
  merges_[at] = MergeSlot{key, rank, result};
}

Status BpeTokenizer::build() {
  for (int b = 0; b < 256; ++b) {
    byte_char_[b].clear();
    utf8::append(byte_to_codepoint(static_cast<uint8_t>(b)), &byte_char_[b]);
    byte_sym_[b] = intern(byte_char_[b]);
  }
  size_t cap = 16;
  merge_shift_ = 60;
  while (cap < vocab_.merges.size() * 2) {
    cap <<= 1;
    --merge_shift_;
  }
  merges_.assign(cap, MergeSlot{kFree, 0, 0});
  merge_mask_ = cap - 1;
  std::string joined;
  for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
    std::string_view m = vocab_.merges[rank];
    size_t sp = m.find(' ', 1);
    if (sp == std::string_view::npos) continue;
    std::string_view left = m.substr(0, sp), right = m.substr(sp + 1);
    joined.assign(left);
    joined.append(right);
    int32_t l = intern(left), r = intern(right), res = intern(joined);
    add_merge(l, r, static_cast<int32_t>(rank), res);
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

void BpeTokenizer::encode_text(std::string_view text, bool /*after_special*/, WordCache* cache,
                               std::vector<TokenId>* out) const {
  thread_local std::vector<Word> words;  // reused: no allocation per call once grown
  pre_.split(text, &words);
  for (const Word& w : words) {
    std::string_view word = text.substr(w.begin, w.end - w.begin);
    if (cache->emit(word, out)) continue;
    size_t before = out->size();
    encode_word(word, out);
    cache->store(word, *out, before);
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

// Words up to this many bytes merge in flat arrays (a linear scan for the best pair is cheaper
// than a priority queue there); longer ones use the queue.
constexpr int32_t kShortWord = 48;

void BpeTokenizer::encode_short_word(std::string_view word, std::vector<TokenId>* out) const {
  constexpr int32_t kNone = INT32_MAX;
  int32_t sym[kShortWord], rank[kShortWord], result[kShortWord];
  auto n = static_cast<int32_t>(word.size());
  for (int32_t i = 0; i < n; ++i) sym[i] = byte_sym_[static_cast<unsigned char>(word[i])];
  auto pair_at = [&](int32_t i) {  // rank/result of the pair (sym[i], sym[i + 1])
    const MergeSlot* m = find_merge(sym[i], sym[i + 1]);
    rank[i] = m ? m->rank : kNone;
    result[i] = m ? m->result : 0;
  };
  for (int32_t i = 0; i + 1 < n; ++i) pair_at(i);
  while (n > 1) {
    int32_t best = 0;
    for (int32_t i = 1; i + 1 < n; ++i)
      if (rank[i] < rank[best]) best = i;  // lowest rank, leftmost on ties
    if (rank[best] == kNone) break;
    sym[best] = result[best];
    for (int32_t i = best + 1; i + 1 < n; ++i) {
      sym[i] = sym[i + 1];
      rank[i] = rank[i + 1];
      result[i] = result[i + 1];
    }
    --n;
    if (best > 0) pair_at(best - 1);
    if (best + 1 < n) pair_at(best);
  }
  for (int32_t i = 0; i < n; ++i) emit_symbol(sym[i], out);
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
  if (n <= kShortWord) {
    encode_short_word(word, out);
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
    const MergeSlot* m = find_merge(syms[l].id, syms[r].id);
    if (m) queue.push({m->rank, l, r, syms[l].id, syms[r].id, m->result});
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
