#include "tests/standin/standin_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/file_util.h"

namespace fulcrum::standin {
namespace {

using nlohmann::json;
constexpr size_t kMaxHeaderBytes = 64 << 10;
constexpr size_t kMaxBodyBytes = 64 << 20;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads one request; false on EOF / error / malformed input.
bool read_request(int fd, std::string* buf, RecordedRequest* out) {
  size_t header_end;
  while ((header_end = buf->find("\r\n\r\n")) == std::string::npos) {
    if (buf->size() > kMaxHeaderBytes) return false;
    char tmp[16384];
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf->append(tmp, static_cast<size_t>(n));
  }
  std::string head = buf->substr(0, header_end);
  size_t line_end = head.find("\r\n");
  std::string request_line = head.substr(0, line_end);
  auto sp1 = request_line.find(' ');
  auto sp2 = request_line.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
  *out = RecordedRequest{};
  out->method = request_line.substr(0, sp1);
  out->path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    std::string line = head.substr(pos, e - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string v = line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      out->headers[lower(line.substr(0, colon))] = v;
    }
    pos = e + 2;
  }
  size_t length = 0;
  if (auto it = out->headers.find("content-length"); it != out->headers.end()) {
    length = std::strtoull(it->second.c_str(), nullptr, 10);
  }
  if (length > kMaxBodyBytes) return false;
  buf->erase(0, header_end + 4);
  while (buf->size() < length) {
    char tmp[65536];
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf->append(tmp, static_cast<size_t>(n));
  }
  out->body = buf->substr(0, length);
  buf->erase(0, length);
  return true;
}

}  // namespace

Result<std::unique_ptr<StandinServer>> StandinServer::start(StandinOptions options) {
  std::unique_ptr<StandinServer> s(new StandinServer());
  s->host_ = options.host;
  if (!options.fixtures_dir.empty()) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (auto it = std::filesystem::recursive_directory_iterator(options.fixtures_dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().extension() == ".json") files.push_back(it->path());
    }
    if (ec) return Error(ErrorCode::kIo, "cannot list fixtures: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      FULCRUM_TRY(auto text, read_file(f.string()));
      json j = json::parse(text, nullptr, false);
      if (j.is_discarded()) return Error(ErrorCode::kParse, "fixture is not JSON").with_file(f);
      FULCRUM_TRY_STATUS(s->add_fixture(j, f.string()));
    }
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options.port));
  if (inet_pton(AF_INET, options.host.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    return Error(ErrorCode::kInvalidArgument, "bad listen address " + options.host);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 512) != 0) {
    ::close(fd);
    return Error(ErrorCode::kIo, fmt::format("cannot listen on {}:{}", options.host, options.port));
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  s->listen_fd_ = fd;
  s->port_ = ntohs(addr.sin_port);
  s->acceptor_ = std::thread([p = s.get()] { p->accept_loop(); });
  return s;
}

StandinServer::~StandinServer() {
  stop_.store(true);
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::string StandinServer::base_url() const {
  return fmt::format("http://{}:{}", host_, port_);
}

Status StandinServer::add_fixture(const json& f, std::string name) {
  if (!f.is_object() || !f.contains("match") || !f["match"].is_object() ||
      !f.contains("reference") || !f["reference"].is_string()) {
    return Error(ErrorCode::kInvalidArgument,
                 "a fixture needs \"reference\" (string) and \"match\" (object)")
        .with_file(name);
  }
  if (!f.contains("response") && !f.contains("fault")) {
    return Error(ErrorCode::kInvalidArgument, "a fixture needs \"response\" or \"fault\"")
        .with_file(name);
  }
  json copy = f;
  copy["_file"] = name;
  std::lock_guard lock(mu_);
  fixtures_.push_back(std::move(copy));
  return ok_status();
}

void StandinServer::queue_fault(const json& fault, int times) {
  std::lock_guard lock(mu_);
  faults_.emplace_back(fault, times);
}

std::vector<RecordedRequest> StandinServer::requests() const {
  std::lock_guard lock(mu_);
  return records_;
}

void StandinServer::reset() {
  std::lock_guard lock(mu_);
  records_.clear();
  faults_.clear();
}

size_t StandinServer::fixture_count() const {
  std::lock_guard lock(mu_);
  return fixtures_.size();
}

bool StandinServer::take_fault(json* fault) {
  std::lock_guard lock(mu_);
  if (faults_.empty()) return false;
  *fault = faults_.front().first;
  if (--faults_.front().second <= 0) faults_.erase(faults_.begin());
  return true;
}

void StandinServer::accept_loop() {
  while (!stop_.load()) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stop_.load()) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    accepted_.fetch_add(1);
    std::lock_guard lock(mu_);
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { serve_connection(fd); });
  }
}

void StandinServer::serve_connection(int fd) {
  std::string buf;
  RecordedRequest req;
  bool keep_alive = true;
  while (keep_alive && !stop_.load() && read_request(fd, &buf, &req)) {
    handle(fd, req, &keep_alive);
  }
  std::lock_guard lock(mu_);
  std::erase(open_fds_, fd);
  ::close(fd);
}

}  // namespace fulcrum::standin
