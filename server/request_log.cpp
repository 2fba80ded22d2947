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
// kFlushMs (or at once past kFlushBytes), so a line costs an append to memory (an event loop's
// own buffer, see batch_thread_log, else the shared one under a lock) instead of a write system
// call. Lines are whole when written, so they never interleave.
constexpr auto kFlushMs = std::chrono::milliseconds(20);
constexpr size_t kFlushBytes = 256 << 10;

class LogSink {
 public:
  void open(std::FILE* f) {
    std::lock_guard lock(mu_);
    file_ = f;
  }

  // Takes whole lines ('\n'-terminated: one line, or a thread's batch) and leaves `lines`
  // empty. When the sink holds nothing the two buffers trade places (no copy), so capacity goes
  // round.
  void take(std::string* lines) {
    bool big;
    {
      std::lock_guard lock(mu_);
      if (!started_) start();
      if (buf_.empty()) {
        buf_.swap(*lines);
      } else {
        buf_.append(*lines);
      }
      big = buf_.size() >= kFlushBytes;
    }
    lines->clear();
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

// A thread that batches (an event loop, see batch_thread_log) writes its lines straight into
// this buffer, with no lock and no string per line, and hands them over once per loop turn.
struct ThreadLines {
  std::string buf;
  bool batching = false;
};
thread_local ThreadLines tl_lines;

// One log line: `fill` appends a JSON object to the string it is given.
template <class Fill>
void emit(Fill&& fill) {
  if (log::level() > log::Level::kInfo) return;
  if (tl_lines.batching) {
    fill(&tl_lines.buf);
    tl_lines.buf.push_back('\n');
    if (tl_lines.buf.size() >= kFlushBytes) sink().take(&tl_lines.buf);
    return;
  }
  std::string line;
  fill(&line);
  line.push_back('\n');
  sink().take(&line);
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

void append_request_log_json(const RequestLogEntry& e, std::optional<double> cost_usd,
                             std::string* out) {
  out->reserve(out->size() + 512 + e.route.size());  // a line with its route and one attempt
  JsonWriter w(out);
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
}

void append_attempt_log_json(const std::string& request_id, const providers::AttemptInfo& a,
                             std::string* out) {
  out->reserve(out->size() + 256);
  JsonWriter w(out);
  w.begin_object().field("event", "upstream_attempt").field("request_id", request_id);
  w.field("provider", a.provider).field("replica", a.replica).field("attempt", a.attempt);
  w.field("upstream_status", a.upstream_status).field("outcome", a.outcome);
  w.key("ms").rounded3(a.ms);
  if (!a.error.empty()) w.field("error", a.error);
  w.end_object();
}

}  // namespace

std::string request_log_json(const RequestLogEntry& e, std::optional<double> cost_usd) {
  std::string out;
  append_request_log_json(e, cost_usd, &out);
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
  emit([&](std::string* out) { append_request_log_json(e, cost, out); });
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
  emit([&](std::string* out) { append_request_log_json(e, std::nullopt, out); });
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
  flush_thread_log();
  sink().flush();
}

void batch_thread_log(bool on) {
  if (!on) flush_thread_log();
  tl_lines.batching = on;
}

void flush_thread_log() {
  if (!tl_lines.buf.empty()) sink().take(&tl_lines.buf);
}

std::string attempt_log_json(const std::string& request_id, const providers::AttemptInfo& a) {
  std::string out;
  append_attempt_log_json(request_id, a, &out);
  return out;
}

void record_attempt(Metrics& metrics, const std::string& request_id,
                    const providers::AttemptInfo& a) {
  metrics.add("fulcrum_upstream_attempts_total",
              Labels().add("provider", a.provider).add("outcome", a.outcome));
  emit([&](std::string* out) { append_attempt_log_json(request_id, a, out); });
}

}  // namespace fulcrum::server
