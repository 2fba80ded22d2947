#include "server/metrics.h"

#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "core/json_escape.h"
#include "core/thread_slot.h"

namespace fulcrum::server {
namespace {

struct Help {
  std::string_view name;
  std::string_view help;
};

constexpr Help kHelp[] = {
    {"fulcrum_requests_total", "HTTP requests answered, by endpoint and status"},
    {"fulcrum_request_duration_seconds", "Time from request read to response end, by endpoint"},
    {"fulcrum_upstream_duration_seconds", "Upstream call latency, by provider"},
    {"fulcrum_tokens_total", "Tokens reported by upstreams, by provider and kind"},
    {"fulcrum_upstream_attempts_total", "HTTP attempts at upstreams, by provider and outcome"},
    {"fulcrum_upstream_errors_total",
     "Failed upstream calls (after the provider's retries), by provider and error code"},
    {"fulcrum_route_decisions_total", "Routing decisions, by rule and privacy class"},
    {"fulcrum_cost_usd_total", "Estimated spend in USD, by provider"},
    {"fulcrum_stream_errors_total", "Streams that failed after they started, by endpoint"},
};

std::string_view help_for(std::string_view name) {
  for (const auto& h : kHelp)
    if (h.name == name) return h.help;
  return "Fulcrum metric";
}

std::string format_value(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v)))
    return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{:.6g}", v);
}

void append_escaped(std::string_view v, fmt::basic_memory_buffer<char, 128>* out) {
  size_t run = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out->append(v.data() + run, v.data() + i);
    const char esc[2] = {'\\', c == '\n' ? 'n' : c};
    out->append(esc, esc + 2);
    run = i + 1;
  }
  out->append(v.data() + run, v.data() + v.size());
}

}  // namespace

std::string prom_escape(std::string_view value) {
  fmt::basic_memory_buffer<char, 128> buf;
  append_escaped(value, &buf);
  return {buf.data(), buf.size()};
}

Labels& Labels::add(std::string_view name, std::string_view value) {
  // Printable ASCII without quote or backslash (the usual value) needs no escaping here either.
  bool plain = json_plain_ascii(value);
  if (!plain) {
    plain = true;
    for (char c : value) plain &= c != '\\' && c != '"' && c != '\n';
  }
  if (plain) {  // the usual case: one resize, two copies
    size_t at = buf_.size();
    bool comma = at != 0;
    buf_.resize(at + comma + name.size() + 3 + value.size());
    char* p = buf_.data() + at;
    *p = ',';
    p += comma;
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    *p++ = '=';
    *p++ = '"';
    std::memcpy(p, value.data(), value.size());
    p[value.size()] = '"';
    return *this;
  }
  if (buf_.size() != 0) buf_.push_back(',');
  buf_.append(name.data(), name.data() + name.size());
  constexpr std::string_view kOpen = "=\"";
  buf_.append(kOpen.data(), kOpen.data() + kOpen.size());
  append_escaped(value, &buf_);
  buf_.push_back('"');
  return *this;
}

Labels& Labels::add(std::string_view name, int64_t value) {
  char digits[24];
  auto r = std::to_chars(digits, digits + sizeof digits, value);
  return add(name, std::string_view(digits, static_cast<size_t>(r.ptr - digits)));
}

Metrics::Shard& Metrics::my_shard() {
  return shards_[thread_slot() % kShards];
}

void Metrics::add(std::string_view name, std::string_view labels, double value) {
  Shard& sh = my_shard();
  std::lock_guard<std::mutex> lock(sh.mu);
  auto it = sh.counters.find(name);
  if (it == sh.counters.end()) it = sh.counters.emplace(std::string(name), Series{}).first;
  auto jt = it->second.find(labels);
  if (jt == it->second.end()) jt = it->second.emplace(std::string(labels), 0.0).first;
  jt->second += value;
}

void Metrics::observe(std::string_view name, std::string_view labels, double seconds) {
  Shard& sh = my_shard();
  std::lock_guard<std::mutex> lock(sh.mu);
  auto it = sh.histograms.find(name);
  if (it == sh.histograms.end()) it = sh.histograms.emplace(std::string(name), HistSeries{}).first;
  auto jt = it->second.find(labels);
  if (jt == it->second.end()) jt = it->second.emplace(std::string(labels), Histogram{}).first;
  Histogram& h = jt->second;
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

double Metrics::counter(std::string_view name, std::string_view labels) const {
  double total = 0;
  for (auto& sh : shards_) {
    std::lock_guard<std::mutex> lock(sh.mu);
    auto it = sh.counters.find(name);
    if (it == sh.counters.end()) continue;
    auto jt = it->second.find(labels);
    if (jt != it->second.end()) total += jt->second;
  }
  return total;
}

std::string Metrics::render(const std::map<std::string, double>& gauges) const {
  // The shards added up, in name and label order.
  std::map<std::string, std::map<std::string, double>> counters;
  std::map<std::string, std::map<std::string, Histogram>> histograms;
  for (auto& sh : shards_) {
    std::lock_guard<std::mutex> lock(sh.mu);
    for (const auto& [name, series] : sh.counters)
      for (const auto& [labels, v] : series) counters[name][labels] += v;
    for (const auto& [name, series] : sh.histograms) {
      for (const auto& [labels, h] : series) {
        Histogram& sum = histograms[name][labels];
        for (size_t i = 0; i < kBuckets.size(); ++i) sum.counts[i] += h.counts[i];
        sum.count += h.count;
        sum.sum += h.sum;
      }
    }
  }
  std::string out;
  for (const auto& [name, series] : counters) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help_for(name), name);
    for (const auto& [labels, v] : series)
      out += labels.empty() ? fmt::format("{} {}\n", name, format_value(v))
                            : fmt::format("{}{{{}}} {}\n", name, labels, format_value(v));
  }
  for (const auto& [name, series] : histograms) {
    out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help_for(name), name);
    for (const auto& [labels, h] : series) {
      std::string sep = labels.empty() ? "" : ",";
      for (size_t i = 0; i < kBuckets.size(); ++i)
        out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, kBuckets[i],
                           h.counts[i]);
      out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, h.count);
      std::string braces = labels.empty() ? "" : "{" + labels + "}";
      out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, format_value(h.sum), name,
                         braces, h.count);
    }
  }
  for (const auto& [name, v] : gauges)
    out += fmt::format("# HELP {} Fulcrum gauge\n# TYPE {} gauge\n{} {}\n", name, name, name,
                       format_value(v));
  return out;
}

}  // namespace fulcrum::server
