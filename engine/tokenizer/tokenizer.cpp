#include "engine/tokenizer/tokenizer.h"

#include <algorithm>

#include "engine/tokenizer/bpe_tokenizer.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "engine/tokenizer/word_cache.h"
#include "engine/tokenizer/wordpiece_tokenizer.h"

namespace fulcrum::engine {

Tokenizer::Tokenizer(Vocab vocab) : vocab_(std::move(vocab)) {
  pieces_.resize(vocab_.texts.size());
  build_special_index();
}

Tokenizer::~Tokenizer() = default;

Result<std::unique_ptr<Tokenizer>> Tokenizer::from_gguf(const gguf::GgufFile& file) {
  FULCRUM_TRY(Vocab vocab, load_vocab(file));
  switch (vocab.model) {
    case TokenizerModel::kSentencePiece:
      return SentencePieceTokenizer::create(std::move(vocab));
    case TokenizerModel::kBytePairBpe: {
      FULCRUM_TRY(auto pre, PreTokenizer::for_family(vocab.pre_name));
      FULCRUM_TRY(auto add_bos, file.get_bool("tokenizer.ggml.add_bos_token"));
      if (!add_bos) vocab.add_bos = pre.add_bos_default();
      auto r = BpeTokenizer::create(std::move(vocab), std::move(pre));
      if (!r.ok()) return std::move(r).error().with_file(file.path());
      return std::move(r).value();
    }
    case TokenizerModel::kWordPiece:
      return WordPieceTokenizer::create(std::move(vocab));
  }
  return file.error(ErrorCode::kInternal, "unhandled tokenizer model");
}

Result<std::unique_ptr<Tokenizer>> Tokenizer::open(const std::string& path) {
  FULCRUM_TRY(auto file, gguf::GgufFile::open(path));
  auto r = from_gguf(file);
  if (!r.ok()) {
    Error e = std::move(r).error();
    if (e.file().empty()) e.with_file(path);
    return e;
  }
  return std::move(r).value();
}

void Tokenizer::build_special_index() {
  for (TokenId id = 0; id < vocab_.size(); ++id) {
    TokenType t = vocab_.types[id];
    if ((t == TokenType::kControl || t == TokenType::kUserDefined || t == TokenType::kUnknown) &&
        !vocab_.texts[id].empty()) {
      special_order_.push_back(id);
      has_user_defined_ |= t == TokenType::kUserDefined;
    }
  }
  std::stable_sort(special_order_.begin(), special_order_.end(), [&](TokenId a, TokenId b) {
    return vocab_.texts[a].size() > vocab_.texts[b].size();
  });
  for (uint32_t k = 0; k < special_order_.size(); ++k) {
    TokenId id = special_order_[k];
    special_trie_.add(vocab_.texts[id], k, vocab_.types[id] == TokenType::kUserDefined);
  }
}

// Splits text into plain runs and special tokens. Same result as matching each special token in
// turn, longest first, left to right inside the runs the earlier ones left (llama.cpp's rule),
// but with one scan of the text: every occurrence is found (special_trie_), then accepted in that
// order when its bytes are still free.
void Tokenizer::partition(std::string_view text, bool parse_special,
                          std::vector<Fragment>* out) const {
  out->clear();
  const auto n = static_cast<uint32_t>(text.size());
  if (n == 0) return;
  if (special_order_.empty() || (!parse_special && !has_user_defined_)) {
    out->push_back({0, n, kNoToken});
    return;
  }
  struct Hit {
    uint32_t order, pos;
  };
  std::vector<Hit> hits;
  special_trie_.find_all(text, !parse_special, [&](uint32_t order, uint32_t pos) {
    hits.push_back({order, pos});
  });
  if (hits.empty()) {
    out->push_back({0, n, kNoToken});
    return;
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.order != b.order ? a.order < b.order : a.pos < b.pos;
  });
  std::vector<uint8_t> taken(n, 0);
  std::vector<Hit> accepted;
  for (const Hit& h : hits) {
    size_t len = vocab_.texts[special_order_[h.order]].size();
    if (std::any_of(taken.begin() + h.pos, taken.begin() + h.pos + len,
                    [](uint8_t x) { return x; }))
      continue;
    std::fill(taken.begin() + h.pos, taken.begin() + h.pos + len, 1);
    accepted.push_back(h);
  }
  std::sort(accepted.begin(), accepted.end(),
            [](const Hit& a, const Hit& b) { return a.pos < b.pos; });
  uint32_t at = 0;
  for (const Hit& h : accepted) {
    if (h.pos > at) out->push_back({at, h.pos, kNoToken});
    TokenId id = special_order_[h.order];
    out->push_back({0, 0, id});
    at = h.pos + static_cast<uint32_t>(vocab_.texts[id].size());
  }
  if (at < n) out->push_back({at, n, kNoToken});
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, bool add_special,
                                       bool parse_special) const {
  std::vector<TokenId> out;
  encode(text, add_special, parse_special, &out);
  return out;
}

void Tokenizer::encode(std::string_view text, bool add_special, bool parse_special,
                       std::vector<TokenId>* out) const {
  if (add_special && vocab_.add_bos && vocab_.special.bos != kNoToken)
    out->push_back(vocab_.special.bos);
  std::vector<Fragment> fragments;
  partition(text, parse_special, &fragments);
  WordCache cache(text.size());
  bool after_special = true;
  for (const Fragment& f : fragments) {
    if (f.id != kNoToken) {
      out->push_back(f.id);
      after_special = true;
      continue;
    }
    encode_text(text.substr(f.begin, f.end - f.begin), after_special, &cache, out);
    after_special = false;
  }
  if (add_special && suffix_token_ != kNoToken) out->push_back(suffix_token_);
}

std::string Tokenizer::decode(std::span<const TokenId> ids, const DecodeOptions& options) const {
  bool strip_space = vocab_.add_space_prefix;
  if (options.remove_special && vocab_.add_bos && !ids.empty() && ids[0] == vocab_.special.bos) {
    strip_space = false;
    ids = ids.subspan(1);
  }
  if (options.remove_special && vocab_.add_eos && !ids.empty() && ids.back() == vocab_.special.eos)
    ids = ids.first(ids.size() - 1);
  std::string out;
  for (TokenId id : ids) {
    std::string_view piece = token_to_piece(id);
    if (!options.render_special && vocab_.is_control_or_unknown(id)) piece = {};
    if (strip_space && !piece.empty() && piece[0] == ' ') piece.remove_prefix(1);
    strip_space = false;
    out.append(piece);
  }
  return out;
}

std::string_view Tokenizer::token_to_piece(TokenId id) const {
  return vocab_.valid(id) ? std::string_view(pieces_[id]) : std::string_view();
}

std::string_view Tokenizer::token_text(TokenId id) const {
  return vocab_.valid(id) ? std::string_view(vocab_.texts[id]) : std::string_view();
}

TokenType Tokenizer::token_type(TokenId id) const {
  return vocab_.valid(id) ? vocab_.types[id] : TokenType::kUndefined;
}

bool Tokenizer::is_eog(TokenId id) const {
  return std::binary_search(vocab_.eog.begin(), vocab_.eog.end(), id);
}

}  // namespace fulcrum::engine
