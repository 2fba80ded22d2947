// RouterConfig::parse and RouteHints::from_headers: the [privacy], [routing] and [models.*]
// sections and the x-fulcrum-* request headers.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "router/router.h"

namespace fulcrum::router {
namespace {

Result<TargetConfig> parse_target(ConfigTable& t, const std::vector<std::string>& tiers) {
  TargetConfig c;
  FULCRUM_TRY(c.provider, t.require_string("provider"));
  FULCRUM_TRY(c.model, t.require_string("model"));
  FULCRUM_TRY(c.on_premises, t.get_bool("on_premises", false));
  FULCRUM_TRY(c.tier, t.get_string("tier", tiers.front()));
  FULCRUM_TRY(c.expected_latency_ms, t.get_int("expected_latency_ms", 0));
  FULCRUM_TRY_STATUS(t.finish());
  if (c.provider.empty()) return t.invalid("provider", "must not be empty");
  if (c.model.empty()) return t.invalid("model", "must not be empty");
  if (std::find(tiers.begin(), tiers.end(), c.tier) == tiers.end())
    return t.invalid("tier", "unknown tier '" + c.tier + "' (see routing.tiers)");
  if (c.expected_latency_ms < 0) return t.invalid("expected_latency_ms", "must not be negative");
  return c;
}

Result<VirtualModel> parse_model(ConfigTable& t, std::string name,
                                 const std::vector<std::string>& tiers) {
  VirtualModel m;
  m.name = std::move(name);
  FULCRUM_TRY(auto targets, t.get_table_array("targets"));
  for (auto& target : targets) {
    FULCRUM_TRY(auto tc, parse_target(target, tiers));
    m.targets.push_back(std::move(tc));
  }
  if (m.targets.empty()) return t.invalid("targets", "a virtual model needs at least one target");
  FULCRUM_TRY(m.allow_redaction, t.get_bool("allow_redaction", false));
  FULCRUM_TRY(m.use_difficulty, t.get_bool("use_difficulty", true));
  FULCRUM_TRY(m.max_cost_usd, t.get_double("max_cost_usd"));
  FULCRUM_TRY(m.latency_target_ms, t.get_int("latency_target_ms"));
  FULCRUM_TRY_STATUS(t.finish());
  if (m.max_cost_usd && *m.max_cost_usd < 0) return t.invalid("max_cost_usd", "must be >= 0");
  if (m.latency_target_ms && *m.latency_target_ms <= 0)
    return t.invalid("latency_target_ms", "must be positive");
  return m;
}

Result<RoutingConfig> parse_routing(ConfigTable& t) {
  RoutingConfig c;
  if (t.has("tiers")) {
    FULCRUM_TRY(c.tiers, t.get_string_array("tiers"));
    if (c.tiers.empty()) return t.invalid("tiers", "must list at least one tier");
    for (size_t i = 0; i < c.tiers.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (c.tiers[i] == c.tiers[j]) return t.invalid("tiers", "duplicate tier " + c.tiers[i]);
  }
  FULCRUM_TRY(c.max_cost_usd, t.get_double("max_cost_usd"));
  FULCRUM_TRY(c.latency_target_ms, t.get_int("latency_target_ms"));
  FULCRUM_TRY(c.default_output_tokens, t.get_int("default_output_tokens", 512));
  if (c.max_cost_usd && *c.max_cost_usd < 0) return t.invalid("max_cost_usd", "must be >= 0");
  if (c.latency_target_ms && *c.latency_target_ms <= 0)
    return t.invalid("latency_target_ms", "must be positive");
  if (c.default_output_tokens <= 0) return t.invalid("default_output_tokens", "must be positive");
  FULCRUM_TRY(auto difficulty, t.get_table("difficulty"));
  if (difficulty) {
    FULCRUM_TRY(c.scorer, RuleScorerConfig::parse(*difficulty));
  }
  FULCRUM_TRY(auto prices, t.get_table("prices"));
  if (prices) {
    FULCRUM_TRY(c.prices, PriceTable::parse(*prices));
    FULCRUM_TRY_STATUS(prices->finish());
  }
  FULCRUM_TRY_STATUS(t.finish());
  return c;
}

}  // namespace

Result<RouterConfig> RouterConfig::parse(ConfigTable& root) {
  RouterConfig c;
  FULCRUM_TRY(auto privacy, root.get_table("privacy"));
  if (privacy) {
    FULCRUM_TRY(c.privacy, PrivacyConfig::parse(*privacy));
  }
  FULCRUM_TRY(auto routing, root.get_table("routing"));
  if (routing) {
    FULCRUM_TRY(c.routing, parse_routing(*routing));
  }
  FULCRUM_TRY(auto models, root.get_table("models"));
  if (models) {
    for (const auto& name : models->keys()) {
      FULCRUM_TRY(auto table, models->get_table(name));
      if (!table) return models->invalid(name, "must be a table [models." + name + "]");
      FULCRUM_TRY(auto m, parse_model(*table, name, c.routing.tiers));
      c.models.emplace(name, std::move(m));
    }
    FULCRUM_TRY_STATUS(models->finish());
  }
  return c;
}

Result<RouteHints> RouteHints::from_headers(
    const std::function<std::optional<std::string>(std::string_view name)>& header) {
  RouteHints h;
  if (auto v = header("x-fulcrum-tier")) {
    std::string tier;
    for (char ch : *v)
      if (ch != ' ' && ch != '\t')
        tier += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (tier.empty())
      return Error(ErrorCode::kInvalidArgument, "x-fulcrum-tier is empty")
          .with_field("x-fulcrum-tier");
    h.tier = tier;
  }
  if (auto v = header("x-fulcrum-max-cost")) {
    errno = 0;
    char* end = nullptr;
    double d = std::strtod(v->c_str(), &end);
    if (v->empty() || end != v->c_str() + v->size() || errno != 0 || !std::isfinite(d) || d < 0)
      return Error(ErrorCode::kInvalidArgument,
                   "x-fulcrum-max-cost must be a non-negative number of US dollars")
          .with_field("x-fulcrum-max-cost");
    h.max_cost_usd = d;
  }
  if (auto v = header("x-fulcrum-latency-target-ms")) {
    errno = 0;
    char* end = nullptr;
    long long ms = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || end != v->c_str() + v->size() || errno != 0 || ms <= 0)
      return Error(ErrorCode::kInvalidArgument,
                   "x-fulcrum-latency-target-ms must be a positive integer (milliseconds)")
          .with_field("x-fulcrum-latency-target-ms");
    h.latency_target_ms = ms;
  }
  return h;
}

}  // namespace fulcrum::router
