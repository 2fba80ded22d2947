// One event loop of the HTTP server, on a core IoLoop (epoll): owns a listening socket and the
// connections it accepted, runs the handler for each request, and writes responses. Upstream
// calls made by handlers on this thread run on the same IoLoop (providers/http1_client.h), so
// a proxied request never changes thread. Internal to server/.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/io_loop.h"
#include "server/http_request.h"
#include "server/http_server.h"

namespace fulcrum::server {

class EventLoop;

struct Connection final : IoLoop::Handler {
  EventLoop* loop = nullptr;
  int fd = -1;
  std::string remote;
  std::string in;   // received bytes not yet consumed by a request
  std::string out;  // bytes waiting to be written
  size_t out_pos = 0;
  HttpRequestParser parser;
  uint64_t seq = 0;   // number of the request in progress (ResponseWriter checks it)
  bool busy = false;  // a request is with the handler and its response has not ended
  bool streaming = false;
  bool keep_alive = true;
  bool close_after_write = false;
  bool lingering = false;  // error answered: discard input until EOF, then close
  bool want_out = false;   // EPOLLOUT registered
  bool dirty = false;      // in the loop's flush list
  bool sent_continue = false;
  bool closed = false;
  int64_t last_active_ms = 0;
  std::shared_ptr<ResponseWriter> writer;

  explicit Connection(ParseLimits limits) : parser(limits) {}
  void on_io(uint32_t events) override;
};

class EventLoop {
 public:
  EventLoop(const ServerOptions& options, const Handler& handler);
  ~EventLoop();

  Status listen(int port, int* bound_port);
  void run();
  // From any thread: start draining (see HttpServer::stop).
  void drain(int64_t deadline_ms);
  // Runs `fn` on the loop thread (inline if called from it and nothing is queued).
  void post(std::function<void()> fn);
  bool on_loop_thread() const;
  // True when post() would run its function at once (loop thread, nothing queued ahead).
  bool runs_inline() const;
  int64_t connections() const { return n_conns_.load(std::memory_order_relaxed); }

  // Connection events (from Connection::on_io), on the loop thread.
  void on_conn_io(int fd, uint32_t events);

  // Response writing, on the loop thread.
  void send(Connection& c, int status, const Headers& headers, std::string_view body);
  void start_stream(Connection& c, int status, const Headers& headers);
  void write_chunk(Connection& c, std::string_view data);
  void end_stream(Connection& c);

 private:
  void accept_all();
  void on_readable(const std::shared_ptr<Connection>& c);
  void on_writable(Connection& c);
  void process(const std::shared_ptr<Connection>& c);
  void finish_response(Connection& c);
  void reject(Connection& c, int status, std::string_view message);
  void mark_dirty(Connection& c);
  void flush(Connection& c);
  void close_conn(int fd);
  void after_batch();
  void tick();
  void sweep(int64_t now);
  void begin_drain();
  void append_head(Connection& c, int status, const Headers& headers, bool chunked, size_t len);

  struct Listener final : IoLoop::Handler {
    EventLoop* loop;
    explicit Listener(EventLoop* l) : loop(l) {}
    void on_io(uint32_t) override { loop->accept_all(); }
  };

  const ServerOptions& options_;
  const Handler& handler_;
  IoLoop io_;
  Listener listener_{this};
  int listen_fd_ = -1;
  std::unordered_map<int, std::shared_ptr<Connection>> conns_;
  std::vector<std::shared_ptr<Connection>> flush_list_;
  std::atomic<int64_t> drain_deadline_ms_{0};  // 0: not draining
  int64_t last_sweep_ms_ = 0;
  bool draining_ = false;
  std::atomic<int64_t> n_conns_{0};
};

int64_t now_ms();

}  // namespace fulcrum::server
