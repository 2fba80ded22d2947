#include "router/route_decision.h"

#include <cstdio>
#include <set>

namespace fulcrum::router {

const char* privacy_class_name(PrivacyClass c) {
  switch (c) {
    case PrivacyClass::kPublic:
      return "public";
    case PrivacyClass::kSensitive:
      return "sensitive";
    case PrivacyClass::kRedacted:
      return "redacted";
  }
  return "unknown";
}

namespace {

nlohmann::json target_json(const RouteTarget& t) {
  nlohmann::json j = {{"provider", t.provider},
                      {"model", t.model},
                      {"on_premises", t.on_premises},
                      {"tier", t.tier},
                      {"redact", t.redact}};
  j["cost_estimate_usd"] = t.priced ? nlohmann::json(t.cost_estimate_usd) : nlohmann::json();
  return j;
}

}  // namespace

nlohmann::json RouteDecision::explain() const {
  nlohmann::json targets_json = nlohmann::json::array();
  for (const auto& t : targets) targets_json.push_back(target_json(t));
  std::set<std::string> kinds;
  nlohmann::json findings_json = nlohmann::json::array();
  for (const auto& f : findings) {
    kinds.insert(f.kind);
    findings_json.push_back(
        {{"kind", f.kind}, {"segment", f.segment}, {"start", f.start}, {"end", f.end}});
  }
  nlohmann::json j = {
      {"model", model},
      {"target", targets.empty() ? nlohmann::json() : target_json(targets.front())},
      {"rule", rule},
      {"privacy",
       {{"class", privacy_class_name(privacy)},
        {"kinds", std::vector<std::string>(kinds.begin(), kinds.end())},
        {"findings", findings_json}}},
      {"difficulty", {{"score", difficulty}, {"tier", tier}}},
      {"tokens",
       {{"input_estimate", input_tokens_estimate}, {"output_estimate", output_tokens_estimate}}},
      {"fallbacks", targets_json},
      {"reasons", reasons},
  };
  j["cost_estimate_usd"] = !targets.empty() && targets.front().priced
                               ? nlohmann::json(targets.front().cost_estimate_usd)
                               : nlohmann::json();
  return j;
}

std::string RouteDecision::header_value() const {
  if (targets.empty()) return "target=none; rule=" + rule;
  return header_value(targets.front());
}

std::string RouteDecision::header_value(const RouteTarget& served) const {
  char cost[32];
  if (served.priced) {
    std::snprintf(cost, sizeof(cost), "%.6f", served.cost_estimate_usd);
  } else {
    std::snprintf(cost, sizeof(cost), "unknown");
  }
  std::string out = "target=" + served.provider + "/" + served.model + "; rule=" + rule +
                    "; privacy=" + privacy_class_name(privacy) + "; cost_usd=" + cost;
  if (!tier.empty()) out += "; tier=" + tier;
  return out;
}

}  // namespace fulcrum::router
