#include "server/chat_exchange.h"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "api/openai_json.h"
#include "core/log.h"
#include "router/request_view.h"
#include "server/gateway.h"
#include "server/request_log.h"

namespace fulcrum::server {
namespace {

// Forwards a provider's sink calls to the exchange; reports the attempt's end to the walker.
class ExchangeSink final : public providers::ChatSink {
 public:
  using OnDone = std::function<void(Status, const providers::CallOutcome&)>;
  ExchangeSink(std::shared_ptr<ChatExchange> ex, OnDone done)
      : ex_(std::move(ex)), done_(std::move(done)) {}
  void on_chunk(const api::ChatChunk& chunk) override { ex_->on_chunk(chunk); }
  void on_response(api::ChatResponse response) override { ex_->on_response(std::move(response)); }
  void on_done(Status status, const providers::CallOutcome& outcome) override {
    OnDone done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(status), outcome);
  }

 private:
  std::shared_ptr<ChatExchange> ex_;
  OnDone done_;
};

std::string_view error_label(const Status& s) {
  return s.ok() ? std::string_view("ok") : error_code_name(s.error().code());
}

}  // namespace

std::string_view endpoint_name(Endpoint e) {
  switch (e) {
    case Endpoint::kChat:
      return "chat_completions";
    case Endpoint::kCompletions:
      return "completions";
    case Endpoint::kMessages:
      return "messages";
    case Endpoint::kEmbeddings:
      return "embeddings";
  }
  return "?";
}

ChatExchange::ChatExchange(std::shared_ptr<Gateway> gateway, std::shared_ptr<ResponseWriter> writer,
                           Endpoint endpoint, std::string request_id)
    : gw_(std::move(gateway)),
      writer_(std::move(writer)),
      endpoint_(endpoint),
      request_id_(std::move(request_id)),
      start_(std::chrono::steady_clock::now()),
      cancelled_(std::make_shared<std::atomic<bool>>(false)) {
  gw_->exchange_started();
}

ChatExchange::~ChatExchange() {
  gw_->exchange_ended();
}

Status ChatExchange::parse(const HttpRequest& req) {
  switch (endpoint_) {
    case Endpoint::kChat: {
      FULCRUM_TRY(auto r, api::parse_openai_chat_request(req.body));
      request_ = std::make_shared<const api::ChatRequest>(std::move(r));
      break;
    }
    case Endpoint::kCompletions: {
      FULCRUM_TRY(auto r, api::parse_openai_completion_request(req.body));
      request_ = std::make_shared<const api::ChatRequest>(std::move(r));
      break;
    }
    case Endpoint::kMessages: {
      FULCRUM_TRY(auto r, api::parse_anthropic_messages_request(req.body));
      request_ = std::make_shared<const api::ChatRequest>(std::move(r));
      break;
    }
    case Endpoint::kEmbeddings: {
      FULCRUM_TRY(auto r, api::parse_openai_embedding_request(req.body));
      requested_model_ = r.model;
      embed_request_ = std::make_shared<const api::EmbeddingRequest>(std::move(r));
      return ok_status();
    }
  }
  requested_model_ = request_->model;
  return ok_status();
}

void ChatExchange::start(HttpRequest&& req) {
  if (Status s = parse(req); !s.ok()) return fail(s.error());
  auto hints = gw_->hints_for(req);
  if (!hints.ok()) return fail(hints.error());
  router::RouteInput input;
  if (request_) {
    input = router::to_route_input(*request_);
  } else {
    input.model = embed_request_->model;
    for (size_t i = 0; i < embed_request_->input.size(); ++i)
      input.segments.push_back({"user", embed_request_->input[i]});
  }
  auto decision = gw_->router().route(input, *hints);
  if (!decision.ok()) return fail(decision.error());
  decision_ = std::make_shared<const router::RouteDecision>(std::move(decision).value());
  gw_->metrics().add("fulcrum_route_decisions_total",
                     Labels()
                         .add("rule", decision_->rule)
                         .add("privacy", router::privacy_class_name(decision_->privacy)));
  writer_->set_on_cancel([c = cancelled_] { c->store(true); });
  auto self = shared_from_this();
  router::FallbackWalker::run(
      decision_,
      [self](const router::RouteTarget& t, size_t i, router::FallbackWalker::Done done) {
        self->attempt(t, i, std::move(done));
      },
      [self](router::WalkResult r) { self->finish(std::move(r)); });
}

void ChatExchange::attempt(const router::RouteTarget& target, size_t index,
                           router::FallbackWalker::Done done) {
  current_target_ = static_cast<int>(index);
  auto provider = gw_->providers().get(target.provider);
  if (!provider) {
    done({Error(ErrorCode::kUnavailable,
                fmt::format("provider '{}' is not configured", target.provider)),
          true, false});
    return;
  }
  providers::CallContext ctx;
  ctx.request_id = request_id_;
  ctx.upstream_model = target.model;
  ctx.deadline = start_ + std::chrono::milliseconds(gw_->options().request_timeout_ms);
  ctx.cancelled = cancelled_;
  auto self = shared_from_this();
  ctx.on_attempt = [self](const providers::AttemptInfo& a) {
    record_attempt(self->gw_->metrics(), self->request_id_, a);
  };
  std::string provider_name = target.provider;
  auto on_done = [self, provider_name, done](Status s, const providers::CallOutcome& o) {
    self->last_outcome_ = o;
    if (!s.ok())
      self->gw_->metrics().add("fulcrum_upstream_errors_total",
                               Labels().add("provider", provider_name).add("code", error_label(s)));
    self->gw_->metrics().observe("fulcrum_upstream_duration_seconds",
                                 Labels().add("provider", provider_name), o.latency_ms / 1000.0);
    bool retryable = o.retryable;
    bool tokens = o.tokens_sent || self->stream_started_;
    done({std::move(s), retryable, tokens});
  };
  if (embed_request_) {
    provider->embed(
        embed_request_, ctx,
        [self, on_done](Result<api::EmbeddingResponse> r, const providers::CallOutcome& o) {
          if (r.ok()) self->embeddings_ = std::move(r).value();
          on_done(r.ok() ? ok_status() : Status(r.error()), o);
        });
    return;
  }
  std::shared_ptr<const api::ChatRequest> req = request_;
  tool_restorers_.clear();
  restorer_.reset();
  redactor_.reset();
  if (target.redact) {
    redactor_ = std::make_unique<router::Redactor>();
    req = std::make_shared<const api::ChatRequest>(
        router::redact(*request_, decision_->findings, redactor_.get()));
    restorer_ = std::make_unique<router::StreamRestorer>(*redactor_);
  }
  provider->chat(req, ctx, std::make_shared<ExchangeSink>(self, on_done));
}

void ChatExchange::on_response(api::ChatResponse response) {
  served_target_ = current_target_;
  response_ = std::move(response);
}

void ChatExchange::on_chunk(const api::ChatChunk& in) {
  if (answered_) return;
  api::ChatChunk c = in;  // one copy: restored and re-addressed below, then moved out
  if (c.usage) usage_ = c.usage;
  if (restorer_) restore_chunk(&c);
  if (!c.id.empty() && stream_id_.empty()) stream_id_ = c.id;
  if (!c.model.empty() && stream_model_.empty()) stream_model_ = c.model;
  bool content = !c.text.empty() || !c.tool_calls.empty() || c.finish_reason.has_value();
  if (!content) return;  // role-only and usage-only deltas fold into what follows
  if (!stream_started_) {
    served_target_ = current_target_;
    start_stream();
  }
  if (endpoint_ == Endpoint::kMessages) {
    std::string buf;
    anthropic_->on_chunk(c, &buf);
    writer_->write(std::move(buf));
  } else {
    write_openai_chunk(std::move(c));
  }
}

// Redaction: swaps placeholders back in text and tool-call argument deltas. A placeholder split
// across deltas is held back until it is whole; the finishing delta flushes what is held.
void ChatExchange::restore_chunk(api::ChatChunk* c) {
  if (!c->text.empty()) c->text = restorer_->push(c->text);
  for (auto& tc : c->tool_calls) {
    if (tc.arguments.empty()) continue;
    auto it = tool_restorers_.try_emplace(tc.index, *redactor_).first;
    tc.arguments = it->second.push(tc.arguments);
  }
  if (!c->finish_reason) return;
  c->text += restorer_->finish();
  for (auto& [index, r] : tool_restorers_) {
    std::string tail = r.finish();
    if (!tail.empty()) c->tool_calls.push_back({index, "", "", std::move(tail)});
  }
}

void ChatExchange::start_stream() {
  stream_started_ = true;
  if (stream_id_.empty()) stream_id_ = "chatcmpl-" + request_id_;
  if (stream_model_.empty() && served_target_ >= 0)
    stream_model_ = decision_->targets[served_target_].model;
  created_ = static_cast<int64_t>(std::time(nullptr));
  Headers h = base_headers("text/event-stream");
  h.emplace_back("cache-control", "no-cache");
  writer_->start_stream(200, std::move(h));
  if (endpoint_ == Endpoint::kMessages) anthropic_.emplace(stream_model_);
}

void ChatExchange::write_openai_chunk(api::ChatChunk c) {
  c.usage.reset();
  c.id = stream_id_;
  c.model = stream_model_;
  c.created = created_;
  if (!role_sent_) {
    c.role = api::Role::kAssistant;
    role_sent_ = true;
  } else {
    c.role.reset();
  }
  std::string frame = "data: ";
  frame += endpoint_ == Endpoint::kCompletions ? api::openai_completion_chunk_json(c)
                                               : api::openai_chunk_json(c);
  frame += "\n\n";
  writer_->write(std::move(frame));
}

void ChatExchange::finish_stream_ok() {
  if (endpoint_ == Endpoint::kMessages) {
    std::string buf;
    if (restorer_) {
      api::ChatChunk tail;
      tail.text = restorer_->finish();
      if (!tail.text.empty()) anthropic_->on_chunk(tail, &buf);
    }
    if (usage_) {
      api::ChatChunk u;
      u.usage = usage_;
      anthropic_->on_chunk(u, &buf);
    }
    anthropic_->finish(&buf);
    writer_->write(std::move(buf));
  } else {
    if (restorer_) {
      api::ChatChunk tail;
      tail.text = restorer_->finish();
      if (!tail.text.empty()) write_openai_chunk(std::move(tail));
    }
    if (!role_sent_) {
      api::ChatChunk last;
      last.finish_reason = api::FinishReason::kStop;
      write_openai_chunk(std::move(last));
    }
    if (request_->include_usage && usage_) {
      api::ChatChunk u;
      u.id = stream_id_;
      u.model = stream_model_;
      u.created = created_;
      u.usage = usage_;
      writer_->write("data: " + api::openai_chunk_json(u) + "\n\n");
    }
    writer_->write("data: [DONE]\n\n");
  }
  writer_->end();
}

void ChatExchange::finish(router::WalkResult result) {
  attempts_ = std::move(result.attempts);
  if (answered_) return;
  if (!result.status.ok()) return fail(result.status.error());
  if (result.served_index >= 0) served_target_ = result.served_index;
  if (request_ && request_->stream) {
    if (!stream_started_) start_stream();
    finish_stream_ok();
    answered_ = true;
    log_and_count(200, ok_status());
    return;
  }
  if (embed_request_) {
    if (!embeddings_) return fail(Error(ErrorCode::kUpstream, "upstream returned no embeddings"));
    usage_ = embeddings_->usage;
    return send_json(
        200, api::openai_embedding_response_json(*embeddings_, embed_request_->encoding_format));
  }
  if (!response_) return fail(Error(ErrorCode::kUpstream, "upstream returned no reply"));
  api::ChatResponse& r = *response_;
  if (redactor_) router::restore(&r, *redactor_);
  if (r.id.empty()) r.id = "chatcmpl-" + request_id_;
  if (r.created == 0) r.created = static_cast<int64_t>(std::time(nullptr));
  usage_ = r.usage;
  switch (endpoint_) {
    case Endpoint::kChat:
      return send_json(200, api::openai_chat_response_json(r));
    case Endpoint::kCompletions:
      return send_json(200, api::openai_completion_response_json(r));
    case Endpoint::kMessages:
      return send_json(200, api::anthropic_response_json(r));
    case Endpoint::kEmbeddings:
      break;
  }
}

void ChatExchange::send_json(int status, std::string body) {
  answered_ = true;
  writer_->send(status, base_headers("application/json"), std::move(body));
  log_and_count(status, ok_status());
}

void ChatExchange::fail(const Error& error) {
  if (answered_) return;
  answered_ = true;
  int status = error.http_status();
  if (stream_started_) {
    // Tokens already went out: the failure is reported inside the stream, never restarted.
    if (endpoint_ == Endpoint::kMessages) {
      std::string buf;
      api::AnthropicStreamEncoder::error_event(error, &buf);
      writer_->write(std::move(buf));
    } else {
      writer_->write("data: " + api::openai_error_json(error) + "\n\n");
    }
    writer_->end();
    if (error.code() == ErrorCode::kCancelled) {  // the client went away itself
      log_and_count(status, Status(error));
      return;
    }
    gw_->metrics().add("fulcrum_stream_errors_total",
                       Labels().add("endpoint", endpoint_name(endpoint_)));
    log_and_count(200, Status(error));  // the client got 200, then the error event
    return;
  }
  Headers h = base_headers("application/json");
  if (error.code() == ErrorCode::kRateLimited) {
    int64_t ms = last_outcome_.retry_after_ms >= 0 ? last_outcome_.retry_after_ms : 1000;
    h.emplace_back("retry-after", std::to_string((ms + 999) / 1000));
  }
  std::string body = endpoint_ == Endpoint::kMessages ? api::anthropic_error_json(error)
                                                      : api::openai_error_json(error);
  writer_->send(status, std::move(h), std::move(body));
  log_and_count(status, Status(error));
}

Headers ChatExchange::base_headers(std::string_view content_type) {
  route_sent_ = route_header();
  // Built in place: a braced list would construct each header and then copy it into the vector.
  Headers h;
  h.reserve(5);  // room for what callers add (retry-after, cache-control)
  h.emplace_back("content-type", content_type);
  h.emplace_back("x-request-id", request_id_);
  h.emplace_back("x-fulcrum-route", route_sent_);
  return h;
}

std::string ChatExchange::route_header() const {
  if (!decision_) return "rule=none; privacy=unknown";
  if (served_target_ >= 0 && served_target_ < static_cast<int>(decision_->targets.size()))
    return decision_->header_value(decision_->targets[served_target_]);
  return decision_->header_value();
}

void ChatExchange::log_and_count(int status, const Status& outcome) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  RequestLogEntry e;
  e.request_id = request_id_;
  e.endpoint = endpoint_name(endpoint_);
  e.status = status;
  e.model = requested_model_;
  e.stream = request_ && request_->stream;
  e.decision = decision_.get();
  e.served = served_target_ >= 0 && decision_ ? &decision_->targets[served_target_] : nullptr;
  e.route = route_sent_;
  e.attempts = &attempts_;
  e.usage = usage_;
  e.latency_ms = seconds * 1000;
  e.error = outcome.ok() ? nullptr : &outcome.error();
  record_request(gw_->metrics(), gw_->router(), e);
}

}  // namespace fulcrum::server
