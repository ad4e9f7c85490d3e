// What a Binance connector plugin is, spot or USD-M futures, apart from its config schema and how
// an exchangeInfo symbol becomes an instrument: instruments from GET <exchangeInfo> (one request,
// then TH_STATUS_READY), market data from raw streams <ws_url>/ws/<symbol>@<stream> -- closed
// klines as bars, aggTrade as trades, bookTicker as quotes -- and the order side, a
// TradingSession. The spot and USD-M stream formats differ only in fields MarketDataParser reads
// per venue (web-socket-streams.md; USD-M "Websocket Market Streams").
//
// Order books (TH_EV_BOOK_SNAPSHOT / DELTA, the best `book_depth` levels per side) come from a
// BookFeeds feed per instrument: `<symbol>@depth@100ms` synchronised with REST depth snapshots.
#ifndef TRADEHOST_BINANCE_VENUE_CONNECTOR_HPP
#define TRADEHOST_BINANCE_VENUE_CONNECTOR_HPP

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tradehost/plugin.hpp>
#include <vector>

#include "book_feed.hpp"
#include "exchange_info.hpp"
#include "kline_history.hpp"
#include "market_data.hpp"
#include "symbol_table.hpp"
#include "trading_session.hpp"

namespace tradehost::binance {

/// The endpoints and defaults of one venue that the connector skeleton needs.
struct VenueDefaults {
  std::string connector;         ///< "binance_spot"
  std::string venue;             ///< rate-limit venue name, "binance-spot"
  std::string rest_url, ws_url;  ///< production base URLs, no trailing '/'
  std::string testnet_rest_url, testnet_ws_url;
  /// GET exchangeInfo: "/api/v3/exchangeInfo" and its weight, 20 (two members, not an Endpoint:
  /// g++ 12 warns -Wmaybe-uninitialized on a nested string aggregate in a designated initializer)
  std::string exchange_info_path;
  int exchange_info_weight = 1;
  std::string orders_window;    ///< the orders budget's window in its name: "10s", "1m"
  const char* orders_key = "";  ///< the config key of the orders limit ("orders_per_10s")
  /// GET klines for `history_bars`: "/api/v3/klines" (weight 2) or "/fapi/v1/klines" (weight by
  /// limit: [1,100) 1, [100,500) 2, [500,1000] 5, more 10), at most page_limit per request.
  std::string klines_path;
  int64_t klines_page_limit = 1000;
  bool klines_weight_by_limit = false;
};

/// How an exchangeInfo symbol is defined as an instrument.
struct InstrumentText {
  std::string symbol;  ///< unified: "BTC/USDT", "BTC/USDT:USDT"
  std::string settle;  ///< "" for spot
  int32_t kind = TH_INST_SPOT;
};

/// The texts of a venue's own config keys (static: plugin.h th_config_field keeps the pointers).
struct VenueConfigText {
  const char* testnet;       ///< what `testnet` switches to
  const char* rest_url;      ///< the REST default, and the testnet's
  const char* ws_url;        ///< the WebSocket default, and the testnet's
  const char* weight_limit;  ///< request_weight_limit's default, TOML literal
  Field orders;              ///< the orders budget key (orders_per_10s, orders_per_minute)
};

/// The config keys every Binance connector has: testnet, rest_url, ws_url, request_weight_limit,
/// the orders budget, the credential, recv_window, request_timeout, history_bars, book_depth; then
/// `extra`.
std::vector<Field> venue_config_fields(const VenueConfigText& text, std::vector<Field> extra = {});

/// Reads testnet / rest_url / ws_url, the credential's budget name, recv_window (1 ms..60 s,
/// "Timing security": "The max cannot go beyond 60,000!"), request_timeout (100 ms..120 s) and
/// the orders limit; throws Error(TH_ERR_INVALID_ARG) naming the key on a bad value.
TradingSettings read_trading_settings(const Context& ctx, const VenueDefaults& d);

class VenueConnector : public Connector {
 public:
  static constexpr int kind = TH_KIND_CONNECTOR;
  static constexpr bool trading = true;

  /// `weight_limit`: REQUEST_WEIGHT per minute (request_weight_limit), declared with the
  /// X-MBX-USED-WEIGHT-1M header at load_instruments().
  VenueConnector(Context ctx, VenueDefaults defaults, TradingProfile profile, TradingSettings settings,
                 int64_t weight_limit);

  void load_instruments() override;
  void on_http(uint64_t request_id, uint64_t cookie, const th_http_response& r) override;
  /// Bars (kline), trades (aggTrade) and quotes (bookTicker): one raw stream each; order books: a
  /// BookFeeds feed. The instrument becomes a traded one for the session (account settings,
  /// positions).
  void subscribe(th_instrument_id id, uint32_t mask, int64_t interval_ns) override;
  void on_ws(uint64_t conn, uint64_t cookie, int32_t what, std::string_view data) override;
  void on_timer(uint64_t timer_id, uint64_t cookie) override {
    if (BookFeeds::owns(cookie)) return books_.on_timer(timer_id, cookie);
    session_.on_timer(cookie);
  }
  void submit(const th_order& order) override { session_.submit(order); }
  void cancel(const th_order& order) override { session_.cancel(order); }
  void reconcile() override { session_.reconcile(); }
  void query(const th_order& order) override { session_.query(order); }

 protected:
  /// The instrument `s` (status TRADING, with a tick and a step) becomes, or false to leave it out.
  virtual bool instrument_of(const SymbolInfo& s, InstrumentText& out) const = 0;

 private:
  struct BarState {
    int64_t interval_ns = 0;
    int64_t last_open = 0;
    // history_bars: while the REST pages load, live klines wait in `held`.
    bool loading = false;
    std::optional<KlineHistory> history;
    std::vector<Kline> held;
  };

  /// GET the server time (`time`), else the history's next klines page.
  void request_history(th_instrument_id id, bool time);
  void on_history(uint64_t cookie, const th_http_response& r);
  void finish_history(th_instrument_id id, BarState& st);
  void emit_bar(th_instrument_id id, BarState& st, int64_t open_ms, int64_t open, int64_t high, int64_t low, int64_t close,
                int64_t volume);

  void on_exchange_info(const th_http_response& r);
  void open_stream(const std::string& name, th_instrument_id id);
  void on_kline(const Kline& k);
  void on_agg_trade(const AggTrade& t);
  void on_book_ticker(const BookTicker& q);

  VenueDefaults defaults_;
  Venue venue_;            ///< spot or USD-M: which depth endpoint and sequence rules books use
  std::string time_path_;  ///< the venue's server time endpoint (history windows use its clock)
  int64_t history_bars_ = 0;
  TradingSettings settings_;
  int64_t weight_limit_;
  MarketDataParser parser_;
  StreamMessage msg_;
  SymbolTable symbols_;
  std::map<th_instrument_id, BarState> bars_;
  std::set<std::string> streams_;
  TradingSession session_;
  BookFeeds books_;
};

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_VENUE_CONNECTOR_HPP
