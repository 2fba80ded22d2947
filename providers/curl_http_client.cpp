// The libcurl transport of HttpClient: https:// upstreams (TLS verification, HTTPS_PROXY /
// NO_PROXY), host names, and every URL when HttpClientOptions::transport is kCurl.
#include "providers/curl_http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <mutex>
#include <queue>
#include <thread>

#include "core/log.h"

namespace fulcrum::providers {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kPollSliceMs = 50;

struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpRequest request;
  std::shared_ptr<HttpHandler> handler;
  HttpResponseHead head;
  bool head_delivered = false;
  bool head_complete = false;
  Clock::time_point first_byte_deadline;
  int64_t received = 0;
  std::optional<Error> failure;  // decided by us (limit, handler abort, first-byte timeout)
};

struct Timer {
  Clock::time_point due;
  uint64_t seq;
  std::function<void()> fn;
  bool operator>(const Timer& o) const { return due != o.due ? due > o.due : seq > o.seq; }
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool deliver_head(Transfer* t) {
  if (t->head_delivered) return true;
  t->head_delivered = true;
  if (!t->handler->on_headers(t->head)) {
    t->failure = Error(ErrorCode::kCancelled, "request aborted by its handler");
    return false;
  }
  return true;
}

size_t on_header_line(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    t->head = HttpResponseHead{};
    t->head_complete = false;
    auto sp = line.find(' ');
    if (sp != std::string_view::npos && sp + 4 <= line.size()) {
      int status = 0;
      for (size_t i = sp + 1; i < sp + 4 && std::isdigit(static_cast<unsigned char>(line[i])); ++i)
        status = status * 10 + (line[i] - '0');
      t->head.status = status;
    }
    return size * n;
  }
  std::string_view body = trim(line);
  if (body.empty()) {
    if (t->head.status >= 200) {
      t->head_complete = true;
      if (!deliver_head(t)) return 0;
    }
    return size * n;
  }
  auto colon = body.find(':');
  if (colon != std::string_view::npos) {
    t->head.headers.emplace_back(lower(trim(body.substr(0, colon))),
                                 std::string(trim(body.substr(colon + 1))));
  }
  return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t bytes = size * n;
  if (!deliver_head(t)) return 0;
  t->received += static_cast<int64_t>(bytes);
  if (t->received > t->request.max_response_bytes) {
    t->failure =
        Error(ErrorCode::kUpstream, fmt::format("upstream response body over the limit of {} bytes",
                                                t->request.max_response_bytes));
    return 0;
  }
  if (!t->handler->on_data(std::string_view(data, bytes))) {
    if (!t->failure) t->failure = Error(ErrorCode::kCancelled, "request aborted by its handler");
    return 0;
  }
  return bytes;
}

Status map_curl_result(CURLcode code, Transfer* t) {
  if (t->failure) return *t->failure;
  if (code == CURLE_OK) return ok_status();
  std::string what = curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_us = 0;
      curl_easy_getinfo(t->easy, CURLINFO_CONNECT_TIME_T, &connect_us);
      if (connect_us == 0) {
        return Error(
            ErrorCode::kDeadlineExceeded,
            fmt::format("upstream connect timeout after {} ms", t->request.timeouts.connect_ms));
      }
      return Error(ErrorCode::kDeadlineExceeded,
                   fmt::format("upstream total timeout after {} ms", t->request.timeouts.total_ms));
    }
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return Error(ErrorCode::kUnavailable, "upstream connection failed: " + what);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Error(ErrorCode::kInvalidArgument, "bad upstream URL: " + what);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
      return Error(ErrorCode::kUpstream, "upstream TLS failure: " + what);
    default:
      return Error(ErrorCode::kUpstream, "upstream transfer failed: " + what);
  }
}

// One I/O thread with its own multi handle (and so its own connection pool).
struct Worker {
  CURLM* multi = nullptr;
  std::mutex mu;
  std::deque<std::unique_ptr<Transfer>> incoming;
  std::vector<Timer> incoming_timers;
  std::atomic<bool> stop{false};
  uint64_t timer_seq = 0;

  std::vector<std::unique_ptr<Transfer>> active;  // I/O thread only
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
  std::vector<CURL*> spare_easy;

  explicit Worker(int64_t max_connections) {
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(max_connections));
  }
  ~Worker() {
    for (CURL* e : spare_easy) curl_easy_cleanup(e);
    if (multi) curl_multi_cleanup(multi);
  }

  void wake() { curl_multi_wakeup(multi); }

  void start_transfer(std::unique_ptr<Transfer> t) {
    CURL* e;
    if (!spare_easy.empty()) {
      e = spare_easy.back();
      spare_easy.pop_back();
      curl_easy_reset(e);
    } else {
      e = curl_easy_init();
    }
    t->easy = e;
    const HttpRequest& r = t->request;
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!r.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, r.ca_file.c_str());
    curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.timeouts.connect_ms));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeouts.total_ms));
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, nullptr);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header_line);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    if (r.method == "POST") {
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    } else if (r.method != "GET") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    // No "Expect: 100-continue" round trip for large bodies.
    t->headers = curl_slist_append(nullptr, "Expect:");
    for (const auto& [k, v] : r.headers) {
      t->headers = curl_slist_append(t->headers, (k + ": " + v).c_str());
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    t->first_byte_deadline = Clock::now() + std::chrono::milliseconds(r.timeouts.first_byte_ms);
    CURLMcode mc = curl_multi_add_handle(multi, e);
    if (mc != CURLM_OK) {
      finish_transfer(t.get(), Error(ErrorCode::kInternal, curl_multi_strerror(mc)), false);
      return;
    }
    active.push_back(std::move(t));
  }

  void finish_transfer(Transfer* t, Status status, bool in_multi) {
    if (in_multi) curl_multi_remove_handle(multi, t->easy);
    if (status.ok() && !t->head_delivered) {
      if (!deliver_head(t)) status = *t->failure;
    }
    curl_slist_free_all(t->headers);
    t->headers = nullptr;
    CURL* e = t->easy;
    t->easy = nullptr;
    if (e) {
      if (spare_easy.size() < 64) {
        spare_easy.push_back(e);
      } else {
        curl_easy_cleanup(e);
      }
    }
    auto handler = std::move(t->handler);
    handler->on_complete(std::move(status));
  }

  void remove_active(Transfer* t) {
    auto it = std::find_if(active.begin(), active.end(),
                           [t](const std::unique_ptr<Transfer>& p) { return p.get() == t; });
    if (it == active.end()) return;
    std::unique_ptr<Transfer> owned = std::move(*it);
    *it = std::move(active.back());
    active.pop_back();
  }

  void reap_done() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      CURLcode code = msg->data.result;
      Status st = map_curl_result(code, t);
      finish_transfer(t, std::move(st), true);
      remove_active(t);
    }
  }

  void check_deadlines() {
    auto now = Clock::now();
    for (size_t i = 0; i < active.size();) {
      Transfer* t = active[i].get();
      std::optional<Error> why;
      if (!t->head_complete && now > t->first_byte_deadline) {
        why = Error(ErrorCode::kDeadlineExceeded,
                    fmt::format("no upstream response headers within {} ms (first byte timeout)",
                                t->request.timeouts.first_byte_ms));
      } else if (t->handler->cancelled()) {
        why = Error(ErrorCode::kCancelled, "request cancelled by the caller");
      }
      if (why) {
        finish_transfer(t, std::move(*why), true);
        remove_active(t);  // swaps the last into i
        continue;
      }
      ++i;
    }
  }

  void run_timers() {
    auto now = Clock::now();
    while (!timers.empty() && timers.top().due <= now) {
      auto fn = std::move(const_cast<Timer&>(timers.top()).fn);
      timers.pop();
      fn();
    }
  }

  void take_incoming() {
    std::deque<std::unique_ptr<Transfer>> batch;
    std::vector<Timer> new_timers;
    {
      std::lock_guard lock(mu);
      batch.swap(incoming);
      new_timers.swap(incoming_timers);
    }
    for (auto& tm : new_timers) timers.push(std::move(tm));
    for (auto& t : batch) start_transfer(std::move(t));
  }

  void loop() {
    auto last_check = Clock::now();
    while (!stop.load()) {
      take_incoming();
      int running = 0;
      curl_multi_perform(multi, &running);
      reap_done();
      auto now = Clock::now();
      if (now - last_check >= std::chrono::milliseconds(10)) {
        check_deadlines();
        last_check = now;
      }
      run_timers();
      int64_t wait_ms = active.empty() ? 1000 : kPollSliceMs;
      if (!timers.empty()) {
        auto until =
            std::chrono::duration_cast<std::chrono::milliseconds>(timers.top().due - Clock::now());
        wait_ms = std::clamp<int64_t>(until.count(), 0, wait_ms);
      }
      {
        std::lock_guard lock(mu);
        if (!incoming.empty() || !incoming_timers.empty()) wait_ms = 0;
      }
      if (wait_ms > 0) curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait_ms), nullptr);
    }
    shutdown();
  }

  void shutdown() {
    for (auto& t : active) {
      finish_transfer(t.get(), Error(ErrorCode::kCancelled, "HTTP client shutting down"), true);
    }
    active.clear();
    std::deque<std::unique_ptr<Transfer>> batch;
    {
      std::lock_guard lock(mu);
      batch.swap(incoming);
      incoming_timers.clear();
    }
    for (auto& t : batch) {
      t->handler->on_complete(Error(ErrorCode::kCancelled, "HTTP client shutting down"));
    }
    while (!timers.empty()) timers.pop();
  }
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(const HttpClientOptions& options) {
    int n = std::max(1, options.io_threads);
    for (int i = 0; i < n; ++i) {
      auto w = std::make_shared<Worker>(options.max_connections_per_thread);
      workers_.push_back(w);
      threads_.emplace_back([w] { w->loop(); });
    }
  }
  ~CurlHttpClient() override {
    for (auto& w : workers_) {
      w->stop.store(true);
      w->wake();
    }
    for (auto& th : threads_) {
      if (th.get_id() == std::this_thread::get_id()) {
        th.detach();  // destroyed from its own callback: the worker outlives us via shared_ptr
      } else {
        th.join();
      }
    }
  }

  void send(HttpRequest request, std::shared_ptr<HttpHandler> handler) override {
    auto t = std::make_unique<Transfer>();
    t->request = std::move(request);
    t->handler = std::move(handler);
    Worker& w = pick();
    bool first;
    {
      std::lock_guard lock(w.mu);
      first = w.incoming.empty();
      w.incoming.push_back(std::move(t));
    }
    // One wake-up per batch: take_incoming empties the queue under the lock.
    if (first) w.wake();
  }

  void schedule(std::chrono::milliseconds delay, std::function<void()> fn) override {
    Worker& w = pick();
    {
      std::lock_guard lock(w.mu);
      w.incoming_timers.push_back(Timer{Clock::now() + delay, w.timer_seq++, std::move(fn)});
    }
    w.wake();
  }

 private:
  Worker& pick() {
    size_t i = next_.fetch_add(1, std::memory_order_relaxed) % workers_.size();
    return *workers_[i];
  }

  std::vector<std::shared_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

std::once_flag g_curl_init;
CURLcode g_curl_rc = CURLE_OK;

}  // namespace

Status curl_global_setup() {
  std::call_once(g_curl_init, [] { g_curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (g_curl_rc != CURLE_OK) {
    return Error(ErrorCode::kInternal,
                 std::string("libcurl initialisation failed: ") + curl_easy_strerror(g_curl_rc));
  }
  return ok_status();
}

std::unique_ptr<HttpClient> make_curl_http_client(const HttpClientOptions& options) {
  return std::make_unique<CurlHttpClient>(options);
}

}  // namespace fulcrum::providers
