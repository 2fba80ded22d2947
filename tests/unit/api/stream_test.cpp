#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/anthropic_json.h"
#include "api/openai_json.h"

namespace fulcrum::api {
namespace {

using Json = nlohmann::json;

struct Event {
  std::string name;
  Json data;
};

std::vector<Event> split_events(const std::string& sse) {
  std::vector<Event> out;
  size_t pos = 0;
  while (pos < sse.size()) {
    size_t end = sse.find("\n\n", pos);
    std::string frame = sse.substr(pos, end - pos);
    pos = end + 2;
    size_t nl = frame.find('\n');
    EXPECT_EQ(frame.rfind("event: ", 0), 0u);
    EXPECT_EQ(frame.substr(nl + 1, 6), "data: ");
    out.push_back({frame.substr(7, nl - 7), Json::parse(frame.substr(nl + 7))});
  }
  return out;
}

TEST(AnthropicStreamEncoder, TextThenToolUseFollowsTheReferenceEventOrder) {
  AnthropicStreamEncoder enc("claude-x");
  std::string out;
  ChatChunk a;
  a.id = "abc";
  a.role = Role::kAssistant;
  a.text = "Hel";
  enc.on_chunk(a, &out);
  ChatChunk b;
  b.text = "lo";
  enc.on_chunk(b, &out);
  ChatChunk t1;
  t1.tool_calls.push_back({0, "call_1", "add", "{\"a\":"});
  enc.on_chunk(t1, &out);
  ChatChunk t2;
  t2.tool_calls.push_back({0, "", "", "1}"});
  t2.finish_reason = FinishReason::kToolCalls;
  t2.usage = Usage{10, 4, 0};
  enc.on_chunk(t2, &out);
  enc.finish(&out);
  enc.finish(&out);  // idempotent
  auto ev = split_events(out);
  std::vector<std::string> names;
  for (auto& e : ev) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "message_start", "content_block_start", "content_block_delta",
                       "content_block_delta", "content_block_stop", "content_block_start",
                       "content_block_delta", "content_block_delta", "content_block_stop",
                       "message_delta", "message_stop"}));
  EXPECT_EQ(ev[0].data["message"]["id"], "msg_abc");
  EXPECT_EQ(ev[1].data["content_block"]["type"], "text");
  EXPECT_EQ(ev[2].data["delta"]["text"], "Hel");
  EXPECT_EQ(ev[5].data["index"], 1);
  EXPECT_EQ(ev[5].data["content_block"]["type"], "tool_use");
  EXPECT_EQ(ev[5].data["content_block"]["name"], "add");
  EXPECT_EQ(ev[6].data["delta"]["type"], "input_json_delta");
  EXPECT_EQ(ev[6].data["delta"]["partial_json"].get<std::string>() +
                ev[7].data["delta"]["partial_json"].get<std::string>(),
            "{\"a\":1}");
  EXPECT_EQ(ev[9].data["delta"]["stop_reason"], "tool_use");
  EXPECT_EQ(ev[9].data["usage"]["output_tokens"], 4);
}

TEST(AnthropicStreamDecoder, RoundTripsTheEncoderOutput) {
  AnthropicStreamEncoder enc("claude-x");
  std::string out;
  ChatChunk a;
  a.text = "Hi";
  enc.on_chunk(a, &out);
  ChatChunk t;
  t.tool_calls.push_back({0, "toolu_9", "f", "{}"});
  t.finish_reason = FinishReason::kToolCalls;
  t.usage = Usage{3, 2, 0};
  enc.on_chunk(t, &out);
  enc.finish(&out);
  AnthropicStreamDecoder dec;
  std::string text, args, name;
  std::optional<FinishReason> fin;
  std::optional<Usage> usage;
  for (auto& e : split_events(out)) {
    auto chunks = dec.on_event(e.name, e.data.dump());
    ASSERT_TRUE(chunks.ok());
    for (auto& c : *chunks) {
      text += c.text;
      for (auto& d : c.tool_calls) args += d.arguments, name += d.name;
      if (c.finish_reason) fin = c.finish_reason;
      if (c.usage) usage = c.usage;
    }
  }
  EXPECT_TRUE(dec.done());
  EXPECT_EQ(text, "Hi");
  EXPECT_EQ(name, "f");
  EXPECT_EQ(args, "{}");
  EXPECT_EQ(fin, FinishReason::kToolCalls);
  ASSERT_TRUE(usage);
  EXPECT_EQ(usage->completion_tokens, 2);
  auto err = dec.on_event(
      "error", R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})");
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error().code(), ErrorCode::kUnavailable);
}

TEST(OpenAiChunks, ParseAndWriteAgree) {
  ChatChunk c;
  c.id = "chatcmpl-1";
  c.model = "m";
  c.created = 5;
  c.role = Role::kAssistant;
  c.text = "hé";
  c.tool_calls.push_back({1, "call_2", "g", "{\"x\""});
  auto back = parse_openai_chunk(openai_chunk_json(c));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 1u);
  const ChatChunk& b = (*back)[0];
  EXPECT_EQ(b.text, "hé");
  ASSERT_EQ(b.tool_calls.size(), 1u);
  EXPECT_EQ(b.tool_calls[0].index, 1);
  EXPECT_EQ(b.tool_calls[0].name, "g");
  EXPECT_EQ(b.tool_calls[0].arguments, "{\"x\"");
  ChatChunk u;
  u.usage = Usage{7, 3, 2};
  Json uj = Json::parse(openai_chunk_json(u));
  EXPECT_TRUE(uj["choices"].empty());
  EXPECT_EQ(uj["usage"]["total_tokens"], 10);
  EXPECT_EQ(uj["usage"]["prompt_tokens_details"]["cached_tokens"], 2);
  EXPECT_FALSE(parse_openai_chunk("{\"error\":{\"message\":\"boom\"}}").ok());
  EXPECT_FALSE(parse_openai_chunk("not json").ok());
}

TEST(Responses, OpenAiAndAnthropicShapes) {
  ChatResponse r;
  r.id = "x1";
  r.model = "m";
  r.created = 1;
  Choice c;
  c.message.role = Role::kAssistant;
  c.message.content.push_back(ContentPart{.text = "done"});
  c.message.tool_calls.push_back({"call_1", "f", "{\"k\":1}"});
  c.finish_reason = FinishReason::kToolCalls;
  r.choices.push_back(c);
  r.usage = Usage{12, 5, 0};
  Json o = Json::parse(openai_chat_response_json(r));
  EXPECT_EQ(o["object"], "chat.completion");
  EXPECT_EQ(o["choices"][0]["message"]["content"], "done");
  EXPECT_EQ(o["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"], "{\"k\":1}");
  EXPECT_EQ(o["choices"][0]["finish_reason"], "tool_calls");
  EXPECT_EQ(o["usage"]["total_tokens"], 17);
  Json a = Json::parse(anthropic_response_json(r));
  EXPECT_EQ(a["type"], "message");
  EXPECT_EQ(a["content"][0]["text"], "done");
  EXPECT_EQ(a["content"][1]["type"], "tool_use");
  EXPECT_EQ(a["content"][1]["input"]["k"], 1);
  EXPECT_EQ(a["stop_reason"], "tool_use");
  EXPECT_EQ(a["usage"]["input_tokens"], 12);
  auto back = parse_anthropic_response(a.dump());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->choices[0].message.tool_calls[0].arguments, "{\"k\":1}");
  auto oback = parse_openai_chat_response(o.dump());
  ASSERT_TRUE(oback.ok());
  EXPECT_EQ(oback->choices[0].finish_reason, FinishReason::kToolCalls);
  EXPECT_EQ(oback->usage->completion_tokens, 5);
}

TEST(Errors, StatusAndShapes) {
  Error e = Error(ErrorCode::kRateLimited, "slow down");
  Json o = Json::parse(openai_error_json(e));
  EXPECT_EQ(o["error"]["type"], "rate_limit_error");
  EXPECT_EQ(o["error"]["message"], "slow down");
  Json a = Json::parse(anthropic_error_json(Error(ErrorCode::kNotFound, "no model")));
  EXPECT_EQ(a["type"], "error");
  EXPECT_EQ(a["error"]["type"], "not_found_error");
}

}  // namespace
}  // namespace fulcrum::api
