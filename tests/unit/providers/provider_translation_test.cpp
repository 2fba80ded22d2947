// Drives the openai_compat, anthropic and gemini providers against the stand-in upstream's
// fixtures (tests/standin/fixtures, each written from the provider's public API reference):
// requests must satisfy the fixture's expectations (auth headers, translated body), replies
// must come back as the right internal types, streamed and whole, tool calls included.
#include <gtest/gtest.h>

#include "tests/unit/providers/provider_test_util.h"

namespace fulcrum::providers::testing {
namespace {

class TranslationTest : public ::testing::TestWithParam<HttpTransport> {
 protected:
  void SetUp() override {
    standin_ = start_standin();
    client_ = make_client(GetParam());
    std::string base = standin_->base_url();
    auto reg = registry_from_toml("[providers.oa]\nkind = \"openai_compat\"\nbase_url = \"" + base +
                                      "/v1\"\napi_key = \"test-openai-key\"\n"
                                      "[providers.an]\nkind = \"anthropic\"\nbase_url = \"" +
                                      base +
                                      "/v1\"\napi_key = \"test-anthropic-key\"\n"
                                      "[providers.gm]\nkind = \"gemini\"\nbase_url = \"" +
                                      base + "/v1beta\"\napi_key = \"test-gemini-key\"\n",
                                  client_);
    ASSERT_TRUE(reg.ok()) << reg.error().to_string();
    registry_ = std::move(reg).value();
  }

  std::shared_ptr<CollectingSink> run(const char* provider, const char* model,
                                      std::shared_ptr<api::ChatRequest> req) {
    auto sink = std::make_shared<CollectingSink>();
    registry_.find(provider)->chat(req, context(model), sink);
    EXPECT_TRUE(sink->wait());
    if (sink->error) ADD_FAILURE() << provider << ": " << sink->error->to_string();
    return sink;
  }

  static std::shared_ptr<api::ChatRequest> with_tool(std::shared_ptr<api::ChatRequest> r) {
    r->tools.push_back(api::Tool{"get_weather", "Get the weather",
                                 R"({"type":"object","properties":{"location":{"type":"string"}}})",
                                 false});
    r->tool_choice = api::ToolChoice{};
    return r;
  }

  std::unique_ptr<standin::StandinServer> standin_;
  std::shared_ptr<HttpClient> client_;
  ProviderRegistry registry_;
};

TEST_P(TranslationTest, OpenAiChatWhole) {
  auto s = run("oa", "gpt-test", user_request("Hello"));
  ASSERT_TRUE(s->response);
  ASSERT_EQ(s->response->choices.size(), 1u);
  EXPECT_EQ(s->response->choices[0].message.text(), "Hello! How can I assist you today?");
  EXPECT_EQ(s->response->choices[0].finish_reason, api::FinishReason::kStop);
  ASSERT_TRUE(s->response->usage);
  EXPECT_EQ(s->response->usage->prompt_tokens, 19);
  EXPECT_EQ(s->response->usage->completion_tokens, 10);
  EXPECT_EQ(s->outcome.attempts, 1);
  EXPECT_EQ(s->outcome.upstream_status, 200);
  EXPECT_TRUE(s->chunks.empty());
}

TEST_P(TranslationTest, OpenAiChatStream) {
  auto s = run("oa", "gpt-test", user_request("Hello", true));
  EXPECT_FALSE(s->response);
  EXPECT_EQ(s->text(), "Hello there!");
  ASSERT_FALSE(s->chunks.empty());
  EXPECT_EQ(s->chunks.front().role, api::Role::kAssistant);
  bool saw_stop = false, saw_usage = false;
  for (const auto& c : s->chunks) {
    saw_stop |= c.finish_reason == api::FinishReason::kStop;
    if (c.usage) {
      saw_usage = true;
      EXPECT_EQ(c.usage->completion_tokens, 10);
    }
  }
  EXPECT_TRUE(saw_stop);
  EXPECT_TRUE(saw_usage);
  EXPECT_TRUE(s->outcome.tokens_sent);
}

TEST_P(TranslationTest, OpenAiToolCallWholeAndStream) {
  auto whole = run("oa", "gpt-test-tools", with_tool(user_request("Weather in Boston?")));
  ASSERT_TRUE(whole->response);
  const auto& msg = whole->response->choices.at(0).message;
  ASSERT_EQ(msg.tool_calls.size(), 1u);
  EXPECT_EQ(msg.tool_calls[0].id, "call_abc123");
  EXPECT_EQ(msg.tool_calls[0].name, "get_weather");
  EXPECT_EQ(msg.tool_calls[0].arguments, R"({"location":"Boston, MA"})");
  EXPECT_EQ(whole->response->choices[0].finish_reason, api::FinishReason::kToolCalls);

  auto st = run("oa", "gpt-test-tools", with_tool(user_request("Weather in Boston?", true)));
  std::string args, name, id;
  for (const auto& c : st->chunks) {
    for (const auto& d : c.tool_calls) {
      EXPECT_EQ(d.index, 0);
      args += d.arguments;
      if (!d.name.empty()) name = d.name;
      if (!d.id.empty()) id = d.id;
    }
  }
  EXPECT_EQ(args, R"({"location":"Boston, MA"})");
  EXPECT_EQ(name, "get_weather");
  EXPECT_EQ(id, "call_abc123");
}

TEST_P(TranslationTest, AnthropicWholeStreamAndTools) {
  auto s = run("an", "claude-test", user_request("Hello"));
  ASSERT_TRUE(s->response);
  EXPECT_EQ(s->response->choices.at(0).message.text(), "Hi! My name is Claude.");
  EXPECT_EQ(s->response->choices[0].finish_reason, api::FinishReason::kStop);
  ASSERT_TRUE(s->response->usage);
  EXPECT_EQ(s->response->usage->completion_tokens, 503);

  auto st = run("an", "claude-test", user_request("Hello", true));
  EXPECT_EQ(st->text(), "Hello!");
  bool stop = false;
  for (const auto& c : st->chunks) stop |= c.finish_reason == api::FinishReason::kStop;
  EXPECT_TRUE(stop);

  auto t = run("an", "claude-test-tools", with_tool(user_request("Weather in SF?")));
  ASSERT_TRUE(t->response);
  const auto& m = t->response->choices.at(0).message;
  ASSERT_EQ(m.tool_calls.size(), 1u);
  EXPECT_EQ(m.tool_calls[0].id, "toolu_01A09q90qw90lq917835lq9");
  EXPECT_EQ(m.tool_calls[0].name, "get_weather");
  EXPECT_NE(m.tool_calls[0].arguments.find("San Francisco, CA"), std::string::npos);
  EXPECT_EQ(t->response->choices[0].finish_reason, api::FinishReason::kToolCalls);

  auto ts = run("an", "claude-test-tools", with_tool(user_request("Weather in SF?", true)));
  std::string args;
  for (const auto& c : ts->chunks) {
    for (const auto& d : c.tool_calls) args += d.arguments;
  }
  EXPECT_EQ(args, R"({"location": "San Francisco, CA"})");
  EXPECT_EQ(ts->text(), "Checking.");
}

TEST_P(TranslationTest, GeminiWholeStreamAndTools) {
  auto s = run("gm", "gemini-test", user_request("Hello"));
  ASSERT_TRUE(s->response);
  EXPECT_EQ(s->response->choices.at(0).message.text(), "Hello from Gemini.");
  EXPECT_EQ(s->response->model, "gemini-test-001");
  ASSERT_TRUE(s->response->usage);
  EXPECT_EQ(s->response->usage->prompt_tokens, 8);
  EXPECT_EQ(s->response->usage->cached_tokens, 2);

  auto st = run("gm", "gemini-test", user_request("Hello", true));
  EXPECT_EQ(st->text(), "Hello from Gemini.");
  ASSERT_FALSE(st->chunks.empty());
  EXPECT_EQ(st->chunks.front().role, api::Role::kAssistant);
  EXPECT_EQ(st->chunks.back().finish_reason, api::FinishReason::kStop);
  ASSERT_TRUE(st->chunks.back().usage);
  EXPECT_EQ(st->chunks.back().usage->completion_tokens, 12);

  auto t = run("gm", "gemini-test-tools", with_tool(user_request("Weather in Paris?")));
  ASSERT_TRUE(t->response);
  const auto& m = t->response->choices.at(0).message;
  ASSERT_EQ(m.tool_calls.size(), 1u);
  EXPECT_EQ(m.tool_calls[0].name, "get_weather");
  EXPECT_EQ(m.tool_calls[0].arguments, R"({"location":"Paris"})");
  EXPECT_EQ(t->response->choices[0].finish_reason, api::FinishReason::kToolCalls);

  auto ts = run("gm", "gemini-test-tools", with_tool(user_request("Weather in Paris?", true)));
  ASSERT_EQ(ts->chunks.size(), 1u);
  ASSERT_EQ(ts->chunks[0].tool_calls.size(), 1u);
  EXPECT_EQ(ts->chunks[0].tool_calls[0].name, "get_weather");
  EXPECT_EQ(ts->chunks[0].finish_reason, api::FinishReason::kToolCalls);
}

TEST_P(TranslationTest, EmbeddingsOpenAiAndGemini) {
  auto req = std::make_shared<api::EmbeddingRequest>();
  req->model = "virtual";
  req->input = {"hello", "world"};
  for (auto [prov, first] : {std::pair{"oa", 0.0023064255f}, std::pair{"gm", 0.1f}}) {
    std::promise<Result<api::EmbeddingResponse>> p;
    registry_.find(prov)->embed(
        req, context("embed-test"),
        [&](Result<api::EmbeddingResponse> r, const CallOutcome&) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    ASSERT_TRUE(r.ok()) << prov << ": " << r.error().to_string();
    ASSERT_EQ(r->data.size(), 2u);
    ASSERT_EQ(r->data[0].size(), 3u);
    EXPECT_FLOAT_EQ(r->data[0][0], first);
  }
  std::promise<Result<api::EmbeddingResponse>> p;
  registry_.find("an")->embed(
      req, context("embed-test"),
      [&](Result<api::EmbeddingResponse> r, const CallOutcome&) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnimplemented);
}

TEST_P(TranslationTest, HealthChecksProbeModelLists) {
  for (const char* name : {"oa", "an", "gm"}) {
    std::promise<Status> p;
    registry_.find(name)->check_health([&](Status st) { p.set_value(std::move(st)); });
    Status st = p.get_future().get();
    EXPECT_TRUE(st.ok()) << name << ": " << st.error().to_string();
    EXPECT_EQ(registry_.find(name)->health(), Health::kHealthy);
  }
  auto reqs = standin_->requests();
  int model_gets = 0;
  for (const auto& r : reqs) model_gets += r.method == "GET";
  EXPECT_EQ(model_gets, 3);
}

TEST_P(TranslationTest, KeepAliveReusesConnections) {
  int before = standin_->connections_accepted();
  for (int i = 0; i < 10; ++i) run("oa", "gpt-test", user_request("Hello"));
  EXPECT_LE(standin_->connections_accepted() - before, 2);
}

INSTANTIATE_TEST_SUITE_P(Transports, TranslationTest, FULCRUM_TRANSPORTS);

}  // namespace
}  // namespace fulcrum::providers::testing
