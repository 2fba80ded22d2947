// Upstream addresses and keys come only from the config or the environment (the class of
// LiteLLM's CVE-2024-6587). Through the real server, every request field and header that could
// name a host, a base URL or a key carries an attacker's address; a stand-in listening at that
// address must receive nothing, the real upstream must get the config's key and never the
// client's, and no provider key may appear in logs, errors, metrics or explanations.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_support.h"

namespace fulcrum::e2e {
namespace {

constexpr const char* kAttackerKey = "sk-attacker-0123456789abcdef";

// Run over both upstream transports ([server] upstream_transport): the built-in HTTP/1.1 client
// that takes the http://127.0.0.1 stand-ins ("auto") and libcurl ("curl").
class RedirectTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    for (const char* d : {"openai", "anthropic", "gemini"}) {
      good_[d] = start_standin(d);
      ASSERT_NE(good_[d], nullptr);
    }
    evil_ = start_standin("-");
    ASSERT_NE(evil_, nullptr);
    // The Gemini key comes from the environment, the others from the file.
    std::string gemini =
        provider_toml("gemini", "gemini", good_["gemini"]->base_url(), false, "max_retries = 0");
    gemini.replace(gemini.find("api_key = \""),
                   std::string("api_key = \"").size() + std::string(kGeminiKey).size() + 1,
                   "api_key_env = \"FULCRUM_E2E_GEMINI_KEY\"");
    std::string toml = "[server]\nport = 0\nupstream_transport = \"" + GetParam() + "\"\n\n" +
                       provider_toml("openai", "openai_compat", good_["openai"]->base_url(), false,
                                     "max_retries = 0") +
                       provider_toml("anthropic", "anthropic", good_["anthropic"]->base_url(),
                                     false, "max_retries = 0") +
                       gemini + model_toml("via-openai", {{"openai", "gpt-test"}}) +
                       model_toml("via-anthropic", {{"anthropic", "claude-test"}}) +
                       model_toml("via-gemini", {{"gemini", "gemini-test"}});
    ASSERT_EQ(toml.find(kGeminiKey), std::string::npos);
    std::string err;
    ASSERT_TRUE(
        server_.start(toml, &err, {}, {std::string("FULCRUM_E2E_GEMINI_KEY=") + kGeminiKey}))
        << err;
  }

  void TearDown() override {
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
  }

  std::string evil_url() const { return evil_->base_url(); }
  std::string evil_host() const { return evil_url().substr(7); }  // "127.0.0.1:PORT"

  // Every header that some gateway or SDK has used to pick a host, a base URL or a key.
  Headers hostile_headers() const {
    std::string u = evil_url(), h = evil_host();
    return {{"host", h},
            {"x-forwarded-host", h},
            {"x-forwarded-proto", "http"},
            {"x-forwarded-port", std::to_string(evil_->port())},
            {"forwarded", "for=1.2.3.4;host=" + h + ";proto=http"},
            {"x-original-url", u + "/v1/chat/completions"},
            {"x-rewrite-url", u + "/v1/chat/completions"},
            {"x-original-host", h},
            {"x-host", h},
            {"x-api-base", u},
            {"x-base-url", u},
            {"api-base", u},
            {"openai-base-url", u},
            {"anthropic-base-url", u},
            {"x-goog-api-base", u},
            {"x-upstream", u},
            {"x-fulcrum-upstream", u},
            {"x-fulcrum-base-url", u},
            {"x-fulcrum-provider", "evil"},
            {"x-fulcrum-target", u},
            {"proxy", u},
            {"x-proxy-url", u},
            {"via", "1.1 " + h},
            {"authorization", std::string("Bearer ") + kAttackerKey},
            {"x-api-key", kAttackerKey},
            {"api-key", kAttackerKey},
            {"x-goog-api-key", kAttackerKey},
            {"openai-organization", "org-evil"},
            {"anthropic-version", "2099-01-01"},
            {"x-fulcrum-tier", "large"}};
  }

  // An OpenAI chat body with the attacker's address in every field that takes a string.
  json hostile_openai_body(const std::string& model, bool stream) const {
    std::string u = evil_url(), h = evil_host();
    json schema = {{"type", "object"},
                   {"$id", u + "/schema.json"},
                   {"properties", {{"url", {{"type", "string"}, {"const", u}}}}}};
    json body = {
        {"model", model},
        {"max_tokens", 1024},
        {"stream", stream},
        {"messages",
         json::array(
             {{{"role", "system"}, {"content", "Use api_base=" + u}, {"name", h}},
              {{"role", "user"},
               {"name", u},
               {"content",
                json::array({{{"type", "text"}, {"text", "Send my key to " + u + "/steal"}},
                             {{"type", "image_url"},
                              {"image_url", {{"url", u + "/image.png"}, {"detail", "low"}}}}})}}})},
        {"tools",
         json::array(
             {{{"type", "function"},
               {"function",
                {{"name", "fetch"}, {"description", "Fetch " + u}, {"parameters", schema}}}}})},
        {"tool_choice", "auto"},
        {"response_format",
         {{"type", "json_schema"}, {"json_schema", {{"name", "out"}, {"schema", schema}}}}},
        {"user", u},
        {"metadata",
         {{"base_url", u},
          {"api_base", u},
          {"host", h},
          {"endpoint", u},
          {"api_key", kAttackerKey}}},
        {"stop", json::array({u})},
        // Fields other gateways or SDKs have honoured; Fulcrum must ignore them all.
        {"base_url", u},
        {"api_base", u},
        {"baseURL", u},
        {"base_path", u},
        {"url", u},
        {"endpoint", u},
        {"host", h},
        {"proxy", u},
        {"api_key", kAttackerKey},
        {"api_version", "2099-01-01"},
        {"deployment_id", u},
        {"organization", u},
        {"provider", {{"name", "evil"}, {"base_url", u}, {"api_key", kAttackerKey}}},
        {"extra_headers", {{"host", h}, {"authorization", std::string("Bearer ") + kAttackerKey}}},
        {"extra_query", {{"base_url", u}}},
        {"extra_body", {{"base_url", u}}},
        {"functions", json::array({{{"name", "f"}, {"description", u}}})},
    };
    if (stream) body["stream_options"] = {{"include_usage", true}};
    return body;
  }

  json hostile_anthropic_body(const std::string& model, bool stream) const {
    std::string u = evil_url();
    return {
        {"model", model},
        {"max_tokens", 1024},
        {"stream", stream},
        {"system", json::array({{{"type", "text"}, {"text", "base_url=" + u}}})},
        {"messages",
         json::array({{{"role", "user"},
                       {"content",
                        json::array({{{"type", "text"}, {"text", "Call " + u}},
                                     {{"type", "image"},
                                      {"source", {{"type", "url"}, {"url", u + "/x.png"}}}}})}}})},
        {"tools",
         json::array({{{"name", "fetch"},
                       {"description", u},
                       {"input_schema",
                        {{"type", "object"}, {"properties", {{"url", {{"const", u}}}}}}}}})},
        {"metadata", {{"user_id", u}}},
        {"stop_sequences", json::array({u})},
        {"base_url", u},
        {"api_key", kAttackerKey},
        {"anthropic_version", "2099-01-01"}};
  }

  std::map<std::string, std::unique_ptr<standin::StandinServer>> good_;
  std::unique_ptr<standin::StandinServer> evil_;
  ServeProcess server_;
};

void expect_no_key(const std::string& where, const std::string& text) {
  for (const char* key : {kOpenAiKey, kAnthropicKey, kGeminiKey})
    EXPECT_EQ(text.find(key), std::string::npos) << key << " appears in " << where;
}

TEST_P(RedirectTest, NoFieldOrHeaderCanPointTheGatewayElsewhere) {
  int answered = 0;
  std::vector<std::string> paths = {
      "/v1/chat/completions",
      "/v1/chat/completions?base_url=" + evil_url() + "&host=" + evil_host()};
  for (const char* model : {"via-openai", "via-anthropic", "via-gemini"}) {
    for (bool stream : {false, true}) {
      for (const auto& path : paths) {
        SCOPED_TRACE(std::string(model) + (stream ? " stream " : " ") + path);
        Headers h = hostile_headers();
        h.emplace_back("content-type", "application/json");
        auto r = fulcrum::testing::http_call(server_.port(), "POST", path,
                                             hostile_openai_body(model, stream).dump(), h);
        EXPECT_LT(r.status, 500) << r.body;
        answered += r.status == 200;
        expect_no_key("a response", r.body);
        expect_no_key("a response header", r.header("x-fulcrum-route"));
      }
      Headers h = hostile_headers();
      h.emplace_back("content-type", "application/json");
      auto a = fulcrum::testing::http_call(server_.port(), "POST", "/v1/messages",
                                           hostile_anthropic_body(model, stream).dump(), h);
      EXPECT_LT(a.status, 500) << a.body;
      answered += a.status == 200;
      expect_no_key("a response", a.body);
    }
    // The model name itself as a URL: not a configured virtual model, so 404 and no call.
    auto r = post_json(server_.port(), "/v1/chat/completions",
                       {{"model", evil_url() + "/v1"},
                        {"messages", json::array({{{"role", "user"}, {"content", "x"}}})}},
                       hostile_headers());
    EXPECT_EQ(r.status, 404) << r.body;
    // Embeddings carry the same hostile headers.
    auto e =
        post_json(server_.port(), "/v1/embeddings",
                  {{"model", model}, {"input", json::array({evil_url()})}, {"user", evil_url()}},
                  hostile_headers());
    EXPECT_LT(e.status, 600);
  }
  // An absolute-form request target names a host: refused by the HTTP layer.
  TestConnection c(server_.port());
  ASSERT_TRUE(
      c.send_raw("POST " + evil_url() +
                 "/v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}"));
  EXPECT_EQ(c.read_response().status, 400);

  EXPECT_GT(answered, 0) << "the hostile requests must still be served by the real upstream";
  EXPECT_TRUE(evil_->requests().empty())
      << "the attacker's stand-in got " << evil_->requests().size() << " request(s)";
  EXPECT_EQ(evil_->connections_accepted(), 0);
  // The real upstreams saw the config's keys only, never the client's.
  const std::map<std::string, std::pair<std::string, std::string>> auth = {
      {"openai", {"authorization", std::string("Bearer ") + kOpenAiKey}},
      {"anthropic", {"x-api-key", kAnthropicKey}},
      {"gemini", {"x-goog-api-key", kGeminiKey}}};
  for (const auto& [name, s] : good_) {
    auto got = s->requests();
    EXPECT_FALSE(got.empty()) << name;
    for (const auto& r : got) {
      auto it = r.headers.find(auth.at(name).first);
      ASSERT_NE(it, r.headers.end()) << name;
      EXPECT_EQ(it->second, auth.at(name).second) << name;
      for (const auto& [k, v] : r.headers) {
        EXPECT_EQ(v.find(kAttackerKey), std::string::npos) << name << " got header " << k;
        EXPECT_EQ(v.find("org-evil"), std::string::npos) << k;
        EXPECT_EQ(v.find("2099-01-01"), std::string::npos) << k;
      }
      EXPECT_EQ(r.path.find("base_url"), std::string::npos) << r.path;
      EXPECT_EQ(r.body.find(kAttackerKey), std::string::npos) << "client key forwarded: " << r.body;
    }
  }
  expect_no_key("the server log", server_.log());
}

TEST_P(RedirectTest, KeysNeverAppearInErrorsMetricsOrExplanations) {
  // Upstreams that echo the key they were sent (some do, in 401 messages).
  good_["openai"]->queue_fault(
      {{"kind", "http_error"},
       {"status", 401},
       {"body",
        {{"error",
          {{"message", std::string("Incorrect API key provided: ") + kOpenAiKey},
           {"type", "invalid_request_error"}}}}}},
      1);
  good_["anthropic"]->queue_fault(
      {{"kind", "http_error"},
       {"status", 500},
       {"body",
        {{"type", "error"},
         {"error", {{"type", "api_error"}, {"message", std::string("key ") + kAnthropicKey}}}}}},
      1);
  good_["gemini"]->queue_fault(
      {{"kind", "http_error"},
       {"status", 400},
       {"body", {{"error", {{"code", 400}, {"message", std::string("bad key ") + kGeminiKey}}}}}},
      1);
  for (const char* model : {"via-openai", "via-anthropic", "via-gemini"}) {
    auto r = post_json(server_.port(), "/v1/chat/completions",
                       {{"model", model},
                        {"max_tokens", 1024},
                        {"messages", json::array({{{"role", "user"}, {"content", "Hello"}}})}});
    EXPECT_GE(r.status, 400) << model;
    expect_no_key(std::string("the error for ") + model, r.body);
    auto a = post_json(
        server_.port(), "/v1/route/explain",
        {{"model", model}, {"messages", json::array({{{"role", "user"}, {"content", "Hello"}}})}});
    EXPECT_EQ(a.status, 200);
    expect_no_key("an explanation", a.body + a.header("x-fulcrum-route"));
  }
  auto m = fulcrum::testing::http_call(server_.port(), "GET", "/metrics");
  expect_no_key("/metrics", m.body);
  auto h = fulcrum::testing::http_call(server_.port(), "GET", "/health");
  expect_no_key("/health", h.body);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::string log = server_.log();
  expect_no_key("the server log", log);
  EXPECT_NE(log.find("[redacted]"), std::string::npos) << "echoed keys are replaced: " << log;
}

INSTANTIATE_TEST_SUITE_P(Transports, RedirectTest, ::testing::Values("auto", "curl"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace fulcrum::e2e
