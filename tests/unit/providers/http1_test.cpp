// The built-in HTTP/1.1 transport: the response parser against a table of responses (each fed
// whole and byte by byte), URL parsing, and the client against a scripted loopback server —
// callbacks on the caller's event loop, keep-alive reuse, a pooled connection the upstream
// closed, chunked and close-delimited bodies, and header injection refused.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "core/io_loop.h"
#include "providers/http1_client.h"
#include "providers/http1_response_parser.h"

namespace fulcrum::providers {
namespace {

// --- parser ---

struct Collect final : Http1ResponseParser::Sink {
  bool on_head(const HttpResponseHead& h) override {
    ++heads;
    head = h;
    return true;
  }
  bool on_body(std::string_view b) override {
    body.append(b);
    return true;
  }
  int heads = 0;
  HttpResponseHead head;
  std::string body;
};

struct ParseCase {
  const char* name;
  std::string wire;
  bool eof;  // the connection closes after `wire`
  // Expected: error code name ("" = ok), status, body, done, keep-alive.
  const char* error;
  int status;
  std::string body;
  bool keep_alive;
};

const ParseCase kParseCases[] = {
    {"content_length",
     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello", false,
     "", 200, "hello", true},
    {"chunked_with_extension_and_trailer",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n "
     "world\r\n0\r\nX-Trailer: 1\r\n\r\n",
     false, "", 200, "hello world", true},
    {"close_delimited", "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nabc", true, "", 200,
     "abc", false},
    {"connection_close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
     false, "", 200, "ok", false},
    {"interim_100_then_200",
     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx", false, "",
     201, "x", true},
    {"no_content", "HTTP/1.1 204 No Content\r\n\r\n", false, "", 204, "", true},
    {"bare_lf_line_ends", "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi", false, "", 200, "hi", true},
    {"chunked_wins_over_length",
     "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
     false, "", 200, "ab", true},
    {"redirect_is_returned", "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://x/\r\n"
     "Content-Length: 0\r\n\r\n", false, "", 307, "", true},
    {"bad_status_line", "HTTP/2 200 OK\r\n\r\n", false, "upstream_error", 0, "", false},
    {"not_http", "SSH-2.0-OpenSSH_9.2\r\n\r\n", false, "upstream_error", 0, "", false},
    {"bad_chunk_size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
     "upstream_error", 200, "", false},
    {"conflicting_lengths",
     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false,
     "upstream_error", 0, "", false},
    {"unknown_transfer_coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false,
     "upstream_error", 0, "", false},
    {"body_cut_short", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true, "unavailable",
     200, "abc", false},
    {"chunked_cut_short", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true,
     "unavailable", 200, "ab", false},
    {"empty_reply", "", true, "unavailable", 0, "", false},
    {"headers_cut_short", "HTTP/1.1 200 OK\r\nContent-Le", true, "unavailable", 0, "", false},
};

// Runs one case with the given split of the wire bytes; returns the first error (or ok).
Status run_case(const ParseCase& c, size_t piece, Collect* sink, Http1ResponseParser* p) {
  for (size_t i = 0; i < c.wire.size(); i += piece) {
    Status st = p->feed(std::string_view(c.wire).substr(i, piece), sink);
    if (!st.ok()) return st;
    if (p->done()) return ok_status();
  }
  if (c.eof) return p->finish_at_eof();
  return ok_status();
}

TEST(Http1ResponseParser, TableOfResponsesWholeAndByteByByte) {
  for (const auto& c : kParseCases) {
    for (size_t piece : {c.wire.size() + 1, size_t{1}, size_t{3}}) {
      SCOPED_TRACE(std::string(c.name) + " in pieces of " + std::to_string(piece));
      Collect sink;
      Http1ResponseParser p;
      Status st = run_case(c, piece, &sink, &p);
      if (*c.error) {
        ASSERT_FALSE(st.ok());
        EXPECT_EQ(error_code_name(st.error().code()), c.error) << st.error().message();
        continue;
      }
      ASSERT_TRUE(st.ok()) << st.error().message();
      EXPECT_TRUE(p.done());
      EXPECT_EQ(sink.heads, 1);  // interim responses are not handed out
      EXPECT_EQ(sink.head.status, c.status);
      EXPECT_EQ(sink.body, c.body);
      EXPECT_EQ(p.keep_alive(), c.keep_alive);
    }
  }
}

TEST(Http1ResponseParser, HeaderNamesAreLowerCasedAndTooLargeHeadsRefused) {
  Collect sink;
  Http1ResponseParser p;
  ASSERT_TRUE(p.feed("HTTP/1.1 200 OK\r\nX-Mixed-Case:  v a l \r\nContent-Length: 0\r\n\r\n",
                     &sink)
                  .ok());
  EXPECT_EQ(sink.head.header("x-mixed-case"), "v a l");
  Http1ResponseParser big;
  std::string head = "HTTP/1.1 200 OK\r\nX: " + std::string(70 << 10, 'a');
  Status st = big.feed(head, &sink);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kUpstream);
}

TEST(Http1ResponseParser, StopsWhereTheResponseEnds) {
  Collect sink;
  Http1ResponseParser p;
  size_t used = 0;
  std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA";
  ASSERT_TRUE(p.feed(wire, &sink, &used).ok());
  EXPECT_TRUE(p.done());
  EXPECT_EQ(used, wire.size() - 5);
  EXPECT_EQ(sink.body, "ok");
}

// --- URLs ---

TEST(Http1Url, TakesHttpWithIpHostsOnly) {
  auto a = parse_http1_url("http://127.0.0.1:8080/v1/chat/completions");
  ASSERT_TRUE(a.ok() && *a);
  EXPECT_EQ((*a)->host_header, "127.0.0.1:8080");
  EXPECT_EQ((*a)->pool_key, "127.0.0.1:8080");
  EXPECT_EQ((*a)->target, "/v1/chat/completions");
  auto b = parse_http1_url("http://[::1]:9/models/x:streamGenerateContent?alt=sse");
  ASSERT_TRUE(b.ok() && *b);
  EXPECT_EQ((*b)->host_header, "[::1]:9");
  EXPECT_EQ((*b)->target, "/models/x:streamGenerateContent?alt=sse");
  auto c = parse_http1_url("HTTP://10.1.2.3");
  ASSERT_TRUE(c.ok() && *c);
  EXPECT_EQ((*c)->host_header, "10.1.2.3");
  EXPECT_EQ((*c)->target, "/");
  for (const char* other : {"https://127.0.0.1/v1", "http://localhost:8080/v1",
                            "http://api.example.com/v1", "http://user:pw@127.0.0.1/v1"}) {
    auto r = parse_http1_url(other);
    ASSERT_TRUE(r.ok()) << other;
    EXPECT_FALSE(*r) << other << " must go to libcurl";
  }
  for (const char* bad : {"http://127.0.0.1:99999/v1", "http://127.0.0.1:80x/v1",
                          "http://127.0.0.1/a b", "http://127.0.0.1/a\r\nHost: evil"}) {
    auto r = parse_http1_url(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
}

// --- client ---

// A loopback server that runs a script per accepted connection.
class ScriptedServer {
 public:
  using Script = std::function<void(int conn_index, int fd)>;
  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (int i = 0;; ++i) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        accepted_.fetch_add(1);
        workers_.emplace_back([this, i, c] {
          script_(i, c);
          ::close(c);
        });
      }
    });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    for (auto& w : workers_) w.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1/x"; }
  int accepted() const { return accepted_.load(); }

  // Reads one request (head + Content-Length body); false on EOF.
  static bool read_request(int fd, std::string* out = nullptr) {
    std::string buf;
    char tmp[4096];
    size_t need = std::string::npos;
    while (true) {
      size_t end = buf.find("\r\n\r\n");
      if (end != std::string::npos && need == std::string::npos) {
        size_t cl = buf.find("Content-Length: ");
        size_t len = cl == std::string::npos ? 0 : std::stoul(buf.substr(cl + 16));
        need = end + 4 + len;
      }
      if (need != std::string::npos && buf.size() >= need) break;
      ssize_t n = ::read(fd, tmp, sizeof tmp);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
    }
    if (out) *out = buf;
    return true;
  }
  static void write_all(int fd, std::string_view s) {
    while (!s.empty()) {
      ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      s.remove_prefix(static_cast<size_t>(n));
    }
  }

 private:
  Script script_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::vector<std::thread> workers_;
};

class Recorder final : public HttpHandler {
 public:
  bool on_headers(const HttpResponseHead& head) override {
    status = head.status;
    head_thread = std::this_thread::get_id();
    return true;
  }
  bool on_data(std::string_view bytes) override {
    body.append(bytes);
    return true;
  }
  void on_complete(Status st) override {
    done_thread = std::this_thread::get_id();
    result.set_value(std::move(st));
  }
  Status wait() {
    auto f = result.get_future();
    if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
      return Error(ErrorCode::kDeadlineExceeded, "test: no on_complete");
    return f.get();
  }
  int status = 0;
  std::string body;
  std::thread::id head_thread, done_thread;
  std::promise<Status> result;
};

HttpRequest post(const std::string& url, std::string body = "{}") {
  HttpRequest r;
  r.url = url;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/json");
  r.timeouts = {2000, 2000, 5000};
  return r;
}

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

TEST(Http1Client, RunsOnTheCallersEventLoopAndReusesTheConnection) {
  ScriptedServer server([](int, int fd) {
    while (ScriptedServer::read_request(fd)) ScriptedServer::write_all(fd, kOk);
  });
  Http1Client client(HttpClientOptions{});
  ASSERT_TRUE(client.takes(server.url()));
  IoLoop loop;
  std::thread loop_thread([&] {
    loop.run();
    loop.shutdown();
  });
  for (int i = 0; i < 3; ++i) {
    auto rec = std::make_shared<Recorder>();
    loop.post([&client, &server, rec] { client.send(post(server.url()), rec); });
    Status st = rec->wait();
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    EXPECT_EQ(rec->status, 200);
    EXPECT_EQ(rec->body, "ok");
    EXPECT_EQ(rec->head_thread, loop_thread.get_id());
    EXPECT_EQ(rec->done_thread, loop_thread.get_id());
  }
  EXPECT_EQ(server.accepted(), 1);  // one keep-alive connection for the three requests
  loop.stop();
  loop_thread.join();
}

TEST(Http1Client, APooledConnectionTheUpstreamClosedIsResentOnce) {
  std::atomic<int> requests{0};
  // Connection 0 answers one request, then reads the next one and closes without a word (an
  // upstream that timed the idle connection out); connection 1 answers normally.
  ScriptedServer server([&](int index, int fd) {
    if (index == 0) {
      if (!ScriptedServer::read_request(fd)) return;
      requests.fetch_add(1);
      ScriptedServer::write_all(fd, kOk);
      if (ScriptedServer::read_request(fd)) requests.fetch_add(1);
      return;
    }
    while (ScriptedServer::read_request(fd)) {
      requests.fetch_add(1);
      ScriptedServer::write_all(fd, kOk);
    }
  });
  Http1Client client(HttpClientOptions{});
  for (int i = 0; i < 2; ++i) {
    auto rec = std::make_shared<Recorder>();
    client.send(post(server.url()), rec);
    Status st = rec->wait();
    ASSERT_TRUE(st.ok()) << i << ": " << st.error().to_string();
    EXPECT_EQ(rec->body, "ok");
  }
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(requests.load(), 3);  // the second request reached the server twice
}

TEST(Http1Client, ChunkedPiecesAndCloseDelimitedBodies) {
  ScriptedServer server([](int index, int fd) {
    if (!ScriptedServer::read_request(fd)) return;
    if (index == 0) {
      ScriptedServer::write_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nda");
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      ScriptedServer::write_all(fd, "ta\r\n3\r\n: 1\r\n0\r\n\r\n");
      ScriptedServer::read_request(fd);  // the next request comes on this connection
      ScriptedServer::write_all(fd, "HTTP/1.1 200 OK\r\n\r\nuntil close");
      return;  // closes: the end of the body
    }
    ScriptedServer::write_all(fd, kOk);
  });
  Http1Client client(HttpClientOptions{});
  auto a = std::make_shared<Recorder>();
  client.send(post(server.url()), a);
  ASSERT_TRUE(a->wait().ok());
  EXPECT_EQ(a->body, "data: 1");
  auto b = std::make_shared<Recorder>();
  client.send(post(server.url()), b);
  ASSERT_TRUE(b->wait().ok());
  EXPECT_EQ(b->body, "until close");
  auto c = std::make_shared<Recorder>();
  client.send(post(server.url()), c);
  ASSERT_TRUE(c->wait().ok());
  EXPECT_EQ(server.accepted(), 2);  // a close-delimited body ends its connection
}

TEST(Http1Client, HeaderInjectionIsRefusedBeforeSending) {
  ScriptedServer server([](int, int fd) {
    while (ScriptedServer::read_request(fd)) ScriptedServer::write_all(fd, kOk);
  });
  Http1Client client(HttpClientOptions{});
  HttpRequest r = post(server.url());
  r.headers.emplace_back("Authorization", "Bearer k\r\nHost: evil");
  auto rec = std::make_shared<Recorder>();
  client.send(std::move(r), rec);
  Status st = rec->wait();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(server.accepted(), 0);
}

TEST(Http1Client, RequestsInFlightCompleteCancelledWhenTheClientGoes) {
  ScriptedServer server([](int, int fd) {
    ScriptedServer::read_request(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // never answers in time
  });
  auto rec = std::make_shared<Recorder>();
  {
    Http1Client client(HttpClientOptions{});
    client.send(post(server.url()), rec);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Status st = rec->wait();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kCancelled);
}

}  // namespace
}  // namespace fulcrum::providers
