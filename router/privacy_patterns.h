// The built-in detectors of the privacy classifier: one Vectorscan expression each, plus the
// C++ step that validates a candidate span and trims it to the sensitive bytes. A table, so
// adding a detector is adding a row (privacy_patterns.cpp).
#pragma once

#include <cstddef>
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
};

std::span<const BuiltinPattern> builtin_patterns();
// Distinct kinds, in table order.
std::span<const std::string_view> builtin_kind_names();

}  // namespace fulcrum::router
