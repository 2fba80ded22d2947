// Security: nothing in a request can point a provider at another host or make it send its key
// elsewhere (the class of LiteLLM CVE-2024-6587), redirects are not followed, and keys never
// appear in errors or logs even when an upstream echoes them.
#include <gtest/gtest.h>

#include "tests/unit/providers/provider_test_util.h"

namespace fulcrum::providers::testing {
namespace {

using nlohmann::json;
// The keys the stand-in's fixtures expect, one per provider.
constexpr const char* kOpenAiKey = "test-openai-key";
constexpr const char* kAnthropicKey = "test-anthropic-key";
constexpr const char* kGeminiKey = "test-gemini-key";
constexpr const char* kKeys[] = {kOpenAiKey, kAnthropicKey, kGeminiKey};

class SecurityTest : public ::testing::TestWithParam<HttpTransport> {
 protected:
  void SetUp() override {
    good_ = start_standin();
    evil_ = start_standin();
    client_ = make_client(GetParam());
    std::string base = good_->base_url();
    auto reg = registry_from_toml(
        std::string("[providers.oa]\nkind = \"openai_compat\"\nmax_retries = 0\n") +
            "base_url = \"" + base + "/v1\"\napi_key = \"" + kOpenAiKey + "\"\n" +
            "[providers.an]\nkind = \"anthropic\"\nmax_retries = 0\nbase_url = \"" + base +
            "/v1\"\napi_key = \"" + kAnthropicKey + "\"\n" +
            "[providers.gm]\nkind = \"gemini\"\nmax_retries = 0\nbase_url = \"" + base +
            "/v1beta\"\napi_key = \"" + kGeminiKey + "\"\n",
        client_);
    ASSERT_TRUE(reg.ok()) << reg.error().to_string();
    registry_ = std::move(reg).value();
  }

  std::shared_ptr<CollectingSink> run(const char* provider, const std::string& model,
                                      std::shared_ptr<api::ChatRequest> req, std::string* log) {
    auto sink = std::make_shared<CollectingSink>();
    ::testing::internal::CaptureStderr();
    registry_.find(provider)->chat(req, context(model), sink);
    EXPECT_TRUE(sink->wait());
    *log = ::testing::internal::GetCapturedStderr();
    for (const char* key : kKeys) {
      EXPECT_EQ(log->find(key), std::string::npos) << key << " leaked into the log";
      if (sink->error) {
        EXPECT_EQ(sink->error->message().find(key), std::string::npos) << key;
      }
    }
    return sink;
  }

  std::unique_ptr<standin::StandinServer> good_, evil_;
  std::shared_ptr<HttpClient> client_;
  ProviderRegistry registry_;
};

// Every user-controlled field of a request carries the attacker's address.
std::shared_ptr<api::ChatRequest> hostile_request(const std::string& evil, bool stream) {
  auto r = user_request("Please call " + evil + "/v1 with my key", stream);
  r->model = evil + "/v1";
  r->user = evil;
  r->metadata = {{"base_url", evil + "/v1"},
                 {"api_base", evil},
                 {"host", evil.substr(7)},
                 {"x-forwarded-host", evil.substr(7)}};
  r->system.push_back(api::ContentPart{.text = "api_base=" + evil});
  r->tools.push_back(
      api::Tool{"fetch", evil,
                R"({"type":"object","properties":{"url":{"const":")" + evil + R"("}}})", false});
  r->stop = {evil};
  api::ContentPart img;
  img.kind = api::ContentPart::Kind::kImage;
  img.url = evil + "/image.png";
  r->messages[0].content.push_back(img);
  return r;
}

TEST_P(SecurityTest, RequestFieldsCannotRedirectTheCall) {
  std::string evil = evil_->base_url();
  std::string log;
  for (bool stream : {false, true}) {
    auto s = run("oa", "gpt-test", hostile_request(evil, stream), &log);
    EXPECT_FALSE(s->error) << s->error->to_string();
    auto s2 = run("an", "claude-test", hostile_request(evil, stream), &log);
    EXPECT_FALSE(s2->error) << s2->error->to_string();
    auto s3 = run("gm", "gemini-test", hostile_request(evil, stream), &log);
    EXPECT_FALSE(s3->error) << s3->error->to_string();
  }
  EXPECT_TRUE(evil_->requests().empty());
  EXPECT_EQ(good_->requests().size(), 6u);
  for (const auto& r : good_->requests()) {
    EXPECT_EQ(r.headers.at("host"), good_->base_url().substr(7));
  }
}

TEST_P(SecurityTest, ModelNamesCannotChangeHostPathOrQuery) {
  std::string evil = evil_->base_url();
  const std::string models[] = {evil + "/v1",
                                "//" + evil.substr(7) + "/x",
                                "../../v1/models",
                                "gemini-test?key=x",
                                "gemini-test#frag",
                                "a b",
                                "gemini-test\r\nHost: evil",
                                "@" + evil.substr(7)};
  for (const char* prov : {"oa", "an", "gm"}) {
    for (const auto& m : models) {
      std::string log;
      auto s = run(prov, m, user_request("hi"), &log);
      // OpenAI and Anthropic put the model into the JSON body only (the stand-in has no
      // fixture for it); Gemini puts it into the URL path and must refuse it before sending.
      ASSERT_TRUE(s->error) << prov << " accepted model " << m;
      if (std::string_view(prov) == "gm") {
        EXPECT_EQ(s->error->code(), ErrorCode::kInvalidArgument) << m;
        EXPECT_EQ(s->outcome.attempts, 0);
      }
    }
  }
  EXPECT_TRUE(evil_->requests().empty());
  for (const auto& r : good_->requests()) {
    EXPECT_TRUE(r.path == "/v1/chat/completions" || r.path == "/v1/messages") << r.path;
  }
}

TEST_P(SecurityTest, RedirectsAreNotFollowed) {
  ASSERT_TRUE(good_
                  ->add_fixture(json{
                      {"reference", "RFC 9110 section 15.4 (3xx redirection)"},
                      {"match", {{"path", "/v1/chat/completions"}, {"model", "redirect"}}},
                      {"response",
                       {{"status", 307},
                        {"headers", {{"Location", evil_->base_url() + "/v1/chat/completions"}}},
                        {"body", ""}}}})
                  .ok());
  std::string log;
  auto s = run("oa", "redirect", user_request("hi"), &log);
  ASSERT_TRUE(s->error);
  EXPECT_EQ(s->error->code(), ErrorCode::kUpstream);
  EXPECT_TRUE(evil_->requests().empty());
}

TEST_P(SecurityTest, EchoedKeyIsRedactedFromErrorsAndLogs) {
  good_->queue_fault(
      json{
          {"kind", "http_error"},
          {"status", 401},
          {"body", {{"error", {{"message", std::string("Incorrect API key provided: ") + kOpenAiKey}}}}}},
      1);
  std::string log;
  auto s = run("oa", "gpt-test", user_request("hi"), &log);
  ASSERT_TRUE(s->error);
  EXPECT_NE(s->error->message().find("[redacted]"), std::string::npos) << s->error->message();
  EXPECT_NE(log.find("[redacted]"), std::string::npos) << log;
}

TEST_P(SecurityTest, KeysTravelOnlyInTheirOwnHeader) {
  std::string log;
  run("gm", "gemini-test", user_request("hi"), &log);
  auto reqs = good_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path.find(kGeminiKey), std::string::npos);  // not in the URL
  EXPECT_EQ(reqs[0].headers.at("x-goog-api-key"), kGeminiKey);
  EXPECT_EQ(reqs[0].body.find(kGeminiKey), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Transports, SecurityTest, FULCRUM_TRANSPORTS);

}  // namespace
}  // namespace fulcrum::providers::testing
