#include "engine/tokenizer/vocab.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "core/log.h"

namespace fulcrum::engine {
namespace {

constexpr std::string_view kModelKey = "tokenizer.ggml.model";
constexpr std::string_view kTokensKey = "tokenizer.ggml.tokens";

Result<const gguf::Value*> find_array(const gguf::GgufFile& f, std::string_view key,
                                      bool required) {
  const gguf::Value* v = f.find(key);
  if (!v) {
    if (!required) return static_cast<const gguf::Value*>(nullptr);
    return f.error(ErrorCode::kNotFound, "missing tokenizer metadata '" + std::string(key) + "'")
        .with_field(std::string(key));
  }
  if (!v->is_array())
    return f.error(ErrorCode::kTypeMismatch, "'" + std::string(key) + "' is not an array")
        .with_field(std::string(key));
  return v;
}

Status read_model(const gguf::GgufFile& f, Vocab* v) {
  FULCRUM_TRY(auto model, f.require_string(kModelKey));
  v->model_name = std::string(model);
  if (model == "llama") {
    v->model = TokenizerModel::kSentencePiece;
    v->special.bos = 1, v->special.eos = 2, v->special.unk = 0;
    v->add_space_prefix = true;
    v->add_bos = true;
  } else if (model == "gpt2") {
    v->model = TokenizerModel::kBytePairBpe;
    v->special.bos = 11, v->special.eos = 11;
  } else if (model == "bert") {
    v->model = TokenizerModel::kWordPiece;
    v->special.bos = 101, v->special.unk = 100, v->special.sep = 102, v->special.pad = 0,
    v->special.mask = 103;
    v->add_bos = true;
  } else {
    return f
        .error(ErrorCode::kUnimplemented,
               "unknown tokenizer model '" + std::string(model) +
                   "' (tokenizer.ggml.model); supported: llama, gpt2, bert")
        .with_field(std::string(kModelKey));
  }
  FULCRUM_TRY(auto pre, f.get_string("tokenizer.ggml.pre"));
  v->pre_name = pre ? std::string(*pre) : std::string();
  return ok_status();
}

Status read_tokens(const gguf::GgufFile& f, Vocab* v) {
  FULCRUM_TRY(const gguf::Value* tokens, find_array(f, kTokensKey, true));
  if (tokens->elem_type() != gguf::ValueType::kString || tokens->size() == 0 ||
      tokens->size() > (1u << 30))
    return f
        .error(ErrorCode::kTypeMismatch, "'tokenizer.ggml.tokens' must be a non-empty string array")
        .with_field(std::string(kTokensKey));
  const size_t n = tokens->size();
  v->texts.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string_view s = tokens->strings()[i];
    v->texts.emplace_back(s);
    v->max_token_len = std::max(v->max_token_len, s.size());
  }
  v->scores.assign(n, 0.0f);
  v->types.assign(n, TokenType::kNormal);
  FULCRUM_TRY(const gguf::Value* scores, find_array(f, "tokenizer.ggml.scores", false));
  if (scores) {
    if (scores->size() != n)
      return f.error(ErrorCode::kBadShape, "'tokenizer.ggml.scores' length differs from tokens")
          .with_field("tokenizer.ggml.scores");
    for (size_t i = 0; i < n; ++i) {
      auto x = scores->float_at(i);
      if (!x)
        return f.error(ErrorCode::kTypeMismatch, "'tokenizer.ggml.scores' is not numeric")
            .with_field("tokenizer.ggml.scores");
      v->scores[i] = static_cast<float>(*x);
    }
  }
  FULCRUM_TRY(const gguf::Value* types, find_array(f, "tokenizer.ggml.token_type", false));
  if (types) {
    if (types->size() != n)
      return f.error(ErrorCode::kBadShape, "'tokenizer.ggml.token_type' length differs from tokens")
          .with_field("tokenizer.ggml.token_type");
    for (size_t i = 0; i < n; ++i) {
      auto t = types->int_at(i);
      if (!t)
        return f.error(ErrorCode::kTypeMismatch, "'tokenizer.ggml.token_type' is not integer")
            .with_field("tokenizer.ggml.token_type");
      v->types[i] = (*t >= 1 && *t <= 6) ? static_cast<TokenType>(*t) : TokenType::kUndefined;
    }
  }
  v->ids.build(v->texts);  // a text given twice maps to its last id
  return ok_status();
}

Status read_merges(const gguf::GgufFile& f, Vocab* v) {
  if (v->model != TokenizerModel::kBytePairBpe) return ok_status();
  FULCRUM_TRY(const gguf::Value* merges, find_array(f, "tokenizer.ggml.merges", true));
  if (merges->elem_type() != gguf::ValueType::kString)
    return f.error(ErrorCode::kTypeMismatch, "'tokenizer.ggml.merges' must be a string array")
        .with_field("tokenizer.ggml.merges");
  v->merges.reserve(merges->size());
  for (std::string_view m : merges->strings()) v->merges.emplace_back(m);
  return ok_status();
}

Status read_special_ids(const gguf::GgufFile& f, Vocab* v) {
  SpecialTokens& s = v->special;
  const std::pair<std::string_view, TokenId*> keys[] = {
      {"tokenizer.ggml.bos_token_id", &s.bos},
      {"tokenizer.ggml.eos_token_id", &s.eos},
      {"tokenizer.ggml.eot_token_id", &s.eot},
      {"tokenizer.ggml.eom_token_id", &s.eom},
      {"tokenizer.ggml.unknown_token_id", &s.unk},
      {"tokenizer.ggml.seperator_token_id", &s.sep},
      {"tokenizer.ggml.padding_token_id", &s.pad},
      {"tokenizer.ggml.mask_token_id", &s.mask},
      {"tokenizer.ggml.fim_pre_token_id", &s.fim_pre},
      {"tokenizer.ggml.fim_suf_token_id", &s.fim_suf},
      {"tokenizer.ggml.fim_mid_token_id", &s.fim_mid},
      {"tokenizer.ggml.fim_pad_token_id", &s.fim_pad},
      {"tokenizer.ggml.fim_rep_token_id", &s.fim_rep},
      {"tokenizer.ggml.fim_sep_token_id", &s.fim_sep},
      {"tokenizer.ggml.prefix_token_id", &s.fim_pre},  // deprecated spellings
      {"tokenizer.ggml.suffix_token_id", &s.fim_suf},
      {"tokenizer.ggml.middle_token_id", &s.fim_mid},
  };
  for (const auto& [key, slot] : keys) {
    FULCRUM_TRY(auto id, f.get_uint(key));
    if (!id) continue;
    if (*id >= static_cast<uint64_t>(v->size())) {
      log::warn("{}: {} = {} is out of range, keeping {}", f.path(), key, *id, *slot);
      continue;
    }
    *slot = static_cast<TokenId>(*id);
  }
  // Defaults that do not fit this vocab are dropped.
  for (TokenId* id : {&s.bos, &s.eos, &s.unk, &s.sep, &s.pad, &s.mask})
    if (*id >= v->size()) *id = kNoToken;
  FULCRUM_TRY(auto add_bos, f.get_bool("tokenizer.ggml.add_bos_token"));
  FULCRUM_TRY(auto add_eos, f.get_bool("tokenizer.ggml.add_eos_token"));
  FULCRUM_TRY(auto add_space, f.get_bool("tokenizer.ggml.add_space_prefix"));
  if (add_bos) v->add_bos = *add_bos;
  if (add_eos) v->add_eos = *add_eos;
  if (add_space) v->add_space_prefix = *add_space;
  return ok_status();
}

// Finds end-of-turn and fill-in-the-middle tokens by their text when the file does not name them
// (as llama.cpp does), marks them control, and collects the end-of-generation set.
void detect_special_by_text(Vocab* v) {
  SpecialTokens& s = v->special;
  struct ByText {
    TokenId* slot;
    std::initializer_list<std::string_view> texts;
  };
  const ByText rows[] = {
      {&s.eot,
       {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>",
        "<｜end▁of▁sentence｜>"}},
      {&s.eom, {"<|eom_id|>"}},
      {&s.fim_pre, {"<|fim_prefix|>", "<fim-prefix>", "<｜fim▁begin｜>", "<PRE>"}},
      {&s.fim_suf, {"<|fim_suffix|>", "<fim-suffix>", "<｜fim▁hole｜>", "<SUF>"}},
      {&s.fim_mid, {"<|fim_middle|>", "<fim-middle>", "<｜fim▁end｜>", "<MID>"}},
      {&s.fim_pad, {"<|fim_pad|>", "<fim-pad>", "<PAD>"}},
      {&s.fim_rep, {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>"}},
      {&s.fim_sep, {"<|file_sep|>"}},
  };
  for (const auto& row : rows) {
    if (*row.slot != kNoToken) continue;
    for (auto text : row.texts) {
      TokenId id = v->find(text);
      if (id == kNoToken) continue;
      *row.slot = id;
      v->types[id] = TokenType::kControl;
      break;
    }
  }
  auto add_eog = [&](TokenId id) {
    if (id != kNoToken && std::find(v->eog.begin(), v->eog.end(), id) == v->eog.end())
      v->eog.push_back(id);
  };
  for (TokenId id : {s.fim_pad, s.fim_rep, s.fim_sep}) add_eog(id);
  for (auto text : {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                    "<|eom_id|>", "<EOT>"}) {
    TokenId id = v->find(text);
    if (id == kNoToken) continue;
    v->types[id] = TokenType::kControl;
    add_eog(id);
  }
  for (TokenId id : {s.eos, s.eot, s.eom}) add_eog(id);
  std::sort(v->eog.begin(), v->eog.end());
}

}  // namespace

Result<Vocab> load_vocab(const gguf::GgufFile& file) {
  Vocab v;
  FULCRUM_TRY_STATUS(read_model(file, &v));
  FULCRUM_TRY_STATUS(read_tokens(file, &v));
  FULCRUM_TRY_STATUS(read_merges(file, &v));
  FULCRUM_TRY_STATUS(read_special_ids(file, &v));
  detect_special_by_text(&v);
  return v;
}

std::string unescape_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, kSentencePieceSpace.size(), kSentencePieceSpace) == 0) {
      out.push_back(' ');
      i += kSentencePieceSpace.size();
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

}  // namespace fulcrum::engine
