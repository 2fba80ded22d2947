// Gemini API (generateContent / streamGenerateContent / batchEmbedContents) wire shapes <->
// the internal types of api/chat.h. Pure functions, no I/O.
// Reference: https://ai.google.dev/api/generate-content and https://ai.google.dev/api/embeddings
//
// Mapping notes: system text and later system/developer messages -> systemInstruction;
// assistant -> role "model"; tool calls -> functionCall parts (arguments parsed to an object);
// tool results -> functionResponse parts in a "user" turn, named after the call they answer
// (found by tool_call_id among earlier tool calls), the result JSON object as `response` or
// {"content": text} when it is not an object. Gemini calls carry no ids: replies get
// "call_<n>" ids in order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/chat.h"
#include "core/result.h"

namespace fulcrum::providers {

std::string gemini_request_json(const api::ChatRequest& request);
Result<api::ChatResponse> parse_gemini_response(std::string_view body, std::string_view model);
std::string gemini_embed_request_json(const api::EmbeddingRequest& request, std::string_view model);
Result<api::EmbeddingResponse> parse_gemini_embed_response(std::string_view body,
                                                           std::string_view model);
// {"error":{"code","message","status"}} -> message (raw text cut to 200 bytes otherwise).
std::string gemini_error_message(std::string_view body);

// One streamGenerateContent?alt=sse data payload at a time.
class GeminiStreamDecoder {
 public:
  explicit GeminiStreamDecoder(std::string model) : model_(std::move(model)) {}
  Result<std::vector<api::ChatChunk>> on_data(std::string_view data);
  bool done() const { return done_; }

 private:
  std::string model_;
  std::string id_;
  int next_tool_ = 0;
  bool started_ = false;
  bool done_ = false;
};

}  // namespace fulcrum::providers
