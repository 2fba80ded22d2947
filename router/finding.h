// A piece of sensitive data the privacy classifier found: its kind ("email", "payment_card", a
// user pattern's name, ...) and its byte span [start, end) inside one scanned segment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fulcrum::router {

struct Finding {
  std::string kind;      // built-in kind name (see PrivacyClassifier::builtin_kinds) or custom
  uint32_t segment = 0;  // which scanned text (RouteInput::segments index; 0 for one text)
  size_t start = 0;      // byte offset of the first byte
  size_t end = 0;        // byte offset one past the last byte

  bool operator==(const Finding&) const = default;
};

}  // namespace fulcrum::router
