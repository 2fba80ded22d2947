// Provider: one upstream model service (OpenAI-compatible, Anthropic, Gemini, later the local
// engine) behind one asynchronous interface. Calls return at once; results arrive through a
// sink on the provider's I/O thread. A sink must not block (hand work off if it must).
//
//   auto sink = std::make_shared<MySink>();
//   provider->chat(request, ctx, sink);   // sink->on_chunk()* / on_response(), then on_done()
//
// Errors are Status values whose ErrorCode maps to the HTTP status the gateway returns:
//   kUpstream 502 (upstream answered badly), kUnavailable 503 (refused / circuit open / 5xx
//   overload), kDeadlineExceeded 504 (connect / first byte / total timeout), kRateLimited 429
//   (CallOutcome::retry_after_ms carries the upstream's Retry-After), kInvalidArgument 400
//   (upstream rejected the request as malformed). CallOutcome says whether the failure is
//   worth trying elsewhere (`retryable`) and whether tokens already reached the sink
//   (`tokens_sent`: a stream that fails then is a stream error, never restarted).
//
// Security: a provider sends only to the addresses in its config, with the key from its
// config or environment. Nothing in a ChatRequest (model, metadata, user, headers) changes the
// host, path prefix or key; keys never appear in errors or log lines.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/chat.h"
#include "core/result.h"

namespace fulcrum::providers {

using Clock = std::chrono::steady_clock;

// One HTTP attempt of a call, reported through CallContext::on_attempt (the gateway writes it
// to the request log). Never carries a key: `replica` is the configured base URL.
struct AttemptInfo {
  std::string_view provider;
  std::string_view replica;
  int attempt = 0;           // 1-based within the call
  int upstream_status = 0;   // 0: no HTTP response
  std::string_view outcome;  // "ok" or the error code name
  std::string_view error;    // the error message (keys redacted), empty when ok
  double ms = 0;             // attempt start to end
};

// Per-call context from the router / server.
struct CallContext {
  std::string request_id;      // for log lines ("req=...")
  std::string upstream_model;  // the model name at the upstream (the router's target)
  // Absolute deadline for the whole call including retries; time_point::max() = none.
  Clock::time_point deadline = Clock::time_point::max();
  // Set to true by the caller when the client went away; the call stops at the next I/O
  // event and completes with kCancelled.
  std::shared_ptr<std::atomic<bool>> cancelled;
  // Allow retries inside the provider (the router may turn this off when it wants to fall
  // back to another target at once).
  bool allow_retries = true;
  // Called once per HTTP attempt, on the provider's I/O thread, after it ended (must not
  // block). Unset: the provider writes its own log line per attempt.
  std::function<void(const AttemptInfo&)> on_attempt;
};

// What happened on the wire, for the router's fallback walker, metrics and explanations.
struct CallOutcome {
  int attempts = 0;             // HTTP attempts made (0 when rejected before sending)
  int upstream_status = 0;      // HTTP status of the last attempt (0: no response)
  bool retryable = false;       // failure another target (or a later try) may not have
  bool tokens_sent = false;     // on_chunk delivered content before the failure
  int64_t retry_after_ms = -1;  // from the upstream's Retry-After, -1 when absent
  double latency_ms = 0;        // first attempt start to on_done
  double first_byte_ms = -1;    // to the first response byte of the last attempt
  std::string replica;          // base URL of the replica that answered last (no key)
};

class ChatSink {
 public:
  virtual ~ChatSink() = default;
  // Streaming requests (ChatRequest::stream): zero or more deltas, in order.
  virtual void on_chunk(const api::ChatChunk& chunk) = 0;
  // Non-streaming requests: the whole reply, once, before on_done(ok).
  virtual void on_response(api::ChatResponse response) = 0;
  // Exactly once, last. No other call follows it.
  virtual void on_done(Status status, const CallOutcome& outcome) = 0;
};

using EmbedCallback = std::function<void(Result<api::EmbeddingResponse>, const CallOutcome&)>;
using HealthCallback = std::function<void(Status)>;

// Breaker state of a provider as a whole (any replica usable -> kClosed or kHalfOpen).
enum class Health { kHealthy, kDegraded, kUnhealthy };

class Provider {
 public:
  virtual ~Provider() = default;

  virtual const std::string& name() const = 0;  // the config name: [providers.<name>]
  virtual std::string_view kind() const = 0;    // "openai_compat", "anthropic", "gemini", ...
  virtual bool on_premises() const = 0;         // config `on_premises`

  virtual void chat(std::shared_ptr<const api::ChatRequest> request, const CallContext& ctx,
                    std::shared_ptr<ChatSink> sink) = 0;
  virtual void embed(std::shared_ptr<const api::EmbeddingRequest> request, const CallContext& ctx,
                     EmbedCallback done) = 0;
  // Active probe of every replica (a cheap GET such as /models); updates health().
  virtual void check_health(HealthCallback done) = 0;
  // Current view from breakers and health checks, without I/O.
  virtual Health health() const = 0;
};

// True for codes another try may fix (429, 502, 503, 504).
bool is_retryable_code(ErrorCode code);

}  // namespace fulcrum::providers
