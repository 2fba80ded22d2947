#include "providers/upstream_call.h"

#include <charconv>
#include <ctime>

#include "core/log.h"
#include "providers/retry_policy.h"
#include "providers/upstream_provider.h"

namespace fulcrum::providers {
namespace {

constexpr size_t kMaxErrorBody = 64 << 10;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

bool content_type_is(std::string_view ct, std::string_view want) {
  // "application/json; charset=utf-8" -> compare the media type only, case-insensitively.
  auto semi = ct.find(';');
  ct = ct.substr(0, semi);
  while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
  if (ct.size() != want.size()) return false;
  for (size_t i = 0; i < ct.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(ct[i])) != want[i]) return false;
  }
  return true;
}

struct HttpErrorClass {
  ErrorCode code;
  bool retry_same;
  bool retry_other;
  const char* what;
};

HttpErrorClass classify_http(int status) {
  switch (status) {
    case 400:
    case 413:
    case 422:
      return {ErrorCode::kInvalidArgument, false, false, "upstream rejected the request"};
    case 401:
    case 403:
      return {ErrorCode::kUpstream, false, true, "upstream rejected the provider's key"};
    case 404:
      return {ErrorCode::kUpstream, false, true, "upstream has no such model or route"};
    case 408:
      return {ErrorCode::kDeadlineExceeded, true, true, "upstream request timeout"};
    case 429:
      return {ErrorCode::kRateLimited, true, true, "upstream rate limit"};
    case 500:
    case 502:
      return {ErrorCode::kUpstream, true, true, "upstream server error"};
    case 503:
    case 529:
      return {ErrorCode::kUnavailable, true, true, "upstream overloaded or unavailable"};
    case 504:
      return {ErrorCode::kDeadlineExceeded, true, true, "upstream gateway timeout"};
    default:
      return {ErrorCode::kUpstream, false, true, "unexpected upstream status"};
  }
}

}  // namespace

UpstreamCall::UpstreamCall(std::shared_ptr<UpstreamProvider> provider, CallContext ctx,
                           std::shared_ptr<const api::ChatRequest> chat_request,
                           std::shared_ptr<ChatSink> chat_sink,
                           std::shared_ptr<const api::EmbeddingRequest> embed_request,
                           EmbedCallback embed_done)
    : provider_(std::move(provider)),
      ctx_(std::move(ctx)),
      chat_(std::move(chat_request)),
      sink_(std::move(chat_sink)),
      embed_(std::move(embed_request)),
      embed_done_(std::move(embed_done)),
      call_start_(Clock::now()) {}

bool UpstreamCall::cancelled() const {
  return ctx_.cancelled && ctx_.cancelled->load(std::memory_order_relaxed);
}

void UpstreamCall::attempt() {
  if (cancelled()) return finish(Error(ErrorCode::kCancelled, "call cancelled by the caller"));
  auto now = Clock::now();
  if (now >= ctx_.deadline) {
    return finish(Error(ErrorCode::kDeadlineExceeded, "call deadline passed before an attempt"));
  }
  const ProviderConfig& cfg = provider_->config();
  replica_ = provider_->replicas().pick(tried_);
  if (replica_ < 0) {
    retry_other_ = true;
    return finish(Error(ErrorCode::kUnavailable,
                        "provider '" + cfg.name + "': every replica's circuit breaker is open"));
  }
  const ReplicaConfig& replica = provider_->replicas().config(replica_);
  auto built = chat_ ? provider_->adapter().chat_request(*chat_, ctx_.upstream_model, replica)
                     : provider_->adapter().embed_request(*embed_, ctx_.upstream_model, replica);
  if (!built.ok()) {
    provider_->replicas().record_neutral(replica_);
    retry_other_ = built.error().code() == ErrorCode::kUnimplemented;
    return finish(std::move(built).error());
  }
  HttpRequest req = std::move(built).value();
  req.timeouts = cfg.timeouts;
  if (ctx_.deadline != Clock::time_point::max()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.deadline - now);
    req.timeouts.total_ms = std::max<int64_t>(1, std::min(req.timeouts.total_ms, left.count()));
  }
  req.max_response_bytes = cfg.max_response_bytes;
  req.ca_file = cfg.ca_file;

  attempt_start_ = now;
  status_ = 0;
  retry_after_ms_ = -1;
  body_.clear();
  failure_.reset();
  chat_response_.reset();
  embed_response_.reset();
  parser_.reset();
  decoder_.reset();
  if (streaming()) {
    parser_.emplace();
    decoder_ = provider_->adapter().stream_decoder(ctx_.upstream_model);
  }
  outcome_.first_byte_ms = -1;
  outcome_.replica = replica.base_url;
  ++outcome_.attempts;
  if (replica_ < 64) tried_ |= uint64_t{1} << replica_;
  provider_->client().send(std::move(req), shared_from_this());
}

bool UpstreamCall::on_headers(const HttpResponseHead& head) {
  outcome_.first_byte_ms = ms_since(attempt_start_);
  status_ = head.status;
  outcome_.upstream_status = head.status;
  if (auto ms = head.header("retry-after-ms"); !ms.empty()) {
    retry_after_ms_ = parse_retry_after_ms(ms, 0) / 1000;  // value is already milliseconds
  } else if (auto ra = head.header("retry-after"); !ra.empty()) {
    retry_after_ms_ = parse_retry_after_ms(ra, static_cast<int64_t>(std::time(nullptr)));
  }
  if (!is_success()) return true;
  if (!streaming()) {  // the body arrives into one allocation when its length is announced
    uint64_t len = 0;
    std::string_view cl = head.header("content-length");
    auto r = std::from_chars(cl.data(), cl.data() + cl.size(), len);
    if (r.ec == std::errc() && len <= (uint64_t{16} << 20)) body_.reserve(len);
  }
  std::string_view ct = head.header("content-type");
  std::string_view want = streaming() ? "text/event-stream" : "application/json";
  if (!content_type_is(ct, want)) {
    failure_ = Error(ErrorCode::kUpstream,
                     fmt::format("upstream answered with content type '{}', expected '{}'",
                                 std::string(ct.substr(0, 80)), want));
    return false;
  }
  return true;
}

bool UpstreamCall::on_data(std::string_view bytes) {
  if (!is_success()) {
    if (body_.size() < kMaxErrorBody) {
      body_.append(bytes.substr(0, kMaxErrorBody - body_.size()));
    }
    return true;
  }
  if (!streaming()) {
    body_.append(bytes);
    return true;
  }
  events_.clear();
  Status st = parser_->feed(bytes, &events_);
  // Events parsed before a malformed line are still delivered, then the stream fails.
  for (const auto& ev : events_) {
    chunks_.clear();
    Status dec = decoder_->on_event(ev, &chunks_);
    for (const auto& c : chunks_) {
      outcome_.tokens_sent = true;
      sink_->on_chunk(c);
    }
    if (!dec.ok()) {
      failure_ = std::move(dec).error();
      return false;
    }
  }
  if (!st.ok()) {
    failure_ = std::move(st).error();
    return false;
  }
  return !cancelled();
}

Status UpstreamCall::finish_stream() {
  events_.clear();
  FULCRUM_TRY_STATUS(parser_->finish(&events_));
  for (const auto& ev : events_) {
    chunks_.clear();
    Status dec = decoder_->on_event(ev, &chunks_);
    for (const auto& c : chunks_) {
      outcome_.tokens_sent = true;
      sink_->on_chunk(c);
    }
    FULCRUM_TRY_STATUS(dec);
  }
  if (!decoder_->done()) {
    chunks_.clear();
    bool flushed = decoder_->finish_at_eof(&chunks_);
    for (const auto& c : chunks_) sink_->on_chunk(c);
    if (!flushed) {
      return Error(ErrorCode::kUpstream, "upstream stream ended before its end-of-stream marker");
    }
  }
  return ok_status();
}

Status UpstreamCall::finish_unary() {
  const WireAdapter& a = provider_->adapter();
  if (chat_) {
    auto r = a.parse_chat_response(body_, ctx_.upstream_model);
    if (!r.ok()) {
      return Error(ErrorCode::kUpstream, "malformed upstream response: " + r.error().message());
    }
    chat_response_ = std::move(r).value();
  } else {
    auto r = a.parse_embed_response(body_, ctx_.upstream_model);
    if (!r.ok()) {
      return Error(ErrorCode::kUpstream, "malformed upstream response: " + r.error().message());
    }
    embed_response_ = std::move(r).value();
  }
  return ok_status();
}

Status UpstreamCall::classify(Status transport) {
  retry_same_ = false;
  retry_other_ = true;
  if (failure_) {
    // Our own verdicts: wrong content type, malformed stream, body over the limit, abort.
    if (failure_->code() == ErrorCode::kCancelled) retry_other_ = false;
    return *failure_;
  }
  if (!transport.ok()) {
    ErrorCode c = transport.error().code();
    retry_same_ = c == ErrorCode::kUnavailable || c == ErrorCode::kDeadlineExceeded;
    retry_other_ = c != ErrorCode::kCancelled && c != ErrorCode::kInvalidArgument;
    return transport;
  }
  if (!is_success()) {
    HttpErrorClass k = classify_http(status_);
    retry_same_ = k.retry_same;
    retry_other_ = k.retry_other;
    std::string msg = provider_->adapter().error_message(body_);
    return Error(k.code, fmt::format("{} (HTTP {}): {}", k.what, status_, msg));
  }
  return streaming() ? finish_stream() : finish_unary();
}

void UpstreamCall::account(const Status& st) {
  ReplicaSet& rs = provider_->replicas();
  double ms = ms_since(attempt_start_);
  if (st.ok()) {
    rs.record_success(replica_, outcome_.first_byte_ms >= 0 ? outcome_.first_byte_ms : ms);
    if (ctx_.on_attempt) {
      ctx_.on_attempt(
          {provider_->name(), outcome_.replica, outcome_.attempts, status_, "ok", "", ms});
      return;
    }
    log::info("upstream provider={} replica={} attempt={} status={} result=ok ms={:.1f} req={}",
              provider_->name(), outcome_.replica, outcome_.attempts, status_, ms, ctx_.request_id);
    return;
  }
  ErrorCode code = st.error().code();
  bool replica_fault =
      (status_ >= 500) || status_ == 408 ||
      (status_ == 0 && (code == ErrorCode::kUnavailable || code == ErrorCode::kDeadlineExceeded));
  if (replica_fault) {
    rs.record_failure(replica_);
  } else if (code == ErrorCode::kCancelled || status_ == 429) {
    rs.record_neutral(replica_);
  } else {
    rs.record_success(replica_, outcome_.first_byte_ms >= 0 ? outcome_.first_byte_ms : ms);
  }
  std::string message = provider_->redact(st.error().message());
  if (ctx_.on_attempt) {
    ctx_.on_attempt({provider_->name(), outcome_.replica, outcome_.attempts, status_,
                     error_code_name(code), message, ms});
    return;
  }
  log::warn("upstream provider={} replica={} attempt={} status={} result={} ms={:.1f} req={}: {}",
            provider_->name(), outcome_.replica, outcome_.attempts, status_, error_code_name(code),
            ms, ctx_.request_id, message);
}

void UpstreamCall::on_complete(Status transport) {
  Status st = classify(std::move(transport));
  account(st);
  if (st.ok()) {
    if (chat_ && !streaming()) sink_->on_response(std::move(*chat_response_));
    return finish(ok_status());
  }
  retry_or_finish(std::move(st));
}

void UpstreamCall::retry_or_finish(Status st) {
  const ProviderConfig& cfg = provider_->config();
  outcome_.retry_after_ms = retry_after_ms_;
  int retries_done = outcome_.attempts - 1;
  bool may_retry = retry_same_ && !outcome_.tokens_sent && ctx_.allow_retries &&
                   retries_done < cfg.max_retries && !cancelled();
  if (may_retry && retry_after_ms_ > cfg.max_retry_after_ms) may_retry = false;
  if (may_retry) {
    int64_t delay = provider_->jitter_backoff_ms(retries_done + 1, retry_after_ms_);
    if (Clock::now() + std::chrono::milliseconds(delay) < ctx_.deadline) {
      log::info("upstream provider={} retry={} in {} ms req={}", provider_->name(),
                retries_done + 1, delay, ctx_.request_id);
      auto self = shared_from_this();
      provider_->client().schedule(std::chrono::milliseconds(delay), [self] { self->attempt(); });
      return;
    }
  }
  finish(std::move(st));
}

void UpstreamCall::finish(Status st) {
  if (done_) return;
  done_ = true;
  outcome_.latency_ms = ms_since(call_start_);
  if (!st.ok()) {
    Error e = std::move(st).error();
    e = Error(e.code(), provider_->redact(e.message())).with_field(e.field());
    outcome_.retryable = retry_other_ && !outcome_.tokens_sent && is_retryable_code(e.code());
    if (!outcome_.retryable && retry_other_ && !outcome_.tokens_sent) {
      // 401/403/404 and malformed replies: this provider is wrong, another may be fine.
      outcome_.retryable = e.code() == ErrorCode::kUpstream;
    }
    st = std::move(e);
  }
  if (chat_) {
    auto sink = std::move(sink_);
    sink->on_done(std::move(st), outcome_);
  } else {
    auto done = std::move(embed_done_);
    if (st.ok()) {
      done(std::move(*embed_response_), outcome_);
    } else {
      done(std::move(st).error(), outcome_);
    }
  }
}

}  // namespace fulcrum::providers
