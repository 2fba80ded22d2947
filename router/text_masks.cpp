#include "router/text_masks.h"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fulcrum::router {
namespace {

// The four class masks of 64 bytes (`p` must hold 64 readable bytes).
struct Block {
  uint64_t digit = 0, upper = 0, colon = 0, numeric = 0;
};

#if defined(__SSE2__)
// Unsigned "lo <= x < lo + n" per byte: (x - lo + 0x80) as a signed byte is below -128 + n.
inline __m128i in_range(__m128i x, char lo, char n) {
  return _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(static_cast<char>(0x80 - lo))),
                        _mm_set1_epi8(static_cast<char>(-128 + n)));
}

inline Block classify(const char* p) {
  Block b;
  const __m128i colon = _mm_set1_epi8(':');
  for (int k = 0; k < 4; ++k) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const int shift = 16 * k;
    b.digit |= static_cast<uint64_t>(_mm_movemask_epi8(in_range(x, '0', 10))) << shift;
    b.upper |= static_cast<uint64_t>(_mm_movemask_epi8(in_range(x, 'A', 26))) << shift;
    b.colon |= static_cast<uint64_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, colon))) << shift;
    b.numeric |= static_cast<uint64_t>(_mm_movemask_epi8(in_range(x, 0x20, 26))) << shift;
  }
  return b;
}
#else
inline Block classify(const char* p) {
  Block b;
  for (int i = 0; i < 64; ++i) {
    auto c = static_cast<unsigned char>(p[i]);
    const uint64_t bit = uint64_t{1} << i;
    if (c >= '0' && c <= '9') b.digit |= bit;
    if (c >= 'A' && c <= 'Z') b.upper |= bit;
    if (c == ':') b.colon |= bit;
    if (c >= 0x20 && c <= 0x39) b.numeric |= bit;
  }
  return b;
}
#endif

}  // namespace

void TextMasks::build(std::string_view text) {
  size_ = text.size();
  const size_t full = size_ / 64, words = (size_ + 63) / 64;
  stride_ = words + 1;
  bits_.assign(kClassCount * stride_, 0);
  uint64_t* digit = bits_.data() + kDigit * stride_;
  uint64_t* upper = bits_.data() + kUpper * stride_;
  uint64_t* colon = bits_.data() + kColon * stride_;
  uint64_t* numeric = bits_.data() + kNumeric * stride_;
  auto store = [&](size_t w, const Block& b) {
    digit[w] = b.digit;
    upper[w] = b.upper;
    colon[w] = b.colon;
    numeric[w] = b.numeric;
  };
  for (size_t w = 0; w < full; ++w) store(w, classify(text.data() + 64 * w));
  if (full < words) {
    char tail[64] = {};  // NUL is in no class
    std::memcpy(tail, text.data() + 64 * full, size_ - 64 * full);
    store(full, classify(tail));
  }
}

size_t TextMasks::count(Class c, size_t from, size_t to) const {
  if (to > size_) to = size_;
  if (from >= to) return 0;
  const uint64_t* w = words(c);
  size_t a = from >> 6, b = (to - 1) >> 6;
  uint64_t first = w[a] & (~uint64_t{0} << (from & 63));
  uint64_t last_mask = (to & 63) ? (uint64_t{1} << (to & 63)) - 1 : ~uint64_t{0};
  if (a == b) return static_cast<size_t>(std::popcount(first & last_mask));
  size_t n = static_cast<size_t>(std::popcount(first));
  for (size_t i = a + 1; i < b; ++i) n += static_cast<size_t>(std::popcount(w[i]));
  return n + static_cast<size_t>(std::popcount(w[b] & last_mask));
}

size_t TextMasks::next_set(Class c, size_t from) const {
  if (from >= size_) return size_;
  const uint64_t* w = words(c);
  size_t i = from >> 6;
  uint64_t m = w[i] & (~uint64_t{0} << (from & 63));
  while (m == 0) {
    if (++i >= stride_) return size_;
    m = w[i];
  }
  size_t at = 64 * i + static_cast<size_t>(std::countr_zero(m));
  return at < size_ ? at : size_;
}

size_t TextMasks::next_clear(Class c, size_t from) const {
  if (from >= size_) return size_;
  const uint64_t* w = words(c);
  size_t i = from >> 6;
  uint64_t m = ~w[i] & (~uint64_t{0} << (from & 63));
  while (m == 0) m = ~w[++i];  // the clear word at the end stops this
  size_t at = 64 * i + static_cast<size_t>(std::countr_zero(m));
  return at < size_ ? at : size_;
}

size_t TextMasks::run_start(Class c, size_t from) const {
  if (from == 0) return 0;
  if (from > size_) from = size_;
  const uint64_t* w = words(c);
  size_t i = (from - 1) >> 6;
  // Clear bits at or below from - 1.
  uint64_t m = ~w[i] & (~uint64_t{0} >> (63 - ((from - 1) & 63)));
  while (m == 0) {
    if (i == 0) return 0;
    m = ~w[--i];
  }
  return 64 * i + static_cast<size_t>(63 - std::countl_zero(m)) + 1;
}

}  // namespace fulcrum::router
