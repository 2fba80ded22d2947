// Gemini translation both ways (the fixtures cover the wire; this pins the mapping rules).
#include "providers/gemini_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace fulcrum::providers {
namespace {

using nlohmann::json;

api::Message msg(api::Role role, std::string text) {
  api::Message m;
  m.role = role;
  if (!text.empty()) m.content.push_back(api::ContentPart{.text = std::move(text)});
  return m;
}

TEST(GeminiJson, RequestMapsRolesSystemToolsAndResults) {
  api::ChatRequest r;
  r.system.push_back(api::ContentPart{.text = "Be brief."});
  r.messages.push_back(msg(api::Role::kUser, "Weather in Paris?"));
  api::Message call = msg(api::Role::kAssistant, "");
  call.tool_calls.push_back(api::ToolCall{"call_1", "get_weather", R"({"location":"Paris"})"});
  r.messages.push_back(call);
  api::Message result = msg(api::Role::kTool, R"({"temp_c":21})");
  result.tool_call_id = "call_1";
  r.messages.push_back(result);
  r.messages.push_back(msg(api::Role::kUser, "And in plain text?"));
  r.tools.push_back(api::Tool{"get_weather", "Weather", R"({"type":"object"})", false});
  r.tool_choice = api::ToolChoice{api::ToolChoice::Mode::kTool, "get_weather", std::nullopt};
  r.max_tokens = 50;
  r.temperature = 0.5;
  r.stop = {"END"};

  json j = json::parse(gemini_request_json(r));
  EXPECT_EQ(j["systemInstruction"]["parts"][0]["text"], "Be brief.");
  // The tool result and the next user message share the role "user": Gemini wants turns to
  // alternate, so they are merged into one turn with two parts.
  ASSERT_EQ(j["contents"].size(), 3u);
  EXPECT_EQ(j["contents"][0]["role"], "user");
  EXPECT_EQ(j["contents"][1]["role"], "model");
  EXPECT_EQ(j["contents"][1]["parts"][0]["functionCall"]["name"], "get_weather");
  EXPECT_EQ(j["contents"][1]["parts"][0]["functionCall"]["args"]["location"], "Paris");
  EXPECT_EQ(j["contents"][2]["role"], "user");
  EXPECT_EQ(j["contents"][2]["parts"][0]["functionResponse"]["name"], "get_weather");
  EXPECT_EQ(j["contents"][2]["parts"][0]["functionResponse"]["response"]["temp_c"], 21);
  ASSERT_EQ(j["contents"][2]["parts"].size(), 2u);
  EXPECT_EQ(j["contents"][2]["parts"][1]["text"], "And in plain text?");
  EXPECT_EQ(j["tools"][0]["functionDeclarations"][0]["name"], "get_weather");
  EXPECT_EQ(j["toolConfig"]["functionCallingConfig"]["mode"], "ANY");
  EXPECT_EQ(j["toolConfig"]["functionCallingConfig"]["allowedFunctionNames"][0], "get_weather");
  EXPECT_EQ(j["generationConfig"]["maxOutputTokens"], 50);
  EXPECT_EQ(j["generationConfig"]["temperature"], 0.5);
  EXPECT_EQ(j["generationConfig"]["stopSequences"][0], "END");
}

TEST(GeminiJson, NonObjectToolResultIsWrapped) {
  api::ChatRequest r;
  api::Message result = msg(api::Role::kTool, "plain words");
  result.tool_call_id = "unknown_call";
  r.messages.push_back(result);
  json j = json::parse(gemini_request_json(r));
  auto fr = j["contents"][0]["parts"][0]["functionResponse"];
  EXPECT_EQ(fr["name"], "unknown_call");
  EXPECT_EQ(fr["response"]["content"], "plain words");
}

TEST(GeminiJson, ResponseFinishReasonsAndErrors) {
  auto r = parse_gemini_response(
      R"({"candidates":[{"content":{"parts":[{"text":"cut"}]},"finishReason":"MAX_TOKENS"}]})",
      "g");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->choices[0].finish_reason, api::FinishReason::kLength);
  EXPECT_EQ(r->model, "g");
  auto s = parse_gemini_response(R"({"candidates":[{"finishReason":"SAFETY"}]})", "g");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->choices[0].finish_reason, api::FinishReason::kContentFilter);
  for (const char* bad : {"", "[]", "{}", R"({"candidates":"x"})",
                          R"({"candidates":[{"content":{"parts":[{"text":5}]}}]})",
                          R"({"candidates":[{"content":{"parts":[{"functionCall":{}}]}}]})"}) {
    EXPECT_FALSE(parse_gemini_response(bad, "g").ok()) << bad;
  }
  auto e = parse_gemini_response(R"({"error":{"code":400,"message":"API key not valid"}})", "g");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message(), "API key not valid");
}

TEST(GeminiJson, StreamDecoderEndsOnFinishReason) {
  GeminiStreamDecoder d("g");
  auto a = d.on_data(R"({"candidates":[{"content":{"parts":[{"text":"Hi"}]}}]})");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0].role, api::Role::kAssistant);
  EXPECT_FALSE(d.done());
  auto b = d.on_data(
      R"({"candidates":[{"content":{"parts":[{"text":"!"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2}})");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE((*b)[0].role.has_value());
  EXPECT_EQ((*b)[0].finish_reason, api::FinishReason::kStop);
  ASSERT_TRUE((*b)[0].usage);
  EXPECT_EQ((*b)[0].usage->prompt_tokens, 3);
  EXPECT_TRUE(d.done());
  EXPECT_FALSE(d.on_data(R"({"candidates":[]})").ok());  // data after the end
  EXPECT_FALSE(GeminiStreamDecoder("g").on_data("not json").ok());
}

}  // namespace
}  // namespace fulcrum::providers
