#include "providers/anthropic.h"

#include <nlohmann/json.hpp>

#include "api/anthropic_json.h"

namespace fulcrum::providers {
namespace {

class AnthropicDecoder final : public StreamDecoder {
 public:
  Status on_event(const SseEvent& event, std::vector<api::ChatChunk>* out) override {
    if (event.event.empty()) {
      return Error(ErrorCode::kUpstream, "Anthropic stream event without an event type");
    }
    if (event.event == "ping") return ok_status();
    auto chunks = decoder_.on_event(event.event, event.data);
    if (!chunks.ok()) {
      Error e = std::move(chunks).error();
      if (e.code() != ErrorCode::kUnavailable) e = Error(ErrorCode::kUpstream, e.message());
      return e;
    }
    for (auto& c : *chunks) out->push_back(std::move(c));
    return ok_status();
  }
  bool done() const override { return decoder_.done(); }

 private:
  api::AnthropicStreamDecoder decoder_;
};

class AnthropicAdapter final : public WireAdapter {
 public:
  explicit AnthropicAdapter(std::string version) : version_(std::move(version)) {}
  std::string_view kind() const override { return "anthropic"; }

  Result<HttpRequest> chat_request(const api::ChatRequest& request, std::string_view model,
                                   const ReplicaConfig& replica) const override {
    FULCRUM_TRY_STATUS(check_model_name(model));
    HttpRequest r = base(replica, "/messages");
    r.body = api::anthropic_request_json(request, model);
    r.headers.emplace_back("Accept", request.stream ? "text/event-stream" : "application/json");
    return r;
  }
  Result<api::ChatResponse> parse_chat_response(std::string_view body,
                                                std::string_view) const override {
    return api::parse_anthropic_response(body);
  }
  std::unique_ptr<StreamDecoder> stream_decoder(std::string_view) const override {
    return std::make_unique<AnthropicDecoder>();
  }
  Result<HttpRequest> embed_request(const api::EmbeddingRequest&, std::string_view,
                                    const ReplicaConfig&) const override {
    return Error(ErrorCode::kUnimplemented, "the Anthropic API has no embeddings endpoint");
  }
  Result<api::EmbeddingResponse> parse_embed_response(std::string_view,
                                                      std::string_view) const override {
    return Error(ErrorCode::kUnimplemented, "the Anthropic API has no embeddings endpoint");
  }
  HttpRequest health_request(const ReplicaConfig& replica) const override {
    HttpRequest r = base(replica, "/models");
    r.method = "GET";
    return r;
  }
  // {"type":"error","error":{"type":"...","message":"..."}}
  std::string error_message(std::string_view body) const override {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_object()) {
      const auto& e = j["error"];
      if (e.contains("message") && e["message"].is_string()) return e["message"];
    }
    return std::string(body.substr(0, 200));
  }

 private:
  HttpRequest base(const ReplicaConfig& replica, std::string_view path) const {
    HttpRequest r;
    r.url = replica.base_url + std::string(path);
    r.headers.emplace_back("Content-Type", "application/json");
    r.headers.emplace_back("anthropic-version", version_);
    if (!replica.api_key.empty()) r.headers.emplace_back("x-api-key", replica.api_key);
    return r;
  }
  std::string version_;
};

}  // namespace

std::unique_ptr<WireAdapter> make_anthropic_adapter(const ProviderConfig& config) {
  return std::make_unique<AnthropicAdapter>(config.api_version.empty() ? "2023-06-01"
                                                                       : config.api_version);
}

}  // namespace fulcrum::providers
