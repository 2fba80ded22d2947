// Data-driven wire tests: every file under cases/invalid is a request that must be refused with
// the given error code and field; every file under cases/translate is a request that must parse
// and re-serialise to the given OpenAI and Anthropic upstream shapes. Adding a case = adding a
// file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "api/anthropic_json.h"
#include "api/openai_json.h"

namespace fulcrum::api {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

std::string cases_dir() {
  return std::string(FULCRUM_SOURCE_DIR) + "/tests/unit/api/cases";
}

Json load(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return Json::parse(ss.str());
}

std::string body_of(const Json& c) {
  if (c.contains("raw")) return c["raw"].get<std::string>();
  if (c.contains("raw_hex")) {
    std::string hex = c["raw_hex"], out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
      out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
  }
  return c["body"].dump();
}

// Parses with the endpoint's parser; returns the error (if any) and the request.
Result<ChatRequest> parse_chat(const std::string& endpoint, const std::string& body) {
  if (endpoint == "openai_chat") return parse_openai_chat_request(body);
  if (endpoint == "openai_completion") return parse_openai_completion_request(body);
  if (endpoint == "anthropic_messages") return parse_anthropic_messages_request(body);
  return Error(ErrorCode::kInternal, "unknown endpoint in test case: " + endpoint);
}

std::vector<fs::path> files(const std::string& sub) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(cases_dir() + "/" + sub))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(WireCases, InvalidRequestsAreRefusedNamingTheField) {
  auto all = files("invalid");
  ASSERT_GE(all.size(), 25u);
  for (const auto& p : all) {
    SCOPED_TRACE(p.filename().string());
    Json c = load(p);
    std::string endpoint = c["endpoint"];
    std::string body = body_of(c);
    std::optional<Error> err;
    if (endpoint == "openai_embedding") {
      auto r = parse_openai_embedding_request(body);
      if (!r.ok()) err = r.error();
    } else {
      auto r = parse_chat(endpoint, body);
      if (!r.ok()) err = r.error();
    }
    ASSERT_TRUE(err.has_value()) << "request was accepted";
    EXPECT_EQ(error_code_name(err->code()), c["code"].get<std::string>()) << err->to_string();
    EXPECT_EQ(err->field(), c["field"].get<std::string>()) << err->to_string();
    EXPECT_EQ(err->http_status(), 400);
    // The error body a client gets is OpenAI-shaped and names the field.
    Json e = Json::parse(openai_error_json(*err));
    EXPECT_EQ(e["error"]["type"], "invalid_request_error");
    if (!err->field().empty()) {
      EXPECT_EQ(e["error"]["param"], err->field());
    }
  }
}

TEST(WireCases, TranslationsBothWays) {
  auto all = files("translate");
  ASSERT_GE(all.size(), 3u);
  for (const auto& p : all) {
    SCOPED_TRACE(p.filename().string());
    Json c = load(p);
    auto req = parse_chat(c["endpoint"], c["body"].dump());
    ASSERT_TRUE(req.ok()) << req.error().to_string();
    if (c.contains("openai_out")) {
      EXPECT_EQ(Json::parse(openai_chat_request_json(*req, "gpt-x")), c["openai_out"]);
    }
    if (c.contains("anthropic_out")) {
      EXPECT_EQ(Json::parse(anthropic_request_json(*req, "claude-x")), c["anthropic_out"]);
    }
    // What the router scans covers every text the request would send.
    std::string all_text;
    for (auto t : req->texts()) all_text.append(t).push_back('\n');
    for (const auto& m : c["body"]["messages"]) {
      if (m["content"].is_string()) {
        EXPECT_NE(all_text.find(m["content"].get<std::string>()), std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace fulcrum::api
