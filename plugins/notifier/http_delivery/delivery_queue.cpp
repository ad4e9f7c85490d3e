#include "http_delivery/delivery_queue.hpp"

#include "http_delivery/retry_after.hpp"

#include <algorithm>

namespace tradehost::notify {
namespace {

constexpr uint64_t kRetryTimer = 1;  // on_timer cookie of the backoff timer

std::string ms(int64_t ns) { return std::to_string(ns / 1'000'000) + " ms"; }

}  // namespace

std::vector<tradehost::Field> retry_fields() {
  return {
      {"max_attempts", TH_CFG_I64, "5", "tries per notification, the first included (>= 1); then it is given up with a warning"},
      {"retry_initial", TH_CFG_DURATION, "\"1s\"", "wait after the first failed try; doubles after each further failure (loop clock)"},
      {"retry_max", TH_CFG_DURATION, "\"1m\"", "longest wait between tries (a server's retry_after may ask for longer)"},
      tradehost::Field{"max_queue", TH_CFG_I64, "100", "notifications waiting behind the one being sent (>= 1); when full the oldest is dropped"}
          .with_unit("notifications"),
      {"timeout", TH_CFG_DURATION, "\"10s\"", "one HTTP request, connect to last byte"},
  };
}

RetrySettings read_retry_settings(const tradehost::Context& ctx) {
  RetrySettings s;
  s.max_attempts = ctx.i64("max_attempts");
  s.initial_backoff_ns = ctx.duration_ns("retry_initial");
  s.max_backoff_ns = ctx.duration_ns("retry_max");
  s.max_queue = ctx.i64("max_queue");
  s.timeout_ns = ctx.duration_ns("timeout");
  auto bad = [](const char* key, const char* rule) {
    throw tradehost::Error(TH_ERR_INVALID_ARG, std::string("config key '") + key + "' " + rule);
  };
  if (s.max_attempts < 1) bad("max_attempts", "must be at least 1");
  if (s.initial_backoff_ns <= 0) bad("retry_initial", "must be longer than 0");
  if (s.max_backoff_ns < s.initial_backoff_ns) bad("retry_max", "must not be shorter than retry_initial");
  if (s.max_queue < 1) bad("max_queue", "must be at least 1");
  if (s.timeout_ns < 1'000'000 || s.timeout_ns > 3'600'000'000'000) bad("timeout", "must be between 1ms and 1h");
  return s;
}

DeliveryQueue::DeliveryQueue(tradehost::Context ctx, RetrySettings settings, std::string url, std::string headers,
                             std::string log_target, uint32_t extra_flags)
    : ctx_(ctx), settings_(settings), url_(std::move(url)), headers_(std::move(headers)), log_target_(std::move(log_target)),
      extra_flags_(extra_flags) {}

void DeliveryQueue::push(std::string body, std::string what) {
  // The front item is already on its way (or waiting for its retry): only those behind it count.
  const size_t waiting = items_.empty() ? 0 : items_.size() - 1;
  if (waiting >= static_cast<size_t>(settings_.max_queue)) {
    const Item& oldest = items_[1];
    if (dropped_unreported_ == 0)
      ctx_.warn("queue full (max_queue=" + std::to_string(settings_.max_queue) + "): dropping the oldest waiting notification " +
                oldest.what + "; later drops are counted until the queue has room");
    ++dropped_unreported_;
    ++dropped_total_;
    items_.erase(items_.begin() + 1);
  }
  items_.push_back(Item{std::move(body), std::move(what), 0});
  if (state_ == State::idle) send_front();
}

void DeliveryQueue::send_front() {
  Item& item = items_.front();
  ++item.attempts;
  th_http_request req{};
  req.struct_size = sizeof req;
  req.method = TH_HTTP_POST;
  req.url = tradehost::to_th(url_);
  req.headers = tradehost::to_th(headers_);
  req.body = th_bytes{reinterpret_cast<const uint8_t*>(item.body.data()), item.body.size()};
  req.timeout_ms = static_cast<uint32_t>(settings_.timeout_ns / 1'000'000);
  // A chat message is not an order: sending it twice beats not sending it.
  req.flags = TH_HTTP_IDEMPOTENT | extra_flags_;
  request_id_ = ctx_.host()->http_request(ctx_.self(), &req, ++cookie_);
  if (request_id_ == 0) {
    // Refused at once (the host logged why): the request itself is wrong, retrying cannot help.
    ctx_.warn("dropped " + item.what + ": the host refused the request to " + log_target_);
    next();
    return;
  }
  state_ = State::in_flight;
}

void DeliveryQueue::next() {
  items_.pop_front();
  state_ = State::idle;
  request_id_ = 0;
  report_drops();
  if (!items_.empty()) send_front();
}

void DeliveryQueue::report_drops() {
  if (dropped_unreported_ == 0) return;
  ctx_.warn("dropped " + std::to_string(dropped_unreported_) + " notification(s) while the queue was full (" +
            std::to_string(dropped_total_) + " in all)");
  dropped_unreported_ = 0;
}

void DeliveryQueue::on_http(uint64_t request_id, uint64_t cookie, const th_http_response& r) {
  if (state_ != State::in_flight || request_id != request_id_ || cookie != cookie_) return;
  Item& item = items_.front();
  const std::string_view body(reinterpret_cast<const char*>(r.body.ptr), r.body.ptr ? r.body.len : 0);
  if (r.error == TH_OK && r.status >= 200 && r.status < 300) {
    if (item.attempts > 1) ctx_.info("delivered " + item.what + " to " + log_target_ + " after " + std::to_string(item.attempts) + " tries");
    next();
    return;
  }
  if (r.error == TH_ERR_IO || r.error == TH_ERR_RETRY) {
    failed_attempt(std::string(tradehost::to_sv(r.message)), std::nullopt);
    return;
  }
  if (r.error != TH_OK) {
    ctx_.warn("dropped " + item.what + " to " + log_target_ + ": " + std::string(tradehost::to_sv(r.message)) + " (not retried)");
    next();
    return;
  }
  std::string why = "HTTP " + std::to_string(r.status);
  if (!body.empty()) why.append(" ").append(failure_text(body));
  if (r.status == 429 || r.status == 408 || r.status >= 500) {
    failed_attempt(why, retry_after_ns(tradehost::to_sv(r.headers), body));
    return;
  }
  ctx_.warn("dropped " + item.what + " to " + log_target_ + ": " + why + " (not retried: the request itself was refused)");
  next();
}

void DeliveryQueue::failed_attempt(const std::string& why, std::optional<int64_t> wait_ns) {
  Item& item = items_.front();
  if (item.attempts >= settings_.max_attempts) {
    ctx_.warn("gave up " + item.what + " to " + log_target_ + " after " + std::to_string(item.attempts) + " tries: " + why);
    next();
    return;
  }
  int64_t wait = settings_.initial_backoff_ns;
  for (int64_t i = 1; i < item.attempts && wait < settings_.max_backoff_ns; ++i) wait *= 2;
  wait = std::min(wait, settings_.max_backoff_ns);
  const bool asked = wait_ns.has_value();
  if (asked) wait = std::max<int64_t>(*wait_ns, 1'000'000);  // the server knows best; never 0 (timer_start refuses 0)
  ctx_.warn("try " + std::to_string(item.attempts) + "/" + std::to_string(settings_.max_attempts) + " of " + item.what + " to " +
            log_target_ + " failed: " + why + "; retrying in " + ms(wait) + (asked ? " (as the server asked)" : ""));
  timer_id_ = ctx_.host()->timer_start(ctx_.self(), wait, 0, kRetryTimer);
  if (timer_id_ == 0) {
    ctx_.warn("gave up " + item.what + ": the host refused the retry timer");
    next();
    return;
  }
  state_ = State::backing_off;
  request_id_ = 0;
}

void DeliveryQueue::on_timer(uint64_t timer_id, uint64_t cookie) {
  if (state_ != State::backing_off || cookie != kRetryTimer || timer_id != timer_id_) return;
  timer_id_ = 0;
  send_front();
}

void DeliveryQueue::stop() {
  if (state_ == State::backing_off && timer_id_) ctx_.host()->timer_cancel(ctx_.self(), timer_id_);
  report_drops();
  if (!items_.empty())
    ctx_.warn("stopping with " + std::to_string(items_.size()) + " notification(s) not delivered to " + log_target_ +
              " (the oldest: " + items_.front().what + ")");
  items_.clear();
  state_ = State::idle;
}

}  // namespace tradehost::notify
