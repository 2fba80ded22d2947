// ASCII byte classes shared by the privacy detectors, gates and validators. Bytes of 0x80 and
// above are in none of them (the detectors' regular expressions are ASCII, as is `\b`).
#pragma once

#include <cstdint>
#include <string_view>

namespace fulcrum::router {

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
constexpr bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
constexpr bool is_alpha(char c) {
  return is_upper(c) || is_lower(c);
}
constexpr bool is_alnum(char c) {
  return is_digit(c) || is_alpha(c);
}
constexpr bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// What Vectorscan's `\b` counts as a word byte.
constexpr bool is_word(char c) {
  return is_alnum(c) || c == '_';
}

// Scan windows (router/builtin_scanner.cpp, router/privacy_scanner.cpp): windows closer than
// kMergeGap bytes are scanned as one (a call costs about as much as this many bytes), and a
// window's start walks back at most kMaxWalkBack bytes to find a non-word byte.
inline constexpr uint64_t kMergeGap = 64;
inline constexpr uint64_t kMaxWalkBack = 256;

// The start moved back to just after a non-word byte (Vectorscan reads the byte before a buffer
// as a non-word byte, so `\b` there then reads as in the whole text); 0 past kMaxWalkBack.
inline uint64_t after_non_word(std::string_view text, uint64_t start) {
  const uint64_t floor = start > kMaxWalkBack ? start - kMaxWalkBack : 0;
  while (start > 0 && is_word(text[start - 1])) start = start == floor ? 0 : start - 1;
  return start;
}

}  // namespace fulcrum::router
