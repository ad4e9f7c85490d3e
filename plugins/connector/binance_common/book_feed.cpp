#include "book_feed.hpp"

#include "venue_error.hpp"

#include <algorithm>
#include <cctype>

namespace tradehost::binance {

namespace {

constexpr th_time_ns kMs = 1'000'000;
constexpr th_time_ns kFirstRetry = 500 * kMs;
constexpr th_time_ns kMaxRetry = 30'000 * kMs;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Venue time of an event in ns: USD-M's transaction time `T` when sent, else `E` (spot), else now.
th_time_ns venue_time(int64_t transaction_ms, int64_t event_ms, th_time_ns now) {
  if (transaction_ms > 0) return transaction_ms * kMs;
  if (event_ms > 0) return event_ms * kMs;
  return now;
}

}  // namespace

const DepthLimit* DepthEndpoint::limit_for(size_t depth) const noexcept {
  for (const DepthLimit& l : limits)
    if (l.limit >= depth) return &l;
  return nullptr;
}

DepthEndpoint spot_depth_endpoint() { return {"/api/v3/depth", {{100, 5}, {500, 25}, {1000, 50}, {5000, 250}}}; }

DepthEndpoint usdm_depth_endpoint() {
  return {"/fapi/v1/depth", {{5, 2}, {10, 2}, {20, 2}, {50, 2}, {100, 5}, {500, 10}, {1000, 20}}};
}

/// One instrument's feed: its stream, its synchroniser and what the consumer was sent.
struct BookFeeds::Feed {
  Feed(th_instrument_id id_, std::string symbol_, Scales scales_, Venue venue, size_t depth)
      : id(id_), symbol(std::move(symbol_)), scales(scales_), cookie(kCookieBase + id_), sync(venue), window(depth) {}

  th_instrument_id id;
  std::string symbol;  // upper case, as in the diffs' `s`
  Scales scales;
  uint64_t cookie;
  uint64_t conn = 0;
  bool open = false;  // the stream is open (between OPENED and CLOSED)
  DepthSynchroniser sync;
  BookWindow window;
  uint64_t snapshot_request = 0;  // the snapshot request whose answer counts; 0 = none
  uint64_t retry_timer = 0;       // the timer that asks for a snapshot again; 0 = none
  int failures = 0;               // snapshots that failed or did not bridge since the last sync
  bool published = false;         // the consumer holds a book from this feed
  bool lost = false;              // DISCONNECTED was sent; READY follows the next SNAPSHOT
};

BookFeeds::BookFeeds(Context ctx, BookFeedSettings settings)
    : ctx_(ctx), settings_(std::move(settings)), snapshot_limit_(nullptr), parser_(settings_.venue) {
  snapshot_limit_ = settings_.book_depth == 0 ? nullptr : settings_.depth.limit_for(settings_.book_depth);
  if (snapshot_limit_ == nullptr)
    throw Error(TH_ERR_INVALID_ARG, "book_depth must be between 1 and " + std::to_string(settings_.depth.max_depth()) +
                                        " (the most " + settings_.depth.path + " returns)");
}

BookFeeds::~BookFeeds() = default;

void BookFeeds::add(th_instrument_id id, const std::string& symbol, Scales scales) {
  if (feeds_.count(id)) return;
  parser_.set_scales(symbol, scales);
  auto feed = std::make_unique<Feed>(id, symbol, scales, settings_.venue, settings_.book_depth);
  const std::string url = settings_.ws_url + "/ws/" + lower(symbol) + settings_.stream;
  feed->conn = ctx_.host()->ws_open(ctx_.self(), to_th(url), feed->cookie);
  if (feed->conn == 0) throw Error(TH_ERR_IO, "cannot open " + url);
  ctx_.info("book feed symbol=" + symbol + " depth=" + std::to_string(settings_.book_depth) +
            " snapshot_limit=" + std::to_string(snapshot_limit_->limit) + " stream=" + url);
  feeds_.emplace(id, std::move(feed));
}

const DepthSynchroniser* BookFeeds::synchroniser(th_instrument_id id) const {
  auto it = feeds_.find(id);
  return it == feeds_.end() ? nullptr : &it->second->sync;
}

BookFeeds::Feed* BookFeeds::find(uint64_t cookie) {
  if (!owns(cookie)) return nullptr;
  auto it = feeds_.find(static_cast<th_instrument_id>(cookie - kCookieBase));
  return it == feeds_.end() ? nullptr : it->second.get();
}

void BookFeeds::on_ws(uint64_t cookie, int32_t what, std::string_view data) {
  Feed* f = find(cookie);
  if (f == nullptr) return;
  if (what == TH_WS_OPENED) {
    // A new connection starts the procedure over: its diffs are buffered from here, and only a
    // snapshot asked for now can be bridged by them.
    if (f->published) lose(*f, "market stream reopened");
    f->open = true;
    f->sync.reset();
    f->failures = 0;
    forget_snapshot_request(*f);
    request_snapshot(*f);
    return;
  }
  if (what == TH_WS_CLOSED) {
    f->open = false;
    forget_snapshot_request(*f);
    lose(*f, "market stream closed (" + std::string(data) + ")");
    f->sync.reset();
    return;
  }
  if (what != TH_WS_MESSAGE) return;
  std::string error;
  if (!parser_.parse_stream(data, msg_, error)) {
    ctx_.warn("book stream symbol=" + f->symbol + ": " + error);
    return;
  }
  if (msg_.kind != StreamKind::DepthDiff || msg_.depth.symbol != f->symbol) return;
  on_diff(*f, msg_.depth);
}

void BookFeeds::on_diff(Feed& f, const DepthDiff& d) {
  const int64_t before = f.sync.last_update_id();
  switch (f.sync.on_diff(d)) {
    case DepthSynchroniser::Outcome::Applied: {
      const th_time_ns ts = venue_time(d.transaction_time_ms, d.event_time_ms, ctx_.now());
      if (f.published)
        publish_delta(f, ts);
      else
        publish_snapshot(f, ts);  // the first publication of this book, or the last one failed
      return;
    }
    case DepthSynchroniser::Outcome::ResyncNeeded:
      lose(f, "sequence gap: diff U=" + std::to_string(d.first_update_id) + " u=" + std::to_string(d.final_update_id) +
                  (settings_.venue == Venue::UsdM ? " pu=" + std::to_string(d.prev_final_update_id) : "") +
                  " after update id " + std::to_string(before));
      request_snapshot(f);
      return;
    case DepthSynchroniser::Outcome::Buffered:
      if (f.snapshot_request == 0 && f.retry_timer == 0 && f.open) request_snapshot(f);
      return;
    case DepthSynchroniser::Outcome::Stale:
      return;
  }
}

void BookFeeds::on_http(uint64_t request_id, uint64_t cookie, const th_http_response& r) {
  Feed* f = find(cookie);
  // Answers to requests given up on (the stream closed or reopened since) no longer count.
  if (f == nullptr || request_id == 0 || request_id != f->snapshot_request) return;
  f->snapshot_request = 0;
  on_snapshot(*f, r);
}

void BookFeeds::on_snapshot(Feed& f, const th_http_response& r) {
  if (r.error != TH_OK) return retry_snapshot(f, 0, "request failed: " + std::string(to_sv(r.message)));
  const std::string_view body(reinterpret_cast<const char*>(r.body.ptr), r.body.ptr ? r.body.len : 0);
  if (r.status != 200) {
    ApiError e;
    parse_api_error(r.status, body, e);
    return retry_snapshot(f, retry_after_seconds(to_sv(r.headers)) * 1'000'000'000, describe(e));
  }
  DepthSnapshot snapshot;
  std::string error;
  if (!parser_.parse_depth_snapshot(body, f.scales, snapshot, error)) return retry_snapshot(f, 0, error);
  if (f.sync.on_snapshot(snapshot) != DepthSynchroniser::Outcome::Applied) {
    // Older than the buffered diffs, or a gap among them: the documented remedy is another
    // snapshot, at once the first time (the usual race), then with backoff.
    const std::string why =
        "snapshot lastUpdateId=" + std::to_string(snapshot.last_update_id) + " does not bridge the buffered diffs";
    if (f.failures > 0) return retry_snapshot(f, 0, why);
    f.failures = 1;
    ctx_.info("book snapshot symbol=" + f.symbol + " again: " + why);
    return request_snapshot(f);
  }
  f.failures = 0;
  publish_snapshot(f, venue_time(snapshot.transaction_time_ms, snapshot.event_time_ms, ctx_.now()));
}

void BookFeeds::on_timer(uint64_t timer_id, uint64_t cookie) {
  Feed* f = find(cookie);
  if (f == nullptr || timer_id == 0 || timer_id != f->retry_timer) return;
  f->retry_timer = 0;
  if (f->open) request_snapshot(*f);
}

void BookFeeds::request_snapshot(Feed& f) {
  if (f.snapshot_request != 0) return;
  if (f.retry_timer != 0) {
    ctx_.host()->timer_cancel(ctx_.self(), f.retry_timer);
    f.retry_timer = 0;
  }
  const std::string url = settings_.rest_url + settings_.depth.path + "?symbol=" + f.symbol +
                          "&limit=" + std::to_string(snapshot_limit_->limit);
  const std::string budgets = settings_.weight_budget + "=" + std::to_string(snapshot_limit_->weight);
  th_http_request req{};
  req.struct_size = sizeof req;
  req.method = TH_HTTP_GET;
  req.url = to_th(url);
  req.venue = to_th(settings_.rate_venue);
  req.budgets = to_th(budgets);
  req.timeout_ms = settings_.request_timeout_ms;
  f.snapshot_request = ctx_.host()->http_request(ctx_.self(), &req, f.cookie);
  if (f.snapshot_request == 0) retry_snapshot(f, 0, "the host refused the request");
}

void BookFeeds::retry_snapshot(Feed& f, th_time_ns at_least, const std::string& why) {
  ++f.failures;
  const int doublings = std::min(f.failures - 1, 6);
  const th_time_ns delay = std::max(at_least, std::min(kMaxRetry, kFirstRetry << doublings));
  ctx_.warn("book snapshot failed symbol=" + f.symbol + " retry_in_ms=" + std::to_string(delay / kMs) +
            " reason=" + why);
  if (f.retry_timer != 0) ctx_.host()->timer_cancel(ctx_.self(), f.retry_timer);
  f.retry_timer = ctx_.host()->timer_start(ctx_.self(), delay, 0, f.cookie);
  if (f.retry_timer == 0)
    ctx_.error("book feed symbol=" + f.symbol + ": the host refused a timer; the book stays unsynchronised");
}

void BookFeeds::forget_snapshot_request(Feed& f) {
  if (f.snapshot_request != 0) ctx_.host()->http_cancel(ctx_.self(), f.snapshot_request);
  f.snapshot_request = 0;
  if (f.retry_timer != 0) ctx_.host()->timer_cancel(ctx_.self(), f.retry_timer);
  f.retry_timer = 0;
}

void BookFeeds::lose(Feed& f, const std::string& why) {
  ctx_.warn("book resync symbol=" + f.symbol + " reason=" + why);
  f.window.clear();
  if (f.published) {
    emit_status(f, TH_STATUS_DISCONNECTED, "book resync " + f.symbol + ": " + why);
    f.lost = true;
  }
  f.published = false;
}

void BookFeeds::publish_snapshot(Feed& f, th_time_ns ts_event) {
  f.window.snapshot(f.sync.book(), bids_, asks_);
  // When the host refuses it (before the run starts), the next applied diff sends a snapshot.
  f.published = emit_book(f, TH_EV_BOOK_SNAPSHOT, ts_event);
  if (f.published && f.lost) {
    emit_status(f, TH_STATUS_READY,
                "book synchronised " + f.symbol + " at update id " + std::to_string(f.sync.last_update_id()));
    f.lost = false;
  }
}

void BookFeeds::publish_delta(Feed& f, th_time_ns ts_event) {
  if (!f.window.delta(f.sync.book(), bids_, asks_)) return;
  // A refused delta leaves the consumer out of step: the next publication is a snapshot.
  if (!emit_book(f, TH_EV_BOOK_DELTA, ts_event)) f.published = false;
}

bool BookFeeds::emit_book(const Feed& f, uint32_t type, th_time_ns ts_event) {
  const auto to_abi = [](const std::vector<BookLevel>& in, std::vector<th_book_level>& out) {
    out.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i) out[i] = th_book_level{in[i].price, in[i].qty};
  };
  to_abi(bids_, th_bids_);
  to_abi(asks_, th_asks_);
  th_ev_book ev{};
  ev.h.struct_size = sizeof ev;
  ev.h.type = type;
  ev.h.instrument = f.id;
  ev.h.ts_event = ts_event;
  ev.h.ts_recv = ctx_.now();
  ev.update_id = static_cast<uint64_t>(f.sync.last_update_id());
  ev.bids = th_bids_.data();
  ev.asks = th_asks_.data();
  ev.bid_count = static_cast<uint32_t>(th_bids_.size());
  ev.ask_count = static_cast<uint32_t>(th_asks_.size());
  const th_status st = ctx_.host()->emit(ctx_.self(), &ev.h);
  if (st != TH_OK && st != TH_ERR_NOT_READY)
    ctx_.warn("book event refused symbol=" + f.symbol + " status=" + std::to_string(st));
  return st == TH_OK;
}

void BookFeeds::emit_status(const Feed& f, int32_t code, const std::string& message) {
  const th_time_ns now = ctx_.now();
  th_ev_status ev{};
  ev.h.struct_size = sizeof ev;
  ev.h.type = TH_EV_STATUS;
  ev.h.instrument = f.id;
  ev.h.ts_event = now;
  ev.h.ts_recv = now;
  ev.code = code;
  ev.message = to_th(message);
  ctx_.host()->emit(ctx_.self(), &ev.h);
}

}  // namespace tradehost::binance
