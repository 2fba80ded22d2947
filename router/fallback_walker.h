// Runs a RouteDecision over providers: tries the targets in order, moving to the next one only
// when an attempt failed with a retryable error AND no token reached the client yet AND the
// move would not take sensitive data from an on-premises target to a remote one. Provider-
// agnostic: the caller supplies `attempt`, which starts one call (e.g. Provider::chat with a
// sink) and reports its outcome once through `done`, on any thread. Works synchronously too.
//
//   FallbackWalker::run(decision, [&](const RouteTarget& t, size_t i, auto done) {
//     provider(t.provider)->chat(req_for(t), ctx, make_sink(std::move(done)));
//   }, [&](const WalkResult& r) { ... });
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "router/route_decision.h"

namespace fulcrum::router {

struct AttemptOutcome {
  Status status;             // ok, or the provider's error
  bool retryable = false;    // the provider's classification of the error
  bool tokens_sent = false;  // some output already reached the client
};

struct AttemptRecord {
  std::string provider;
  std::string model;
  Status status;
  bool retryable = false;
  bool tokens_sent = false;
};

struct WalkResult {
  Status status;                        // ok if some attempt succeeded, else the last error
  int served_index = -1;                // index into decision.targets of the serving target
  std::vector<AttemptRecord> attempts;  // every attempt, in order (for the request log)
  std::string stop_reason;              // why the walk ended: "ok", "not_retryable",
                                        // "tokens_sent", "privacy", "exhausted"
};

class FallbackWalker {
 public:
  using Done = std::function<void(AttemptOutcome)>;
  using Attempt = std::function<void(const RouteTarget& target, size_t index, Done done)>;
  using Finish = std::function<void(WalkResult)>;

  // Starts the walk; `finish` is called exactly once, after the last attempt.
  static void run(std::shared_ptr<const RouteDecision> decision, Attempt attempt, Finish finish);

  // Whether moving from targets[from] to targets[to] is allowed for this decision.
  static bool may_fall_back(const RouteDecision& decision, size_t from, size_t to);
};

}  // namespace fulcrum::router
