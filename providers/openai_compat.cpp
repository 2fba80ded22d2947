#include "providers/openai_compat.h"

#include "api/openai_json.h"

namespace fulcrum::providers {
namespace {

class OpenAiStreamDecoder final : public StreamDecoder {
 public:
  Status on_event(const SseEvent& event, std::vector<api::ChatChunk>* out) override {
    if (done_) return Error(ErrorCode::kUpstream, "upstream sent data after [DONE]");
    if (event.data == "[DONE]") {
      done_ = true;
      return ok_status();
    }
    if (!event.event.empty() && event.event != "message") {
      if (event.event == "error") {
        return Error(ErrorCode::kUpstream,
                     "upstream stream error: " + api::openai_error_message(event.data));
      }
      return Error(ErrorCode::kUpstream, "unexpected SSE event type from upstream");
    }
    // Some compatible servers put an error object in a data event mid-stream.
    if (event.data.find("\"error\"") != std::string::npos &&
        event.data.find("\"choices\"") == std::string::npos) {
      return Error(ErrorCode::kUpstream,
                   "upstream stream error: " + api::openai_error_message(event.data));
    }
    auto chunks = api::parse_openai_chunk(event.data);
    if (!chunks.ok()) {
      return Error(ErrorCode::kUpstream,
                   "malformed stream chunk from upstream: " + chunks.error().message());
    }
    for (auto& c : *chunks) out->push_back(std::move(c));
    return ok_status();
  }
  bool done() const override { return done_; }

 private:
  bool done_ = false;
};

class OpenAiCompatAdapter final : public WireAdapter {
 public:
  std::string_view kind() const override { return "openai_compat"; }

  Result<HttpRequest> chat_request(const api::ChatRequest& request, std::string_view model,
                                   const ReplicaConfig& replica) const override {
    FULCRUM_TRY_STATUS(check_model_name(model));
    HttpRequest r = base(replica, "/chat/completions");
    r.body = api::openai_chat_request_json(request, model);
    r.headers.emplace_back("Accept", request.stream ? "text/event-stream" : "application/json");
    return r;
  }
  Result<api::ChatResponse> parse_chat_response(std::string_view body,
                                                std::string_view) const override {
    return api::parse_openai_chat_response(body);
  }
  std::unique_ptr<StreamDecoder> stream_decoder(std::string_view) const override {
    return std::make_unique<OpenAiStreamDecoder>();
  }
  Result<HttpRequest> embed_request(const api::EmbeddingRequest& request, std::string_view model,
                                    const ReplicaConfig& replica) const override {
    FULCRUM_TRY_STATUS(check_model_name(model));
    HttpRequest r = base(replica, "/embeddings");
    r.body = api::openai_embedding_request_json(request, model);
    r.headers.emplace_back("Accept", "application/json");
    return r;
  }
  Result<api::EmbeddingResponse> parse_embed_response(std::string_view body,
                                                      std::string_view) const override {
    return api::parse_openai_embedding_response(body);
  }
  HttpRequest health_request(const ReplicaConfig& replica) const override {
    HttpRequest r = base(replica, "/models");
    r.method = "GET";
    return r;
  }
  std::string error_message(std::string_view body) const override {
    return api::openai_error_message(body);
  }

 private:
  static HttpRequest base(const ReplicaConfig& replica, std::string_view path) {
    HttpRequest r;
    r.url.reserve(replica.base_url.size() + path.size());
    r.url.append(replica.base_url).append(path);
    r.headers.reserve(3);  // these two and Accept
    r.headers.emplace_back("Content-Type", "application/json");
    if (!replica.api_key.empty())
      r.headers.emplace_back("Authorization", "Bearer " + replica.api_key);
    return r;
  }
};

}  // namespace

std::unique_ptr<WireAdapter> make_openai_compat_adapter(const ProviderConfig&) {
  return std::make_unique<OpenAiCompatAdapter>();
}

}  // namespace fulcrum::providers
