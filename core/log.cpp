#include "core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/json_escape.h"

namespace fulcrum::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<bool> g_json{false};
std::mutex g_mu;

constexpr const char* kNames[] = {"debug", "info", "warn", "error", "off"};

}  // namespace

void set_level(Level l) {
  g_level.store(static_cast<int>(l));
}
Level level() {
  return static_cast<Level>(g_level.load(std::memory_order_relaxed));
}
void set_json(bool json) {
  g_json.store(json);
}

bool parse_level(std::string_view text, Level* out) {
  for (int i = 0; i <= 4; ++i) {
    if (text == kNames[i]) {
      *out = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

void write(Level l, std::string_view message) {
  using namespace std::chrono;
  auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  std::string line;
  if (g_json.load()) {
    line = fmt::format("{{\"ts_ms\":{},\"level\":\"{}\",\"msg\":\"{}\"}}\n", now,
                       kNames[static_cast<int>(l)], json_escape(message));
  } else {
    line = fmt::format("[{}.{:03d}] {:5} {}\n", now / 1000, static_cast<int>(now % 1000),
                       kNames[static_cast<int>(l)], message);
  }
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace fulcrum::log
