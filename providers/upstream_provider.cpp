#include "providers/upstream_provider.h"

#include "core/log.h"
#include "providers/retry_policy.h"
#include "providers/upstream_call.h"

namespace fulcrum::providers {

UpstreamProvider::UpstreamProvider(ProviderConfig config, std::unique_ptr<WireAdapter> adapter,
                                   std::shared_ptr<HttpClient> client)
    : config_(std::move(config)),
      adapter_(std::move(adapter)),
      client_(std::move(client)),
      replicas_(config_),
      rng_(std::random_device{}()) {}

Result<std::shared_ptr<UpstreamProvider>> UpstreamProvider::create(
    ProviderConfig config, std::shared_ptr<HttpClient> client) {
  auto adapter = make_wire_adapter(config);
  if (!adapter) {
    return Error(ErrorCode::kInvalidArgument, "unknown provider kind '" + config.kind + "'")
        .with_field("providers." + config.name + ".kind");
  }
  if (!client) return Error(ErrorCode::kInternal, "provider needs an HTTP client");
  if (config.replicas.empty()) {
    return Error(ErrorCode::kInvalidArgument, "provider '" + config.name + "' has no replicas");
  }
  return std::make_shared<UpstreamProvider>(std::move(config), std::move(adapter),
                                            std::move(client));
}

void UpstreamProvider::chat(std::shared_ptr<const api::ChatRequest> request, const CallContext& ctx,
                            std::shared_ptr<ChatSink> sink) {
  auto call = std::make_shared<UpstreamCall>(shared_from_this(), ctx, std::move(request),
                                             std::move(sink), nullptr, nullptr);
  call->start();
}

void UpstreamProvider::embed(std::shared_ptr<const api::EmbeddingRequest> request,
                             const CallContext& ctx, EmbedCallback done) {
  auto call = std::make_shared<UpstreamCall>(shared_from_this(), ctx, nullptr, nullptr,
                                             std::move(request), std::move(done));
  call->start();
}

std::string UpstreamProvider::redact(std::string text) const {
  for (const auto& r : config_.replicas) {
    if (r.api_key.size() < 4) continue;  // too short to be a real key; would mangle text
    size_t pos = 0;
    while ((pos = text.find(r.api_key, pos)) != std::string::npos) {
      text.replace(pos, r.api_key.size(), "[redacted]");
      pos += 10;
    }
  }
  return text;
}

int64_t UpstreamProvider::jitter_backoff_ms(int retry, int64_t retry_after_ms) {
  std::lock_guard lock(rng_mu_);
  return backoff_delay_ms({config_.backoff_initial_ms, config_.backoff_max_ms}, retry,
                          retry_after_ms, rng_);
}

namespace {

// Probes every replica once; reports ok when at least one answered 2xx.
class HealthProbe final : public HttpHandler {
 public:
  struct Shared {
    std::mutex mu;
    int pending = 0;
    int healthy = 0;
    std::string last_error;
    HealthCallback done;
  };
  HealthProbe(std::shared_ptr<UpstreamProvider> p, size_t replica, std::shared_ptr<Shared> s)
      : provider_(std::move(p)), replica_(replica), shared_(std::move(s)) {}

  bool on_headers(const HttpResponseHead& head) override {
    status_ = head.status;
    return true;
  }
  bool on_data(std::string_view) override { return true; }
  void on_complete(Status transport) override {
    bool ok = transport.ok() && status_ >= 200 && status_ < 300;
    auto& rs = provider_->replicas();
    const std::string& url = rs.config(replica_).base_url;
    std::string why;
    if (ok) {
      rs.breaker(replica_).on_success();
    } else {
      rs.breaker(replica_).on_failure();
      why = transport.ok() ? fmt::format("HTTP {}", status_)
                           : provider_->redact(transport.error().message());
      log::warn("health provider={} replica={} unhealthy: {}", provider_->name(), url, why);
    }
    HealthCallback done;
    Status result = ok_status();
    {
      std::lock_guard lock(shared_->mu);
      shared_->healthy += ok;
      if (!ok) shared_->last_error = url + ": " + why;
      if (--shared_->pending > 0) return;
      done = std::move(shared_->done);
      if (shared_->healthy == 0) {
        result = Error(ErrorCode::kUnavailable, "provider '" + provider_->name() +
                                                    "' has no healthy replica (" +
                                                    shared_->last_error + ")");
      }
    }
    if (done) done(std::move(result));
  }

 private:
  std::shared_ptr<UpstreamProvider> provider_;
  size_t replica_;
  std::shared_ptr<Shared> shared_;
  int status_ = 0;
};

}  // namespace

void UpstreamProvider::check_health(HealthCallback done) {
  auto shared = std::make_shared<HealthProbe::Shared>();
  shared->pending = static_cast<int>(replicas_.size());
  shared->done = std::move(done);
  for (size_t i = 0; i < replicas_.size(); ++i) {
    HttpRequest req = adapter_->health_request(replicas_.config(i));
    req.timeouts = config_.timeouts;
    req.timeouts.total_ms = std::min<int64_t>(req.timeouts.total_ms, 10'000);
    req.timeouts.first_byte_ms = std::min<int64_t>(req.timeouts.first_byte_ms, 10'000);
    req.max_response_bytes = config_.max_response_bytes;
    req.ca_file = config_.ca_file;
    client_->send(std::move(req), std::make_shared<HealthProbe>(shared_from_this(), i, shared));
  }
}

void UpstreamProvider::start_health_checks() {
  if (config_.health_check_interval_ms <= 0) return;
  std::weak_ptr<UpstreamProvider> weak = shared_from_this();
  auto interval = std::chrono::milliseconds(config_.health_check_interval_ms);
  // Each round re-arms the timer; a provider that is gone stops the chain.
  auto tick = std::make_shared<std::function<void()>>();
  *tick = [weak, interval, tick_weak = std::weak_ptr<std::function<void()>>(tick)]() {
    auto self = weak.lock();
    auto next = tick_weak.lock();
    if (!self || !next) return;
    self->check_health([](Status) {});
    self->client_->schedule(interval, *next);
  };
  health_tick_ = tick;
  client_->schedule(interval, *tick);
}

}  // namespace fulcrum::providers
