// ASCII byte classes and case folding, independent of the C locale and without a libc call per
// byte: for protocol text (HTTP header names and tokens, URL schemes), type names and the
// privacy detectors. Bytes of 0x80 and above are in no class and fold to themselves.
#pragma once

#include <string>
#include <string_view>

namespace fulcrum::ascii {

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
// A regular-expression word byte (`\w`, `\b`): letters, digits, '_'.
constexpr bool is_word(char c) {
  return is_alnum(c) || c == '_';
}

constexpr char to_lower(char c) {
  return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

// Equal ignoring ASCII case.
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

// `out` = `s` in ASCII lower case (reuses out's capacity).
inline void to_lower(std::string_view s, std::string* out) {
  out->resize(s.size());
  for (size_t i = 0; i < s.size(); ++i) (*out)[i] = to_lower(s[i]);
}

}  // namespace fulcrum::ascii
