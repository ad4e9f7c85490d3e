#include "venue_connector.hpp"

#include "json_fields.hpp"

#include <cctype>
#include <utility>

namespace tradehost::binance {

namespace {

constexpr uint64_t kExchangeInfoCookie = 1;
// history_bars requests: kHistoryCookie + 2 * instrument id, + 1 for a klines page (below the
// session's TradingSession::kCookieBase).
constexpr uint64_t kHistoryCookie = 1ull << 32;

/// Binance's kline interval text for a bar interval, or "" when Binance has none
/// (web-socket-streams.md "Kline/Candlestick chart intervals"; USD-M lists the same).
std::string binance_interval(int64_t ns) {
  static const std::map<int64_t, std::string> known = {
      {60, "1m"},    {180, "3m"},   {300, "5m"},   {900, "15m"},   {1800, "30m"}, {3600, "1h"},   {7200, "2h"},
      {14400, "4h"}, {21600, "6h"}, {28800, "8h"}, {43200, "12h"}, {86400, "1d"}, {259200, "3d"}, {604800, "1w"}};
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

/// The order book feeds' settings: the venue's depth endpoint (spot rest-api.md "Order book",
/// USD-M "Order Book": weight by limit), paid from the connector's REQUEST_WEIGHT budget.
BookFeedSettings book_settings(const Context& ctx, Venue venue, const TradingSettings& s) {
  BookFeedSettings b;
  b.venue = venue;
  b.rest_url = s.rest_url;
  b.ws_url = s.ws_url;
  b.rate_venue = s.venue;
  b.weight_budget = s.weight_budget;
  b.depth = venue == Venue::Spot ? spot_depth_endpoint() : usdm_depth_endpoint();
  const int64_t depth = ctx.i64("book_depth");
  b.book_depth = depth > 0 ? static_cast<size_t>(depth) : 0;  // 0 is refused by BookFeeds
  b.request_timeout_ms = static_cast<uint32_t>(s.request_timeout_ms);
  return b;
}

}  // namespace

std::vector<Field> venue_config_fields(const VenueConfigText& text, std::vector<Field> extra) {
  std::vector<Field> fields = {
      {"testnet", TH_CFG_BOOL, "false", text.testnet},
      {"rest_url", TH_CFG_STR, "\"\"", text.rest_url},
      {"ws_url", TH_CFG_STR, "\"\"", text.ws_url},
      Field{"request_weight_limit", TH_CFG_I64, text.weight_limit,
            "REQUEST_WEIGHT budget per minute (exchangeInfo rateLimits)"}
          .with_unit("weight per minute"),
      text.orders,
      {"credential", TH_CFG_STR, "\"\"",
       "credential store entry (an HMAC API key) that signs account requests; needed for mode = \"live\"",
       TH_CFG_CREDENTIAL},
      Field{"recv_window", TH_CFG_DURATION, "\"5s\"",
            "how long after its timestamp a signed request stays valid at the venue (recvWindow, at most 60s)"},
      Field{"request_timeout", TH_CFG_DURATION, "\"10s\"",
            "a REST request unanswered by then has an unknown outcome: an order is then looked up by its client order "
            "id, never resent"},
      Field{"history_bars", TH_CFG_I64, "0",
            "closed bars fetched from REST klines when a strategy subscribes, before the live ones (indicator warm-up)"}
          .with_unit("bars"),
      Field{"book_depth", TH_CFG_I64, "20",
            "levels per side in order book events (events = [\"book\"]); at most what the venue's depth endpoint returns"}
          .with_unit("levels"),
  };
  fields.insert(fields.end(), extra.begin(), extra.end());
  return fields;
}

TradingSettings read_trading_settings(const Context& ctx, const VenueDefaults& d) {
  TradingSettings s;
  const bool testnet = ctx.boolean("testnet");
  s.rest_url = trim_slashes(ctx.str("rest_url"));
  s.ws_url = trim_slashes(ctx.str("ws_url"));
  if (s.rest_url.empty()) s.rest_url = testnet ? d.testnet_rest_url : d.rest_url;
  if (s.ws_url.empty()) s.ws_url = testnet ? d.testnet_ws_url : d.ws_url;
  s.orders_per_window = ctx.i64(d.orders_key);
  if (s.orders_per_window <= 0) throw Error(TH_ERR_INVALID_ARG, std::string(d.orders_key) + " must be positive");
  // "Timing security": "The max cannot go beyond 60,000!"
  s.recv_window_ms = ctx.duration_ns("recv_window") / 1'000'000;
  if (s.recv_window_ms <= 0 || s.recv_window_ms > 60'000)
    throw Error(TH_ERR_INVALID_ARG, "recv_window must be between 1ms and 60s");
  s.request_timeout_ms = ctx.duration_ns("request_timeout") / 1'000'000;
  if (s.request_timeout_ms < 100 || s.request_timeout_ms > 120'000)
    throw Error(TH_ERR_INVALID_ARG, "request_timeout must be between 100ms and 120s");
  s.venue = d.venue;
  s.weight_budget = s.venue + ":REQUEST_WEIGHT:1m";
  // Order limits count per account, so the budget is per credential.
  s.orders_budget = s.venue + ":ORDERS:" + d.orders_window + ":" + ctx.str("credential");
  return s;
}

VenueConnector::VenueConnector(Context ctx, VenueDefaults defaults, TradingProfile profile, TradingSettings settings,
                               int64_t weight_limit)
    : Connector(ctx),
      defaults_(std::move(defaults)),
      venue_(profile.venue),
      time_path_(profile.server_time.path),
      history_bars_(ctx.i64("history_bars")),
      settings_(settings),
      weight_limit_(weight_limit),
      parser_(profile.venue),
      session_(ctx, symbols_, std::move(profile), std::move(settings)),
      books_(ctx, book_settings(ctx, venue_, settings_)) {
  if (weight_limit_ <= 0) throw Error(TH_ERR_INVALID_ARG, "request_weight_limit must be positive");
  if (history_bars_ < 0 || history_bars_ > 100'000) throw Error(TH_ERR_INVALID_ARG, "history_bars must be between 0 and 100000");
}

void VenueConnector::load_instruments() {
  const th_host_api* h = ctx_.host();
  if (h->struct_size < offsetof(th_host_api, sign) + sizeof(void*))
    throw Error(TH_ERR_UNSUPPORTED, defaults_.connector + " needs a host with ABI 1.2 networking");
  if (h->rate_budget(ctx_.self(), to_th(settings_.weight_budget), to_th(settings_.venue), weight_limit_, 60'000'000'000,
                     to_th("X-MBX-USED-WEIGHT-1M")) != TH_OK)
    throw Error(TH_ERR_INVALID_ARG, "cannot declare the request weight budget");
  session_.declare_budgets();
  const std::string url = settings_.rest_url + defaults_.exchange_info_path;
  const std::string budgets = settings_.weight_budget + "=" + std::to_string(defaults_.exchange_info_weight);
  th_http_request req{};
  req.struct_size = sizeof req;
  req.method = TH_HTTP_GET;
  req.url = to_th(url);
  req.venue = to_th(settings_.venue);
  req.budgets = to_th(budgets);
  if (h->http_request(ctx_.self(), &req, kExchangeInfoCookie) == 0)
    throw Error(TH_ERR_IO, "exchangeInfo request refused");
}

void VenueConnector::on_http(uint64_t request_id, uint64_t cookie, const th_http_response& r) {
  if (cookie >= TradingSession::kCookieBase) return session_.on_http(cookie, r);
  if (BookFeeds::owns(cookie)) return books_.on_http(request_id, cookie, r);
  if (cookie >= kHistoryCookie) return on_history(cookie, r);
  if (cookie == kExchangeInfoCookie) on_exchange_info(r);
}

void VenueConnector::on_exchange_info(const th_http_response& r) {
  const std::string_view body(reinterpret_cast<const char*>(r.body.ptr), r.body.ptr ? r.body.len : 0);
  if (r.error != TH_OK)
    return emit_status(ctx_, TH_STATUS_ERROR, "exchangeInfo failed: " + std::string(to_sv(r.message)));
  if (r.status != 200)
    return emit_status(
        ctx_, TH_STATUS_ERROR,
        "exchangeInfo answered HTTP " + std::to_string(r.status) + ": " + std::string(body.substr(0, 200)));
  ExchangeInfo info;
  std::string error;
  if (!parse_exchange_info(body, info, error)) return emit_status(ctx_, TH_STATUS_ERROR, "exchangeInfo: " + error);
  int defined = 0;
  for (const SymbolInfo& s : info.symbols) {
    InstrumentText text;
    if (s.status != "TRADING" || s.tick_size <= 0 || s.step_size <= 0 || !instrument_of(s, text)) continue;
    th_instrument inst{};
    inst.struct_size = sizeof inst;
    inst.venue = to_th("binance");
    inst.symbol = to_th(text.symbol);
    inst.native_symbol = to_th(s.symbol);
    inst.base = to_th(s.base_asset);
    inst.quote = to_th(s.quote_asset);
    inst.settle = to_th(text.settle);
    inst.price_scale = s.scales.price_scale;
    inst.qty_scale = s.scales.qty_scale;
    inst.tick_size = s.tick_size;
    inst.lot_size = s.step_size;
    inst.min_qty = s.min_qty;
    inst.min_notional = s.min_notional;
    inst.kind = text.kind;
    th_instrument_id id = 0;
    if (ctx_.host()->define_instrument(ctx_.self(), &inst, &id) != TH_OK) continue;
    parser_.set_scales(s.symbol, s.scales);
    symbols_.add(id, s.symbol, s.scales);
    ++defined;
  }
  emit_status(ctx_, defined ? TH_STATUS_READY : TH_STATUS_ERROR,
              defined ? std::to_string(defined) + " instruments from " + settings_.rest_url
                      : "exchangeInfo holds no TRADING symbol " + defaults_.connector + " can define");
}

void VenueConnector::subscribe(th_instrument_id id, uint32_t mask, int64_t interval_ns) {
  constexpr uint32_t kGiven = TH_EV_MASK(TH_EV_BAR) | TH_EV_MASK(TH_EV_TRADE) | TH_EV_MASK(TH_EV_QUOTE) | BookFeeds::kMask;
  if (mask & ~kGiven) throw Error(TH_ERR_UNSUPPORTED, defaults_.connector + " gives bars, trades, quotes and order books");
  const SymbolTable::Entry* e = symbols_.find(id);
  if (e == nullptr) throw Error(TH_ERR_NOT_FOUND, "unknown instrument");
  const std::string sym = lower(e->symbol);
  if (mask & TH_EV_MASK(TH_EV_BAR)) {
    const std::string iv = binance_interval(interval_ns);
    if (iv.empty()) throw Error(TH_ERR_UNSUPPORTED, "Binance has no kline interval of this length");
    BarState& st = bars_[id];
    st.interval_ns = interval_ns;
    open_stream(sym + "@kline_" + iv, id);
    if (history_bars_ > 0 && !defaults_.klines_path.empty() && !st.loading) {
      st.loading = true;  // the window comes from the venue's clock: ask it first
      request_history(id, /*time=*/true);
    }
  }
  if (mask & TH_EV_MASK(TH_EV_TRADE)) open_stream(sym + "@aggTrade", id);
  if (mask & TH_EV_MASK(TH_EV_QUOTE)) open_stream(sym + "@bookTicker", id);
  if (mask & BookFeeds::kMask) books_.add(id, e->symbol, e->scales);
  session_.add_traded(id);
}

void VenueConnector::on_ws(uint64_t conn, uint64_t cookie, int32_t what, std::string_view data) {
  if (cookie == TradingSession::kUserStreamCookie) return session_.on_ws(conn, what, data);
  if (BookFeeds::owns(cookie)) return books_.on_ws(cookie, what, data);
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
    case StreamKind::Kline:
      return on_kline(msg_.kline);
    case StreamKind::AggTrade:
      return on_agg_trade(msg_.agg_trade);
    case StreamKind::BookTicker:
      return on_book_ticker(msg_.book_ticker);
    case StreamKind::DepthDiff:
      return;
  }
}

void VenueConnector::open_stream(const std::string& name, th_instrument_id id) {
  if (!streams_.insert(name).second) return;
  const std::string url = settings_.ws_url + "/ws/" + name;
  if (ctx_.host()->ws_open(ctx_.self(), to_th(url), id) == 0) {
    streams_.erase(name);
    throw Error(TH_ERR_IO, "cannot open " + url);
  }
}

void VenueConnector::on_kline(const Kline& k) {
  if (!k.closed) return;  // only finished candles are bars
  const SymbolTable::Entry* e = symbols_.find(k.symbol);
  auto it = e ? bars_.find(e->id) : bars_.end();
  if (it == bars_.end()) return;
  if (it->second.loading) {
    it->second.held.push_back(k);  // after the history, in order
    return;
  }
  emit_bar(e->id, it->second, k.open_time_ms, k.open, k.high, k.low, k.close, k.volume);
}

void VenueConnector::emit_bar(th_instrument_id id, BarState& st, int64_t open_ms, int64_t open, int64_t high, int64_t low,
                              int64_t close, int64_t volume) {
  const int64_t open_time = open_ms * 1'000'000;
  if (open_time <= st.last_open) return;  // a duplicate after a reconnect, or already in the history
  st.last_open = open_time;
  // A bar becomes known when it closes.
  auto bar = make_event<th_ev_bar>(TH_EV_BAR, id, open_time + st.interval_ns, ctx_.now());
  bar.open_time = open_time;
  bar.interval_ns = st.interval_ns;
  bar.open = open;
  bar.high = high;
  bar.low = low;
  bar.close = close;
  bar.volume = volume;
  ctx_.host()->emit(ctx_.self(), &bar.h);
}

void VenueConnector::request_history(th_instrument_id id, bool time) {
  const SymbolTable::Entry* e = symbols_.find(id);
  int64_t weight = 1;
  std::string url = settings_.rest_url + time_path_;
  if (!time) {
    const BarState& st = bars_[id];
    const int64_t limit = st.history->next_limit();
    weight = !defaults_.klines_weight_by_limit ? 2 : limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
    url = settings_.rest_url + defaults_.klines_path + "?symbol=" + e->symbol + "&interval=" +
          binance_interval(st.interval_ns) + "&" + st.history->next_query();
  }
  const std::string budgets = settings_.weight_budget + "=" + std::to_string(weight);
  th_http_request req{};
  req.struct_size = sizeof req;
  req.method = TH_HTTP_GET;
  req.url = to_th(url);
  req.venue = to_th(settings_.venue);
  req.budgets = to_th(budgets);
  req.flags = TH_HTTP_IDEMPOTENT;
  if (ctx_.host()->http_request(ctx_.self(), &req, kHistoryCookie + 2 * id + (time ? 0 : 1)) == 0) {
    ctx_.warn("bar history for " + e->symbol + ": request refused; live bars only");
    finish_history(id, bars_[id]);
  }
}

void VenueConnector::on_history(uint64_t cookie, const th_http_response& r) {
  const auto id = static_cast<th_instrument_id>((cookie - kHistoryCookie) / 2);
  const bool time = (cookie - kHistoryCookie) % 2 == 0;
  auto it = bars_.find(id);
  const SymbolTable::Entry* e = symbols_.find(id);
  if (it == bars_.end() || e == nullptr) return;
  BarState& st = it->second;
  const std::string_view body(reinterpret_cast<const char*>(r.body.ptr), r.body.ptr ? r.body.len : 0);
  auto give_up = [&](const std::string& why) {
    ctx_.warn("bar history for " + e->symbol + ": " + why + "; live bars only from here");
    finish_history(id, st);
  };
  if (r.error != TH_OK) return give_up(std::string(to_sv(r.message)));
  if (r.status != 200) return give_up("HTTP " + std::to_string(r.status) + ": " + std::string(body.substr(0, 200)));
  std::string error;
  if (time) {
    rapidjson::Document doc;
    int64_t server_ms = 0;
    if (!detail::parse_document(body, "server time", doc, error) ||
        !detail::JsonFields(doc, "server time", error).i64("serverTime", server_ms))
      return give_up(error);
    st.history.emplace(history_bars_, server_ms, defaults_.klines_page_limit);
  } else {
    std::vector<RestKline> page;
    if (!parse_rest_klines(body, e->scales, page, error)) return give_up(error);
    st.history->take(page);
  }
  if (st.history->done()) {
    // Pages come newest first; the bars go out oldest first, then the live ones held meanwhile.
    const auto& got = st.history->candles();
    ctx_.info("bar history for " + e->symbol + ": " + std::to_string(got.size()) + " closed bars");
    for (const RestKline& k : got) emit_bar(id, st, k.open_time_ms, k.open, k.high, k.low, k.close, k.volume);
    return finish_history(id, st);
  }
  request_history(id, /*time=*/false);
}

void VenueConnector::finish_history(th_instrument_id, BarState& st) {
  st.loading = false;
  st.history.reset();
  auto held = std::move(st.held);
  st.held.clear();
  for (const Kline& k : held) on_kline(k);
}

void VenueConnector::on_agg_trade(const AggTrade& t) {
  const SymbolTable::Entry* e = symbols_.find(t.symbol);
  if (e == nullptr) return;
  auto ev = make_event<th_ev_trade>(TH_EV_TRADE, e->id, t.trade_time_ms * 1'000'000, ctx_.now());
  ev.price = t.price;
  ev.qty = t.qty;
  // `m`: "Is the buyer the market maker?" -- then the seller took liquidity.
  ev.aggressor_side = t.buyer_is_maker ? TH_SIDE_SELL : TH_SIDE_BUY;
  ctx_.host()->emit(ctx_.self(), &ev.h);
}

void VenueConnector::on_book_ticker(const BookTicker& q) {
  const SymbolTable::Entry* e = symbols_.find(q.symbol);
  if (e == nullptr) return;
  // Spot bookTicker carries no time; USD-M's carries the transaction time `T`.
  const th_time_ns now = ctx_.now();
  auto ev = make_event<th_ev_quote>(TH_EV_QUOTE, e->id,
                                    q.transaction_time_ms > 0 ? q.transaction_time_ms * 1'000'000 : now, now);
  ev.bid_price = q.bid_price;
  ev.bid_qty = q.bid_qty;
  ev.ask_price = q.ask_price;
  ev.ask_qty = q.ask_qty;
  ctx_.host()->emit(ctx_.self(), &ev.h);
}

}  // namespace tradehost::binance
