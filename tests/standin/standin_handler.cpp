// Request handling of the stand-in upstream: control endpoints, fixture matching,
// expectations, faults and replies. See standin_server.h.
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <chrono>
#include <thread>

#include "tests/standin/standin_server.h"

namespace fulcrum::standin {
namespace {

using nlohmann::json;

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

bool send_head(int fd, int status, const Headers& headers) {
  std::string out = fmt::format("HTTP/1.1 {} Standin\r\n", status);
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  return write_all(fd, out + "\r\n");
}

bool send_body(int fd, int status, std::string_view content_type, std::string_view body,
               Headers extra = {}) {
  extra.emplace_back("Content-Type", std::string(content_type));
  extra.emplace_back("Content-Length", std::to_string(body.size()));
  return send_head(fd, status, extra) && write_all(fd, body);
}

bool send_chunk(int fd, std::string_view data) {
  if (data.empty()) return true;
  return write_all(fd, fmt::format("{:x}\r\n", data.size())) && write_all(fd, data) &&
         write_all(fd, "\r\n");
}

std::string sse_frame(const json& ev) {
  if (ev.is_string()) return ev.get<std::string>();  // raw text, written as is
  std::string out;
  if (ev.contains("event")) out += "event: " + ev["event"].get<std::string>() + "\n";
  const json& d = ev["data"];
  out += "data: " + (d.is_string() ? d.get<std::string>() : d.dump()) + "\n\n";
  return out;
}

void reset_connection(int fd) {
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::shutdown(fd, SHUT_RDWR);
}

bool json_subset(const json& want, const json& have) {
  if (want.is_object()) {
    if (!have.is_object()) return false;
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (!have.contains(it.key()) || !json_subset(it.value(), have[it.key()])) return false;
    }
    return true;
  }
  if (want.is_array()) {
    if (!have.is_array() || have.size() != want.size()) return false;
    for (size_t i = 0; i < want.size(); ++i) {
      if (!json_subset(want[i], have[i])) return false;
    }
    return true;
  }
  return want == have;
}

std::string error_body(std::string_view message) {
  return json{{"error", {{"message", message}, {"type", "standin_error"}}}}.dump();
}

json record_json(const RecordedRequest& r) {
  return json{{"method", r.method}, {"path", r.path}, {"headers", r.headers}, {"body", r.body}};
}

// Checks "expect" of a fixture; empty string when satisfied.
std::string check_expect(const json& fx, const RecordedRequest& req, const json& body) {
  if (!fx.contains("expect")) return {};
  const json& ex = fx["expect"];
  if (ex.contains("headers")) {
    for (auto it = ex["headers"].begin(); it != ex["headers"].end(); ++it) {
      auto h = req.headers.find(it.key());
      if (h == req.headers.end() || h->second != it.value().get<std::string>()) {
        return "header '" + it.key() + "' missing or different";
      }
    }
  }
  if (ex.contains("absent_headers")) {
    for (const auto& name : ex["absent_headers"]) {
      if (req.headers.count(name.get<std::string>())) {
        return "header '" + name.get<std::string>() + "' must be absent";
      }
    }
  }
  if (ex.contains("body") && !json_subset(ex["body"], body)) {
    return "body does not contain the expected JSON: want " + ex["body"].dump() + " got " +
           body.dump();
  }
  return {};
}

}  // namespace

const json* StandinServer::match(const RecordedRequest& req, std::string* why) const {
  json body = json::parse(req.body, nullptr, false);
  std::string model = body.is_object() && body.contains("model") && body["model"].is_string()
                          ? body["model"].get<std::string>()
                          : "";
  bool stream = body.is_object() && body.contains("stream") && body["stream"] == true;
  std::lock_guard lock(mu_);
  for (const json& fx : fixtures_) {
    const json& m = fx["match"];
    if (m.value("method", "POST") != req.method) continue;
    if (m.contains("path") && m["path"] != req.path) continue;
    if (m.contains("model") && m["model"] != model) continue;
    if (m.contains("stream") && m["stream"] != stream) continue;
    return &fx;
  }
  *why = fmt::format("standin: no fixture for {} {} model='{}' stream={}", req.method, req.path,
                     model, stream);
  return nullptr;
}

void StandinServer::handle(int fd, const RecordedRequest& req, bool* keep_alive) {
  if (req.path.starts_with("/_standin/")) {
    if (req.path == "/_standin/requests") {
      json arr = json::array();
      for (const auto& r : requests()) arr.push_back(record_json(r));
      send_body(fd, 200, "application/json", arr.dump());
    } else if (req.path == "/_standin/reset") {
      reset();
      send_body(fd, 200, "application/json", "{}");
    } else if (req.path == "/_standin/fault") {
      json f = json::parse(req.body, nullptr, false);
      if (!f.is_object() || !f.contains("kind")) {
        send_body(fd, 400, "application/json", error_body("fault needs \"kind\""));
        return;
      }
      queue_fault(f, f.value("times", 1));
      send_body(fd, 200, "application/json", "{}");
    } else {
      send_body(fd, 404, "application/json", error_body("unknown control endpoint"));
    }
    return;
  }
  {
    std::lock_guard lock(mu_);
    records_.push_back(req);
  }
  json fault;
  bool have_fault = take_fault(&fault);
  std::string why;
  const json* fx = match(req, &why);
  if (!have_fault && fx && fx->contains("fault")) {
    fault = (*fx)["fault"];
    have_fault = true;
  }
  if (have_fault) {
    *keep_alive = run_fault(fd, fault, fx);
    return;
  }
  if (!fx) {
    send_body(fd, 404, "application/json", error_body(why));
    return;
  }
  json body = json::parse(req.body, nullptr, false);
  if (std::string bad = check_expect(*fx, req, body); !bad.empty()) {
    send_body(fd, 400, "application/json",
              error_body("standin expectation failed (" + (*fx)["_file"].get<std::string>() +
                         "): " + bad));
    return;
  }
  *keep_alive = reply(fd, (*fx)["response"], -1, false);
}

// Writes a fixture response. With after_events >= 0 the stream stops after that many events:
// reset (true) or a malformed line (false when `malformed`).
bool StandinServer::reply(int fd, const json& resp, int after_events, bool malformed) {
  int status = resp.value("status", 200);
  Headers headers;
  if (resp.contains("headers")) {
    for (auto it = resp["headers"].begin(); it != resp["headers"].end(); ++it) {
      headers.emplace_back(it.key(), it.value().get<std::string>());
    }
  }
  if (!resp.contains("sse")) {
    std::string body =
        resp.contains("body")
            ? (resp["body"].is_string() ? resp["body"].get<std::string>() : resp["body"].dump())
            : "";
    return send_body(fd, status, resp.value("content_type", "application/json"), body, headers);
  }
  headers.emplace_back("Content-Type", resp.value("content_type", "text/event-stream"));
  headers.emplace_back("Transfer-Encoding", "chunked");
  if (!send_head(fd, status, headers)) return false;
  int delay = resp.value("event_delay_ms", 0);
  int n = 0;
  for (const json& ev : resp["sse"]) {
    if (after_events >= 0 && n == after_events) {
      if (malformed) {
        send_chunk(fd, "this is not a server-sent event line\n\n");
        send_chunk(fd, "data: {\"truncated\": \n\n");
        write_all(fd, "0\r\n\r\n");
        return true;
      }
      reset_connection(fd);
      return false;
    }
    if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    if (!send_chunk(fd, sse_frame(ev))) return false;
    ++n;
  }
  return write_all(fd, "0\r\n\r\n");
}

bool StandinServer::run_fault(int fd, const json& fault, const json* fx) {
  std::string kind = fault.value("kind", "");
  if (kind == "close_before_headers") {
    ::shutdown(fd, SHUT_RDWR);
    return false;
  }
  if (kind == "delay_headers") {
    int ms = fault.value("delay_ms", 5000);
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until && !stop_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::shutdown(fd, SHUT_RDWR);
    return false;
  }
  if (kind == "http_error") {
    int status = fault.value("status", 500);
    Headers extra;
    if (fault.contains("retry_after")) extra.emplace_back("Retry-After", fault["retry_after"]);
    std::string body = fault.contains("body") ? fault["body"].dump()
                                              : error_body(fmt::format("injected {}", status));
    return send_body(fd, status, "application/json", body, extra);
  }
  if (kind == "wrong_content_type") {
    return send_body(fd, 200, "text/html", "<html><body>captive portal</body></html>");
  }
  if (kind == "huge_body") {
    int64_t bytes = fault.value("bytes", int64_t{50} << 20);
    if (!send_head(
            fd, 200,
            {{"Content-Type", "application/json"}, {"Content-Length", std::to_string(bytes)}})) {
      return false;
    }
    std::string block(1 << 16, ' ');
    for (int64_t sent = 0; sent < bytes;) {
      size_t n = static_cast<size_t>(std::min<int64_t>(bytes - sent, block.size()));
      if (!write_all(fd, std::string_view(block).substr(0, n))) return false;
      sent += static_cast<int64_t>(n);
    }
    return true;
  }
  if ((kind == "reset_mid_stream" || kind == "malformed_sse") && fx &&
      (*fx)["response"].contains("sse")) {
    return reply(fd, (*fx)["response"], fault.value("after_events", 2), kind == "malformed_sse");
  }
  send_body(fd, 500, "application/json",
            error_body("standin: unknown or inapplicable fault " + kind));
  return true;
}

}  // namespace fulcrum::standin
