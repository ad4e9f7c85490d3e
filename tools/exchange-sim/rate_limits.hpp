// rate_limits.hpp -- REQUEST_WEIGHT per IP and ORDERS per account, counted in fixed windows
// aligned to the interval (a minute starting at :00, ten seconds starting at a multiple of ten,
// a UTC day), which is how Binance's used-weight header falls back to 0 at each new minute.
// Spot counts orders per 10 s and per day, USDⓈ-M per 10 s and per minute (their exchangeInfo
// "rateLimits").
#ifndef TRADEHOST_EXCHANGE_SIM_RATE_LIMITS_HPP
#define TRADEHOST_EXCHANGE_SIM_RATE_LIMITS_HPP

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace tradehost::exchange_sim {

/// Rate limits published in exchangeInfo "rateLimits" and enforced by the simulator. 0 means
/// "the venue's published default" (spot 1200 weight / 50 per 10 s / 160000 per day; USDⓈ-M
/// 2400 weight / 300 per 10 s / 1200 per minute, as in the recorded USD-M exchangeInfo); the
/// Simulator fills them in when it starts.
struct RateLimitConfig {
  int request_weight_per_minute = 0;
  int orders_per_10s = 0;
  int orders_per_minute = 0;  ///< USDⓈ-M only
  int orders_per_day = 0;     ///< spot only
};

/// A counter that resets when time enters a new `window_ms`-aligned window.
class WindowCounter {
 public:
  explicit WindowCounter(int64_t window_ms = 60000) : window_ms_(window_ms) {}
  /// Adds `amount` at `now_ms` and returns the window's total including it.
  int64_t add(int64_t amount, int64_t now_ms) {
    roll(now_ms);
    return count_ += amount;
  }
  int64_t value(int64_t now_ms) {
    roll(now_ms);
    return count_;
  }
  /// Whole seconds, rounded up, until the current window ends: Retry-After of a 429.
  int64_t seconds_left(int64_t now_ms) const {
    int64_t end = (now_ms / window_ms_ + 1) * window_ms_;
    return (end - now_ms + 999) / 1000;
  }

 private:
  void roll(int64_t now_ms) {
    int64_t start = now_ms / window_ms_ * window_ms_;
    if (start != window_start_) window_start_ = start, count_ = 0;
  }
  int64_t window_ms_;
  int64_t window_start_ = -1;
  int64_t count_ = 0;
};

/// Used weight per client IP (1-minute windows) and order counts per account and window length.
class RateLimits {
 public:
  WindowCounter& weight(const std::string& ip) { return weights_.try_emplace(ip, 60000).first->second; }
  WindowCounter& orders(const std::string& account, int64_t window_ms) {
    return orders_.try_emplace({account, window_ms}, window_ms).first->second;
  }

 private:
  std::map<std::string, WindowCounter> weights_;
  std::map<std::pair<std::string, int64_t>, WindowCounter> orders_;
};

}  // namespace tradehost::exchange_sim

#endif
