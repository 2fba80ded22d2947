// The labelled privacy corpus (tests/data/privacy/corpus.jsonl, from generate.py there):
// every planted item must be found with its kind (recall 100%), and at most 3% of the hard
// negatives may raise any finding.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "router/privacy_classifier.h"

namespace fulcrum::router {
namespace {

std::vector<nlohmann::json> load_corpus() {
  std::ifstream in(std::string(FULCRUM_SOURCE_DIR) + "/tests/data/privacy/corpus.jsonl");
  std::vector<nlohmann::json> rows;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

TEST(PrivacyCorpus, HasAtLeast500PromptsHalfSensitive) {
  auto rows = load_corpus();
  ASSERT_GE(rows.size(), 500u);
  size_t sensitive = 0;
  std::map<std::string, int> kinds;
  for (const auto& r : rows) {
    sensitive += r["label"] == "sensitive";
    for (const auto& p : r["planted"]) kinds[p["kind"].get<std::string>()]++;
  }
  EXPECT_EQ(sensitive * 2, rows.size());
  // Every built-in kind is planted, several times.
  for (auto k : PrivacyClassifier::builtin_kinds()) EXPECT_GE(kinds[std::string(k)], 10) << k;
}

TEST(PrivacyCorpus, RecallIsComplete) {
  auto c = PrivacyClassifier::create({});
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  int planted = 0, found = 0;
  for (const auto& r : load_corpus()) {
    if (r["label"] != "sensitive") continue;
    std::string text = r["text"];
    auto f = (*c)->scan(text);
    ASSERT_TRUE(f.ok()) << f.error().to_string();
    for (const auto& p : r["planted"]) {
      ++planted;
      std::string kind = p["kind"];
      size_t s = p["start"], e = p["end"];
      bool hit = false;
      for (const auto& x : *f) hit |= x.kind == kind && x.start < e && s < x.end;
      found += hit;
      EXPECT_TRUE(hit) << "missed " << kind << " '" << text.substr(s, e - s) << "' in prompt "
                       << r["id"];
    }
  }
  std::printf("recall: %d / %d planted items\n", found, planted);
  EXPECT_EQ(found, planted);
}

TEST(PrivacyCorpus, FalsePositivesAtMostThreePercent) {
  auto c = PrivacyClassifier::create({});
  ASSERT_TRUE(c.ok());
  int negatives = 0, flagged = 0;
  for (const auto& r : load_corpus()) {
    if (r["label"] != "clean") continue;
    ++negatives;
    std::string text = r["text"];
    auto f = (*c)->scan(text);
    ASSERT_TRUE(f.ok());
    if (f->empty()) continue;
    ++flagged;
    const auto& x = f->front();
    std::printf("false positive in %d: %s '%s'\n", r["id"].get<int>(), x.kind.c_str(),
                text.substr(x.start, x.end - x.start).c_str());
  }
  std::printf("false positives: %d / %d clean prompts\n", flagged, negatives);
  EXPECT_LE(flagged * 100, negatives * 3);
}

}  // namespace
}  // namespace fulcrum::router
