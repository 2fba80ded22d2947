// The end of every request: one structured log line (JSON; keys never appear in it) and the
// request/token/cost metrics.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/chat.h"
#include "core/error.h"
#include "core/result.h"
#include "providers/provider.h"
#include "router/fallback_walker.h"
#include "router/route_decision.h"
#include "router/router.h"
#include "server/metrics.h"

namespace fulcrum::server {

struct RequestLogEntry {
  std::string request_id;
  std::string_view endpoint;
  int status = 0;
  std::string model;  // as requested
  bool stream = false;
  const router::RouteDecision* decision = nullptr;  // null when routing did not happen
  const router::RouteTarget* served = nullptr;      // null when no target answered
  std::string_view route;  // the x-fulcrum-route value sent, when known (else derived)
  const std::vector<router::AttemptRecord>* attempts = nullptr;
  std::optional<api::Usage> usage;
  double latency_ms = 0;
  const Error* error = nullptr;
};

// The JSON object of the log line (exposed for tests).
std::string request_log_json(const RequestLogEntry& e, std::optional<double> cost_usd);
// Logs the line and updates fulcrum_requests_total, fulcrum_request_duration_seconds,
// fulcrum_tokens_total and fulcrum_cost_usd_total.
void record_request(Metrics& metrics, const router::Router& router, const RequestLogEntry& e);

// Log line for requests that never reach a handler with a decision (404, 405, simple GETs).
void record_simple(Metrics& metrics, std::string_view endpoint, int status, double latency_ms,
                   const std::string& request_id, const Error* error);

// One line per HTTP attempt at an upstream ("event":"upstream_attempt") and the
// fulcrum_upstream_attempts_total counter.
std::string attempt_log_json(const std::string& request_id, const providers::AttemptInfo& a);
void record_attempt(Metrics& metrics, const std::string& request_id,
                    const providers::AttemptInfo& a);

// Where the request log goes: stderr (empty path, the default) or a file opened for append.
// Call once at start-up, before requests arrive. Lines are buffered and written by a
// background thread within about 20 ms; flush_request_log() writes what is pending now (call it
// before the process exits without running static destructors).
Status open_request_log(const std::string& path);
void flush_request_log();

// Event loops batch their lines: while batch_thread_log(true) holds for the calling thread, its
// lines are written straight into a buffer of that thread (no lock, no string per line) and
// reach the writer when the thread calls flush_thread_log() (once per loop turn), or when the
// buffer grows large. batch_thread_log(false) hands over what is left.
void batch_thread_log(bool on);
void flush_thread_log();

}  // namespace fulcrum::server
