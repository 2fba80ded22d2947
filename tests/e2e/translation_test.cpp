// Wire translation through the real server, both ways, for every inbound API against every
// upstream dialect. One driver; the cases are files in tests/e2e/cases/translate/ (see its
// README.md): an inbound request, and per target (openai, anthropic, gemini) the request the
// stand-in upstream must receive and the reply (JSON, or a stream summary) the client must get.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_support.h"
#include "tests/e2e/sse_summary.h"

namespace fulcrum::e2e {
namespace {

struct Case {
  std::string file;
  json data;
};

// gtest prints parameters on failure: the file name says it all.
void PrintTo(const Case& c, std::ostream* os) {
  *os << std::filesystem::path(c.file).filename().string();
}

std::vector<Case> load_cases() {
  std::vector<Case> out;
  for (const auto& f : json_files(cases_dir("translate")))
    out.push_back({f, json::parse(read_text(f), nullptr, false)});
  return out;
}

std::string virtual_model(const std::string& provider, const std::string& model) {
  return provider + "." + model;
}

class TranslationTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    for (const char* kind : {"openai", "anthropic", "gemini"}) {
      auto s = start_standin(kind);
      ASSERT_NE(s, nullptr);
      standins_[kind] = std::move(s);
    }
    // One virtual model per (provider, upstream model) any case uses. All providers count as
    // on premises here: privacy routing has its own test, and must not interfere.
    std::string toml = "[server]\nport = 0\n\n";
    toml += provider_toml("openai", "openai_compat", standins_["openai"]->base_url(), true,
                          "max_retries = 0");
    toml += provider_toml("anthropic", "anthropic", standins_["anthropic"]->base_url(), true,
                          "max_retries = 0");
    toml +=
        provider_toml("gemini", "gemini", standins_["gemini"]->base_url(), true, "max_retries = 0");
    std::set<std::string> seen;
    for (const auto& c : load_cases()) {
      for (auto it = c.data["targets"].begin(); it != c.data["targets"].end(); ++it) {
        std::string name = virtual_model(it.key(), it.value()["model"].get<std::string>());
        if (seen.insert(name).second) {
          toml += model_toml(name, {{it.key(), it.value()["model"].get<std::string>()}});
        }
      }
    }
    server_ = new ServeProcess();
    std::string err;
    ASSERT_TRUE(server_->start(toml, &err)) << err;
  }
  static void TearDownTestSuite() {
    if (server_) {
      EXPECT_EQ(server_->stop(), 0) << server_->log();
    }
    delete server_;
    server_ = nullptr;
    standins_.clear();
  }

  static std::map<std::string, std::unique_ptr<standin::StandinServer>> standins_;
  static ServeProcess* server_;
};

std::map<std::string, std::unique_ptr<standin::StandinServer>> TranslationTest::standins_;
ServeProcess* TranslationTest::server_ = nullptr;

// Replaces every string "$MODEL" in `j` with `model`.
void set_model(json& j, const std::string& model) {
  if (j.is_string() && j.get<std::string>() == "$MODEL") j = model;
  if (j.is_structured()) {
    for (auto& v : j) set_model(v, model);
  }
}

void check_upstream(const json& want, const std::vector<standin::RecordedRequest>& got) {
  if (want.is_null()) {
    EXPECT_TRUE(got.empty()) << "the upstream must not be called; it got " << got.size();
    return;
  }
  ASSERT_EQ(got.size(), 1u) << "want exactly one upstream request";
  const auto& r = got[0];
  EXPECT_EQ(r.method, want.value("method", "POST"));
  if (want.contains("path")) {
    EXPECT_EQ(r.path, want["path"].get<std::string>());
  }
  if (want.contains("body")) {
    json body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(json_diff(want["body"], body), "") << "upstream body: " << r.body;
  }
  if (want.contains("headers")) {
    for (auto it = want["headers"].begin(); it != want["headers"].end(); ++it) {
      auto h = r.headers.find(it.key());
      ASSERT_NE(h, r.headers.end()) << "upstream header " << it.key() << " missing";
      EXPECT_EQ(h->second, it.value().get<std::string>()) << it.key();
    }
  }
  if (want.contains("absent_headers")) {
    for (const auto& name : want["absent_headers"]) {
      EXPECT_EQ(r.headers.count(name.get<std::string>()), 0u) << name;
    }
  }
}

void check_reply(const json& want, const std::string& path, const TestResponse& res) {
  std::string ct = res.header("content-type");
  if (want.contains("stream")) {
    ASSERT_EQ(ct, "text/event-stream") << res.body;
    EXPECT_TRUE(res.chunked);
    std::string problem;
    auto events = parse_sse(res.body);
    json summary = path == "/v1/messages" ? summarize_anthropic_stream(events, &problem)
                                          : summarize_openai_stream(events, &problem);
    EXPECT_EQ(problem, "") << res.body;
    EXPECT_EQ(json_diff(want["stream"], summary), "")
        << "summary: " << summary.dump() << "\nbody:\n"
        << res.body;
    return;
  }
  ASSERT_EQ(ct, "application/json") << res.body;
  json body = json::parse(res.body, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << res.body;
  EXPECT_EQ(json_diff(want["response"], body), "") << "reply: " << res.body;
}

TEST_P(TranslationTest, Case) {
  const json& c = GetParam().data;
  ASSERT_TRUE(c.is_object()) << GetParam().file << " is not JSON";
  ASSERT_TRUE(c.contains("reference") && c["reference"].is_string()) << "no reference";
  ASSERT_NE(server_, nullptr);
  const json& req = c["request"];
  std::string path = req["path"];
  for (auto it = c["targets"].begin(); it != c["targets"].end(); ++it) {
    const std::string& provider = it.key();
    const json& want = it.value();
    SCOPED_TRACE("target " + provider);
    std::string model = virtual_model(provider, want["model"]);
    auto& standin = *standins_.at(provider);
    standin.reset();
    json body = req.value("body", json());
    set_model(body, model);
    Headers headers;
    if (req.contains("headers")) {
      for (auto h = req["headers"].begin(); h != req["headers"].end(); ++h)
        headers.emplace_back(h.key(), h.value().get<std::string>());
    }
    std::string method = req.value("method", "POST");
    if (!body.is_null()) headers.emplace_back("content-type", "application/json");
    auto res = fulcrum::testing::http_call(server_->port(), method, path,
                                           body.is_null() ? "" : body.dump(), headers);
    ASSERT_EQ(res.status, want.value("status", 200)) << res.body;
    std::string route = res.header("x-fulcrum-route");
    EXPECT_FALSE(route.empty()) << "every response carries x-fulcrum-route";
    EXPECT_FALSE(res.header("x-request-id").empty());
    if (res.status == 200 && want.contains("upstream") && !want["upstream"].is_null()) {
      EXPECT_NE(route.find("target=" + provider + "/" + want["model"].get<std::string>()),
                std::string::npos)
          << route;
    }
    check_reply(want, path, res);
    check_upstream(want.value("upstream", json()), standin.requests());
  }
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string stem = std::filesystem::path(info.param.file).stem().string();
  for (char& ch : stem)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return stem;
}

INSTANTIATE_TEST_SUITE_P(Cases, TranslationTest, ::testing::ValuesIn(load_cases()), case_name);

}  // namespace
}  // namespace fulcrum::e2e
