#include "providers/http1_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/ascii.h"
#include "providers/http1_response_parser.h"

namespace fulcrum::providers {

struct Http1Client::Core {
  size_t max_idle = 256;  // pooled connections per loop
};

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSweepEvery = std::chrono::milliseconds(10);
constexpr auto kMaxIdleAge = std::chrono::seconds(60);
constexpr uint32_t kReadEvents = EPOLLIN | EPOLLRDHUP;
constexpr uint32_t kWriteEvents = EPOLLIN | EPOLLRDHUP | EPOLLOUT;

Error bad_url(std::string_view why) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("bad upstream URL: {}", why));
}

Error io_error(const Http1Url& u, std::string_view what, int err) {
  return Error(ErrorCode::kUnavailable, fmt::format("upstream connection failed: {} {}: {}", what,
                                                    u.pool_key, std::strerror(err)));
}

bool clean_header_text(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

// The request line and headers ("POST /v1/chat/completions HTTP/1.1\r\nHost: ...\r\n\r\n").
Result<std::string> request_head(const HttpRequest& r, const Http1Url& u) {
  if (r.method.empty()) return bad_url("empty method");
  for (char c : r.method)
    if (c < 'A' || c > 'Z') return Error(ErrorCode::kInvalidArgument, "bad HTTP method");
  std::string h;
  h.reserve(128 + u.target.size() + r.headers.size() * 48);
  h.append(r.method).push_back(' ');
  h.append(u.target).append(" HTTP/1.1\r\nHost: ").append(u.host_header).append("\r\n");
  for (const auto& [k, v] : r.headers) {
    if (k.empty() || !clean_header_text(k) || !clean_header_text(v) ||
        k.find(':') != std::string::npos)
      return Error(ErrorCode::kInvalidArgument, "bad upstream request header");
    // Framing and addressing are the client's own.
    if (ascii::iequals(k, "host") || ascii::iequals(k, "content-length") ||
        ascii::iequals(k, "transfer-encoding") || ascii::iequals(k, "connection"))
      continue;
    h.append(k).append(": ").append(v).append("\r\n");
  }
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
    h.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
  h.append("\r\n");
  return h;
}

// One request on one connection.
struct Transfer final : Http1ResponseParser::Sink {
  Transfer(HttpRequest r, std::shared_ptr<HttpHandler> h, Http1Url u)
      : request(std::move(r)),
        handler(std::move(h)),
        url(std::move(u)),
        parser(request.method == "HEAD") {
    start = Clock::now();
    connect_deadline = start + std::chrono::milliseconds(request.timeouts.connect_ms);
    first_byte_deadline = start + std::chrono::milliseconds(request.timeouts.first_byte_ms);
    total_deadline = start + std::chrono::milliseconds(request.timeouts.total_ms);
  }

  bool on_head(const HttpResponseHead& h) override {
    if (handler->on_headers(h)) return true;
    failure = Error(ErrorCode::kCancelled, "request aborted by its handler");
    return false;
  }

  bool on_body(std::string_view b) override {
    received += static_cast<int64_t>(b.size());
    if (received > request.max_response_bytes) {
      failure = Error(ErrorCode::kUpstream, fmt::format("upstream response body over the limit "
                                                        "of {} bytes",
                                                        request.max_response_bytes));
      return false;
    }
    if (handler->on_data(b)) return true;
    if (!failure) failure = Error(ErrorCode::kCancelled, "request aborted by its handler");
    return false;
  }

  HttpRequest request;
  std::shared_ptr<HttpHandler> handler;
  Http1Url url;
  std::string head;
  size_t sent = 0;
  Http1ResponseParser parser;
  Clock::time_point start, connect_deadline, first_byte_deadline, total_deadline;
  int64_t received = 0;
  std::optional<Error> failure;  // decided here (limit, handler abort) over the parser's word
  bool resent = false;
  bool trailing_bytes = false;  // bytes after the response: the connection is not reused
};

class LoopState;

struct Conn final : IoLoop::Handler {
  enum class Phase { kConnecting, kSending, kReceiving, kIdle };
  Conn(LoopState* s, int f, std::string k) : st(s), fd(f), key(std::move(k)) {}
  void on_io(uint32_t events) override;

  LoopState* st;
  int fd;
  std::string key;
  Phase phase = Phase::kConnecting;
  uint32_t events = 0;  // registered epoll events
  bool reused = false;
  bool closed = false;
  Clock::time_point idle_since;
  std::unique_ptr<Transfer> t;
};

// The client's state on one loop: connections (busy and pooled) and timers.
class LoopState final : public IoLoop::Local {
 public:
  LoopState(IoLoop* loop, std::shared_ptr<Http1Client::Core> core)
      : loop_(loop), core_(std::move(core)) {}
  ~LoopState() override;

  static LoopState* of(IoLoop* loop, const std::shared_ptr<Http1Client::Core>& core);

  void start(std::unique_ptr<Transfer> t);
  void schedule(std::chrono::milliseconds delay, std::function<void()> fn);
  void on_io(Conn* c, uint32_t events);
  void on_loop_exit() override;

 private:
  Conn* open(const Http1Url& u, Status* error);
  Conn* take_idle(const std::string& key);
  void begin(Conn* c, std::unique_ptr<Transfer> t);
  void set_events(Conn* c, uint32_t events);
  void write_some(Conn* c);
  void read_some(Conn* c);
  void on_connected(Conn* c);
  void io_failed(Conn* c, Status st);
  void complete(Conn* c, Status st);
  void finish_later(std::unique_ptr<Transfer> t, Status st);
  static void finish(std::unique_ptr<Transfer> t, Status st);
  void close(Conn* c);
  void arm_sweep();
  void sweep();

  IoLoop* loop_;
  std::shared_ptr<Http1Client::Core> core_;
  std::unordered_map<int, std::unique_ptr<Conn>> conns_;
  std::unordered_map<std::string, std::vector<Conn*>> idle_;
  size_t n_idle_ = 0;
  std::unordered_set<Conn*> busy_;
  std::vector<std::unique_ptr<Conn>> closed_;  // freed after the batch (may be on the stack)
  bool reap_posted_ = false;
  IoLoop::TimerId sweep_timer_ = 0;
  std::unordered_map<uint64_t, std::function<void()>> timers_;  // by IoLoop timer id
  bool closing_ = false;
};

void Conn::on_io(uint32_t ev) {
  st->on_io(this, ev);
}

LoopState* LoopState::of(IoLoop* loop, const std::shared_ptr<Http1Client::Core>& core) {
  auto* st = static_cast<LoopState*>(loop->local(core.get()));
  if (st) return st;
  auto owned = std::make_unique<LoopState>(loop, core);
  st = owned.get();
  loop->set_local(core.get(), std::move(owned));
  return st;
}

LoopState::~LoopState() {
  std::vector<Conn*> busy(busy_.begin(), busy_.end());
  for (Conn* c : busy) complete(c, Error(ErrorCode::kCancelled, "HTTP client shutting down"));
  for (auto& [fd, c] : conns_) {
    loop_->remove(fd);
    ::close(fd);
  }
}

void LoopState::on_loop_exit() {
  closing_ = true;
  // Retry backoffs and health ticks run now; what they start is refused (closing_).
  auto timers = std::move(timers_);
  timers_.clear();
  for (auto& [id, fn] : timers) {
    loop_->cancel(id);
    fn();
  }
  std::vector<Conn*> busy(busy_.begin(), busy_.end());
  for (Conn* c : busy) complete(c, Error(ErrorCode::kCancelled, "HTTP client shutting down"));
  std::vector<Conn*> all;
  for (auto& [fd, c] : conns_) all.push_back(c.get());
  for (Conn* c : all) close(c);
}

void LoopState::schedule(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto slot = std::make_shared<IoLoop::TimerId>(0);
  IoLoop::TimerId id = loop_->schedule(delay, [this, slot] {
    auto it = timers_.find(*slot);
    if (it == timers_.end()) return;
    auto f = std::move(it->second);
    timers_.erase(it);
    f();
  });
  *slot = id;
  timers_.emplace(id, std::move(fn));
}

void LoopState::finish(std::unique_ptr<Transfer> t, Status st) {
  auto handler = std::move(t->handler);
  t.reset();
  handler->on_complete(std::move(st));
}

void LoopState::finish_later(std::unique_ptr<Transfer> t, Status st) {
  // Never inside send(): the caller may not expect its handler to run before send() returns.
  auto holder =
      std::make_shared<std::pair<std::unique_ptr<Transfer>, Status>>(std::move(t), std::move(st));
  loop_->post([holder] { finish(std::move(holder->first), std::move(holder->second)); });
}

void LoopState::start(std::unique_ptr<Transfer> t) {
  if (closing_)
    return finish(std::move(t), Error(ErrorCode::kCancelled, "HTTP client shutting down"));
  auto head = request_head(t->request, t->url);
  if (!head.ok()) return finish_later(std::move(t), head.error());
  t->head = std::move(head).value();
  if (Conn* c = take_idle(t->url.pool_key)) return begin(c, std::move(t));
  Status error = ok_status();
  Conn* c = open(t->url, &error);
  if (!c) return finish_later(std::move(t), std::move(error));
  begin(c, std::move(t));
}

Conn* LoopState::take_idle(const std::string& key) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto now = Clock::now();
  while (!it->second.empty()) {
    Conn* c = it->second.back();
    it->second.pop_back();
    --n_idle_;
    if (now - c->idle_since > kMaxIdleAge) {
      close(c);
      continue;
    }
    c->reused = true;
    return c;
  }
  return nullptr;
}

Conn* LoopState::open(const Http1Url& u, Status* error) {
  int fd = ::socket(u.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = io_error(u, "socket for", errno);
    return nullptr;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&u.addr), u.addr_len);
  if (rc != 0 && errno != EINPROGRESS) {
    *error = io_error(u, "connect to", errno);
    ::close(fd);
    return nullptr;
  }
  auto owned = std::make_unique<Conn>(this, fd, u.pool_key);
  Conn* c = owned.get();
  c->phase = rc == 0 ? Conn::Phase::kSending : Conn::Phase::kConnecting;
  c->events = kWriteEvents;
  if (!loop_->add(fd, c->events, c)) {
    *error = Error(ErrorCode::kInternal, "cannot register an upstream connection");
    ::close(fd);
    return nullptr;
  }
  conns_.emplace(fd, std::move(owned));
  return c;
}

void LoopState::begin(Conn* c, std::unique_ptr<Transfer> t) {
  c->t = std::move(t);
  busy_.insert(c);
  arm_sweep();
  if (c->phase == Conn::Phase::kIdle) c->phase = Conn::Phase::kSending;
  if (c->phase == Conn::Phase::kSending) write_some(c);
}

void LoopState::set_events(Conn* c, uint32_t events) {
  if (c->events == events) return;
  c->events = events;
  loop_->modify(c->fd, events);
}

void LoopState::write_some(Conn* c) {
  Transfer* t = c->t.get();
  const std::string& head = t->head;
  const std::string& body = t->request.body;
  size_t total = head.size() + body.size();
  while (t->sent < total) {
    iovec iov[2];
    int n_iov = 0;
    if (t->sent < head.size()) {
      iov[n_iov++] = {const_cast<char*>(head.data()) + t->sent, head.size() - t->sent};
      if (!body.empty()) iov[n_iov++] = {const_cast<char*>(body.data()), body.size()};
    } else {
      size_t off = t->sent - head.size();
      iov[n_iov++] = {const_cast<char*>(body.data()) + off, body.size() - off};
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(n_iov);
    ssize_t n = ::sendmsg(c->fd, &msg, MSG_NOSIGNAL);
    if (n > 0) {
      t->sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_events(c, kWriteEvents);
      return;
    }
    return io_failed(c, io_error(t->url, "send to", errno));
  }
  c->phase = Conn::Phase::kReceiving;
  set_events(c, kReadEvents);
}

void LoopState::on_connected(Conn* c) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return complete(c, io_error(c->t->url, "connect to", err));
  c->phase = Conn::Phase::kSending;
  write_some(c);
}

void LoopState::on_io(Conn* c, uint32_t events) {
  switch (c->phase) {
    case Conn::Phase::kIdle:
      close(c);  // the upstream closed it (or sent something unasked for)
      return;
    case Conn::Phase::kConnecting:
      if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connected(c);
      return;
    case Conn::Phase::kSending:
      if (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
        read_some(c);  // an early answer (or an error) before the body was all sent
        return;
      }
      if (events & EPOLLOUT) write_some(c);
      return;
    case Conn::Phase::kReceiving:
      read_some(c);
      return;
  }
}

void LoopState::read_some(Conn* c) {
  char buf[16384];
  for (;;) {
    // recv, not read: the fd is a socket, and recv skips the file layer's checks (measurably
    // fewer kernel cycles per read under load).
    ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
    if (n > 0) {
      Transfer* t = c->t.get();
      size_t used = 0;
      Status st = t->parser.feed(std::string_view(buf, static_cast<size_t>(n)), t, &used);
      if (!st.ok()) return complete(c, t->failure ? Status(*t->failure) : std::move(st));
      if (t->parser.done()) {
        t->trailing_bytes = used != static_cast<size_t>(n);
        return complete(c, ok_status());
      }
      if (static_cast<size_t>(n) < sizeof buf) return;  // drained for now
      continue;
    }
    if (n == 0) {
      Status st = c->t->parser.finish_at_eof();
      if (st.ok()) return complete(c, ok_status());
      return io_failed(c, std::move(st));
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    return io_failed(c, io_error(c->t->url, "read from", errno));
  }
}

void LoopState::io_failed(Conn* c, Status st) {
  Transfer* t = c->t.get();
  // A pooled connection the upstream had already closed: send once more on a new one.
  if (c->reused && !t->parser.got_bytes() && !t->resent && !closing_) {
    std::unique_ptr<Transfer> again = std::move(c->t);
    busy_.erase(c);
    close(c);
    again->resent = true;
    again->sent = 0;
    again->parser = Http1ResponseParser(again->request.method == "HEAD");
    Status error = ok_status();
    Conn* fresh = open(again->url, &error);
    if (!fresh) return finish(std::move(again), std::move(error));
    return begin(fresh, std::move(again));
  }
  complete(c, std::move(st));
}

void LoopState::complete(Conn* c, Status st) {
  std::unique_ptr<Transfer> t = std::move(c->t);
  busy_.erase(c);
  bool reuse = st.ok() && t->parser.done() && t->parser.keep_alive() && !t->trailing_bytes &&
               !closing_ && n_idle_ < core_->max_idle;
  if (reuse) {
    c->phase = Conn::Phase::kIdle;
    c->idle_since = Clock::now();
    set_events(c, kReadEvents);
    idle_[c->key].push_back(c);
    ++n_idle_;
  } else {
    close(c);
  }
  finish(std::move(t), std::move(st));
}

void LoopState::close(Conn* c) {
  if (c->closed) return;
  c->closed = true;
  if (c->phase == Conn::Phase::kIdle) {
    auto it = idle_.find(c->key);
    if (it != idle_.end()) {
      auto& v = it->second;
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] != c) continue;
        v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
        --n_idle_;
        break;
      }
    }
  }
  busy_.erase(c);
  loop_->remove(c->fd);
  ::close(c->fd);
  auto it = conns_.find(c->fd);
  if (it == conns_.end()) return;
  closed_.push_back(std::move(it->second));
  conns_.erase(it);
  if (!reap_posted_) {
    reap_posted_ = true;
    loop_->post([this] {
      reap_posted_ = false;
      closed_.clear();
    });
  }
}

void LoopState::arm_sweep() {
  if (sweep_timer_ != 0) return;
  sweep_timer_ = loop_->schedule(kSweepEvery, [this] {
    sweep_timer_ = 0;
    sweep();
  });
}

void LoopState::sweep() {
  auto now = Clock::now();
  std::vector<std::pair<Conn*, Error>> expired;
  for (Conn* c : busy_) {
    const Transfer& t = *c->t;
    const HttpTimeouts& to = t.request.timeouts;
    if (c->phase == Conn::Phase::kConnecting && now >= t.connect_deadline) {
      expired.emplace_back(
          c, Error(ErrorCode::kDeadlineExceeded,
                   fmt::format("upstream connect timeout after {} ms", to.connect_ms)));
    } else if (!t.parser.head_done() && now >= t.first_byte_deadline) {
      expired.emplace_back(
          c, Error(ErrorCode::kDeadlineExceeded,
                   fmt::format("no upstream response headers within {} ms (first byte timeout)",
                               to.first_byte_ms)));
    } else if (now >= t.total_deadline) {
      expired.emplace_back(c,
                           Error(ErrorCode::kDeadlineExceeded,
                                 fmt::format("upstream total timeout after {} ms", to.total_ms)));
    } else if (t.handler->cancelled()) {
      expired.emplace_back(c, Error(ErrorCode::kCancelled, "request cancelled by the caller"));
    }
  }
  for (auto& [c, e] : expired)
    if (busy_.count(c)) complete(c, std::move(e));
  if (!busy_.empty()) arm_sweep();
}

}  // namespace

// --- URLs ---

Result<std::optional<Http1Url>> parse_http1_url(std::string_view url) {
  using R = std::optional<Http1Url>;
  if (url.size() < 7 || !ascii::iequals(url.substr(0, 7), "http://")) return R();
  std::string_view rest = url.substr(7);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? "" : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return R();  // user info: libcurl's job
  Http1Url u;
  std::string_view host, port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad_url("unclosed '[' in the host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad_url("junk after the IPv6 address");
    if (!after.empty()) port_text = after.substr(1);
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&u.addr);
    if (inet_pton(AF_INET6, std::string(host).c_str(), &a6->sin6_addr) != 1) return R();
    a6->sin6_family = AF_INET6;
    u.addr_len = sizeof(sockaddr_in6);
    u.host = "[" + std::string(host) + "]";
  } else {
    size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    auto* a4 = reinterpret_cast<sockaddr_in*>(&u.addr);
    if (inet_pton(AF_INET, std::string(host).c_str(), &a4->sin_addr) != 1) return R();
    a4->sin_family = AF_INET;
    u.addr_len = sizeof(sockaddr_in);
    u.host = std::string(host);
  }
  int port = 80;
  if (!port_text.empty()) {
    auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || port < 1 ||
        port > 65535)
      return bad_url("bad port");
  }
  if (u.addr.ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&u.addr)->sin_port = htons(static_cast<uint16_t>(port));
  } else {
    reinterpret_cast<sockaddr_in6*>(&u.addr)->sin6_port = htons(static_cast<uint16_t>(port));
  }
  u.pool_key = u.host + ":" + std::to_string(port);
  u.host_header = port == 80 ? u.host : u.pool_key;
  if (target.find('#') != std::string_view::npos) target = target.substr(0, target.find('#'));
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return bad_url("space or control character in the path");
  }
  u.target =
      target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
  return R(std::move(u));
}

// --- client ---

Http1Client::Http1Client(const HttpClientOptions& options) : core_(std::make_shared<Core>()) {
  core_->max_idle = static_cast<size_t>(std::max<int64_t>(1, options.max_connections_per_thread));
  // The proxy variables libcurl reads for http:// URLs (the lower-case http_proxy only: the
  // upper-case one is ignored for CGI safety, as libcurl does).
  for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
    const char* v = std::getenv(name);
    if (v && *v) proxy_set_ = true;
  }
  for (const char* name : {"no_proxy", "NO_PROXY"}) {
    const char* v = std::getenv(name);
    if (!v) continue;
    std::string_view list(v);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view item = list.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '.')) item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) no_proxy_.emplace_back(item);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
}

Http1Client::~Http1Client() {
  if (!loop_) return;
  loop_->stop();
  if (loop_thread_.get_id() == std::this_thread::get_id()) {
    // Destroyed from its own loop: the thread finishes the batch, shuts the loop down and
    // frees it (it holds the last reference).
    loop_thread_.detach();
    return;
  }
  loop_thread_.join();
}

IoLoop* Http1Client::own_loop() {
  std::call_once(loop_once_, [this] {
    loop_ = std::make_shared<IoLoop>();
    loop_thread_ = std::thread([l = loop_]() mutable {
      l->run();
      l->shutdown();
      l.reset();
    });
  });
  return loop_.get();
}

bool Http1Client::proxied(std::string_view host) const {
  if (!proxy_set_) return false;
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  for (const auto& item : no_proxy_)
    if (item == "*" || ascii::iequals(item, host)) return false;
  return true;
}

namespace {

// Provider URLs repeat (one base URL per replica): the last few parses are kept per thread, so
// the request path neither re-parses nor allocates for them. Bounded; oldest out first.
const Result<std::optional<Http1Url>>& parse_http1_url_cached(std::string_view url) {
  struct Entry {
    std::string url;
    Result<std::optional<Http1Url>> parsed;
  };
  constexpr size_t kEntries = 8;
  thread_local std::vector<Entry> cache;
  thread_local size_t next = 0;
  for (const Entry& e : cache)
    if (e.url == url) return e.parsed;
  Entry fresh{std::string(url), parse_http1_url(url)};
  if (cache.size() < kEntries) return cache.emplace_back(std::move(fresh)).parsed;
  Entry& slot = cache[next];
  next = (next + 1) % kEntries;
  slot = std::move(fresh);
  return slot.parsed;
}

}  // namespace

bool Http1Client::takes(std::string_view url) const {
  const auto& u = parse_http1_url_cached(url);
  return !u.ok() || (*u && !proxied((*u)->host));
}

void Http1Client::send(HttpRequest request, std::shared_ptr<HttpHandler> handler) {
  IoLoop* loop = IoLoop::current();
  if (!loop) loop = own_loop();
  Status error = ok_status();
  std::optional<Http1Url> url;
  {
    const auto& parsed = parse_http1_url_cached(request.url);
    if (!parsed.ok()) {
      error = parsed.error();
    } else if (!*parsed) {
      error = bad_url("not an http:// URL with an IP address");
    } else {
      url = **parsed;
    }
  }
  auto core = core_;
  if (!error.ok()) {
    loop->post([handler, error] { handler->on_complete(error); });
    return;
  }
  auto t = std::make_unique<Transfer>(std::move(request), std::move(handler), std::move(*url));
  if (loop->on_loop_thread()) {
    LoopState::of(loop, core)->start(std::move(t));
    return;
  }
  auto holder = std::make_shared<std::unique_ptr<Transfer>>(std::move(t));
  loop->post([loop, core, holder] { LoopState::of(loop, core)->start(std::move(*holder)); });
}

void Http1Client::schedule(std::chrono::milliseconds delay, std::function<void()> fn) {
  IoLoop* loop = IoLoop::current();
  if (!loop) loop = own_loop();
  auto core = core_;
  if (loop->on_loop_thread()) {
    LoopState::of(loop, core)->schedule(delay, std::move(fn));
    return;
  }
  loop->post([loop, core, delay, fn = std::move(fn)]() mutable {
    LoopState::of(loop, core)->schedule(delay, std::move(fn));
  });
}

}  // namespace fulcrum::providers
