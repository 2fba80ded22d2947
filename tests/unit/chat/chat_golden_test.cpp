// Data-driven: every case of every ../shared/testdata/chat/golden/*.json renders byte-identical
// to its `text` with the template it names, and every error case fails (raise_exception cases
// with the message the template raised). Adding a golden file adds a test.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "engine/chat/chat_template.h"
#include "tests/support/testdata.h"

namespace fulcrum::engine::chat {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::vector<std::string> golden_files() {
  std::vector<std::string> out;
  fs::path dir = testing::testdata_path("chat/golden");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

class ChatGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ChatGolden, EveryCaseMatches) {
  auto raw = read_file(testing::testdata_path("chat/golden/" + GetParam() + ".json"));
  ASSERT_TRUE(raw.ok()) << raw.error().to_string();
  Json golden = Json::parse(raw.value());
  auto source = read_file(testing::testdata_path("chat/templates/" +
                                                 golden["template"].get<std::string>()));
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  auto tpl = ChatTemplate::parse(source.value());
  ASSERT_TRUE(tpl.ok()) << tpl.error().to_string();
  ASSERT_FALSE(golden["cases"].empty());
  for (const auto& c : golden["cases"]) {
    SCOPED_TRACE(c["case"].get<std::string>());
    auto input = chat_input_from_json(c["input"]);
    ASSERT_TRUE(input.ok()) << input.error().to_string();
    input->bos_token = c["bos_token"].get<std::string>();
    input->eos_token = c["eos_token"].get<std::string>();
    input->now = c["now"].get<std::string>();
    auto text = tpl->render(input.value());
    if (c["ok"].get<bool>()) {
      ASSERT_TRUE(text.ok()) << text.error().to_string();
      EXPECT_EQ(text.value(), c["text"].get<std::string>());
    } else {
      ASSERT_FALSE(text.ok()) << "expected " << c["error_kind"] << ", rendered:\n" << text.value();
      if (c["error_kind"] == "raise_exception") {
        EXPECT_NE(text.error().message().find(c["message"].get<std::string>()), std::string::npos)
            << text.error().message();
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Goldens, ChatGolden, ::testing::ValuesIn(golden_files()), test_name);

TEST(ChatGoldenData, IsPresent) { EXPECT_GE(golden_files().size(), 17u); }

}  // namespace
}  // namespace fulcrum::engine::chat
