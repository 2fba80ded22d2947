// UTF-8 helpers: validation and decoding, strict (no overlongs, no surrogates, max U+10FFFF).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fulcrum::utf8 {

// Length of the valid UTF-8 sequence starting at s[0], or 0 if it is invalid or incomplete.
size_t sequence_length(std::string_view s);
// Byte offset of the first invalid sequence, or npos when the whole string is valid.
size_t find_invalid(std::string_view s);
inline bool is_valid(std::string_view s) {
  return find_invalid(s) == std::string_view::npos;
}
// Decodes one code point at s[0]; returns its length (0 on invalid input, cp untouched).
size_t decode(std::string_view s, uint32_t* cp);
void append(uint32_t cp, std::string* out);

}  // namespace fulcrum::utf8
