// StopMatcher: finds stop strings in generated text as it streams. Text that could still be the
// start of a stop string is held back until it is decided, so a stop string never reaches the
// client, even when it spans several tokens.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fulcrum::engine {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops);

  // Adds generated text; returns the text that may be emitted now. After a stop string
  // completes, stopped() is true, the returned text ends right before it and later calls return
  // nothing.
  std::string push(std::string_view text);
  // The held-back text, at the end of generation (empty after a stop).
  std::string flush();
  bool stopped() const { return stopped_; }
  // The stop string that matched ("" when none).
  const std::string& matched() const { return matched_; }

 private:
  std::vector<std::string> stops_;
  std::string pending_;
  bool stopped_ = false;
  std::string matched_;
};

}  // namespace fulcrum::engine
