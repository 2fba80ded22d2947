// Prometheus metrics for the gateway: counters and latency histograms keyed by label sets,
// rendered in the Prometheus text exposition format (version 0.0.4) for GET /metrics.
// Thread-safe. Updates go to one of a few shards (a thread keeps to one shard), each with its
// own mutex, so event loops on different threads do not queue on one lock per update; reads
// (render, counter) add the shards up.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace fulcrum::server {

class Metrics {
 public:
  // Counters. `labels` is the inside of the braces, e.g. R"(endpoint="chat",status="200")".
  void add(std::string_view name, std::string_view labels, double value = 1);
  // Latency histogram in seconds (buckets 1 ms .. 60 s).
  void observe(std::string_view name, std::string_view labels, double seconds);
  // Gauges are sampled at render time by the caller and passed in.
  std::string render(const std::map<std::string, double>& gauges = {}) const;
  double counter(std::string_view name, std::string_view labels) const;  // for tests

  static constexpr std::array<double, 14> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,    1,     2.5,  5,     10,   60};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  // Label maps look up by string_view: a series that exists costs no allocation.
  using Series = std::map<std::string, double, std::less<>>;
  using HistSeries = std::map<std::string, Histogram, std::less<>>;
  struct alignas(64) Shard {
    std::mutex mu;
    std::map<std::string, Series, std::less<>> counters;
    std::map<std::string, HistSeries, std::less<>> histograms;
  };
  static constexpr size_t kShards = 8;
  Shard& my_shard();
  mutable std::array<Shard, kShards> shards_;
};

// Escapes a label value for the text format (backslash, quote, newline).
std::string prom_escape(std::string_view value);

// The same escaping while formatting, without a temporary string:
// fmt::format(R"(provider="{}")", PromEscaped{name}).
struct PromEscaped {
  std::string_view value;
};

}  // namespace fulcrum::server

template <>
struct fmt::formatter<fulcrum::server::PromEscaped> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <typename Context>
  auto format(const fulcrum::server::PromEscaped& e, Context& ctx) const {
    auto out = ctx.out();
    std::string_view v = e.value;
    size_t run = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      char c = v[i];
      if (c != '\\' && c != '"' && c != '\n') continue;
      out = std::copy(v.begin() + static_cast<ptrdiff_t>(run),
                      v.begin() + static_cast<ptrdiff_t>(i), out);
      *out++ = '\\';
      *out++ = c == '\n' ? 'n' : c;
      run = i + 1;
    }
    return std::copy(v.begin() + static_cast<ptrdiff_t>(run), v.end(), out);
  }
};
