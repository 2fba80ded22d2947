// One chat (or embeddings) request in flight: parse → route → walk the targets through the
// providers → answer in the client's dialect (JSON or SSE) → metrics + one request log line.
// Lives in a shared_ptr held by the provider callbacks; callbacks of one attempt arrive on one
// provider I/O thread and attempts are sequential, so the state needs no lock.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/anthropic_json.h"
#include "api/chat.h"
#include "providers/provider.h"
#include "router/fallback_walker.h"
#include "router/redactor.h"
#include "router/route_decision.h"
#include "server/http_server.h"

namespace fulcrum::server {

class Gateway;

// Which inbound endpoint (and so which reply shape).
enum class Endpoint { kChat, kCompletions, kMessages, kEmbeddings };
std::string_view endpoint_name(Endpoint e);

class ChatExchange : public std::enable_shared_from_this<ChatExchange> {
 public:
  ChatExchange(std::shared_ptr<Gateway> gateway, std::shared_ptr<ResponseWriter> writer,
               Endpoint endpoint, std::string request_id);
  ~ChatExchange();
  ChatExchange(const ChatExchange&) = delete;
  ChatExchange& operator=(const ChatExchange&) = delete;

  // Runs the whole request; answers through the writer (now or later, from another thread).
  void start(HttpRequest&& request);

  // Provider sink callbacks (see providers::ChatSink).
  void on_chunk(const api::ChatChunk& chunk);
  void on_response(api::ChatResponse response);

 private:
  Status parse(const HttpRequest& request);
  void run_chat(std::shared_ptr<const router::RouteDecision> decision);
  void run_embeddings(std::shared_ptr<const router::RouteDecision> decision);
  void attempt(const router::RouteTarget& target, size_t index, router::FallbackWalker::Done done);
  void finish(router::WalkResult result);
  void restore_chunk(api::ChatChunk* chunk);
  void start_stream();
  void write_openai_chunk(api::ChatChunk chunk);
  void finish_stream_ok();
  void fail(const Error& error);
  void send_json(int status, std::string body);
  Headers base_headers(std::string_view content_type);  // remembers the route header sent
  std::string route_header() const;
  void log_and_count(int status, const Status& outcome);

  std::shared_ptr<Gateway> gw_;
  std::shared_ptr<ResponseWriter> writer_;
  Endpoint endpoint_;
  std::string request_id_;
  std::chrono::steady_clock::time_point start_;
  std::shared_ptr<std::atomic<bool>> cancelled_;

  std::shared_ptr<const api::ChatRequest> request_;
  std::shared_ptr<const api::EmbeddingRequest> embed_request_;
  std::string requested_model_;
  std::shared_ptr<const router::RouteDecision> decision_;
  int current_target_ = -1;  // index of the target being tried
  int served_target_ = -1;   // index of the target that produced the answer
  providers::CallOutcome last_outcome_;
  std::vector<router::AttemptRecord> attempts_;

  // Reply state.
  bool stream_started_ = false;
  bool role_sent_ = false;
  bool answered_ = false;
  std::optional<api::ChatResponse> response_;
  std::optional<api::EmbeddingResponse> embeddings_;
  std::optional<api::Usage> usage_;
  std::optional<api::AnthropicStreamEncoder> anthropic_;
  std::string stream_id_;
  std::string stream_model_;
  int64_t created_ = 0;
  std::string route_sent_;  // x-fulcrum-route as sent (the request log repeats it)

  // Redaction (privacy class kRedacted on a remote target).
  std::unique_ptr<router::Redactor> redactor_;
  std::unique_ptr<router::StreamRestorer> restorer_;
  std::map<int, router::StreamRestorer> tool_restorers_;  // per tool call index
};

}  // namespace fulcrum::server
