// Helpers for provider tests: a collecting ChatSink, a TOML-built registry pointed at a
// stand-in upstream, and stderr capture for log assertions.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/config.h"
#include "providers/provider_registry.h"
#include "tests/standin/standin_server.h"

namespace fulcrum::providers::testing {

inline std::string fixtures_dir() {
  return std::string(FULCRUM_SOURCE_DIR) + "/tests/standin/fixtures";
}

// Collects everything a ChatSink receives; wait() blocks until on_done.
class CollectingSink final : public ChatSink {
 public:
  void on_chunk(const api::ChatChunk& chunk) override {
    std::lock_guard lock(mu_);
    EXPECT_FALSE(done_) << "on_chunk after on_done";
    chunks.push_back(chunk);
  }
  void on_response(api::ChatResponse r) override {
    std::lock_guard lock(mu_);
    EXPECT_FALSE(done_) << "on_response after on_done";
    EXPECT_FALSE(response.has_value()) << "on_response twice";
    response = std::move(r);
  }
  void on_done(Status st, const CallOutcome& o) override {
    std::lock_guard lock(mu_);
    EXPECT_FALSE(done_) << "on_done twice";
    done_ = true;
    if (!st.ok()) error = st.error();
    outcome = o;
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return done_; });
  }
  std::string text() const {
    std::string s;
    for (const auto& c : chunks) s += c.text;
    return s;
  }

  std::vector<api::ChatChunk> chunks;
  std::optional<api::ChatResponse> response;
  std::optional<Error> error;
  CallOutcome outcome;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

// kAuto sends the stand-in's http://127.0.0.1 URLs through Http1Client, kCurl through libcurl;
// tests of the wire behaviour run over both (see kTransports).
inline std::shared_ptr<HttpClient> make_client(HttpTransport transport = HttpTransport::kAuto) {
  HttpClientOptions options;
  options.transport = transport;
  auto c = HttpClient::create(options);
  EXPECT_TRUE(c.ok());
  return std::shared_ptr<HttpClient>(std::move(c).value());
}

inline std::string transport_name(const ::testing::TestParamInfo<HttpTransport>& info) {
  return info.param == HttpTransport::kCurl ? "curl" : "http1";
}

// INSTANTIATE_TEST_SUITE_P(Transports, Fixture, FULCRUM_TRANSPORTS);
#define FULCRUM_TRANSPORTS                                                                     \
  ::testing::Values(::fulcrum::providers::HttpTransport::kAuto,                                 \
                    ::fulcrum::providers::HttpTransport::kCurl),                                \
      ::fulcrum::providers::testing::transport_name

inline Result<ProviderRegistry> registry_from_toml(const std::string& toml,
                                                   std::shared_ptr<HttpClient> client) {
  FULCRUM_TRY(auto cfg, Config::parse(toml, "test.toml"));
  auto root = cfg.root();
  FULCRUM_TRY(auto providers, root.get_table("providers"));
  if (!providers) return Error(ErrorCode::kInvalidArgument, "no [providers]");
  return ProviderRegistry::from_config(std::move(*providers), std::move(client));
}

inline std::shared_ptr<api::ChatRequest> user_request(std::string text, bool stream = false) {
  auto r = std::make_shared<api::ChatRequest>();
  r->model = "virtual";
  api::Message m;
  m.role = api::Role::kUser;
  m.content.push_back(api::ContentPart{.text = std::move(text)});
  r->messages.push_back(std::move(m));
  r->max_tokens = 1024;
  r->stream = stream;
  r->include_usage = stream;
  return r;
}

inline CallContext context(std::string model) {
  CallContext ctx;
  ctx.request_id = "req-test";
  ctx.upstream_model = std::move(model);
  return ctx;
}

inline std::unique_ptr<standin::StandinServer> start_standin() {
  standin::StandinOptions opt;
  opt.fixtures_dir = fixtures_dir();
  auto s = standin::StandinServer::start(opt);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().to_string());
  return std::move(s).value();
}

}  // namespace fulcrum::providers::testing
