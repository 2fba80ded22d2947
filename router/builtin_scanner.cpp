#include "router/builtin_scanner.h"

#include <hs/hs.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "router/ascii.h"
#include "router/text_masks.h"

namespace fulcrum::router {

// Per-thread, per-scan working memory (reused: a steady state allocates nothing).
struct BuiltinScanner::ScanState {
  TextMasks masks;
  GateInput input;
  std::vector<std::vector<GateRegion>> regions;  // per detector
  struct Window {
    uint64_t start, end;
  };
  std::vector<Window> windows;
};

namespace {

std::vector<std::string_view> split_anchors(std::string_view list) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    size_t bar = list.find('|');
    out.push_back(list.substr(0, bar));
    list = bar == std::string_view::npos ? std::string_view() : list.substr(bar + 1);
  }
  return out;
}

char flip_case(char c) {
  if (c >= 'a' && c <= 'z') return static_cast<char>(c - 32);
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c + 32);
  return c;
}

Result<hs_database_t*> compile_one(const std::string& regex, unsigned flags) {
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile(regex.c_str(), flags, HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    Error e(ErrorCode::kInternal, std::string("privacy: built-in pattern does not compile: ") +
                                      (err && err->message ? err->message : "unknown error"));
    hs_free_compile_error(err);
    return e;
  }
  return db;
}

// Sorts regions and merges those that overlap or touch (overlapping the union is overlapping
// one of them, and the union's window covers theirs).
void merge_regions(std::vector<GateRegion>* r) {
  if (r->size() < 2) return;
  std::sort(r->begin(), r->end(),
            [](const GateRegion& a, const GateRegion& b) { return a.start < b.start; });
  size_t k = 0;
  for (size_t i = 1; i < r->size(); ++i) {
    if ((*r)[i].start <= (*r)[k].end) {
      (*r)[k].end = std::max((*r)[k].end, (*r)[i].end);
    } else {
      (*r)[++k] = (*r)[i];
    }
  }
  r->resize(k + 1);
}

// Callback state of one detector's window scans.
struct Collector {
  std::vector<ScanMatch>* out;
  size_t limit;
  uint32_t detector;
  uint64_t base = 0, scan_end = 0, text_size = 0;
  const std::vector<GateRegion>* regions;  // sorted, disjoint
  bool overflow = false;
};

int on_window_match(unsigned int, unsigned long long from, unsigned long long to, unsigned int,
                    void* ctx) {
  auto* c = static_cast<Collector*>(ctx);
  const uint64_t s = c->base + from, e = c->base + to;
  // `\b` after a window's last byte reads as before a non-word byte: a match ending there may
  // not be one in the whole text (no kept match ends there, see BuiltinScanner::scan_detector).
  if (e == c->scan_end && e < c->text_size) return 0;
  auto r = std::upper_bound(c->regions->begin(), c->regions->end(), s,
                            [](uint64_t v, const GateRegion& g) { return v < g.end; });
  if (r == c->regions->end() || r->start >= e) return 0;  // overlaps no region
  if (c->out->size() >= c->limit) {
    c->overflow = true;
    return 1;  // stop: the caller fails closed
  }
  c->out->push_back({c->detector, static_cast<uint32_t>(s), static_cast<uint32_t>(e)});
  return 0;
}

}  // namespace

Result<std::unique_ptr<BuiltinScanner>> BuiltinScanner::create(
    std::span<const BuiltinPattern* const> rows) {
  std::unique_ptr<BuiltinScanner> s(new BuiltinScanner());
  s->scratch_ = std::make_unique<HsScratchPool>();
  FULCRUM_TRY_STATUS(s->compile(rows));
  return s;
}

BuiltinScanner::~BuiltinScanner() {
  scratch_.reset();
  if (literal_db_) hs_free_database(literal_db_);
  for (auto& d : detectors_)
    if (d.som_db) hs_free_database(d.som_db);
}

Status BuiltinScanner::compile(std::span<const BuiltinPattern* const> rows) {
  std::vector<std::string> literals;
  std::vector<unsigned> literal_flags;
  for (size_t i = 0; i < rows.size(); ++i) {
    const BuiltinPattern& p = *rows[i];
    Detector d;
    d.row = &p;
    d.span = PatternScanner::parse_span(p.span);
    const std::string regex(p.regex);
    const unsigned flags = p.caseless ? HS_FLAG_CASELESS : 0u;
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_expression_info(regex.c_str(), flags, &info, &err) != HS_SUCCESS) {
      hs_free_compile_error(err);
      return Error(ErrorCode::kInternal,
                   "privacy: built-in pattern '" + std::string(p.kind) + "' does not compile");
    }
    d.max_width = info->max_width;
    std::free(info);
    auto bad = [&](const std::string& why) {
      return Error(ErrorCode::kInvalidArgument,
                   "privacy: built-in pattern '" + std::string(p.kind) + "': " + why);
    };
    if (p.anchors.empty() && !p.gate) return bad("no gate");
    if (d.max_width == UINT32_MAX && d.span.none()) return bad("unbounded without a span");
    if (p.gate_contains && !p.anchors.empty()) return bad("anchors beside a containing gate");
    for (std::string_view lit : split_anchors(p.anchors)) {
      if (lit.empty()) return bad("empty anchor");
      for (char c : lit) {
        bool in = d.span.none() ||
                  (d.span.test(static_cast<unsigned char>(c)) &&
                   (!p.caseless || d.span.test(static_cast<unsigned char>(flip_case(c)))));
        if (!in) return bad("anchor '" + std::string(lit) + "' outside the span");
      }
      anchors_.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(lit.size()), p.check});
      literals.emplace_back(lit);
      literal_flags.push_back(flags);
    }
    FULCRUM_TRY(d.som_db, compile_one(regex, flags | HS_FLAG_SOM_LEFTMOST));
    detectors_.push_back(d);
    FULCRUM_TRY_STATUS(scratch_->add(d.som_db));
  }
  if (!literals.empty()) {
    std::vector<const char*> exprs;
    std::vector<size_t> lens;
    std::vector<unsigned> ids;
    for (size_t i = 0; i < literals.size(); ++i) {
      exprs.push_back(literals[i].data());
      lens.push_back(literals[i].size());
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_lit_multi(exprs.data(), literal_flags.data(), ids.data(), lens.data(),
                             static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr,
                             &literal_db_, &err) != HS_SUCCESS) {
      Error e(ErrorCode::kInternal, std::string("privacy: anchor literals do not compile: ") +
                                        (err && err->message ? err->message : "unknown error"));
      hs_free_compile_error(err);
      return e;
    }
    FULCRUM_TRY_STATUS(scratch_->add(literal_db_));
  }
  return ok_status();
}

Status BuiltinScanner::find(std::string_view text, std::vector<ScanMatch>* out) const {
  out->clear();
  if (text.empty() || detectors_.empty()) return ok_status();
  if (text.size() > 0xffffffffu)
    return Error(ErrorCode::kPayloadTooLarge, "privacy: text over 4 GiB cannot be scanned");
  FULCRUM_TRY(auto lease, scratch_->lease());
  thread_local ScanState st;
  st.regions.resize(std::max(st.regions.size(), detectors_.size()));
  for (size_t d = 0; d < detectors_.size(); ++d) st.regions[d].clear();
  st.masks.build(text);
  st.input.collect(text, st.masks);

  // Anchors.
  if (literal_db_) {
    struct Hits {
      const BuiltinScanner* self;
      std::string_view text;
      ScanState* st;
    } hits{this, text, &st};
    auto on_literal = [](unsigned int id, unsigned long long, unsigned long long to, unsigned int,
                         void* ctx) -> int {
      auto* h = static_cast<Hits*>(ctx);
      const Anchor& a = h->self->anchors_[id];
      const size_t start = to - a.length;
      if (!a.check || a.check(h->text, start, to))
        h->st->regions[a.detector].push_back(
            {static_cast<uint32_t>(start), static_cast<uint32_t>(to)});
      return 0;
    };
    if (hs_scan(literal_db_, text.data(), static_cast<unsigned>(text.size()), 0, lease.get(),
                on_literal, &hits) != HS_SUCCESS)
      return Error(ErrorCode::kInternal, "privacy: Vectorscan scan failed");
  }
  // Computed gates, then each detector's windows.
  for (size_t d = 0; d < detectors_.size(); ++d) {
    const BuiltinPattern& p = *detectors_[d].row;
    if (p.gate) p.gate(st.input, p.min_digits, &st.regions[d]);
    if (!st.regions[d].empty()) FULCRUM_TRY_STATUS(scan_detector(d, text, &st, lease.get(), out));
  }
  return ok_status();
}

// The windows of one detector's regions and their scans (see the header). For a region [x0, x1)
// a match overlapping it starts after x0 - max_width and ends before x1 + max_width, inside the
// run of span bytes holding the region; with a containing gate, inside the region itself.
Status BuiltinScanner::scan_detector(size_t d, std::string_view text, ScanState* st,
                                     hs_scratch* scratch, std::vector<ScanMatch>* out) const {
  const Detector& det = detectors_[d];
  std::vector<GateRegion>& regions = st->regions[d];
  merge_regions(&regions);
  const uint64_t n = text.size(), w = det.max_width;
  const bool has_span = det.span.any();
  auto in_span = [&](uint64_t i) { return det.span.test(static_cast<unsigned char>(text[i])); };
  st->windows.clear();
  // The span run of the previous region. Walks are bounded by the match width, so only with an
  // unbounded width can they be long; then they reach the run's true ends and a region starting
  // inside the previous run reuses it (a long token with many anchors stays linear).
  uint64_t run_lo = 0, run_hi = 0;
  for (const GateRegion& r : regions) {
    uint64_t lo = r.start, hi = r.end;  // earliest start, latest end
    if (!det.row->gate_contains) {
      lo = w == UINT32_MAX ? 0 : (r.start + 1 > w ? r.start + 1 - w : 0);
      hi = w == UINT32_MAX ? n : std::min<uint64_t>(n, r.end - 1 + w);
      bool inside = has_span;
      for (uint64_t i = r.start; i < r.end && inside; ++i) inside = in_span(i);
      if (inside) {
        if (w != UINT32_MAX || r.start >= run_hi || r.start < run_lo) {
          run_lo = r.start;
          while (run_lo > lo && in_span(run_lo - 1)) --run_lo;
          run_hi = r.end;
          while (run_hi < hi && in_span(run_hi)) ++run_hi;
        }
        lo = std::max(lo, run_lo);
        hi = std::min(hi, run_hi);
      }
    }
    st->windows.push_back({after_non_word(text, lo), std::min(n, hi + 1)});
  }
  std::sort(
      st->windows.begin(), st->windows.end(),
      [](const ScanState::Window& a, const ScanState::Window& b) { return a.start < b.start; });
  Collector c{out, std::max<size_t>(65536, text.size() * 8), static_cast<uint32_t>(d)};
  c.text_size = n;
  c.regions = &regions;
  for (size_t i = 0; i < st->windows.size();) {
    ScanState::Window win = st->windows[i];
    for (++i; i < st->windows.size() && st->windows[i].start <= win.end + kMergeGap; ++i)
      win.end = std::max(win.end, st->windows[i].end);
    c.base = win.start;
    c.scan_end = win.end;
    hs_error_t rc =
        hs_scan(det.som_db, text.data() + win.start, static_cast<unsigned>(win.end - win.start), 0,
                scratch, on_window_match, &c);
    if (c.overflow)
      return Error(
          ErrorCode::kInvalidArgument,
          "privacy: text has too many candidate matches to classify (refused, fail closed)");
    if (rc != HS_SUCCESS) return Error(ErrorCode::kInternal, "privacy: Vectorscan scan failed");
  }
  return ok_status();
}

}  // namespace fulcrum::router
