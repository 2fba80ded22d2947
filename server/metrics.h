// Prometheus metrics for the gateway: counters and latency histograms keyed by label sets,
// rendered in the Prometheus text exposition format (version 0.0.4) for GET /metrics.
// Thread-safe. Updates go to one of a few shards (a thread keeps to one shard), each with its
// own mutex, so event loops on different threads do not queue on one lock per update; reads
// (render, counter) add the shards up.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

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
  // Hash maps that look up by string_view: an update of a series that exists costs two hashes,
  // two compares and no allocation. render() sorts.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using StringMap = std::unordered_map<std::string, V, Hash, std::equal_to<>>;
  using Series = StringMap<double>;
  using HistSeries = StringMap<Histogram>;
  struct alignas(64) Shard {
    std::mutex mu;
    StringMap<Series> counters;
    StringMap<HistSeries> histograms;
  };
  static constexpr size_t kShards = 8;
  Shard& my_shard();
  mutable std::array<Shard, kShards> shards_;
};

// Escapes a label value for the text format (backslash, quote, newline).
std::string prom_escape(std::string_view value);

// A label set (the inside of the braces) built by appending, without a format string or a
// heap allocation for the usual sizes; values are escaped as prom_escape does:
//   metrics.add("fulcrum_tokens_total", Labels().add("provider", p).add("kind", "prompt"));
class Labels {
 public:
  Labels& add(std::string_view name, std::string_view value);
  Labels& add(std::string_view name, int64_t value);
  operator std::string_view() const { return {buf_.data(), buf_.size()}; }  // NOLINT: implicit

 private:
  fmt::basic_memory_buffer<char, 128> buf_;
};

}  // namespace fulcrum::server
