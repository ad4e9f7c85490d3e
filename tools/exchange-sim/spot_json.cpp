#include "spot_json.hpp"

#include "json_writer.hpp"

namespace tradehost::exchange_sim {

namespace {

void order_head(Json& j, const SymbolRules& rules, const Order& o) {
  j.f("symbol", rules.symbol).n("orderId", o.order_id).n("orderListId", -1).f("clientOrderId", o.client_order_id);
}

void order_body(Json& j, const Order& o) {
  j.x("price", o.price)
      .x("origQty", o.orig_qty)
      .x("executedQty", o.executed_qty)
      .x("cummulativeQuoteQty", o.cumm_quote_qty)
      .f("status", to_string(o.status))
      .f("timeInForce", to_string(o.tif))
      .f("type", to_string(o.type))
      .f("side", to_string(o.side));
}

void rate_limits(Json& j, const RateLimitConfig& limits) {
  j.key("rateLimits").arr();
  j.obj().f("rateLimitType", "REQUEST_WEIGHT").f("interval", "MINUTE").n("intervalNum", 1)
      .n("limit", limits.request_weight_per_minute).end_obj();
  j.obj().f("rateLimitType", "ORDERS").f("interval", "SECOND").n("intervalNum", 10)
      .n("limit", limits.orders_per_10s).end_obj();
  j.obj().f("rateLimitType", "ORDERS").f("interval", "DAY").n("intervalNum", 1)
      .n("limit", limits.orders_per_day).end_obj();
  j.end_arr();
}

}  // namespace

std::string recorded_exchange_info_json(const CaptureRecording& rec, const RateLimitConfig& limits,
                                        int64_t server_time_ms, const std::string& only) {
  Json j;
  j.obj().f("timezone", "UTC").n("serverTime", server_time_ms);
  rate_limits(j, limits);
  j.key("exchangeFilters").raw(rec.exchange_filters_json, rapidjson::kArrayType);
  j.key("symbols").arr();
  for (const RecordedSymbol& s : rec.symbols)
    if (only.empty() || s.rules.symbol == only) j.raw(s.info_json, rapidjson::kObjectType);
  j.end_arr().end_obj();
  return j.text();
}

std::string exchange_info_json(const SymbolRules& r, const RateLimitConfig& limits, int64_t server_time_ms) {
  Json j;
  j.obj().f("timezone", "UTC").n("serverTime", server_time_ms);
  rate_limits(j, limits);
  j.key("exchangeFilters").arr().end_arr();
  j.key("symbols").arr().obj();
  j.f("symbol", r.symbol).f("status", "TRADING").f("baseAsset", r.base_asset).n("baseAssetPrecision", 8)
      .f("quoteAsset", r.quote_asset).n("quotePrecision", 8).n("quoteAssetPrecision", 8)
      .n("baseCommissionPrecision", 8).n("quoteCommissionPrecision", 8);
  j.key("orderTypes").arr().str("LIMIT").str("LIMIT_MAKER").str("MARKET").end_arr();
  j.b("icebergAllowed", false).b("ocoAllowed", false).b("quoteOrderQtyMarketAllowed", true)
      .b("allowTrailingStop", false).b("cancelReplaceAllowed", false).b("isSpotTradingAllowed", true)
      .b("isMarginTradingAllowed", false);
  j.key("filters").arr();
  j.obj().f("filterType", "PRICE_FILTER").x("minPrice", r.min_price).x("maxPrice", r.max_price)
      .x("tickSize", r.tick_size).end_obj();
  j.obj().f("filterType", "LOT_SIZE").x("minQty", r.min_qty).x("maxQty", r.max_qty).x("stepSize", r.step_size)
      .end_obj();
  // avgPriceMins 0: the simulator values MARKET orders at the last price (filters.md NOTIONAL).
  j.obj().f("filterType", "NOTIONAL").x("minNotional", r.min_notional).b("applyMinToMarket", true)
      .x("maxNotional", r.max_notional).b("applyMaxToMarket", false).n("avgPriceMins", 0).end_obj();
  j.obj().f("filterType", "MAX_NUM_ORDERS").n("maxNumOrders", r.max_num_orders).end_obj();
  j.end_arr();
  j.key("permissions").arr().str("SPOT").end_arr();
  j.f("defaultSelfTradePreventionMode", "NONE");
  j.key("allowedSelfTradePreventionModes").arr().str("NONE").end_arr();
  j.end_obj().end_arr().end_obj();
  return j.text();
}

std::string new_order_json(const SymbolRules& rules, const Placement& p, OrderResponseType type) {
  const Order& o = p.order;
  Json j;
  j.obj();
  order_head(j, rules, o);
  j.n("transactTime", o.time_ms);
  if (type != OrderResponseType::Ack) {
    order_body(j, o);
    j.n("workingTime", o.working_time_ms).f("selfTradePreventionMode", "NONE");
  }
  if (type == OrderResponseType::Full) {
    j.key("fills").arr();
    for (const Fill& f : p.fills)
      j.obj().x("price", f.price).x("qty", f.qty).x("commission", f.commission)
          .f("commissionAsset", f.commission_asset).n("tradeId", f.trade_id).end_obj();
    j.end_arr();
  }
  j.end_obj();
  return j.text();
}

static void order_object(Json& j, const SymbolRules& rules, const Order& o, bool open_orders_layout) {
  j.obj();
  order_head(j, rules, o);
  order_body(j, o);
  j.x("stopPrice", 0).x("icebergQty", 0).n("time", o.time_ms).n("updateTime", o.update_time_ms)
      .b("isWorking", o.working_time_ms >= 0);
  if (open_orders_layout)
    j.x("origQuoteOrderQty", o.orig_quote_qty).n("workingTime", o.working_time_ms);
  else
    j.n("workingTime", o.working_time_ms).x("origQuoteOrderQty", o.orig_quote_qty);
  j.f("selfTradePreventionMode", "NONE").end_obj();
}

std::string order_json(const SymbolRules& rules, const Order& o, bool open_orders_layout) {
  Json j;
  order_object(j, rules, o, open_orders_layout);
  return j.text();
}

std::string open_orders_json(const MatchingEngine& ex, const std::vector<Order>& orders) {
  Json j;
  j.arr();
  for (const Order& o : orders) order_object(j, ex.rules(o.symbol), o, true);
  j.end_arr();
  return j.text();
}

std::string cancel_json(const SymbolRules& rules, const Order& o, const std::string& cancel_client_order_id) {
  Json j;
  j.obj().f("symbol", rules.symbol).f("origClientOrderId", o.client_order_id).n("orderId", o.order_id)
      .n("orderListId", -1).f("clientOrderId", cancel_client_order_id);
  order_body(j, o);
  j.f("selfTradePreventionMode", "NONE").end_obj();
  return j.text();
}

std::string account_json(const SpotExchange& ex, const std::string& account) {
  const MarketModel& m = ex.model();
  Json j;
  // makerCommission is in basis points: the doc example pairs 15 with "maker": "0.00150000".
  j.obj().n("makerCommission", m.maker_bps).n("takerCommission", m.taker_bps).n("buyerCommission", 0)
      .n("sellerCommission", 0);
  j.key("commissionRates").obj().x("maker", m.maker_bps * 10000).x("taker", m.taker_bps * 10000)
      .x("buyer", 0).x("seller", 0).end_obj();
  j.b("canTrade", true).b("canWithdraw", false).b("canDeposit", false).b("brokered", false)
      .b("requireSelfTradePrevention", false).n("updateTime", ex.account_update_time(account))
      .f("accountType", "SPOT");
  j.key("balances").arr();
  for (const auto& [asset, b] : ex.balances(account))
    j.obj().f("asset", asset).x("free", b.free).x("locked", b.locked).end_obj();
  j.end_arr();
  j.key("permissions").arr().str("SPOT").end_arr();
  j.end_obj();
  return j.text();
}

std::string my_trades_json(const SymbolRules& rules, const std::vector<Fill>& fills) {
  Json j;
  j.arr();
  for (const Fill& f : fills)
    j.obj().f("symbol", rules.symbol).n("id", f.trade_id).n("orderId", f.order_id).n("orderListId", -1)
        .x("price", f.price).x("qty", f.qty).x("quoteQty", f.quote_qty).x("commission", f.commission)
        .f("commissionAsset", f.commission_asset).n("time", f.time_ms).b("isBuyer", f.is_buyer)
        .b("isMaker", f.is_maker).b("isBestMatch", true).end_obj();
  j.end_arr();
  return j.text();
}

std::string user_event_json(const SymbolRules& rules, const UserEvent& e) {
  Json j;
  if (e.kind == UserEvent::Kind::AccountPosition) {
    j.obj().f("e", "outboundAccountPosition").n("E", e.time_ms).n("u", e.time_ms);
    j.key("B").arr();
    for (const auto& a : e.balances) j.obj().f("a", a.asset).x("f", a.free).x("l", a.locked).end_obj();
    j.end_arr().end_obj();
    return j.text();
  }
  const Order& o = e.order;
  const bool canceled = e.exec == ExecutionType::Canceled;
  const bool traded = e.fill.has_value();
  j.obj().f("e", "executionReport").n("E", e.time_ms).f("s", rules.symbol)
      .f("c", canceled ? e.cancel_client_order_id : o.client_order_id).f("S", to_string(o.side))
      .f("o", to_string(o.type)).f("f", to_string(o.tif)).x("q", o.orig_qty).x("p", o.price).x("P", 0)
      .x("F", 0).n("g", -1).f("C", canceled ? e.orig_client_order_id : std::string())
      .f("x", to_string(e.exec)).f("X", to_string(o.status)).f("r", "NONE").n("i", o.order_id)
      .x("l", traded ? e.fill->qty : 0).x("z", o.executed_qty).x("L", traded ? e.fill->price : 0);
  // The doc example shows "n": "0" and "N": null before any trade.
  if (traded)
    j.x("n", e.fill->commission).f("N", e.fill->commission_asset);
  else
    j.f("n", "0").key("N").null();
  j.n("T", e.time_ms).n("t", traded ? e.fill->trade_id : -1).n("I", e.event_id)
      .b("w", o.is_open() && o.type != OrderType::Market).b("m", traded && e.fill->is_maker).b("M", false)
      .n("O", o.time_ms).x("Z", o.cumm_quote_qty).x("Y", traded ? e.fill->quote_qty : 0).x("Q", o.orig_quote_qty);
  // "W": "only visible if the order has been placed on the book".
  if (o.type != OrderType::Market) j.n("W", o.working_time_ms);
  j.f("V", "NONE").end_obj();
  return j.text();
}

}  // namespace tradehost::exchange_sim
