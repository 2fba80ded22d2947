#include "router/privacy_classifier.h"

#include <hs/hs.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "router/ascii.h"
#include "router/builtin_scanner.h"
#include "router/privacy_patterns.h"
#include "router/privacy_scanner.h"

namespace fulcrum::router {

struct PrivacyClassifier::Detector {
  std::string kind;
  RefineFn refine = nullptr;
};

namespace {

// A literal term as a Vectorscan expression: metacharacters escaped as \xHH, word
// boundaries on the sides that are word characters.
std::string term_regex(std::string_view term) {
  std::string out;
  if (is_word(term.front())) out += "\\b";
  for (unsigned char c : term) {
    if (is_word(static_cast<char>(c)) || c >= 0x80) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  if (is_word(term.back())) out += "\\b";
  return out;
}

bool valid_kind_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

std::span<const std::string_view> PrivacyClassifier::builtin_kinds() {
  return builtin_kind_names();
}

Result<PrivacyConfig> PrivacyConfig::parse(ConfigTable& t) {
  PrivacyConfig c;
  FULCRUM_TRY(c.enabled, t.get_bool("enabled", true));
  FULCRUM_TRY(c.disabled, t.get_string_array("disabled"));
  FULCRUM_TRY(c.terms, t.get_string_array("terms"));
  FULCRUM_TRY(auto redaction, t.get_string("redaction", "off"));
  if (redaction == "off") {
    c.redaction = RedactionMode::kOff;
  } else if (redaction == "mask") {
    c.redaction = RedactionMode::kMask;
  } else {
    return t.invalid("redaction", "must be \"off\" or \"mask\"");
  }
  auto kinds = builtin_kind_names();
  for (const auto& d : c.disabled)
    if (std::find(kinds.begin(), kinds.end(), d) == kinds.end())
      return t.invalid("disabled", "unknown kind '" + d + "'");
  for (const auto& term : c.terms)
    if (term.empty()) return t.invalid("terms", "empty term");
  FULCRUM_TRY(auto patterns, t.get_table_array("patterns"));
  for (auto& p : patterns) {
    CustomPattern cp;
    FULCRUM_TRY(cp.name, p.require_string("name"));
    FULCRUM_TRY(cp.regex, p.require_string("regex"));
    FULCRUM_TRY(cp.case_insensitive, p.get_bool("case_insensitive", false));
    FULCRUM_TRY_STATUS(p.finish());
    if (!valid_kind_name(cp.name))
      return p.invalid("name", "must be lowercase letters, digits and '_'");
    if (std::find(kinds.begin(), kinds.end(), cp.name) != kinds.end() || cp.name == "term")
      return p.invalid("name", "'" + cp.name + "' is a built-in kind");
    c.patterns.push_back(std::move(cp));
  }
  FULCRUM_TRY_STATUS(t.finish());
  return c;
}

Result<std::shared_ptr<const PrivacyClassifier>> PrivacyClassifier::create(
    const PrivacyConfig& config) {
  std::shared_ptr<PrivacyClassifier> c(new PrivacyClassifier());
  c->enabled_ = config.enabled;
  auto kinds = builtin_kind_names();
  for (const auto& d : config.disabled)
    if (std::find(kinds.begin(), kinds.end(), d) == kinds.end())
      return Error(ErrorCode::kInvalidArgument, "privacy.disabled: unknown kind '" + d + "'");
  std::vector<const BuiltinPattern*> rows;
  for (const auto& p : builtin_patterns()) {
    if (std::find(config.disabled.begin(), config.disabled.end(), p.kind) != config.disabled.end())
      continue;
    c->detectors_.push_back({std::string(p.kind), p.refine});
    rows.push_back(&p);
  }
  c->builtin_count_ = rows.size();
  std::vector<ScanPattern> patterns;
  for (const auto& p : config.patterns) {
    c->detectors_.push_back({p.name, nullptr});
    patterns.push_back({p.regex, p.case_insensitive ? HS_FLAG_CASELESS : 0u});
  }
  for (const auto& term : config.terms) {
    c->detectors_.push_back({"term", nullptr});
    patterns.push_back({term_regex(term), HS_FLAG_CASELESS, {}, /*shared_som=*/true});
  }
  if (!c->enabled_ || c->detectors_.empty()) return std::shared_ptr<const PrivacyClassifier>(c);
  if (!rows.empty()) {
    FULCRUM_TRY(c->builtin_, BuiltinScanner::create(rows));
  }
  if (patterns.empty()) return std::shared_ptr<const PrivacyClassifier>(c);
  int bad = -1;
  auto scanner = PatternScanner::create(patterns, &bad);
  if (!scanner.ok()) {
    if (scanner.error().code() != ErrorCode::kInvalidArgument) return scanner.error();
    const size_t at = c->builtin_count_ + static_cast<size_t>(bad);
    std::string who = bad >= 0 && at < c->detectors_.size()
                          ? "pattern '" + c->detectors_[at].kind + "'"
                          : "patterns";
    return Error(ErrorCode::kInvalidArgument,
                 "privacy: cannot compile " + who + ": " + scanner.error().message());
  }
  c->custom_ = std::move(scanner).value();
  return std::shared_ptr<const PrivacyClassifier>(c);
}

PrivacyClassifier::~PrivacyClassifier() = default;

Result<std::vector<Finding>> PrivacyClassifier::scan(std::string_view text) const {
  std::vector<Finding> out;
  FULCRUM_TRY_STATUS(scan(text, 0, &out));
  return out;
}

Status PrivacyClassifier::scan(std::string_view text, uint32_t segment,
                               std::vector<Finding>* out) const {
  if ((!builtin_ && !custom_) || text.empty()) return ok_status();
  if (text.size() > 0xffffffffu)
    return Error(ErrorCode::kPayloadTooLarge, "privacy: text over 4 GiB cannot be scanned");
  thread_local std::vector<ScanMatch> cands;
  cands.clear();
  if (builtin_) FULCRUM_TRY_STATUS(builtin_->find(text, &cands));
  if (custom_) {
    thread_local std::vector<ScanMatch> more;
    FULCRUM_TRY_STATUS(custom_->find(text, &more));
    for (ScanMatch m : more) {
      m.pattern += static_cast<uint32_t>(builtin_count_);
      cands.push_back(m);
    }
  }

  // Per detector: longest candidate per start first; accepted spans of one detector never
  // overlap.
  std::sort(cands.begin(), cands.end(), [](const ScanMatch& a, const ScanMatch& b) {
    if (a.pattern != b.pattern) return a.pattern < b.pattern;
    if (a.start != b.start) return a.start < b.start;
    return a.end > b.end;
  });
  thread_local std::vector<ScanMatch> accepted;
  accepted.clear();
  size_t covered_end = 0;
  uint32_t cur = UINT32_MAX;
  for (const auto& c : cands) {
    if (c.pattern != cur) {
      cur = c.pattern;
      covered_end = 0;
    }
    if (c.start < covered_end) continue;
    size_t s = c.start, e = c.end;
    const Detector& d = detectors_[c.pattern];
    if (d.refine && !d.refine(text, &s, &e)) continue;
    if (e <= s) continue;
    accepted.push_back({c.pattern, static_cast<uint32_t>(s), static_cast<uint32_t>(e)});
    covered_end = std::max<size_t>(c.end, e);
  }
  // Across detectors: keep non-overlapping findings, longer first, then detector order.
  std::sort(accepted.begin(), accepted.end(), [](const ScanMatch& a, const ScanMatch& b) {
    uint32_t la = a.end - a.start, lb = b.end - b.start;
    if (la != lb) return la > lb;
    if (a.pattern != b.pattern) return a.pattern < b.pattern;
    return a.start < b.start;
  });
  size_t first = out->size();
  std::map<uint32_t, uint32_t> kept;  // start → end of kept spans (disjoint)
  for (const auto& a : accepted) {
    auto next = kept.lower_bound(a.start);
    if (next != kept.end() && next->first < a.end) continue;
    if (next != kept.begin() && std::prev(next)->second > a.start) continue;
    kept.emplace(a.start, a.end);
    out->push_back({detectors_[a.pattern].kind, segment, a.start, a.end});
  }
  std::sort(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
            [](const Finding& a, const Finding& b) { return a.start < b.start; });
  return ok_status();
}

}  // namespace fulcrum::router
