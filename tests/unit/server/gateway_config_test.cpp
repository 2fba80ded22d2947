// The [server] config section and the structured request log lines of the gateway.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "server/request_log.h"
#include "server/server_config.h"

namespace fulcrum::server {
namespace {

Result<ServerConfig> parse(const std::string& toml) {
  FULCRUM_TRY(auto cfg, Config::parse(toml, "test.toml"));
  auto root = cfg.root();
  return ServerConfig::parse(root);
}

TEST(ServerConfig, DefaultsListenOnLoopback) {
  auto c = parse("");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->http.host, "127.0.0.1");
  EXPECT_EQ(c->request_log, "");
  EXPECT_EQ(c->log_format, "json");
}

TEST(ServerConfig, ReadsEveryKey) {
  auto c = parse(
      "[server]\nhost = \"::1\"\nport = 0\nthreads = 3\nmax_body_bytes = 1000\n"
      "max_header_bytes = 2048\nidle_timeout_ms = 5\nheader_timeout_ms = 6\n"
      "drain_timeout_ms = 7\nrequest_timeout_ms = 8\nlog_format = \"text\"\n"
      "log_level = \"warn\"\nrequest_log = \"/tmp/x.log\"\n");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->http.host, "::1");
  EXPECT_EQ(c->http.port, 0);
  EXPECT_EQ(c->http.threads, 3);
  EXPECT_EQ(c->http.limits.max_body_bytes, 1000u);
  EXPECT_EQ(c->http.limits.max_header_bytes, 2048u);
  EXPECT_EQ(c->http.idle_timeout_ms, 5);
  EXPECT_EQ(c->http.header_timeout_ms, 6);
  EXPECT_EQ(c->drain_timeout_ms, 7);
  EXPECT_EQ(c->request_timeout_ms, 8);
  EXPECT_EQ(c->log_format, "text");
  EXPECT_EQ(c->log_level, "warn");
  EXPECT_EQ(c->request_log, "/tmp/x.log");
}

TEST(ServerConfig, UnknownKeysAndBadValuesNameTheLine) {
  struct Bad {
    const char* toml;
    const char* must_say;
  };
  for (const Bad& b : {Bad{"[server]\nport = 1\nprot = 2\n", "'prot'"},
                       Bad{"[server]\nport = 70000\n", "port"},
                       Bad{"[server]\n\nthreads = 0\n", "threads"},
                       Bad{"[server]\nlog_format = \"xml\"\n", "log_format"},
                       Bad{"[server]\nlog_level = \"loud\"\n", "log_level"},
                       Bad{"[server]\nport = \"80\"\n", "port"}}) {
    auto c = parse(b.toml);
    ASSERT_FALSE(c.ok()) << b.toml;
    std::string msg = c.error().to_string();
    EXPECT_NE(msg.find(b.must_say), std::string::npos) << msg;
    EXPECT_NE(msg.find("line"), std::string::npos) << msg;
  }
}

TEST(RequestLog, RequestLineHasTheDecisionAndNoText) {
  router::RouteDecision d;
  d.model = "auto";
  d.rule = "privacy";
  d.privacy = router::PrivacyClass::kSensitive;
  d.findings.push_back({"email", 0, 5, 25});
  d.targets.push_back({"local", "qwen", true, "small", 0, false, false});
  std::vector<router::AttemptRecord> attempts = {
      {"local", "qwen", Error(ErrorCode::kUnavailable, "refused"), true, false},
      {"local", "qwen", ok_status(), false, true}};
  RequestLogEntry e;
  e.request_id = "req_1";
  e.endpoint = "chat_completions";
  e.status = 200;
  e.model = "auto";
  e.decision = &d;
  e.served = &d.targets[0];
  e.attempts = &attempts;
  e.usage = api::Usage{12, 3, 0};
  e.latency_ms = 1.5;
  auto j = nlohmann::json::parse(request_log_json(e, 0.25));
  EXPECT_EQ(j["event"], "request");
  EXPECT_EQ(j["request_id"], "req_1");
  EXPECT_EQ(j["rule"], "privacy");
  EXPECT_EQ(j["privacy"], "sensitive");
  EXPECT_EQ(j["findings"], 1);
  EXPECT_EQ(j["target"], "local/qwen");
  EXPECT_EQ(j["attempts"].size(), 2u);
  EXPECT_EQ(j["attempts"][0]["outcome"], "unavailable");
  EXPECT_EQ(j["attempts"][1]["outcome"], "ok");
  EXPECT_EQ(j["prompt_tokens"], 12);
  EXPECT_EQ(j["cost_usd"], 0.25);
  EXPECT_EQ(j["route"], d.header_value(d.targets[0]));
  // "event" comes first, so a log reader can tell line kinds apart by their prefix.
  EXPECT_EQ(request_log_json(e, std::nullopt).rfind("{\"event\":\"request\"", 0), 0u);
}

TEST(RequestLog, AttemptLine) {
  providers::AttemptInfo a{"openai", "https://api.openai.com/v1", 2, 429, "rate_limited",
                           "upstream rate limit (HTTP 429): slow down", 12.3456};
  auto j = nlohmann::json::parse(attempt_log_json("req_9", a));
  EXPECT_EQ(j["event"], "upstream_attempt");
  EXPECT_EQ(j["request_id"], "req_9");
  EXPECT_EQ(j["provider"], "openai");
  EXPECT_EQ(j["replica"], "https://api.openai.com/v1");
  EXPECT_EQ(j["attempt"], 2);
  EXPECT_EQ(j["upstream_status"], 429);
  EXPECT_EQ(j["outcome"], "rate_limited");
  EXPECT_EQ(j["error"], "upstream rate limit (HTTP 429): slow down");
  EXPECT_DOUBLE_EQ(j["ms"].get<double>(), 12.346);
}

TEST(RequestLog, RecordAttemptCountsPerProviderAndOutcome) {
  Metrics m;
  providers::AttemptInfo a{"gm", "http://x", 1, 200, "ok", "", 1};
  record_attempt(m, "r", a);
  record_attempt(m, "r", a);
  EXPECT_EQ(m.counter("fulcrum_upstream_attempts_total", R"(provider="gm",outcome="ok")"), 2);
}

}  // namespace
}  // namespace fulcrum::server
