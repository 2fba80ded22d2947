#include "server/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace fulcrum::server {
namespace {

TEST(Metrics, RendersCountersAndHistogramsInPrometheusText) {
  Metrics m;
  m.add("fulcrum_requests_total", R"(endpoint="chat_completions",status="200")");
  m.add("fulcrum_requests_total", R"(endpoint="chat_completions",status="200")");
  m.add("fulcrum_tokens_total", R"(provider="a",kind="prompt")", 42);
  m.observe("fulcrum_request_duration_seconds", R"(endpoint="chat_completions")", 0.003);
  m.observe("fulcrum_request_duration_seconds", R"(endpoint="chat_completions")", 2.0);
  std::string text = m.render({{"fulcrum_open_connections", 3}});
  EXPECT_NE(text.find("# TYPE fulcrum_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("fulcrum_requests_total{endpoint=\"chat_completions\",status=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("fulcrum_tokens_total{provider=\"a\",kind=\"prompt\"} 42\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE fulcrum_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("fulcrum_request_duration_seconds_bucket{endpoint=\"chat_completions\",le="
                      "\"0.001\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("fulcrum_request_duration_seconds_bucket{endpoint=\"chat_completions\",le="
                      "\"0.005\"} 1\n"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          "fulcrum_request_duration_seconds_bucket{endpoint=\"chat_completions\",le=\"+Inf\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("fulcrum_request_duration_seconds_count{endpoint=\"chat_completions\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("fulcrum_open_connections 3\n"), std::string::npos);
  EXPECT_EQ(m.counter("fulcrum_requests_total", R"(endpoint="chat_completions",status="200")"), 2);
}

TEST(Metrics, UpdatesFromManyThreadsAddUp) {
  // Threads update their own shards; counter() and render() must see the sum of all of them.
  Metrics m;
  constexpr int kThreads = 12, kEach = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < kEach; ++i) {
        m.add("fulcrum_requests_total", R"(endpoint="chat_completions",status="200")");
        m.observe("fulcrum_request_duration_seconds", R"(endpoint="chat_completions")", 0.002);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.counter("fulcrum_requests_total", R"(endpoint="chat_completions",status="200")"),
            kThreads * kEach);
  std::string text = m.render();
  EXPECT_NE(
      text.find("fulcrum_requests_total{endpoint=\"chat_completions\",status=\"200\"} 6000\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("fulcrum_request_duration_seconds_count{endpoint=\"chat_completions\"} 6000\n"),
      std::string::npos);
  EXPECT_NE(text.find("fulcrum_request_duration_seconds_bucket{endpoint=\"chat_completions\","
                      "le=\"0.001\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("fulcrum_request_duration_seconds_bucket{endpoint=\"chat_completions\","
                      "le=\"0.0025\"} 6000\n"),
            std::string::npos);
  // One HELP line per metric, however many shards hold it.
  size_t helps = 0;
  for (size_t at = 0; (at = text.find("# HELP fulcrum_requests_total ", at)) != std::string::npos;
       ++at)
    ++helps;
  EXPECT_EQ(helps, 1u);
}

TEST(Metrics, LabelsJoinNameValuePairs) {
  EXPECT_EQ(std::string_view(Labels()), "");
  EXPECT_EQ(std::string_view(Labels().add("endpoint", "chat").add("status", 429)),
            R"(endpoint="chat",status="429")");
  EXPECT_EQ(std::string_view(Labels().add("n", int64_t{-12}).add("m", "")), R"(n="-12",m="")");
  // Past the inline capacity the buffer grows and keeps every byte.
  std::string long_value(500, 'x');
  EXPECT_EQ(std::string_view(Labels().add("a", long_value).add("b", "y")),
            "a=\"" + long_value + "\",b=\"y\"");
}

TEST(Metrics, EscapesLabelValues) {
  EXPECT_EQ(prom_escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  // Labels and prom_escape escape the three specials wherever they are; the expectation is
  // built here a character at a time.
  for (std::string v : {"", "plain", "\"", "\\\\", "\n\n", "a\"b\\c\nd", "\"lead", "trail\n",
                        "mid\\dle", "x\"\"y"}) {
    std::string want;
    for (char c : v)
      want += c == '\n'               ? std::string("\\n")
              : c == '"' || c == '\\' ? std::string{'\\', c}
                                      : std::string(1, c);
    EXPECT_EQ(std::string_view(Labels().add("p", v)), "p=\"" + want + "\"") << v;
    EXPECT_EQ(prom_escape(v), want) << v;
  }
}

}  // namespace
}  // namespace fulcrum::server
