#include "net/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace tradehost::net {

RandomSource default_random_source() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, uint32_t attempt, double r) {
  const double base = static_cast<double>(policy.base.count());
  const double cap = static_cast<double>(policy.cap.count());
  // 2^attempt overflows nothing in double until ~1000; clamp early anyway, the cap wins by then.
  const double step = std::min(cap, base * std::ldexp(1.0, static_cast<int>(std::min<uint32_t>(attempt, 62))));
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  const double fraction = std::clamp(r, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(std::floor(step * (1.0 - jitter * fraction))));
}

ReconnectBackoff::ReconnectBackoff(BackoffPolicy policy, RandomSource random)
    : policy_(policy), random_(random ? std::move(random) : default_random_source()) {}

std::chrono::milliseconds ReconnectBackoff::next_delay() { return backoff_delay(policy_, attempt_++, random_()); }

}  // namespace tradehost::net
