#include "engine/tokenizer/pre_tokenizer.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <utility>

#include "engine/tokenizer/unicode_props.h"

namespace fulcrum::engine {

// A regex character class over code points. Matching follows llama.cpp's reference semantics:
// ASCII members come from a 128-bit map (where \p{X} means the ASCII members of class X);
// other code points match by general category or by explicit range; a non-ASCII White_Space
// code point is treated as U+000B, i.e. it matches exactly when the class matches \s.
class CharClass {
 public:
  static Result<CharClass> parse(std::string_view spec);

  bool matches(uint32_t cp, uint8_t flags) const {
    bool member;
    if (cp < 0x80) {
      member = ascii_[cp];
    } else if (flags & cpflag::kWhitespace) {
      member = ascii_[0x0B];
    } else {
      member = (flags & categories_) != 0 || in_ranges(cp);
    }
    return member != negated_;
  }

 private:
  bool in_ranges(uint32_t cp) const {
    if (cp < 0x10000) return !bmp_.empty() && (bmp_[cp >> 6] >> (cp & 63)) & 1;
    for (const auto& r : ranges_)
      if (cp >= r.first && cp <= r.second) return true;
    return false;
  }
  // The ranges' members below U+10000 as a bitmap (a class like DeepSeek's letters has hundreds
  // of ranges; CJK text would scan them all for every character).
  void build_bitmap() {
    if (ranges_.empty()) return;
    bmp_.assign(0x10000 / 64, 0);
    for (const auto& [lo, hi] : ranges_)
      for (uint32_t c = lo; c <= hi && c < 0x10000; ++c) bmp_[c >> 6] |= 1ull << (c & 63);
  }
  void add_range(uint32_t lo, uint32_t hi);
  Status add_category(char c);

  std::array<bool, 128> ascii_{};
  uint8_t categories_ = 0;
  bool negated_ = false;
  std::vector<std::pair<uint32_t, uint32_t>> ranges_;  // code points >= 0x80
  std::vector<uint64_t> bmp_;                          // ranges_ below U+10000
};

void CharClass::add_range(uint32_t lo, uint32_t hi) {
  for (uint32_t c = lo; c <= hi && c < 0x80; ++c) ascii_[c] = true;
  if (hi >= 0x80) ranges_.emplace_back(std::max<uint32_t>(lo, 0x80), hi);
}

Status CharClass::add_category(char c) {
  // The ASCII members of each class, as the reference tokenizer defines them.
  auto set = [&](std::string_view chars) {
    for (char ch : chars) ascii_[static_cast<unsigned char>(ch)] = true;
  };
  switch (c) {
    case 'L':
      categories_ |= cpflag::kLetter;
      add_range('A', 'Z');
      add_range('a', 'z');
      return ok_status();
    case 'N':
      categories_ |= cpflag::kNumber;
      add_range('0', '9');
      return ok_status();
    case 'P':
      categories_ |= cpflag::kPunctuation;
      set("!\"#%&'()*,-./:;?@[\\]_{}");
      return ok_status();
    case 'S':
      categories_ |= cpflag::kSymbol;
      set("$+<=>^`|");
      return ok_status();
    case 'M':
      categories_ |= cpflag::kMark;
      return ok_status();
    default:
      return Error(ErrorCode::kInvalidArgument,
                   std::string("unsupported Unicode class \\p{") + c + "}");
  }
}

namespace {

// Decodes one UTF-8 code point of a (trusted, compile-time) class spec.
uint32_t next_cp(std::string_view s, size_t* i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(*i);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (*i + n > s.size()) n = 1;
  uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) v = (v << 6) | (b(*i + k) & 0x3F);
  *i += n;
  return v;
}

}  // namespace

Result<CharClass> CharClass::parse(std::string_view spec) {
  CharClass cc;
  size_t i = 0;
  bool bracket = !spec.empty() && spec[0] == '[';
  if (bracket) {
    ++i;
    if (i < spec.size() && spec[i] == '^') {
      cc.negated_ = true;
      ++i;
    }
  }
  auto bad = [&](const char* why) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string("bad character class '") + std::string(spec) + "': " + why);
  };
  while (i < spec.size()) {
    if (bracket && spec[i] == ']') {
      if (i + 1 != spec.size()) return bad("text after ']'");
      cc.build_bitmap();
      return cc;
    }
    uint32_t lo;
    if (spec[i] == '\\') {
      if (i + 1 >= spec.size()) return bad("trailing backslash");
      char e = spec[i + 1];
      if (e == 'p') {
        if (i + 4 >= spec.size() || spec[i + 2] != '{' || spec[i + 4] != '}')
          return bad("bad \\p{}");
        FULCRUM_TRY_STATUS(cc.add_category(spec[i + 3]));
        i += 5;
        continue;
      }
      if (e == 's') {
        cc.add_range(0x09, 0x0D);
        cc.add_range(' ', ' ');
        i += 2;
        continue;
      }
      lo = e == 'r' ? '\r' : e == 'n' ? '\n' : e == 't' ? '\t' : static_cast<uint8_t>(e);
      i += 2;
    } else {
      lo = next_cp(spec, &i);
    }
    uint32_t hi = lo;
    if (i + 1 < spec.size() && spec[i] == '-' && spec[i + 1] != ']') {
      ++i;
      if (spec[i] == '\\') {
        if (i + 1 >= spec.size()) return bad("trailing backslash");
        hi = static_cast<uint8_t>(spec[i + 1]);
        i += 2;
      } else {
        hi = next_cp(spec, &i);
      }
      if (hi < lo) return bad("reversed range");
    }
    cc.add_range(lo, hi);
    if (!bracket && i != spec.size()) return bad("more than one item outside []");
  }
  if (bracket) return bad("missing ']'");
  cc.build_bitmap();
  return cc;
}

struct PreTokenizer::Rule {
  SplitKind kind;
  SplitPrefix prefix;
  uint16_t min;
  uint16_t max;
  CharClass cls;
};

namespace {

struct Family {
  std::initializer_list<std::string_view> names;  // tokenizer.ggml.pre values
  std::initializer_list<SplitRuleSpec> rules;
  bool ignore_merges = false;
  bool add_bos = false;
};

constexpr uint16_t kMany = UINT16_MAX;
constexpr SplitRuleSpec kGpt2Rule{SplitKind::kGpt2};
constexpr SplitRuleSpec kEachDigit{SplitKind::kClassRun, SplitPrefix::kNone, "\\p{N}", 1, 1};
constexpr SplitRuleSpec kDigitRun{SplitKind::kClassRun, SplitPrefix::kNone, "\\p{N}", 1, kMany};
constexpr SplitRuleSpec kCjkRun{SplitKind::kClassRun, SplitPrefix::kNone, "[一-龥ࠀ-一가-퟿]",
                                1, kMany};
constexpr SplitRuleSpec kNewline{SplitKind::kClassRun, SplitPrefix::kNone, "[\\r\\n]", 1, 1};
constexpr SplitRuleSpec kBloomWord{SplitKind::kClassRun, SplitPrefix::kSpace,
                                   "[^(\\s|.,!?…。，、।۔،)]", 1, kMany};

// The DeepSeek LLM letter class (from its tokenizer.json pre-tokenizer).
constexpr const char* kDeepseekLetters =
    "[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-"
    "ᵷᵹ-"
    "ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-"
    "ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-"
    "𑣟𞤀-"
    "𞥃]";

// One row per pre-tokenizer family. Rules apply in order; see SplitKind for what each matches.
const Family kFamilies[] = {
    {{"default", ""},
     {{SplitKind::kClassRun, SplitPrefix::kNone, "[\\p{P}\\$\\+<=>\\^~\\|]", 1, kMany},
      kGpt2Rule,
      kDigitRun,
      {SplitKind::kClassRun, SplitPrefix::kNone, "[0-9]", 3, 3}}},
    {{"gpt-2", "gpt2", "phi-2", "mpt", "olmo", "jais", "gpt-neox", "roberta-bpe", "jina-es",
      "jina-de", "jina-v1-en", "jina-v2-es", "jina-v2-de", "jina-v2-code", "gigachat"},
     {kGpt2Rule}},
    {{"llama-bpe", "llama3", "llama-v3", "falcon3", "dbrx", "smaug-bpe", "chatglm-bpe"},
     {{SplitKind::kLlama3, SplitPrefix::kNone, nullptr, 1, 3}},
     /*ignore_merges=*/true,
     /*add_bos=*/true},
    {{"qwen2", "deepseek-r1-qwen", "megrez", "stablelm2"},
     {{SplitKind::kLlama3, SplitPrefix::kNone, nullptr, 1, 1}}},
    {{"deepseek-llm"},
     {kNewline,
      {SplitKind::kClassRun, SplitPrefix::kWhitespace, kDeepseekLetters, 1, kMany},
      {SplitKind::kClassRun, SplitPrefix::kWhitespace, "[!-/:-~！-／：-～‘-‟　-。]", 1, kMany},
      {SplitKind::kTrailingWs},
      kCjkRun,
      kDigitRun}},
    {{"deepseek-coder"},
     {kNewline,
      {SplitKind::kClassRun, SplitPrefix::kWhitespace, "\\p{L}", 1, kMany},
      {SplitKind::kClassRun, SplitPrefix::kWhitespace, "\\p{P}", 1, kMany},
      kCjkRun,
      kEachDigit}},
    {{"falcon"},
     {{SplitKind::kClassRun, SplitPrefix::kNone, "[\\p{P}\\$\\+<=>\\^~\\|`]", 1, kMany},
      kGpt2Rule,
      {SplitKind::kClassRun, SplitPrefix::kNone, "[0-9]", 3, 3}}},
    {{"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"},
     {kEachDigit, kGpt2Rule}},
    {{"poro-chat", "bloom", "gpt3-finnish"}, {kBloomWord}},
    {{"viking"}, {kBloomWord, kEachDigit}},
};

inline bool is_nl(uint32_t c) {
  return c == '\r' || c == '\n';
}
constexpr uint8_t kWs = cpflag::kWhitespace;
constexpr uint8_t kL = cpflag::kLetter;
constexpr uint8_t kN = cpflag::kNumber;

struct Text {
  const uint32_t* cp;
  const uint8_t* fl;
};

size_t match_contraction(const Text& t, size_t pos, size_t end, bool any_case) {
  if (t.cp[pos] != '\'' || pos + 1 >= end) return 0;
  auto low = [&](uint32_t c) { return any_case && c >= 'A' && c <= 'Z' ? c + 32 : c; };
  uint32_t a = low(t.cp[pos + 1]);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  if (pos + 2 < end) {
    uint32_t b = low(t.cp[pos + 2]);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  }
  return 0;
}

// \s+(?!\S) | \s+ on a whitespace run starting at pos (a lone \s before \S is one piece either
// way).
size_t match_space_run(const Text& t, size_t pos, size_t end) {
  size_t r = pos;
  while (r < end && (t.fl[r] & kWs)) ++r;
  size_t n = r - pos;
  if (n > 1 && r < end) return n - 1;
  return n > 0 ? n : 1;
}

size_t match_gpt2(const Text& t, size_t pos, size_t end) {
  if (size_t n = match_contraction(t, pos, end, false)) return n;
  size_t q = t.cp[pos] == ' ' ? pos + 1 : pos;
  if (q < end) {
    uint8_t g = t.fl[q];
    uint8_t want = (g & kL) ? kL : (g & kN) ? kN : 0;
    if (want) {
      size_t r = q;
      while (r < end && (t.fl[r] & want)) ++r;
      return r - pos;
    }
    if (!(g & (kWs | kL | kN))) {
      size_t r = q;
      while (r < end && !(t.fl[r] & (kWs | kL | kN))) ++r;
      return r - pos;
    }
  }
  return match_space_run(t, pos, end);
}

size_t match_llama3(const Text& t, size_t pos, size_t end, size_t max_digits) {
  if (size_t n = match_contraction(t, pos, end, true)) return n;
  uint32_t c = t.cp[pos];
  uint8_t f = t.fl[pos];
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (!is_nl(c) && !(f & kN) && ((f & kL) || (pos + 1 < end && (t.fl[pos + 1] & kL)))) {
    size_t r = pos + 1;
    while (r < end && (t.fl[r] & kL)) ++r;
    return r - pos;
  }
  // \p{N}{1,max_digits}
  if (f & kN) {
    size_t r = pos;
    while (r < end && r - pos < max_digits && (t.fl[r] & kN)) ++r;
    return r - pos;
  }
  // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
  size_t q = c == ' ' ? pos + 1 : pos;
  if (q < end && !(t.fl[q] & (kWs | kL | kN))) {
    size_t r = q;
    while (r < end && !(t.fl[r] & (kWs | kL | kN))) ++r;
    while (r < end && is_nl(t.cp[r])) ++r;
    return r - pos;
  }
  // \s*[\r\n]+ (up to the last newline of the whitespace run), then \s+(?!\S), \s+
  size_t r = pos, last_nl = 0;
  while (r < end && (t.fl[r] & kWs)) {
    if (is_nl(t.cp[r])) last_nl = r + 1;
    ++r;
  }
  if (last_nl) return last_nl - pos;
  return match_space_run(t, pos, end);
}

}  // namespace

namespace {

inline bool prefix_at(const Text& t, size_t pos, SplitPrefix prefix) {
  return prefix == SplitPrefix::kSpace        ? t.cp[pos] == ' '
         : prefix == SplitPrefix::kWhitespace ? (t.fl[pos] & kWs) != 0
                                              : false;
}

size_t match_class_run(const Text& t, size_t pos, size_t end, SplitPrefix prefix, uint16_t min,
                       uint16_t max, const CharClass& cls) {
  auto run = [&](size_t p) -> size_t {
    size_t n = 0;
    while (p + n < end && n < max && cls.matches(t.cp[p + n], t.fl[p + n])) ++n;
    return n >= min ? n : 0;
  };
  if (prefix_at(t, pos, prefix)) {
    if (size_t n = run(pos + 1)) return n + 1;
  }
  return run(pos);
}

}  // namespace

PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;
PreTokenizer& PreTokenizer::operator=(PreTokenizer&&) noexcept = default;
PreTokenizer::~PreTokenizer() = default;

std::vector<std::string_view> PreTokenizer::family_names() {
  std::vector<std::string_view> out;
  for (const auto& f : kFamilies)
    for (auto n : f.names)
      if (!n.empty()) out.push_back(n);
  return out;
}

Result<PreTokenizer> PreTokenizer::for_family(std::string_view name) {
  for (const auto& f : kFamilies) {
    if (std::find(f.names.begin(), f.names.end(), name) == f.names.end()) continue;
    PreTokenizer p;
    p.family_ = std::string(name.empty() ? "default" : name);
    p.ignore_merges_ = f.ignore_merges;
    p.add_bos_ = f.add_bos;
    for (const auto& spec : f.rules) {
      Rule r{spec.kind, spec.prefix, spec.min, spec.max, CharClass{}};
      if (spec.kind == SplitKind::kClassRun) {
        FULCRUM_TRY(r.cls, CharClass::parse(spec.char_class));
      }
      p.rules_.push_back(std::move(r));
    }
    return p;
  }
  return Error(ErrorCode::kUnimplemented,
               "unknown pre-tokenizer '" + std::string(name) + "' (tokenizer.ggml.pre)")
      .with_field("tokenizer.ggml.pre");
}

namespace {

// Per-thread buffers of split(): code points, their flags and byte offsets, and the piece ends of
// two rule passes. Reused from call to call, so a split of a text no longer than one before
// allocates nothing.
struct SplitScratch {
  std::vector<uint32_t> cps, offs, ends, next;
  std::vector<uint8_t> fl;
};

// Decodes text into code points (an invalid byte is one code point classified as U+FFFD, keeping
// its byte), their flags, and the byte offset of each (plus the end); returns the count.
size_t decode_text(std::string_view text, SplitScratch* sc) {
  const uint8_t* table = codepoint_flag_table();
  const uint8_t replacement_flags = table[0xFFFD];
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  if (sc->cps.size() < n) {
    sc->cps.resize(n);
    sc->fl.resize(n);
    sc->offs.resize(n + 1);
  }
  uint32_t* cps = sc->cps.data();
  uint8_t* fl = sc->fl.data();
  uint32_t* offs = sc->offs.data();
  size_t m = 0;
  for (size_t i = 0; i < n; ++m) {
    uint8_t c = s[i];
    offs[m] = static_cast<uint32_t>(i);
    if (c < 0x80) {
      cps[m] = c;
      fl[m] = table[c];
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t len = 0;
    if (c >= 0xC2 && c < 0xE0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
      cp = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
      len = 2;
    } else if (c >= 0xE0 && c < 0xF0 && i + 2 < n && (s[i + 1] & 0xC0) == 0x80 &&
               (s[i + 2] & 0xC0) == 0x80) {
      cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
      len = (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) ? 3 : 0;
    } else if (c >= 0xF0 && c < 0xF5 && i + 3 < n && (s[i + 1] & 0xC0) == 0x80 &&
               (s[i + 2] & 0xC0) == 0x80 && (s[i + 3] & 0xC0) == 0x80) {
      cp = ((c & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) |
           (s[i + 3] & 0x3F);
      len = (cp >= 0x10000 && cp <= kMaxCodepoint) ? 4 : 0;
    }
    if (len == 0) {  // invalid: this byte alone
      cps[m] = 0xFFFD;
      fl[m] = replacement_flags;
      i += 1;
      continue;
    }
    cps[m] = cp;
    fl[m] = table[cp];
    i += len;
  }
  offs[m] = static_cast<uint32_t>(n);
  return m;
}

}  // namespace

void PreTokenizer::split(std::string_view text, std::vector<Word>* words) const {
  words->clear();
  if (text.empty()) return;
  thread_local SplitScratch scratch;
  const size_t n_cps = decode_text(text, &scratch);
  const uint32_t* offs = scratch.offs.data();
  const Text t{scratch.cps.data(), scratch.fl.data()};
  std::vector<uint32_t>& ends = scratch.ends;
  std::vector<uint32_t>& next = scratch.next;
  ends.assign(1, static_cast<uint32_t>(n_cps));
  for (const Rule& rule : rules_) {
    next.clear();
    next.reserve(ends.size() * 2);
    uint32_t seg_begin = 0;
    for (uint32_t seg_end : ends) {
      if (rule.kind == SplitKind::kTrailingWs) {
        uint32_t k = seg_end;
        while (k > seg_begin && (t.fl[k - 1] & kWs)) --k;
        if (k > seg_begin && k < seg_end) next.push_back(k);
        next.push_back(seg_end);
        seg_begin = seg_end;
        continue;
      }
      uint32_t gap = seg_begin;
      for (uint32_t pos = seg_begin; pos < seg_end;) {
        size_t len = 0;
        switch (rule.kind) {
          case SplitKind::kGpt2:
            len = match_gpt2(t, pos, seg_end);
            break;
          case SplitKind::kLlama3:
            len = match_llama3(t, pos, seg_end, rule.max);
            break;
          case SplitKind::kClassRun:
            // A match can start only on a class member or on the optional prefix: skip to one.
            while (pos < seg_end && !rule.cls.matches(t.cp[pos], t.fl[pos]) &&
                   !prefix_at(t, pos, rule.prefix))
              ++pos;
            if (pos == seg_end) continue;
            len = match_class_run(t, pos, seg_end, rule.prefix, rule.min, rule.max, rule.cls);
            break;
          case SplitKind::kTrailingWs:
            break;
        }
        if (len == 0) {
          ++pos;
          continue;
        }
        if (pos > gap) next.push_back(pos);
        pos += static_cast<uint32_t>(len);
        next.push_back(pos);
        gap = pos;
      }
      if (gap < seg_end) next.push_back(seg_end);
      seg_begin = seg_end;
    }
    ends.swap(next);
  }
  words->reserve(ends.size());
  uint32_t b = 0;
  for (uint32_t e : ends) {
    words->push_back(Word{offs[b], offs[e]});
    b = e;
  }
  // Keep at most ~2M code points' worth of buffers (about 26 MB) per thread.
  if (scratch.cps.size() > (1u << 21)) scratch = SplitScratch();
}

}  // namespace fulcrum::engine
