// The policy router: request → ordered targets, with the reason. Rules run in a fixed order,
// documented in docs/CONFIG.md ("Routing: the rule order"):
//
//   1. model     the requested name must be a virtual model ([models.<name>]) → its targets
//   2. privacy   sensitive findings → on-premises targets only (or masked text to remote ones
//                when the model allows redaction); none healthy → fail closed (403 / 503)
//   3. health    unhealthy targets go last (never dropped: breakers may close again)
//   4. difficulty  the scorer (x-fulcrum-tier header, length, task keywords) picks a tier;
//                targets of that tier come first, then the next tiers up, then down
//   5. budget    targets over the cost cap are dropped; targets slower than the latency
//                target move behind the ones that meet it
//   6. fallback  what remains, in order, is the fallback list (FallbackWalker runs it)
//
// Router is immutable after create() and safe to use from many threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/result.h"
#include "router/difficulty_scorer.h"
#include "router/price_table.h"
#include "router/privacy_classifier.h"
#include "router/route_decision.h"
#include "router/route_input.h"

namespace fulcrum::router {

// One entry of a virtual model's ordered target list.
struct TargetConfig {
  std::string provider;
  std::string model;
  bool on_premises = false;
  std::string tier = "medium";
  int64_t expected_latency_ms = 0;  // 0 = unknown; RouteHints::observed_latency_ms overrides
};

// [models.<name>]
struct VirtualModel {
  std::string name;
  std::vector<TargetConfig> targets;
  bool allow_redaction = false;  // sensitive + privacy.redaction = "mask" → remote allowed
  bool use_difficulty = true;    // false: keep config order regardless of the scorer
  std::optional<double> max_cost_usd;
  std::optional<int64_t> latency_target_ms;
};

// [routing]
struct RoutingConfig {
  std::vector<std::string> tiers = {"small", "medium", "large"};  // cheapest first
  std::optional<double> max_cost_usd;                             // default per-request cost cap
  std::optional<int64_t> latency_target_ms;                       // default latency target
  int64_t default_output_tokens = 512;  // output estimate when max_tokens is unset
  RuleScorerConfig scorer;              // [routing.difficulty]
  PriceTable prices;                    // [routing.prices."provider/model"]
};

struct RouterConfig {
  PrivacyConfig privacy;
  RoutingConfig routing;
  std::map<std::string, VirtualModel, std::less<>> models;
  // Provider name → its config's `on_premises` ([providers.<name>], filled in by the caller
  // after parsing the providers). When a provider is listed here its flag is authoritative:
  // a target claiming on_premises = true for a remote provider is a config error, and a
  // target naming an unknown provider is one too (if the map is non-empty).
  std::map<std::string, bool, std::less<>> provider_on_premises;

  // Reads [privacy], [routing] and [models.*] from the root table (marking them used; the
  // caller's root.finish() then rejects keys nobody read). Unknown keys inside these
  // sections are errors with their line.
  static Result<RouterConfig> parse(ConfigTable& root);
};

// [models.<name>] targets = [{ provider = "local", model = "qwen2", on_premises = true,
// tier = "small", expected_latency_ms = 800 }, ...], allow_redaction, use_difficulty,
// max_cost_usd, latency_target_ms.

// Per-request facts from outside the request body.
struct RouteHints {
  std::optional<std::string> tier;           // x-fulcrum-tier
  std::optional<double> max_cost_usd;        // x-fulcrum-max-cost (USD)
  std::optional<int64_t> latency_target_ms;  // x-fulcrum-latency-target-ms
  // Provider health (circuit breakers, health checks); unset = all healthy.
  std::function<bool(std::string_view provider)> is_healthy;
  // Observed latency per provider/model (ms); unset or nullopt = use the config's estimate.
  std::function<std::optional<int64_t>(std::string_view provider, std::string_view model)>
      observed_latency_ms;

  // Reads the x-fulcrum-* headers through a lookup (header names are lowercase). Bad values
  // are kInvalidArgument errors naming the header.
  static Result<RouteHints> from_headers(
      const std::function<std::optional<std::string>(std::string_view name)>& header);
};

class Router {
 public:
  static Result<std::shared_ptr<const Router>> create(RouterConfig config);
  // Same, with a custom difficulty scorer (learned routers plug in here).
  static Result<std::shared_ptr<const Router>> create(RouterConfig config,
                                                      std::shared_ptr<const DifficultyScorer> s);

  // Decides where `input` goes. Errors: kNotFound (unknown model), kPermissionDenied
  // (sensitive data and no on-premises target), kUnavailable (sensitive data and no healthy
  // on-premises target), kFailedPrecondition (every target over the cost cap).
  Result<RouteDecision> route(const RouteInput& input, const RouteHints& hints) const;

  const PrivacyClassifier& classifier() const { return *classifier_; }
  const RouterConfig& config() const { return config_; }
  std::vector<std::string> model_names() const;  // virtual model names, sorted

 private:
  Router() = default;
  RouterConfig config_;
  std::shared_ptr<const PrivacyClassifier> classifier_;
  std::shared_ptr<const DifficultyScorer> scorer_;
};

}  // namespace fulcrum::router
