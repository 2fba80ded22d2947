// Direct matchers: C++ equivalents of the built-in expressions that planted data hits most (emails,
// cards, IBANs, phone numbers, cloud and API keys, JWTs). A Vectorscan start-of-match scan of a
// window costs microseconds on such a match (a reverse pass per match end); these walk the bytes
// once.
//
// Contract (the same as BuiltinScanner's): given the detector's gate regions, report candidates
// (start, end) where every one is a match of the row's regular expression with the leftmost start
// a whole-text Vectorscan scan (HS_FLAG_SOM_LEFTMOST) gives that end, and every such candidate that
// the row's refine step could accept is reported. Each function says how it reads its expression.
// tests/unit/router/privacy_scanner_test.cpp checks them against Vectorscan on the corpus and on
// generated texts.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "router/privacy_gates.h"
#include "router/privacy_scanner.h"

namespace fulcrum::router {

// Appends candidates tagged `id` for the (sorted) gate regions of one detector.
using MatchFn = void (*)(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                         std::vector<ScanMatch>* out);

void match_email(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                 std::vector<ScanMatch>* out);
void match_payment_card(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                        std::vector<ScanMatch>* out);
void match_iban(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                std::vector<ScanMatch>* out);
void match_phone_plus(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                      std::vector<ScanMatch>* out);
void match_phone_context(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                         std::vector<ScanMatch>* out);
void match_aws_access_key(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                          std::vector<ScanMatch>* out);
void match_gcp_api_key(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                       std::vector<ScanMatch>* out);
void match_github_token(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                        std::vector<ScanMatch>* out);
void match_slack_token(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                       std::vector<ScanMatch>* out);
void match_anthropic_key(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                         std::vector<ScanMatch>* out);
void match_openai_key(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
                      std::vector<ScanMatch>* out);
void match_jwt(std::string_view text, std::span<const GateRegion> regions, uint32_t id,
               std::vector<ScanMatch>* out);

}  // namespace fulcrum::router
