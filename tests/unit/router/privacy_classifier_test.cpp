#include "router/privacy_classifier.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace fulcrum::router {
namespace {

TEST(PrivacyClassifier, Debug) {
  auto c = PrivacyClassifier::create({});
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  std::ifstream in("/tmp/privacy_scratch/in.txt");
  std::string line;
  while (std::getline(in, line)) {
    auto f = (*c)->scan(line);
    ASSERT_TRUE(f.ok());
    std::printf("%s\n  ->", line.c_str());
    for (auto& x : *f)
      std::printf(" %s[%s]", x.kind.c_str(), line.substr(x.start, x.end - x.start).c_str());
    std::printf("\n");
  }
}

}  // namespace
}  // namespace fulcrum::router
