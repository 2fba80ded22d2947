// OpenAI wire shapes <-> the internal types of chat.h. Inbound (server side): parse requests,
// write responses, stream chunks and errors. Outbound (openai_compat provider side): write
// requests, parse responses and stream chunks. Pure functions, no I/O.
//
// Parse errors: malformed JSON -> ErrorCode::kParse; a field of the wrong type or value ->
// kInvalidArgument with `.field()` set to the JSON path ("messages[2].content"). Both are 400.
#pragma once

#include <string>
#include <string_view>

#include "api/chat.h"
#include "core/error.h"
#include "core/result.h"

namespace fulcrum::api {

// --- inbound: the client speaks OpenAI to Fulcrum ---
Result<ChatRequest> parse_openai_chat_request(std::string_view body);
// /v1/completions: prompt (string or array of one string) becomes one user message;
// legacy_completion is set.
Result<ChatRequest> parse_openai_completion_request(std::string_view body);
Result<EmbeddingRequest> parse_openai_embedding_request(std::string_view body);

std::string openai_chat_response_json(const ChatResponse& response);
std::string openai_completion_response_json(const ChatResponse& response);  // text_completion
// One `chat.completion.chunk` object (the JSON after "data: ").
std::string openai_chunk_json(const ChatChunk& chunk);
std::string openai_completion_chunk_json(const ChatChunk& chunk);  // legacy text_completion
// encoding_format "base64": each vector as base64 of its little-endian float32 bytes (what the
// openai SDKs ask for by default); otherwise an array of numbers.
std::string openai_embedding_response_json(const EmbeddingResponse& response,
                                           std::string_view encoding_format = "float");
// {"error": {"message", "type", "param", "code"}}; type from the code's HTTP status
// ("invalid_request_error", "not_found_error", "rate_limit_error", "api_error", ...).
std::string openai_error_json(const Error& error);
// /v1/models: {"object":"list","data":[{"id","object":"model","created","owned_by"}]}
struct ModelEntry {
  std::string id;
  std::string owned_by;
  int64_t created = 0;
};
std::string openai_models_json(const std::vector<ModelEntry>& models);

// --- outbound: Fulcrum speaks OpenAI to an upstream ---
// `model` replaces request.model (the upstream model name); stream/include_usage as in request.
std::string openai_chat_request_json(const ChatRequest& request, std::string_view model);
std::string openai_embedding_request_json(const EmbeddingRequest& request, std::string_view model);
Result<ChatResponse> parse_openai_chat_response(std::string_view body);
// One SSE `data:` payload (not "[DONE]") -> chunk(s). A chunk with several choices yields one
// ChatChunk per choice.
Result<std::vector<ChatChunk>> parse_openai_chunk(std::string_view data);
Result<EmbeddingResponse> parse_openai_embedding_response(std::string_view body);
// An upstream's error body -> its message (or the raw text cut to 200 bytes).
std::string openai_error_message(std::string_view body);

}  // namespace fulcrum::api
