// Order book events (plugin.h th_ev_book) from Binance's diff depth stream and REST depth
// snapshots, through the host's WebSocket, HTTP, timer and rate-budget services -- spot and USD-M
// alike. Procedure: "How to manage a local order book correctly" (spot web-socket-streams.md;
// USD-M "Websocket Market Streams"), applied by DepthSynchroniser:
//
//   1. open <ws_url>/ws/<symbol>@depth@100ms; on every OPENED the local book starts over;
//   2. buffer its diffs and GET <rest_url><depth path>?symbol=<SYMBOL>&limit=<N>, spending the
//      limit's REQUEST_WEIGHT from the connector's weight budget;
//   3. apply the snapshot and the buffered diffs, then every diff as it comes.
//
// What the consumer sees (per instrument): a TH_EV_BOOK_SNAPSHOT of the best `book_depth` levels
// per side, best first, after every (re)synchronisation, then a TH_EV_BOOK_DELTA per applied diff
// that changed those levels -- including levels entering or leaving the top `book_depth`
// (BookWindow), so the consumer always holds exactly the connector's top levels. A diff that
// changes nothing inside them sends nothing. update_id is the snapshot's lastUpdateId, then each
// diff's `u`.
//
// Losing the book: a sequence gap (spot U != previous u + 1; USD-M pu != previous u) or the stream
// closing drops the local book at once; if a book had been published, a TH_EV_STATUS
// DISCONNECTED "book resync <SYMBOL>: <why>" says the consumer's book is stale. After a gap a new
// snapshot is requested at once; after a close, when the host has reopened the stream. Then a
// fresh SNAPSHOT replaces the consumer's book, followed by TH_EV_STATUS READY "book synchronised
// <SYMBOL> ...". A snapshot that fails (transport error, HTTP error, 429 with Retry-After, a body
// that does not parse, one that does not bridge the buffered diffs more than once in a row) is
// asked for again after a backoff of 0.5 s doubling to 30 s.
//
// Limitation (the documented procedure's own): the local book knows the snapshot's N levels plus
// what diffs touched since. The snapshot asks for the endpoint's smallest limit >= book_depth
// (spot: at least 100), so a window of book_depth levels shows a hole only after more than
// N - book_depth levels below it have gone without replacement before the next resync.
#ifndef TRADEHOST_BINANCE_BOOK_FEED_HPP
#define TRADEHOST_BINANCE_BOOK_FEED_HPP

#include "book_window.hpp"
#include "depth_sync.hpp"
#include "market_data.hpp"

#include <tradehost/plugin.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tradehost::binance {

/// One `limit` a depth endpoint takes and its REQUEST_WEIGHT.
struct DepthLimit {
  uint32_t limit = 0;
  int32_t weight = 0;
};

/// A REST depth endpoint: its path and the limits it takes, ascending.
struct DepthEndpoint {
  std::string path;                ///< "/api/v3/depth"
  std::vector<DepthLimit> limits;  ///< ascending by limit

  /// The smallest limit >= `depth` (what a snapshot for a window of `depth` levels asks for), or
  /// nullptr when `depth` exceeds the largest.
  const DepthLimit* limit_for(size_t depth) const noexcept;
  /// The largest limit: the deepest window a snapshot can fill.
  size_t max_depth() const noexcept { return limits.empty() ? 0 : limits.back().limit; }
};

/// Spot GET /api/v3/depth (rest-api.md "Order book"): limit up to 5000; weight by limit 1-100: 5,
/// 101-500: 25, 501-1000: 50, 1001-5000: 250. A snapshot asks for 100, 500, 1000 or 5000 levels,
/// the most each weight buys.
DepthEndpoint spot_depth_endpoint();

/// USD-M GET /fapi/v1/depth ("Order Book"): limits 5, 10, 20, 50 (weight 2), 100 (5), 500 (10),
/// 1000 (20).
DepthEndpoint usdm_depth_endpoint();

/// Where and how a connector's book feeds talk to the venue.
struct BookFeedSettings {
  Venue venue = Venue::Spot;             ///< which sequence rules apply (DepthSynchroniser)
  std::string rest_url;                  ///< "https://api.binance.com", no trailing '/'
  std::string ws_url;                    ///< "wss://stream.binance.com:9443", no trailing '/'
  std::string rate_venue;                ///< th_http_request.venue: "binance-spot"
  std::string weight_budget;             ///< the REQUEST_WEIGHT budget the connector declared
  DepthEndpoint depth;                   ///< spot_depth_endpoint() / usdm_depth_endpoint()
  size_t book_depth = 20;                ///< levels per side in the events, 1..depth.max_depth()
  std::string stream = "@depth@100ms";   ///< appended to the lower-case symbol
  uint32_t request_timeout_ms = 10'000;  ///< of a snapshot request
};

/// The order book feeds of one connector instance, one per subscribed instrument. The connector
/// forwards every on_ws / on_http / on_timer whose cookie owns() claims. All on the host loop.
class BookFeeds {
 public:
  /// The subscribe() mask bits the feeds serve.
  static constexpr uint32_t kMask = TH_EV_MASK(TH_EV_BOOK_SNAPSHOT) | TH_EV_MASK(TH_EV_BOOK_DELTA);
  /// Cookies kCookieBase + instrument id (WebSocket, HTTP and timer alike) are the feeds'; below
  /// the trading session's range (1 << 40) and above the connector's own small cookies.
  static constexpr uint64_t kCookieBase = 1ull << 36;
  static bool owns(uint64_t cookie) noexcept { return cookie >= kCookieBase && cookie - kCookieBase <= UINT32_MAX; }

  /// Throws Error(TH_ERR_INVALID_ARG) when settings.book_depth is 0 or beyond the endpoint's
  /// largest limit.
  BookFeeds(Context ctx, BookFeedSettings settings);
  ~BookFeeds();
  BookFeeds(const BookFeeds&) = delete;
  BookFeeds& operator=(const BookFeeds&) = delete;

  /// Starts the feed of instrument `id` (the venue's `symbol`, upper case, at `scales`) by opening
  /// its depth stream; nothing when it runs already. Throws Error(TH_ERR_IO) when the host refuses
  /// the stream.
  void add(th_instrument_id id, const std::string& symbol, Scales scales);

  void on_ws(uint64_t cookie, int32_t what, std::string_view data);
  void on_http(uint64_t request_id, uint64_t cookie, const th_http_response& r);
  void on_timer(uint64_t timer_id, uint64_t cookie);

  /// The feed's local synchroniser (its book, counters), or nullptr; for tests and metrics.
  const DepthSynchroniser* synchroniser(th_instrument_id id) const;

 private:
  struct Feed;

  Feed* find(uint64_t cookie);
  void on_diff(Feed& f, const DepthDiff& d);
  void on_snapshot(Feed& f, const th_http_response& r);
  void request_snapshot(Feed& f);
  void retry_snapshot(Feed& f, th_time_ns at_least, const std::string& why);
  void forget_snapshot_request(Feed& f);
  void lose(Feed& f, const std::string& why);
  void publish_snapshot(Feed& f, th_time_ns ts_event);
  void publish_delta(Feed& f, th_time_ns ts_event);
  bool emit_book(const Feed& f, uint32_t type, th_time_ns ts_event);
  void emit_status(const Feed& f, int32_t code, const std::string& message);

  Context ctx_;
  BookFeedSettings settings_;
  const DepthLimit* snapshot_limit_;
  MarketDataParser parser_;
  StreamMessage msg_;
  std::map<th_instrument_id, std::unique_ptr<Feed>> feeds_;
  std::vector<BookLevel> bids_, asks_;            // what the next event carries, best first
  std::vector<th_book_level> th_bids_, th_asks_;  // the same as the ABI's struct
};

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_BOOK_FEED_HPP
