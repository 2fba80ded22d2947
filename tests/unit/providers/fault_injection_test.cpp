// Fault injection against the stand-in upstream: refused connection, timeout before headers,
// 500, 429 with Retry-After, reset mid-stream, malformed SSE, wrong content type, a 50 MB body.
// Each must end as specified (code, retries or not, tokens_sent), without a crash, with one
// log line per attempt and no key in the logs.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>

#include "tests/unit/providers/provider_test_util.h"

namespace fulcrum::providers::testing {
namespace {

using nlohmann::json;
constexpr const char* kKey = "test-openai-key";  // what the OpenAI fixtures expect

int unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);  // nothing listens there now: connections are refused
  return ntohs(a.sin_port);
}

int count(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

class FaultTest : public ::testing::TestWithParam<HttpTransport> {
 protected:
  void SetUp() override {
    standin_ = start_standin();
    client_ = make_client(GetParam());
  }

  // The provider under test; `overrides` replace the default settings below (TOML values).
  Provider* provider(const std::string& base, const std::map<std::string, std::string>& overrides = {}) {
    std::map<std::string, std::string> settings = {
        {"connect_timeout_ms", "1000"}, {"first_byte_timeout_ms", "300"},
        {"total_timeout_ms", "5000"},   {"max_retries", "2"},
        {"backoff_initial_ms", "10"},   {"backoff_max_ms", "40"},
        {"breaker_failures", "100"}};
    for (const auto& [k, v] : overrides) settings[k] = v;
    std::string toml = "[providers.oa]\nkind = \"openai_compat\"\nbase_url = \"" + base +
                       "\"\napi_key = \"" + kKey + "\"\n";
    for (const auto& [k, v] : settings) toml += k + " = " + v + "\n";
    auto reg = registry_from_toml(toml, client_);
    EXPECT_TRUE(reg.ok()) << reg.error().to_string();
    registry_ = std::move(reg).value();
    return registry_.find("oa");
  }
  Provider* standin_provider(const std::map<std::string, std::string>& overrides = {}) {
    return provider(standin_->base_url() + "/v1", overrides);
  }

  // Runs one call with stderr captured; returns the sink, `log` gets what was written.
  std::shared_ptr<CollectingSink> call(Provider* p, bool stream, std::string* log) {
    auto sink = std::make_shared<CollectingSink>();
    ::testing::internal::CaptureStderr();
    p->chat(user_request("Hello", stream), context("gpt-test"), sink);
    bool finished = sink->wait();
    *log = ::testing::internal::GetCapturedStderr();
    EXPECT_TRUE(finished);
    EXPECT_EQ(log->find(kKey), std::string::npos) << "key leaked into the log";
    if (sink->error) {
      EXPECT_EQ(sink->error->message().find(kKey), std::string::npos) << "key leaked";
    }
    return sink;
  }

  std::unique_ptr<standin::StandinServer> standin_;
  std::shared_ptr<HttpClient> client_;
  ProviderRegistry registry_;
};

TEST_P(FaultTest, RefusedConnectionIsRetriedThenUnavailable) {
  std::string log;
  auto s = call(provider("http://127.0.0.1:" + std::to_string(unused_port()) + "/v1"), false, &log);
  ASSERT_TRUE(s->error);
  EXPECT_EQ(s->error->code(), ErrorCode::kUnavailable);
  EXPECT_EQ(s->outcome.attempts, 3);
  EXPECT_TRUE(s->outcome.retryable);
  EXPECT_EQ(count(log, "upstream provider=oa replica="), 3) << log;
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(count(log, "attempt=" + std::to_string(i)), 1) << log;
}

TEST_P(FaultTest, TimeoutBeforeHeadersUsesFirstByteTimeout) {
  standin_->queue_fault(json{{"kind", "delay_headers"}, {"delay_ms", 3000}}, 3);
  auto t0 = std::chrono::steady_clock::now();
  std::string log;
  auto s = call(standin_provider(), false, &log);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_TRUE(s->error);
  EXPECT_EQ(s->error->code(), ErrorCode::kDeadlineExceeded);
  EXPECT_NE(s->error->message().find("first byte"), std::string::npos);
  EXPECT_EQ(s->outcome.attempts, 3);
  EXPECT_LT(ms.count(), 2500);  // three 300 ms first-byte timeouts plus backoff, not 3 s each
  EXPECT_EQ(count(log, "result=deadline_exceeded"), 3) << log;
}

TEST_P(FaultTest, ServerErrorIsRetriedAndRecovers) {
  standin_->queue_fault(json{{"kind", "http_error"}, {"status", 500}}, 1);
  std::string log;
  auto s = call(standin_provider(), false, &log);
  EXPECT_FALSE(s->error) << s->error->to_string();
  ASSERT_TRUE(s->response);
  EXPECT_EQ(s->outcome.attempts, 2);
  EXPECT_EQ(standin_->requests().size(), 2u);
  EXPECT_EQ(count(log, "status=500"), 1) << log;
  EXPECT_EQ(count(log, "result=ok"), 1) << log;
}

TEST_P(FaultTest, RateLimitHonoursRetryAfter) {
  standin_->queue_fault(json{{"kind", "http_error"}, {"status", 429}, {"retry_after", "1"}}, 1);
  auto t0 = std::chrono::steady_clock::now();
  std::string log;
  auto s = call(standin_provider(), false, &log);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  EXPECT_FALSE(s->error);
  EXPECT_EQ(s->outcome.attempts, 2);
  EXPECT_GE(ms.count(), 1000);  // waited for Retry-After, not the 10 ms backoff
  EXPECT_EQ(count(log, "result=rate_limited"), 1) << log;
}

TEST_P(FaultTest, RateLimitWithLongRetryAfterIsReturnedToTheCaller) {
  standin_->queue_fault(json{{"kind", "http_error"}, {"status", 429}, {"retry_after", "120"}}, 1);
  std::string log;
  auto s = call(standin_provider(), false, &log);
  ASSERT_TRUE(s->error);
  EXPECT_EQ(s->error->code(), ErrorCode::kRateLimited);
  EXPECT_EQ(s->error->http_status(), 429);
  EXPECT_EQ(s->outcome.retry_after_ms, 120000);
  EXPECT_EQ(s->outcome.attempts, 1);
  EXPECT_TRUE(s->outcome.retryable);
}

TEST_P(FaultTest, ResetMidStreamIsAStreamErrorNeverRestarted) {
  standin_->queue_fault(json{{"kind", "reset_mid_stream"}, {"after_events", 3}}, 1);
  std::string log;
  auto s = call(standin_provider(), true, &log);
  ASSERT_TRUE(s->error);
  EXPECT_EQ(s->error->code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(s->outcome.tokens_sent);
  EXPECT_FALSE(s->outcome.retryable);
  EXPECT_EQ(s->outcome.attempts, 1);
  EXPECT_EQ(standin_->requests().size(), 1u);  // not restarted
  EXPECT_EQ(s->text(), "Hello");               // what arrived before the reset was delivered
}

TEST_P(FaultTest, MalformedSseFailsCleanly) {
  standin_->queue_fault(json{{"kind", "malformed_sse"}, {"after_events", 2}}, 1);
  std::string log;
  auto s = call(standin_provider(), true, &log);
  ASSERT_TRUE(s->error);
  EXPECT_EQ(s->error->code(), ErrorCode::kUpstream);
  EXPECT_NE(s->error->message().find("malformed SSE"), std::string::npos) << s->error->message();
  EXPECT_TRUE(s->outcome.tokens_sent);
  EXPECT_EQ(s->outcome.attempts, 1);
}

TEST_P(FaultTest, MalformedSseBeforeAnyTokenIsRetryableElsewhere) {
  standin_->queue_fault(json{{"kind", "malformed_sse"}, {"after_events", 0}}, 1);
  std::string log;
  auto s = call(standin_provider(), true, &log);
  ASSERT_TRUE(s->error);
  EXPECT_FALSE(s->outcome.tokens_sent);
  EXPECT_TRUE(s->outcome.retryable);  // another target may answer properly
}

TEST_P(FaultTest, WrongContentTypeIsRejected) {
  standin_->queue_fault(json{{"kind", "wrong_content_type"}}, 3);
  std::string log;
  auto s = call(standin_provider(), false, &log);
  ASSERT_TRUE(s->error);
  EXPECT_EQ(s->error->code(), ErrorCode::kUpstream);
  EXPECT_NE(s->error->message().find("text/html"), std::string::npos);
  EXPECT_EQ(s->outcome.attempts, 1);
}

TEST_P(FaultTest, FiftyMegabyteBodyIsCutAtTheLimit) {
  standin_->queue_fault(json{{"kind", "huge_body"}, {"bytes", 50 << 20}}, 1);
  std::string log;
  auto s = call(standin_provider({{"max_response_bytes", "1048576"}}), false, &log);
  ASSERT_TRUE(s->error);
  EXPECT_EQ(s->error->code(), ErrorCode::kUpstream);
  EXPECT_NE(s->error->message().find("over the limit"), std::string::npos);
  EXPECT_EQ(s->outcome.attempts, 1);
}

TEST_P(FaultTest, ClientErrorIsNotRetried) {
  standin_->queue_fault(json{{"kind", "http_error"}, {"status", 400}}, 1);
  std::string log;
  auto s = call(standin_provider(), false, &log);
  ASSERT_TRUE(s->error);
  EXPECT_EQ(s->error->code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s->outcome.attempts, 1);
  EXPECT_FALSE(s->outcome.retryable);
}

TEST_P(FaultTest, CloseBeforeHeadersIsRetried) {
  standin_->queue_fault(json{{"kind", "close_before_headers"}}, 1);
  std::string log;
  auto s = call(standin_provider(), true, &log);
  EXPECT_FALSE(s->error) << s->error->to_string();
  EXPECT_EQ(s->outcome.attempts, 2);
  EXPECT_EQ(s->text(), "Hello there!");
}

TEST_P(FaultTest, BreakerOpensAndFailsFast) {
  auto reg = registry_from_toml(
      "[providers.b]\nkind = \"openai_compat\"\nbase_url = \"http://127.0.0.1:" +
          std::to_string(unused_port()) +
          "/v1\"\nmax_retries = 0\nbreaker_failures = 2\nbreaker_cooldown_ms = 60000\n",
      client_);
  ASSERT_TRUE(reg.ok());
  Provider* b = reg->find("b");
  for (int i = 0; i < 2; ++i) {
    auto s = std::make_shared<CollectingSink>();
    b->chat(user_request("x"), context("gpt-test"), s);
    ASSERT_TRUE(s->wait());
    EXPECT_EQ(s->outcome.attempts, 1);
  }
  EXPECT_EQ(b->health(), Health::kUnhealthy);
  auto s = std::make_shared<CollectingSink>();
  b->chat(user_request("x"), context("gpt-test"), s);
  ASSERT_TRUE(s->wait());
  ASSERT_TRUE(s->error);
  EXPECT_EQ(s->error->code(), ErrorCode::kUnavailable);
  EXPECT_NE(s->error->message().find("circuit breaker"), std::string::npos);
  EXPECT_EQ(s->outcome.attempts, 0);
  EXPECT_TRUE(s->outcome.retryable);
}

TEST_P(FaultTest, RetryMovesToAHealthyReplica) {
  std::string dead = "http://127.0.0.1:" + std::to_string(unused_port()) + "/v1";
  auto reg = registry_from_toml(
      "[providers.r]\nkind = \"openai_compat\"\napi_key = \"test-openai-key\"\n"
      "max_retries = 1\nbackoff_initial_ms = 5\nbreaker_failures = 1\n"
      "[[providers.r.replicas]]\nbase_url = \"" +
          dead +
          "\"\nweight = 100\n"
          "[[providers.r.replicas]]\nbase_url = \"" +
          standin_->base_url() + "/v1\"\nweight = 1\n",
      client_);
  ASSERT_TRUE(reg.ok()) << reg.error().to_string();
  for (int i = 0; i < 5; ++i) {
    auto s = std::make_shared<CollectingSink>();
    reg->find("r")->chat(user_request("x"), context("gpt-test"), s);
    ASSERT_TRUE(s->wait());
    EXPECT_FALSE(s->error) << s->error->to_string();
    EXPECT_EQ(s->outcome.replica, standin_->base_url() + "/v1");
  }
  EXPECT_EQ(reg->find("r")->health(), Health::kDegraded);
}

TEST_P(FaultTest, CancelledCallStops) {
  standin_->queue_fault(json{{"kind", "delay_headers"}, {"delay_ms", 3000}}, 1);
  Provider* p = standin_provider({{"first_byte_timeout_ms", "10000"}});
  auto sink = std::make_shared<CollectingSink>();
  CallContext ctx = context("gpt-test");
  ctx.cancelled = std::make_shared<std::atomic<bool>>(false);
  p->chat(user_request("x"), ctx, sink);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ctx.cancelled->store(true);
  ASSERT_TRUE(sink->wait(std::chrono::seconds(2)));
  ASSERT_TRUE(sink->error);
  EXPECT_EQ(sink->error->code(), ErrorCode::kCancelled);
  EXPECT_FALSE(sink->outcome.retryable);
}

INSTANTIATE_TEST_SUITE_P(Transports, FaultTest, FULCRUM_TRANSPORTS);

}  // namespace
}  // namespace fulcrum::providers::testing
