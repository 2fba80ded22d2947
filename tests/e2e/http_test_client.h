// A small blocking HTTP/1.1 client for tests: raw bytes in, parsed responses out (content-length
// and chunked bodies). Header-only; loopback only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fulcrum::testing {

struct TestResponse {
  int status = 0;                                            // 0: no (complete) response
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;                                          // de-chunked
  bool chunked = false;
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
};

class TestConnection {
 public:
  explicit TestConnection(int port, int timeout_ms = 10000) : timeout_ms_(timeout_ms) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    int one = 1;
    if (fd_ >= 0) setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~TestConnection() { close(); }
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  bool ok() const { return fd_ >= 0; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool send_raw(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool send_request(std::string_view method, std::string_view path, std::string_view body = {},
                    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    std::string req =
        std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nhost: 127.0.0.1\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST")
      req += "content-length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n";
    req.append(body);
    return send_raw(req);
  }
  // Reads one response. Returns status 0 on EOF/timeout before a whole response.
  TestResponse read_response() {
    TestResponse r;
    size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return r;
    std::string head = buf_.substr(0, head_end);
    buf_.erase(0, head_end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return r;
    int status = std::atoi(status_line.c_str() + 9);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    size_t content_length = 0;
    bool has_length = false;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string h = head.substr(pos, e - pos);
      pos = e + 2;
      size_t colon = h.find(':');
      if (colon == std::string::npos) continue;
      std::string name = h.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") content_length = std::stoul(value), has_length = true;
      if (name == "transfer-encoding" && value == "chunked") r.chunked = true;
      r.headers.emplace_back(name, value);
    }
    if (status == 100) return read_response();
    if (r.chunked) {
      for (;;) {
        size_t e;
        while ((e = buf_.find("\r\n")) == std::string::npos)
          if (!fill()) return r;
        size_t n = std::stoul(buf_.substr(0, e), nullptr, 16);
        while (buf_.size() < e + 2 + n + 2)
          if (!fill()) return r;
        r.body.append(buf_, e + 2, n);
        buf_.erase(0, e + 2 + n + 2);
        if (n == 0) break;
      }
    } else if (has_length) {
      while (buf_.size() < content_length)
        if (!fill()) return r;
      r.body = buf_.substr(0, content_length);
      buf_.erase(0, content_length);
    }
    r.status = status;
    return r;
  }
  // True when the server closed the connection (EOF) within the timeout.
  bool wait_closed() {
    while (fill()) {
    }
    return eof_;
  }

 private:
  bool fill() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms_) <= 0) return false;
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  int fd_ = -1;
  int timeout_ms_;
  bool eof_ = false;
  std::string buf_;
};

inline TestResponse http_call(
    int port, std::string_view method, std::string_view path, std::string_view body = {},
    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  TestConnection c(port);
  if (!c.ok() || !c.send_request(method, path, body, headers)) return {};
  return c.read_response();
}

}  // namespace fulcrum::testing
