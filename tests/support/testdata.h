// Where the shared test data lives: $FULCRUM_TESTDATA, else ../shared/testdata beside the
// source tree. Tests that need it call testdata_path("models/kjv-tiny-f32.gguf").
#pragma once

#include <cstdlib>
#include <string>

namespace fulcrum::testing {

inline std::string testdata_dir() {
  if (const char* env = std::getenv("FULCRUM_TESTDATA"); env && *env) return env;
#ifdef FULCRUM_SOURCE_DIR
  return std::string(FULCRUM_SOURCE_DIR) + "/../shared/testdata";
#else
  return "../shared/testdata";
#endif
}

inline std::string testdata_path(const std::string& rel) { return testdata_dir() + "/" + rel; }

// The fulcrum binary built alongside the tests (for end-to-end tests).
inline std::string fulcrum_binary() {
  if (const char* env = std::getenv("FULCRUM_BIN"); env && *env) return env;
#ifdef FULCRUM_BINARY_PATH
  return FULCRUM_BINARY_PATH;
#else
  return "fulcrum";
#endif
}

}  // namespace fulcrum::testing
