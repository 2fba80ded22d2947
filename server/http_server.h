// Asynchronous HTTP/1.1 server: N epoll event loops (one thread each, SO_REUSEPORT listeners),
// keep-alive, chunked request bodies, chunked/SSE responses, size limits (413/431), idle
// timeouts, and a graceful drain (stop accepting, finish in-flight requests, then close).
//
// The handler runs on the connection's loop thread and must not block: it answers through the
// ResponseWriter, which may be used from any thread (calls from other threads are queued to
// the loop and woken through an eventfd).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "server/http_request.h"

namespace fulcrum::server {

using Headers = std::vector<std::pair<std::string, std::string>>;

class EventLoop;
struct Connection;

// The way back to the client for one request. Thread-safe; every method is a no-op once the
// response has ended or the client has gone away.
class ResponseWriter : public std::enable_shared_from_this<ResponseWriter> {
 public:
  // A whole response with Content-Length.
  void send(int status, Headers headers, std::string body);
  // Starts a chunked response (for SSE pass "content-type: text/event-stream").
  void start_stream(int status, Headers headers);
  // One piece of a started stream (written as one HTTP chunk; empty is ignored).
  void write(std::string data);
  // Ends a started stream.
  void end();
  // True once the client has disconnected before the response ended.
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // Called once (on the loop thread) if the client disconnects before the response ends.
  // Set it before starting asynchronous work.
  void set_on_cancel(std::function<void()> fn);

  ResponseWriter(EventLoop* loop, std::weak_ptr<Connection> conn, uint64_t seq)
      : loop_(loop), conn_(std::move(conn)), seq_(seq) {}

 private:
  friend class EventLoop;
  void post(std::function<void(Connection&)> fn);
  template <class Fn>
  void on_conn(Fn&& fn);  // at once when the loop allows it, else post()
  // The connection, if this writer's response is still the one it is waiting for.
  static std::shared_ptr<Connection> live(const std::weak_ptr<Connection>& conn, uint64_t seq);

  EventLoop* loop_;
  std::weak_ptr<Connection> conn_;
  uint64_t seq_;
  std::atomic<bool> cancelled_{false};
  std::function<void()> on_cancel_;  // touched on the loop thread only
};

using Handler = std::function<void(HttpRequest&&, std::shared_ptr<ResponseWriter>)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port (see HttpServer::port())
  int threads = 1;  // event loops
  ParseLimits limits;
  int idle_timeout_ms = 60'000;    // keep-alive connection with no request in progress
  int header_timeout_ms = 30'000;  // a request whose headers/body do not arrive in time
  int max_connections = 10'000;
  // Added to the answers the server gives on its own (400, 408, 413, 431, 501), e.g. the
  // gateway's x-fulcrum-route, so every response carries them.
  Headers reject_headers;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (every loop gets its own SO_REUSEPORT socket on the same port).
  Status listen();
  int port() const { return port_; }
  // Starts the loop threads; returns at once.
  void start();
  // Graceful drain: stop accepting, close idle connections, let in-flight requests finish for
  // up to `drain_ms`, then close the rest. Blocks until the loops have exited. Thread-safe.
  void stop(int drain_ms);
  // Blocks until stop() has completed.
  void wait();
  // Connections open right now (all loops).
  int64_t open_connections() const;

 private:
  ServerOptions options_;
  Handler handler_;
  int port_ = 0;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  std::mutex join_mu_;
};

}  // namespace fulcrum::server
