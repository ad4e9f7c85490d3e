// The delivery queue of a notifier that POSTs over the host's HTTP (ABI 1.2): notify() only
// enqueues, so trading never waits on a chat service; one request is in flight at a time, so
// notifications arrive in the order they were raised; failures are retried with exponential
// backoff on host timers (never a sleep), and every failure is logged, never returned.
#pragma once

#include <tradehost/plugin.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace tradehost::notify {

/// Retry and queue settings, from the config keys retry_fields() declares.
struct RetrySettings {
  int64_t max_attempts = 5;                      ///< tries per notification, the first included; >= 1
  int64_t initial_backoff_ns = 1'000'000'000;    ///< wait after the first failure; doubles per failure
  int64_t max_backoff_ns = 60'000'000'000;       ///< cap of that wait
  int64_t max_queue = 100;                       ///< notifications waiting behind the one being sent; >= 1
  int64_t timeout_ns = 10'000'000'000;           ///< one request, connect to last byte
};

/// The config keys of RetrySettings: max_attempts, retry_initial, retry_max, max_queue, timeout.
std::vector<tradehost::Field> retry_fields();

/// Reads and checks them. Throws tradehost::Error(TH_ERR_INVALID_ARG) naming the key.
RetrySettings read_retry_settings(const tradehost::Context& ctx);

/// One POST target with a FIFO of JSON bodies. Loop thread only (every call comes from the
/// notifier's callbacks).
///
/// Outcome of each attempt (th_http_response):
///   2xx                                 delivered; the next one goes out
///   429, 5xx, 408; TH_ERR_IO (connect,  retried after retry_after_ns() of the answer when it
///   TLS, connection lost), TH_ERR_RETRY gives one, else after the backoff; after max_attempts
///   (timed out)                         tries the notification is given up with a warning
///   other 4xx, TH_ERR_INVALID_ARG,      dropped at once with a warning: repeating it cannot help
///   TH_ERR_REJECTED
/// A request that may have reached the server before its connection broke
/// (TH_HTTP_MAYBE_SENT) is retried as well: a notification may then arrive twice, which beats
/// losing it. When the queue is full the oldest waiting notification is dropped; the first drop
/// of a run of drops is logged at once, the count when the queue has room again.
class DeliveryQueue {
 public:
  /// url: where to POST (may hold a secret: never logged); headers: "Name: value" lines;
  /// log_target: what the log calls the target (the URL with its secret masked); extra_flags:
  /// th_http_request flags added to every request, e.g. TH_HTTP_CREDENTIAL (ABI 1.5) when `url`
  /// holds "{credential}" for the host to expand.
  DeliveryQueue(tradehost::Context ctx, RetrySettings settings, std::string url, std::string headers,
                std::string log_target, uint32_t extra_flags = 0);

  /// Queues `body`; `what` names it in logs ("topic=fill"). Returns at once.
  void push(std::string body, std::string what);
  /// Forwarded from the component's on_http / on_timer.
  void on_http(uint64_t request_id, uint64_t cookie, const th_http_response& response);
  void on_timer(uint64_t timer_id, uint64_t cookie);
  /// Forwarded from the component's stop(): logs what was never delivered.
  void stop();

 private:
  struct Item {
    std::string body, what;
    int64_t attempts = 0;
  };
  enum class State { idle, in_flight, backing_off };

  void send_front();
  void next();
  void failed_attempt(const std::string& why, std::optional<int64_t> wait_ns);
  void report_drops();

  tradehost::Context ctx_;
  RetrySettings settings_;
  std::string url_, headers_, log_target_;
  uint32_t extra_flags_ = 0;
  std::deque<Item> items_;  // front: the one being sent or waiting to be retried
  State state_ = State::idle;
  uint64_t request_id_ = 0, timer_id_ = 0, cookie_ = 0;
  uint64_t dropped_total_ = 0, dropped_unreported_ = 0;
};

}  // namespace tradehost::notify
