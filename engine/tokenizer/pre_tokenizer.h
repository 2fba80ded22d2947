// Byte-level BPE pre-tokenizers: the text is cut into words before merges, by a list of split
// rules applied one after another (each rule re-splits every piece the previous rules made; text
// between two matches stays a piece of its own), as Hugging Face `tokenizers` and llama.cpp do.
//
// One row of kPreTokenizerFamilies (pre_tokenizer.cpp) per `tokenizer.ggml.pre` family: adding a
// family is adding a row. A rule is either one of two hand-written matchers for the GPT-2 and
// Llama-3 style alternations, or "optional prefix + character class repeated {min,max}", where the
// class is written in regex syntax ("[\\p{P}\\$+<=>^~|]", "[^(\\s|.,!?…)]", "\\p{N}").
//
// Unicode classes are exact for all of Unicode (unicode_props.h, from utf8proc). Invalid UTF-8
// bytes are classified as U+FFFD but keep their raw bytes, so encode/decode round-trips them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace fulcrum::engine {

class CharClass;

enum class SplitKind : uint8_t {
  kGpt2,      // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
  kLlama3,    // (?i:'s|…)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max_digits}| ?[^\s\p{L}\p{N}]+[\r\n]*
              //   |\s*[\r\n]+|\s+(?!\S)|\s+
  kClassRun,  // prefix? class{min,max}
  kTrailingWs,  // \s+$
};

enum class SplitPrefix : uint8_t { kNone, kSpace, kWhitespace };  // "", " ?", "\s?"

struct SplitRuleSpec {
  SplitKind kind;
  SplitPrefix prefix = SplitPrefix::kNone;
  const char* char_class = nullptr;  // for kClassRun, regex class syntax
  uint16_t min = 1;
  uint16_t max = UINT16_MAX;  // also max_digits for kLlama3
};

// A piece of the input: byte range [begin, end).
struct Word {
  uint32_t begin;
  uint32_t end;
};

class PreTokenizer {
 public:
  // The family named by `tokenizer.ggml.pre`; an unknown name is a kUnimplemented error naming it.
  // An empty name means "default" (as llama.cpp does for files without the key).
  static Result<PreTokenizer> for_family(std::string_view name);
  // Every family name the table knows (for messages and tests).
  static std::vector<std::string_view> family_names();

  PreTokenizer(PreTokenizer&&) noexcept;
  PreTokenizer& operator=(PreTokenizer&&) noexcept;
  ~PreTokenizer();

  const std::string& family() const { return family_; }
  // Whether a word that is already a whole token skips the merges (Llama 3 style).
  bool ignore_merges() const { return ignore_merges_; }
  bool add_bos_default() const { return add_bos_; }

  // Splits text into words (byte ranges, in order, covering the text exactly).
  void split(std::string_view text, std::vector<Word>* words) const;

 private:
  PreTokenizer() = default;
  struct Rule;
  std::string family_;
  bool ignore_merges_ = false;
  bool add_bos_ = false;
  std::vector<Rule> rules_;
};

}  // namespace fulcrum::engine
