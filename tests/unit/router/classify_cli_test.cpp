// `fulcrum classify [--config FILE] (--file F | TEXT) --json` prints exactly
//   {"sensitive": true|false, "findings": [{"kind": "...", "start": N, "end": N}]}
// with byte offsets into the input; usage and configuration errors exit 2 with a message.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/run_binary.h"

namespace fulcrum::testing {
namespace {

nlohmann::json parse_out(const RunResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j;
}

TEST(ClassifyCli, TextArgumentWithByteOffsets) {
  // "é" is two bytes: offsets count bytes, not characters.
  std::string text = "Café order: mail zoë@example.com, card 4111 1111 1111 1111.";
  auto j = parse_out(run_fulcrum({"classify", text, "--json"}));
  ASSERT_TRUE(j.is_object());
  ASSERT_EQ(j.size(), 2u) << j.dump();
  EXPECT_EQ(j["sensitive"], true);
  ASSERT_EQ(j["findings"].size(), 2u) << j.dump();
  const auto& card = j["findings"][1];
  EXPECT_EQ(card["kind"], "payment_card");
  ASSERT_EQ(card.size(), 3u) << card.dump();
  size_t s = card["start"], e = card["end"];
  EXPECT_EQ(text.substr(s, e - s), "4111 1111 1111 1111");
  const auto& mail = j["findings"][0];
  EXPECT_EQ(mail["kind"], "email");
  s = mail["start"];
  e = mail["end"];
  EXPECT_EQ(text.substr(e - 11, 11), "example.com");
}

TEST(ClassifyCli, CleanTextFromAFile) {
  TempFile f("Release 2.14.3 shipped on 2026-11-30; ISBN 978-3-16-148410-0.\n");
  auto j = parse_out(run_fulcrum({"classify", "--file", f.path(), "--json"}));
  EXPECT_EQ(j, nlohmann::json::parse(R"({"sensitive": false, "findings": []})"));
}

TEST(ClassifyCli, ConfigAddsPatternsTermsAndDisablesKinds) {
  TempFile cfg(
      "[privacy]\n"
      "disabled = [\"email\"]\n"
      "terms = [\"Project Nightjar\"]\n"
      "[[privacy.patterns]]\n"
      "name = \"ticket\"\n"
      "regex = \"TCK-[0-9]{4,}\"\n",
      ".toml");
  std::string text = "TCK-4242 for project nightjar, ask bob@example.com";
  auto j = parse_out(run_fulcrum({"classify", "--config", cfg.path(), text, "--json"}));
  ASSERT_EQ(j["findings"].size(), 2u) << j.dump();
  EXPECT_EQ(j["findings"][0]["kind"], "ticket");
  EXPECT_EQ(j["findings"][0]["start"], 0);
  EXPECT_EQ(j["findings"][0]["end"], 8);
  EXPECT_EQ(j["findings"][1]["kind"], "term");
}

// A TEXT that starts with '-' but is not shaped like an option is text (a PEM block, a list
// item); "--" ends the options; an option-shaped unknown flag is still an error.
TEST(ClassifyCli, DashLedTextIsText) {
  std::string pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIGlRHk\n-----END EC PRIVATE KEY-----";
  auto j = parse_out(run_fulcrum({"classify", pem, "--json"}));
  ASSERT_EQ(j["findings"].size(), 1u) << j.dump();
  EXPECT_EQ(j["findings"][0]["kind"], "private_key");
  EXPECT_EQ(j["findings"][0]["start"], 0);
  EXPECT_EQ(j["findings"][0]["end"], pem.size());

  j = parse_out(run_fulcrum({"classify", "--json", "--", "-v mail me: a.b@example.com"}));
  ASSERT_EQ(j["findings"].size(), 1u) << j.dump();
  EXPECT_EQ(j["findings"][0]["kind"], "email");

  auto r = run_fulcrum({"classify", "--jsonn", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--jsonn"), std::string::npos) << r.err;
}

TEST(ClassifyCli, ErrorsExitTwoWithContext) {
  auto r = run_fulcrum({"classify", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("usage"), std::string::npos) << r.err;

  r = run_fulcrum({"classify", "--file", "/nonexistent/fulcrum.txt", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/fulcrum.txt"), std::string::npos) << r.err;

  TempFile cfg("[privacy]\nbogus_key = 1\n", ".toml");
  r = run_fulcrum({"classify", "--config", cfg.path(), "x", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bogus_key"), std::string::npos) << r.err;

  TempFile bad("[[privacy.patterns]]\nname = \"oops\"\nregex = \"([a-z\"\n", ".toml");
  r = run_fulcrum({"classify", "--config", bad.path(), "x", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("oops"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fulcrum::testing
