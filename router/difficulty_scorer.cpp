#include "router/difficulty_scorer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/ascii.h"

namespace fulcrum::router {
RuleScorer::RuleScorer(RuleScorerConfig config) : config_(std::move(config)) {
  keywords_lower_.resize(config_.hard_keywords.size());
  for (size_t k = 0; k < config_.hard_keywords.size(); ++k)
    ascii::to_lower(config_.hard_keywords[k], &keywords_lower_[k]);
}

int64_t estimate_tokens(const RouteInput& input) {
  int64_t bytes = 0;
  for (const auto& s : input.segments) bytes += static_cast<int64_t>(s.text.size());
  return bytes / 4 + static_cast<int64_t>(input.segments.size());
}

Result<RuleScorerConfig> RuleScorerConfig::parse(ConfigTable& t) {
  RuleScorerConfig c;
  if (t.has("hard_keywords")) {
    FULCRUM_TRY(c.hard_keywords, t.get_string_array("hard_keywords"));
  }
  FULCRUM_TRY(c.long_prompt_tokens, t.get_int("long_prompt_tokens", c.long_prompt_tokens));
  FULCRUM_TRY(c.escalate_at, t.get_double("escalate_at", c.escalate_at));
  if (c.long_prompt_tokens <= 0) return t.invalid("long_prompt_tokens", "must be positive");
  if (c.escalate_at < 0 || c.escalate_at > 1) return t.invalid("escalate_at", "must be in [0, 1]");
  FULCRUM_TRY_STATUS(t.finish());
  return c;
}

DifficultyScore RuleScorer::score(const RouteInput& input, const std::string* explicit_tier,
                                  const std::vector<std::string>& tiers) const {
  DifficultyScore out;
  if (tiers.empty()) return out;
  if (explicit_tier) {
    out.rule = "tier_header";
    out.tier = *explicit_tier;
    auto it = std::find(tiers.begin(), tiers.end(), *explicit_tier);
    out.score = tiers.size() > 1 ? static_cast<double>(it - tiers.begin()) /
                                       static_cast<double>(tiers.size() - 1)
                                 : 0;
    out.reasons.push_back("x-fulcrum-tier: " + *explicit_tier);
    return out;
  }
  // Keywords are looked for in user and system text only (not in tool output or replies),
  // case-insensitively: each text is lower-cased once, then searched per keyword.
  thread_local std::vector<std::string> lowered;
  size_t n_texts = 0;
  for (const auto& seg : input.segments) {
    if (seg.role != "user" && seg.role != "system") continue;
    if (lowered.size() <= n_texts) lowered.emplace_back();
    ascii::to_lower(seg.text, &lowered[n_texts++]);
  }
  double score = 0;
  for (size_t k = 0; k < config_.hard_keywords.size(); ++k) {
    const std::string& kw = config_.hard_keywords[k];
    const std::string& kw_lower = keywords_lower_[k];
    for (size_t t = 0; t < n_texts; ++t) {
      if (!kw_lower.empty() && lowered[t].find(kw_lower) != std::string::npos) {
        score = std::max(score, 0.7);
        out.rule = "keywords";
        out.reasons.push_back("keyword '" + kw + "'");
        break;
      }
    }
    if (out.reasons.size() >= 3) break;
  }
  int64_t tokens = estimate_tokens(input);
  if (tokens >= config_.long_prompt_tokens) {
    score =
        std::max(score, 0.6 + 0.2 * std::min<double>(1.0, static_cast<double>(tokens) /
                                                              (4.0 * config_.long_prompt_tokens)));
    if (out.rule.empty()) out.rule = "length";
    out.reasons.push_back(std::to_string(tokens) + " input tokens (long)");
  } else {
    score = std::max(
        score, 0.3 * static_cast<double>(tokens) / static_cast<double>(config_.long_prompt_tokens));
  }
  if (input.has_tools) {
    score = std::min(1.0, score + 0.1);
    out.reasons.push_back("tools offered");
  }
  if (out.rule.empty()) out.rule = "default";
  out.score = score;
  out.tier = score >= config_.escalate_at ? tiers.back() : tiers.front();
  return out;
}

}  // namespace fulcrum::router
