// StandinServer: a stand-in upstream for tests. It replays request/response fixture files
// written from the providers' public API references (OpenAI, Anthropic, Gemini), records every
// request it receives, and injects faults on demand. Plain HTTP/1.1 on loopback, keep-alive,
// one thread per connection (tests, not production).
//
// Fixture file (JSON, one case per file; see fixtures/README.md):
//   {"reference": "<URL of the public API reference it follows>",
//    "match":  {"method": "POST", "path": "/v1/chat/completions", "model": "m", "stream": false},
//    "expect": {"headers": {"authorization": "Bearer k"}, "body": {<JSON subset>}},
//    "response": {"status": 200, "headers": {...}, "body": <JSON> | "sse": [events],
//                 "event_delay_ms": 0},
//    "fault": {<as below>}}                                   (expect and fault optional)
// Faults (fixture "fault" or queued with POST /_standin/fault {"kind":..., "times": N}):
//   close_before_headers | delay_headers {delay_ms} | reset_mid_stream {after_events} |
//   malformed_sse {after_events} | wrong_content_type | huge_body {bytes} |
//   http_error {status, retry_after, body}
// Control endpoints: GET /_standin/requests (JSON array of what was received),
// POST /_standin/reset (clear records and queued faults), POST /_standin/fault.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace fulcrum::standin {

struct RecordedRequest {
  std::string method;
  std::string path;                            // with the query string
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct StandinOptions {
  std::string host = "127.0.0.1";
  int port = 0;              // 0: any free port
  std::string fixtures_dir;  // loaded recursively (*.json); may be empty
};

class StandinServer {
 public:
  static Result<std::unique_ptr<StandinServer>> start(StandinOptions options);
  ~StandinServer();  // stops and joins

  int port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:PORT"
  // Adds a fixture (same JSON shape as a file); later fixtures are matched after earlier ones.
  Status add_fixture(const nlohmann::json& fixture, std::string name = "inline");
  // Queues a fault for the next `times` upstream requests (any path but /_standin/*).
  void queue_fault(const nlohmann::json& fault, int times = 1);
  std::vector<RecordedRequest> requests() const;
  void reset();
  size_t fixture_count() const;
  int connections_accepted() const { return accepted_.load(); }

 private:
  StandinServer() = default;
  void accept_loop();
  void serve_connection(int fd);
  void handle(int fd, const RecordedRequest& req, bool* keep_alive);
  bool take_fault(nlohmann::json* fault);
  // Return whether the connection may be kept alive.
  bool reply(int fd, const nlohmann::json& response, int after_events, bool malformed);
  bool run_fault(int fd, const nlohmann::json& fault, const nlohmann::json* fixture);
  const nlohmann::json* match(const RecordedRequest& req, std::string* why) const;

  int listen_fd_ = -1;
  int port_ = 0;
  std::string host_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
  std::vector<nlohmann::json> fixtures_;
  std::vector<RecordedRequest> records_;
  std::vector<std::pair<nlohmann::json, int>> faults_;
};

}  // namespace fulcrum::standin
