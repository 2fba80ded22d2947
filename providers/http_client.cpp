// HttpClient::create(): the transport per URL. Plain http:// upstreams addressed by IP go
// through Http1Client on the caller's event loop; everything else (https://, host names,
// proxied URLs) through libcurl on its I/O thread(s), created on first use.
#include "providers/http_client.h"

#include <mutex>

#include "core/io_loop.h"
#include "providers/curl_http_client.h"
#include "providers/http1_client.h"

namespace fulcrum::providers {

std::string_view HttpResponseHead::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

namespace {

class DispatchHttpClient final : public HttpClient {
 public:
  explicit DispatchHttpClient(const HttpClientOptions& options) : options_(options) {
    if (options.transport == HttpTransport::kAuto)
      http1_ = std::make_unique<Http1Client>(options);
  }

  void send(HttpRequest request, std::shared_ptr<HttpHandler> handler) override {
    if (http1_ && http1_->takes(request.url)) {
      http1_->send(std::move(request), std::move(handler));
      return;
    }
    curl()->send(std::move(request), std::move(handler));
  }

  // On the caller's event loop when it runs one (retries stay on the request's thread);
  // otherwise on libcurl's thread when that exists, else on Http1Client's own loop.
  void schedule(std::chrono::milliseconds delay, std::function<void()> fn) override {
    if (http1_ && (IoLoop::current() != nullptr || !curl_started())) {
      http1_->schedule(delay, std::move(fn));
      return;
    }
    curl()->schedule(delay, std::move(fn));
  }

 private:
  HttpClient* curl() {
    std::call_once(curl_once_, [this] {
      curl_ = make_curl_http_client(options_);
      curl_ready_.store(true, std::memory_order_release);
    });
    return curl_.get();
  }
  bool curl_started() const { return curl_ready_.load(std::memory_order_acquire); }

  HttpClientOptions options_;
  // Declared before http1_: destroyed after it, so libcurl's threads stop last.
  std::once_flag curl_once_;
  std::atomic<bool> curl_ready_{false};
  std::unique_ptr<HttpClient> curl_;
  std::unique_ptr<Http1Client> http1_;
};

}  // namespace

Result<std::unique_ptr<HttpClient>> HttpClient::create(HttpClientOptions options) {
  FULCRUM_TRY_STATUS(curl_global_setup());
  return std::unique_ptr<HttpClient>(std::make_unique<DispatchHttpClient>(options));
}

}  // namespace fulcrum::providers
