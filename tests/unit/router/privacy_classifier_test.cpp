// The privacy classifier, one behaviour at a time: each built-in kind is found with exact byte
// offsets in several formats, its checksum or range validator rejects look-alikes, configuration
// switches kinds off and adds user patterns and terms, and bad configuration is refused by name.
// The labelled corpus (privacy_corpus_test.cpp) measures recall and false positives in bulk.
#include "router/privacy_classifier.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace fulcrum::router {
namespace {

std::shared_ptr<const PrivacyClassifier> make(const PrivacyConfig& config = {}) {
  auto c = PrivacyClassifier::create(config);
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  return c.ok() ? *c : nullptr;
}

std::vector<Finding> scan(const PrivacyClassifier& c, const std::string& text) {
  auto f = c.scan(text);
  EXPECT_TRUE(f.ok()) << f.error().to_string();
  return f.ok() ? *f : std::vector<Finding>{};
}

struct Planted {
  const char* kind;
  const char* secret;  // the exact span that must be reported
};

// Every built-in kind, each in more than one written form.
const Planted kPositives[] = {
    {"email", "alice.smith+billing@example.co.uk"},
    {"email", "BOB_99@mail.example.org"},
    {"email", "zoë.müller@exämple.de"},
    {"phone", "+1 415 555 0132"},
    {"phone", "(415) 555-0132"},
    {"phone", "+44 20 7946 0958"},
    {"phone", "+49-30-123456789"},
    {"phone", "(555)123-4567"},  // the fiction number: an exchange may start with 0 or 1 here
    {"phone", "555.123.4567"},
    {"phone", "0044 20 7946 0958"},  // 00 for '+'
    {"phone", "0049-30-901820"},
    {"payment_card", "4111 1111 1111 1111"},
    {"payment_card", "5500-0000-0000-0004"},
    {"payment_card", "378282246310005"},
    {"payment_card", "4111.1111.1111.1111"},
    {"iban", "GB82 WEST 1234 5698 7654 32"},
    {"iban", "DE89370400440532013000"},
    {"us_ssn", "123-45-6789"},
    {"uk_nino", "AB 12 34 56 C"},
    {"ca_sin", "130 692 544"},
    {"ipv4", "192.168.10.24"},
    {"ipv6", "2001:db8:85a3::8a2e:370:7334"},
    {"aws_access_key", "AKIAIOSFODNN7EXAMPLE"},
    {"gcp_api_key", "AIzaSyD-1234567890abcdefghijklmnopqrstu"},
    {"github_token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"},
    {"slack_token", "xoxb-123456789012-abcdefghijklmnop"},
    {"anthropic_key", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345"},
    {"openai_key", "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"},
    {"stripe_key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"},
    {"stripe_key", "rk_test_51H8abcDEFghiJKLmnoPQR"},
    {"gitlab_token", "glpat-AbCdEf1234567890XyZw"},
    {"npm_token", "npm_abcdefghijklmnopqrstuvwxyz0123456789"},
    {"huggingface_token", "hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"},
    {"sendgrid_key", "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"},
    {"us_ssn", "078-05-1120"},  // voided after publication, still an SSN to a reader
    {"ca_sin", "046 454 286"},  // the government examples' number (0 is not assigned)
    {"github_token",
     "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123"},
    {"jwt",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
     "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"},
};

TEST(PrivacyClassifier, EveryBuiltinKindIsFoundWithExactOffsets) {
  auto c = make();
  ASSERT_TRUE(c);
  for (const auto& p : kPositives) {
    for (const std::string& prefix :
         {std::string(), std::string("Please use "), std::string("line one\nsee: ")}) {
      const std::string text = prefix + p.secret + (prefix.empty() ? "" : " for this, thanks.");
      auto f = scan(*c, text);
      ASSERT_EQ(f.size(), 1u) << p.kind << " in '" << text << "'";
      EXPECT_EQ(f[0].kind, p.kind) << text;
      EXPECT_EQ(f[0].start, prefix.size()) << text;
      EXPECT_EQ(f[0].end, prefix.size() + std::string(p.secret).size()) << text;
    }
  }
}

// A secret assigned to a named key: the value alone is reported, in every quoting style.
TEST(PrivacyClassifier, CredentialAssignmentsReportTheValue) {
  auto c = make();
  ASSERT_TRUE(c);
  const std::pair<const char*, const char*> cases[] = {
      {"password=hunter2", "hunter2"},
      {"export DB_PASSWORD=Sup3rS3cret! && run", "Sup3rS3cret!"},
      {"Password: P@ssw0rd!.", "P@ssw0rd!"},
      {"{\"api_key\": \"abc123def456ghi789\", \"n\": 1}", "abc123def456ghi789"},
      {"client_secret :  'GOCSPX-abcdefghijkLMNOP12345'", "GOCSPX-abcdefghijkLMNOP12345"},
      {"ACCESS_TOKEN=ya29.a0AfH6SMBx3abcDEF;", "ya29.a0AfH6SMBx3abcDEF"},
      {"passphrase: correcthorsebatterystaple", "correcthorsebatterystaple"},
      {"Authorization: Basic dXNlcjpwYXNzd29yZA==\r\n", "dXNlcjpwYXNzd29yZA=="},
      {"-H 'Authorization: Bearer 8f3a9c2b7d1e4f60a5b9c8d7e6f5a4b3'",
       "8f3a9c2b7d1e4f60a5b9c8d7e6f5a4b3"},
      {"SIN 046454286", "046454286"},
  };
  for (const auto& [text, value] : cases) {
    auto f = scan(*c, text);
    ASSERT_EQ(f.size(), 1u) << text;
    EXPECT_EQ(f[0].kind, std::string(text).starts_with("SIN") ? "ca_sin" : "credential") << text;
    EXPECT_EQ(std::string(text).substr(f[0].start, f[0].end - f[0].start), value) << text;
  }
  // A known key format assigned to a key keeps its own kind.
  auto f = scan(*c, "api_key = \"sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEF\"");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "openai_key");
}

TEST(PrivacyClassifier, PrivateKeyBlockAndUrlPassword) {
  auto c = make();
  ASSERT_TRUE(c);
  std::string key =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq9hJ0x2cR3k1yZ/abcdefghijklmnopqrs\n"
      "-----END RSA PRIVATE KEY-----";
  auto f = scan(*c, "here is my key:\n" + key + "\nthanks");
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].kind, "private_key");
  EXPECT_EQ(f[0].start, 16u);

  f = scan(*c, "connect to postgres://admin:hunter2@db.internal/app now");
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].kind, "url_password");
}

TEST(PrivacyClassifier, ValidatorsRejectLookAlikes) {
  auto c = make();
  ASSERT_TRUE(c);
  const char* clean[] = {
      "card 4111 1111 1111 1112 fails Luhn",        // one digit off a valid card
      "IBAN GB82 WEST 1234 5698 7654 33 is wrong",  // mod-97 fails
      "ssn 000-12-3456 is never issued",            // area 000
      "ssn 666-12-3456 is never issued",            // area 666
      "version 10.4.300.2 and 999.1.1.1",           // octets out of range / versions
      "ISBN 978-3-16-148410-0 on page 12",
      "order #2024-11-30-0042 shipped",
      "uuid 123e4567-e89b-12d3-a456-426614174000",
      "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "released on 2026-11-30 at 10:42:07",
      "see https://example.com/docs/a:b for details",
      "firmware version 1.2.3.4 is current",             // a version-shaped dotted quad
      "Lot 398 581 4669 was recalled",                   // a number named as an identifier
      "password = <your password>, API_KEY=${API_KEY}",  // placeholders
      "apiKey: process.env.OPENAI_API_KEY",              // an environment lookup
      "password: required; max_tokens: 128000; token: 4096",
      "Reset your password: click the link",
      "values 1.4111.1111.1111.1111 and 4111.1111.1111.1111.2 are dotted numbers",
      "e = 2.718281828459045 and 5105.105105105100 are decimals",
      "0012 3456 7890 1234 and ref 00123456789",  // no country code 12; no separator
      "hf_hub_download and hf_modelconfigurationparametersxxxxx",
      "a basic question about basics; Basic auth needs a header",
      "Authorization: Bearer YOUR_ACCESS_TOKEN_GOES_HERE",
  };
  for (const char* text : clean) {
    auto f = scan(*c, text);
    EXPECT_TRUE(f.empty()) << "'" << text << "' flagged as " << f[0].kind;
  }
}

TEST(PrivacyClassifier, FindingsAreSortedAndDoNotOverlap) {
  auto c = make();
  ASSERT_TRUE(c);
  std::string text =
      "Mail alice@example.com or call +1 415 555 0132; card 4111111111111111, "
      "host 10.0.0.7.";
  auto f = scan(*c, text);
  ASSERT_EQ(f.size(), 4u);
  const char* kinds[] = {"email", "phone", "payment_card", "ipv4"};
  for (size_t i = 0; i < f.size(); ++i) {
    EXPECT_EQ(f[i].kind, kinds[i]);
    EXPECT_LT(f[i].start, f[i].end);
    EXPECT_LE(f[i].end, text.size());
    if (i) {
      EXPECT_LE(f[i - 1].end, f[i].start);
    }
  }
}

TEST(PrivacyClassifier, DisabledKindsAreNotReported) {
  PrivacyConfig cfg;
  cfg.disabled = {"email", "ipv4"};
  auto c = make(cfg);
  ASSERT_TRUE(c);
  auto f = scan(*c, "alice@example.com on 10.0.0.7 with card 4111111111111111");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "payment_card");
}

TEST(PrivacyClassifier, WhollyDisabledFindsNothing) {
  PrivacyConfig cfg;
  cfg.enabled = false;
  auto c = make(cfg);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->enabled());
  EXPECT_TRUE(scan(*c, "alice@example.com 4111111111111111").empty());
}

TEST(PrivacyClassifier, UserPatternsAndTerms) {
  PrivacyConfig cfg;
  cfg.patterns.push_back({"ticket", "TCK-[0-9]{4,}", false});
  cfg.patterns.push_back({"codename", "falcon-[a-z]+", true});
  cfg.terms = {"Project Nightjar", "acme-internal"};
  auto c = make(cfg);
  ASSERT_TRUE(c);

  std::string text = "Re TCK-12345: FALCON-blue rollout for project nightjar (acme-internal).";
  auto f = scan(*c, text);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].kind, "ticket");
  EXPECT_EQ(text.substr(f[0].start, f[0].end - f[0].start), "TCK-12345");
  EXPECT_EQ(f[1].kind, "codename");
  EXPECT_EQ(text.substr(f[1].start, f[1].end - f[1].start), "FALCON-blue");
  EXPECT_EQ(f[2].kind, "term");
  EXPECT_EQ(text.substr(f[2].start, f[2].end - f[2].start), "project nightjar");
  EXPECT_EQ(f[3].kind, "term");

  // Terms are whole words only; a case-sensitive pattern keeps its case.
  EXPECT_TRUE(scan(*c, "acme-internals and tck-12345 and nightjars").empty());
}

TEST(PrivacyClassifier, BadConfigurationIsRefusedByName) {
  PrivacyConfig bad_regex;
  bad_regex.patterns.push_back({"broken_one", "([a-z", false});
  auto c = PrivacyClassifier::create(bad_regex);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(c.error().to_string().find("broken_one"), std::string::npos) << c.error().to_string();

  PrivacyConfig bad_kind;
  bad_kind.disabled = {"emails"};
  c = PrivacyClassifier::create(bad_kind);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().to_string().find("emails"), std::string::npos) << c.error().to_string();
}

TEST(PrivacyClassifier, EmptyHugeAndBinaryInputsAreSafe) {
  auto c = make();
  ASSERT_TRUE(c);
  EXPECT_TRUE(scan(*c, "").empty());
  std::string big(1 << 20, 'a');
  big.replace(700000, 19, " alice@example.com ");
  auto f = scan(*c, big);
  // After a long run of word bytes the address is still found, with its own end.
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "email");
  EXPECT_EQ(f[0].start, 700001u);
  EXPECT_EQ(f[0].end, 700018u);
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary.push_back(static_cast<char>(i * 37));
  auto g = c->scan(binary);
  EXPECT_TRUE(g.ok());
}

}  // namespace
}  // namespace fulcrum::router
