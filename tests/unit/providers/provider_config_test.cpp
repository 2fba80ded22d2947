#include "providers/provider_config.h"

#include <gtest/gtest.h>

#include "core/config.h"

namespace fulcrum::providers {
namespace {

Result<ProviderConfig> parse(const std::string& toml, const EnvLookup& env = process_env) {
  FULCRUM_TRY(auto cfg, Config::parse("[providers.p]\n" + toml, "t.toml"));
  auto root = cfg.root();
  FULCRUM_TRY(auto providers, root.get_table("providers"));
  FULCRUM_TRY(auto table, providers->get_table("p"));
  return parse_provider_config(std::move(*table), "p", env);
}

TEST(ProviderConfig, ParsesDefaultsAndKeys) {
  auto c = parse(
      "kind = \"openai_compat\"\nbase_url = \"https://api.example.com/v1/\"\n"
      "api_key = \"k1\"\n");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  ASSERT_EQ(c->replicas.size(), 1u);
  EXPECT_EQ(c->replicas[0].base_url, "https://api.example.com/v1");  // trailing slash dropped
  EXPECT_EQ(c->replicas[0].api_key, "k1");
  EXPECT_EQ(c->max_retries, 2);
  EXPECT_EQ(c->timeouts.connect_ms, 5000);
  EXPECT_EQ(c->balance, BalancePolicy::kWeighted);
  EXPECT_FALSE(c->on_premises);
}

TEST(ProviderConfig, KeyFromEnvironmentWins) {
  auto env = [](const std::string& n) { return n == "MY_KEY" ? std::string("from-env") : ""; };
  auto c = parse(
      "kind = \"anthropic\"\nbase_url = \"http://x/v1\"\napi_key = \"inline\"\n"
      "api_key_env = \"MY_KEY\"\n",
      env);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->replicas[0].api_key, "from-env");
  EXPECT_EQ(c->api_version, "2023-06-01");
}

TEST(ProviderConfig, ReplicasWithWeightsAndOwnKeys) {
  auto c = parse(
      "kind = \"gemini\"\napi_key = \"shared\"\nbalance = \"least_latency\"\n"
      "[[providers.p.replicas]]\nbase_url = \"http://a/v1beta\"\nweight = 3\n"
      "[[providers.p.replicas]]\nbase_url = \"http://b/v1beta\"\napi_key = \"own\"\n");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  ASSERT_EQ(c->replicas.size(), 2u);
  EXPECT_EQ(c->replicas[0].weight, 3.0);
  EXPECT_EQ(c->replicas[0].api_key, "shared");
  EXPECT_EQ(c->replicas[1].api_key, "own");
  EXPECT_EQ(c->balance, BalancePolicy::kLeastLatency);
}

TEST(ProviderConfig, RejectsUnknownKeysWithLine) {
  auto c = parse("kind = \"openai_compat\"\nbase_url = \"http://x\"\nbase_urll = \"y\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().to_string().find("base_urll"), std::string::npos);
  EXPECT_NE(c.error().to_string().find("line 4"), std::string::npos) << c.error().to_string();
}

TEST(ProviderConfig, RejectsBadValues) {
  const char* bad[] = {
      "kind = \"cohere\"\nbase_url = \"http://x\"\n",
      "kind = \"openai_compat\"\n",
      "kind = \"openai_compat\"\nbase_url = \"ftp://x\"\n",
      "kind = \"openai_compat\"\nbase_url = \"http://user:pw@x/v1\"\n",
      "kind = \"openai_compat\"\nbase_url = \"http://x/v1?key=1\"\n",
      "kind = \"openai_compat\"\nbase_url = \"http://x\"\nbalance = \"random\"\n",
      "kind = \"openai_compat\"\nbase_url = \"http://x\"\nmax_retries = -1\n",
      "kind = \"openai_compat\"\nbase_url = \"http://x\"\napi_key = \"a\\r\\nX-Evil: 1\"\n",
      "kind = \"openai_compat\"\nbase_url = \"http://x\"\napi_version = \"1\"\n",
      "kind = \"openai_compat\"\nbase_url = \"http://x\"\n[[providers.p.replicas]]\n"
      "base_url = \"http://y\"\n",
  };
  for (const char* b : bad) {
    auto c = parse(b);
    EXPECT_FALSE(c.ok()) << b;
  }
}

}  // namespace
}  // namespace fulcrum::providers
