// Gates of the built-in privacy detectors: cheap necessary conditions that say where in a text a
// detector can possibly find something, so that its Vectorscan database runs only on small windows
// there (router/builtin_scanner.h) instead of over the whole text.
//
// A gate yields regions; its contract: every match of the detector's regular expression that its
// refine step (router/privacy_patterns.h) accepts overlaps at least one region. A gate may yield
// regions where nothing is found (that only costs a window scan); it must never miss one where
// something is. Two kinds:
//
//   anchors  literals every such match contains ("AKIA", "eyJ", "@", "://", "secret" ignoring
//            case, ...), found all at once by one Vectorscan literal database, then each
//            occurrence confirmed by an AnchorCheck (a word boundary before it, a digit soon after
//            a keyword, ...);
//   GateFn   computed from the text's bitmaps (router/text_masks.h): runs of number bytes with the
//            digit groups a detector needs (cards, SSNs, phone numbers, IPv4), two capitals before
//            digits (IBAN, UK NINO), six colons close together (IPv6).
//
// tests/unit/router/privacy_scanner_test.cpp holds every gate to its contract by comparing the
// classifier's findings with a whole-text scan on the corpus and on generated texts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "router/text_masks.h"

namespace fulcrum::router {

// Bytes [start, end) of the text.
struct GateRegion {
  uint32_t start;
  uint32_t end;
};

// A maximal run of TextMasks::kNumeric bytes (space, punctuation up to '/', digits) holding at
// least 4 digits. Every number-shaped match lies inside one.
struct NumberRun {
  uint32_t start;
  uint32_t end;
  uint32_t digits;
  uint32_t groups_begin = 0;  // its digit groups: GateInput::groups[groups_begin, groups_end)
  uint32_t groups_end = 0;
};

// One maximal group of digits: text[start, start + len).
struct DigitGroup {
  uint32_t start;
  uint32_t len;
};

// What the computed gates read; built once per text by collect().
struct GateInput {
  std::string_view text;
  const TextMasks* masks = nullptr;
  std::vector<NumberRun> runs;
  std::vector<DigitGroup> groups;       // the digit groups of every run, run after run
  std::vector<uint32_t> capital_pairs;  // i: text[i], text[i+1] in A-Z and text[i+3] a digit

  void collect(std::string_view text, const TextMasks& masks);
  std::span<const DigitGroup> groups_of(const NumberRun& r) const {
    return {groups.data() + r.groups_begin, groups.data() + r.groups_end};
  }
};

// Appends the regions of one detector.
using GateFn = void (*)(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
// Confirms one anchor occurrence text[start, end) (false: no accepted match can contain it).
using AnchorCheck = bool (*)(std::string_view text, size_t start, size_t end);

// Computed gates. Number-run gates yield whole runs (a match that overlaps one lies inside it) and
// look only at runs with at least `min_digits` digits.
void gate_payment_card(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_ssn_dashed(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_ssn_spaced(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_ca_sin(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_phone_00(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_phone_plus(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_phone_nanp(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_phone_trunk(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_phone_pairs(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_ipv4(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_iban(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_uk_nino(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);
void gate_ipv6_colons(const GateInput& in, uint8_t min_digits, std::vector<GateRegion>* out);

// Anchor checks.
bool check_word_start(std::string_view text, size_t start, size_t end);
bool check_email_at(std::string_view text, size_t start, size_t end);
bool check_url_userinfo(std::string_view text, size_t start, size_t end);
bool check_digit_before(std::string_view text, size_t start, size_t end);
bool check_nine_digits_after(std::string_view text, size_t start, size_t end);
bool check_phone_after(std::string_view text, size_t start, size_t end);
bool check_assignment_after(std::string_view text, size_t start, size_t end);
bool check_base64_after(std::string_view text, size_t start, size_t end);

}  // namespace fulcrum::router
