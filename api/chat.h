// The one internal chat request/response shape. OpenAI's /v1/chat/completions and Anthropic's
// /v1/messages both parse into ChatRequest (see openai_json.h, anthropic_json.h); providers
// translate from it to their upstream's wire shape, and replies come back as ChatResponse (whole)
// or ChatChunk (stream deltas), which the server writes in the client's wire shape.
//
// Normalisation rules (so a provider needs to handle one shape only):
//  - System prompt: Anthropic's `system` and OpenAI's *leading* system/developer messages land in
//    `ChatRequest::system` (text parts, in order). System/developer messages later in an OpenAI
//    conversation stay in `messages` with Role::kSystem / kDeveloper.
//  - Tool results: OpenAI `role: "tool"` messages and Anthropic `tool_result` blocks both become a
//    Message with Role::kTool, `tool_call_id` set and the result in `content` (text parts).
//    An Anthropic user turn holding several tool_result blocks becomes several kTool messages.
//  - Tool calls: OpenAI assistant `tool_calls` and Anthropic `tool_use` blocks both become
//    Message::tool_calls; `arguments` is always the JSON text of the arguments object.
//  - JSON-valued fields that Fulcrum only passes through (tool parameter schemas, response
//    schemas) are kept as compact JSON text, not parsed into a DOM.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fulcrum::api {

// Which inbound wire shape a request came in (and so which shape the reply goes out in).
enum class Dialect { kOpenAi, kAnthropic };

enum class Role { kSystem, kDeveloper, kUser, kAssistant, kTool };

struct ContentPart {
  enum class Kind { kText, kImage, kAudio, kFile };
  Kind kind = Kind::kText;
  std::string text;        // kText
  std::string url;         // kImage: http(s) URL or data: URL; kFile: file id
  std::string media_type;  // kImage/kAudio/kFile with inline data: "image/png", "wav", ...
  std::string data;        // base64 payload for inline image/audio/file
  std::string detail;      // OpenAI image detail ("auto", "low", "high"), empty if absent
};

struct ToolCall {
  std::string id;         // "call_..." (OpenAI) / "toolu_..." (Anthropic)
  std::string name;       // function name
  std::string arguments;  // JSON text of the arguments object ("{}" when empty)
};

struct Message {
  Role role = Role::kUser;
  std::vector<ContentPart> content;  // may be empty (assistant turn with only tool calls)
  std::string name;                  // optional participant name (OpenAI)
  std::vector<ToolCall> tool_calls;  // kAssistant only
  std::string tool_call_id;          // kTool only: the call this result answers
  bool is_error = false;             // kTool only: Anthropic tool_result.is_error
  std::string refusal;               // kAssistant (OpenAI) refusal text, rarely set

  // All text parts joined with "\n" (tool results and plain messages are mostly one part).
  std::string text() const;
};

struct Tool {
  std::string name;
  std::string description;
  std::string parameters;  // JSON Schema as compact JSON text ("{}" when absent)
  bool strict = false;
};

struct ToolChoice {
  enum class Mode { kAuto, kNone, kRequired, kTool };
  Mode mode = Mode::kAuto;
  std::string name;                         // kTool: the forced tool
  std::optional<bool> parallel_tool_calls;  // OpenAI parallel_tool_calls /
                                            // !Anthropic disable_parallel_tool_use
};

struct ResponseFormat {
  enum class Type { kText, kJsonObject, kJsonSchema };
  Type type = Type::kText;
  std::string name;    // kJsonSchema
  std::string schema;  // kJsonSchema: compact JSON text
  bool strict = false;
};

struct ChatRequest {
  Dialect dialect = Dialect::kOpenAi;
  std::string model;  // as the client sent it (a virtual model or a provider model)
  std::vector<ContentPart> system;
  std::vector<Message> messages;
  std::vector<Tool> tools;
  std::optional<ToolChoice> tool_choice;
  std::optional<ResponseFormat> response_format;

  // Sampling. Absent means "the upstream's default".
  std::optional<int64_t> max_tokens;  // max_tokens / max_completion_tokens (OpenAI), max_tokens
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> top_k;  // Anthropic (and local engines)
  std::optional<double> presence_penalty;
  std::optional<double> frequency_penalty;
  std::optional<int64_t> seed;
  std::vector<std::string> stop;  // stop / stop_sequences
  int n = 1;                      // choices requested (OpenAI); Anthropic is always 1

  bool stream = false;
  bool include_usage = false;  // OpenAI stream_options.include_usage (Anthropic: always)

  std::string user;                             // OpenAI user / Anthropic metadata.user_id
  std::map<std::string, std::string> metadata;  // OpenAI metadata (string values)

  // True when the request came in on the legacy /v1/completions endpoint: messages holds one
  // user message with the raw prompt, and the reply goes out as a text_completion.
  bool legacy_completion = false;

  // Every piece of user-controlled text in the request (system, message text, tool results,
  // tool call arguments), for classifiers that scan it. Order: system, then messages.
  std::vector<std::string_view> texts() const;
};

enum class FinishReason { kNone, kStop, kLength, kToolCalls, kContentFilter, kError };

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;  // prompt tokens served from a cache (billed at the cached price)
  int64_t total() const { return prompt_tokens + completion_tokens; }
};

struct Choice {
  int index = 0;
  Message message;  // role kAssistant
  FinishReason finish_reason = FinishReason::kStop;
  std::string stop_sequence;  // the stop sequence that matched, if known (Anthropic)
};

struct ChatResponse {
  std::string id;       // upstream id, or one Fulcrum made up
  std::string model;    // the model that answered (upstream model name)
  int64_t created = 0;  // unix seconds
  std::vector<Choice> choices;
  std::optional<Usage> usage;
};

// One streaming delta for one choice. A stream is: chunks with deltas, then one with
// finish_reason set, then (optionally) one with only usage.
struct ToolCallDelta {
  int index = 0;          // position of the call in the message's tool_calls
  std::string id;         // set on the first delta of a call
  std::string name;       // set on the first delta of a call
  std::string arguments;  // a fragment of the arguments JSON text
};

struct ChatChunk {
  std::string id;
  std::string model;
  int64_t created = 0;
  int index = 0;             // choice index
  std::optional<Role> role;  // set on the first delta
  std::string text;          // content fragment (may be empty)
  std::vector<ToolCallDelta> tool_calls;
  std::optional<FinishReason> finish_reason;
  std::string stop_sequence;
  std::optional<Usage> usage;  // set on the final usage chunk (or with finish_reason)
};

struct EmbeddingRequest {
  std::string model;
  std::vector<std::string> input;         // strings (token-id input is rejected as unsupported)
  std::string encoding_format = "float";  // "float" | "base64"
  std::optional<int64_t> dimensions;
  std::string user;
};

struct EmbeddingResponse {
  std::string model;
  std::vector<std::vector<float>> data;  // one vector per input, in order
  Usage usage;
};

// Names as they appear on the wire.
std::string_view role_name(Role role);                   // "system", "developer", ...
std::string_view openai_finish_reason(FinishReason r);   // "stop", "length", "tool_calls", ...
std::string_view anthropic_stop_reason(FinishReason r);  // "end_turn", "max_tokens", ...

}  // namespace fulcrum::api
