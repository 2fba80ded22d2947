// WireAdapter: one upstream API dialect — how to turn internal requests into HTTP requests and
// upstream replies (whole or streamed) back into internal types. One implementation per file:
// openai_compat.cpp, anthropic.cpp, gemini.cpp. Adapters are stateless and pure; the retry,
// breaker, balancing and I/O logic around them is shared (upstream_provider.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/chat.h"
#include "core/result.h"
#include "providers/http_client.h"
#include "providers/provider_config.h"
#include "providers/sse_parser.h"

namespace fulcrum::providers {

// Turns one upstream's SSE events into ChatChunks. One per streaming attempt.
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // Appends the chunks this event yields. Malformed or error events return an Error.
  virtual Status on_event(const SseEvent& event, std::vector<api::ChatChunk>* out) = 0;
  // True once the upstream's end-of-stream marker was seen; a body that ends earlier was cut.
  virtual bool done() const = 0;
  // Called at the end of the body when done() is false and the dialect has no explicit end
  // marker; may flush and return true. Default: no.
  virtual bool finish_at_eof(std::vector<api::ChatChunk>* out) { return false; }
};

class WireAdapter {
 public:
  virtual ~WireAdapter() = default;
  virtual std::string_view kind() const = 0;

  virtual Result<HttpRequest> chat_request(const api::ChatRequest& request, std::string_view model,
                                           const ReplicaConfig& replica) const = 0;
  virtual Result<api::ChatResponse> parse_chat_response(std::string_view body,
                                                        std::string_view model) const = 0;
  virtual std::unique_ptr<StreamDecoder> stream_decoder(std::string_view model) const = 0;

  // kUnimplemented when the upstream API has no embeddings.
  virtual Result<HttpRequest> embed_request(const api::EmbeddingRequest& request,
                                            std::string_view model,
                                            const ReplicaConfig& replica) const = 0;
  virtual Result<api::EmbeddingResponse> parse_embed_response(std::string_view body,
                                                              std::string_view model) const = 0;

  // A cheap authenticated GET that proves the replica is up (usually the model list).
  virtual HttpRequest health_request(const ReplicaConfig& replica) const = 0;
  // The human message inside an upstream error body (raw text cut short when not JSON).
  virtual std::string error_message(std::string_view body) const = 0;
};

// Factory by config kind; nullptr when unknown.
std::unique_ptr<WireAdapter> make_wire_adapter(const ProviderConfig& config);

// Upstream model names go into JSON bodies and (Gemini) URL paths: allow only
// [A-Za-z0-9._:/@+-], no "..", 1-200 bytes, so a name can never change host, path or query.
Status check_model_name(std::string_view model);

}  // namespace fulcrum::providers
