// The router's answer for one request: the ordered targets to try, the rule that decided, the
// privacy class and findings, the cost estimate, and an explanation for `x-fulcrum-route`,
// the request log and `POST /v1/route/explain`. Never contains matched text or provider keys.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "router/finding.h"

namespace fulcrum::router {

enum class PrivacyClass {
  kPublic,     // nothing sensitive found
  kSensitive,  // sensitive data found: on-premises targets only
  kRedacted,   // sensitive data found and masked: remote targets allowed with the masked text
};
const char* privacy_class_name(PrivacyClass c);

struct RouteTarget {
  std::string provider;          // provider name from the config ([providers.<name>])
  std::string model;             // the upstream model id sent to that provider
  bool on_premises = false;      // runs on the organisation's hardware
  std::string tier;              // "small", "medium", "large" (routing.tiers order)
  double cost_estimate_usd = 0;  // input + expected output at the price table's rates
  bool priced = false;           // false when the price table has no entry for provider/model
  bool redact = false;           // send the masked text (privacy class kRedacted, remote target)
};

struct RouteDecision {
  std::string model;                 // the virtual model the request named
  std::vector<RouteTarget> targets;  // in the order to try them; never empty on success
  std::string rule;                  // the rule that decided the first target (see router.h)
  PrivacyClass privacy = PrivacyClass::kPublic;
  std::vector<Finding> findings;     // offsets only, never the matched text
  double difficulty = 0;             // scorer output in [0, 1]
  std::string tier;                  // the tier the difficulty rules asked for
  std::vector<std::string> reasons;  // short human-readable steps, in rule order
  int64_t input_tokens_estimate = 0;
  int64_t output_tokens_estimate = 0;

  const RouteTarget& first() const { return targets.front(); }
  // Full explanation (for /v1/route/explain and the request log).
  nlohmann::json explain() const;
  // One line for the `x-fulcrum-route` header:
  // "target=openai/gpt-4o; rule=difficulty; privacy=public; cost_usd=0.000420".
  std::string header_value() const;
  // header_value() for the target that actually served (after fallbacks).
  std::string header_value(const RouteTarget& served) const;
};

}  // namespace fulcrum::router
