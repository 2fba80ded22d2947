// Circuit breaker, backoff with jitter, Retry-After parsing and replica balancing.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "providers/circuit_breaker.h"
#include "providers/replica_set.h"
#include "providers/retry_policy.h"

namespace fulcrum::providers {
namespace {

using namespace std::chrono_literals;

TEST(CircuitBreaker, OpensHalfOpensAndCloses) {
  CircuitBreaker b(3, 100ms);
  auto t = CircuitBreaker::Clock::now();
  EXPECT_TRUE(b.allow(t));
  b.on_failure(t);
  b.on_failure(t);
  EXPECT_EQ(b.state(t), CircuitBreaker::State::kClosed);
  b.on_failure(t);
  EXPECT_EQ(b.state(t), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(b.allow(t + 50ms));
  EXPECT_EQ(b.state(t + 150ms), CircuitBreaker::State::kHalfOpen);
  EXPECT_TRUE(b.allow(t + 150ms));   // the one trial call
  EXPECT_FALSE(b.allow(t + 151ms));  // no second trial while it runs
  b.on_failure(t + 160ms);           // trial failed: open again, cooldown restarts
  EXPECT_FALSE(b.allow(t + 200ms));
  EXPECT_TRUE(b.allow(t + 300ms));
  b.on_success();
  EXPECT_EQ(b.state(t + 300ms), CircuitBreaker::State::kClosed);
  EXPECT_EQ(b.consecutive_failures(), 0);
}

TEST(CircuitBreaker, SuccessResetsTheFailureCountAndCleanSuccessesChangeNothing) {
  CircuitBreaker b(3, 100ms);
  auto t = CircuitBreaker::Clock::now();
  for (int round = 0; round < 3; ++round) {
    b.on_success();  // nothing to reset (the lock-free path)
    b.on_failure(t);
    b.on_failure(t);
    EXPECT_EQ(b.consecutive_failures(), 2);
    b.on_success();  // two failures to forget: the locked path
    EXPECT_EQ(b.consecutive_failures(), 0);
    EXPECT_EQ(b.state(t), CircuitBreaker::State::kClosed);
  }
  b.on_failure(t);
  b.on_failure(t);
  b.on_failure(t);  // the third in a row opens it
  EXPECT_EQ(b.state(t), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(b.would_allow(t));
  EXPECT_FALSE(b.allow(t));
}

TEST(CircuitBreaker, ThreadsSeeItOpenAndClose) {
  // Several threads call allow() while this one records failures: once they are in, every
  // thread is refused; after the cooldown exactly one trial gets through, and its success
  // closes the breaker for all of them.
  CircuitBreaker b(5, 1000ms);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> allowed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        allowed += b.allow(CircuitBreaker::Clock::now()) ? 1 : 0;
        std::this_thread::yield();
      }
    });
  }
  auto t = CircuitBreaker::Clock::now();
  for (int i = 0; i < 5; ++i) b.on_failure(t);
  EXPECT_EQ(b.state(t), CircuitBreaker::State::kOpen);
  std::this_thread::sleep_for(20ms);  // calls that passed before the fifth failure finish
  int64_t before = allowed.load();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(allowed.load(), before);  // open, within the cooldown: nobody gets through
  auto wait_until = [&](int64_t at_least) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (allowed.load() < at_least && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
  };
  wait_until(before + 1);  // the cooldown ends: half-open
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(allowed.load(), before + 1);  // one trial, no second while it runs
  b.on_success();
  wait_until(before + 100);
  EXPECT_GE(allowed.load(), before + 100);
  stop = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(b.state(CircuitBreaker::Clock::now()), CircuitBreaker::State::kClosed);
}

TEST(Backoff, ExponentialFullJitterCappedAndRetryAfterFloor) {
  std::mt19937_64 rng(42);
  BackoffPolicy p{100, 1000};
  for (int retry = 1; retry <= 8; ++retry) {
    int64_t cap = std::min<int64_t>(1000, 100LL << (retry - 1));
    int64_t max_seen = 0;
    for (int i = 0; i < 500; ++i) {
      int64_t d = backoff_delay_ms(p, retry, -1, rng);
      ASSERT_GE(d, 0);
      ASSERT_LE(d, cap);
      max_seen = std::max(max_seen, d);
    }
    EXPECT_GT(max_seen, cap / 2) << "jitter should spread over [0, cap]";
  }
  for (int i = 0; i < 100; ++i) EXPECT_GE(backoff_delay_ms(p, 1, 2500, rng), 2500);
}

TEST(RetryAfter, ParsesSecondsAndDates) {
  EXPECT_EQ(parse_retry_after_ms("2", 0), 2000);
  EXPECT_EQ(parse_retry_after_ms(" 0.5 ", 0), 500);
  EXPECT_EQ(parse_retry_after_ms("", 0), -1);
  EXPECT_EQ(parse_retry_after_ms("soon", 0), -1);
  EXPECT_EQ(parse_retry_after_ms("-1", 0), -1);
  // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480
  EXPECT_EQ(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470), 10000);
  EXPECT_EQ(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490), 0);
}

ProviderConfig two_replicas(BalancePolicy policy, double w0, double w1) {
  ProviderConfig c;
  c.name = "p";
  c.kind = "openai_compat";
  c.balance = policy;
  c.breaker_failures = 1;
  c.breaker_cooldown_ms = 60'000;
  c.replicas = {ReplicaConfig{"http://a", w0, ""}, ReplicaConfig{"http://b", w1, ""}};
  return c;
}

TEST(ReplicaSet, WeightedPickFollowsWeights) {
  ReplicaSet rs(two_replicas(BalancePolicy::kWeighted, 3, 1));
  int counts[2] = {0, 0};
  for (int i = 0; i < 4000; ++i) ++counts[rs.pick(0)];
  double share = counts[0] / 4000.0;
  EXPECT_NEAR(share, 0.75, 0.05);
}

TEST(ReplicaSet, RetryAvoidsTriedReplicaAndBreakersExclude) {
  ReplicaSet rs(two_replicas(BalancePolicy::kWeighted, 1000, 1));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(rs.pick(0b01), 1);  // replica 0 already tried
  rs.record_failure(0);                                      // breaker_failures = 1: opens
  for (int i = 0; i < 50; ++i) EXPECT_EQ(rs.pick(0), 1);
  EXPECT_EQ(rs.health(), Health::kDegraded);
  rs.record_failure(1);
  EXPECT_EQ(rs.pick(0), -1);
  EXPECT_EQ(rs.health(), Health::kUnhealthy);
}

TEST(ReplicaSet, OneReplicaIsPickedTriedOrNotWhileItsBreakerAllows) {
  ProviderConfig c = two_replicas(BalancePolicy::kWeighted, 1, 1);
  c.replicas.pop_back();
  c.breaker_cooldown_ms = 40;
  ReplicaSet rs(c);
  EXPECT_EQ(rs.pick(0), 0);
  EXPECT_EQ(rs.pick(0b1), 0);  // a retry goes back to the only replica
  rs.record_failure(0);        // breaker_failures = 1: opens
  EXPECT_EQ(rs.pick(0), -1);
  EXPECT_EQ(rs.health(), Health::kUnhealthy);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(rs.pick(0), 0);   // half-open: the one trial
  EXPECT_EQ(rs.pick(0), -1);  // no second trial while it runs
  rs.record_success(0, 5);
  EXPECT_EQ(rs.pick(0), 0);
  EXPECT_EQ(rs.health(), Health::kHealthy);
}

TEST(ReplicaSet, LeastLatencyPrefersTheFasterReplica) {
  ReplicaSet rs(two_replicas(BalancePolicy::kLeastLatency, 1, 1));
  rs.record_success(0, 80);
  EXPECT_EQ(rs.pick(0), 1);  // untried replicas are probed first
  rs.record_success(1, 20);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(rs.pick(0), 1);
  for (int i = 0; i < 20; ++i) rs.record_success(1, 200);  // replica 1 slows down
  EXPECT_EQ(rs.pick(0), 0);
  EXPECT_GT(rs.latency_ewma_ms(1), rs.latency_ewma_ms(0));
}

}  // namespace
}  // namespace fulcrum::providers
