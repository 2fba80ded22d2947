#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

#include "engine/sampler/logprobs.h"
#include "engine/sampler/sampler_chain.h"
#include "engine/sampler/stop_matcher.h"

namespace fulcrum::engine {
namespace {

SamplingParams neutral() {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  return p;
}

std::vector<int32_t> ids_of(const Candidates& c) {
  std::vector<int32_t> v;
  for (const auto& t : c) v.push_back(t.id);
  return v;
}

TEST(SamplerTest, GreedyPicksArgmaxLowestIdOnTies) {
  SamplingParams p;
  p.temperature = 0;
  auto chain = SamplerChain::create(p, 5);
  ASSERT_TRUE(chain.ok());
  std::vector<float> logits = {0.1f, 3.0f, -1.0f, 3.0f, 2.9f};
  EXPECT_EQ(chain->sample(logits), 1);
  logits[4] = 5.0f;
  EXPECT_EQ(chain->sample(logits), 4);
}

TEST(SamplerTest, TopKKeepsKLargest) {
  Candidates c(6);
  std::vector<float> logits = {1, 6, 3, 5, 2, 4};
  c.reset(logits);
  TopKStage(3).apply(c);
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{1, 3, 5}));
}

TEST(SamplerTest, TopPKeepsSmallestSetReachingP) {
  Candidates c(4);
  // probabilities 0.5, 0.25, 0.125, 0.125 (log-space logits)
  std::vector<float> logits = {std::log(0.125f), std::log(0.5f), std::log(0.25f), std::log(0.125f)};
  c.reset(logits);
  TopPStage(0.7f).apply(c);
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{1, 2}));
  c.reset(logits);
  TopPStage(0.5f).apply(c);
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{1}));
}

TEST(SamplerTest, MinPDropsUnlikelyRelativeToBest) {
  Candidates c(4);
  std::vector<float> logits = {std::log(0.5f), std::log(0.3f), std::log(0.15f), std::log(0.05f)};
  c.reset(logits);
  MinPStage(0.2f).apply(c);  // keep p >= 0.1
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{0, 1, 2}));
}

TEST(SamplerTest, TemperatureScalesLogits) {
  Candidates c(2);
  std::vector<float> logits = {2.0f, -4.0f};
  c.reset(logits);
  TemperatureStage(0.5f).apply(c);
  EXPECT_FLOAT_EQ(c[0].logit, 4.0f);
  EXPECT_FLOAT_EQ(c[1].logit, -8.0f);
}

TEST(SamplerTest, RepetitionFrequencyPresencePenalties) {
  PenaltyStage pen(4, 8, 2.0f, 0.5f, 0.25f);
  pen.accept(0);
  pen.accept(1);
  pen.accept(1);
  Candidates c(4);
  std::vector<float> logits = {4.0f, -2.0f, 1.0f, 1.0f};
  c.reset(logits);
  pen.apply(c);
  EXPECT_FLOAT_EQ(c[0].logit, 4.0f / 2 - 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(c[1].logit, -2.0f * 2 - 1.0f - 0.25f);
  EXPECT_FLOAT_EQ(c[2].logit, 1.0f);
}

TEST(SamplerTest, PenaltyWindowForgetsOldTokens) {
  PenaltyStage pen(4, 2, 2.0f, 0.0f, 0.0f);
  pen.accept(3);
  pen.accept(1);
  pen.accept(2);  // 3 falls out of the window
  Candidates c(4);
  std::vector<float> logits = {1, 1, 1, 1};
  c.reset(logits);
  pen.apply(c);
  EXPECT_FLOAT_EQ(c[3].logit, 1.0f);
  EXPECT_FLOAT_EQ(c[1].logit, 0.5f);
  EXPECT_FLOAT_EQ(c[2].logit, 0.5f);
}

TEST(SamplerTest, LogitBiasCanBanTheArgmax) {
  SamplingParams p;
  p.temperature = 0;
  p.logit_bias = {{1, -INFINITY}, {2, 1.5f}};
  auto chain = SamplerChain::create(p, 3);
  ASSERT_TRUE(chain.ok());
  std::vector<float> logits = {1.0f, 9.0f, 0.0f};
  EXPECT_EQ(chain->sample(logits), 2);
}

TEST(SamplerTest, SameSeedSameTokensDifferentSeedDiffers) {
  std::vector<float> logits(50);
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = std::sin(static_cast<float>(i)) * 2;
  auto run = [&](uint64_t seed) {
    SamplingParams p = neutral();
    p.seed = seed;
    auto chain = SamplerChain::create(p, 50);
    EXPECT_TRUE(chain.ok());
    std::vector<int32_t> out;
    for (int i = 0; i < 64; ++i) out.push_back(chain->sample(logits));
    return out;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

TEST(SamplerTest, DrawFollowsTheDistribution) {
  std::vector<float> logits = {std::log(0.7f), std::log(0.2f), std::log(0.1f)};
  SamplingParams p = neutral();
  p.seed = 7;
  auto chain = SamplerChain::create(p, 3);
  ASSERT_TRUE(chain.ok());
  std::map<int32_t, int> hist;
  const int n = 20000;
  for (int i = 0; i < n; ++i) ++hist[chain->sample(logits)];
  EXPECT_NEAR(hist[0] / double(n), 0.7, 0.02);
  EXPECT_NEAR(hist[1] / double(n), 0.2, 0.02);
  EXPECT_NEAR(hist[2] / double(n), 0.1, 0.02);
}

TEST(SamplerTest, TopKOneIsGreedyEvenWithTemperature) {
  SamplingParams p = neutral();
  p.top_k = 1;
  p.temperature = 5.0f;
  auto chain = SamplerChain::create(p, 4);
  ASSERT_TRUE(chain.ok());
  std::vector<float> logits = {0.0f, 0.1f, 0.3f, 0.2f};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(chain->sample(logits), 2);
}

TEST(SamplerTest, InvalidParamsAreErrors) {
  SamplingParams p;
  p.temperature = -1;
  EXPECT_FALSE(SamplerChain::create(p, 10).ok());
  p = SamplingParams{};
  p.top_p = 0;
  EXPECT_FALSE(SamplerChain::create(p, 10).ok());
  p = SamplingParams{};
  p.logit_bias = {{10, 1.0f}};
  auto r = SamplerChain::create(p, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field(), "logit_bias");
}

TEST(StopMatcherTest, HoldsBackPartialAndCutsAtStop) {
  StopMatcher m({"\n\n", "END"});
  EXPECT_EQ(m.push("Hello E"), "Hello ");
  EXPECT_EQ(m.push("N"), "");
  EXPECT_EQ(m.push("Dless"), "");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.matched(), "END");
  EXPECT_EQ(m.push("more"), "");
}

TEST(StopMatcherTest, FalseStartIsReleased) {
  StopMatcher m({"END"});
  EXPECT_EQ(m.push("EN"), "");
  EXPECT_EQ(m.push("X"), "ENX");
  EXPECT_EQ(m.push("E"), "");
  EXPECT_EQ(m.flush(), "E");
  EXPECT_FALSE(m.stopped());
}

TEST(LogprobsTest, TopNMatchesLogSoftmax) {
  std::vector<float> logits = {1.0f, 3.0f, 2.0f, 3.0f};
  std::vector<TokenLogprob> top;
  top_logprobs(logits, 3, top);
  ASSERT_EQ(top.size(), 3u);
  double lse = std::log(std::exp(1.0) + 2 * std::exp(3.0) + std::exp(2.0));
  EXPECT_EQ(top[0].id, 1);
  EXPECT_EQ(top[1].id, 3);
  EXPECT_EQ(top[2].id, 2);
  EXPECT_NEAR(top[0].logprob, 3.0 - lse, 1e-6);
  EXPECT_NEAR(top[2].logprob, 2.0 - lse, 1e-6);
  EXPECT_NEAR(token_logprob(logits, 0), 1.0 - lse, 1e-6);
}

}  // namespace
}  // namespace fulcrum::engine
