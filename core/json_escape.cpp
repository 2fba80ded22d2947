#include "core/json_escape.h"

#include <cstdint>
#include <cstring>

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

#if defined(__SSE2__)
// Bit i set when byte i of v needs escaping or is not ASCII.
inline unsigned special_mask(__m128i v) {
  const __m128i special = _mm_or_si128(
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(special));
}

inline __m128i load8(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return _mm_cvtsi64_si128(static_cast<long long>(x));
}

inline __m128i load4(const char* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return _mm_cvtsi32_si128(static_cast<int>(x));
}
#endif

}  // namespace

bool json_plain_ascii(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
#if defined(__SSE2__)
  // Never reads outside s: the last piece is an overlapping load ending at its last byte.
  if (n >= 16) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
      if (special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i))) != 0) return false;
    return i == n ||
           special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16))) == 0;
  }
  if (n >= 8) return ((special_mask(load8(p)) | special_mask(load8(p + n - 8))) & 0xFFu) == 0;
  if (n >= 4) return ((special_mask(load4(p)) | special_mask(load4(p + n - 4))) & 0xFu) == 0;
#endif
  for (size_t i = 0; i < n; ++i)
    if (!kPlain.plain[static_cast<unsigned char>(p[i])]) return false;
  return true;
}

void json_escape_append(std::string_view s, std::string* out) {
  if (json_plain_ascii(s)) {  // the usual case: nothing to escape
    out->append(s);
    return;
  }
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
