// PatternScanner must report exactly what one start-of-match Vectorscan scan of the whole text
// reports (the definition), for the built-in detectors, user patterns and terms, on the labelled
// corpus and on generated texts that stress its windows: long tokens, matches at the text's
// edges, runs of word bytes before a match, many matches close together.
#include "router/privacy_scanner.h"

#include <gtest/gtest.h>
#include <hs/hs.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "router/privacy_patterns.h"

namespace fulcrum::router {
namespace {

using Match = std::tuple<uint32_t, uint32_t, uint32_t>;  // pattern, start, end

std::vector<ScanPattern> all_patterns() {
  std::vector<ScanPattern> out;
  for (const auto& p : builtin_patterns())
    out.push_back({std::string(p.regex), p.caseless ? HS_FLAG_CASELESS : 0u,
                   PatternScanner::parse_span(p.span), false, p.min_digits});
  out.push_back({"TCK-[0-9]{4,}", 0});                                      // a user pattern
  out.push_back({"\\bproject\\x20falcon\\b", HS_FLAG_CASELESS, {}, true});  // terms
  out.push_back({"\\bacme-internal\\b", HS_FLAG_CASELESS, {}, true});
  return out;
}

// The definition: one database of every pattern with HS_FLAG_SOM_LEFTMOST, whole text.
class Reference {
 public:
  explicit Reference(const std::vector<ScanPattern>& patterns) {
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    for (size_t i = 0; i < patterns.size(); ++i) {
      exprs.push_back(patterns[i].regex.c_str());
      flags.push_back(patterns[i].flags | HS_FLAG_SOM_LEFTMOST);
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* err = nullptr;
    ok_ = hs_compile_multi(exprs.data(), flags.data(), ids.data(),
                           static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db_,
                           &err) == HS_SUCCESS &&
          hs_alloc_scratch(db_, &scratch_) == HS_SUCCESS;
    hs_free_compile_error(err);
  }
  ~Reference() {
    hs_free_scratch(scratch_);
    hs_free_database(db_);
  }
  bool ok() const { return ok_; }
  std::vector<Match> find(const std::string& text) const {
    std::vector<Match> out;
    if (text.empty()) return out;
    hs_scan(
        db_, text.data(), static_cast<unsigned>(text.size()), 0, scratch_,
        [](unsigned id, unsigned long long from, unsigned long long to, unsigned, void* ctx) {
          static_cast<std::vector<Match>*>(ctx)->emplace_back(id, from, to);
          return 0;
        },
        &out);
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  hs_database_t* db_ = nullptr;
  hs_scratch_t* scratch_ = nullptr;
  bool ok_ = false;
};

std::vector<Match> scanner_find(const PatternScanner& s, const std::string& text) {
  std::vector<ScanMatch> got;
  auto st = s.find(text, &got);
  EXPECT_TRUE(st.ok()) << st.error().to_string();
  std::vector<Match> out;
  for (const auto& m : got) out.emplace_back(m.pattern, m.start, m.end);
  std::sort(out.begin(), out.end());
  return out;
}

class PatternScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    patterns_ = all_patterns();
    int bad = -1;
    auto s = PatternScanner::create(patterns_, &bad);
    ASSERT_TRUE(s.ok()) << s.error().to_string() << " (pattern " << bad << ")";
    scanner_ = std::move(s).value();
    reference_ = std::make_unique<Reference>(patterns_);
    ASSERT_TRUE(reference_->ok());
  }
  void expect_same(const std::string& text) {
    auto want = reference_->find(text);
    auto got = scanner_find(*scanner_, text);
    ++texts_;
    matches_ += want.size();
    if (want != got) {
      ++diffs_;
      ADD_FAILURE() << "scanner and reference differ on: " << text.substr(0, 300) << " ("
                    << want.size() << " vs " << got.size() << " matches)";
    }
  }

  std::vector<ScanPattern> patterns_;
  std::unique_ptr<PatternScanner> scanner_;
  std::unique_ptr<Reference> reference_;
  size_t texts_ = 0, matches_ = 0, diffs_ = 0;
};

TEST(PatternScannerSpan, ParsesRangesAndLiterals) {
  auto s = PatternScanner::parse_span("A-C0-2._-");
  std::string in;
  for (int c = 0; c < 256; ++c)
    if (s.test(static_cast<size_t>(c))) in += static_cast<char>(c);
  EXPECT_EQ(in, "-.012ABC_");
  EXPECT_TRUE(PatternScanner::parse_span("").none());
}

TEST(PatternScannerCreate, NamesTheBadPattern) {
  std::vector<ScanPattern> p = {{"abc", 0}, {"a(b", 0}};
  int bad = -1;
  auto s = PatternScanner::create(p, &bad);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad, 1);
}

TEST_F(PatternScannerTest, MatchesTheReferenceOnTheCorpus) {
  std::ifstream in(std::string(FULCRUM_SOURCE_DIR) + "/tests/data/privacy/corpus.jsonl");
  ASSERT_TRUE(in) << "corpus missing";
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) expect_same(nlohmann::json::parse(line)["text"].get<std::string>());
  EXPECT_GE(texts_, 500u);
  EXPECT_GT(matches_, 500u);  // the comparison covers real matches, not only empty results
  EXPECT_EQ(diffs_, 0u);
}

TEST_F(PatternScannerTest, MatchesTheReferenceOnGeneratedTexts) {
  const char* pieces[] = {
      "jane.doe@example.com",
      "4111 1111 1111 1111",
      "+44 20 7946 0958",
      "(415) 555-2671",
      "DE89 3704 0044 0532 0130 00",
      "AKIAIOSFODNN7EXAMPLE",
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
      "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
      "xoxb-1234567890-abcdefghij",
      "192.168.1.20",
      "2001:db8::8a2e:370:7334",
      "10:22:31",
      "123-45-6789",
      "046 454 286",
      "4111.1111.1111.1111",
      "1.4111.1111.1111.1111",
      "0044 20 7946 0958",
      "0049-30-901820",
      "0012 3456 7890 1234",
      "AB 12 34 56 C",
      "postgres://admin:hunter2@db.example.com",
      "-----BEGIN RSA PRIVATE KEY-----",
      "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
      "glpat-AbCdEf1234567890XyZw",
      "npm_abcdefghijklmnopqrstuvwxyz0123456789",
      "hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh",
      "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",
      "DB_PASSWORD=Sup3rS3cret!",
      "\"api_key\": \"abc123def456\"",
      "client_secret :  'x9'",
      "max_tokens: 4096",
      "Authorization: Basic dXNlcjpwYXNzd29yZA==",
      "Bearer 8f3a9c2b7d1e4f60a5b9c8d7e6f5a4b3",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123",
      "TCK-20931",
      "Project Falcon",
      "acme-internal",
      "2024-03-01T10:22:31Z",
      "978-3-16-148410-0",
      // Number-shaped matches with the fewest digits their patterns allow.
      "4222222222222",
      "4222-2222-2222-2",
      "012 345 678",
      "01 23 45 67 89",
      "+1234567",
      "(234) 567-8901",
      "1.2.3.4",
      "123 45 6789",
      "123-456-789",
  };
  std::mt19937 rng(20240301);
  const std::string fill = "abcdefghij0123456789_.-: ";
  for (int i = 0; i < 3000; ++i) {
    std::string t;
    int parts = static_cast<int>(rng() % 6);
    for (int p = 0; p < parts; ++p) {
      // A run before each piece: one repeated byte (long word or digit runs) or mixed bytes.
      size_t run = rng() % (rng() % 4 == 0 ? 700 : 40);
      if (rng() % 2) {
        t += std::string(run, "aZ09_x- "[rng() % 8]);
      } else {
        for (size_t r = 0; r < run; ++r) t += fill[rng() % fill.size()];
      }
      t += pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
      if (rng() % 2) t += "a0 _"[rng() % 4];
    }
    expect_same(t);
  }
  EXPECT_GT(matches_, 3000u);
  EXPECT_EQ(diffs_, 0u);
}

TEST_F(PatternScannerTest, EmptyAndEdgeTexts) {
  for (const char* t : {"", "a", "@", "4111111111111111", "x4111111111111111", "1.2.3.4", "a@b.co",
                        "::", ":::::::::"})
    expect_same(t);
  EXPECT_EQ(diffs_, 0u);
}

}  // namespace
}  // namespace fulcrum::router
