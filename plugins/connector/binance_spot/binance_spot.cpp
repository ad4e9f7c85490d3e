// The `binance_spot` connector, market data part: instruments from GET /api/v3/exchangeInfo
// (PRICE_FILTER tick size, LOT_SIZE step and minimum, NOTIONAL / MIN_NOTIONAL) and closed klines
// from the `<symbol>@kline_<interval>` stream as bars, through the host's HTTP and WebSocket
// services (ABI 1.2). Sources: binance/binance-spot-api-docs rest-api.md "Exchange information",
// web-socket-streams.md "Kline/Candlestick Streams". Order routing (submit, cancel, the user data
// stream, reconcile) is not here yet: a graph using this connector runs in paper mode, where the
// host's simulated matching engine fills orders against these bars.
#include <binance_common/exchange_info.hpp>
#include <binance_common/market_data.hpp>

#include <tradehost/plugin.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace {

namespace binance = tradehost::binance;
using tradehost::Context;
using tradehost::Error;
using tradehost::Field;

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

class BinanceSpot : public tradehost::Connector {
 public:
  static constexpr int kind = TH_KIND_CONNECTOR;
  static constexpr const char* type_name = "binance_spot";
  static constexpr const char* description =
      "Binance spot market data: instruments from exchangeInfo, closed klines as bars (orders: paper mode)";

  static std::vector<Field> config() {
    return {
        {"testnet", TH_CFG_BOOL, "false", "use the spot testnet endpoints (testnet.binance.vision)"},
        {"rest_url", TH_CFG_STR, "\"\"", "REST base URL; default https://api.binance.com (testnet: https://testnet.binance.vision)"},
        {"ws_url", TH_CFG_STR, "\"\"", "WebSocket base URL; default wss://stream.binance.com:9443 (testnet: wss://testnet.binance.vision)"},
        Field{"request_weight_limit", TH_CFG_I64, "1200", "REQUEST_WEIGHT budget per minute (exchangeInfo rateLimits)"}.with_unit("weight per minute"),
    };
  }

  explicit BinanceSpot(Context ctx) : Connector(ctx), parser_(binance::Venue::Spot) {
    const bool testnet = ctx.boolean("testnet");
    rest_url_ = ctx.str("rest_url");
    ws_url_ = ctx.str("ws_url");
    if (rest_url_.empty()) rest_url_ = testnet ? "https://testnet.binance.vision" : "https://api.binance.com";
    if (ws_url_.empty()) ws_url_ = testnet ? "wss://testnet.binance.vision" : "wss://stream.binance.com:9443";
    while (!rest_url_.empty() && rest_url_.back() == '/') rest_url_.pop_back();
    while (!ws_url_.empty() && ws_url_.back() == '/') ws_url_.pop_back();
    weight_limit_ = ctx.i64("request_weight_limit");
    if (weight_limit_ <= 0) throw Error(TH_ERR_INVALID_ARG, "request_weight_limit must be positive");
    budget_ = venue_ + ":REQUEST_WEIGHT:1m";
  }

  /// GET /api/v3/exchangeInfo (weight 20); instruments are defined when it answers, then a
  /// STATUS READY event tells the host they are there.
  void load_instruments() override {
    const th_host_api* h = ctx_.host();
    if (h->struct_size < offsetof(th_host_api, sign) + sizeof(void*))
      throw Error(TH_ERR_UNSUPPORTED, "binance_spot needs a host with ABI 1.2 networking");
    if (h->rate_budget(ctx_.self(), tradehost::to_th(budget_), tradehost::to_th(venue_), weight_limit_, 60'000'000'000,
                       tradehost::to_th("X-MBX-USED-WEIGHT-1M")) != TH_OK)
      throw Error(TH_ERR_INVALID_ARG, "cannot declare the request weight budget");
    const std::string url = rest_url_ + "/api/v3/exchangeInfo";
    const std::string budgets = budget_ + "=20";
    th_http_request req{};
    req.struct_size = sizeof req;
    req.method = TH_HTTP_GET;
    req.url = tradehost::to_th(url);
    req.venue = tradehost::to_th(venue_);
    req.budgets = tradehost::to_th(budgets);
    if (h->http_request(ctx_.self(), &req, kExchangeInfoCookie) == 0) throw Error(TH_ERR_IO, "exchangeInfo request refused");
  }

  void on_http(uint64_t, uint64_t cookie, const th_http_response& r) override {
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
      by_id_[id] = Instrument{s.symbol, {}};
      by_symbol_[s.symbol] = id;
      ++defined;
    }
    status(defined ? TH_STATUS_READY : TH_STATUS_ERROR,
           defined ? std::to_string(defined) + " instruments from " + rest_url_ : "exchangeInfo holds no TRADING symbol");
  }

  /// Bars only: one kline stream per instrument and interval.
  void subscribe(th_instrument_id id, uint32_t mask, int64_t interval_ns) override {
    if (mask & ~TH_EV_MASK(TH_EV_BAR)) throw Error(TH_ERR_UNSUPPORTED, "binance_spot gives bars only (so far)");
    auto it = by_id_.find(id);
    if (it == by_id_.end()) throw Error(TH_ERR_NOT_FOUND, "unknown instrument");
    const std::string iv = binance_interval(interval_ns);
    if (iv.empty()) throw Error(TH_ERR_UNSUPPORTED, "Binance has no kline interval of this length");
    it->second.interval_ns = interval_ns;
    const std::string url = ws_url_ + "/ws/" + lower(it->second.symbol) + "@kline_" + iv;
    const uint64_t conn = ctx_.host()->ws_open(ctx_.self(), tradehost::to_th(url), id);
    if (conn == 0) throw Error(TH_ERR_IO, "cannot open " + url);
  }

  void on_ws(uint64_t, uint64_t cookie, int32_t what, std::string_view data) override {
    if (what == TH_WS_CLOSED) {
      ctx_.warn("kline stream closed (" + std::string(data) + "); the host reconnects");
      return;
    }
    if (what != TH_WS_MESSAGE) return;
    std::string error;
    if (!parser_.parse_stream(data, msg_, error)) {
      ctx_.warn("kline stream: " + error);
      return;
    }
    if (msg_.kind != binance::StreamKind::Kline || !msg_.kline.closed) return;  // only finished candles are bars
    const auto id = static_cast<th_instrument_id>(cookie);
    auto it = by_id_.find(id);
    if (it == by_id_.end() || msg_.kline.symbol != it->second.symbol) return;
    const binance::Kline& k = msg_.kline;
    th_ev_bar bar{};
    bar.h.struct_size = sizeof bar;
    bar.h.type = TH_EV_BAR;
    bar.h.instrument = id;
    bar.open_time = k.open_time_ms * 1'000'000;
    bar.interval_ns = it->second.interval_ns;
    bar.h.ts_event = bar.open_time + bar.interval_ns;  // a bar becomes known when it closes
    bar.h.ts_recv = ctx_.now();
    bar.open = k.open;
    bar.high = k.high;
    bar.low = k.low;
    bar.close = k.close;
    bar.volume = k.volume;
    if (bar.open_time <= it->second.last_open) return;  // a duplicate after a reconnect
    it->second.last_open = bar.open_time;
    ctx_.host()->emit(ctx_.self(), &bar.h);
  }

 private:
  struct Instrument {
    std::string symbol;       // native, "BTCUSDT"
    int64_t interval_ns = 0;
    int64_t last_open = 0;
  };

  void status(int32_t code, const std::string& message) {
    th_ev_status ev{};
    ev.h.struct_size = sizeof ev;
    ev.h.type = TH_EV_STATUS;
    ev.h.ts_event = ev.h.ts_recv = ctx_.now();
    ev.code = code;
    ev.message = tradehost::to_th(message);
    ctx_.host()->emit(ctx_.self(), &ev.h);
  }

  std::string rest_url_, ws_url_;
  std::string venue_ = "binance-spot";
  std::string budget_;
  int64_t weight_limit_ = 1200;
  binance::MarketDataParser parser_;
  binance::StreamMessage msg_;
  std::map<th_instrument_id, Instrument> by_id_;
  std::map<std::string, th_instrument_id> by_symbol_;
};

}  // namespace

TH_DECLARE_PLUGIN("binance_spot", "0.1.0", "tradehost-binance-spot-1", BinanceSpot)
