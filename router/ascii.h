// The privacy scanners' shared pieces: the ASCII classes of core/ascii.h under their short names,
// and how scan windows are cut.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/ascii.h"

namespace fulcrum::router {

using ascii::iequals;
using ascii::is_alnum;
using ascii::is_alpha;
using ascii::is_digit;
using ascii::is_hex;
using ascii::is_lower;
using ascii::is_upper;
using ascii::is_word;

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
