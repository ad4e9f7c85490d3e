// The `binance_spot` connector: Binance spot market data and order routing through the host's
// HTTP, WebSocket and signing services (ABI 1.2/1.3).
//
// Market data: instruments from GET /api/v3/exchangeInfo (PRICE_FILTER tick size, LOT_SIZE step
// and minimum, NOTIONAL / MIN_NOTIONAL); closed klines from `<symbol>@kline_<interval>` as bars,
// `<symbol>@aggTrade` as trades and `<symbol>@bookTicker` as quotes; order book events
// (TH_EV_BOOK_SNAPSHOT / TH_EV_BOOK_DELTA, the best `book_depth` levels) from `<symbol>@depth@100ms`
// and GET /api/v3/depth, synchronised by binance_common's BookFeeds (book_feed.hpp). Sources:
// binance/binance-spot-api-docs rest-api.md "Exchange information", "Order book",
// web-socket-streams.md "Aggregate Trade Streams", "Kline/Candlestick Streams", "Individual Symbol
// Book Ticker Streams", "Diff. Depth Stream", "How to manage a local order book correctly".
//
// Orders (mode = "live"; spot_trading.hpp has the details): submit = POST /api/v3/order with the
// host's client order id as newClientOrderId; cancel = DELETE /api/v3/order by origClientOrderId;
// query = GET /api/v3/order by origClientOrderId plus GET /api/v3/myTrades for its fills;
// reconcile = server time, the user data stream, GET /api/v3/openOrders (all symbols) and GET
// /api/v3/account, then TH_STATUS_RECONCILED. Executions and balances arrive on the user data
// stream (executionReport, outboundAccountPosition). An order whose outcome is unknown is never
// sent twice: it is looked up by client order id until the venue answers. Requests are signed by
// the host with the credential named by the `credential` key; without one the connector gives
// market data only (paper mode, where the host's simulator fills orders).
#include "events.hpp"
#include "spot_trading.hpp"

#include <binance_common/book_feed.hpp>
#include <binance_common/exchange_info.hpp>
#include <binance_common/market_data.hpp>
#include <binance_common/symbol_table.hpp>

#include <tradehost/plugin.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

namespace binance = tradehost::binance;
using tradehost::Context;
using tradehost::Error;
using tradehost::Field;
using tradehost::binance_spot::SpotTrading;
using tradehost::binance_spot::emit_status;
using tradehost::binance_spot::make_event;

constexpr uint64_t kExchangeInfoCookie = 1;

/// Binance's kline interval text for a bar interval, or "" when Binance has none
/// (web-socket-streams.md "Kline/Candlestick chart intervals").
std::string binance_interval(int64_t ns) {
  static const std::map<int64_t, std::string> known = {
      {60, "1m"},     {180, "3m"},    {300, "5m"},     {900, "15m"},   {1800, "30m"},  {3600, "1h"},
      {7200, "2h"},   {14400, "4h"},  {21600, "6h"},   {28800, "8h"},  {43200, "12h"}, {86400, "1d"},
      {259200, "3d"}, {604800, "1w"}};
  if (ns % 1'000'000'000 != 0) return "";
  auto it = known.find(ns / 1'000'000'000);
  return it == known.end() ? "" : it->second;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

class BinanceSpot : public tradehost::Connector {
 public:
  static constexpr int kind = TH_KIND_CONNECTOR;
  static constexpr bool trading = true;
  static constexpr const char* type_name = "binance_spot";
  static constexpr const char* description =
      "Binance spot: instruments from exchangeInfo, bars, trades, quotes and order books; live orders, fills and balances "
      "through the REST API and the user data stream";

  static std::vector<Field> config() {
    return {
        {"testnet", TH_CFG_BOOL, "false", "use the spot testnet endpoints (testnet.binance.vision)"},
        {"rest_url", TH_CFG_STR, "\"\"", "REST base URL; default https://api.binance.com (testnet: https://testnet.binance.vision)"},
        {"ws_url", TH_CFG_STR, "\"\"", "WebSocket base URL; default wss://stream.binance.com:9443 (testnet: wss://testnet.binance.vision)"},
        Field{"request_weight_limit", TH_CFG_I64, "1200", "REQUEST_WEIGHT budget per minute (exchangeInfo rateLimits)"}.with_unit("weight per minute"),
        {"credential", TH_CFG_STR, "\"\"",
         "credential store entry (an HMAC API key) that signs account requests; needed for mode = \"live\"",
         TH_CFG_CREDENTIAL},
        Field{"recv_window", TH_CFG_DURATION, "\"5s\"",
              "how long after its timestamp a signed request stays valid at the venue (recvWindow, at most 60s)"},
        Field{"request_timeout", TH_CFG_DURATION, "\"10s\"",
              "a REST request unanswered by then has an unknown outcome: an order is then looked up by its client order id, never resent"},
        Field{"orders_per_10s", TH_CFG_I64, "50", "ORDERS budget per 10 seconds (exchangeInfo rateLimits)"}.with_unit("orders per 10 s"),
        Field{"book_depth", TH_CFG_I64, "20",
              "levels per side in order book events (events = [\"book\"]); 1..5000, the most GET /api/v3/depth returns"}
            .with_unit("levels"),
    };
  }

  explicit BinanceSpot(Context ctx)
      : Connector(ctx),
        settings_(read_settings(ctx)),
        weight_limit_(ctx.i64("request_weight_limit")),
        parser_(binance::Venue::Spot),
        trading_(ctx, symbols_, settings_),
        books_(ctx, book_settings(ctx, settings_)) {
    if (weight_limit_ <= 0) throw Error(TH_ERR_INVALID_ARG, "request_weight_limit must be positive");
  }

  /// GET /api/v3/exchangeInfo (weight 20); instruments are defined when it answers, then a
  /// STATUS READY event tells the host they are there.
  void load_instruments() override {
    const th_host_api* h = ctx_.host();
    if (h->struct_size < offsetof(th_host_api, sign) + sizeof(void*))
      throw Error(TH_ERR_UNSUPPORTED, "binance_spot needs a host with ABI 1.2 networking");
    if (h->rate_budget(ctx_.self(), tradehost::to_th(settings_.weight_budget), tradehost::to_th(settings_.venue),
                       weight_limit_, 60'000'000'000, tradehost::to_th("X-MBX-USED-WEIGHT-1M")) != TH_OK)
      throw Error(TH_ERR_INVALID_ARG, "cannot declare the request weight budget");
    trading_.declare_budgets();
    const std::string url = settings_.rest_url + "/api/v3/exchangeInfo";
    const std::string budgets = settings_.weight_budget + "=20";
    th_http_request req{};
    req.struct_size = sizeof req;
    req.method = TH_HTTP_GET;
    req.url = tradehost::to_th(url);
    req.venue = tradehost::to_th(settings_.venue);
    req.budgets = tradehost::to_th(budgets);
    if (h->http_request(ctx_.self(), &req, kExchangeInfoCookie) == 0) throw Error(TH_ERR_IO, "exchangeInfo request refused");
  }

  void on_http(uint64_t request_id, uint64_t cookie, const th_http_response& r) override {
    if (binance::BookFeeds::owns(cookie)) return books_.on_http(request_id, cookie, r);
    if (cookie >= SpotTrading::kCookieBase) return trading_.on_http(cookie, r);
    if (cookie != kExchangeInfoCookie) return;
    const std::string_view body(reinterpret_cast<const char*>(r.body.ptr), r.body.ptr ? r.body.len : 0);
    if (r.error != TH_OK) return status(TH_STATUS_ERROR, "exchangeInfo failed: " + std::string(tradehost::to_sv(r.message)));
    if (r.status != 200) return status(TH_STATUS_ERROR, "exchangeInfo answered HTTP " + std::to_string(r.status) + ": " + std::string(body.substr(0, 200)));
    binance::ExchangeInfo info;
    std::string error;
    if (!binance::parse_exchange_info(body, info, error)) return status(TH_STATUS_ERROR, "exchangeInfo: " + error);
    int defined = 0;
    for (const auto& s : info.symbols) {
      if (s.status != "TRADING" || s.tick_size <= 0 || s.step_size <= 0) continue;
      const std::string unified = s.base_asset + "/" + s.quote_asset;
      th_instrument inst{};
      inst.struct_size = sizeof inst;
      inst.venue = tradehost::to_th("binance");
      inst.symbol = tradehost::to_th(unified);
      inst.native_symbol = tradehost::to_th(s.symbol);
      inst.base = tradehost::to_th(s.base_asset);
      inst.quote = tradehost::to_th(s.quote_asset);
      inst.settle = tradehost::to_th("");
      inst.price_scale = s.scales.price_scale;
      inst.qty_scale = s.scales.qty_scale;
      inst.tick_size = s.tick_size;
      inst.lot_size = s.step_size;
      inst.min_qty = s.min_qty;
      inst.min_notional = s.min_notional;
      inst.kind = TH_INST_SPOT;
      th_instrument_id id = 0;
      if (ctx_.host()->define_instrument(ctx_.self(), &inst, &id) != TH_OK) continue;
      parser_.set_scales(s.symbol, s.scales);
      symbols_.add(id, s.symbol, s.scales);
      ++defined;
    }
    status(defined ? TH_STATUS_READY : TH_STATUS_ERROR,
           defined ? std::to_string(defined) + " instruments from " + settings_.rest_url : "exchangeInfo holds no TRADING symbol");
  }

  /// Bars (kline), trades (aggTrade) and quotes (bookTicker): one raw stream each; order books:
  /// a BookFeeds feed (its own depth stream and REST snapshots).
  void subscribe(th_instrument_id id, uint32_t mask, int64_t interval_ns) override {
    constexpr uint32_t kGiven =
        TH_EV_MASK(TH_EV_BAR) | TH_EV_MASK(TH_EV_TRADE) | TH_EV_MASK(TH_EV_QUOTE) | binance::BookFeeds::kMask;
    if (mask & ~kGiven) throw Error(TH_ERR_UNSUPPORTED, "binance_spot gives bars, trades, quotes and order books");
    const binance::SymbolTable::Entry* e = symbols_.find(id);
    if (e == nullptr) throw Error(TH_ERR_NOT_FOUND, "unknown instrument");
    const std::string sym = lower(e->symbol);
    if (mask & TH_EV_MASK(TH_EV_BAR)) {
      const std::string iv = binance_interval(interval_ns);
      if (iv.empty()) throw Error(TH_ERR_UNSUPPORTED, "Binance has no kline interval of this length");
      bars_[id].interval_ns = interval_ns;
      open_stream(sym + "@kline_" + iv, id);
    }
    if (mask & TH_EV_MASK(TH_EV_TRADE)) open_stream(sym + "@aggTrade", id);
    if (mask & TH_EV_MASK(TH_EV_QUOTE)) open_stream(sym + "@bookTicker", id);
    if (mask & binance::BookFeeds::kMask) books_.add(id, e->symbol, e->scales);
  }

  void on_ws(uint64_t conn, uint64_t cookie, int32_t what, std::string_view data) override {
    if (cookie == SpotTrading::kUserStreamCookie) return trading_.on_ws(conn, what, data);
    if (binance::BookFeeds::owns(cookie)) return books_.on_ws(cookie, what, data);
    if (what == TH_WS_CLOSED) {
      ctx_.warn("market stream closed (" + std::string(data) + "); the host reconnects");
      return;
    }
    if (what != TH_WS_MESSAGE) return;
    std::string error;
    if (!parser_.parse_stream(data, msg_, error)) {
      ctx_.warn("market stream: " + error);
      return;
    }
    switch (msg_.kind) {
      case binance::StreamKind::Kline: return on_kline(msg_.kline);
      case binance::StreamKind::AggTrade: return on_agg_trade(msg_.agg_trade);
      case binance::StreamKind::BookTicker: return on_book_ticker(msg_.book_ticker);
      case binance::StreamKind::DepthDiff: return;
    }
  }

  void on_timer(uint64_t timer_id, uint64_t cookie) override {
    if (binance::BookFeeds::owns(cookie)) return books_.on_timer(timer_id, cookie);
    trading_.on_timer(cookie);
  }

  void submit(const th_order& order) override { trading_.submit(order); }
  void cancel(const th_order& order) override { trading_.cancel(order); }
  void reconcile() override { trading_.reconcile(); }
  void query(const th_order& order) override { trading_.query(order); }

 private:
  struct BarState {
    int64_t interval_ns = 0;
    int64_t last_open = 0;
  };

  static tradehost::binance_spot::TradingSettings read_settings(const Context& ctx) {
    tradehost::binance_spot::TradingSettings s;
    const bool testnet = ctx.boolean("testnet");
    s.rest_url = trim_slashes(ctx.str("rest_url"));
    s.ws_url = trim_slashes(ctx.str("ws_url"));
    if (s.rest_url.empty()) s.rest_url = testnet ? "https://testnet.binance.vision" : "https://api.binance.com";
    if (s.ws_url.empty()) s.ws_url = testnet ? "wss://testnet.binance.vision" : "wss://stream.binance.com:9443";
    s.orders_per_10s = ctx.i64("orders_per_10s");
    if (s.orders_per_10s <= 0) throw Error(TH_ERR_INVALID_ARG, "orders_per_10s must be positive");
    // rest-api.md "Timing security": "The max cannot go beyond 60,000!"
    s.recv_window_ms = ctx.duration_ns("recv_window") / 1'000'000;
    if (s.recv_window_ms <= 0 || s.recv_window_ms > 60'000)
      throw Error(TH_ERR_INVALID_ARG, "recv_window must be between 1ms and 60s");
    s.request_timeout_ms = ctx.duration_ns("request_timeout") / 1'000'000;
    if (s.request_timeout_ms < 100 || s.request_timeout_ms > 120'000)
      throw Error(TH_ERR_INVALID_ARG, "request_timeout must be between 100ms and 120s");
    s.venue = "binance-spot";
    s.weight_budget = s.venue + ":REQUEST_WEIGHT:1m";
    // Order limits count per account, so the budget is per credential.
    s.orders_budget = s.venue + ":ORDERS:10s:" + ctx.str("credential");
    return s;
  }

  // rest-api.md "Order book": weight by limit; the connector's REQUEST_WEIGHT budget pays.
  static binance::BookFeedSettings book_settings(const Context& ctx, const tradehost::binance_spot::TradingSettings& s) {
    binance::BookFeedSettings b;
    b.venue = binance::Venue::Spot;
    b.rest_url = s.rest_url;
    b.ws_url = s.ws_url;
    b.rate_venue = s.venue;
    b.weight_budget = s.weight_budget;
    b.depth = binance::spot_depth_endpoint();
    const int64_t depth = ctx.i64("book_depth");
    b.book_depth = depth > 0 ? static_cast<size_t>(depth) : 0;  // 0 is refused by BookFeeds
    b.request_timeout_ms = static_cast<uint32_t>(s.request_timeout_ms);
    return b;
  }

  void open_stream(const std::string& name, th_instrument_id id) {
    if (!streams_.insert(name).second) return;
    const std::string url = settings_.ws_url + "/ws/" + name;
    if (ctx_.host()->ws_open(ctx_.self(), tradehost::to_th(url), id) == 0) {
      streams_.erase(name);
      throw Error(TH_ERR_IO, "cannot open " + url);
    }
  }

  void on_kline(const binance::Kline& k) {
    if (!k.closed) return;  // only finished candles are bars
    const binance::SymbolTable::Entry* e = symbols_.find(k.symbol);
    auto it = e ? bars_.find(e->id) : bars_.end();
    if (it == bars_.end()) return;
    const int64_t open_time = k.open_time_ms * 1'000'000;
    // A bar becomes known when it closes.
    auto bar = make_event<th_ev_bar>(TH_EV_BAR, e->id, open_time + it->second.interval_ns, ctx_.now());
    bar.open_time = open_time;
    bar.interval_ns = it->second.interval_ns;
    bar.open = k.open;
    bar.high = k.high;
    bar.low = k.low;
    bar.close = k.close;
    bar.volume = k.volume;
    if (bar.open_time <= it->second.last_open) return;  // a duplicate after a reconnect
    it->second.last_open = bar.open_time;
    ctx_.host()->emit(ctx_.self(), &bar.h);
  }

  void on_agg_trade(const binance::AggTrade& t) {
    const binance::SymbolTable::Entry* e = symbols_.find(t.symbol);
    if (e == nullptr) return;
    auto ev = make_event<th_ev_trade>(TH_EV_TRADE, e->id, t.trade_time_ms * 1'000'000, ctx_.now());
    ev.price = t.price;
    ev.qty = t.qty;
    // `m`: "Is the buyer the market maker?" -- then the seller took liquidity.
    ev.aggressor_side = t.buyer_is_maker ? TH_SIDE_SELL : TH_SIDE_BUY;
    ctx_.host()->emit(ctx_.self(), &ev.h);
  }

  void on_book_ticker(const binance::BookTicker& q) {
    const binance::SymbolTable::Entry* e = symbols_.find(q.symbol);
    if (e == nullptr) return;
    const th_time_ns now = ctx_.now();  // spot bookTicker carries no time
    auto ev = make_event<th_ev_quote>(TH_EV_QUOTE, e->id, now, now);
    ev.bid_price = q.bid_price;
    ev.bid_qty = q.bid_qty;
    ev.ask_price = q.ask_price;
    ev.ask_qty = q.ask_qty;
    ctx_.host()->emit(ctx_.self(), &ev.h);
  }

  void status(int32_t code, const std::string& message) { emit_status(ctx_, code, message); }

  tradehost::binance_spot::TradingSettings settings_;
  int64_t weight_limit_;
  binance::MarketDataParser parser_;
  binance::StreamMessage msg_;
  binance::SymbolTable symbols_;
  std::map<th_instrument_id, BarState> bars_;
  std::set<std::string> streams_;
  SpotTrading trading_;
  binance::BookFeeds books_;
};

}  // namespace

TH_DECLARE_PLUGIN("binance_spot", "0.2.0", "tradehost-binance-spot-2", BinanceSpot)
