// Redaction mode: before a request goes to a remote target, each finding is replaced by a
// placeholder "[[KIND_N]]" (same value → same placeholder across all segments); the reply is
// restored by swapping placeholders back. StreamRestorer does the same over a stream of text
// deltas, holding back a possible placeholder prefix split across chunks.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "router/finding.h"

namespace fulcrum::router {

class Redactor {
 public:
  // Returns `text` with the findings of `segment` replaced. `findings` sorted by start.
  std::string mask(std::string_view text, uint32_t segment, const std::vector<Finding>& findings);
  // Replaces every known placeholder in `text` with its original value.
  std::string restore(std::string_view text) const;
  size_t size() const { return originals_.size(); }

  // For StreamRestorer: the original behind a placeholder, or nullptr.
  const std::string* lookup(std::string_view placeholder) const;

 private:
  std::map<std::string, std::string, std::less<>> originals_;  // placeholder → original
  std::map<std::string, std::string, std::less<>> by_value_;   // original → placeholder
  std::map<std::string, int, std::less<>> counters_;           // kind → last number
};

class StreamRestorer {
 public:
  explicit StreamRestorer(const Redactor& redactor) : redactor_(redactor) {}
  // Returns what can be emitted now (restored); keeps a trailing partial placeholder back.
  std::string push(std::string_view delta);
  // Flushes whatever is held back (at end of stream).
  std::string finish();

 private:
  const Redactor& redactor_;
  std::string pending_;
};

}  // namespace fulcrum::router
