// Fault injection through the real server. One driver; the cases are files in
// tests/e2e/cases/faults/ (see its README.md): the upstream dialect, extra provider settings, a
// fault the stand-in plays for the next N requests, the inbound request, and what the client
// must get (status, headers, error shape, stream error) plus how many attempts the request log
// and the stand-in must show. Every case also checks that the server is still serving. Each case
// runs over both upstream transports ([server] upstream_transport): the built-in HTTP/1.1 client
// ("auto": the stand-ins are http://127.0.0.1) and libcurl ("curl").
#include <gtest/gtest.h>

#include "tests/e2e/e2e_support.h"
#include "tests/e2e/sse_summary.h"

namespace fulcrum::e2e {
namespace {

struct FaultCase {
  std::string file;
  json data;
};

void PrintTo(const FaultCase& c, std::ostream* os) {
  *os << std::filesystem::path(c.file).filename().string();
}

std::vector<FaultCase> load_cases() {
  std::vector<FaultCase> out;
  for (const auto& f : json_files(cases_dir("faults")))
    out.push_back({f, json::parse(read_text(f), nullptr, false)});
  return out;
}

const std::map<std::string, std::pair<std::string, std::string>> kDialects = {
    // name -> provider kind, upstream model with fixtures
    {"openai", {"openai_compat", "gpt-test"}},
    {"anthropic", {"anthropic", "claude-test"}},
    {"gemini", {"gemini", "gemini-test"}},
};

json inbound_body(const std::string& path, bool stream) {
  json msgs = json::array({{{"role", "user"}, {"content", "Hello"}}});
  json b = {{"model", "m"}, {"max_tokens", 1024}, {"messages", msgs}};
  if (stream) b["stream"] = true;
  return b;
}

class FaultTest : public ::testing::TestWithParam<std::tuple<FaultCase, std::string>> {};

TEST_P(FaultTest, Case) {
  const FaultCase& fc = std::get<0>(GetParam());
  const std::string& transport = std::get<1>(GetParam());
  const json& c = fc.data;
  ASSERT_TRUE(c.is_object()) << fc.file;
  ASSERT_TRUE(c.contains("reference")) << "say which reference the behaviour follows";
  std::string dialect = c.value("upstream", "openai");
  bool refused = dialect == "refused";
  auto [kind, upstream_model] = kDialects.at(refused ? "openai" : dialect);
  auto standin = start_standin(refused ? "-" : dialect);
  ASSERT_NE(standin, nullptr);
  std::string base = standin->base_url();
  if (refused) standin.reset();  // nothing listens there any more

  std::string toml = "[server]\nport = 0\nupstream_transport = \"" + transport + "\"\n\n" +
                     provider_toml("up", kind, base, false, c.value("provider", "")) +
                     model_toml("m", {{"up", upstream_model}});
  ServeProcess server;
  std::string err;
  ASSERT_TRUE(server.start(toml, &err)) << err;
  if (c.contains("fault")) standin->queue_fault(c["fault"], c.value("times", 1));

  const json& req = c["request"];
  std::string path = req.value("path", "/v1/chat/completions");
  bool stream = req.value("stream", false);
  auto t0 = std::chrono::steady_clock::now();
  auto r = post_json(server.port(), path, inbound_body(path, stream));
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const json& want = c["expect"];
  ASSERT_EQ(r.status, want["status"].get<int>()) << r.body << "\n" << server.log();
  EXPECT_FALSE(r.header("x-fulcrum-route").empty());
  if (want.contains("headers")) {
    for (auto it = want["headers"].begin(); it != want["headers"].end(); ++it)
      EXPECT_EQ(r.header(it.key()), it.value().get<std::string>()) << it.key();
  }
  if (want.contains("max_ms")) {
    EXPECT_LT(ms, want["max_ms"].get<double>());
  }
  if (want.contains("min_ms")) {
    EXPECT_GE(ms, want["min_ms"].get<double>());
  }

  if (want.contains("error")) {  // a JSON error in the inbound dialect
    json body = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r.body;
    const json& e = body["error"];
    EXPECT_EQ(json_diff(want["error"], e), "") << r.body;
  }
  if (want.contains("stream")) {  // a started stream: content, then an error event
    ASSERT_EQ(r.header("content-type"), "text/event-stream") << r.body;
    std::string problem;
    auto events = parse_sse(r.body);
    json sum = path == "/v1/messages" ? summarize_anthropic_stream(events, &problem)
                                      : summarize_openai_stream(events, &problem);
    EXPECT_EQ(json_diff(want["stream"], sum), "") << sum.dump() << "\n" << r.body;
  }

  // One log entry per upstream attempt (matching what the stand-in saw), then the request line.
  std::string id = request_id(r);
  ASSERT_FALSE(id.empty());
  std::vector<json> events;
  int want_attempts = want["attempts"];
  for (int i = 0; i < 200; ++i) {
    events = server.events_for(id);
    if (!events.empty() && events.back()["event"] == "request") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(events.empty()) << server.log();
  EXPECT_EQ(events.back()["event"], "request");
  EXPECT_EQ(events.back()["status"], want["status"]);
  std::vector<std::string> outcomes;
  for (const auto& e : events)
    if (e["event"] == "upstream_attempt") outcomes.push_back(e["outcome"]);
  EXPECT_EQ(static_cast<int>(outcomes.size()), want_attempts) << server.log();
  if (want.contains("outcomes")) {
    EXPECT_EQ(json(outcomes), want["outcomes"]) << server.log();
  }
  if (standin) {
    EXPECT_EQ(static_cast<int>(standin->requests().size()), want_attempts);
    standin->reset();
  }
  // Still serving, and no provider key anywhere the client or the log can see.
  auto health = fulcrum::testing::http_call(server.port(), "GET", "/health");
  EXPECT_EQ(health.status, 200);
  for (const char* key : {kOpenAiKey, kAnthropicKey, kGeminiKey}) {
    EXPECT_EQ(r.body.find(key), std::string::npos);
    EXPECT_EQ(server.log().find(key), std::string::npos);
  }
  EXPECT_EQ(server.signal_and_wait(SIGTERM, 10000), 0) << server.log();
}

std::string case_name(const ::testing::TestParamInfo<std::tuple<FaultCase, std::string>>& info) {
  std::string stem = std::filesystem::path(std::get<0>(info.param).file).stem().string();
  for (char& ch : stem)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return stem + "_" + std::get<1>(info.param);
}

INSTANTIATE_TEST_SUITE_P(Cases, FaultTest,
                         ::testing::Combine(::testing::ValuesIn(load_cases()),
                                            ::testing::Values("auto", "curl")),
                         case_name);

}  // namespace
}  // namespace fulcrum::e2e
