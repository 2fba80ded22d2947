// UpstreamCall: one chat or embeddings call through an UpstreamProvider — the attempt loop
// (replica pick, send, classify, backoff, retry) as an HttpHandler that lives until on_done.
// Internal to providers/; see upstream_provider.h for the policy it implements.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "providers/http_client.h"
#include "providers/provider.h"
#include "providers/sse_parser.h"
#include "providers/wire_adapter.h"

namespace fulcrum::providers {

class UpstreamProvider;

class UpstreamCall final : public HttpHandler, public std::enable_shared_from_this<UpstreamCall> {
 public:
  // Exactly one of chat_request / embed_request is set, with its sink / callback.
  UpstreamCall(std::shared_ptr<UpstreamProvider> provider, CallContext ctx,
               std::shared_ptr<const api::ChatRequest> chat_request,
               std::shared_ptr<ChatSink> chat_sink,
               std::shared_ptr<const api::EmbeddingRequest> embed_request,
               EmbedCallback embed_done);

  void start() { attempt(); }

  bool on_headers(const HttpResponseHead& head) override;
  bool on_data(std::string_view bytes) override;
  void on_complete(Status transport) override;
  bool cancelled() const override;

 private:
  void attempt();
  Status classify(Status transport);  // the attempt's outcome; sets retry_same_ / retry_other_
  Status finish_stream();
  Status finish_unary();
  void account(const Status& st);  // breaker, latency, log line
  void retry_or_finish(Status st);
  void finish(Status st);
  bool streaming() const { return chat_ && chat_->stream; }
  bool is_success() const { return status_ >= 200 && status_ < 300; }

  std::shared_ptr<UpstreamProvider> provider_;
  CallContext ctx_;
  std::shared_ptr<const api::ChatRequest> chat_;
  std::shared_ptr<ChatSink> sink_;
  std::shared_ptr<const api::EmbeddingRequest> embed_;
  EmbedCallback embed_done_;

  CallOutcome outcome_;
  Clock::time_point call_start_;
  uint64_t tried_ = 0;
  bool done_ = false;

  // Per attempt.
  int replica_ = -1;
  Clock::time_point attempt_start_;
  int status_ = 0;
  int64_t retry_after_ms_ = -1;
  std::string body_;
  std::optional<Error> failure_;
  std::optional<SseParser> parser_;
  std::unique_ptr<StreamDecoder> decoder_;
  std::vector<SseEvent> events_;
  std::vector<api::ChatChunk> chunks_;
  std::optional<api::ChatResponse> chat_response_;
  std::optional<api::EmbeddingResponse> embed_response_;
  bool retry_same_ = false;   // worth another attempt at this provider
  bool retry_other_ = false;  // worth trying another target (router fallback)
};

}  // namespace fulcrum::providers
