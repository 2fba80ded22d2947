#include "server/event_loop.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "core/log.h"
#include "server/request_log.h"

namespace fulcrum::server {
namespace {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 499:
      return "Client Closed Request";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

std::string peer_name(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    return fmt::format("{}:{}", buf, ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    return fmt::format("[{}]:{}", buf, ntohs(a->sin6_port));
  }
  return "?";
}

}  // namespace

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

EventLoop::EventLoop(const ServerOptions& options, const Handler& handler)
    : options_(options), handler_(handler) {
  io_.set_after_batch([this] { after_batch(); });
}

EventLoop::~EventLoop() {
  for (auto& [fd, c] : conns_) ::close(fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void Connection::on_io(uint32_t events) {
  loop->on_conn_io(fd, events);
}

Status EventLoop::listen(int port, int* bound_port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, options_.host.c_str(), &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, options_.host.c_str(), &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(sockaddr_in6);
  } else {
    return Error(ErrorCode::kInvalidArgument,
                 "listen address is not an IP address: " + options_.host)
        .with_field("server.host");
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(ErrorCode::kIo, fmt::format("socket: {}", std::strerror(errno)));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 4096) != 0) {
    int e = errno;
    ::close(fd);
    return Error(ErrorCode::kIo,
                 fmt::format("cannot listen on {}:{}: {}", options_.host, port, std::strerror(e)));
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen);
  *bound_port =
      ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                       : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  listen_fd_ = fd;
  if (!io_.valid() || !io_.add(fd, EPOLLIN, &listener_))
    return Error(ErrorCode::kIo, "cannot set up the event loop (epoll)");
  return ok_status();
}

bool EventLoop::on_loop_thread() const {
  return io_.on_loop_thread();
}

bool EventLoop::runs_inline() const {
  return on_loop_thread() && !io_.has_posted();
}

void EventLoop::post(std::function<void()> fn) {
  // On the loop thread with nothing queued ahead, run at once (a response written from a
  // callback of this loop goes out in this batch); otherwise queue, in order.
  if (runs_inline()) {
    fn();
    return;
  }
  io_.post(std::move(fn));
}

void EventLoop::drain(int64_t deadline_ms) {
  drain_deadline_ms_.store(deadline_ms);
  io_.post([] {});  // wakes the loop; after_batch() starts the drain
}

void EventLoop::tick() {
  // Sweeps and drain checks run after every batch; this timer guarantees a batch at least
  // every 250 ms on an idle loop.
  io_.schedule(std::chrono::milliseconds(250), [this] { tick(); });
}

void EventLoop::after_batch() {
  for (auto& c : flush_list_) {
    c->dirty = false;
    if (!c->closed) flush(*c);
  }
  flush_list_.clear();
  flush_thread_log();
  int64_t now = now_ms();
  if (!draining_ && drain_deadline_ms_.load() != 0) begin_drain();
  if (draining_ && (conns_.empty() || now >= drain_deadline_ms_.load())) io_.stop();
  if (now - last_sweep_ms_ >= 500) {
    sweep(now);
    last_sweep_ms_ = now;
  }
}

void EventLoop::run() {
  batch_thread_log(true);
  last_sweep_ms_ = now_ms();
  tick();
  io_.run();
  std::vector<int> fds;
  for (auto& [fd, c] : conns_) fds.push_back(fd);
  for (int fd : fds) close_conn(fd);
  // Upstream calls still running on this loop end (cancelled) before the thread exits.
  io_.shutdown();
  batch_thread_log(false);
}

void EventLoop::on_conn_io(int fd, uint32_t events) {
  auto it = conns_.find(fd);
  if (it == conns_.end()) return;
  std::shared_ptr<Connection> c = it->second;
  if (events & EPOLLOUT) on_writable(*c);
  if (c->closed) return;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) on_readable(c);
}

void EventLoop::begin_drain() {
  draining_ = true;
  if (listen_fd_ >= 0) {
    io_.remove(listen_fd_);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  std::vector<int> idle;
  for (auto& [fd, c] : conns_) {
    c->keep_alive = false;
    if (!c->busy && c->out_pos >= c->out.size()) idle.push_back(fd);
  }
  for (int fd : idle) close_conn(fd);
}

void EventLoop::accept_all() {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd =
        accept4(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) log::warn("accept: {}", std::strerror(errno));
      return;
    }
    if (static_cast<int>(conns_.size()) >= options_.max_connections) {
      ::close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_shared<Connection>(options_.limits);
    c->loop = this;
    c->fd = fd;
    c->remote = peer_name(ss);
    c->last_active_ms = now_ms();
    if (!io_.add(fd, EPOLLIN | EPOLLRDHUP, c.get())) {
      ::close(fd);
      continue;
    }
    conns_.emplace(fd, std::move(c));
    n_conns_.fetch_add(1, std::memory_order_relaxed);
  }
}

void EventLoop::on_readable(const std::shared_ptr<Connection>& c) {
  char buf[16384];
  bool eof = false;
  for (;;) {
    // recv, not read: the fd is a socket, and recv skips the file layer's checks (measurably
    // fewer kernel cycles per read under load).
    ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
    if (n > 0) {
      if (!c->lingering) c->in.append(buf, static_cast<size_t>(n));
      if (n < static_cast<ssize_t>(sizeof buf)) break;
      continue;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    eof = true;  // reset or other error
    break;
  }
  c->last_active_ms = now_ms();
  if (eof) {
    close_conn(c->fd);
    return;
  }
  if (!c->busy && !c->lingering) process(c);
}

void EventLoop::process(const std::shared_ptr<Connection>& c) {
  while (!c->busy && !c->closed && !c->lingering && !c->in.empty()) {
    using S = HttpRequestParser::State;
    S s = c->parser.feed(c->in);
    switch (s) {
      case S::kNeedMore:
        if (c->parser.wants_continue() && !c->sent_continue) {
          c->sent_continue = true;
          c->out.append("HTTP/1.1 100 Continue\r\n\r\n");
          mark_dirty(*c);
        }
        return;
      case S::kBadRequest:
        return reject(*c, 400, c->parser.error());
      case S::kTooLarge:
        return reject(*c, 413, c->parser.error());
      case S::kHeaderTooLarge:
        return reject(*c, 431, c->parser.error());
      case S::kUnsupported:
        return reject(*c, 501, c->parser.error());
      case S::kDone:
        break;
    }
    HttpRequest req = std::move(c->parser.request());
    req.remote = c->remote;
    c->keep_alive = c->parser.keep_alive() && !draining_;
    c->in.erase(0, c->parser.consumed());
    c->parser.reset();
    c->sent_continue = false;
    c->busy = true;
    c->streaming = false;
    ++c->seq;
    c->writer = std::make_shared<ResponseWriter>(this, c, c->seq);
    handler_(std::move(req), c->writer);
  }
}

void EventLoop::reject(Connection& c, int status, std::string_view message) {
  std::string body = fmt::format(
      R"({{"error":{{"message":"{}","type":"invalid_request_error","param":null,"code":null}}}})",
      message);
  c.keep_alive = false;
  c.busy = true;
  Headers headers = {{"content-type", "application/json"}};
  headers.insert(headers.end(), options_.reject_headers.begin(), options_.reject_headers.end());
  send(c, status, headers, body);
  // Read and drop whatever the client still sends, so the close does not reset the connection
  // before the client has read the answer.
  c.lingering = true;
  c.in.clear();
}

void EventLoop::append_head(Connection& c, int status, const Headers& headers, bool chunked,
                            size_t len) {
  std::string& o = c.out;
  o.append("HTTP/1.1 ");
  o.append(std::to_string(status));
  o.push_back(' ');
  o.append(reason_phrase(status));
  o.append("\r\n");
  for (const auto& [k, v] : headers) {
    o.append(k);
    o.append(": ");
    o.append(v);
    o.append("\r\n");
  }
  if (chunked) {
    o.append("transfer-encoding: chunked\r\n");
  } else {
    o.append("content-length: ");
    o.append(std::to_string(len));
    o.append("\r\n");
  }
  if (!c.keep_alive || draining_) o.append("connection: close\r\n");
  o.append("\r\n");
}

void EventLoop::send(Connection& c, int status, const Headers& headers, std::string_view body) {
  if (!c.busy || c.streaming) return;
  append_head(c, status, headers, false, body.size());
  c.out.append(body);
  finish_response(c);
}

void EventLoop::start_stream(Connection& c, int status, const Headers& headers) {
  if (!c.busy || c.streaming) return;
  c.streaming = true;
  append_head(c, status, headers, true, 0);
  mark_dirty(c);
}

void EventLoop::write_chunk(Connection& c, std::string_view data) {
  if (!c.busy || !c.streaming || data.empty()) return;
  c.out.append(fmt::format("{:x}\r\n", data.size()));
  c.out.append(data);
  c.out.append("\r\n");
  mark_dirty(c);
}

void EventLoop::end_stream(Connection& c) {
  if (!c.busy || !c.streaming) return;
  c.out.append("0\r\n\r\n");
  finish_response(c);
}

void EventLoop::finish_response(Connection& c) {
  c.busy = false;
  c.streaming = false;
  c.writer.reset();
  c.last_active_ms = now_ms();
  if (!c.keep_alive || draining_) c.close_after_write = true;
  mark_dirty(c);
  // A pipelined request may already be buffered.
  if (!c.close_after_write && !c.in.empty()) {
    auto it = conns_.find(c.fd);
    if (it != conns_.end()) post([this, conn = it->second] { process(conn); });
  }
}

void EventLoop::mark_dirty(Connection& c) {
  if (c.dirty || c.closed) return;
  auto it = conns_.find(c.fd);
  if (it == conns_.end()) return;
  c.dirty = true;
  flush_list_.push_back(it->second);
}

void EventLoop::flush(Connection& c) {
  while (c.out_pos < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_pos += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c.want_out) {
        c.want_out = true;
        io_.modify(c.fd, EPOLLIN | EPOLLRDHUP | EPOLLOUT);
      }
      return;
    }
    close_conn(c.fd);
    return;
  }
  c.out.clear();
  c.out_pos = 0;
  if (c.want_out) {
    c.want_out = false;
    io_.modify(c.fd, EPOLLIN | EPOLLRDHUP);
  }
  if (c.close_after_write) {
    if (c.lingering) {
      ::shutdown(c.fd, SHUT_WR);  // the client sees EOF after the answer; we close on its EOF
      c.close_after_write = false;
      c.last_active_ms = now_ms();
    } else {
      close_conn(c.fd);
    }
  }
}

void EventLoop::on_writable(Connection& c) {
  flush(c);
}

void EventLoop::close_conn(int fd) {
  auto it = conns_.find(fd);
  if (it == conns_.end()) return;
  std::shared_ptr<Connection> c = it->second;
  conns_.erase(it);
  n_conns_.fetch_sub(1, std::memory_order_relaxed);
  c->closed = true;
  io_.remove(fd);
  ::close(fd);
  if (c->busy && c->writer) {
    std::shared_ptr<ResponseWriter> w = std::move(c->writer);
    w->cancelled_.store(true, std::memory_order_release);
    if (w->on_cancel_) {
      auto fn = std::move(w->on_cancel_);
      fn();
    }
  }
  c->busy = false;
}

void EventLoop::sweep(int64_t now) {
  std::vector<std::pair<int, int>> expired;  // fd, status to answer (0: just close)
  for (auto& [fd, c] : conns_) {
    int64_t idle = now - c->last_active_ms;
    if (c->busy) continue;
    if (c->lingering) {
      if (idle > 2000) expired.emplace_back(fd, 0);
    } else if (c->in.empty()) {
      if (idle > options_.idle_timeout_ms) expired.emplace_back(fd, 0);
    } else if (idle > options_.header_timeout_ms) {
      expired.emplace_back(fd, 408);
    }
  }
  for (auto [fd, status] : expired) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) continue;
    if (status != 0) {
      reject(*it->second, status, "request not received in time");
    } else {
      close_conn(fd);
    }
  }
}

// --- ResponseWriter ---

std::shared_ptr<Connection> ResponseWriter::live(const std::weak_ptr<Connection>& conn,
                                                 uint64_t seq) {
  auto c = conn.lock();
  if (!c || c->closed || c->seq != seq || !c->busy) return nullptr;
  return c;
}

void ResponseWriter::post(std::function<void(Connection&)> fn) {
  loop_->post([conn = conn_, seq = seq_, fn = std::move(fn)] {
    if (auto c = live(conn, seq)) fn(*c);
  });
}

// Runs `fn` on the connection at once when EventLoop::post would (the loop's own thread,
// nothing queued ahead: the usual case, an exchange answering from a callback of its loop),
// without wrapping it in heap-allocated closures; otherwise queues it in order through post().
template <class Fn>
void ResponseWriter::on_conn(Fn&& fn) {
  if (loop_->runs_inline()) {
    if (auto c = live(conn_, seq_)) fn(*c);
    return;
  }
  post(std::forward<Fn>(fn));
}

void ResponseWriter::send(int status, Headers headers, std::string body) {
  on_conn([loop = loop_, status, h = std::move(headers), b = std::move(body)](Connection& c) {
    loop->send(c, status, h, b);
  });
}

void ResponseWriter::start_stream(int status, Headers headers) {
  on_conn([loop = loop_, status, h = std::move(headers)](Connection& c) {
    loop->start_stream(c, status, h);
  });
}

void ResponseWriter::write(std::string data) {
  if (data.empty()) return;
  on_conn([loop = loop_, d = std::move(data)](Connection& c) { loop->write_chunk(c, d); });
}

void ResponseWriter::end() {
  on_conn([loop = loop_](Connection& c) { loop->end_stream(c); });
}

void ResponseWriter::set_on_cancel(std::function<void()> fn) {
  // Touch on_cancel_ on the loop thread only; if the client is already gone, call it now.
  auto install = [](ResponseWriter* self, const std::weak_ptr<Connection>& conn, uint64_t seq,
                    std::function<void()>* fn) {
    auto c = conn.lock();
    if (!c || c->closed || c->seq != seq) {
      self->cancelled_.store(true, std::memory_order_release);
      (*fn)();
      return;
    }
    self->on_cancel_ = std::move(*fn);
  };
  if (loop_->runs_inline()) {
    install(this, conn_, seq_, &fn);
    return;
  }
  loop_->post([self = shared_from_this(), fn = std::move(fn), install]() mutable {
    install(self.get(), self->conn_, self->seq_, &fn);
  });
}

}  // namespace fulcrum::server
