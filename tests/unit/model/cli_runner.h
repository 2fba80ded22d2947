// Helpers for the model CLI tests, on top of tests/support/run_binary.h (which runs the real
// fulcrum binary, FULCRUM_BINARY_PATH, without a shell): stdout as JSON, fresh temp paths, and
// whether this test binary is a sanitizer build.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/run_binary.h"

namespace fulcrum::testing {

// stdout parsed as one JSON value (discarded, i.e. not an object, when it is not JSON).
inline nlohmann::json stdout_json(const RunResult& r) {
  return nlohmann::json::parse(r.out, nullptr, false);
}

// A fresh path in the temp directory (not created).
inline std::string temp_path(const std::string& stem) {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          ("fulcrum_model_cli_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
           stem))
      .string();
}

// True when this test binary was built with AddressSanitizer (the CI's Debug + ASan build runs
// the heavy end-to-end cases many times slower; those cases shrink there).
constexpr bool kSanitizerBuild =
#if defined(__SANITIZE_ADDRESS__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

}  // namespace fulcrum::testing
