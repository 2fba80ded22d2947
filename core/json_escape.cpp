#include "core/json_escape.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/utf8.h"

namespace fulcrum {
namespace {

// 1 for bytes that are copied as they are (printable ASCII other than '"' and '\\').
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

void escape_byte(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out->append("\\\"", 2);
      return;
    case '\\':
      out->append("\\\\", 2);
      return;
    case '\n':
      out->append("\\n", 2);
      return;
    case '\r':
      out->append("\\r", 2);
      return;
    case '\t':
      out->append("\\t", 2);
      return;
    case '\b':
      out->append("\\b", 2);
      return;
    case '\f':
      out->append("\\f", 2);
      return;
    default: {
      char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(u, 6);
    }
  }
}

// Length of the longest prefix of p[0, n) made of bytes copied as they are that are also ASCII
// (kPlain). 16 bytes per step where SSE2 is there (every x86-64): in signed 8-bit compares,
// control bytes and bytes >= 0x80 are both below 0x20.
size_t plain_ascii_prefix(const char* p, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i below = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    __m128i special =
        _mm_or_si128(_mm_cmplt_epi8(v, below),
                     _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
#endif
  while (i < n && kPlain.plain[static_cast<unsigned char>(p[i])]) ++i;
  return i;
}

}  // namespace

void json_escape_append(std::string_view s, std::string* out) {
  // Runs of bytes that need no escaping (printable ASCII and valid UTF-8 sequences) are
  // appended in one call; only the rest is handled byte by byte.
  const char* p = s.data();
  const size_t n = s.size();
  size_t i = 0, run = 0;
  while (i < n) {
    i += plain_ascii_prefix(p + i, n - i);
    if (i >= n) break;
    auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x80) {
      size_t len = utf8::sequence_length(s.substr(i));
      if (len != 0) {
        i += len;
        continue;
      }
    }
    out->append(p + run, i - run);
    if (c >= 0x80) {
      out->append("\xEF\xBF\xBD");  // invalid UTF-8 byte: U+FFFD
    } else {
      escape_byte(c, out);
    }
    run = ++i;
  }
  out->append(p + run, i - run);
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  json_escape_append(s, &out);
  return out;
}

}  // namespace fulcrum
