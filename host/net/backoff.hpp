// Reconnect delays: exponential backoff with a cap and downward jitter.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace tradehost::net {

/// A source of uniformly distributed doubles in [0, 1). Injected so tests can fix the jitter.
using RandomSource = std::function<double()>;

/// A RandomSource backed by a std::mt19937_64 seeded from std::random_device: reconnecting
/// clients on different hosts must not retry in lockstep.
RandomSource default_random_source();

struct BackoffPolicy {
  /// Delay before the first retry, before jitter.
  std::chrono::milliseconds base{500};
  /// No delay exceeds this (before jitter is taken off). The default keeps a market-data stream
  /// that lost its venue retrying at least twice a minute.
  std::chrono::milliseconds cap{30'000};
  /// Fraction of the delay that jitter may remove, in [0, 1]. 0.5 spreads clients over the upper
  /// half of each step, which is enough to break up a thundering herd after a venue outage while
  /// still backing off by at least base * 2^n / 2.
  double jitter = 0.5;
};

/// The delay before retry number `attempt` (0 for the first retry), with r from a RandomSource:
///
///     step  = min(cap, base * 2^attempt)
///     delay = step * (1 - jitter * r)          truncated to whole milliseconds
///
/// e.g. base 100 ms, cap 1000 ms, jitter 0.5, r 0.5: 75, 150, 300, 600, 750, 750, ... ms.
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, uint32_t attempt, double r);

/// Counts consecutive failures and hands out the next delay.
class ReconnectBackoff {
 public:
  /// An empty `random` means default_random_source().
  explicit ReconnectBackoff(BackoffPolicy policy, RandomSource random = {});

  /// The delay before the next attempt; each call moves one step up the ladder.
  std::chrono::milliseconds next_delay();
  /// Back to the first step (after a connection proved stable).
  void reset() { attempt_ = 0; }
  /// Delays handed out since the last reset.
  uint32_t attempts() const { return attempt_; }
  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  RandomSource random_;
  uint32_t attempt_ = 0;
};

}  // namespace tradehost::net
