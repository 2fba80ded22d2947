// HttpClient: asynchronous HTTP(S) client with two transports, picked per URL:
//  - plain http:// upstreams addressed by IP (a local vLLM or llama-server, another Fulcrum) go
//    through Http1Client (http1_client.h), a non-blocking HTTP/1.1 client on the calling
//    thread's event loop (core/io_loop.h): the gateway's request and its upstream call share one
//    thread. Callers that run no loop get the client's own loop thread;
//  - everything else (https://, host names, URLs a configured proxy applies to) goes through
//    libcurl's multi interface on dedicated I/O threads (curl_http_client.h): TLS peer and host
//    verification always on, HTTPS_PROXY / NO_PROXY (and http_proxy) honoured as libcurl does.
// Both pool keep-alive connections, never follow redirects and accept only http and https.
//
// Timeouts per request: connect, first byte (no response headers yet), total. Callbacks of one
// request run on one thread (the event loop that sent it, or an I/O thread), in order:
// on_headers, on_data*, then on_complete exactly once — never from inside send().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace fulcrum::providers {

struct HttpTimeouts {
  int64_t connect_ms = 5'000;
  int64_t first_byte_ms = 60'000;
  int64_t total_ms = 600'000;
};

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;
  HttpTimeouts timeouts;
  int64_t max_response_bytes = 16 << 20;  // larger bodies fail with kUpstream
  std::string ca_file;                    // extra CA bundle (tests); empty: system store
};

struct HttpResponseHead {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  // First value of a header (name lower-case), empty when absent.
  std::string_view header(std::string_view name) const;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Return false to abort the transfer (on_complete then gets kCancelled unless the handler
  // already decided the outcome).
  virtual bool on_headers(const HttpResponseHead& head) = 0;
  virtual bool on_data(std::string_view bytes) = 0;
  // Transport outcome: ok when the body was received completely. Errors: kUnavailable
  // (connection refused / reset / DNS), kDeadlineExceeded (a timeout), kUpstream (protocol
  // error, body over the limit), kCancelled (a callback returned false or cancel flag set).
  virtual void on_complete(Status transport) = 0;
  // Polled about every 50 ms (libcurl) or 10 ms (Http1Client) while the request runs; true
  // aborts it.
  virtual bool cancelled() const { return false; }
};

enum class HttpTransport {
  kAuto,  // Http1Client for http:// + IP upstreams, libcurl for the rest
  kCurl,  // libcurl for every URL
};

struct HttpClientOptions {
  int io_threads = 1;                        // libcurl I/O threads
  int64_t max_connections_per_thread = 256;  // pooled connections per thread / event loop
  HttpTransport transport = HttpTransport::kAuto;
};

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> create(HttpClientOptions options = {});
  virtual ~HttpClient() = default;  // stops the threads; running requests complete kCancelled

  // Starts a request. Invalid URLs complete with kInvalidArgument (on the I/O thread).
  virtual void send(HttpRequest request, std::shared_ptr<HttpHandler> handler) = 0;
  // Runs fn after `delay` (retry backoff, health-check timers): on the calling thread's event
  // loop when it runs one, else on an I/O thread of the client.
  virtual void schedule(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
};

}  // namespace fulcrum::providers
