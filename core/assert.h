// FULCRUM_ASSERT: an always-on invariant check (also in Release). A failed invariant is a bug in
// Fulcrum, never a reaction to bad input: input is validated and reported through Result.
#pragma once

namespace fulcrum::detail {
[[noreturn]] void assert_fail(const char* cond, const char* msg, const char* file, int line);
}

#define FULCRUM_ASSERT(cond, msg)                                     \
  do {                                                                \
    if (!(cond)) [[unlikely]]                                         \
      ::fulcrum::detail::assert_fail(#cond, msg, __FILE__, __LINE__); \
  } while (0)
