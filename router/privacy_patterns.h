// The built-in detectors of the privacy classifier: one Vectorscan expression each (the definition
// of what it finds), the C++ step that validates a candidate span and trims it to the sensitive
// bytes, and the gate that says where in a text the expression can find anything its refine step
// accepts (router/privacy_gates.h). A table, so adding a detector is adding a row
// (privacy_patterns.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "router/privacy_gates.h"

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
  // is literal; a leading '^' takes the complement); a superset is safe, a byte missing is a bug
  // (tests/unit/router/privacy_scanner_test.cpp compares against a plain whole-text scan). Scans
  // then look for a match's start only within the run of these bytes around it. Empty: not
  // declared (then the expression must have a bounded width).
  std::string_view span = {};
  // Fewest digits any match holds, for a span of digits and non-letter bytes (0: not declared).
  uint8_t min_digits = 0;
  // The gate. `anchors`: literals, '|'-separated, matched with the regex's case rule, one of which
  // every accepted match contains; `check` (optional) confirms each occurrence. `gate`: computed
  // regions; `gate_contains`: a match overlapping one of them lies inside it (number runs).
  std::string_view anchors = {};
  AnchorCheck check = nullptr;
  GateFn gate = nullptr;
  bool gate_contains = false;
};

std::span<const BuiltinPattern> builtin_patterns();
// Distinct kinds, in table order.
std::span<const std::string_view> builtin_kind_names();

}  // namespace fulcrum::router
