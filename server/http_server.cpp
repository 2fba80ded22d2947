#include "server/http_server.h"

#include "server/event_loop.h"

namespace fulcrum::server {

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {
  if (options_.threads < 1) options_.threads = 1;
}

HttpServer::~HttpServer() {
  if (!threads_.empty() && !stopped_.load()) stop(0);
}

Status HttpServer::listen() {
  int port = options_.port;
  for (int i = 0; i < options_.threads; ++i) {
    auto loop = std::make_unique<EventLoop>(options_, handler_);
    int bound = 0;
    FULCRUM_TRY_STATUS(loop->listen(port, &bound));
    port = bound;  // the others share the port the first one got
    loops_.push_back(std::move(loop));
  }
  port_ = port;
  return ok_status();
}

void HttpServer::start() {
  for (auto& loop : loops_) threads_.emplace_back([l = loop.get()] { l->run(); });
}

void HttpServer::stop(int drain_ms) {
  if (stopped_.exchange(true)) {
    wait();
    return;
  }
  int64_t deadline = now_ms() + drain_ms;
  if (deadline == 0) deadline = 1;
  for (auto& loop : loops_) loop->drain(deadline);
  wait();
}

void HttpServer::wait() {
  std::lock_guard<std::mutex> lock(join_mu_);
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

int64_t HttpServer::open_connections() const {
  int64_t n = 0;
  for (const auto& loop : loops_) n += loop->connections();
  return n;
}

}  // namespace fulcrum::server
