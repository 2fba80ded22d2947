// Anthropic Messages API wire shapes <-> the internal types of chat.h. Pure functions, no I/O.
// Inbound: /v1/messages and /v1/messages/count_tokens requests, responses, the streaming event
// sequence (AnthropicStreamEncoder) and errors. Outbound (anthropic provider): requests,
// responses, and the event stream decoder (AnthropicStreamDecoder).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/chat.h"
#include "core/error.h"
#include "core/result.h"

namespace simdjson::dom {
class object;
}

namespace fulcrum::api {

// --- inbound ---
// max_tokens is required by Anthropic's reference and so here; dialect = kAnthropic.
Result<ChatRequest> parse_anthropic_messages_request(std::string_view body);
// count_tokens takes the same body without max_tokens.
Result<ChatRequest> parse_anthropic_count_tokens_request(std::string_view body);
std::string anthropic_response_json(const ChatResponse& response);
// {"type":"error","error":{"type":"invalid_request_error"|...,"message"}}
std::string anthropic_error_json(const Error& error);

// Turns ChatChunks into Anthropic's SSE events: message_start, content_block_start,
// content_block_delta (text_delta / input_json_delta), content_block_stop, message_delta,
// message_stop. Each call appends complete "event: X\ndata: {...}\n\n" frames to `out`.
class AnthropicStreamEncoder {
 public:
  explicit AnthropicStreamEncoder(std::string model) : model_(std::move(model)) {}
  void on_chunk(const ChatChunk& chunk, std::string* out);
  // Closes open blocks and writes message_delta (stop reason, usage) + message_stop. Idempotent.
  void finish(std::string* out);
  // An error event ("event: error") for a stream that fails after it started.
  static void error_event(const Error& error, std::string* out);

 private:
  void start(const ChatChunk& chunk, std::string* out);
  void open_block(const char* kind, std::string* out, const ToolCallDelta* call);
  void close_block(std::string* out);

  std::string model_;
  std::string id_;
  bool started_ = false;
  bool finished_ = false;
  int block_index_ = -1;  // index of the open block, -1 when none
  int open_kind_ = 0;     // 0 none, 1 text, 2 tool_use
  int open_tool_ = -1;    // ToolCallDelta::index of the open tool_use block
  FinishReason finish_ = FinishReason::kNone;
  std::string stop_sequence_;
  Usage usage_;
};

// --- outbound ---
std::string anthropic_request_json(const ChatRequest& request, std::string_view model);
Result<ChatResponse> parse_anthropic_response(std::string_view body);

// Feeds Anthropic SSE events (event name + data JSON) and yields ChatChunks.
class AnthropicStreamDecoder {
 public:
  // Returns the chunks this event produced (often none). An "error" event returns an Error
  // (kUpstream, or kUnavailable for overloaded_error).
  Result<std::vector<ChatChunk>> on_event(std::string_view event, std::string_view data);
  bool done() const { return done_; }

 private:
  Status on_content_block_start(simdjson::dom::object event, std::vector<ChatChunk>* out);
  Status on_content_block_delta(simdjson::dom::object event, std::vector<ChatChunk>* out);
  ChatChunk chunk() const;

  std::string id_;
  std::string model_;
  Usage usage_;
  int next_tool_index_ = 0;
  std::vector<int> block_tool_index_;  // per content block index: tool index or -1
  bool done_ = false;
};

}  // namespace fulcrum::api
