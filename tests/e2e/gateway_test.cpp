// The gateway as a whole, through the real `fulcrum serve`: x-fulcrum-route on every response,
// /health, /metrics, /v1/models, /v1/route/explain, the request log, redaction mode, request
// size limits, graceful drain on SIGTERM, loopback by default and config errors with lines.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "tests/e2e/e2e_support.h"
#include "tests/e2e/sse_summary.h"

namespace fulcrum::e2e {
namespace {

json chat_body(const std::string& model, const std::string& text, bool stream = false) {
  json b = {{"model", model},
            {"max_tokens", 1024},
            {"messages", json::array({{{"role", "user"}, {"content", text}}})}};
  if (stream) b["stream"] = true;
  return b;
}

// A slow OpenAI-style stream of `n` words, one every `delay_ms`.
json slow_stream_fixture(const std::string& model, int n, int delay_ms) {
  json sse = json::array();
  auto chunk = [](json delta, json finish) {
    return json{{"data",
                 {{"id", "chatcmpl-slow"},
                  {"object", "chat.completion.chunk"},
                  {"created", 1741569952},
                  {"model", "slow"},
                  {"choices",
                   json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}}}};
  };
  sse.push_back(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
  for (int i = 0; i < n; ++i)
    sse.push_back(chunk({{"content", " w" + std::to_string(i)}}, nullptr));
  sse.push_back(chunk(json::object(), "stop"));
  sse.push_back(json{{"data", "[DONE]"}});
  return {{"reference", "https://platform.openai.com/docs/api-reference/chat/streaming"},
          {"match", {{"method", "POST"}, {"path", "/v1/chat/completions"}, {"model", model}}},
          {"response", {{"status", 200}, {"event_delay_ms", delay_ms}, {"sse", sse}}}};
}

class GatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    upstream_ = start_standin("openai").release();
    ASSERT_NE(upstream_, nullptr);
    std::string toml =
        "[server]\nport = 0\nmax_body_bytes = 65536\n\n" +
        provider_toml("openai", "openai_compat", upstream_->base_url(), false, "max_retries = 0") +
        provider_toml("local", "openai_compat", upstream_->base_url(), true, "max_retries = 0") +
        "[routing.prices.\"openai/gpt-test\"]\ninput = 2.5\noutput = 10.0\n\n" +
        model_toml("gpt", {{"openai", "gpt-test"}}) +
        model_toml("auto", {{"openai", "gpt-test"}, {"local", "gpt-test"}});
    server_ = new ServeProcess();
    std::string err;
    ASSERT_TRUE(server_->start(toml, &err)) << err;
  }
  static void TearDownTestSuite() {
    if (server_) {
      EXPECT_EQ(server_->stop(), 0) << server_->log();
    }
    delete server_;
    delete upstream_;
  }
  void SetUp() override { upstream_->reset(); }
  int port() const { return server_->port(); }

  static standin::StandinServer* upstream_;
  static ServeProcess* server_;
};

standin::StandinServer* GatewayTest::upstream_ = nullptr;
ServeProcess* GatewayTest::server_ = nullptr;

TEST_F(GatewayTest, RouteHeaderOnEveryResponse) {
  using fulcrum::testing::http_call;
  struct Probe {
    std::string method, path, body;
    int status;
  };
  std::string big(100'000, 'x');
  std::vector<Probe> probes = {
      {"GET", "/health", "", 200},
      {"GET", "/metrics", "", 200},
      {"GET", "/v1/models", "", 200},
      {"GET", "/v1/models/gpt", "", 200},
      {"GET", "/v1/models/nope", "", 404},
      {"GET", "/nope", "", 404},
      {"GET", "/v1/chat/completions", "", 405},
      {"POST", "/v1/chat/completions", "{not json", 400},
      {"POST", "/v1/chat/completions", "[1,2]", 400},
      {"POST", "/v1/chat/completions", chat_body("nope", "hi").dump(), 404},
      {"POST", "/v1/chat/completions", chat_body("gpt", "Hello").dump(), 200},
      {"POST", "/v1/messages", R"({"model":"gpt","messages":[]})", 400},
      {"POST", "/v1/embeddings", R"({"model":"gpt"})", 400},
      {"POST", "/v1/completions", R"({"model":"gpt","prompt":7})", 400},
      {"POST", "/v1/route/explain", chat_body("gpt", "Hello").dump(), 200},
      {"POST", "/v1/messages/count_tokens", R"({"model":"gpt","messages":"x"})", 400},
      {"POST", "/v1/chat/completions", big, 413},
  };
  for (const auto& p : probes) {
    SCOPED_TRACE(p.method + " " + p.path + " " + p.body.substr(0, 60));
    auto r = http_call(port(), p.method, p.path, p.body, {{"content-type", "application/json"}});
    EXPECT_EQ(r.status, p.status) << r.body;
    EXPECT_FALSE(r.header("x-fulcrum-route").empty());
    if (r.status >= 400) {
      // Errors are JSON in the endpoint's dialect, never a 500 for user input.
      json j = json::parse(r.body, nullptr, false);
      ASSERT_TRUE(j.is_object()) << r.body;
      if (p.path.rfind("/v1/messages", 0) == 0 && r.status != 413) {
        EXPECT_EQ(j.value("type", ""), "error") << r.body;
        EXPECT_TRUE(j["error"].contains("type"));
      } else {
        EXPECT_TRUE(j["error"].contains("message")) << r.body;
      }
    }
  }
  // A malformed request line is answered by the HTTP layer itself, still with the header.
  TestConnection c(port());
  ASSERT_TRUE(c.send_raw("BROKEN\r\n\r\n"));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(r.header("x-fulcrum-route").empty());
}

TEST_F(GatewayTest, BadFieldsAreNamed) {
  auto r = post_json(port(), "/v1/chat/completions",
                     {{"model", "gpt"}, {"temperature", 9}, {"messages", json::array()}});
  ASSERT_EQ(r.status, 400);
  json j = json::parse(r.body);
  EXPECT_EQ(j["error"]["type"], "invalid_request_error");
  EXPECT_FALSE(j["error"]["param"].is_null()) << r.body;
  EXPECT_TRUE(upstream_->requests().empty());
}

TEST_F(GatewayTest, BodyOverFiftyMegabytesIs413) {
  // Content-Length says 50 MB: answered 413 from the head, the connection then closed.
  TestConnection c(port());
  ASSERT_TRUE(
      c.send_raw("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: "
                 "application/json\r\ncontent-length: 52428800\r\n\r\n{\"model\":"));
  auto r = c.read_response();
  EXPECT_EQ(r.status, 413);
  EXPECT_FALSE(r.header("x-fulcrum-route").empty());
  EXPECT_TRUE(c.wait_closed());
  // The server is fine afterwards.
  EXPECT_EQ(fulcrum::testing::http_call(port(), "GET", "/health").status, 200);
}

TEST_F(GatewayTest, ExplainReturnsTheDecisionWithoutRunningIt) {
  auto r = post_json(port(), "/v1/route/explain", chat_body("auto", "Say hello"));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["model"], "auto");
  EXPECT_EQ(j["target"]["provider"], "openai");
  EXPECT_EQ(j["target"]["model"], "gpt-test");
  EXPECT_EQ(j["privacy"]["class"], "public");
  EXPECT_TRUE(j["cost_estimate_usd"].is_number());
  EXPECT_EQ(j["fallbacks"].size(), 2u);
  EXPECT_FALSE(j["rule"].get<std::string>().empty());
  EXPECT_EQ(j["x-fulcrum-route"], r.header("x-fulcrum-route"));
  EXPECT_NE(r.header("x-fulcrum-route").find("target=openai/gpt-test"), std::string::npos);
  EXPECT_NE(r.header("x-fulcrum-route").find("cost_usd=0."), std::string::npos);

  // Sensitive data: the decision names the kind and offsets, never the text.
  auto s = post_json(port(), "/v1/route/explain",
                     chat_body("auto", "mail jane.doe@example.com the report"));
  ASSERT_EQ(s.status, 200) << s.body;
  json k = json::parse(s.body);
  EXPECT_EQ(k["privacy"]["class"], "sensitive");
  EXPECT_EQ(k["rule"], "privacy");
  EXPECT_EQ(k["target"]["provider"], "local");
  EXPECT_EQ(k["fallbacks"].size(), 1u);
  EXPECT_EQ(k["privacy"]["kinds"], json::array({"email"}));
  EXPECT_EQ(s.body.find("jane.doe"), std::string::npos);

  // Anthropic-shaped body.
  auto a = post_json(port(), "/v1/route/explain?format=anthropic",
                     {{"model", "gpt"},
                      {"max_tokens", 10},
                      {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}});
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_TRUE(upstream_->requests().empty()) << "explain must not call an upstream";
}

TEST_F(GatewayTest, TierHeaderAndBudgetHeadersAreValidated) {
  auto bad = post_json(port(), "/v1/chat/completions", chat_body("gpt", "hi"),
                       {{"x-fulcrum-max-cost", "lots"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("x-fulcrum-max-cost"), std::string::npos);
  // A cap below the priced remote target's estimate leaves only the on-premises one.
  auto capped = post_json(port(), "/v1/route/explain", chat_body("auto", "hi"),
                          {{"x-fulcrum-max-cost", "0.0000001"}});
  ASSERT_EQ(capped.status, 200) << capped.body;
  EXPECT_EQ(json::parse(capped.body)["target"]["provider"], "local");
  EXPECT_EQ(json::parse(capped.body)["rule"], "budget");
}

TEST_F(GatewayTest, RequestLogHasOneLinePerRequestAndPerAttempt) {
  auto r = post_json(port(), "/v1/chat/completions", chat_body("gpt", "Hello"));
  ASSERT_EQ(r.status, 200);
  std::string id = request_id(r);
  ASSERT_FALSE(id.empty());
  std::vector<json> events;
  for (int i = 0; i < 100; ++i) {
    events = server_->events_for(id);
    if (events.size() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(events.size(), 2u) << server_->log();
  const json& attempt = events[0];
  EXPECT_EQ(attempt["event"], "upstream_attempt");
  EXPECT_EQ(attempt["provider"], "openai");
  EXPECT_EQ(attempt["attempt"], 1);
  EXPECT_EQ(attempt["upstream_status"], 200);
  EXPECT_EQ(attempt["outcome"], "ok");
  const json& req = events[1];
  EXPECT_EQ(req["event"], "request");
  EXPECT_EQ(req["status"], 200);
  EXPECT_EQ(req["endpoint"], "chat_completions");
  EXPECT_EQ(req["target"], "openai/gpt-test");
  EXPECT_EQ(req["route"], r.header("x-fulcrum-route"));
  EXPECT_EQ(req["prompt_tokens"], 19);
  EXPECT_EQ(req["completion_tokens"], 10);
  EXPECT_TRUE(req["cost_usd"].is_number());
  EXPECT_EQ(req["attempts"].size(), 1u);
}

TEST_F(GatewayTest, MetricsCountRequestsTokensLatencyAndUpstreamErrors) {
  ASSERT_EQ(post_json(port(), "/v1/chat/completions", chat_body("gpt", "Hello")).status, 200);
  upstream_->queue_fault({{"kind", "http_error"}, {"status", 500}}, 1);
  ASSERT_EQ(post_json(port(), "/v1/chat/completions", chat_body("gpt", "Hello")).status, 502);
  auto m = fulcrum::testing::http_call(port(), "GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.header("content-type").rfind("text/plain", 0), 0u);
  auto value = [&](const std::string& series) -> double {
    size_t pos = m.body.find("\n" + series + " ");
    if (pos == std::string::npos) return -1;
    return std::atof(m.body.c_str() + pos + series.size() + 2);
  };
  EXPECT_GE(value(R"(fulcrum_requests_total{endpoint="chat_completions",status="200"})"), 1);
  EXPECT_GE(value(R"(fulcrum_requests_total{endpoint="chat_completions",status="502"})"), 1);
  EXPECT_GE(value(R"(fulcrum_tokens_total{provider="openai",kind="prompt"})"), 19);
  EXPECT_GE(value(R"(fulcrum_tokens_total{provider="openai",kind="completion"})"), 10);
  EXPECT_GE(value(R"(fulcrum_upstream_errors_total{provider="openai",code="upstream_error"})"), 1);
  EXPECT_GE(value(R"(fulcrum_upstream_attempts_total{provider="openai",outcome="ok"})"), 1);
  EXPECT_GE(value(R"(fulcrum_request_duration_seconds_count{endpoint="chat_completions"})"), 2);
  EXPECT_GE(
      value(R"(fulcrum_request_duration_seconds_bucket{endpoint="chat_completions",le="+Inf"})"),
      2);
  EXPECT_GE(value(R"(fulcrum_upstream_duration_seconds_count{provider="openai"})"), 2);
  EXPECT_NE(m.body.find("# TYPE fulcrum_request_duration_seconds histogram"), std::string::npos);
  EXPECT_GE(value("fulcrum_open_connections"), 1);
}

TEST_F(GatewayTest, HealthAndModels) {
  auto h = fulcrum::testing::http_call(port(), "GET", "/health");
  ASSERT_EQ(h.status, 200);
  json j = json::parse(h.body);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["providers"]["openai"], "healthy");
  EXPECT_EQ(j["providers"]["local"], "healthy");
  auto m = fulcrum::testing::http_call(port(), "GET", "/v1/models");
  ASSERT_EQ(m.status, 200);
  json list = json::parse(m.body);
  EXPECT_EQ(list["object"], "list");
  std::set<std::string> ids;
  for (const auto& e : list["data"]) ids.insert(e["id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"auto", "gpt"}));
}

// Redaction mode: the remote target sees placeholders, the client sees its own data again.
TEST(GatewayRedaction, MaskBeforeSendingRestoreInTheReply) {
  auto remote = start_standin("-");
  ASSERT_NE(remote, nullptr);
  const char* ref = "https://platform.openai.com/docs/api-reference/chat/object";
  json whole = {
      {"id", "chatcmpl-r"},
      {"object", "chat.completion"},
      {"created", 1},
      {"model", "m"},
      {"choices", json::array({{{"index", 0},
                                {"message",
                                 {{"role", "assistant"},
                                  {"content", "I wrote to [[EMAIL_1]] about [[PHONE_1]]."}}},
                                {"finish_reason", "stop"}}})},
      {"usage", {{"prompt_tokens", 5}, {"completion_tokens", 6}, {"total_tokens", 11}}}};
  ASSERT_TRUE(
      remote
          ->add_fixture(
              {{"reference", ref},
               {"match",
                {{"path", "/v1/chat/completions"}, {"model", "gpt-test"}, {"stream", false}}},
               {"response", {{"status", 200}, {"body", whole}}}})
          .ok());
  json sse = json::array();
  for (const char* piece : {"Sent to [[EM", "AIL_", "1]] and [", "[PHONE_1]]", "."}) {
    sse.push_back({{"data",
                    {{"id", "c"},
                     {"object", "chat.completion.chunk"},
                     {"created", 1},
                     {"model", "m"},
                     {"choices", json::array({{{"index", 0},
                                               {"delta", {{"content", piece}}},
                                               {"finish_reason", nullptr}}})}}}});
  }
  sse.push_back(
      {{"data",
        {{"id", "c"},
         {"object", "chat.completion.chunk"},
         {"created", 1},
         {"model", "m"},
         {"choices",
          json::array({{{"index", 0}, {"delta", json::object()}, {"finish_reason", "stop"}}})}}}});
  sse.push_back({{"data", "[DONE]"}});
  ASSERT_TRUE(
      remote
          ->add_fixture(
              {{"reference", ref},
               {"match",
                {{"path", "/v1/chat/completions"}, {"model", "gpt-test"}, {"stream", true}}},
               {"response", {{"status", 200}, {"sse", sse}}}})
          .ok());
  // A streamed tool call whose arguments carry a placeholder split across two deltas.
  json tool_sse = json::array();
  auto tool_chunk = [](json delta, json finish) {
    return json{{"data",
                 {{"id", "c"},
                  {"object", "chat.completion.chunk"},
                  {"created", 1},
                  {"model", "m"},
                  {"choices",
                   json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}}}};
  };
  json first_call = {{"index", 0},
                     {"id", "call_1"},
                     {"type", "function"},
                     {"function", {{"name", "send"}, {"arguments", "{\"to\":\"[[EM"}}}};
  tool_sse.push_back(
      tool_chunk({{"role", "assistant"}, {"tool_calls", json::array({first_call})}}, nullptr));
  json rest = {{"index", 0}, {"function", {{"arguments", "AIL_1]]\"}"}}}};
  tool_sse.push_back(tool_chunk({{"tool_calls", json::array({rest})}}, nullptr));
  tool_sse.push_back(tool_chunk(json::object(), "tool_calls"));
  tool_sse.push_back({{"data", "[DONE]"}});
  ASSERT_TRUE(
      remote
          ->add_fixture({{"reference", std::string(ref) + " (streaming delta.tool_calls)"},
                         {"match", {{"path", "/v1/chat/completions"}, {"model", "gpt-tools"}}},
                         {"response", {{"status", 200}, {"sse", tool_sse}}}})
          .ok());
  std::string toml =
      "[server]\nport = 0\n[privacy]\nredaction = \"mask\"\n\n" +
      provider_toml("remote", "openai_compat", remote->base_url(), false, "max_retries = 0") +
      model_toml("masked", {{"remote", "gpt-test"}}, "allow_redaction = true\n") +
      model_toml("masked-tools", {{"remote", "gpt-tools"}}, "allow_redaction = true\n") +
      model_toml("strict", {{"remote", "gpt-test"}});
  ServeProcess server;
  std::string err;
  ASSERT_TRUE(server.start(toml, &err)) << err;
  const std::string email = "jane.doe@example.com", phone = "+1 415 555 0134";
  std::string prompt = "Email " + email + " and call " + phone + " please";

  auto r = post_json(server.port(), "/v1/chat/completions", chat_body("masked", prompt));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.header("x-fulcrum-route").find("privacy=redacted"), std::string::npos);
  json j = json::parse(r.body);
  EXPECT_EQ(j["choices"][0]["message"]["content"], "I wrote to " + email + " about " + phone + ".");

  auto s = post_json(server.port(), "/v1/chat/completions", chat_body("masked", prompt, true));
  ASSERT_EQ(s.status, 200) << s.body;
  std::string problem;
  json sum = summarize_openai_stream(parse_sse(s.body), &problem);
  EXPECT_EQ(problem, "");
  EXPECT_EQ(sum["text"], "Sent to " + email + " and " + phone + ".");

  auto t =
      post_json(server.port(), "/v1/chat/completions", chat_body("masked-tools", prompt, true));
  ASSERT_EQ(t.status, 200) << t.body;
  json tsum = summarize_openai_stream(parse_sse(t.body), &problem);
  EXPECT_EQ(problem, "");
  ASSERT_TRUE(tsum.contains("tool_calls")) << t.body;
  EXPECT_EQ(tsum["tool_calls"][0]["arguments"], "{\"to\":\"" + email + "\"}") << t.body;
  EXPECT_EQ(tsum["finish_reason"], "tool_calls");

  auto recorded = remote->requests();
  ASSERT_EQ(recorded.size(), 3u);
  for (const auto& rr : recorded) {
    EXPECT_EQ(rr.body.find(email), std::string::npos) << rr.body;
    EXPECT_EQ(rr.body.find("415 555"), std::string::npos) << rr.body;
    EXPECT_NE(rr.body.find("[[EMAIL_1]]"), std::string::npos) << rr.body;
  }
  // Without allow_redaction the same prompt has no target: refused, nothing sent.
  auto refused = post_json(server.port(), "/v1/chat/completions", chat_body("strict", prompt));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(remote->requests().size(), 3u);
  // Counting tokens sends nothing anywhere, so the privacy refusal does not apply to it.
  auto count = post_json(
      server.port(), "/v1/messages/count_tokens",
      {{"model", "strict"}, {"messages", json::array({{{"role", "user"}, {"content", prompt}}})}});
  EXPECT_EQ(count.status, 200) << count.body;
  EXPECT_GT(json::parse(count.body).value("input_tokens", 0), 0);
  EXPECT_EQ(remote->requests().size(), 3u);
  EXPECT_EQ(server.log().find(email), std::string::npos) << "the log must not hold the data";
  EXPECT_EQ(server.stop(), 0) << server.log();
}

TEST(GatewayDrain, SigtermFinishesInFlightStreamsThenExits) {
  auto up = start_standin("-");
  ASSERT_NE(up, nullptr);
  ASSERT_TRUE(up->add_fixture(slow_stream_fixture("slow", 10, 60)).ok());
  std::string toml = "[server]\nport = 0\ndrain_timeout_ms = 10000\n\n" +
                     provider_toml("up", "openai_compat", up->base_url(), false) +
                     model_toml("slow", {{"up", "slow"}});
  ServeProcess server;
  std::string err;
  ASSERT_TRUE(server.start(toml, &err)) << err;
  TestConnection c(server.port());
  ASSERT_TRUE(c.send_request("POST", "/v1/chat/completions", chat_body("slow", "go", true).dump(),
                             {{"content-type", "application/json"}}));
  // Wait until the upstream has the request, then ask the server to stop.
  for (int i = 0; i < 200 && up->requests().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(up->requests().size(), 1u);
  ::kill(server.pid(), SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // New connections are refused while draining.
  TestConnection late(server.port(), 1000);
  bool late_served =
      late.ok() && late.send_request("GET", "/health") && late.read_response().status == 200;
  EXPECT_FALSE(late_served);
  // The stream in flight runs to its end.
  auto r = c.read_response();
  ASSERT_EQ(r.status, 200);
  std::string problem;
  json sum = summarize_openai_stream(parse_sse(r.body), &problem);
  EXPECT_EQ(sum["done"], true) << r.body;
  EXPECT_EQ(sum["text"], " w0 w1 w2 w3 w4 w5 w6 w7 w8 w9");
  EXPECT_EQ(server.wait_exit(10000), 0) << server.log();
}

TEST(GatewayDrain, DrainDeadlineCutsLongStreamsAndStillExitsCleanly) {
  auto up = start_standin("-");
  ASSERT_NE(up, nullptr);
  ASSERT_TRUE(up->add_fixture(slow_stream_fixture("slow", 100, 100)).ok());
  std::string toml = "[server]\nport = 0\ndrain_timeout_ms = 300\n\n" +
                     provider_toml("up", "openai_compat", up->base_url(), false) +
                     model_toml("slow", {{"up", "slow"}});
  ServeProcess server;
  std::string err;
  ASSERT_TRUE(server.start(toml, &err)) << err;
  TestConnection c(server.port());
  ASSERT_TRUE(c.send_request("POST", "/v1/chat/completions", chat_body("slow", "go", true).dump(),
                             {{"content-type", "application/json"}}));
  for (int i = 0; i < 200 && up->requests().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(server.signal_and_wait(SIGTERM, 10000), 0) << server.log();
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_LT(ms, 5000) << "the drain deadline bounds the exit";
  EXPECT_TRUE(c.wait_closed());
}

TEST(GatewayStartup, ListensOnLoopbackByDefault) {
  ServeProcess server;
  std::string err;
  ASSERT_TRUE(server.start("[server]\nport = 0\n", &err)) << err;
  EXPECT_NE(server.listen_line().find("http://127.0.0.1:"), std::string::npos)
      << server.listen_line();
  // /proc/net/tcp lists the listening socket with local address 127.0.0.1 (0100007F).
  std::ifstream tcp("/proc/net/tcp");
  std::string line;
  char want[16];
  std::snprintf(want, sizeof want, ":%04X", server.port());
  bool found = false;
  while (std::getline(tcp, line)) {
    if (line.find(want) == std::string::npos || line.find(" 0A ") == std::string::npos) continue;
    found = true;
    EXPECT_NE(line.find("0100007F" + std::string(want)), std::string::npos) << line;
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(server.signal_and_wait(SIGTERM, 10000), 0);
}

TEST(GatewayStartup, TheDocumentedExampleConfigLoads) {
  // docs/fulcrum.example.toml must stay valid; no health checks, so nothing is contacted.
  ServeProcess server;
  std::string err;
  ASSERT_TRUE(
      server.start(read_text(source_dir() + "/docs/fulcrum.example.toml"), &err, {"--port", "0"}))
      << err;
  auto m = fulcrum::testing::http_call(server.port(), "GET", "/v1/models");
  ASSERT_EQ(m.status, 200);
  for (const char* name : {"auto", "private", "best", "embed"})
    EXPECT_NE(m.body.find(std::string("\"") + name + "\""), std::string::npos) << name;
  auto e = post_json(
      server.port(), "/v1/route/explain",
      {{"model", "auto"},
       {"messages", json::array({{{"role", "user"}, {"content", "My id is EMP-123456, help"}}})}});
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(json::parse(e.body)["privacy"]["kinds"], json::array({"employee_id"}));
  EXPECT_EQ(json::parse(e.body)["target"]["provider"], "local");
  EXPECT_EQ(server.signal_and_wait(SIGTERM, 10000), 0);
}

TEST(GatewayStartup, ConfigErrorsNameTheKeyAndLine) {
  TempDir dir;
  struct Bad {
    std::string toml, must_say;
  };
  std::vector<Bad> cases = {
      {"[server]\nport = 0\nprot = 1\n", "'prot'"},
      {"[server]\nport = 0\n[servre]\nport = 1\n", "'servre'"},
      {"[providers.a]\nkind = \"openai_compat\"\nbase_url = \"http://127.0.0.1:9/v1\"\n"
       "api_keyy = \"k\"\n",
       "'api_keyy'"},
      {"[providers.a]\nkind = \"openai_compat\"\nbase_url = \"http://127.0.0.1:9/v1\"\n"
       "[models.m]\ntargets = [{ provider = \"a\", model = \"x\", weight = 2 }]\n",
       "'weight'"},
      {"[privacy]\nredaction = \"mask\"\nredact = true\n", "'redact'"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].toml);
    std::string path = dir.file("bad" + std::to_string(i) + ".toml");
    std::ofstream(path) << cases[i].toml;
    auto r = run_fulcrum({"serve", "--config", path});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(cases[i].must_say), std::string::npos) << r.output;
    EXPECT_TRUE(std::regex_search(r.output, std::regex("line [0-9]+"))) << r.output;
  }
  auto usage = run_fulcrum({"serve"});
  EXPECT_EQ(usage.exit_code, 2);
}

}  // namespace
}  // namespace fulcrum::e2e
