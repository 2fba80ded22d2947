#include "providers/retry_policy.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <string>

namespace fulcrum::providers {

int64_t backoff_delay_ms(const BackoffPolicy& policy, int retry, int64_t retry_after_ms,
                         std::mt19937_64& rng) {
  int shift = std::clamp(retry - 1, 0, 30);
  int64_t cap = policy.initial_ms;
  for (int i = 0; i < shift && cap < policy.max_ms; ++i) cap *= 2;
  cap = std::min(cap, policy.max_ms);
  int64_t delay = 0;
  if (cap > 0) delay = std::uniform_int_distribution<int64_t>(0, cap)(rng);
  return std::max(delay, retry_after_ms);
}

int64_t parse_retry_after_ms(std::string_view v, int64_t now_unix_s) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return -1;
  if (std::isdigit(static_cast<unsigned char>(v.front()))) {
    double seconds = 0;
    double scale = 0;
    for (char c : v) {
      if (c == '.' && scale == 0) {
        scale = 0.1;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        if (scale == 0) {
          seconds = seconds * 10 + (c - '0');
        } else {
          seconds += scale * (c - '0');
          scale /= 10;
        }
      } else {
        return -1;
      }
      if (seconds > 1e7) return -1;
    }
    return static_cast<int64_t>(std::llround(seconds * 1000));
  }
  // IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm tm{};
  std::string s(v);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return -1;
  int64_t at = timegm(&tm);
  return std::max<int64_t>(0, (at - now_unix_s) * 1000);
}

}  // namespace fulcrum::providers
