#include "server/gateway.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/anthropic_json.h"
#include "api/json_util.h"
#include "api/openai_json.h"
#include "router/request_view.h"
#include "server/chat_exchange.h"
#include "server/request_log.h"

namespace fulcrum::server {
namespace {

using Json = nlohmann::json;

// Off the request path (health, explain, count_tokens): nlohmann's DOM, dumped compactly.
std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string new_request_id() {
  return api::detail::make_id("req_");
}

Headers json_headers(const std::string& request_id,
                     std::string route = "rule=none; privacy=unknown") {
  return {{"content-type", "application/json"},
          {"x-request-id", request_id},
          {"x-fulcrum-route", std::move(route)}};
}

bool is_anthropic_path(std::string_view path) {
  return path.rfind("/v1/messages", 0) == 0;
}

void send_error(ResponseWriter& w, Metrics& m, std::string_view path, const std::string& request_id,
                const Error& e) {
  std::string body =
      is_anthropic_path(path) ? api::anthropic_error_json(e) : api::openai_error_json(e);
  w.send(e.http_status(), json_headers(request_id), std::move(body));
  record_simple(m, "other", e.http_status(), 0, request_id, &e);
}

std::string_view health_name(providers::Health h) {
  switch (h) {
    case providers::Health::kHealthy:
      return "healthy";
    case providers::Health::kDegraded:
      return "degraded";
    case providers::Health::kUnhealthy:
      return "unhealthy";
  }
  return "unknown";
}

}  // namespace

Gateway::Gateway(std::shared_ptr<const router::Router> router,
                 std::shared_ptr<providers::ProviderRegistry> providers, GatewayOptions options)
    : router_(std::move(router)), providers_(std::move(providers)), options_(options) {}

void Gateway::handle(HttpRequest&& req, std::shared_ptr<ResponseWriter> w) {
  std::string id = new_request_id();
  struct Route {
    std::string_view method, path;
    int kind;  // 0..3: Endpoint; 10+: simple routes
  };
  static constexpr Route kRoutes[] = {
      {"POST", "/v1/chat/completions", 0},
      {"POST", "/v1/completions", 1},
      {"POST", "/v1/messages", 2},
      {"POST", "/v1/embeddings", 3},
      {"GET", "/v1/models", 10},
      {"GET", "/health", 11},
      {"GET", "/metrics", 12},
      {"POST", "/v1/route/explain", 13},
      {"POST", "/v1/messages/count_tokens", 14},
  };
  std::string_view path = req.path;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  bool path_known = false;
  for (const auto& r : kRoutes) {
    if (r.path != path) continue;
    path_known = true;
    if (r.method != req.method) continue;
    if (r.kind < 10) {
      auto ex = std::make_shared<ChatExchange>(shared_from_this(), std::move(w),
                                               static_cast<Endpoint>(r.kind), id);
      ex->start(std::move(req));
      return;
    }
    switch (r.kind) {
      case 10:
        return models(std::move(w), id);
      case 11:
        return health(std::move(w), id);
      case 12:
        return metrics_page(std::move(w), id);
      case 13:
        return explain(std::move(req), std::move(w), id);
      case 14:
        return count_tokens(std::move(req), std::move(w), id);
    }
  }
  if (!path_known && req.method == "GET" && path.rfind("/v1/models/", 0) == 0) {
    return model(path.substr(std::string_view("/v1/models/").size()), std::move(w), id);
  }
  if (path_known) {
    Error e(ErrorCode::kInvalidArgument,
            fmt::format("method {} is not allowed on {}", req.method, path));
    std::string body = api::openai_error_json(e);
    w->send(405, json_headers(id), std::move(body));
    record_simple(metrics_, "other", 405, 0, id, &e);
    return;
  }
  send_error(*w, metrics_, path, id,
             Error(ErrorCode::kNotFound, fmt::format("no route for {} {}", req.method, path)));
}

void Gateway::health(std::shared_ptr<ResponseWriter> w, const std::string& id) {
  Json providers = Json::object();
  bool all_down = !providers_->names().empty();
  for (const auto& name : providers_->names()) {
    providers::Provider* p = providers_->find(name);
    if (!p) continue;
    providers[name] = health_name(p->health());
    if (p->health() != providers::Health::kUnhealthy) all_down = false;
  }
  bool draining = draining_.load();
  std::string status = draining ? "draining" : (all_down ? "degraded" : "ok");
  int code = draining ? 503 : 200;
  w->send(code, json_headers(id),
          dump(Json{{"status", status}, {"providers", providers}}));
  record_simple(metrics_, "health", code, 0, id, nullptr);
}

void Gateway::models(std::shared_ptr<ResponseWriter> w, const std::string& id) {
  std::vector<api::ModelEntry> entries;
  for (const auto& name : router_->model_names()) entries.push_back({name, "fulcrum", 0});
  w->send(200, json_headers(id), api::openai_models_json(entries));
  record_simple(metrics_, "models", 200, 0, id, nullptr);
}

void Gateway::model(std::string_view name, std::shared_ptr<ResponseWriter> w,
                    const std::string& id) {
  for (const auto& m : router_->model_names()) {
    if (m != name) continue;
    Json j = {{"id", m}, {"object", "model"}, {"created", 0}, {"owned_by", "fulcrum"}};
    w->send(200, json_headers(id), dump(j));
    record_simple(metrics_, "models", 200, 0, id, nullptr);
    return;
  }
  send_error(
      *w, metrics_, "/v1/models", id,
      Error(ErrorCode::kNotFound, fmt::format("unknown model '{}'", name)).with_field("model"));
}

void Gateway::metrics_page(std::shared_ptr<ResponseWriter> w, const std::string& id) {
  std::map<std::string, double> gauges;
  if (connections_) gauges["fulcrum_open_connections"] = static_cast<double>(connections_());
  w->send(200,
          {{"content-type", "text/plain; version=0.0.4"},
           {"x-request-id", id},
           {"x-fulcrum-route", "rule=none; privacy=unknown"}},
          metrics_.render(gauges));
  record_simple(metrics_, "metrics", 200, 0, id, nullptr);
}

Result<router::RouteHints> Gateway::hints_for(const HttpRequest& http) const {
  auto header = [&http](std::string_view name) -> std::optional<std::string> {
    if (!http.has_header(name)) return std::nullopt;
    return std::string(http.header(name));
  };
  FULCRUM_TRY(auto hints, router::RouteHints::from_headers(header));
  // The registry outlives every request (the gateway owns it), so a plain pointer is enough.
  const providers::ProviderRegistry* reg = providers_.get();
  hints.is_healthy = [reg](std::string_view provider) {
    providers::Provider* p = reg->find(provider);
    return p != nullptr && p->health() != providers::Health::kUnhealthy;
  };
  return hints;
}

bool Gateway::wait_idle(int64_t timeout_ms) const {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (in_flight_.load() > 0) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

namespace {

// Routes a parsed request without running it; the caller shapes the answer.
Result<router::RouteDecision> route_only(const Gateway& gw, const api::ChatRequest& req,
                                         const HttpRequest& http) {
  FULCRUM_TRY(auto hints, gw.hints_for(http));
  return gw.router().route(router::to_route_input(req), hints);
}

}  // namespace

namespace {

// The rule behind a router refusal (router.h lists which rule returns which code).
struct RefusalRule {
  ErrorCode code;
  std::string_view rule;
};
constexpr RefusalRule kRefusalRules[] = {
    {ErrorCode::kNotFound, "model"},
    {ErrorCode::kPermissionDenied, "privacy"},
    {ErrorCode::kUnavailable, "privacy"},
    {ErrorCode::kFailedPrecondition, "budget"},
};

std::string_view refusal_rule(ErrorCode code) {
  for (const auto& r : kRefusalRules)
    if (r.code == code) return r.rule;
  return "router";
}

// What the real request would meet when the router refuses it: the rule, the reason and the
// status (the same error the request itself would get, as a decision rather than a failure).
Json refusal_json(const std::string& model, const Error& e, const std::string& route) {
  Json err = {{"code", error_code_name(e.code())}, {"status", e.http_status()}};
  if (!e.field().empty()) err["field"] = e.field();
  std::string_view rule = refusal_rule(e.code());
  return {{"model", model},
          {"refused", true},
          {"rule", rule},
          {"reason", e.message()},
          {"status", e.http_status()},
          {"error", err},
          {"privacy", {{"class", rule == "privacy" ? "sensitive" : "unknown"}}},
          {"target", nullptr},
          {"fallbacks", Json::array()},
          {"x-fulcrum-route", route}};
}

}  // namespace

void Gateway::explain(HttpRequest&& req, std::shared_ptr<ResponseWriter> w, const std::string& id) {
  // The body is an OpenAI chat request, or an Anthropic one with ?format=anthropic.
  bool anthropic = req.query.find("format=anthropic") != std::string::npos;
  auto parsed = anthropic ? api::parse_anthropic_messages_request(req.body)
                          : api::parse_openai_chat_request(req.body);
  if (!parsed.ok()) return send_error(*w, metrics_, req.path, id, parsed.error());
  // A malformed x-fulcrum-* header is a bad explain request (400), not a decision.
  auto hints = hints_for(req);
  if (!hints.ok()) return send_error(*w, metrics_, req.path, id, hints.error());
  auto decision = router_->route(router::to_route_input(*parsed), *hints);
  if (!decision.ok() && decision.error().code() == ErrorCode::kInvalidArgument)
    return send_error(*w, metrics_, req.path, id, decision.error());
  // Every routing outcome is a decision, refusals included: 200 with what the request would
  // meet. Nothing is sent upstream either way.
  Json j;
  std::string route;
  if (decision.ok()) {
    route = decision->header_value();
    j = decision->explain();
    j["refused"] = false;
    j["x-fulcrum-route"] = route;
  } else {
    const Error& e = decision.error();
    std::string_view rule = refusal_rule(e.code());
    route = fmt::format("target=none; rule={}; privacy={}", rule,
                        rule == "privacy" ? "sensitive" : "unknown");
    j = refusal_json(parsed->model, e, route);
  }
  w->send(200, json_headers(id, route), dump(j));
  record_simple(metrics_, "route_explain", 200, 0, id, nullptr);
}

void Gateway::count_tokens(HttpRequest&& req, std::shared_ptr<ResponseWriter> w,
                           const std::string& id) {
  auto parsed = api::parse_anthropic_count_tokens_request(req.body);
  if (!parsed.ok()) return send_error(*w, metrics_, req.path, id, parsed.error());
  // Counting sends nothing upstream, so only an unknown model or a bad header refuses it; a
  // privacy or budget refusal of the real request does not.
  auto decision = route_only(*this, *parsed, req);
  if (!decision.ok()) {
    ErrorCode code = decision.error().code();
    if (code == ErrorCode::kNotFound || code == ErrorCode::kInvalidArgument)
      return send_error(*w, metrics_, req.path, id, decision.error());
  }
  // An estimate from the router's token heuristic: remote models' tokenizers are not local.
  Json j = {{"input_tokens", router::estimate_tokens(router::to_route_input(*parsed))}};
  w->send(200, decision.ok() ? json_headers(id, decision->header_value()) : json_headers(id),
          dump(j));
  record_simple(metrics_, "count_tokens", 200, 0, id, nullptr);
}

}  // namespace fulcrum::server
