#include "usdm_json.hpp"

#include "json_writer.hpp"

#include <cstdlib>
#include <initializer_list>
#include <utility>

namespace tradehost::exchange_sim {

namespace {

constexpr int kQuoteDecimals = 5;  // cumQuote, quoteQty
constexpr int kAvgPriceDecimals = 5;  // avgPrice "0.00000" in the docs' order examples
constexpr int kMoneyDecimals = 8;  // balances, PnL, commissions, margins
// Not modelled: no leverage brackets. A fixed cap, never enforced.
constexpr const char* kMaxNotional = "1000000";

// The order fields every order shape shares, between its head and its tail.
struct OrderFields {
  const SymbolRules& r;
  const Order& o;

  void quantities(Json& j, bool with_cum_qty) const {
    if (with_cum_qty) j.x("cumQty", o.executed_qty, r.qty_precision);
    j.x("cumQuote", o.cumm_quote_qty, kQuoteDecimals).x("executedQty", o.executed_qty, r.qty_precision);
  }
  // The orders here are LIMIT or MARKET (conditional ones are algo orders): stopPrice 0 and
  // closePosition false, as Binance prints them for those types.
  void flags(Json& j) const {
    j.x("price", o.price, r.price_precision).b("reduceOnly", o.reduce_only).f("side", to_string(o.side))
        .f("positionSide", "BOTH").f("status", to_string(o.status)).x("stopPrice", 0, r.price_precision)
        .b("closePosition", false).f("symbol", r.symbol);
  }
  void tail(Json& j) const {
    j.n("updateTime", o.update_time_ms).f("workingType", "CONTRACT_PRICE").b("priceProtect", false)
        .f("priceMatch", "NONE").f("selfTradePreventionMode", "NONE").n("goodTillDate", 0);
  }
};

void order_object(Json& j, const SymbolRules& r, const Order& o) {
  OrderFields f{r, o};
  j.obj().x("avgPrice", o.avg_price(), kAvgPriceDecimals).f("clientOrderId", o.client_order_id);
  f.quantities(j, false);
  j.n("orderId", o.order_id).x("origQty", o.orig_qty, r.qty_precision).f("origType", to_string(o.type));
  f.flags(j);
  j.n("time", o.time_ms).f("timeInForce", to_string(o.tif)).f("type", to_string(o.type));
  f.tail(j);
  j.end_obj();
}

// Filter values as the recorded exchangeInfo prints them: shortest form, except prices, which
// keep the symbol's pricePrecision when they have a fraction (tickSize "0.10", minPrice "556.80").
std::string price_text(int64_t raw, const SymbolRules& r) {
  if (raw % 100000000 == 0) return format_fixed_trimmed(raw, kScale);
  return format_fixed(raw / pow10_i64(kScale - r.price_precision), r.price_precision);
}

void rate_limits(Json& j, const RateLimitConfig& limits) {
  j.key("rateLimits").arr();
  j.obj().f("rateLimitType", "REQUEST_WEIGHT").f("interval", "MINUTE").n("intervalNum", 1)
      .n("limit", limits.request_weight_per_minute).end_obj();
  j.obj().f("rateLimitType", "ORDERS").f("interval", "MINUTE").n("intervalNum", 1).n("limit", limits.orders_per_minute)
      .end_obj();
  j.obj().f("rateLimitType", "ORDERS").f("interval", "SECOND").n("intervalNum", 10).n("limit", limits.orders_per_10s)
      .end_obj();
  j.end_arr();
}

}  // namespace

std::string usdm_recorded_exchange_info_json(const CaptureRecording& rec, const RateLimitConfig& limits,
                                             int64_t server_time_ms) {
  Json j;
  j.obj().f("timezone", "UTC").n("serverTime", server_time_ms).f("futuresType", "U_MARGINED");
  rate_limits(j, limits);
  j.key("exchangeFilters").raw(rec.exchange_filters_json, rapidjson::kArrayType);
  j.key("assets").raw(rec.assets_json, rapidjson::kArrayType);
  j.key("symbols").arr();
  for (const RecordedSymbol& s : rec.symbols) j.raw(s.info_json, rapidjson::kObjectType);
  j.end_arr().end_obj();
  return j.text();
}

std::string usdm_exchange_info_json(const SymbolRules& r, const RateLimitConfig& limits, int64_t server_time_ms) {
  auto trimmed = [](int64_t raw) { return format_fixed_trimmed(raw, kScale); };
  Json j;
  j.obj().f("timezone", "UTC").n("serverTime", server_time_ms).f("futuresType", "U_MARGINED");
  rate_limits(j, limits);
  j.key("exchangeFilters").arr().end_arr();
  j.key("assets").arr();
  j.obj().f("asset", r.quote_asset).b("marginAvailable", true).f("autoAssetExchange", "-10000").end_obj();
  j.end_arr();
  j.key("symbols").arr().obj();
  j.f("symbol", r.symbol).f("pair", r.symbol).f("contractType", "PERPETUAL").n("deliveryDate", 4133404800000)
      .n("onboardDate", 1569398400000).f("status", "TRADING").f("maintMarginPercent", "2.5000")
      .f("requiredMarginPercent", "5.0000").f("baseAsset", r.base_asset).f("quoteAsset", r.quote_asset)
      .f("marginAsset", r.quote_asset).n("pricePrecision", r.price_precision).n("quantityPrecision", r.qty_precision)
      .n("baseAssetPrecision", 8).n("quotePrecision", 8).f("underlyingType", "COIN");
  j.key("underlyingSubType").arr().end_arr();
  j.n("settlePlan", 0).f("triggerProtect", "0.0500").f("liquidationFee", "0.012000").f("marketTakeBound", "0.30");
  j.key("filters").arr();
  // Key order as in the recording. PERCENT_PRICE and MAX_NUM_ALGO_ORDERS are published, not enforced.
  j.obj().f("minPrice", price_text(r.min_price, r)).f("maxPrice", price_text(r.max_price, r))
      .f("filterType", "PRICE_FILTER").f("tickSize", price_text(r.tick_size, r)).end_obj();
  j.obj().f("stepSize", trimmed(r.step_size)).f("filterType", "LOT_SIZE").f("maxQty", trimmed(r.max_qty))
      .f("minQty", trimmed(r.min_qty)).end_obj();
  j.obj().f("stepSize", trimmed(r.step_size)).f("filterType", "MARKET_LOT_SIZE").f("maxQty", trimmed(r.market_max_qty))
      .f("minQty", trimmed(r.market_min_qty)).end_obj();
  j.obj().n("limit", r.max_num_orders).f("filterType", "MAX_NUM_ORDERS").end_obj();
  j.obj().n("limit", 10).f("filterType", "MAX_NUM_ALGO_ORDERS").end_obj();
  j.obj().f("notional", trimmed(r.min_notional)).f("filterType", "MIN_NOTIONAL").end_obj();
  j.obj().f("multiplierDown", "0.8500").f("multiplierUp", "1.1500").f("multiplierDecimal", "4")
      .f("filterType", "PERCENT_PRICE").end_obj();
  j.end_arr();
  // Every type the sim takes (the conditional ones through the Algo Order API), as the recording lists them.
  j.key("orderTypes").arr().str("LIMIT").str("MARKET").str("STOP").str("STOP_MARKET").str("TAKE_PROFIT")
      .str("TAKE_PROFIT_MARKET").str("TRAILING_STOP_MARKET").end_arr();
  j.key("timeInForce").arr().str("GTC").str("IOC").str("FOK").str("GTX").end_arr();
  j.end_obj().end_arr().end_obj();
  return j.text();
}

std::string usdm_new_order_json(const SymbolRules& r, const Placement& p, bool result) {
  const Order& o = result ? p.order : p.accepted;
  OrderFields f{r, o};
  Json j;
  j.obj().f("clientOrderId", o.client_order_id);
  f.quantities(j, true);
  j.n("orderId", o.order_id).x("avgPrice", o.avg_price(), kAvgPriceDecimals).x("origQty", o.orig_qty, r.qty_precision);
  f.flags(j);
  j.f("timeInForce", to_string(o.tif)).f("type", to_string(o.type)).f("origType", to_string(o.type));
  f.tail(j);
  j.end_obj();
  return j.text();
}

std::string usdm_order_json(const SymbolRules& r, const Order& o) {
  Json j;
  order_object(j, r, o);
  return j.text();
}

std::string usdm_open_orders_json(const UsdmExchange& ex, const std::vector<Order>& orders) {
  Json j;
  j.arr();
  for (const Order& o : orders) order_object(j, ex.rules(o.symbol), o);
  j.end_arr();
  return j.text();
}

std::string usdm_cancel_json(const SymbolRules& r, const Order& o) {
  OrderFields f{r, o};
  Json j;
  j.obj().f("clientOrderId", o.client_order_id);
  f.quantities(j, true);
  j.n("orderId", o.order_id).x("origQty", o.orig_qty, r.qty_precision).f("origType", to_string(o.type));
  f.flags(j);
  j.f("timeInForce", to_string(o.tif)).f("type", to_string(o.type));
  f.tail(j);
  j.end_obj();
  return j.text();
}

std::string usdm_account_json(const UsdmExchange& ex, const std::string& account) {
  const SymbolRules& r = ex.rules();
  const int64_t wallet = ex.wallet_balance(account), unrealized = ex.unrealized_pnl(account);
  const int64_t position_im = ex.position_initial_margin(account), order_im = ex.open_order_initial_margin(account);
  const int64_t cross_wallet = wallet - ex.isolated_wallet(account);
  int64_t cross_unrealized = 0;  // of the positions in cross margin
  for (const SymbolRules& sr : ex.symbols())
    if (!ex.position(account, sr.symbol).isolated) cross_unrealized += ex.unrealized_pnl(account, sr.symbol);
  const int64_t available = ex.available_balance(account);
  using Amounts = std::initializer_list<std::pair<const char*, int64_t>>;
  auto amounts = [](Json& j, Amounts list) {
    for (const auto& [key, value] : list) j.x(key, value, kMoneyDecimals);
  };
  // Maintenance margin is not modelled (nothing is liquidated): always 0.
  Json j;
  j.obj().n("feeTier", 0).b("feeBurn", false).b("canTrade", true).b("canDeposit", true).b("canWithdraw", true)
      .n("updateTime", 0).b("multiAssetsMargin", false).n("tradeGroupId", -1);
  amounts(j, {{"totalInitialMargin", position_im + order_im}, {"totalMaintMargin", 0}, {"totalWalletBalance", wallet},
              {"totalUnrealizedProfit", unrealized}, {"totalMarginBalance", wallet + unrealized},
              {"totalPositionInitialMargin", position_im}, {"totalOpenOrderInitialMargin", order_im},
              {"totalCrossWalletBalance", cross_wallet}, {"totalCrossUnPnl", cross_unrealized},
              {"availableBalance", available}, {"maxWithdrawAmount", available}});
  j.key("assets").arr().obj().f("asset", r.quote_asset);
  amounts(j, {{"walletBalance", wallet}, {"unrealizedProfit", unrealized}, {"marginBalance", wallet + unrealized},
              {"maintMargin", 0}, {"initialMargin", position_im + order_im}, {"positionInitialMargin", position_im},
              {"openOrderInitialMargin", order_im}, {"crossWalletBalance", cross_wallet},
              {"crossUnPnl", cross_unrealized}, {"availableBalance", available}, {"maxWithdrawAmount", available}});
  j.b("marginAvailable", true).n("updateTime", ex.account_update_time(account)).end_obj().end_arr();
  j.key("positions").arr();
  for (const SymbolRules& sr : ex.symbols()) {
    const Position& p = ex.position(account, sr.symbol);
    const int64_t up = ex.unrealized_pnl(account, sr.symbol), im = ex.position_initial_margin(account, sr.symbol);
    const int64_t oim = ex.open_order_initial_margin(account, sr.symbol);
    j.obj().f("symbol", sr.symbol);
    amounts(j, {{"initialMargin", im + oim}, {"maintMargin", 0}, {"unrealizedProfit", up},
                {"positionInitialMargin", im}, {"openOrderInitialMargin", oim}});
    j.f("leverage", std::to_string(p.leverage)).b("isolated", p.isolated);
    amounts(j, {{"entryPrice", p.entry_price}, {"breakEvenPrice", p.entry_price}});
    j.f("maxNotional", kMaxNotional).f("bidNotional", "0").f("askNotional", "0").f("positionSide", "BOTH")
        .x("positionAmt", p.amount, sr.qty_precision).n("updateTime", p.update_time_ms).end_obj();
  }
  j.end_arr();
  j.end_obj();
  return j.text();
}

std::string usdm_position_risk_json(const UsdmExchange& ex, const std::string& account, const std::string& symbol) {
  Json j;
  j.arr();
  for (const SymbolRules& r : ex.symbols()) {
    if (!symbol.empty() && r.symbol != symbol) continue;
    const Position& p = ex.position(account, r.symbol);
    const int64_t unrealized = ex.unrealized_pnl(account, r.symbol);
    const int64_t isolated_wallet = ex.isolated_wallet(account, r.symbol);
    j.obj().x("entryPrice", p.entry_price, kMoneyDecimals).x("breakEvenPrice", p.entry_price, kMoneyDecimals)
        .f("marginType", p.isolated ? "isolated" : "cross").f("isAutoAddMargin", "false")
        .x("isolatedMargin", p.isolated ? isolated_wallet + unrealized : 0, kMoneyDecimals)
        .f("leverage", std::to_string(p.leverage)).f("liquidationPrice", "0")
        .x("markPrice", ex.mark_price(r.symbol), kMoneyDecimals).f("maxNotionalValue", kMaxNotional)
        .x("positionAmt", p.amount, r.qty_precision)
        .x("notional", quote_of(ex.mark_price(r.symbol), p.amount), kMoneyDecimals)
        .x("isolatedWallet", isolated_wallet, kMoneyDecimals).f("symbol", r.symbol)
        .x("unRealizedProfit", unrealized, kMoneyDecimals).f("positionSide", "BOTH").n("updateTime", p.update_time_ms)
        .end_obj();
  }
  j.end_arr();
  return j.text();
}

std::string usdm_user_trades_json(const UsdmExchange& ex, const std::vector<Fill>& fills) {
  Json j;
  j.arr();
  for (const Fill& f : fills) {
    const SymbolRules& r = ex.rules(f.symbol);
    j.obj().b("buyer", f.is_buyer).x("commission", f.commission, kMoneyDecimals)
        .f("commissionAsset", f.commission_asset).n("id", f.trade_id).b("maker", f.is_maker).n("orderId", f.order_id)
        .x("price", f.price, r.price_precision).x("qty", f.qty, r.qty_precision)
        .x("quoteQty", f.quote_qty, kQuoteDecimals).x("realizedPnl", f.realized_pnl, kMoneyDecimals)
        .f("side", f.is_buyer ? "BUY" : "SELL").f("positionSide", "BOTH").f("symbol", r.symbol).n("time", f.time_ms)
        .end_obj();
  }
  j.end_arr();
  return j.text();
}

std::string usdm_leverage_json(const UsdmExchange& ex, const std::string& account, const std::string& symbol) {
  const SymbolRules& r = ex.rules(symbol);
  Json j;
  j.obj().n("leverage", ex.position(account, r.symbol).leverage).f("maxNotionalValue", kMaxNotional)
      .f("symbol", r.symbol).end_obj();
  return j.text();
}

namespace {

// Shortest decimal form: ALGO_UPDATE's "tp" / "p" ("750") and callbackRate.
std::string shortest(int64_t raw) { return format_fixed_trimmed(raw, kScale); }

// The keys every algo order shape shares up to algoStatus, and from selfTradePreventionMode on.
void algo_head(Json& j, const SymbolRules& r, const AlgoOrder& a) {
  j.n("algoId", a.algo_id).f("clientAlgoId", a.client_algo_id).f("algoType", "CONDITIONAL")
      .f("orderType", to_string(a.type)).f("symbol", r.symbol).f("side", to_string(a.side)).f("positionSide", "BOTH")
      .f("timeInForce", to_string(a.tif)).x("quantity", a.qty, r.qty_precision).f("algoStatus", to_string(a.status));
}

void algo_tail(Json& j, const SymbolRules& r, const AlgoOrder& a) {
  j.f("selfTradePreventionMode", "NONE").f("workingType", to_string(a.working_type)).f("priceMatch", "NONE")
      .b("closePosition", a.close_position).b("priceProtect", false).b("reduceOnly", a.reduce_only);
  if (a.type == AlgoOrderType::TrailingStopMarket)  // only trailing stops have them, as ORDER_TRADE_UPDATE "AP" / "cr"
    j.x("activatePrice", a.activate_price, r.price_precision).f("callbackRate", shortest(a.callback_rate));
  j.n("createTime", a.create_time_ms).n("updateTime", a.update_time_ms).n("triggerTime", a.trigger_time_ms)
      .n("goodTillDate", 0);
}

void algo_object(Json& j, const SymbolRules& r, const AlgoOrder& a) {
  j.obj();
  algo_head(j, r, a);
  j.f("actualOrderId", a.actual_order_id >= 0 ? std::to_string(a.actual_order_id) : std::string())
      .x("actualPrice", a.actual_avg_price, kAvgPriceDecimals).x("triggerPrice", a.trigger_price, r.price_precision)
      .x("price", a.price, r.price_precision).key("icebergQuantity").null();
  // TP/SL pairs are not simulated: the example's empty values.
  j.x("tpTriggerPrice", 0, r.price_precision).x("tpPrice", 0, r.price_precision)
      .x("slTriggerPrice", 0, r.price_precision).x("slPrice", 0, r.price_precision).f("tpOrderType", "");
  algo_tail(j, r, a);
  j.end_obj();
}

}  // namespace

std::string usdm_new_algo_order_json(const SymbolRules& r, const AlgoOrder& a) {
  Json j;
  j.obj();
  algo_head(j, r, a);
  j.x("triggerPrice", a.trigger_price, r.price_precision).x("price", a.price, r.price_precision)
      .key("icebergQuantity").null();
  algo_tail(j, r, a);
  j.end_obj();
  return j.text();
}

std::string usdm_algo_order_json(const SymbolRules& r, const AlgoOrder& a) {
  Json j;
  algo_object(j, r, a);
  return j.text();
}

std::string usdm_open_algo_orders_json(const UsdmExchange& ex, const std::vector<AlgoOrder>& orders) {
  Json j;
  j.arr();
  for (const AlgoOrder& a : orders) algo_object(j, ex.rules(a.symbol), a);
  j.end_arr();
  return j.text();
}

std::string usdm_algo_cancel_json(const AlgoOrder& a) {
  Json j;
  j.obj().n("algoId", a.algo_id).f("clientAlgoId", a.client_algo_id).f("code", "200").f("msg", "success").end_obj();
  return j.text();
}

std::string algo_update_json(const SymbolRules& r, const AlgoOrder& a, int64_t time_ms) {
  const bool placed = a.actual_order_id >= 0;
  Json j;
  j.obj().f("e", "ALGO_UPDATE").n("T", time_ms).n("E", time_ms);
  j.key("o").obj().f("caid", a.client_algo_id).n("aid", a.algo_id).f("at", "CONDITIONAL").f("o", to_string(a.type))
      .f("s", r.symbol).f("S", to_string(a.side)).f("ps", "BOTH").f("f", to_string(a.tif))
      .x("q", a.qty, r.qty_precision).f("X", to_string(a.status))
      .f("ai", placed ? std::to_string(a.actual_order_id) : std::string())
      .x("ap", a.actual_avg_price, kAvgPriceDecimals).x("aq", a.actual_executed_qty, kAvgPriceDecimals)
      .f("act", placed ? to_string(a.actual_order_type) : "0").f("tp", shortest(a.trigger_price))
      .f("p", shortest(a.price)).f("V", "NONE").f("wt", to_string(a.working_type)).f("pm", "NONE")
      .b("cp", a.close_position).b("pP", false).b("R", a.reduce_only).n("tt", a.trigger_time_ms).n("gtd", 0);
  if (!a.reason.empty()) j.f("rm", a.reason);
  j.end_obj().end_obj();
  return j.text();
}

std::string order_trade_update_json(const UsdmExchange& ex, const UserEvent& e) {
  const Order& o = e.order;
  const SymbolRules& r = ex.rules(o.symbol);
  const bool traded = e.fill.has_value();
  // "b" / "a": notional of the account's open orders of the symbol on each side (bids / asks).
  int64_t bids = 0, asks = 0;
  for (const Order& open : ex.open_orders(o.account))
    if (open.symbol == o.symbol && open.type == OrderType::Limit) (open.side == Side::Buy ? bids : asks) += quote_of(open.price, open.orig_qty - open.executed_qty);
  Json j;
  j.obj().f("e", "ORDER_TRADE_UPDATE").n("E", e.time_ms).n("T", e.time_ms);
  j.key("o").obj().f("s", r.symbol).f("c", o.client_order_id).f("S", to_string(o.side))
      .f("o", to_string(o.type)).f("f", to_string(o.tif))
      .x("q", o.orig_qty, r.qty_precision).x("p", o.price, r.price_precision)
      .x("ap", o.avg_price(), kAvgPriceDecimals).x("sp", 0, r.price_precision)
      .f("x", to_string(e.exec)).f("X", to_string(o.status)).n("i", o.order_id)
      .x("l", traded ? e.fill->qty : 0, r.qty_precision).x("z", o.executed_qty, r.qty_precision)
      .x("L", traded ? e.fill->price : 0, r.price_precision).f("N", r.quote_asset)
      .x("n", traded ? e.fill->commission : 0, kMoneyDecimals).n("T", e.time_ms).n("t", traded ? e.fill->trade_id : 0)
      .x("b", bids, kQuoteDecimals).x("a", asks, kQuoteDecimals).b("m", traded && e.fill->is_maker)
      .b("R", o.reduce_only).f("wt", "CONTRACT_PRICE").f("ot", to_string(o.type)).f("ps", "BOTH")
      .b("cp", false).x("rp", traded ? e.fill->realized_pnl : 0, kMoneyDecimals).b("pP", false)
      .n("si", 0).n("ss", 0).f("V", "NONE").f("pm", "NONE").n("gtd", 0).end_obj();
  j.end_obj();
  return j.text();
}

std::string account_update_json(const SymbolRules& r, const AccountUpdate& u) {
  Json j;
  if (u.kind == AccountUpdate::Kind::Config) {
    // ACCOUNT_CONFIG_UPDATE: {"e","E","T","ac":{"s","l"}} (known public format).
    j.obj().f("e", "ACCOUNT_CONFIG_UPDATE").n("E", u.time_ms).n("T", u.time_ms);
    j.key("ac").obj().f("s", r.symbol).n("l", u.position.leverage).end_obj().end_obj();
    return j.text();
  }
  const Position& p = u.position;
  j.obj().f("e", "ACCOUNT_UPDATE").n("E", u.time_ms).n("T", u.time_ms);
  j.key("a").obj().f("m", u.reason);
  j.key("B").arr().obj().f("a", r.quote_asset).x("wb", u.wallet_balance, kMoneyDecimals)
      .x("cw", u.cross_wallet_balance, kMoneyDecimals).f("bc", "0").end_obj().end_arr();
  j.key("P").arr().obj().f("s", r.symbol).x("pa", p.amount, r.qty_precision).x("ep", p.entry_price, kMoneyDecimals)
      .x("bep", p.entry_price, kMoneyDecimals).x("cr", p.realized_pnl, kMoneyDecimals)
      .x("up", u.unrealized_pnl, kMoneyDecimals).f("mt", p.isolated ? "isolated" : "cross")
      .x("iw", u.isolated_wallet, kMoneyDecimals).f("ps", "BOTH").end_obj().end_arr();
  j.end_obj().end_obj();
  return j.text();
}

}  // namespace tradehost::exchange_sim
