#include "router/difficulty_scorer.h"

#include <hs/hs.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/ascii.h"
#include "core/log.h"
#include "router/hs_scratch_pool.h"

namespace fulcrum::router {

struct RuleScorer::KeywordMatcher {
  hs_database_t* db = nullptr;
  HsScratchPool scratch;
  ~KeywordMatcher() { hs_free_database(db); }
};

RuleScorer::RuleScorer(RuleScorerConfig config) : config_(std::move(config)) {
  keywords_lower_.resize(config_.hard_keywords.size());
  for (size_t k = 0; k < config_.hard_keywords.size(); ++k)
    ascii::to_lower(config_.hard_keywords[k], &keywords_lower_[k]);
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> ids, flags;
  for (size_t k = 0; k < config_.hard_keywords.size(); ++k) {
    const std::string& kw = config_.hard_keywords[k];
    if (kw.empty()) continue;  // an empty keyword matches nothing (as in the fallback)
    exprs.push_back(kw.data());
    lens.push_back(kw.size());
    ids.push_back(static_cast<unsigned>(k));
    flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
  }
  if (exprs.empty()) return;
  auto m = std::make_unique<KeywordMatcher>();
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                           static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &m->db,
                           &err) != HS_SUCCESS) {
    // Same answers either way; only the speed differs, so this is worth a warning, not a failure.
    log::warn("difficulty: keywords do not compile for Vectorscan ({}); using substring search",
              err && err->message ? err->message : "unknown error");
    hs_free_compile_error(err);
    return;
  }
  if (!m->scratch.add(m->db).ok()) {
    log::warn("difficulty: no Vectorscan scratch for the keywords; using substring search");
    return;
  }
  matcher_ = std::move(m);
}

RuleScorer::~RuleScorer() = default;

void RuleScorer::find_keywords(const RouteInput& input, std::vector<uint8_t>* marks) const {
  marks->assign(config_.hard_keywords.size(), 0);
  auto texts = [&](auto&& fn) {
    for (const auto& seg : input.segments)
      if (seg.role == "user" || seg.role == "system") fn(seg.text);
  };
  if (matcher_) {
    auto lease = matcher_->scratch.lease();
    if (lease.ok()) {
      bool ok = true;
      texts([&](const std::string& text) {
        if (!ok || text.empty() || text.size() > 0xffffffffu) return;
        auto on_match = [](unsigned id, unsigned long long, unsigned long long, unsigned,
                           void* ctx) -> int {
          (*static_cast<std::vector<uint8_t>*>(ctx))[id] = 1;
          return 0;
        };
        ok = hs_scan(matcher_->db, text.data(), static_cast<unsigned>(text.size()), 0, lease->get(),
                     on_match, marks) == HS_SUCCESS;
      });
      if (ok) return;
    }
    // Same answers from the plain search below; said, so a failing scan is not hidden.
    log::warn("difficulty: Vectorscan keyword scan failed; using substring search");
    marks->assign(config_.hard_keywords.size(), 0);
  }
  // Each text lower-cased once, then searched per keyword.
  thread_local std::string lowered;
  texts([&](const std::string& text) {
    ascii::to_lower(text, &lowered);
    for (size_t k = 0; k < keywords_lower_.size(); ++k)
      if (!keywords_lower_[k].empty() && lowered.find(keywords_lower_[k]) != std::string::npos)
        (*marks)[k] = 1;
  });
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
  // case-insensitively; reasons name the first three in configuration order.
  thread_local std::vector<uint8_t> marks;
  find_keywords(input, &marks);
  double score = 0;
  for (size_t k = 0; k < config_.hard_keywords.size() && out.reasons.size() < 3; ++k) {
    if (!marks[k]) continue;
    score = std::max(score, 0.7);
    out.rule = "keywords";
    out.reasons.push_back("keyword '" + config_.hard_keywords[k] + "'");
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
