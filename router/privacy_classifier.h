// The privacy classifier: finds sensitive data in text. Every detector is a regular expression
// compiled into Vectorscan (Hyperscan API) databases. The built-in ones run only on small windows
// that gates pick out (router/builtin_scanner.h); user patterns and terms run as one multi-pattern
// database over the whole text, start-of-match offsets found in a second pass near the ends
// (router/privacy_scanner.h). Candidates then pass a C++ validator (Luhn for cards, mod-97 for
// IBANs, SSA rules for SSNs, octet ranges for IPv4, ...) that also trims the span. Built-in kinds:
//
//   email, phone, payment_card, iban, us_ssn, uk_nino, ca_sin, ipv4, ipv6, aws_access_key,
//   aws_secret_key, gcp_api_key, azure_key, github_token, slack_token, openai_key,
//   anthropic_key, stripe_key, gitlab_token, npm_token, huggingface_token, sendgrid_key, jwt,
//   private_key, url_password, credential (a value assigned to a secret's name)
//
// plus user-defined regexes ([[privacy.patterns]], kind = their name) and term lists
// (privacy.terms, kind "term", whole words, case-insensitive). Thread-safe.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/result.h"
#include "router/finding.h"

namespace fulcrum::router {

class BuiltinScanner;
class PatternScanner;

struct CustomPattern {
  std::string name;   // the finding kind
  std::string regex;  // Vectorscan syntax (PCRE subset: no back-references, no look-around)
  bool case_insensitive = false;
};

enum class RedactionMode { kOff, kMask };

// [privacy]
struct PrivacyConfig {
  bool enabled = true;
  std::vector<std::string> disabled;    // built-in kinds to switch off
  std::vector<CustomPattern> patterns;  // [[privacy.patterns]] name, regex, case_insensitive
  std::vector<std::string> terms;       // literal terms (kind "term")
  RedactionMode redaction = RedactionMode::kOff;  // redaction = "off" | "mask"

  static Result<PrivacyConfig> parse(ConfigTable& table);
};

class PrivacyClassifier {
 public:
  // Compiles the database. Errors: kInvalidArgument for a bad custom regex (naming it) or an
  // unknown kind in `disabled`.
  static Result<std::shared_ptr<const PrivacyClassifier>> create(const PrivacyConfig& config);
  ~PrivacyClassifier();

  // Appends the findings in `text` (tagged with `segment`) to `out`, sorted by start, not
  // overlapping. Errors only if Vectorscan itself fails (kInternal).
  Status scan(std::string_view text, uint32_t segment, std::vector<Finding>* out) const;
  Result<std::vector<Finding>> scan(std::string_view text) const;

  bool enabled() const { return enabled_; }
  static std::span<const std::string_view> builtin_kinds();

 private:
  PrivacyClassifier() = default;
  struct Detector;
  bool enabled_ = true;
  // Built-in detectors first (BuiltinScanner's indices), then user patterns and terms
  // (PatternScanner's indices + builtin_count_).
  std::vector<Detector> detectors_;
  size_t builtin_count_ = 0;
  std::unique_ptr<BuiltinScanner> builtin_;  // null when disabled or every built-in is off
  std::unique_ptr<PatternScanner> custom_;   // null without user patterns and terms
};

}  // namespace fulcrum::router
