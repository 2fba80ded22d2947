#include "router/privacy_classifier.h"

#include <hs/hs.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "router/privacy_patterns.h"

namespace fulcrum::router {

struct PrivacyClassifier::Detector {
  std::string kind;
  std::string regex;
  unsigned flags = 0;
  RefineFn refine = nullptr;
};

struct PrivacyClassifier::ScratchPool {
  std::mutex mu;
  hs_scratch_t* prototype = nullptr;
  std::vector<hs_scratch_t*> free;
  ~ScratchPool() {
    for (auto* s : free) hs_free_scratch(s);
    if (prototype) hs_free_scratch(prototype);
  }
};

namespace {

struct Candidate {
  uint32_t detector;
  uint32_t start;
  uint32_t end;
};

struct ScanState {
  std::vector<Candidate>* out;
  size_t limit;
  bool overflow = false;
};

int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int,
             void* ctx) {
  auto* st = static_cast<ScanState*>(ctx);
  if (st->out->size() >= st->limit) {
    st->overflow = true;
    return 1;  // stop: the caller fails closed
  }
  st->out->push_back({id, static_cast<uint32_t>(from), static_cast<uint32_t>(to)});
  return 0;
}

bool is_word(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

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
  c->scratch_ = std::make_unique<ScratchPool>();
  auto kinds = builtin_kind_names();
  for (const auto& d : config.disabled)
    if (std::find(kinds.begin(), kinds.end(), d) == kinds.end())
      return Error(ErrorCode::kInvalidArgument, "privacy.disabled: unknown kind '" + d + "'");
  for (const auto& p : builtin_patterns()) {
    if (std::find(config.disabled.begin(), config.disabled.end(), p.kind) != config.disabled.end())
      continue;
    c->detectors_.push_back(
        {std::string(p.kind), std::string(p.regex), p.caseless ? HS_FLAG_CASELESS : 0u, p.refine});
  }
  for (const auto& p : config.patterns)
    c->detectors_.push_back({p.name, p.regex, p.case_insensitive ? HS_FLAG_CASELESS : 0u, nullptr});
  for (const auto& term : config.terms)
    c->detectors_.push_back({"term", term_regex(term), HS_FLAG_CASELESS, nullptr});
  if (!c->enabled_ || c->detectors_.empty()) return std::shared_ptr<const PrivacyClassifier>(c);

  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < c->detectors_.size(); ++i) {
    exprs.push_back(c->detectors_[i].regex.c_str());
    flags.push_back(c->detectors_[i].flags | HS_FLAG_SOM_LEFTMOST);
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    std::string what = err && err->message ? err->message : "unknown error";
    int bad = err ? err->expression : -1;
    hs_free_compile_error(err);
    std::string who = bad >= 0 && bad < static_cast<int>(c->detectors_.size())
                          ? "pattern '" + c->detectors_[bad].kind + "'"
                          : "patterns";
    return Error(ErrorCode::kInvalidArgument, "privacy: cannot compile " + who + ": " + what);
  }
  c->db_ = db;
  if (hs_alloc_scratch(db, &c->scratch_->prototype) != HS_SUCCESS)
    return Error(ErrorCode::kInternal, "privacy: cannot allocate Vectorscan scratch");
  return std::shared_ptr<const PrivacyClassifier>(c);
}

PrivacyClassifier::~PrivacyClassifier() {
  scratch_.reset();
  if (db_) hs_free_database(static_cast<hs_database_t*>(db_));
}

Result<std::vector<Finding>> PrivacyClassifier::scan(std::string_view text) const {
  std::vector<Finding> out;
  FULCRUM_TRY_STATUS(scan(text, 0, &out));
  return out;
}

Status PrivacyClassifier::scan(std::string_view text, uint32_t segment,
                               std::vector<Finding>* out) const {
  if (!db_ || text.empty()) return ok_status();
  if (text.size() > 0xffffffffu)
    return Error(ErrorCode::kPayloadTooLarge, "privacy: text over 4 GiB cannot be scanned");

  hs_scratch_t* scratch = nullptr;
  {
    std::lock_guard<std::mutex> lock(scratch_->mu);
    if (!scratch_->free.empty()) {
      scratch = scratch_->free.back();
      scratch_->free.pop_back();
    }
  }
  if (!scratch && hs_clone_scratch(scratch_->prototype, &scratch) != HS_SUCCESS)
    return Error(ErrorCode::kInternal, "privacy: cannot clone Vectorscan scratch");

  thread_local std::vector<Candidate> cands;
  cands.clear();
  ScanState st{&cands, std::max<size_t>(65536, text.size() * 8)};
  hs_error_t rc = hs_scan(static_cast<hs_database_t*>(db_), text.data(),
                          static_cast<unsigned>(text.size()), 0, scratch, on_match, &st);
  {
    std::lock_guard<std::mutex> lock(scratch_->mu);
    scratch_->free.push_back(scratch);
  }
  if (st.overflow)
    return Error(ErrorCode::kInvalidArgument,
                 "privacy: text has too many candidate matches to classify (refused, fail closed)");
  if (rc != HS_SUCCESS) return Error(ErrorCode::kInternal, "privacy: Vectorscan scan failed");

  // Per detector: longest candidate per start first; accepted spans of one detector never
  // overlap.
  std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
    if (a.detector != b.detector) return a.detector < b.detector;
    if (a.start != b.start) return a.start < b.start;
    return a.end > b.end;
  });
  thread_local std::vector<Candidate> accepted;
  accepted.clear();
  size_t covered_end = 0;
  uint32_t cur = UINT32_MAX;
  for (const auto& c : cands) {
    if (c.detector != cur) {
      cur = c.detector;
      covered_end = 0;
    }
    if (c.start < covered_end) continue;
    size_t s = c.start, e = c.end;
    const Detector& d = detectors_[c.detector];
    if (d.refine && !d.refine(text, &s, &e)) continue;
    if (e <= s) continue;
    accepted.push_back({c.detector, static_cast<uint32_t>(s), static_cast<uint32_t>(e)});
    covered_end = std::max<size_t>(c.end, e);
  }
  // Across detectors: keep non-overlapping findings, longer first, then detector order.
  std::sort(accepted.begin(), accepted.end(), [](const Candidate& a, const Candidate& b) {
    uint32_t la = a.end - a.start, lb = b.end - b.start;
    if (la != lb) return la > lb;
    if (a.detector != b.detector) return a.detector < b.detector;
    return a.start < b.start;
  });
  size_t first = out->size();
  std::map<uint32_t, uint32_t> kept;  // start → end of kept spans (disjoint)
  for (const auto& a : accepted) {
    auto next = kept.lower_bound(a.start);
    if (next != kept.end() && next->first < a.end) continue;
    if (next != kept.begin() && std::prev(next)->second > a.start) continue;
    kept.emplace(a.start, a.end);
    out->push_back({detectors_[a.detector].kind, segment, a.start, a.end});
  }
  std::sort(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
            [](const Finding& a, const Finding& b) { return a.start < b.start; });
  return ok_status();
}

}  // namespace fulcrum::router
