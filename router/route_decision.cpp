#include "router/route_decision.h"

#include <charconv>
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
  // Built with appends (one allocation); the cost as printf's "%.6f" would write it.
  char cost_buf[64];
  std::string_view cost = "unknown";
  if (served.priced) {
    auto r = std::to_chars(cost_buf, cost_buf + sizeof cost_buf, served.cost_estimate_usd,
                           std::chars_format::fixed, 6);
    if (r.ec == std::errc())
      cost = std::string_view(cost_buf, static_cast<size_t>(r.ptr - cost_buf));
  }
  std::string_view privacy_name = privacy_class_name(privacy);
  std::string out;
  out.reserve(64 + served.provider.size() + served.model.size() + rule.size() + tier.size());
  out.append("target=").append(served.provider).append("/").append(served.model);
  out.append("; rule=").append(rule).append("; privacy=").append(privacy_name);
  out.append("; cost_usd=").append(cost);
  if (!tier.empty()) out.append("; tier=").append(tier);
  return out;
}

}  // namespace fulcrum::router
