// The `binance_usdm` connector: Binance USDⓈ-M perpetual futures -- market data and order routing
// through the host's HTTP, WebSocket and signing services (ABI 1.2/1.3). The connector skeleton,
// the market data and the order side are binance_common's (VenueConnector, TradingSession, shared
// with binance_spot); this file holds what is USD-M's own: the config keys, the /fapi endpoints and
// their weights, the account settings, and how a symbol becomes an instrument.
//
// Sources: developers.binance.com/docs/derivatives/usds-margined-futures as stored 2026-05
// ("General Info", "Exchange Information", "New Order(TRADE)", "Query Order", "Cancel Order",
// "Current All Open Orders", "New Algo Order(TRADE)", "Cancel Algo Order", "Query Algo Order",
// "Current All Algo Open Orders", "Account Trade List", "Account Information V2", "Position
// Information V2", "Change Initial Leverage", "Change Margin Type", "Start/Keepalive User Data
// Stream", "Event: Order Update", "Event: Balance and Position Update", "Event: Algo Order Update",
// "Websocket Market Streams").
//
// Instruments: GET /fapi/v1/exchangeInfo; each TRADING symbol with contractType PERPETUAL becomes
// a TH_INST_PERPETUAL "BASE/QUOTE:SETTLE" ("BTC/USDT:USDT", settle = marginAsset); quarterly
// contracts are left out. Market data as spot: closed klines as bars, aggTrade as trades,
// bookTicker as quotes, from <ws_url>/ws/<symbol>@<stream>.
//
// Orders (mode = "live"): one-way position mode (no positionSide is sent, so Binance's default
// BOTH). LIMIT and MARKET: POST /fapi/v1/order with newClientOrderId (timeInForce GTC / IOC / FOK /
// GTX), cancel = DELETE /fapi/v1/order and query = GET /fapi/v1/order by origClientOrderId plus
// GET /fapi/v1/userTrades?orderId= for the fills. The conditional types -- STOP, STOP_MARKET,
// TAKE_PROFIT, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET (with `callback_rate`) -- go through the
// Algo Order API, the only way Binance takes them since 2025-12 (/fapi/v1/order answers -4120):
// POST /fapi/v1/algoOrder with algoType CONDITIONAL, clientAlgoId = the host's client order id,
// triggerPrice and workingType (`working_type`); cancel = DELETE /fapi/v1/algoOrder and query =
// GET /fapi/v1/algoOrder by clientAlgoId. When one triggers, the order Binance places for it (named
// by the algo order's actualOrderId / ALGO_UPDATE "ai") carries its fills and final state, which
// are reported as the host's one order (TradingSession, algo_orders.hpp). reduceOnly from
// TH_OF_REDUCE_ONLY. reconcile = GET /fapi/v1/time, then for every traded instrument POST
// /fapi/v1/marginType (`margin_type`; -4046 "No need to change margin type." is success) and POST
// /fapi/v1/leverage (`leverage`), then the listenKey (POST /fapi/v1/listenKey) and its stream, GET
// /fapi/v1/openAlgoOrders and GET /fapi/v1/openOrders (all symbols), GET /fapi/v2/account (its
// assets' wallet balances) and GET /fapi/v2/positionRisk, then TH_STATUS_RECONCILED. On the user
// data stream ORDER_TRADE_UPDATE gives TH_EV_FILL and TH_EV_ORDER, ALGO_UPDATE TH_EV_ORDER,
// ACCOUNT_UPDATE gives TH_EV_BALANCE (wallet balance) and TH_EV_POSITION (signed amount, entry
// price).
#include <binance_common/venue_connector.hpp>
#include <cctype>
#include <string>
#include <tradehost/fixed.hpp>
#include <tradehost/plugin.hpp>
#include <vector>

namespace {

namespace binance = tradehost::binance;
using tradehost::Context;
using tradehost::Error;
using tradehost::Field;

// "General Info": base endpoint https://fapi.binance.com; market streams wss://fstream.binance.com.
// The testnet pair is the one the brief names (testnet.binancefuture.com / stream.binancefuture.com);
// the 2026-05 General Info page names https://demo-fapi.binance.com and wss://fstream.binancefuture.com
// instead -- rest_url / ws_url override either.
const binance::VenueDefaults kUsdmDefaults{
    .connector = "binance_usdm",
    .venue = "binance-usdm",
    .rest_url = "https://fapi.binance.com",
    .ws_url = "wss://fstream.binance.com",
    .testnet_rest_url = "https://testnet.binancefuture.com",
    .testnet_ws_url = "wss://stream.binancefuture.com",
    .exchange_info_path = "/fapi/v1/exchangeInfo",
    .exchange_info_weight = 1,
    .orders_window = "1m",
    .orders_key = "orders_per_minute",
    .klines_path = "/fapi/v1/klines",  // "Kline/Candlestick Data": weight by limit, limit <= 1500
    .klines_page_limit = 1500,
    .klines_weight_by_limit = true,
};

/// The `callback_rate` key as Binance's text: "" when unset; percent with one decimal, 0.1 to 10
/// ("New Order": "min 0.1, max 10 where 1 for 1%").
std::string read_callback_rate(const Context& ctx) {
  const std::string text = ctx.str("callback_rate");
  if (text.empty()) return text;
  int64_t tenths = 0;
  std::string why;
  if (!tradehost::parse_fixed(text, 1, tenths, &why) || tenths < 1 || tenths > 100)
    throw Error(TH_ERR_INVALID_ARG,
                "callback_rate must be a percent from 0.1 to 10 in steps of 0.1, not \"" + text + "\"");
  return tradehost::format_fixed_trimmed(tenths, 1);
}

/// The `working_type` key as Binance's workingType ("triggerPrice triggered by: MARK_PRICE,
/// CONTRACT_PRICE. Default CONTRACT_PRICE").
std::string read_working_type(const Context& ctx) {
  std::string text = ctx.str("working_type");
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (text != "CONTRACT_PRICE" && text != "MARK_PRICE")
    throw Error(TH_ERR_INVALID_ARG,
                "working_type must be \"CONTRACT_PRICE\" or \"MARK_PRICE\", not \"" + ctx.str("working_type") + "\"");
  return text;
}

// Weights ("Request Weight" of each page): time 1, listenKey 1, New Order and New Algo Order 0 on
// the IP limit (1 on the order counts), Cancel Order, Cancel Algo Order, Query Order and Query
// Algo Order 1, Account Trade List 5, Current All Open Orders and Current All Algo Open Orders 40
// without a symbol, Account Information V2 5, Position Information V2 5. "Order Rate Limits":
// counted per account in X-MBX-ORDER-COUNT-1M (and -10S).
binance::TradingProfile usdm_profile(std::string callback_rate, std::string working_type) {
  binance::TradingProfile p;
  p.connector = "binance_usdm";
  p.venue = binance::Venue::UsdM;
  p.server_time = {"/fapi/v1/time", 1};
  p.user_stream = {"/fapi/v1/listenKey", 1};
  p.keep_alive_names_key = false;  // "Keepalive User Data Stream": no parameters
  p.order = {"/fapi/v1/order", 0};
  p.cancel = {"/fapi/v1/order", 1};
  p.query = {"/fapi/v1/order", 1};
  p.trades = {"/fapi/v1/userTrades", 5};
  p.open_orders = {"/fapi/v1/openOrders", 40};
  p.algo_order = {"/fapi/v1/algoOrder", 0};
  p.algo_cancel = {"/fapi/v1/algoOrder", 1};
  p.algo_query = {"/fapi/v1/algoOrder", 1};
  p.algo_open_orders = {"/fapi/v1/openAlgoOrders", 40};
  p.balances = {"/fapi/v2/account", 5};
  p.positions = {"/fapi/v2/positionRisk", 5};
  p.orders_header = "X-MBX-ORDER-COUNT-1M";
  p.orders_window_ns = 60'000'000'000;
  p.order_params = [rate = std::move(callback_rate), working = std::move(working_type)](
                       const th_order_request& req, const binance::SymbolTable::Entry& e, std::string_view cid,
                       binance::OrderParams& out, std::string& why) {
    return binance::usdm_order_params(req, e.symbol, e.scales, cid, binance::UsdmOrderOptions{rate, working}, out, why);
  };
  p.parse_balances = binance::parse_futures_account;
  return p;
}

// A signed POST of `path` with `param`=`value`, weight 1 ("Change Margin Type", "Change Initial
// Leverage"); member by member: g++ 12 warns (-Wmaybe-uninitialized) on the nested braces.
binance::AccountSetting setting(const char* path, const char* param, std::string value, std::vector<int64_t> already_set) {
  binance::AccountSetting s;
  s.endpoint.path = path;
  s.endpoint.weight = 1;
  s.param = param;
  s.value = std::move(value);
  s.already_set = std::move(already_set);
  return s;
}

binance::TradingSettings usdm_settings(const Context& ctx) {
  binance::TradingSettings s = binance::read_trading_settings(ctx, kUsdmDefaults);
  std::string margin = ctx.str("margin_type");
  for (auto& c : margin) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!margin.empty()) {
    if (margin != "ISOLATED" && margin != "CROSSED")
      throw Error(TH_ERR_INVALID_ARG,
                  "margin_type must be \"ISOLATED\" or \"CROSSED\", not \"" + ctx.str("margin_type") + "\"");
    // "Change Margin Type": -4046 "No need to change margin type." when it is already so.
    s.account_settings.push_back(setting("/fapi/v1/marginType", "marginType", margin, {-4046}));
  }
  const int64_t leverage = ctx.i64("leverage");
  if (leverage != 0) {
    if (leverage < 1 || leverage > 125)
      throw Error(TH_ERR_INVALID_ARG,
                  "leverage must be from 1 to 125 (\"Change Initial Leverage\"), not " + std::to_string(leverage));
    s.account_settings.push_back(setting("/fapi/v1/leverage", "leverage", std::to_string(leverage), {}));
  }
  return s;
}

class BinanceUsdm : public binance::VenueConnector {
 public:
  static constexpr const char* type_name = "binance_usdm";
  static constexpr const char* description =
      "Binance USD-M perpetual futures: instruments from exchangeInfo, bars, trades, quotes and order books; live orders "
      "(conditional ones through the Algo Order API), fills, balances and positions through the REST API and the user data "
      "stream; leverage and margin type per instrument";

  static std::vector<Field> config() {
    return binance::venue_config_fields(
        {"use the futures testnet endpoints (testnet.binancefuture.com)",
         "REST base URL; default https://fapi.binance.com (testnet: https://testnet.binancefuture.com)",
         "WebSocket base URL; default wss://fstream.binance.com (testnet: wss://stream.binancefuture.com)", "2400",
         Field{"orders_per_minute", TH_CFG_I64, "1200", "ORDERS budget per minute (exchangeInfo rateLimits)"}.with_unit(
             "orders per minute")},
        {
            Field{"leverage", TH_CFG_I64, "0",
                  "initial leverage set on every traded instrument before trading (POST /fapi/v1/leverage, 1 to 125); "
                  "0 = leave as the account has it"},
            {"margin_type", TH_CFG_STR, "\"\"",
             "ISOLATED or CROSSED, set on every traded instrument before trading (POST /fapi/v1/marginType); empty = "
             "leave as the account has it"},
            Field{"callback_rate", TH_CFG_STR, "\"\"",
                  "trailing stops: TRAILING_STOP_MARKET callbackRate, 0.1 to 10; empty = trailing stops are refused"}
                .with_unit("percent"),
            {"working_type", TH_CFG_STR, "\"CONTRACT_PRICE\"",
             "conditional orders (Algo Order API): the price their trigger watches, CONTRACT_PRICE (last price) or "
             "MARK_PRICE"},
        });
  }

  explicit BinanceUsdm(Context ctx)
      : VenueConnector(ctx, kUsdmDefaults, usdm_profile(read_callback_rate(ctx), read_working_type(ctx)), usdm_settings(ctx),
                       ctx.i64("request_weight_limit")) {}

 protected:
  bool instrument_of(const binance::SymbolInfo& s, binance::InstrumentText& out) const override {
    if (s.contract_type != "PERPETUAL") return false;
    out.settle = s.margin_asset.empty() ? s.quote_asset : s.margin_asset;
    out.symbol = s.base_asset + "/" + s.quote_asset + ":" + out.settle;
    out.kind = TH_INST_PERPETUAL;
    return true;
  }
};

}  // namespace

TH_DECLARE_PLUGIN("binance_usdm", "0.1.0", "tradehost-binance-usdm-1", BinanceUsdm)
