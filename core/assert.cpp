#include "core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace fulcrum::detail {

void assert_fail(const char* cond, const char* msg, const char* file, int line) {
  std::fprintf(stderr, "fulcrum: internal invariant failed at %s:%d: %s (%s)\n", file, line, msg,
               cond);
  std::fflush(stderr);
  std::abort();  // the one place allowed to stop the process: a bug, not bad input
}

}  // namespace fulcrum::detail
