// The `fulcrum template` CLI contract, on the real binary: every case of every
// ../shared/testdata/chat/golden/*.json given as `--template FILE --input CASE.json --bos --eos
// --now` prints exactly the golden text (nothing added) and exits 0; error cases exit 1 with the
// raised message on stderr and nothing on stdout. Plus the model and built-in sources, limits and
// usage errors.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "tests/support/run_binary.h"
#include "tests/support/testdata.h"

namespace fulcrum::engine::chat {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using fulcrum::testing::run_fulcrum;
using fulcrum::testing::TempFile;

std::vector<std::string> golden_files() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fulcrum::testing::testdata_path("chat/golden"), ec))
    if (e.path().extension() == ".json") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

class TemplateCli : public ::testing::TestWithParam<std::string> {};

TEST_P(TemplateCli, EveryGoldenCase) {
  Json golden = Json::parse(fulcrum::testing::read_all(
      fulcrum::testing::testdata_path("chat/golden/" + GetParam() + ".json")));
  const std::string tpl =
      fulcrum::testing::testdata_path("chat/templates/" + golden["template"].get<std::string>());
  ASSERT_TRUE(fs::exists(tpl)) << tpl;
  ASSERT_FALSE(golden["cases"].empty());
  for (const auto& c : golden["cases"]) {
    SCOPED_TRACE(c["case"].get<std::string>());
    TempFile input(c["input"].dump(), ".json");
    auto r = run_fulcrum({"template", "--template", tpl, "--input", input.path(), "--bos",
                          c["bos_token"].get<std::string>(), "--eos",
                          c["eos_token"].get<std::string>(), "--now", c["now"].get<std::string>()});
    if (c["ok"].get<bool>()) {
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.out, c["text"].get<std::string>());
    } else {
      EXPECT_EQ(r.exit_code, 1) << "expected " << c["error_kind"] << "; printed:\n" << r.out;
      EXPECT_EQ(r.out, "");
      EXPECT_NE(r.err, "");
      if (c["error_kind"] == "raise_exception") {
        EXPECT_NE(r.err.find(c["message"].get<std::string>()), std::string::npos) << r.err;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Goldens, TemplateCli, ::testing::ValuesIn(golden_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

TEST(TemplateCliData, GoldensPresent) {
  EXPECT_GE(golden_files().size(), 17u);
}

const char* kConversation =
    R"({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}],
        "add_generation_prompt": true})";

TEST(TemplateCli, BuiltinTemplateAndStandardInput) {
  auto r = run_fulcrum({"template", "--builtin", "chatml", "--input", "-"}, kConversation);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nYo<|im_end|>\n"
            "<|im_start|>assistant\n");
  auto bad =
      run_fulcrum({"template", "--builtin", "no-such-family", "--input", "-"}, kConversation);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("no-such-family"), std::string::npos) << bad.err;
}

TEST(TemplateCli, ModelWithoutTemplateNeedsBuiltinAndGivesItsTokens) {
  // The kjv-tiny model carries no chat template; its BOS/EOS are <s> and </s>.
  const std::string model = fulcrum::testing::testdata_path("models/kjv-tiny-q8_0.gguf");
  TempFile input(kConversation, ".json");
  auto none = run_fulcrum({"template", model, "--input", input.path()});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.out, "");
  EXPECT_NE(none.err.find("chat_template"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("--builtin"), std::string::npos) << none.err;

  auto r = run_fulcrum({"template", model, "--builtin", "llama2", "--input", input.path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "<s>[INST] Hi [/INST] Yo </s>");
  auto over = run_fulcrum({"template", model, "--builtin", "llama2", "--input", input.path(),
                           "--bos", "B", "--eos", "E"});
  EXPECT_EQ(over.exit_code, 0) << over.err;
  EXPECT_EQ(over.out, "B[INST] Hi [/INST] Yo E");
}

TEST(TemplateCli, ModelTemplateWithItsBosAndEos) {
  // kjv-tiny's metadata (BOS <s>, EOS </s>) plus, as tokenizer.chat_template, a golden template
  // whose cases use those tokens: the model's template and tokens give the golden text.
  auto src = gguf::GgufFile::open(fulcrum::testing::testdata_path("models/kjv-tiny-q8_0.gguf"));
  ASSERT_TRUE(src.ok()) << src.error().to_string();
  Json golden = Json::parse(fulcrum::testing::read_all(
      fulcrum::testing::testdata_path("chat/golden/google-gemma-2-2b-it.json")));
  gguf::GgufWriter w;
  w.copy_metadata(*src);
  w.set_string("tokenizer.chat_template",
               fulcrum::testing::read_all(fulcrum::testing::testdata_path(
                   "chat/templates/" + golden["template"].get<std::string>())));
  auto bytes = w.to_bytes();
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  TempFile model(*bytes, ".gguf");
  int checked = 0;
  for (const auto& c : golden["cases"]) {
    if (!c["ok"].get<bool>() || c["bos_token"] != "<s>" || c["eos_token"] != "</s>") continue;
    SCOPED_TRACE(c["case"].get<std::string>());
    TempFile input(c["input"].dump(), ".json");
    auto r = run_fulcrum({"template", model.path(), "--input", input.path()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, c["text"].get<std::string>());
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

TEST(TemplateCli, NowFixesTheClock) {
  TempFile tpl("{{ strftime_now('%Y-%m-%d %A') }}|{{ bos_token }}|{{ eos_token }}", ".jinja");
  auto r = run_fulcrum(
      {"template", "--template", tpl.path(), "--input", "-", "--now", "2024-02-29T08:30:00"},
      kConversation);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2024-02-29 Thursday||");  // no model: BOS/EOS are empty
}

TEST(TemplateCli, TemplateErrorsExitOneWithoutHanging) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{% for m in messages %}{{ m.content }", "TemplateSyntaxError"},
      {"{{ raise_exception('custom failure 42') }}", "custom failure 42"},
      {"{% for i in range(1000000000) %}x{% endfor %}", "OverflowError"},
      {"{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
       "TemplateError"},
      {"{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "RecursionError"},
      {"{% set s = 'x' * 4000 %}{% for i in range(100000) %}{{ s }}{% endfor %}", "TemplateError"},
      {"{{ messages[0].content.nope.deeper }}", "UndefinedError"},
  };
  for (const auto& [source, expect] : cases) {
    SCOPED_TRACE(source);
    TempFile tpl(source, ".jinja");
    auto r = run_fulcrum({"template", "--template", tpl.path(), "--input", "-"}, kConversation);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find(expect), std::string::npos) << r.err;
  }
}

TEST(TemplateCli, UsageAndInputErrors) {
  TempFile tpl("{{ messages | length }}", ".jinja");
  EXPECT_EQ(run_fulcrum({"template", "--template", tpl.path()}).exit_code, 2);       // no --input
  EXPECT_EQ(run_fulcrum({"template", "--input", "-"}, kConversation).exit_code, 2);  // no source
  EXPECT_EQ(
      run_fulcrum({"template", "--template", tpl.path(), "--input", "-", "--bogus"}, kConversation)
          .exit_code,
      2);
  auto not_json = run_fulcrum({"template", "--template", tpl.path(), "--input", "-"}, "{oops");
  EXPECT_EQ(not_json.exit_code, 1);
  EXPECT_NE(not_json.err.find("JSON"), std::string::npos) << not_json.err;
  auto bad_shape = run_fulcrum({"template", "--template", tpl.path(), "--input", "-"},
                               R"({"messages": "not a list"})");
  EXPECT_EQ(bad_shape.exit_code, 1);
  EXPECT_NE(bad_shape.err.find("messages"), std::string::npos) << bad_shape.err;
  auto ok = run_fulcrum({"template", "--template", tpl.path(), "--input", "-"}, kConversation);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "2");
}

}  // namespace
}  // namespace fulcrum::engine::chat
