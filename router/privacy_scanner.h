// PatternScanner: the Vectorscan side of the privacy classifier. Given regular expressions, it
// returns every (pattern, leftmost start, end) match — exactly what one Vectorscan scan with
// HS_FLAG_SOM_LEFTMOST over the whole text reports — at a fraction of that scan's cost:
//
//   phase 1  where do matches end? Start-of-match tracking roughly doubles the cost of a scan,
//            so this pass runs without it: number-shaped patterns (digits and separators, with a
//            known fewest digits) only over the runs of such bytes that hold enough digits — most
//            numbers in text are dates, prices, times, versions, too short for any — the others
//            over the whole text. Clean text — the common case — stops here.
//   phase 2  where do they start? Each matching pattern's own start-of-match database runs only
//            on windows around the ends phase 1 found, each reaching back as far as a match can
//            start (the end minus the pattern's longest match or, with a declared span, the
//            start of the run of span bytes before the end, whichever is later; else the text's
//            start), and only the (pattern, end) pairs phase 1 reported are kept.
//
// Every window starts just after a non-word byte (or at the text's start) and ends one byte past
// the match end it covers, so `\b` at either edge reads as it does in the whole text.
// Thread-safe: scratch space comes from a small pool.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace fulcrum::router {

class HsScratchPool;

struct ScanPattern {
  std::string regex;
  unsigned flags = 0;       // HS_FLAG_* (CASELESS); SOM_LEFTMOST is added where needed
  std::bitset<256> span;    // bytes every match consists of; none set: not declared
  bool shared_som = false;  // true: one start-of-match database for all such patterns (terms)
  // Fewest digits any match holds (0: not declared). With a span of digits and non-word bytes,
  // phase 1 scans the pattern only over runs of such bytes holding that many digits.
  uint8_t min_digits = 0;
};

// One match: pattern index, byte offsets [start, end).
struct ScanMatch {
  uint32_t pattern;
  uint32_t start;
  uint32_t end;
};

class PatternScanner {
 public:
  // Errors: kInvalidArgument naming the index of a pattern that does not compile
  // (`bad_pattern` receives it, -1 when the error is not about one pattern).
  static Result<std::unique_ptr<PatternScanner>> create(const std::vector<ScanPattern>& patterns,
                                                        int* bad_pattern);
  ~PatternScanner();
  PatternScanner(const PatternScanner&) = delete;
  PatternScanner& operator=(const PatternScanner&) = delete;

  // Replaces `out` with the matches in `text`, unordered. Fails closed (kInvalidArgument) when
  // more than max(65536, 8 x text size) matches would be reported; kInternal if Vectorscan fails.
  Status find(std::string_view text, std::vector<ScanMatch>* out) const;

  // "A-Za-z0-9._%+@-" (x-y ranges; a '-' last is literal; a leading '^' complements) → the set of
  // those bytes.
  static std::bitset<256> parse_span(std::string_view cls);

 private:
  struct Pattern;
  struct Window;
  PatternScanner() = default;
  Status compile(const std::vector<ScanPattern>& patterns, int* bad_pattern);
  struct DigitGroup;
  static bool gateable(const ScanPattern& p);
  Status scan_digit_runs(std::string_view text, void* scratch, void* collector) const;
  void add_windows(std::string_view text, const std::vector<ScanMatch>& ends, size_t first,
                   size_t last, std::vector<Window>* windows) const;

  std::vector<Pattern> patterns_;
  void* ends_db_ = nullptr;  // phase 1: the patterns not gated, whole text (hs_database_t*)
  std::vector<DigitGroup> digit_groups_;  // phase 1: gated patterns by min_digits
  std::array<bool, 256> run_byte_{};      // bytes of any gated pattern's span
  std::vector<void*> som_dbs_;            // phase 2, HS_FLAG_SOM_LEFTMOST (Pattern::som_db indexes)
  std::unique_ptr<HsScratchPool> scratch_;
};

}  // namespace fulcrum::router
