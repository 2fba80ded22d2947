// Support for end-to-end tests: runs the real `fulcrum serve` binary on a free loopback port
// with a generated config, stand-in upstreams in process, SSE parsing, JSON subset matching and
// config snippets. Header-only; every test starts what it needs and stops it.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/http_test_client.h"
#include "tests/standin/standin_server.h"
#include "tests/support/testdata.h"

namespace fulcrum::e2e {

using fulcrum::testing::TestConnection;
using fulcrum::testing::TestResponse;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

// The keys the stand-in fixtures expect (tests/standin/fixtures/*/).
inline constexpr const char* kOpenAiKey = "test-openai-key";
inline constexpr const char* kAnthropicKey = "test-anthropic-key";
inline constexpr const char* kGeminiKey = "test-gemini-key";

inline std::string source_dir() {
  return FULCRUM_SOURCE_DIR;
}
inline std::string fixtures_dir() {
  return source_dir() + "/tests/standin/fixtures";
}
inline std::string cases_dir(const std::string& sub) {
  return source_dir() + "/tests/e2e/cases/" + sub;
}

inline std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::vector<std::string> json_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A fresh private directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/fulcrum-e2e-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data())) path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A stand-in upstream in this process, loaded with the fixtures of one dialect (or all).
inline std::unique_ptr<standin::StandinServer> start_standin(const std::string& sub = "") {
  standin::StandinOptions opt;
  opt.fixtures_dir = sub == "-" ? "" : fixtures_dir() + (sub.empty() ? "" : "/" + sub);
  auto s = standin::StandinServer::start(opt);
  if (!s.ok()) return nullptr;
  return std::move(s).value();
}

// One [providers.NAME] table. `base` is the stand-in base URL (no path); the dialect's path
// prefix is added ("/v1" or "/v1beta").
inline std::string provider_toml(const std::string& name, const std::string& kind,
                                 const std::string& base, bool on_premises,
                                 const std::string& extra = "") {
  std::string prefix = kind == "gemini" ? "/v1beta" : "/v1";
  std::string key = kind == "anthropic" ? kAnthropicKey
                    : kind == "gemini"  ? kGeminiKey
                                        : kOpenAiKey;
  return "[providers." + name + "]\nkind = \"" + kind + "\"\nbase_url = \"" + base + prefix +
         "\"\napi_key = \"" + key + "\"\non_premises = " + (on_premises ? "true" : "false") + "\n" +
         extra + "\n";
}

// A virtual model with one target per (provider, model), in order.
inline std::string model_toml(const std::string& name,
                              const std::vector<std::pair<std::string, std::string>>& targets,
                              const std::string& extra = "") {
  std::string s = "[models.\"" + name + "\"]\n" + extra + "targets = [";
  for (size_t i = 0; i < targets.size(); ++i) {
    s += (i ? ", " : "") + std::string("{ provider = \"") + targets[i].first + "\", model = \"" +
         targets[i].second + "\" }";
  }
  return s + "]\n\n";
}

// `fulcrum serve` as a child process. stderr (logs and the request log) goes to a file.
class ServeProcess {
 public:
  ServeProcess() = default;
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  ~ServeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
  }

  // Writes the config and starts the server; false (with *error) if it did not come up.
  bool start(const std::string& toml, std::string* error,
             const std::vector<std::string>& extra_args = {},
             const std::vector<std::string>& env = {}) {
    config_path_ = dir_.file("fulcrum.toml");
    log_path_ = dir_.file("serve.log");
    std::ofstream(config_path_) << toml;
    std::string bin = fulcrum::testing::fulcrum_binary();
    std::vector<std::string> args = {bin, "serve", "--config", config_path_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    // Everything the child needs is built before fork: only async-signal-safe calls after it.
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> env_strings = env;
    for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    int logfd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int out[2];
    if (logfd < 0 || ::pipe2(out, O_CLOEXEC) != 0) return fail(error, "pipe/open failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::dup2(logfd, 2);
      ::execve(bin.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(logfd);
    ::close(out[1]);
    out_fd_ = out[0];
    if (pid_ < 0) return fail(error, "fork failed");
    // First stdout line: "fulcrum: listening on http://HOST:PORT".
    std::string line;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (line.find('\n') == std::string::npos) {
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      until - std::chrono::steady_clock::now())
                                      .count());
      pollfd p{out_fd_, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, left) <= 0) return fail(error, "no listening line in time");
      char buf[256];
      ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) return fail(error, "fulcrum serve exited at start-up: " + log());
      line.append(buf, static_cast<size_t>(n));
    }
    listen_line_ = line.substr(0, line.find('\n'));
    auto colon = listen_line_.rfind(':');
    port_ = colon == std::string::npos ? 0 : std::atoi(listen_line_.c_str() + colon + 1);
    if (port_ <= 0) return fail(error, "cannot read the port from: " + listen_line_);
    return true;
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& listen_line() const { return listen_line_; }
  const std::string& config_path() const { return config_path_; }
  std::string log() const { return read_text(log_path_); }
  // The structured request-log lines (JSON objects with an "event" key) written so far.
  std::vector<json> log_events() const {
    std::vector<json> out;
    std::istringstream in(log());
    std::string line;
    while (std::getline(in, line)) {
      json j = json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("event")) out.push_back(std::move(j));
    }
    return out;
  }
  // Log events of one request id.
  std::vector<json> events_for(const std::string& request_id) const {
    std::vector<json> out;
    for (auto& e : log_events())
      if (e.value("request_id", "") == request_id) out.push_back(e);
    return out;
  }

  // Sends `sig` and waits up to `timeout_ms`; returns the exit code (128+N for a signal N),
  // or -1 when it did not exit in time.
  int signal_and_wait(int sig, int timeout_ms) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    return wait_exit(timeout_ms);
  }
  // SIGTERM, as an operator would: a clean drain exits 0 (a sanitizer report would not).
  int stop() { return signal_and_wait(SIGTERM, 30000); }
  int wait_exit(int timeout_ms) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < until) {
      int st = 0;
      pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

 private:
  bool fail(std::string* error, std::string why) {
    if (error) *error = std::move(why);
    return false;
  }
  TempDir dir_;
  std::string config_path_, log_path_, listen_line_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
};

// Runs the fulcrum binary to completion (for start-up errors); stdout+stderr together.
struct RunResult {
  int exit_code = -1;
  std::string output;
};
inline RunResult run_fulcrum(const std::vector<std::string>& args) {
  TempDir dir;
  std::string out_path = dir.file("out.txt");
  std::string cmd = fulcrum::testing::fulcrum_binary();
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " >" + out_path + " 2>&1";
  int st = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.output = read_text(out_path);
  return r;
}

struct SseEvent {
  std::string event;
  std::string data;
};

// Splits an SSE body into events (comments skipped; multi-line data joined with '\n').
inline std::vector<SseEvent> parse_sse(std::string_view body) {
  std::vector<SseEvent> out;
  SseEvent cur;
  bool have = false;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t e = body.find('\n', pos);
    if (e == std::string_view::npos) e = body.size();
    std::string_view line = body.substr(pos, e - pos);
    pos = e + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (have) out.push_back(std::move(cur));
      cur = {};
      have = false;
      continue;
    }
    if (line.front() == ':') continue;
    auto colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "event") {
      cur.event = value;
      have = true;
    } else if (field == "data") {
      if (!cur.data.empty()) cur.data += '\n';
      cur.data += value;
      have = true;
    }
  }
  if (have) out.push_back(std::move(cur));
  return out;
}

// "" when every key of `want` is in `have` with a matching value (objects: subset; arrays:
// same length, element-wise subset; "$any": present and not null). Otherwise the first
// difference, with its JSON path.
inline std::string json_diff(const json& want, const json& have, const std::string& path = "$") {
  if (want.is_string() && want.get<std::string>() == "$any")
    return have.is_null() ? path + ": missing or null" : "";
  if (want.is_object()) {
    if (!have.is_object()) return path + ": want an object, got " + have.dump();
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (it.value().is_null()) {
        if (have.contains(it.key()) && !have[it.key()].is_null())
          return path + "." + it.key() + ": want null or absent, got " + have[it.key()].dump();
        continue;
      }
      if (!have.contains(it.key())) return path + "." + it.key() + ": missing";
      std::string d = json_diff(it.value(), have[it.key()], path + "." + it.key());
      if (!d.empty()) return d;
    }
    return "";
  }
  if (want.is_array()) {
    if (!have.is_array() || have.size() != want.size())
      return path + ": want " + want.dump() + ", got " + have.dump();
    for (size_t i = 0; i < want.size(); ++i) {
      std::string d = json_diff(want[i], have[i], path + "[" + std::to_string(i) + "]");
      if (!d.empty()) return d;
    }
    return "";
  }
  if (want.is_number() && have.is_number()) {
    return std::abs(want.get<double>() - have.get<double>()) < 1e-9
               ? ""
               : path + ": want " + want.dump() + ", got " + have.dump();
  }
  return want == have ? "" : path + ": want " + want.dump() + ", got " + have.dump();
}

// Finds the request id of a response (x-request-id).
inline std::string request_id(const TestResponse& r) {
  return r.header("x-request-id");
}

inline TestResponse post_json(int port, const std::string& path, const json& body,
                              const Headers& headers = {}) {
  Headers h = headers;
  h.emplace_back("content-type", "application/json");
  return fulcrum::testing::http_call(port, "POST", path, body.dump(), h);
}

}  // namespace fulcrum::e2e
