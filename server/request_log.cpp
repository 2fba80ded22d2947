#include "server/request_log.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/log.h"

namespace fulcrum::server {
namespace {

using Json = nlohmann::ordered_json;  // keys in the order written: "event" first

std::FILE* g_sink = nullptr;  // nullptr: stderr

void emit(std::string text) {
  if (log::level() > log::Level::kInfo) return;
  // The request log is structured: the object itself is the line (written in one call, which
  // stdio locks, so lines from several threads never interleave).
  text.push_back('\n');
  std::FILE* f = g_sink ? g_sink : stderr;
  std::fwrite(text.data(), 1, text.size(), f);
  if (g_sink) std::fflush(f);
}

}  // namespace

std::string request_log_json(const RequestLogEntry& e, std::optional<double> cost_usd) {
  Json j = {{"event", "request"},
            {"request_id", e.request_id},
            {"endpoint", e.endpoint},
            {"status", e.status},
            {"model", e.model},
            {"stream", e.stream},
            {"latency_ms", std::round(e.latency_ms * 1000) / 1000}};
  if (e.decision) {
    j["rule"] = e.decision->rule;
    j["privacy"] = router::privacy_class_name(e.decision->privacy);
    j["findings"] = e.decision->findings.size();
    j["route"] = e.served ? e.decision->header_value(*e.served) : e.decision->header_value();
  }
  if (e.served) j["target"] = e.served->provider + "/" + e.served->model;
  if (e.attempts) {
    Json arr = Json::array();
    for (const auto& a : *e.attempts)
      arr.push_back({{"provider", a.provider},
                     {"model", a.model},
                     {"outcome",
                      a.status.ok() ? "ok" : std::string(error_code_name(a.status.error().code()))},
                     {"retryable", a.retryable},
                     {"tokens_sent", a.tokens_sent}});
    j["attempts"] = arr;
  }
  if (e.usage) {
    j["prompt_tokens"] = e.usage->prompt_tokens;
    j["completion_tokens"] = e.usage->completion_tokens;
  }
  if (cost_usd) j["cost_usd"] = *cost_usd;
  if (e.error) {
    j["error_code"] = error_code_name(e.error->code());
    j["error"] = e.error->message();
  }
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void record_request(Metrics& metrics, const router::Router& router, const RequestLogEntry& e) {
  std::optional<double> cost;
  if (e.served && e.usage) {
    cost = router.config().routing.prices.cost(e.served->provider, e.served->model,
                                               e.usage->prompt_tokens, e.usage->completion_tokens,
                                               e.usage->cached_tokens);
    std::string p = prom_escape(e.served->provider);
    metrics.add("fulcrum_tokens_total", fmt::format(R"(provider="{}",kind="prompt")", p),
                e.usage->prompt_tokens);
    metrics.add("fulcrum_tokens_total", fmt::format(R"(provider="{}",kind="completion")", p),
                e.usage->completion_tokens);
    if (cost) metrics.add("fulcrum_cost_usd_total", fmt::format(R"(provider="{}")", p), *cost);
  }
  metrics.add("fulcrum_requests_total",
              fmt::format(R"(endpoint="{}",status="{}")", e.endpoint, e.status));
  metrics.observe("fulcrum_request_duration_seconds", fmt::format(R"(endpoint="{}")", e.endpoint),
                  e.latency_ms / 1000);
  if (log::level() > log::Level::kInfo) return;
  emit(request_log_json(e, cost));
}

void record_simple(Metrics& metrics, std::string_view endpoint, int status, double latency_ms,
                   const std::string& request_id, const Error* error) {
  metrics.add("fulcrum_requests_total",
              fmt::format(R"(endpoint="{}",status="{}")", endpoint, status));
  if (endpoint == "metrics" || endpoint == "health") return;  // scrapes are not request-logged
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
  g_sink = f;
  return ok_status();
}

std::string attempt_log_json(const std::string& request_id, const providers::AttemptInfo& a) {
  Json j = {{"event", "upstream_attempt"}, {"request_id", request_id},
            {"provider", a.provider},      {"replica", a.replica},
            {"attempt", a.attempt},        {"upstream_status", a.upstream_status},
            {"outcome", a.outcome},        {"ms", std::round(a.ms * 1000) / 1000}};
  if (!a.error.empty()) j["error"] = a.error;
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void record_attempt(Metrics& metrics, const std::string& request_id,
                    const providers::AttemptInfo& a) {
  metrics.add("fulcrum_upstream_attempts_total",
              fmt::format(R"(provider="{}",outcome="{}")", prom_escape(a.provider), a.outcome));
  emit(attempt_log_json(request_id, a));
}

}  // namespace fulcrum::server
