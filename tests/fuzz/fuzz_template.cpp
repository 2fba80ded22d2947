// libFuzzer target for the chat-template engine (Jinja lexer, parser, interpreter, filters).
// Input: a template, optionally followed by a NUL byte and a JSON chat input ({"messages": ...,
// "add_generation_prompt": ..., "tools": ...}); without one (or when it is not valid JSON) the
// template renders over one of a few fixed conversations. Any input must parse or fail with an
// error, and render or fail with an error, within the render limits: never crash, hang, overflow
// the stack or grow the output past its bound. Errors are fine.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/chat/chat_template.h"

namespace {

using fulcrum::engine::chat::ChatInput;
using fulcrum::engine::chat::ChatTemplate;
using fulcrum::engine::chat::RenderLimits;
using Json = nlohmann::ordered_json;

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "fuzz_template: check failed: %s (%s:%d)\n", #cond, __FILE__, \
                   __LINE__);                                                            \
      __builtin_trap();                                                                  \
    }                                                                                    \
  } while (0)

// Conversations used when the input carries none: plain turns, a system prompt, tool calls with
// dict and string arguments, non-string content, unicode.
constexpr const char* kConversations[] = {
    R"({"messages": [{"role": "user", "content": "Hello!"}], "add_generation_prompt": true})",
    R"({"messages": [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "4"}, {"role": "user", "content": "Grüße 東京 🚀\n\t"}],
        "add_generation_prompt": false})",
    R"({"messages": [{"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "id": "c1",
          "function": {"name": "get_weather", "arguments": {"city": "Paris", "n": [1, 2.5]}}}]},
        {"role": "tool", "name": "get_weather", "content": "{\"t\": 21}"}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "d",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
          "required": ["city"]}}}], "add_generation_prompt": true})",
    R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "part"}]},
        {"role": "assistant", "content": "x", "tool_calls": [{"function": {"name": "f",
          "arguments": "{\"a\": 1}"}}]}], "add_generation_prompt": true})",
};

// Small bounds: the limits themselves are what is under test, and small ones keep each run fast.
RenderLimits fuzz_limits() {
  RenderLimits l;
  l.max_output_bytes = 64 << 10;
  l.max_steps = 20'000;
  l.max_objects = 20'000;
  l.max_items = 20'000;
  return l;
}

ChatInput make_input(std::string_view json_text, size_t pick) {
  ChatInput in;
  Json j = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  auto parsed = j.is_discarded() ? fulcrum::Result<ChatInput>(fulcrum::Error(
                                       fulcrum::ErrorCode::kInvalidArgument, "not JSON"))
                                 : fulcrum::engine::chat::chat_input_from_json(j);
  if (parsed.ok()) {
    in = std::move(parsed).value();
  } else {
    constexpr size_t n = sizeof kConversations / sizeof kConversations[0];
    auto fixed = fulcrum::engine::chat::chat_input_from_json(Json::parse(kConversations[pick % n]));
    FUZZ_CHECK(fixed.ok());
    in = std::move(fixed).value();
  }
  in.bos_token = "<s>";
  in.eos_token = "</s>";
  in.now = "2026-07-26T12:00:00";
  return in;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t nul = bytes.find('\0');
  std::string_view source = bytes.substr(0, nul);
  std::string_view json_text = nul == std::string_view::npos ? "" : bytes.substr(nul + 1);

  auto tpl = ChatTemplate::parse(source);
  if (!tpl.ok()) {
    FUZZ_CHECK(!tpl.error().message().empty());
    return 0;
  }
  const ChatInput input = make_input(json_text, size);
  const RenderLimits limits = fuzz_limits();
  auto text = tpl->render(input, limits);
  if (!text.ok()) {
    FUZZ_CHECK(!text.error().message().empty());
    return 0;
  }
  FUZZ_CHECK(text->size() <= limits.max_output_bytes);
  return 0;
}
