// Gateway: the HTTP routes of `fulcrum serve` on top of the router and the providers.
//
//   POST /v1/chat/completions      OpenAI chat (stream or not)
//   POST /v1/completions           OpenAI legacy completions (one prompt)
//   POST /v1/embeddings            OpenAI embeddings
//   GET  /v1/models                the virtual models of the config
//   GET  /v1/models/{name}         one of them (404 when unknown)
//   POST /v1/messages              Anthropic Messages (stream or not)
//   POST /v1/messages/count_tokens Anthropic token count (estimate)
//   POST /v1/route/explain         the routing decision for a chat request, without running it
//   GET  /health                   liveness + provider health
//   GET  /metrics                  Prometheus text
//
// Every response carries `x-fulcrum-route` and `x-request-id`; every request ends with one
// structured log line (JSON) with the decision, the attempts, tokens, cost and latency.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "providers/provider_registry.h"
#include "router/router.h"
#include "server/http_server.h"
#include "server/metrics.h"

namespace fulcrum::server {

struct GatewayOptions {
  int64_t request_timeout_ms = 600'000;
};

class Gateway : public std::enable_shared_from_this<Gateway> {
 public:
  Gateway(std::shared_ptr<const router::Router> router,
          std::shared_ptr<providers::ProviderRegistry> providers, GatewayOptions options);

  // The server's Handler.
  void handle(HttpRequest&& request, std::shared_ptr<ResponseWriter> writer);

  Metrics& metrics() { return metrics_; }
  const router::Router& router() const { return *router_; }
  providers::ProviderRegistry& providers() { return *providers_; }
  const GatewayOptions& options() const { return options_; }
  // Open connections, sampled for /metrics.
  void set_connection_count(std::function<int64_t()> fn) { connections_ = std::move(fn); }
  // Set while draining: /health answers 503 so load balancers stop sending.
  void set_draining() { draining_.store(true); }

  // The x-fulcrum-* headers of a request plus the providers' live health, for the router.
  Result<router::RouteHints> hints_for(const HttpRequest& request) const;

  // Chat/embeddings exchanges alive (started, callbacks not yet all done). After the server
  // stopped, wait_idle() lets the provider calls that were cut off finish their callbacks.
  void exchange_started() { in_flight_.fetch_add(1); }
  void exchange_ended() { in_flight_.fetch_sub(1); }
  int64_t in_flight() const { return in_flight_.load(); }
  bool wait_idle(int64_t timeout_ms) const;

 private:
  void health(std::shared_ptr<ResponseWriter> w, const std::string& request_id);
  void models(std::shared_ptr<ResponseWriter> w, const std::string& request_id);
  void model(std::string_view name, std::shared_ptr<ResponseWriter> w,
             const std::string& request_id);
  void metrics_page(std::shared_ptr<ResponseWriter> w, const std::string& request_id);
  void explain(HttpRequest&& req, std::shared_ptr<ResponseWriter> w, const std::string& request_id);
  void count_tokens(HttpRequest&& req, std::shared_ptr<ResponseWriter> w,
                    const std::string& request_id);

  std::shared_ptr<const router::Router> router_;
  std::shared_ptr<providers::ProviderRegistry> providers_;
  GatewayOptions options_;
  Metrics metrics_;
  std::function<int64_t()> connections_;
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace fulcrum::server
