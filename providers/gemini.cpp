#include "providers/gemini.h"

#include "providers/gemini_json.h"

namespace fulcrum::providers {
namespace {

class GeminiDecoder final : public StreamDecoder {
 public:
  explicit GeminiDecoder(std::string model) : decoder_(std::move(model)) {}
  Status on_event(const SseEvent& event, std::vector<api::ChatChunk>* out) override {
    if (!event.event.empty() && event.event != "message") {
      return Error(ErrorCode::kUpstream, "unexpected SSE event type from Gemini");
    }
    FULCRUM_TRY(auto chunks, decoder_.on_data(event.data));
    for (auto& c : chunks) out->push_back(std::move(c));
    return ok_status();
  }
  bool done() const override { return decoder_.done(); }

 private:
  GeminiStreamDecoder decoder_;
};

std::string_view bare_model(std::string_view model) {
  if (model.starts_with("models/")) model.remove_prefix(7);
  return model;
}

class GeminiAdapter final : public WireAdapter {
 public:
  std::string_view kind() const override { return "gemini"; }

  Result<HttpRequest> chat_request(const api::ChatRequest& request, std::string_view model,
                                   const ReplicaConfig& replica) const override {
    FULCRUM_TRY(auto m, path_model(model));
    std::string method = request.stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
    HttpRequest r = base(replica, "/models/" + m + method);
    r.body = gemini_request_json(request);
    r.headers.emplace_back("Accept", request.stream ? "text/event-stream" : "application/json");
    return r;
  }
  Result<api::ChatResponse> parse_chat_response(std::string_view body,
                                                std::string_view model) const override {
    return parse_gemini_response(body, bare_model(model));
  }
  std::unique_ptr<StreamDecoder> stream_decoder(std::string_view model) const override {
    return std::make_unique<GeminiDecoder>(std::string(bare_model(model)));
  }
  Result<HttpRequest> embed_request(const api::EmbeddingRequest& request, std::string_view model,
                                    const ReplicaConfig& replica) const override {
    FULCRUM_TRY(auto m, path_model(model));
    HttpRequest r = base(replica, "/models/" + m + ":batchEmbedContents");
    r.body = gemini_embed_request_json(request, m);
    return r;
  }
  Result<api::EmbeddingResponse> parse_embed_response(std::string_view body,
                                                      std::string_view model) const override {
    return parse_gemini_embed_response(body, bare_model(model));
  }
  HttpRequest health_request(const ReplicaConfig& replica) const override {
    HttpRequest r = base(replica, "/models");
    r.method = "GET";
    return r;
  }
  std::string error_message(std::string_view body) const override {
    return gemini_error_message(body);
  }

 private:
  // The model goes into the URL path: one segment, checked characters only.
  static Result<std::string> path_model(std::string_view model) {
    model = bare_model(model);
    FULCRUM_TRY_STATUS(check_model_name(model));
    if (model.find('/') != std::string_view::npos || model.find(':') != std::string_view::npos) {
      return Error(ErrorCode::kInvalidArgument, "a Gemini model name must not contain '/' or ':'")
          .with_field("model");
    }
    return std::string(model);
  }
  static HttpRequest base(const ReplicaConfig& replica, const std::string& path) {
    HttpRequest r;
    r.url = replica.base_url + path;
    r.headers.emplace_back("Content-Type", "application/json");
    if (!replica.api_key.empty()) r.headers.emplace_back("x-goog-api-key", replica.api_key);
    return r;
  }
};

}  // namespace

std::unique_ptr<WireAdapter> make_gemini_adapter(const ProviderConfig&) {
  return std::make_unique<GeminiAdapter>();
}

}  // namespace fulcrum::providers
