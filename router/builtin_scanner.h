// BuiltinScanner: finds the matches of the built-in privacy detectors (router/privacy_patterns.h)
// — exactly the (detector, leftmost start, end) candidates that one Vectorscan scan of the whole
// text with HS_FLAG_SOM_LEFTMOST reports, as far as the detectors' refine steps could accept them —
// while running each detector's regular expression only on small windows:
//
//   1. one SIMD pass classifies the bytes (router/text_masks.h) and one Vectorscan literal database
//      finds every anchor ("@", "eyJ", "AKIA", "secret", ...): a few microseconds for 4 KB;
//   2. the gates (router/privacy_gates.h) turn anchors and bitmaps into regions every acceptable
//      match overlaps; clean text usually has none, so nothing else runs;
//   3. each detector's own start-of-match database scans one window per region: from the
//      earliest byte a match overlapping the region can start at (the region minus the longest
//      match, bounded by the run of the detector's span bytes, moved back after a non-word byte so
//      that `\b` reads as in the whole text) to one byte past the latest it can end at;
//   4. a reported match is kept only if it overlaps a region: then no match ending there can
//      start before its window, so the window saw the leftmost start the whole text has.
//
// Every candidate that a refine step would accept is therefore reported with the start a whole-
// text scan gives it; candidates no refine step could accept may be left out.
// Thread-safe: per-scan state is thread-local, scratch comes from a pool.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "router/hs_scratch_pool.h"
#include "router/privacy_patterns.h"
#include "router/privacy_scanner.h"

namespace fulcrum::router {

class BuiltinScanner {
 public:
  // Compiles the databases of `rows` (pointers into builtin_patterns(); ScanMatch::pattern
  // indexes this list). kInternal if Vectorscan fails, kInvalidArgument for a row whose gate
  // cannot work (no anchor and no gate, unbounded without a span, an anchor outside its span).
  static Result<std::unique_ptr<BuiltinScanner>> create(std::span<const BuiltinPattern* const> rows);
  ~BuiltinScanner();
  BuiltinScanner(const BuiltinScanner&) = delete;
  BuiltinScanner& operator=(const BuiltinScanner&) = delete;

  // Replaces `out` with the candidates in `text`, unordered. Fails closed (kInvalidArgument) when
  // more than max(65536, 8 x text size) would be reported; kInternal if Vectorscan fails.
  Status find(std::string_view text, std::vector<ScanMatch>* out) const;

 private:
  struct Detector {
    const BuiltinPattern* row = nullptr;
    uint32_t max_width = UINT32_MAX;  // longest match; UINT32_MAX: unbounded
    std::bitset<256> span;            // none set: not declared
    hs_database* som_db = nullptr;    // HS_FLAG_SOM_LEFTMOST
  };
  struct Anchor {
    uint32_t detector;
    uint32_t length;
    AnchorCheck check;
  };
  struct ScanState;

  BuiltinScanner() = default;
  Status compile(std::span<const BuiltinPattern* const> rows);
  Status scan_detector(size_t d, std::string_view text, ScanState* st, hs_scratch* scratch,
                       std::vector<ScanMatch>* out) const;

  std::vector<Detector> detectors_;
  std::vector<Anchor> anchors_;  // literal database ids
  hs_database* literal_db_ = nullptr;
  std::unique_ptr<HsScratchPool> scratch_;
};

}  // namespace fulcrum::router
