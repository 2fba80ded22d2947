#include "server/request_log.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "core/json_writer.h"
#include "core/log.h"

namespace fulcrum::server {
namespace {

// The request log's lines are collected in memory and written by a flusher thread every
// kFlushMs (or at once past kFlushBytes), so a request costs an append under a lock instead of
// a write system call per line. Lines are whole when written, so they never interleave.
constexpr auto kFlushMs = std::chrono::milliseconds(20);
constexpr size_t kFlushBytes = 256 << 10;

class LogSink {
 public:
  void open(std::FILE* f) {
    std::lock_guard lock(mu_);
    file_ = f;
  }

  void append(std::string_view line) {
    bool big;
    {
      std::lock_guard lock(mu_);
      if (!started_) start();
      buf_.append(line);
      buf_.push_back('\n');
      big = buf_.size() >= kFlushBytes;
    }
    if (big) cv_.notify_one();
  }

  void flush() {
    std::lock_guard write_lock(write_mu_);
    std::FILE* f;
    {
      // The written-out buffer comes back empty with its capacity, so appends do not regrow
      // a fresh string (and copy what it holds) after every flush.
      std::lock_guard lock(mu_);
      spare_.swap(buf_);
      f = file_ ? file_ : stderr;
    }
    if (spare_.empty()) return;
    std::fwrite(spare_.data(), 1, spare_.size(), f);
    std::fflush(f);
    spare_.clear();
  }

  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    flush();
  }

  ~LogSink() {
    // Static destruction: the thread must not outlive the sink.
    stop();
  }

 private:
  void start() {  // under mu_
    started_ = true;
    thread_ = std::thread([this] { run(); });
  }

  void run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, kFlushMs, [this] { return stopping_ || buf_.size() >= kFlushBytes; });
      if (buf_.empty()) continue;
      lock.unlock();
      flush();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::mutex write_mu_;  // keeps flushes (thread and stop()) in order
  std::condition_variable cv_;
  std::string buf_;
  std::string spare_;          // under write_mu_: the buffer being written out
  std::FILE* file_ = nullptr;  // nullptr: stderr
  std::thread thread_;
  bool started_ = false;
  bool stopping_ = false;
};

LogSink& sink() {
  static LogSink s;
  return s;
}

void emit(std::string_view text) {
  if (log::level() > log::Level::kInfo) return;
  sink().append(text);
}

void write_attempts(JsonWriter& w, const std::vector<router::AttemptRecord>& attempts) {
  w.key("attempts").begin_array();
  for (const auto& a : attempts) {
    w.begin_object().field("provider", a.provider).field("model", a.model).key("outcome");
    if (a.status.ok()) {
      w.value("ok");
    } else {
      w.value(error_code_name(a.status.error().code()));
    }
    w.field("retryable", a.retryable).field("tokens_sent", a.tokens_sent).end_object();
  }
  w.end_array();
}

}  // namespace

std::string request_log_json(const RequestLogEntry& e, std::optional<double> cost_usd) {
  std::string out;
  out.reserve(512 + e.route.size());  // a line with its route header and one attempt
  JsonWriter w(&out);
  w.begin_object().field("event", "request").field("request_id", e.request_id);
  w.field("endpoint", e.endpoint).field("status", e.status).field("model", e.model);
  w.field("stream", e.stream).key("latency_ms").rounded3(e.latency_ms);
  if (e.decision) {
    w.field("rule", e.decision->rule);
    w.field("privacy", router::privacy_class_name(e.decision->privacy));
    w.field("findings", e.decision->findings.size()).key("route");
    if (!e.route.empty()) {
      w.value(e.route);
    } else {
      w.value(e.served ? e.decision->header_value(*e.served) : e.decision->header_value());
    }
  }
  if (e.served) {
    w.key("target");
    fmt::basic_memory_buffer<char, 256> target;  // "provider/model" without a heap string
    target.append(e.served->provider.data(), e.served->provider.data() + e.served->provider.size());
    target.push_back('/');
    target.append(e.served->model.data(), e.served->model.data() + e.served->model.size());
    w.value(std::string_view(target.data(), target.size()));
  }
  if (e.attempts) write_attempts(w, *e.attempts);
  if (e.usage) {
    w.field("prompt_tokens", e.usage->prompt_tokens);
    w.field("completion_tokens", e.usage->completion_tokens);
  }
  if (cost_usd) w.field("cost_usd", *cost_usd);
  if (e.error) {
    w.field("error_code", error_code_name(e.error->code())).field("error", e.error->message());
  }
  w.end_object();
  return out;
}

void record_request(Metrics& metrics, const router::Router& router, const RequestLogEntry& e) {
  std::optional<double> cost;
  if (e.served && e.usage) {
    cost = router.config().routing.prices.cost(e.served->provider, e.served->model,
                                               e.usage->prompt_tokens, e.usage->completion_tokens,
                                               e.usage->cached_tokens);
    const std::string& p = e.served->provider;
    metrics.add("fulcrum_tokens_total", Labels().add("provider", p).add("kind", "prompt"),
                e.usage->prompt_tokens);
    metrics.add("fulcrum_tokens_total", Labels().add("provider", p).add("kind", "completion"),
                e.usage->completion_tokens);
    if (cost) metrics.add("fulcrum_cost_usd_total", Labels().add("provider", p), *cost);
  }
  metrics.add("fulcrum_requests_total",
              Labels().add("endpoint", e.endpoint).add("status", e.status));
  metrics.observe("fulcrum_request_duration_seconds", Labels().add("endpoint", e.endpoint),
                  e.latency_ms / 1000);
  if (log::level() > log::Level::kInfo) return;
  emit(request_log_json(e, cost));
}

void record_simple(Metrics& metrics, std::string_view endpoint, int status, double latency_ms,
                   const std::string& request_id, const Error* error) {
  metrics.add("fulcrum_requests_total", Labels().add("endpoint", endpoint).add("status", status));
  if (endpoint == "metrics" || endpoint == "health") return;  // scrapes are not request-logged
  if (log::level() > log::Level::kInfo) return;
  RequestLogEntry e;
  e.request_id = request_id;
  e.endpoint = endpoint;
  e.status = status;
  e.latency_ms = latency_ms;
  e.error = error;
  emit(request_log_json(e, std::nullopt));
}

Status open_request_log(const std::string& path) {
  if (path.empty()) return ok_status();
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f)
    return Error(ErrorCode::kIo, "cannot open the request log for appending")
        .with_file(path)
        .with_field("server.request_log");
  sink().open(f);
  return ok_status();
}

void flush_request_log() {
  sink().flush();
}

std::string attempt_log_json(const std::string& request_id, const providers::AttemptInfo& a) {
  std::string out;
  out.reserve(256);
  JsonWriter w(&out);
  w.begin_object().field("event", "upstream_attempt").field("request_id", request_id);
  w.field("provider", a.provider).field("replica", a.replica).field("attempt", a.attempt);
  w.field("upstream_status", a.upstream_status).field("outcome", a.outcome);
  w.key("ms").rounded3(a.ms);
  if (!a.error.empty()) w.field("error", a.error);
  w.end_object();
  return out;
}

void record_attempt(Metrics& metrics, const std::string& request_id,
                    const providers::AttemptInfo& a) {
  metrics.add("fulcrum_upstream_attempts_total",
              Labels().add("provider", a.provider).add("outcome", a.outcome));
  if (log::level() > log::Level::kInfo) return;
  emit(attempt_log_json(request_id, a));
}

}  // namespace fulcrum::server
