// Privacy routing end to end: every prompt of the labelled corpus (tests/data/privacy/
// corpus.jsonl) goes through `fulcrum serve` to a model whose first target is a remote
// stand-in and whose second is an on-premises one. No sensitive prompt may ever reach the
// remote stand-in (checked on what it recorded), recall must be 100% and false positives at
// most 3%. Prompts ride in varied places: user message, system prompt, tool result, Anthropic
// messages. Also: fail closed when no on-premises target is healthy, and no fallback from an
// on-premises target to a remote one for sensitive data.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/e2e/e2e_support.h"

namespace fulcrum::e2e {
namespace {

std::vector<json> load_corpus() {
  std::ifstream in(source_dir() + "/tests/data/privacy/corpus.jsonl");
  std::vector<json> rows;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) rows.push_back(json::parse(line));
  return rows;
}

// Answers any chat request, OpenAI shape (the remote and the on-premises stand-ins alike).
json any_chat_fixture() {
  return {{"reference", "https://platform.openai.com/docs/api-reference/chat/object"},
          {"match", {{"method", "POST"}, {"path", "/v1/chat/completions"}}},
          {"response",
           {{"status", 200},
            {"body",
             {{"id", "chatcmpl-p"},
              {"object", "chat.completion"},
              {"created", 1},
              {"model", "m"},
              {"choices", json::array({{{"index", 0},
                                        {"message", {{"role", "assistant"}, {"content", "ok"}}},
                                        {"finish_reason", "stop"}}})},
              {"usage", {{"prompt_tokens", 3}, {"completion_tokens", 1}, {"total_tokens", 4}}}}}}}};
}

std::unique_ptr<standin::StandinServer> chat_standin() {
  auto s = start_standin("-");
  if (s && !s->add_fixture(any_chat_fixture()).ok()) return nullptr;
  return s;
}

// The request for corpus row `i`, with the text placed by i % 4.
std::pair<std::string, json> request_for(size_t i, const std::string& text) {
  json msgs = json::array();
  switch (i % 4) {
    case 0:  // plain user message
      msgs.push_back({{"role", "user"}, {"content", text}});
      break;
    case 1:  // system prompt, content parts
      msgs.push_back(
          {{"role", "system"}, {"content", json::array({{{"type", "text"}, {"text", text}}})}});
      msgs.push_back({{"role", "user"}, {"content", "Summarise the above."}});
      break;
    case 2:  // tool result
      msgs.push_back({{"role", "user"}, {"content", "Look the record up."}});
      msgs.push_back({{"role", "assistant"},
                      {"content", nullptr},
                      {"tool_calls",
                       json::array({{{"id", "call_1"},
                                     {"type", "function"},
                                     {"function", {{"name", "lookup"}, {"arguments", "{}"}}}}})}});
      msgs.push_back({{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", text}});
      break;
    default:  // Anthropic Messages, system string + user text block
      return {"/v1/messages",
              {{"model", "auto"},
               {"max_tokens", 64},
               {"system", "Answer briefly."},
               {"messages",
                json::array({{{"role", "user"},
                              {"content", json::array({{{"type", "text"}, {"text", text}}})}}})}}};
  }
  return {"/v1/chat/completions", {{"model", "auto"}, {"max_tokens", 64}, {"messages", msgs}}};
}

TEST(PrivacyE2E, CorpusNeverReachesTheRemoteTarget) {
  auto remote = chat_standin();
  auto onprem = chat_standin();
  ASSERT_TRUE(remote && onprem);
  std::string toml =
      "[server]\nport = 0\nlog_level = \"warn\"\n\n" +
      provider_toml("remote", "openai_compat", remote->base_url(), false, "max_retries = 0") +
      provider_toml("onprem", "openai_compat", onprem->base_url(), true, "max_retries = 0") +
      model_toml("auto", {{"remote", "big"}, {"onprem", "small"}}, "use_difficulty = false\n");
  ServeProcess server;
  std::string err;
  ASSERT_TRUE(server.start(toml, &err)) << err;

  auto rows = load_corpus();
  ASSERT_GE(rows.size(), 500u);
  size_t sensitive = 0, caught = 0, negatives = 0, false_positives = 0;
  TestConnection conn(server.port());
  ASSERT_TRUE(conn.ok());
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& row = rows[i];
    std::string text = row["text"];
    bool is_sensitive = row["label"] == "sensitive";
    auto [path, body] = request_for(i, text);
    ASSERT_TRUE(
        conn.send_request("POST", path, body.dump(), {{"content-type", "application/json"}}));
    auto r = conn.read_response();
    ASSERT_EQ(r.status, 200) << "prompt " << row["id"] << ": " << r.body;
    std::string route = r.header("x-fulcrum-route");
    bool went_onprem = route.find("target=onprem/") != std::string::npos;
    bool flagged = route.find("privacy=sensitive") != std::string::npos;
    EXPECT_EQ(went_onprem, flagged) << route;
    if (is_sensitive) {
      ++sensitive;
      caught += flagged && went_onprem;
      EXPECT_TRUE(flagged && went_onprem) << "sensitive prompt " << row["id"] << " went " << route;
    } else {
      ++negatives;
      false_positives += flagged;
    }
  }
  // What the remote stand-in actually received: no planted item of any sensitive prompt.
  auto got = remote->requests();
  std::string all;
  for (const auto& r : got) all += r.body + "\n";
  size_t leaked = 0;
  for (const auto& row : rows) {
    if (row["label"] != "sensitive") continue;
    std::string text = row["text"];
    for (const auto& p : row["planted"]) {
      size_t s = p["start"], e = p["end"];
      // Compare as the JSON string body carries it (escapes included).
      std::string item = json(text.substr(s, e - s)).dump();
      item = item.substr(1, item.size() - 2);
      if (all.find(item) != std::string::npos) {
        ++leaked;
        ADD_FAILURE() << "prompt " << row["id"] << " leaked '" << item << "' to the remote";
      }
    }
  }
  EXPECT_EQ(leaked, 0u);
  EXPECT_EQ(got.size(), negatives - false_positives)
      << "every public prompt goes remote, nothing else does";
  EXPECT_EQ(onprem->requests().size(), sensitive + false_positives);
  double recall = static_cast<double>(caught) / static_cast<double>(sensitive);
  double fp_rate = static_cast<double>(false_positives) / static_cast<double>(negatives);
  std::printf("privacy e2e: %zu prompts, recall %zu/%zu = %.4f, false positives %zu/%zu = %.4f\n",
              rows.size(), caught, sensitive, recall, false_positives, negatives, fp_rate);
  EXPECT_EQ(caught, sensitive);
  EXPECT_LE(fp_rate, 0.03);
  // The request log keeps kinds and offsets, never the text itself.
  std::string log = server.log();
  for (const auto& row : rows) {
    if (row["label"] != "sensitive") continue;
    std::string text = row["text"];
    const auto& p = row["planted"][0];
    size_t s = p["start"], e = p["end"];
    EXPECT_EQ(log.find(text.substr(s, e - s)), std::string::npos) << row["id"];
  }
  EXPECT_EQ(server.stop(), 0) << server.log();
}

class FailClosedTest : public ::testing::Test {
 protected:
  void start(const std::string& onprem_base, const std::string& extra_onprem,
             const std::vector<std::pair<std::string, std::string>>& targets) {
    remote_ = chat_standin();
    ASSERT_TRUE(remote_);
    std::string toml =
        "[server]\nport = 0\n\n" +
        provider_toml("remote", "openai_compat", remote_->base_url(), false, "max_retries = 0") +
        provider_toml("onprem", "openai_compat", onprem_base, true,
                      "max_retries = 0\n" + extra_onprem) +
        model_toml("auto", targets, "use_difficulty = false\n") +
        model_toml("remote-only", {{"remote", "big"}});
    std::string err;
    ASSERT_TRUE(server_.start(toml, &err)) << err;
  }
  TestResponse chat(const std::string& model, const std::string& text) {
    return post_json(
        server_.port(), "/v1/chat/completions",
        {{"model", model}, {"messages", json::array({{{"role", "user"}, {"content", text}}})}});
  }
  void TearDown() override {
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
  }
  std::unique_ptr<standin::StandinServer> remote_;
  ServeProcess server_;
};

const char* kSecret = "card 4111 1111 1111 1111 exp 12/29";

TEST_F(FailClosedTest, NoHealthyOnPremisesTargetFailsClosed) {
  // The on-premises provider points at a closed port; one failure opens its breaker.
  int closed_port;
  {
    auto tmp = start_standin("-");
    closed_port = tmp->port();
  }
  start("http://127.0.0.1:" + std::to_string(closed_port), "breaker_failures = 1\n",
        {{"remote", "big"}, {"onprem", "small"}});
  auto first = chat("auto", kSecret);  // refused connection: 503, no fallback to remote
  EXPECT_EQ(first.status, 503) << first.body;
  EXPECT_FALSE(first.header("x-fulcrum-route").empty());
  auto second = chat("auto", kSecret);  // breaker open: the router fails closed up front
  EXPECT_EQ(second.status, 503) << second.body;
  EXPECT_NE(second.body.find("failing closed"), std::string::npos) << second.body;
  EXPECT_TRUE(remote_->requests().empty()) << "sensitive data reached the remote target";
  // Public prompts still go remote.
  EXPECT_EQ(chat("auto", "What is the capital of France?").status, 200);
  EXPECT_EQ(remote_->requests().size(), 1u);
}

TEST_F(FailClosedTest, NoOnPremisesTargetAtAllIsRefused) {
  auto onprem = chat_standin();
  start(onprem->base_url(), "", {{"remote", "big"}, {"onprem", "small"}});
  auto r = chat("remote-only", kSecret);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("payment_card"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("4111"), std::string::npos) << "the error must not echo the data";
  EXPECT_TRUE(remote_->requests().empty());
}

TEST_F(FailClosedTest, NoFallbackFromOnPremisesToRemoteForSensitiveData) {
  auto onprem = chat_standin();
  start(onprem->base_url(), "", {{"onprem", "small"}, {"remote", "big"}});
  onprem->queue_fault({{"kind", "http_error"}, {"status", 500}}, 1);
  auto r = chat("auto", kSecret);
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_TRUE(remote_->requests().empty());
  // The same failure on a public prompt does fall back.
  onprem->queue_fault({{"kind", "http_error"}, {"status", 500}}, 1);
  auto pub = chat("auto", "Tell me a joke about compilers.");
  EXPECT_EQ(pub.status, 200) << pub.body;
  EXPECT_NE(pub.header("x-fulcrum-route").find("target=remote/big"), std::string::npos);
  EXPECT_EQ(remote_->requests().size(), 1u);
}

}  // namespace
}  // namespace fulcrum::e2e
