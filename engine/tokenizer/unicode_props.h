// Unicode properties the tokenizers need, for every code point (U+0000..U+10FFFF):
// general-category classes (\p{L}, \p{N}, \p{P}, \p{S}, \p{M}, \p{Z}, \p{C}), the White_Space
// property, simple lower-casing and the first code point of the canonical decomposition (for
// WordPiece accent stripping). Source: utf8proc (Debian libutf8proc), expanded once into a flat
// table of one byte per code point so the pre-tokenizer's inner loop is a single load.
#pragma once

#include <cstdint>

namespace fulcrum::engine {

namespace cpflag {
inline constexpr uint8_t kLetter = 0x01;       // \p{L}
inline constexpr uint8_t kNumber = 0x02;       // \p{N}
inline constexpr uint8_t kPunctuation = 0x04;  // \p{P}
inline constexpr uint8_t kSymbol = 0x08;       // \p{S}
inline constexpr uint8_t kMark = 0x10;         // \p{M}
inline constexpr uint8_t kSeparator = 0x20;    // \p{Z}
inline constexpr uint8_t kControl = 0x40;      // \p{C} except unassigned (Cc, Cf, Cs, Co)
inline constexpr uint8_t kWhitespace = 0x80;   // White_Space (what regex \s matches)
}  // namespace cpflag

inline constexpr uint32_t kMaxCodepoint = 0x10FFFF;

// The flags of a code point; 0 for unassigned code points and for values above U+10FFFF.
uint8_t codepoint_flags(uint32_t cp);
// The whole table (kMaxCodepoint + 1 entries), for loops that classify many code points.
const uint8_t* codepoint_flag_table();

uint32_t codepoint_to_lower(uint32_t cp);
// First code point of the full canonical decomposition (U+00E9 'é' -> 'e'); cp itself if none.
uint32_t codepoint_nfd_base(uint32_t cp);

}  // namespace fulcrum::engine
