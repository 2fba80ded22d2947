// Difficulty and stakes: a pluggable scorer says how hard a request is (0 easy … 1 hard) and
// which tier should take it. The built-in RuleScorer uses, in order: an explicit tier
// (x-fulcrum-tier header), task keywords ("prove", "legal", ...), prompt length, tools.
// Learned routers implement DifficultyScorer and are passed to Router::create.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/result.h"
#include "router/route_input.h"

namespace fulcrum::router {

struct DifficultyScore {
  double score = 0;                  // 0 easy … 1 hard
  std::string tier;                  // one of the configured tiers
  std::string rule;                  // "tier_header", "keywords", "length", "tools", "default"
  std::vector<std::string> reasons;  // e.g. "keyword 'prove'", "3120 input tokens"
};

class DifficultyScorer {
 public:
  virtual ~DifficultyScorer() = default;
  // `explicit_tier`: the x-fulcrum-tier header if any; `tiers`: cheapest first.
  virtual DifficultyScore score(const RouteInput& input, const std::string* explicit_tier,
                                const std::vector<std::string>& tiers) const = 0;
};

// [routing.difficulty]
struct RuleScorerConfig {
  std::vector<std::string> hard_keywords = {
      "prove",   "proof",  "theorem",      "legal",    "contract",     "diagnos",
      "medical", "derive", "step by step", "refactor", "architecture", "security audit"};
  int64_t long_prompt_tokens = 2000;  // above this, a prompt counts as hard
  double escalate_at = 0.5;           // score >= this → the top tier, else the cheapest
  static Result<RuleScorerConfig> parse(ConfigTable& table);
};

class RuleScorer final : public DifficultyScorer {
 public:
  explicit RuleScorer(RuleScorerConfig config);
  ~RuleScorer() override;
  DifficultyScore score(const RouteInput& input, const std::string* explicit_tier,
                        const std::vector<std::string>& tiers) const override;

 private:
  // Which keywords occur (case-insensitively) in the user and system texts: marks[k] for
  // config_.hard_keywords[k].
  void find_keywords(const RouteInput& input, std::vector<uint8_t>* marks) const;

  struct KeywordMatcher;  // one caseless Vectorscan literal scan for all keywords
  RuleScorerConfig config_;
  std::unique_ptr<KeywordMatcher> matcher_;  // null: lower-cased substring search instead
  std::vector<std::string> keywords_lower_;  // config_.hard_keywords in ASCII lower case
};

// Token estimate without a tokenizer: ~4 bytes per token, at least 1 per segment.
int64_t estimate_tokens(const RouteInput& input);

}  // namespace fulcrum::router
