// The built-in detectors of the privacy classifier: one Vectorscan expression each, plus the
// C++ step that validates a candidate span and trims it to the sensitive bytes. A table, so
// adding a detector is adding a row (privacy_patterns.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace fulcrum::router {

// Validates text[*start, *end) and may move *start / *end inward (or, for PEM blocks, *end
// outward to the END line). Returns false to drop the candidate.
using RefineFn = bool (*)(std::string_view text, size_t* start, size_t* end);

struct BuiltinPattern {
  std::string_view kind;
  std::string_view regex;
  bool caseless;
  RefineFn refine;  // nullptr: the regex alone decides
  // The bytes every match consists of, as a bracket class body ("A-Za-z0-9._%+@-"; a '-' last
  // is literal); a superset is safe, a byte missing is a bug (tests/unit/router/
  // privacy_scanner_test.cpp compares against a plain whole-text scan). The scanner then looks
  // for a match's start only within the run of these bytes before its end. Empty: not declared.
  std::string_view span = {};
  // Fewest digits any match holds, for a span of digits and non-letter bytes (0: not declared).
  // The classifier then looks for the pattern only in runs of span bytes with that many digits.
  uint8_t min_digits = 0;
};

std::span<const BuiltinPattern> builtin_patterns();
// Distinct kinds, in table order.
std::span<const std::string_view> builtin_kind_names();

}  // namespace fulcrum::router
