// Open-loop constant-rate HTTP/1.1 load generator (what wrk2 does; wrk2 is not in Debian 12):
// request i is due at t0 + i / rate, whether or not earlier ones have been answered, and its
// latency is measured from that due time (so a stalled server is not hidden by the client
// waiting for it: no coordinated omission). Keep-alive connections, one request in flight
// per connection; a due request with no idle connection waits and its wait counts. Single
// thread, epoll + timerfd. Prints one JSON object.
//
//   gateway_loadgen --port N [--host 127.0.0.1] [--path /v1/chat/completions]
//                   [--body FILE] [--header "name: value"]... [--rate 1000]
//                   [--duration 10] [--warmup 2] [--connections 16]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/v1/chat/completions";
  std::string body = "{}";
  std::vector<std::string> headers;
  double rate = 1000;
  double duration_s = 10;
  double warmup_s = 2;
  int connections = 16;
};

struct Conn {
  int fd = -1;
  bool busy = false;
  int64_t due_ns = 0;  // intended start of the request in flight
  size_t out_pos = 0;
  std::string in;
};

// Parses one HTTP/1.1 response at the front of `in`. Returns its length when complete (and
// the status), 0 when more bytes are needed, -1 when malformed.
long parse_response(const std::string& in, int* status) {
  size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos) return 0;
  if (in.size() < 12 || in.compare(0, 5, "HTTP/") != 0) return -1;
  *status = std::atoi(in.c_str() + 9);
  std::string head = in.substr(0, head_end);
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t body_start = head_end + 4;
  size_t cl = head.find("\r\ncontent-length:");
  if (cl != std::string::npos) {
    size_t len = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
    return in.size() >= body_start + len ? static_cast<long>(body_start + len) : 0;
  }
  if (head.find("\r\ntransfer-encoding: chunked") == std::string::npos) return -1;
  size_t p = body_start;
  for (;;) {
    size_t eol = in.find("\r\n", p);
    if (eol == std::string::npos) return 0;
    size_t n = std::strtoul(in.c_str() + p, nullptr, 16);
    p = eol + 2 + n + 2;
    if (p > in.size()) return 0;
    if (n == 0) return static_cast<long>(p);
  }
}

class LoadGen {
 public:
  explicit LoadGen(Options o) : o_(std::move(o)) {
    request_ = "POST " + o_.path + " HTTP/1.1\r\nHost: " + o_.host + ":" + std::to_string(o_.port) +
               "\r\ncontent-type: application/json\r\n";
    for (const auto& h : o_.headers) request_ += h + "\r\n";
    request_ += "content-length: " + std::to_string(o_.body.size()) + "\r\n\r\n" + o_.body;
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(static_cast<uint16_t>(o_.port));
    inet_pton(AF_INET, o_.host.c_str(), &addr_.sin_addr);
  }

  int run() {
    ep_ = epoll_create1(0);
    tfd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    add(tfd_, EPOLLIN);
    conns_.resize(static_cast<size_t>(o_.connections));
    for (auto& c : conns_)
      if (!connect_conn(c)) return 1;
    const int64_t interval = static_cast<int64_t>(1e9 / o_.rate);
    const int64_t t0 = now_ns() + 1'000'000;
    const int64_t measure_from = t0 + static_cast<int64_t>(o_.warmup_s * 1e9);
    const int64_t stop_at = measure_from + static_cast<int64_t>(o_.duration_s * 1e9);
    measure_from_ = measure_from;
    int64_t next_due = t0;
    epoll_event evs[64];
    while (true) {
      int64_t now = now_ns();
      while (next_due <= now && next_due < stop_at) {
        backlog_.push_back(next_due);
        next_due += interval;
      }
      dispatch();
      if (next_due >= stop_at && backlog_.empty() && in_flight() == 0) break;
      if (now > stop_at + 5'000'000'000) break;  // answers that never came count as errors
      arm_timer(next_due < stop_at ? next_due : now + 10'000'000);
      int n = epoll_wait(ep_, evs, 64, 100);
      for (int i = 0; i < n; ++i) {
        if (evs[i].data.u64 == static_cast<uint64_t>(-1)) {
          uint64_t v;
          [[maybe_unused]] ssize_t r = read(tfd_, &v, sizeof v);
          continue;
        }
        Conn& c = conns_[evs[i].data.u64];
        if (evs[i].events & EPOLLOUT) write_more(c);
        if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_more(c);
      }
    }
    report(stop_at - measure_from);
    return 0;
  }

 private:
  void add(int fd, uint32_t events, uint64_t tag = static_cast<uint64_t>(-1)) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
  }

  bool connect_conn(Conn& c) {
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_) != 0 &&
        errno != EINPROGRESS) {
      std::fprintf(stderr, "gateway_loadgen: connect: %s\n", std::strerror(errno));
      return false;
    }
    add(c.fd, EPOLLIN, static_cast<uint64_t>(&c - conns_.data()));
    c.busy = false;
    c.in.clear();
    return true;
  }

  int in_flight() const {
    int n = 0;
    for (const auto& c : conns_) n += c.busy;
    return n;
  }

  void arm_timer(int64_t at_ns) {
    itimerspec its{};
    its.it_value.tv_sec = at_ns / 1'000'000'000;
    its.it_value.tv_nsec = at_ns % 1'000'000'000;
    timerfd_settime(tfd_, TFD_TIMER_ABSTIME, &its, nullptr);
  }

  void dispatch() {
    for (auto& c : conns_) {
      if (backlog_.empty()) return;
      if (c.busy) continue;
      c.busy = true;
      c.due_ns = backlog_.front();
      backlog_.pop_front();
      c.out_pos = 0;
      ++sent_;
      write_more(c);
    }
  }

  void write_more(Conn& c) {
    while (c.busy && c.out_pos < request_.size()) {
      ssize_t n =
          send(c.fd, request_.data() + c.out_pos, request_.size() - c.out_pos, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_pos += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINPROGRESS || errno == ENOTCONN)) {
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.u64 = static_cast<uint64_t>(&c - conns_.data());
        epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
        return;
      }
      fail(c);
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint64_t>(&c - conns_.data());
    epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void read_more(Conn& c) {
    char buf[65536];
    for (;;) {
      ssize_t n = read(c.fd, buf, sizeof buf);
      if (n > 0) {
        c.in.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EAGAIN) break;
      if (n < 0 && errno == EINTR) continue;
      fail(c);  // EOF or error
      return;
    }
    int status = 0;
    long len = parse_response(c.in, &status);
    if (len < 0) return fail(c);
    if (len == 0 || !c.busy) return;
    int64_t done = now_ns();
    if (c.due_ns >= measure_from_) {
      latencies_.push_back(done - c.due_ns);
      if (status < 200 || status > 299) ++non_2xx_;
    }
    c.in.erase(0, static_cast<size_t>(len));
    c.busy = false;
    ++completed_;
    dispatch();
  }

  void fail(Conn& c) {
    if (c.busy && c.due_ns >= measure_from_) ++errors_;
    epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    connect_conn(c);
    dispatch();
  }

  void report(int64_t window_ns) {
    std::sort(latencies_.begin(), latencies_.end());
    auto pct = [&](double p) -> double {
      if (latencies_.empty()) return 0;
      size_t i = std::min(latencies_.size() - 1, static_cast<size_t>(p * latencies_.size()));
      return latencies_[i] / 1000.0;
    };
    double mean = 0;
    for (int64_t v : latencies_) mean += static_cast<double>(v);
    if (!latencies_.empty()) mean /= static_cast<double>(latencies_.size()) * 1000.0;
    std::printf(
        "{\"rate\": %.0f, \"duration_s\": %.1f, \"connections\": %d, \"measured\": %zu, "
        "\"achieved_rps\": %.1f, \"errors\": %ld, \"non_2xx\": %ld, \"latency_us\": {\"mean\": "
        "%.1f, \"p50\": %.1f, \"p90\": %.1f, \"p99\": %.1f, \"p999\": %.1f, \"max\": %.1f}}\n",
        o_.rate, o_.duration_s, o_.connections, latencies_.size(),
        latencies_.size() / (window_ns / 1e9), errors_, non_2xx_, mean, pct(0.5), pct(0.9),
        pct(0.99), pct(0.999), latencies_.empty() ? 0.0 : latencies_.back() / 1000.0);
  }

  Options o_;
  std::string request_;
  sockaddr_in addr_{};
  int ep_ = -1, tfd_ = -1;
  std::vector<Conn> conns_;
  std::deque<int64_t> backlog_;
  std::vector<int64_t> latencies_;
  int64_t measure_from_ = 0;
  long sent_ = 0, completed_ = 0, errors_ = 0, non_2xx_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!v) {
      std::fprintf(stderr, "gateway_loadgen: %s needs a value\n", argv[i]);
      return 2;
    }
    ++i;
    if (a == "--host") {
      o.host = v;
    } else if (a == "--port") {
      o.port = std::atoi(v);
    } else if (a == "--path") {
      o.path = v;
    } else if (a == "--body") {
      std::ifstream in(v, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "gateway_loadgen: cannot read %s\n", v);
        return 2;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      o.body = ss.str();
    } else if (a == "--header") {
      o.headers.emplace_back(v);
    } else if (a == "--rate") {
      o.rate = std::atof(v);
    } else if (a == "--duration") {
      o.duration_s = std::atof(v);
    } else if (a == "--warmup") {
      o.warmup_s = std::atof(v);
    } else if (a == "--connections") {
      o.connections = std::max(1, std::atoi(v));
    } else {
      std::fprintf(stderr, "gateway_loadgen: unknown option %s\n", argv[i - 1]);
      return 2;
    }
  }
  if (o.port <= 0 || o.rate <= 0 || o.duration_s <= 0) {
    std::fprintf(stderr,
                 "usage: gateway_loadgen --port N [--host H] [--path P] [--body FILE] "
                 "[--header 'k: v']... [--rate R] [--duration S] [--warmup S] [--connections C]\n");
    return 2;
  }
  return LoadGen(std::move(o)).run();
}
