#include "bench/tokenizer_bench_text.h"

#include <string_view>

namespace fulcrum::bench {
namespace {

constexpr std::string_view kWords[] = {
    "the",      "of",        "and",      "to",        "in",       "is",       "that",
    "for",      "it",        "as",       "was",       "with",     "be",       "by",
    "on",       "not",       "he",       "this",      "are",      "or",       "his",
    "from",     "at",        "which",    "but",       "have",     "an",       "had",
    "they",     "you",       "were",     "their",     "one",      "all",      "we",
    "can",      "her",       "has",      "there",     "been",     "if",       "more",
    "when",     "will",      "would",    "who",       "so",       "no",       "model",
    "tokenizer", "language", "inference", "quantized", "throughput", "latency", "gateway",
    "routing",  "privacy",   "budget",   "evidence",  "organisation", "hardware", "Paris",
    "London",   "Tuesday",   "don't",    "it's",      "we'll",    "they've",  "I'm",
    "résumé",   "naïve",     "café",     "Zürich",    "São",      "Paulo",    "coöperate"};

constexpr std::string_view kCode[] = {
    "for (int i = 0; i < n; ++i) {\n  sum += x[i] * w[i];\n}\n",
    "def tokenize(text: str) -> list[int]:\n    return [vocab[t] for t in text.split()]\n",
    "    if (!result.ok()) return std::move(result).error();\n",
    "const auto it = std::find_if(v.begin(), v.end(), [&](auto& e) { return e.id == id; });\n",
    "SELECT name, COUNT(*) FROM requests WHERE latency_ms > 250 GROUP BY name;\n",
    "\tprintf(\"%d tokens in %.3f s\\n\", n_tokens, elapsed);\n",
    "<div class=\"header\"><a href=\"/v1/models\">models</a></div>\n"};

constexpr std::string_view kCjk[] = {
    "自然语言处理是人工智能的一个重要领域。", "今天天气很好，我们去公园散步吧！",
    "東京都は日本の首都です。", "大規模言語モデルの推論を高速化する。",
    "한국어 문장도 포함되어 있습니다.", "数据在本地处理，隐私得到保护。"};

constexpr std::string_view kEmoji[] = {"😀", "🚀", "👍🏽", "🎉", "❤️", "🤖", "🇫🇷", "👨‍👩‍👧"};

struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
};

template <size_t N>
std::string_view pick(Rng& r, const std::string_view (&a)[N]) {
  return a[r.below(N)];
}

void prose(Rng& r, std::string* out) {
  size_t n = 20 + r.below(60);
  for (size_t i = 0; i < n; ++i) {
    std::string_view w = pick(r, kWords);
    if (i == 0) {
      out->push_back(static_cast<char>(w[0] >= 'a' && w[0] <= 'z' ? w[0] - 32 : w[0]));
      out->append(w.substr(1));
    } else {
      out->append(w);
    }
    size_t k = r.below(40);
    if (k == 0) out->append(",");
    if (k == 1) out->append(" (" + std::to_string(r.below(100000)) + ")");
    if (k == 2) out->append(" " + std::to_string(r.below(2030)) + "-0" + std::to_string(1 + r.below(9)));
    if (k == 3) out->append(" $" + std::to_string(r.below(1000)) + "." + std::to_string(r.below(100)));
    if (k == 4) out->append(pick(r, kEmoji));
    out->append(i + 1 == n ? ". " : " ");
  }
}

}  // namespace

std::string mixed_text(size_t bytes, uint64_t seed) {
  Rng r{seed | 1};
  std::string out;
  out.reserve(bytes + 256);
  while (out.size() < bytes) {
    switch (r.below(6)) {
      case 0:
      case 1:
      case 2:
        prose(r, &out);
        break;
      case 3:
        out.append(pick(r, kCode));
        break;
      case 4:
        for (size_t i = 0, n = 1 + r.below(4); i < n; ++i) out.append(pick(r, kCjk));
        break;
      case 5:
        out.append(std::to_string(r.next() % 10000000) + " " + std::to_string(r.below(1000)) +
                   "." + std::to_string(r.below(1000)) + " " + std::string(pick(r, kEmoji)));
        break;
    }
    out.append(r.below(4) == 0 ? "\n\n" : "\n");
  }
  // Cut at a character boundary.
  size_t n = bytes;
  while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80) --n;
  out.resize(n);
  return out;
}

}  // namespace fulcrum::bench
