#include "router/router.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace fulcrum::router {
namespace {

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

// Sort keys of one candidate target, most important first (see router.h's rule order).
struct Candidate {
  RouteTarget target;
  size_t config_index = 0;
  bool unhealthy = false;
  bool slow = false;
  int tier_distance = 0;
};

int tier_index(const std::vector<std::string>& tiers, const std::string& tier) {
  auto it = std::find(tiers.begin(), tiers.end(), tier);
  return it == tiers.end() ? 0 : static_cast<int>(it - tiers.begin());
}

// Wanted tier first, then the tiers above it (cheapest first), then the ones below.
int tier_distance(int wanted, int have, int n_tiers) {
  if (have >= wanted) return have - wanted;
  return n_tiers + (wanted - have);
}

}  // namespace

Result<std::shared_ptr<const Router>> Router::create(RouterConfig config) {
  auto scorer = std::make_shared<RuleScorer>(config.routing.scorer);
  return create(std::move(config), std::move(scorer));
}

Result<std::shared_ptr<const Router>> Router::create(RouterConfig config,
                                                     std::shared_ptr<const DifficultyScorer> s) {
  if (!s) return Error(ErrorCode::kInvalidArgument, "router: no difficulty scorer");
  const auto& known = config.provider_on_premises;
  for (auto& [name, model] : config.models) {
    for (auto& t : model.targets) {
      if (known.empty()) continue;
      auto it = known.find(t.provider);
      if (it == known.end())
        return Error(ErrorCode::kInvalidArgument,
                     "models." + name + ": target provider '" + t.provider + "' is not configured")
            .with_field("models." + name + ".targets");
      if (t.on_premises && !it->second)
        return Error(ErrorCode::kInvalidArgument, "models." + name + ": target '" + t.provider +
                                                      "/" + t.model +
                                                      "' says on_premises = true but provider '" +
                                                      t.provider + "' is not on premises")
            .with_field("models." + name + ".targets");
      t.on_premises = it->second;
    }
  }
  std::shared_ptr<Router> r(new Router());
  FULCRUM_TRY(r->classifier_, PrivacyClassifier::create(config.privacy));
  r->scorer_ = std::move(s);
  r->config_ = std::move(config);
  return std::shared_ptr<const Router>(r);
}

std::vector<std::string> Router::model_names() const {
  std::vector<std::string> out;
  for (const auto& [name, m] : config_.models) out.push_back(name);
  return out;
}

Result<RouteDecision> Router::route(const RouteInput& input, const RouteHints& hints) const {
  auto it = config_.models.find(input.model);
  if (it == config_.models.end()) {
    std::set<std::string> names;
    for (const auto& [n, m] : config_.models) names.insert(n);
    return Error(ErrorCode::kNotFound,
                 "unknown model '" + input.model + "' (virtual models: " + join(names) + ")")
        .with_field("model");
  }
  const VirtualModel& vm = it->second;
  const auto& tiers = config_.routing.tiers;
  RouteDecision d;
  d.model = vm.name;

  // 2. privacy
  for (uint32_t i = 0; i < input.segments.size(); ++i)
    FULCRUM_TRY_STATUS(classifier_->scan(input.segments[i].text, i, &d.findings));
  std::set<std::string> kinds;
  for (const auto& f : d.findings) kinds.insert(f.kind);
  bool redact = false;
  if (!d.findings.empty()) {
    redact = config_.privacy.redaction == RedactionMode::kMask && vm.allow_redaction;
    d.privacy = redact ? PrivacyClass::kRedacted : PrivacyClass::kSensitive;
    d.reasons.push_back("privacy: " + std::to_string(d.findings.size()) + " finding(s) (" +
                        join(kinds) + ")" +
                        (redact ? ", masked for remote targets" : ", on-premises targets only"));
  }
  auto healthy = [&](const std::string& provider) {
    return !hints.is_healthy || hints.is_healthy(provider);
  };
  std::vector<Candidate> cands;
  for (size_t i = 0; i < vm.targets.size(); ++i) {
    const TargetConfig& t = vm.targets[i];
    if (d.privacy == PrivacyClass::kSensitive && !t.on_premises) continue;
    Candidate c;
    c.target = {t.provider, t.model, t.on_premises, t.tier, 0, false, redact && !t.on_premises};
    c.config_index = i;
    c.unhealthy = !healthy(t.provider);
    cands.push_back(std::move(c));
  }
  if (d.privacy == PrivacyClass::kSensitive) {
    if (cands.empty())
      return Error(ErrorCode::kPermissionDenied,
                   "request contains sensitive data (" + join(kinds) + ") and model '" + vm.name +
                       "' has no on-premises target; refusing to send it to a remote provider");
    bool any_healthy =
        std::any_of(cands.begin(), cands.end(), [](const Candidate& c) { return !c.unhealthy; });
    if (!any_healthy)
      return Error(ErrorCode::kUnavailable, "request contains sensitive data (" + join(kinds) +
                                                ") and no on-premises " + "target of model '" +
                                                vm.name + "' is healthy; failing closed");
  }

  // 4. difficulty
  const std::string* explicit_tier = hints.tier ? &*hints.tier : nullptr;
  if (explicit_tier && std::find(tiers.begin(), tiers.end(), *explicit_tier) == tiers.end())
    return Error(ErrorCode::kInvalidArgument,
                 "x-fulcrum-tier: unknown tier '" + *explicit_tier + "'")
        .with_field("x-fulcrum-tier");
  DifficultyScore score;
  if (vm.use_difficulty) {
    score = scorer_->score(input, explicit_tier, tiers);
    d.difficulty = score.score;
    d.tier = score.tier;
    int wanted = tier_index(tiers, score.tier);
    for (auto& c : cands)
      c.tier_distance =
          tier_distance(wanted, tier_index(tiers, c.target.tier), static_cast<int>(tiers.size()));
    std::string why;
    for (const auto& r : score.reasons) why += (why.empty() ? "" : ", ") + r;
    // The score's first four characters in %f form ("0.45" for 0.456), written without printf.
    char score_text[64];
    auto sr = std::to_chars(score_text, score_text + sizeof score_text, score.score,
                            std::chars_format::fixed, 6);
    std::string_view score_view(score_text, static_cast<size_t>(sr.ptr - score_text));
    d.reasons.push_back("difficulty " + std::string(score_view.substr(0, 4)) + " → tier " +
                        score.tier + " (" + score.rule + (why.empty() ? "" : ": " + why) + ")");
  }

  // 5. budget: cost cap (drop) and latency target (demote)
  d.input_tokens_estimate = estimate_tokens(input);
  d.output_tokens_estimate =
      input.max_tokens > 0 ? input.max_tokens : config_.routing.default_output_tokens;
  std::optional<double> cap = hints.max_cost_usd ? hints.max_cost_usd
                              : vm.max_cost_usd  ? vm.max_cost_usd
                                                 : config_.routing.max_cost_usd;
  std::optional<int64_t> latency = hints.latency_target_ms ? hints.latency_target_ms
                                   : vm.latency_target_ms  ? vm.latency_target_ms
                                                           : config_.routing.latency_target_ms;
  for (auto& c : cands) {
    auto cost = config_.routing.prices.cost(c.target.provider, c.target.model,
                                            d.input_tokens_estimate, d.output_tokens_estimate);
    c.target.priced = cost.has_value();
    c.target.cost_estimate_usd = cost.value_or(0);
    if (latency) {
      std::optional<int64_t> expected;
      if (hints.observed_latency_ms)
        expected = hints.observed_latency_ms(c.target.provider, c.target.model);
      if (!expected && vm.targets[c.config_index].expected_latency_ms > 0)
        expected = vm.targets[c.config_index].expected_latency_ms;
      c.slow = expected && *expected > *latency;
    }
  }
  size_t first_config_index = cands.empty() ? 0 : cands.front().config_index;
  bool dropped_first = false;
  if (cap) {
    size_t before = cands.size();
    double cheapest = -1;
    std::erase_if(cands, [&](const Candidate& c) {
      bool over = c.target.priced ? c.target.cost_estimate_usd > *cap : !c.target.on_premises;
      if (over && c.target.priced && (cheapest < 0 || c.target.cost_estimate_usd < cheapest))
        cheapest = c.target.cost_estimate_usd;
      if (over && c.config_index == first_config_index) dropped_first = true;
      return over;
    });
    if (cands.empty())
      return Error(ErrorCode::kFailedPrecondition,
                   "every target of model '" + vm.name + "' is over the cost cap of $" +
                       std::to_string(*cap) +
                       (cheapest >= 0 ? " (cheapest estimate $" + std::to_string(cheapest) + ")"
                                      : " (remote targets without a price are excluded)"));
    if (cands.size() != before)
      d.reasons.push_back("budget: " + std::to_string(before - cands.size()) +
                          " target(s) over the cost cap $" + std::to_string(*cap));
  }

  // 6. order = fallback list
  if (cands.empty())  // the config requires targets; kept as an error, never a crash
    return Error(ErrorCode::kUnavailable, "model '" + vm.name + "' has no targets");
  // What the rule names compare against: the first candidate in config order.
  struct {
    size_t config_index;
    bool unhealthy, slow;
  } c0{cands.front().config_index, cands.front().unhealthy, cands.front().slow};
  std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
    if (a.unhealthy != b.unhealthy) return !a.unhealthy;
    if (a.slow != b.slow) return !a.slow;
    if (a.tier_distance != b.tier_distance) return a.tier_distance < b.tier_distance;
    return a.config_index < b.config_index;
  });
  const Candidate& w = cands.front();
  std::string difficulty_rule = score.rule == "tier_header" ? "tier_header" : "difficulty";
  if (d.privacy == PrivacyClass::kSensitive) {
    d.rule = "privacy";
  } else if (dropped_first) {
    d.rule = "budget";
  } else if (w.config_index != c0.config_index) {
    d.rule = c0.unhealthy != w.unhealthy ? "health"
             : c0.slow != w.slow         ? "latency"
                                         : difficulty_rule;
  } else if (vm.use_difficulty && w.tier_distance == 0 && score.rule != "default") {
    d.rule = difficulty_rule;
  } else {
    d.rule = "order";
  }
  for (auto& c : cands) {
    if (c.unhealthy) d.reasons.push_back("health: " + c.target.provider + " unhealthy, tried last");
    if (c.slow)
      d.reasons.push_back("latency: " + c.target.provider + "/" + c.target.model +
                          " slower than the " + std::to_string(*latency) + " ms target");
    d.targets.push_back(std::move(c.target));
  }
  return d;
}

}  // namespace fulcrum::router
