#include "router/privacy_scanner.h"

#include <hs/hs.h>

#include <algorithm>
#include <cstdlib>

#include "router/ascii.h"
#include "router/hs_scratch_pool.h"

namespace fulcrum::router {

struct PatternScanner::Pattern {
  uint32_t max_width = UINT32_MAX;  // longest match in bytes; UINT32_MAX: unbounded
  std::bitset<256> span;
  uint32_t som_db = 0;  // index into som_dbs_
};

// Phase 1 for the gated patterns with one digit threshold (see ScanPattern).
struct PatternScanner::DigitGroup {
  uint32_t min_digits;
  std::vector<size_t> members;
  void* db = nullptr;  // hs_database_t*, no start of match
};

// A stretch [start, end) of text that one database scans.
struct PatternScanner::Window {
  uint32_t db;
  uint64_t start;
  uint64_t end;
  bool operator<(const Window& o) const { return db != o.db ? db < o.db : start < o.start; }
};

namespace {

bool by_pattern_end(const ScanMatch& a, const ScanMatch& b) {
  return a.pattern != b.pattern ? a.pattern < b.pattern : a.end < b.end;
}

// Callback state: appends (id, base + from, base + to); with `wanted` (sorted), only the
// (id, end) pairs listed there.
struct Collector {
  std::vector<ScanMatch>* out;
  size_t limit;
  uint64_t base = 0;
  const std::vector<ScanMatch>* wanted = nullptr;
  bool overflow = false;
};

int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int,
             void* ctx) {
  auto* c = static_cast<Collector*>(ctx);
  ScanMatch m{id, static_cast<uint32_t>(c->base + from), static_cast<uint32_t>(c->base + to)};
  if (c->wanted && !std::binary_search(c->wanted->begin(), c->wanted->end(), m, by_pattern_end))
    return 0;
  if (c->out->size() >= c->limit) {
    c->overflow = true;
    return 1;  // stop: the caller fails closed
  }
  c->out->push_back(m);
  return 0;
}

Status scan_range(void* db, std::string_view text, uint64_t start, uint64_t end, void* scratch,
                  Collector* c) {
  c->base = start;
  hs_error_t rc = hs_scan(static_cast<hs_database_t*>(db), text.data() + start,
                          static_cast<unsigned>(end - start), 0,
                          static_cast<hs_scratch_t*>(scratch), on_match, c);
  if (c->overflow)
    return Error(ErrorCode::kInvalidArgument,
                 "privacy: text has too many candidate matches to classify (refused, fail closed)");
  if (rc != HS_SUCCESS) return Error(ErrorCode::kInternal, "privacy: Vectorscan scan failed");
  return ok_status();
}

}  // namespace

std::bitset<256> PatternScanner::parse_span(std::string_view cls) {
  std::bitset<256> set;
  const bool complement = !cls.empty() && cls.front() == '^';
  if (complement) cls.remove_prefix(1);
  for (size_t i = 0; i < cls.size(); ++i) {
    auto lo = static_cast<unsigned char>(cls[i]);
    if (i + 2 < cls.size() && cls[i + 1] == '-') {
      for (unsigned c = lo; c <= static_cast<unsigned char>(cls[i + 2]); ++c) set.set(c);
      i += 2;
    } else {
      set.set(lo);
    }
  }
  return complement ? ~set : set;
}

Result<std::unique_ptr<PatternScanner>> PatternScanner::create(
    const std::vector<ScanPattern>& patterns, int* bad_pattern) {
  std::unique_ptr<PatternScanner> s(new PatternScanner());
  s->scratch_ = std::make_unique<HsScratchPool>();
  FULCRUM_TRY_STATUS(s->compile(patterns, bad_pattern));
  return s;
}

PatternScanner::~PatternScanner() {
  scratch_.reset();
  if (ends_db_) hs_free_database(static_cast<hs_database_t*>(ends_db_));
  for (auto& g : digit_groups_) hs_free_database(static_cast<hs_database_t*>(g.db));
  for (void* db : som_dbs_) hs_free_database(static_cast<hs_database_t*>(db));
}

Status PatternScanner::compile(const std::vector<ScanPattern>& in, int* bad_pattern) {
  *bad_pattern = -1;
  for (size_t i = 0; i < in.size(); ++i) {
    Pattern p;
    p.span = in[i].span;
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_expression_info(in[i].regex.c_str(), in[i].flags, &info, &err) != HS_SUCCESS) {
      Error e(ErrorCode::kInvalidArgument, err && err->message ? err->message : "unknown error");
      *bad_pattern = static_cast<int>(i);
      hs_free_compile_error(err);
      return e;
    }
    p.max_width = info->max_width;  // UINT_MAX when unbounded
    std::free(info);
    patterns_.push_back(p);
  }

  auto build = [&](const std::vector<size_t>& members, unsigned extra) -> Result<void*> {
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    for (size_t i : members) {
      exprs.push_back(in[i].regex.c_str());
      flags.push_back(in[i].flags | extra);
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(exprs.data(), flags.data(), ids.data(),
                         static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db,
                         &err) != HS_SUCCESS) {
      int bad = err ? err->expression : -1;
      Error e(ErrorCode::kInvalidArgument, err && err->message ? err->message : "unknown error");
      if (bad >= 0) *bad_pattern = static_cast<int>(members[static_cast<size_t>(bad)]);
      hs_free_compile_error(err);
      return e;
    }
    if (Status st = scratch_->add(db); !st.ok()) {
      hs_free_database(db);
      return st.error();
    }
    return static_cast<void*>(db);
  };
  // Phase 1: gated patterns grouped by digit threshold, the others in one whole-text database.
  std::vector<size_t> whole;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!gateable(in[i])) {
      whole.push_back(i);
      continue;
    }
    auto g = std::find_if(digit_groups_.begin(), digit_groups_.end(),
                          [&](const DigitGroup& d) { return d.min_digits == in[i].min_digits; });
    if (g == digit_groups_.end()) {
      digit_groups_.push_back({in[i].min_digits, {}});
      g = digit_groups_.end() - 1;
    }
    for (unsigned c = 0; c < 256; ++c) run_byte_[c] = run_byte_[c] || in[i].span.test(c);
    g->members.push_back(i);
  }
  if (!whole.empty()) {
    FULCRUM_TRY(ends_db_, build(whole, 0));
  }
  for (auto& g : digit_groups_) {
    FULCRUM_TRY(g.db, build(g.members, 0));
  }
  // Phase 2: a start-of-match database per pattern, one shared by the `shared_som` patterns.
  std::vector<size_t> shared;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i].shared_som) {
      shared.push_back(i);
      continue;
    }
    patterns_[i].som_db = static_cast<uint32_t>(som_dbs_.size());
    FULCRUM_TRY(void* db, build({i}, HS_FLAG_SOM_LEFTMOST));
    som_dbs_.push_back(db);
  }
  if (!shared.empty()) {
    for (size_t i : shared) patterns_[i].som_db = static_cast<uint32_t>(som_dbs_.size());
    FULCRUM_TRY(void* db, build(shared, HS_FLAG_SOM_LEFTMOST));
    som_dbs_.push_back(db);
  }
  return ok_status();
}

// The number-shaped detectors: a declared digit count and a span of digits plus non-word bytes.
// (Gating is exact for any span; with letters in it the runs would cover most text and save
// nothing.)
bool PatternScanner::gateable(const ScanPattern& p) {
  if (p.min_digits == 0 || p.span.none()) return false;
  for (unsigned c = 0; c < 256; ++c)
    if (p.span.test(c) && is_word(static_cast<char>(c)) && !(c >= '0' && c <= '9')) return false;
  return true;
}

// Phase 1 for the gated patterns. Every match lies inside a run of bytes of the gated spans
// holding at least its min_digits digits, so each group scans only such runs (most runs of
// digits in text — dates, prices, times, versions, digits inside hex ids — are too short for
// any). One pass finds the runs; each group then scans those with enough digits, merged when
// close. (Tighter per-pattern runs were measured slower: more groups, more scans.)
Status PatternScanner::scan_digit_runs(std::string_view text, void* scratch,
                                       void* collector) const {
  struct Pending {
    uint64_t start = 0, end = 0;
    bool open = false;
  };
  thread_local std::vector<Pending> pending;
  pending.assign(digit_groups_.size(), Pending{});
  auto* c = static_cast<Collector*>(collector);
  const uint64_t n = text.size();
  // Queues group g's window for the run [start, end), scanning its previous window when far.
  auto emit = [&](size_t g, uint64_t start, uint64_t end) -> Status {
    uint64_t a = after_non_word(text, start), b = std::min(n, end + 1);
    Pending& p = pending[g];
    if (p.open && a <= p.end + kMergeGap) {
      p.end = std::max(p.end, b);
      return ok_status();
    }
    if (p.open)
      FULCRUM_TRY_STATUS(scan_range(digit_groups_[g].db, text, p.start, p.end, scratch, c));
    p = {a, b, true};
    return ok_status();
  };
  for (uint64_t i = 0; i < n;) {
    if (!run_byte_[static_cast<unsigned char>(text[i])]) {
      ++i;
      continue;
    }
    uint64_t j = i;
    uint32_t digits = 0;
    for (; j < n && run_byte_[static_cast<unsigned char>(text[j])]; ++j)
      digits += text[j] >= '0' && text[j] <= '9';
    for (size_t g = 0; g < digit_groups_.size(); ++g)
      if (digits >= digit_groups_[g].min_digits) FULCRUM_TRY_STATUS(emit(g, i, j));
    i = j;
  }
  for (size_t g = 0; g < digit_groups_.size(); ++g)
    if (pending[g].open)
      FULCRUM_TRY_STATUS(
          scan_range(digit_groups_[g].db, text, pending[g].start, pending[g].end, scratch, c));
  return ok_status();
}

Status PatternScanner::find(std::string_view text, std::vector<ScanMatch>* out) const {
  out->clear();
  if (text.empty()) return ok_status();
  if (text.size() > 0xffffffffu)
    return Error(ErrorCode::kPayloadTooLarge, "privacy: text over 4 GiB cannot be scanned");
  FULCRUM_TRY(auto lease, scratch_->lease());
  hs_scratch_t* scratch = lease.get();

  thread_local std::vector<ScanMatch> ends;
  thread_local std::vector<Window> windows;
  // Phase 1.
  ends.clear();
  Collector c1{&ends, std::max<size_t>(65536, text.size() * 8)};
  if (ends_db_) FULCRUM_TRY_STATUS(scan_range(ends_db_, text, 0, text.size(), scratch, &c1));
  if (!digit_groups_.empty()) FULCRUM_TRY_STATUS(scan_digit_runs(text, scratch, &c1));
  if (ends.empty()) return ok_status();
  std::sort(ends.begin(), ends.end(), by_pattern_end);
  ends.erase(std::unique(ends.begin(), ends.end(),
                         [](const ScanMatch& a, const ScanMatch& b) {
                           return a.pattern == b.pattern && a.end == b.end;
                         }),
             ends.end());

  // Phase 2.
  windows.clear();
  for (size_t first = 0; first < ends.size();) {
    size_t last = first;
    while (last < ends.size() && ends[last].pattern == ends[first].pattern) ++last;
    add_windows(text, ends, first, last, &windows);
    first = last;
  }
  std::sort(windows.begin(), windows.end());
  Collector c{out, std::max<size_t>(65536, text.size() * 8), 0, &ends};
  for (size_t i = 0; i < windows.size();) {
    Window w = windows[i];
    for (++i; i < windows.size() && windows[i].db == w.db && windows[i].start <= w.end + kMergeGap;
         ++i)
      w.end = std::max(w.end, windows[i].end);
    FULCRUM_TRY_STATUS(scan_range(som_dbs_[w.db], text, w.start, w.end, scratch, &c));
  }
  return ok_status();
}

// The windows of one pattern's match ends ends[first, last) (ascending): from no later than the
// leftmost start can be — the end minus the longest match, or with a span the start of the run
// of span bytes before the end, else the text's start — moved back after a non-word byte, to
// one byte past the end.
void PatternScanner::add_windows(std::string_view text, const std::vector<ScanMatch>& ends,
                                 size_t first, size_t last, std::vector<Window>* windows) const {
  const Pattern& p = patterns_[ends[first].pattern];
  const bool has_span = p.span.any();
  uint64_t prev_end = 0, prev_run = 0;  // the previous end and its run's start
  for (size_t i = first; i < last; ++i) {
    const uint64_t end = ends[i].end;
    uint64_t start = p.max_width >= end ? 0 : end - p.max_width;
    if (has_span) {
      // The run of span bytes ending at `end`; the previous end's run is reused when only span
      // bytes lie between (linear time over a long token that ends a match at every byte).
      uint64_t q = end;
      while (q > prev_end && p.span.test(static_cast<unsigned char>(text[q - 1]))) --q;
      uint64_t run = q;
      if (q == prev_end && i > first) {
        run = prev_run;
      } else {
        while (run > 0 && p.span.test(static_cast<unsigned char>(text[run - 1]))) --run;
      }
      prev_end = end;
      prev_run = run;
      start = std::max(start, run);
    }
    windows->push_back(
        {p.som_db, after_non_word(text, start), std::min<uint64_t>(text.size(), end + 1)});
  }
}

}  // namespace fulcrum::router
