// Request budgets shared by every user of the same name, delaying requests on the loop's timers
// until a venue's rate limits allow them, and obeying the venue's 429/418 answers.
//
// The model follows Binance spot (rest-api.md, "LIMITS"): every endpoint has a weight; the venue
// counts weight per IP in intervals (REQUEST_WEIGHT, e.g. 6000 per 1 minute) and orders per
// account (ORDERS, e.g. 100 per 10 seconds); every response carries the venue's own count in
// `X-MBX-USED-WEIGHT-(intervalNum)(intervalLetter)` and order responses in
// `X-MBX-ORDER-COUNT-(intervalNum)(intervalLetter)`; HTTP 429 means a limit was broken, with
// `Retry-After` in seconds to wait "to prevent a ban"; HTTP 418 means the IP is banned
// ("from 2 minutes to 3 days"), with `Retry-After` until the ban ends. The bodies of both carry
// error -1003 TOO_MANY_REQUESTS (errors.md, "10xx"); the headers are what this reads, as they are
// machine-readable and present on every venue that speaks HTTP 429. Nothing here knows a venue's
// name: the connector defines its budgets and the header that reports each one.
//
// Threading: the loop thread only. Callbacks are always invoked from the loop, never from inside
// the call that queued them.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tradehost::net {

/// A response header as (name, value); names compare case-insensitively.
using HeaderField = std::pair<std::string, std::string>;

/// One shared budget: at most `limit` weight units in any `interval`.
struct BudgetSpec {
  /// Unique name, by convention `<venue>:<rateLimitType>:<interval>` as in
  /// "binance-spot:REQUEST_WEIGHT:1m"; everyone who names it spends from the same budget.
  std::string name;
  /// The venue whose 429/418 answers hold this budget's requests (e.g. "binance-spot").
  std::string venue;
  /// Weight units allowed per interval (Binance: `rateLimits[].limit` of /api/v3/exchangeInfo).
  int64_t limit = 0;
  /// Window length (Binance: `intervalNum` x `interval`). > 0.
  std::chrono::milliseconds interval{0};
  /// Response header carrying the venue's count for this budget, e.g. "X-MBX-USED-WEIGHT-1M" or
  /// "X-MBX-ORDER-COUNT-10S" (rest-api.md "IP Limits", "Order Rate Limits"). Empty: none.
  std::string usage_header;

  bool operator==(const BudgetSpec&) const = default;
};

/// Spend `weight` units of budget `budget` (Binance: the endpoint's documented weight).
struct BudgetUse {
  std::string budget;
  int64_t weight = 1;
};

/// What one request costs. An empty `venue` means the request is not rate limited at all.
struct RequestCost {
  std::string venue;
  /// Every budget it spends from; each must be defined with the same venue. May be empty (the
  /// request then only obeys the venue's 429 holds and 418 ban).
  std::vector<BudgetUse> budgets;
};

/// At most `limit` units in any window of length `interval` (a sliding log of spends). A spend
/// at time t counts during [t, t + interval). Sliding rather than the venue's fixed windows on
/// purpose: a sliding window that never exceeds the limit can exceed no fixed window either,
/// whatever the venue's window alignment, so being wrong about the alignment cannot cost a ban.
/// Pure arithmetic on the time points it is given; no clock of its own.
class SlidingWindow {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  SlidingWindow(int64_t limit, std::chrono::nanoseconds interval) : limit_(limit), interval_(interval) {}

  /// Units spent in (now - interval, now].
  int64_t used(time_point now);
  /// The earliest time >= now at which `weight` more units fit. Requires 0 <= weight <= limit.
  time_point admit_at(time_point now, int64_t weight);
  /// Spends `weight` units at `now`.
  void record(time_point now, int64_t weight);
  /// The venue reports `reported` units used: when that is more than this window counts (other
  /// processes on the same IP, requests the venue weighed differently) the difference is spent
  /// at `now`. A lower report is ignored: the venue's window may just have reset while requests
  /// this process has sent are still on their way, and undercounting is what gets an IP banned.
  void raise_to(time_point now, int64_t reported);

  int64_t limit() const { return limit_; }

 private:
  void expire(time_point now);

  int64_t limit_;
  std::chrono::nanoseconds interval_;
  std::deque<std::pair<time_point, int64_t>> spends_;  // oldest first
  int64_t total_ = 0;
};

/// Why an admission did not happen.
enum class AdmitStatus {
  admitted,
  /// The venue answered 418: nothing is sent to it until lift_ban(). The reason says more.
  banned,
  /// cancel() was called.
  cancelled,
  /// Unknown budget, a budget of another venue, or a weight above the budget's limit (it could
  /// never be admitted).
  invalid,
};

struct RateLimiterOptions {
  /// How long a 429 without a usable `Retry-After` holds the venue. Binance sends none when the
  /// ORDERS count is exceeded (rest-api.md "Order Rate Limits"); retrying within a few seconds
  /// risks repeated 429s, which is what escalates to a ban, so the default is generous.
  std::chrono::milliseconds hold_without_retry_after{60'000};
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using Ticket = uint64_t;
  /// Called once per admission request with its outcome; `reason` is empty when admitted.
  using OnAdmit = std::function<void(AdmitStatus status, std::string_view reason)>;
  /// Called when a venue bans us (HTTP 418), with a line saying so and when the ban ends.
  using OnBan = std::function<void(std::string_view venue, std::string_view reason)>;

  explicit RateLimiter(boost::asio::io_context& io, OnBan on_ban = {}, RateLimiterOptions options = {});
  /// Queued admissions are dropped without their callbacks.
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  /// Declares a budget. Declaring one that exists with the same spec is a no-op (every user of a
  /// name may declare it); a different spec under the same name throws std::invalid_argument, as
  /// do an empty name or venue, limit <= 0 and interval <= 0.
  void define(const BudgetSpec& spec);

  /// Queues a request costing `cost`; `on_admit` is called once, from the loop, when the budgets
  /// allow it (the weights are spent at that moment) or with the reason it never will. Requests
  /// of one venue are admitted in FIFO order: a heavy request at the head is not starved by light
  /// ones behind it. An empty `cost.venue` is admitted at once.
  Ticket acquire(RequestCost cost, OnAdmit on_admit);

  /// Withdraws a queued request; its callback gets AdmitStatus::cancelled. False when the ticket
  /// is not queued (already admitted, refused or unknown).
  bool cancel(Ticket ticket);

  /// Feeds a venue's response back: raises budgets from their `usage_header`; on 429 holds every
  /// request of `venue` for `Retry-After` seconds (RateLimiterOptions::hold_without_retry_after
  /// when absent); on 418 bans the venue: queued requests fail with AdmitStatus::banned, new ones
  /// too, until lift_ban(), and OnBan is called once.
  void on_response(std::string_view venue, unsigned status, std::span<const HeaderField> headers);

  /// Lets requests go to a banned venue again (an operator's decision, after the ban ended).
  void lift_ban(std::string_view venue);

  /// Units of `budget` spent in its current window; nullopt when not defined.
  std::optional<int64_t> used(std::string_view budget);
  /// Every defined budget with the units spent in its current window (for /metrics), by name.
  struct BudgetLevel {
    std::string name, venue;
    int64_t limit = 0, used = 0;
  };
  std::vector<BudgetLevel> levels();
  /// When a 429 hold on `venue` ends, if one is in force.
  std::optional<Clock::time_point> held_until(std::string_view venue) const;
  bool banned(std::string_view venue) const;
  /// Requests waiting for `venue`.
  size_t queued(std::string_view venue) const;

 private:
  struct Budget {
    BudgetSpec spec;
    SlidingWindow window;
  };
  struct Pending {
    Ticket ticket;
    std::vector<std::pair<Budget*, int64_t>> uses;
    OnAdmit on_admit;
  };
  struct Venue {
    explicit Venue(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    std::deque<Pending> queue;
    std::optional<Clock::time_point> held_until;
    bool banned = false;
    std::string ban_reason;
  };

  Venue& venue(std::string_view name);
  void pump(Venue& v);
  void deliver(OnAdmit cb, AdmitStatus status, std::string reason);

  boost::asio::io_context& io_;
  OnBan on_ban_;
  RateLimiterOptions options_;
  std::map<std::string, Budget, std::less<>> budgets_;
  std::map<std::string, std::unique_ptr<Venue>, std::less<>> venues_;
  Ticket next_ticket_ = 1;
  // Timer handlers hold this weakly: a wait that already completed runs after cancel().
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace tradehost::net
