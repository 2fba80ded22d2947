// The policy router and its parts, rule by rule (router.h's order): the difficulty scorer
// (tier header, keywords, length, tools), model lookup, privacy (on-premises only, fail closed,
// redaction to remote), health and latency demotion, the cost cap, the rule named for the
// first target, and the fallback walker (retryable errors only, never after tokens, never
// from an on-premises target to a remote one with sensitive data).
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "router/difficulty_scorer.h"
#include "router/fallback_walker.h"
#include "router/request_view.h"
#include "router/router.h"

namespace fulcrum::router {
namespace {

const std::vector<std::string> kTiers = {"small", "medium", "large"};

RouteInput input_of(std::vector<Segment> segments, std::string model = "auto") {
  RouteInput in;
  in.model = std::move(model);
  in.segments = std::move(segments);
  return in;
}

Segment user(std::string text) {
  return {"user", std::move(text)};
}

// ---------------------------------------------------------------------------------------------
// request_view: segments in contract order, their roles and their paths

TEST(RequestView, SegmentsFollowTheContractOrderAndNameTheirPaths) {
  api::ChatRequest r;
  r.model = "auto";
  r.max_tokens = 77;
  r.system = {api::ContentPart{.text = "sys0"},
              api::ContentPart{.kind = api::ContentPart::Kind::kImage, .url = "u"},
              api::ContentPart{.text = "sys2"}};
  api::Message user{.role = api::Role::kUser};
  user.content = {api::ContentPart{.text = "u0"}, api::ContentPart{.text = "u1"}};
  api::Message assistant{.role = api::Role::kAssistant};
  assistant.tool_calls = {api::ToolCall{"c0", "f", R"({"a":1})"}, api::ToolCall{"c1", "g", "{}"}};
  assistant.refusal = "no";
  api::Message tool{.role = api::Role::kTool};
  tool.content = {api::ContentPart{.text = "result"}};
  r.messages = {user, assistant, tool};

  RouteInput in = to_route_input(r);
  EXPECT_EQ(in.model, "auto");
  EXPECT_EQ(in.max_tokens, 77);
  struct Want {
    std::string_view role, text, path;
  };
  const std::vector<Want> want = {
      {"system", "sys0", "system[0]"},
      {"system", "sys2", "system[2]"},  // the image part is not a text
      {"user", "u0", "messages[0].content[0]"},
      {"user", "u1", "messages[0].content[1]"},
      {"assistant", R"({"a":1})", "messages[1].tool_calls[0].arguments"},
      {"assistant", "{}", "messages[1].tool_calls[1].arguments"},
      {"assistant", "no", "messages[1].refusal"},
      {"tool", "result", "messages[2].content[0]"},
  };
  ASSERT_EQ(in.segments.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(in.segments[i].role, want[i].role) << i;
    EXPECT_EQ(in.segments[i].text, want[i].text) << i;
    EXPECT_EQ(segment_path(r, static_cast<uint32_t>(i)), want[i].path) << i;
  }
  EXPECT_EQ(segment_path(r, static_cast<uint32_t>(want.size())), "");
}

// ---------------------------------------------------------------------------------------------
// RuleScorer

TEST(RuleScorer, KeywordsAreCaseInsensitiveAndNamedInConfigOrder) {
  RuleScorer s(RuleScorerConfig{});
  auto score = s.score(input_of({user("Please give a PROOF; the Legal team wants a Theorem")}),
                       nullptr, kTiers);
  EXPECT_EQ(score.rule, "keywords");
  EXPECT_DOUBLE_EQ(score.score, 0.7);
  EXPECT_EQ(score.tier, "large");
  // Default order: "prove", "proof", "theorem", "legal", ... → the first three found.
  ASSERT_EQ(score.reasons.size(), 3u);
  EXPECT_EQ(score.reasons[0], "keyword 'proof'");
  EXPECT_EQ(score.reasons[1], "keyword 'theorem'");
  EXPECT_EQ(score.reasons[2], "keyword 'legal'");
}

TEST(RuleScorer, KeywordsCountInUserAndSystemTextOnly) {
  RuleScorer s(RuleScorerConfig{});
  auto in = input_of(
      {{"tool", "the theorem holds"}, {"assistant", "a legal contract"}, user("hello there")});
  auto score = s.score(in, nullptr, kTiers);
  EXPECT_EQ(score.rule, "default");
  EXPECT_EQ(score.tier, "small");
  EXPECT_TRUE(score.reasons.empty());

  in.segments.push_back({"system", "You review SECURITY AUDIT reports."});
  score = s.score(in, nullptr, kTiers);
  EXPECT_EQ(score.rule, "keywords");
  ASSERT_EQ(score.reasons.size(), 1u);
  EXPECT_EQ(score.reasons[0], "keyword 'security audit'");
}

TEST(RuleScorer, KeywordsMatchInsideWordsAndAcrossSegments) {
  RuleScorerConfig c;
  c.hard_keywords = {"", "diagnos", "Step By Step", "zebra"};
  RuleScorer s(c);
  auto score =
      s.score(input_of({user("What is the diagnosis?"), user("go step by STEP")}), nullptr, kTiers);
  ASSERT_EQ(score.reasons.size(), 2u);
  EXPECT_EQ(score.reasons[0], "keyword 'diagnos'");
  EXPECT_EQ(score.reasons[1], "keyword 'Step By Step'");
  // An empty keyword matches nothing; a keyword split across two texts is not found.
  auto none = s.score(input_of({user("zeb"), user("ra")}), nullptr, kTiers);
  EXPECT_EQ(none.rule, "default");
}

TEST(RuleScorer, LongPromptsEscalateAndShortOnesScaleWithLength) {
  RuleScorerConfig c;
  c.long_prompt_tokens = 100;
  RuleScorer s(c);
  auto long_one = s.score(input_of({user(std::string(400, 'a'))}), nullptr, kTiers);
  EXPECT_EQ(long_one.rule, "length");
  EXPECT_EQ(long_one.tier, "large");
  EXPECT_GE(long_one.score, 0.6);
  EXPECT_LE(long_one.score, 0.8);
  ASSERT_EQ(long_one.reasons.size(), 1u);
  EXPECT_EQ(long_one.reasons[0], "101 input tokens (long)");

  auto short_one = s.score(input_of({user(std::string(196, 'a'))}), nullptr, kTiers);
  EXPECT_EQ(short_one.rule, "default");
  EXPECT_EQ(short_one.tier, "small");
  EXPECT_NEAR(short_one.score, 0.3 * 50 / 100, 1e-9);  // 196/4 + 1 segment = 50 tokens
}

TEST(RuleScorer, ToolsAddATenthAndEscalateAtIsTheThreshold) {
  RuleScorerConfig c;
  c.escalate_at = 0.1;
  RuleScorer s(c);
  auto in = input_of({user("hi")});
  in.has_tools = true;
  auto score = s.score(in, nullptr, kTiers);
  EXPECT_NEAR(score.score, 0.1 + 0.3 * 1 / 2000.0, 1e-9);
  EXPECT_EQ(score.tier, "large");
  EXPECT_EQ(score.reasons, std::vector<std::string>{"tools offered"});
}

TEST(RuleScorer, TierHeaderWins) {
  RuleScorer s(RuleScorerConfig{});
  std::string tier = "medium";
  auto score = s.score(input_of({user("prove the theorem")}), &tier, kTiers);
  EXPECT_EQ(score.rule, "tier_header");
  EXPECT_EQ(score.tier, "medium");
  EXPECT_DOUBLE_EQ(score.score, 0.5);
}

TEST(RuleScorer, ConfigIsValidated) {
  auto parse = [](const std::string& toml) -> Result<RuleScorerConfig> {
    auto doc = Config::parse(toml, "test.toml");
    if (!doc.ok()) return doc.error();
    ConfigTable root = doc->root();
    return RuleScorerConfig::parse(root);
  };
  auto ok = parse("hard_keywords = [\"audit\"]\nlong_prompt_tokens = 50\nescalate_at = 0.4\n");
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->hard_keywords, std::vector<std::string>{"audit"});
  EXPECT_EQ(ok->long_prompt_tokens, 50);
  EXPECT_DOUBLE_EQ(ok->escalate_at, 0.4);
  EXPECT_FALSE(parse("escalate_at = 1.5\n").ok());
  EXPECT_FALSE(parse("long_prompt_tokens = 0\n").ok());
  auto unknown = parse("hard_keyword = [\"x\"]\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("hard_keyword"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Router

struct Fixture {
  RouterConfig config;
  Fixture() {
    config.routing.scorer.long_prompt_tokens = 1000;
    config.routing.prices.set("local/qwen", {0, 0, 0});
    config.routing.prices.set("openai/mini", {1.0, 2.0, 0});  // per million tokens
    config.routing.prices.set("openai/big", {100.0, 400.0, 0});
    VirtualModel m;
    m.name = "auto";
    m.targets = {{"local", "qwen", true, "small", 0},
                 {"openai", "mini", false, "medium", 0},
                 {"openai", "big", false, "large", 0}};
    config.models["auto"] = m;
    config.provider_on_premises = {{"local", true}, {"openai", false}};
  }
  std::shared_ptr<const Router> make() const {
    auto r = Router::create(config);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : nullptr;
  }
};

std::vector<std::string> order(const RouteDecision& d) {
  std::vector<std::string> out;
  for (const auto& t : d.targets) out.push_back(t.provider + "/" + t.model);
  return out;
}

TEST(Router, UnknownModelIsNotFoundAndNamesTheVirtualModels) {
  auto r = Fixture().make();
  auto d = r->route(input_of({user("hi")}, "gpt-5"), {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(d.error().field(), "model");
  EXPECT_NE(d.error().message().find("auto"), std::string::npos);
}

TEST(Router, EasyPromptGoesToTheCheapTierThenUpThenDown) {
  auto r = Fixture().make();
  auto d = r->route(input_of({user("What is the capital of France?")}), {});
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->tier, "small");
  EXPECT_EQ(order(*d), (std::vector<std::string>{"local/qwen", "openai/mini", "openai/big"}));
  EXPECT_EQ(d->privacy, PrivacyClass::kPublic);
  EXPECT_EQ(d->rule, "order");  // the configured first target is the one asked for
}

TEST(Router, HardPromptEscalatesToTheTopTier) {
  auto r = Fixture().make();
  auto d = r->route(input_of({user("Prove that there are infinitely many primes.")}), {});
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->tier, "large");
  EXPECT_EQ(d->rule, "difficulty");
  // The wanted tier first, then the ones below it (nearest first).
  EXPECT_EQ(order(*d), (std::vector<std::string>{"openai/big", "openai/mini", "local/qwen"}));
  EXPECT_GT(d->first().cost_estimate_usd, 0);
  EXPECT_TRUE(d->first().priced);
}

TEST(Router, TierHeaderPicksTheTierAndUnknownTiersAreRefused) {
  auto r = Fixture().make();
  RouteHints h;
  h.tier = "medium";
  auto d = r->route(input_of({user("hi")}), h);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rule, "tier_header");
  EXPECT_EQ(order(*d).front(), "openai/mini");
  h.tier = "huge";
  auto bad = r->route(input_of({user("hi")}), h);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().field(), "x-fulcrum-tier");
}

TEST(Router, SensitiveDataGoesOnPremisesOnly) {
  auto r = Fixture().make();
  auto d = r->route(input_of({user("Prove it. Mail me at jane.doe@example.com")}), {});
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->privacy, PrivacyClass::kSensitive);
  EXPECT_EQ(d->rule, "privacy");
  EXPECT_EQ(order(*d), std::vector<std::string>{"local/qwen"});
  ASSERT_EQ(d->findings.size(), 1u);
  EXPECT_EQ(d->findings[0].kind, "email");
  // The explanation never carries the matched text.
  EXPECT_EQ(d->explain().dump().find("jane.doe"), std::string::npos);
  EXPECT_EQ(d->header_value().find("jane.doe"), std::string::npos);
}

TEST(Router, SensitiveDataFailsClosedWithoutAHealthyOnPremisesTarget) {
  Fixture f;
  auto r = f.make();
  RouteHints h;
  h.is_healthy = [](std::string_view p) { return p != "local"; };
  auto d = r->route(input_of({user("card 4111 1111 1111 1111")}), h);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), ErrorCode::kUnavailable);

  f.config.models["auto"].targets.erase(f.config.models["auto"].targets.begin());
  auto remote_only = f.make()->route(input_of({user("card 4111 1111 1111 1111")}), {});
  ASSERT_FALSE(remote_only.ok());
  EXPECT_EQ(remote_only.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(remote_only.error().message().find("4111"), std::string::npos);
}

TEST(Router, RedactionLetsMaskedTextGoRemoteWhenTheModelAllowsIt) {
  Fixture f;
  f.config.privacy.redaction = RedactionMode::kMask;
  f.config.models["auto"].allow_redaction = true;
  auto d = f.make()->route(input_of({user("Prove it. Mail me at jane.doe@example.com")}), {});
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->privacy, PrivacyClass::kRedacted);
  ASSERT_EQ(d->targets.size(), 3u);
  for (const auto& t : d->targets) EXPECT_EQ(t.redact, !t.on_premises) << t.provider;
}

TEST(Router, UnhealthyTargetsGoLastAndTheRuleSaysHealth) {
  auto r = Fixture().make();
  RouteHints h;
  h.is_healthy = [](std::string_view p) { return p != "local"; };
  auto d = r->route(input_of({user("hello")}), h);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rule, "health");
  EXPECT_EQ(order(*d), (std::vector<std::string>{"openai/mini", "openai/big", "local/qwen"}));
}

TEST(Router, TargetsSlowerThanTheLatencyTargetMoveBack) {
  Fixture f;
  f.config.models["auto"].targets[0].expected_latency_ms = 5000;
  auto r = f.make();
  RouteHints h;
  h.latency_target_ms = 1000;
  auto d = r->route(input_of({user("hello")}), h);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rule, "latency");
  EXPECT_EQ(order(*d).back(), "local/qwen");
  // An observed latency overrides the configured estimate.
  h.observed_latency_ms = [](std::string_view, std::string_view) -> std::optional<int64_t> {
    return 10;
  };
  auto fast = r->route(input_of({user("hello")}), h);
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(order(*fast).front(), "local/qwen");
}

TEST(Router, CostCapDropsTargetsAndFailsWhenNoneIsLeft) {
  auto r = Fixture().make();
  RouteHints h;
  // "Prove ..." wants the large tier; openai/big costs 512 output tokens × $400/M ≈ $0.2.
  h.max_cost_usd = 0.01;
  auto d = r->route(input_of({user("Prove that there are infinitely many primes.")}), h);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(order(*d), (std::vector<std::string>{"openai/mini", "local/qwen"}));
  for (const auto& t : d->targets) EXPECT_LE(t.cost_estimate_usd, 0.01);

  Fixture remote;
  remote.config.models["auto"].targets = {{"openai", "big", false, "large", 0},
                                          {"openai", "unpriced", false, "large", 0}};
  auto none = remote.make()->route(input_of({user("hi")}), h);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(none.error().message().find("cost cap"), std::string::npos);
}

TEST(Router, DroppingTheFirstConfiguredTargetForCostNamesTheBudgetRule) {
  Fixture f;
  f.config.models["auto"].use_difficulty = false;
  f.config.models["auto"].targets = {{"openai", "big", false, "large", 0},
                                     {"openai", "mini", false, "medium", 0}};
  RouteHints h;
  h.max_cost_usd = 0.01;
  auto d = f.make()->route(input_of({user("hi")}), h);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rule, "budget");
  EXPECT_EQ(order(*d), std::vector<std::string>{"openai/mini"});
}

TEST(Router, ConfigThatClaimsARemoteProviderIsOnPremisesIsRefused) {
  Fixture f;
  f.config.models["auto"].targets[1].on_premises = true;  // openai is not on premises
  auto r = Router::create(f.config);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  Fixture g;
  g.config.models["auto"].targets[0].provider = "nowhere";
  EXPECT_FALSE(Router::create(g.config).ok());
}

// ---------------------------------------------------------------------------------------------
// FallbackWalker

struct Walk {
  std::vector<size_t> tried;
  WalkResult result;
};

// Runs the walk synchronously; outcome(i) answers the attempt at target i.
Walk walk(const RouteDecision& d, const std::function<AttemptOutcome(size_t)>& outcome) {
  Walk w;
  bool finished = false;
  FallbackWalker::run(
      std::make_shared<const RouteDecision>(d),
      [&](const RouteTarget&, size_t i, FallbackWalker::Done done) {
        w.tried.push_back(i);
        done(outcome(i));
      },
      [&](WalkResult r) {
        EXPECT_FALSE(finished) << "finish called twice";
        finished = true;
        w.result = std::move(r);
      });
  EXPECT_TRUE(finished);
  return w;
}

RouteDecision three_targets(PrivacyClass privacy = PrivacyClass::kPublic) {
  RouteDecision d;
  d.model = "auto";
  d.privacy = privacy;
  d.targets = {{"local", "qwen", true, "small", 0, true, false},
               {"openai", "mini", false, "medium", 0, true, privacy == PrivacyClass::kRedacted},
               {"local2", "llama", true, "small", 0, true, false}};
  return d;
}

AttemptOutcome fail(bool retryable, bool tokens = false) {
  return {Error(ErrorCode::kUnavailable, "down"), retryable, tokens};
}

TEST(FallbackWalker, RetryableFailuresMoveOnUntilOneServes) {
  auto w = walk(three_targets(), [](size_t i) {
    return i < 2 ? fail(true) : AttemptOutcome{ok_status(), false, false};
  });
  EXPECT_EQ(w.tried, (std::vector<size_t>{0, 1, 2}));
  EXPECT_TRUE(w.result.status.ok());
  EXPECT_EQ(w.result.served_index, 2);
  EXPECT_EQ(w.result.stop_reason, "ok");
  EXPECT_EQ(w.result.attempts.size(), 3u);
}

TEST(FallbackWalker, NonRetryableErrorsAndSentTokensStopTheWalk) {
  auto not_retryable = walk(three_targets(), [](size_t) { return fail(false); });
  EXPECT_EQ(not_retryable.tried, std::vector<size_t>{0});
  EXPECT_EQ(not_retryable.result.stop_reason, "not_retryable");
  EXPECT_FALSE(not_retryable.result.status.ok());

  auto tokens = walk(three_targets(), [](size_t) { return fail(true, true); });
  EXPECT_EQ(tokens.tried, std::vector<size_t>{0});
  EXPECT_EQ(tokens.result.stop_reason, "tokens_sent");
}

TEST(FallbackWalker, SensitiveDataNeverFallsBackFromOnPremisesToRemote) {
  auto w = walk(three_targets(PrivacyClass::kSensitive), [](size_t) { return fail(true); });
  EXPECT_EQ(w.tried, (std::vector<size_t>{0, 2}));  // openai/mini skipped
  EXPECT_EQ(w.result.stop_reason, "privacy");
  EXPECT_FALSE(w.result.status.ok());
  // Masked text may go remote (the target sends the redacted request).
  auto redacted = walk(three_targets(PrivacyClass::kRedacted), [](size_t) { return fail(true); });
  EXPECT_EQ(redacted.tried, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(redacted.result.stop_reason, "exhausted");
  EXPECT_EQ(redacted.result.status.error().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace fulcrum::router
