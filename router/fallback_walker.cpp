#include "router/fallback_walker.h"

namespace fulcrum::router {
namespace {

struct WalkState : std::enable_shared_from_this<WalkState> {
  std::shared_ptr<const RouteDecision> decision;
  FallbackWalker::Attempt attempt;
  FallbackWalker::Finish finish;
  WalkResult result;
  bool skipped_for_privacy = false;

  void start(size_t index) {
    if (index >= decision->targets.size()) {
      result.stop_reason = skipped_for_privacy ? "privacy" : "exhausted";
      if (result.status.ok())
        result.status = Error(ErrorCode::kUnavailable,
                              "no target left to try for model '" + decision->model + "'");
      done_walk();
      return;
    }
    auto self = shared_from_this();
    attempt(decision->targets[index], index,
            [self, index](AttemptOutcome o) { self->on_outcome(index, std::move(o)); });
  }

  void on_outcome(size_t index, AttemptOutcome o) {
    const RouteTarget& t = decision->targets[index];
    result.attempts.push_back({t.provider, t.model, o.status, o.retryable, o.tokens_sent});
    if (o.status.ok()) {
      result.status = ok_status();
      result.served_index = static_cast<int>(index);
      result.stop_reason = "ok";
      return done_walk();
    }
    result.status = o.status;
    if (o.tokens_sent) {
      result.stop_reason = "tokens_sent";  // a stream error, never restarted elsewhere
      return done_walk();
    }
    if (!o.retryable) {
      result.stop_reason = "not_retryable";
      return done_walk();
    }
    size_t next = index + 1;
    while (next < decision->targets.size() &&
           !FallbackWalker::may_fall_back(*decision, index, next)) {
      skipped_for_privacy = true;
      ++next;
    }
    start(next);
  }

  void done_walk() {
    auto f = std::move(finish);
    finish = nullptr;
    attempt = nullptr;  // break the cycle through captured callbacks
    if (f) f(std::move(result));
  }
};

}  // namespace

bool FallbackWalker::may_fall_back(const RouteDecision& decision, size_t from, size_t to) {
  if (to >= decision.targets.size() || from >= decision.targets.size()) return false;
  const RouteTarget& a = decision.targets[from];
  const RouteTarget& b = decision.targets[to];
  if (decision.privacy == PrivacyClass::kSensitive && !b.on_premises) return false;
  if (decision.privacy != PrivacyClass::kPublic && a.on_premises && !b.on_premises && !b.redact)
    return false;
  return true;
}

void FallbackWalker::run(std::shared_ptr<const RouteDecision> decision, Attempt attempt,
                         Finish finish) {
  auto st = std::make_shared<WalkState>();
  st->decision = std::move(decision);
  st->attempt = std::move(attempt);
  st->finish = std::move(finish);
  if (st->decision->targets.empty()) {
    st->result.status = Error(ErrorCode::kUnavailable, "route has no targets");
    st->result.stop_reason = "exhausted";
    st->done_walk();
    return;
  }
  // The first target must itself be allowed: sensitive data never starts on a remote target.
  if (st->decision->privacy == PrivacyClass::kSensitive && !st->decision->targets[0].on_premises) {
    st->result.status = Error(ErrorCode::kPermissionDenied,
                              "sensitive request routed to a remote target; refusing");
    st->result.stop_reason = "privacy";
    st->done_walk();
    return;
  }
  st->start(0);
}

}  // namespace fulcrum::router
