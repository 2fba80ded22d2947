// Http1Client: the HttpClient transport for plain http:// upstreams addressed by IP (a local
// vLLM or llama-server, another Fulcrum, the gateway benchmark's nginx). A small non-blocking
// HTTP/1.1 client that runs on the IoLoop of the calling thread (core/io_loop.h): a request the
// gateway's event loop sends upstream is written, read and answered on that same thread, with
// no hand-off to an I/O thread. Callers that run no loop (tests, timers started at boot) use a
// loop thread of the client's own, started on first use.
//
// Per loop: a keep-alive connection pool per upstream address (a request that finds its pooled
// connection closed by the upstream before any response byte is resent once on a new one);
// connect / first-byte / total timeouts and cancellation checked every 10 ms; Content-Length,
// chunked and close-delimited bodies; the response size limit; redirects never followed (a 3xx
// is returned as it is). Host names, https://, user info and URLs a configured proxy applies to
// (http_proxy / all_proxy not excluded by no_proxy) are not taken: they go through libcurl.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/io_loop.h"
#include "core/result.h"
#include "providers/http_client.h"

namespace fulcrum::providers {

// An http:// URL with an IP-literal host, ready to connect to.
struct Http1Url {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::string host;         // as in the URL ("127.0.0.1", "[::1]")
  std::string host_header;  // host[:port] (port omitted when 80)
  std::string target;       // path and query ("/v1/chat/completions")
  std::string pool_key;     // host:port
};

// nullopt when the URL is not one Http1Client takes (not http://, a host name, user info);
// kInvalidArgument for an http:// URL with an IP host that is malformed.
Result<std::optional<Http1Url>> parse_http1_url(std::string_view url);

class Http1Client {
 public:
  explicit Http1Client(const HttpClientOptions& options);
  ~Http1Client();  // stops its own loop thread (its requests complete kCancelled)
  Http1Client(const Http1Client&) = delete;
  Http1Client& operator=(const Http1Client&) = delete;

  // True when `url` goes through this client (see above). Proxy settings are read from the
  // environment when the client is made.
  bool takes(std::string_view url) const;
  void send(HttpRequest request, std::shared_ptr<HttpHandler> handler);
  // On the calling thread's loop, or the client's own loop thread.
  void schedule(std::chrono::milliseconds delay, std::function<void()> fn);

  struct Core;  // options shared with the per-loop state

 private:
  IoLoop* own_loop();
  bool proxied(std::string_view host) const;

  std::shared_ptr<Core> core_;
  std::once_flag loop_once_;
  std::shared_ptr<IoLoop> loop_;  // shared with its thread, which may outlive this client
  std::thread loop_thread_;
  bool proxy_set_ = false;
  std::vector<std::string> no_proxy_;
};

}  // namespace fulcrum::providers
