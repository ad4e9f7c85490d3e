// The `binance_spot` connector: Binance spot market data and order routing through the host's
// HTTP, WebSocket and signing services (ABI 1.2/1.3). The connector skeleton, the market data and
// the order side are binance_common's (VenueConnector, TradingSession); this file holds what is
// spot's own: the config keys, the endpoints and weights, and how a symbol becomes an instrument.
//
// Market data: instruments from GET /api/v3/exchangeInfo (PRICE_FILTER tick size, LOT_SIZE step
// and minimum, NOTIONAL / MIN_NOTIONAL); closed klines from `<symbol>@kline_<interval>` as bars,
// `<symbol>@aggTrade` as trades and `<symbol>@bookTicker` as quotes. Sources:
// binance/binance-spot-api-docs rest-api.md "Exchange information", web-socket-streams.md
// "Aggregate Trade Streams", "Kline/Candlestick Streams", "Individual Symbol Book Ticker Streams".
//
// Orders (mode = "live"; trading_session.hpp has the details): submit = POST /api/v3/order with the
// host's client order id as newClientOrderId; cancel = DELETE /api/v3/order by origClientOrderId;
// query = GET /api/v3/order by origClientOrderId plus GET /api/v3/myTrades for its fills;
// reconcile = server time, the user data stream, GET /api/v3/openOrders (all symbols) and GET
// /api/v3/account, then TH_STATUS_RECONCILED. Executions and balances arrive on the user data
// stream (executionReport, outboundAccountPosition). An order whose outcome is unknown is never
// sent twice: it is looked up by client order id until the venue answers. Requests are signed by
// the host with the credential named by the `credential` key; without one the connector gives
// market data only (paper mode, where the host's simulator fills orders).
#include <binance_common/venue_connector.hpp>

#include <tradehost/plugin.hpp>

#include <string>
#include <vector>

namespace {

namespace binance = tradehost::binance;
using tradehost::Context;
using tradehost::Field;

const binance::VenueDefaults kSpotDefaults{
    .connector = "binance_spot",
    .venue = "binance-spot",
    .rest_url = "https://api.binance.com",
    .ws_url = "wss://stream.binance.com:9443",
    .testnet_rest_url = "https://testnet.binance.vision",
    .testnet_ws_url = "wss://testnet.binance.vision",
    .exchange_info_path = "/api/v3/exchangeInfo",
    .exchange_info_weight = 20,
    .orders_window = "10s",
    .orders_key = "orders_per_10s",
    .klines_path = "/api/v3/klines",  // rest-api.md "Kline/Candlestick data": weight 2, limit <= 1000
    .klines_page_limit = 1000,
    .klines_weight_by_limit = false,
};

// Request weights, rest-api.md (2023-06-07): "Check server time" 1, "New order" 1, "Cancel order"
// 1, "Query order" 2, "Current open orders" 40 without a symbol, "Account information" 10,
// "Account trade list" 10, the user data stream endpoints 1. "Order Rate Limits": ORDERS per 10
// seconds, reported in X-MBX-ORDER-COUNT-10S.
binance::TradingProfile spot_profile() {
  binance::TradingProfile p;
  p.connector = "binance_spot";
  p.venue = binance::Venue::Spot;
  p.server_time = {"/api/v3/time", 1};
  p.user_stream = {"/api/v3/userDataStream", 1};
  p.keep_alive_names_key = true;
  p.order = {"/api/v3/order", 1};
  p.cancel = {"/api/v3/order", 1};
  p.query = {"/api/v3/order", 2};
  p.trades = {"/api/v3/myTrades", 10};
  p.open_orders = {"/api/v3/openOrders", 40};
  p.balances = {"/api/v3/account", 10};
  p.orders_header = "X-MBX-ORDER-COUNT-10S";
  p.orders_window_ns = 10'000'000'000;
  p.order_params = [](const th_order_request& req, const binance::SymbolTable::Entry& e, std::string_view cid,
                      binance::OrderParams& out, std::string& why) {
    return binance::spot_order_params(req, e.symbol, e.scales, cid, out, why);
  };
  p.parse_balances = binance::parse_account_balances;
  return p;
}

class BinanceSpot : public binance::VenueConnector {
 public:
  static constexpr const char* type_name = "binance_spot";
  static constexpr const char* description =
      "Binance spot: instruments from exchangeInfo, bars, trades, quotes and order books; live orders, fills and balances "
      "through the REST API and the user data stream";

  static std::vector<Field> config() {
    return binance::venue_config_fields(
        {"use the spot testnet endpoints (testnet.binance.vision)",
         "REST base URL; default https://api.binance.com (testnet: https://testnet.binance.vision)",
         "WebSocket base URL; default wss://stream.binance.com:9443 (testnet: wss://testnet.binance.vision)", "1200",
         Field{"orders_per_10s", TH_CFG_I64, "50", "ORDERS budget per 10 seconds (exchangeInfo rateLimits)"}.with_unit(
             "orders per 10 s")});
  }

  explicit BinanceSpot(Context ctx)
      : VenueConnector(ctx, kSpotDefaults, spot_profile(), binance::read_trading_settings(ctx, kSpotDefaults),
                       ctx.i64("request_weight_limit")) {}

 protected:
  bool instrument_of(const binance::SymbolInfo& s, binance::InstrumentText& out) const override {
    out.symbol = s.base_asset + "/" + s.quote_asset;
    out.settle.clear();
    out.kind = TH_INST_SPOT;
    return true;
  }
};

}  // namespace

TH_DECLARE_PLUGIN("binance_spot", "0.2.0", "tradehost-binance-spot-2", BinanceSpot)
