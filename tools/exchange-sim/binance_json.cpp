#include "binance_json.hpp"

#include <tradehost/fixed.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace tradehost::exchange_sim {

namespace {

// A thin layer over rapidjson::Writer so each renderer reads like the doc example it copies.
class Json {
 public:
  Json() : w_(buf_) {}
  Json& obj() { return w_.StartObject(), *this; }
  Json& end_obj() { return w_.EndObject(), *this; }
  Json& arr() { return w_.StartArray(), *this; }
  Json& end_arr() { return w_.EndArray(), *this; }
  Json& key(const char* k) { return w_.Key(k), *this; }
  Json& str(const std::string& v) { return w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size())), *this; }
  Json& str(const char* v) { return w_.String(v), *this; }
  Json& num(int64_t v) { return w_.Int64(v), *this; }
  Json& boolean(bool v) { return w_.Bool(v), *this; }
  Json& null() { return w_.Null(), *this; }
  Json& fixed(int64_t raw) { return str(format_fixed(raw, kScale)); }
  // Field shorthands.
  Json& f(const char* k, const std::string& v) { return key(k).str(v); }
  Json& f(const char* k, const char* v) { return key(k).str(v); }
  Json& n(const char* k, int64_t v) { return key(k).num(v); }
  Json& b(const char* k, bool v) { return key(k).boolean(v); }
  Json& x(const char* k, int64_t raw) { return key(k).fixed(raw); }
  std::string text() const { return std::string(buf_.GetString(), buf_.GetSize()); }

 private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

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

void levels(Json& j, int64_t best, int64_t step, int count, int64_t qty) {
  j.arr();
  for (int k = 0; k < count; ++k) {
    int64_t price = best + k * step;
    if (price <= 0) break;
    j.arr().fixed(price).fixed(qty).end_arr();
  }
  j.end_arr();
}

int64_t quote_volume(const Candle& c) {
  int64_t out = 0;
  mul_div(c.close, c.volume, 100000000, Rounding::Down, out);
  return out;
}

}  // namespace

std::string error_json(const ApiError& e) {
  Json j;
  j.obj().n("code", e.code).f("msg", e.msg).end_obj();
  return j.text();
}

std::string exchange_info_json(const SymbolRules& r, const RateLimitConfig& limits, int64_t server_time_ms) {
  Json j;
  j.obj().f("timezone", "UTC").n("serverTime", server_time_ms);
  j.key("rateLimits").arr();
  j.obj().f("rateLimitType", "REQUEST_WEIGHT").f("interval", "MINUTE").n("intervalNum", 1)
      .n("limit", limits.request_weight_per_minute).end_obj();
  j.obj().f("rateLimitType", "ORDERS").f("interval", "SECOND").n("intervalNum", 10)
      .n("limit", limits.orders_per_10s).end_obj();
  j.obj().f("rateLimitType", "ORDERS").f("interval", "DAY").n("intervalNum", 1)
      .n("limit", limits.orders_per_day).end_obj();
  j.end_arr();
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

std::string depth_json(const SpotExchange& ex, int count) {
  Json j;
  const int64_t tick = ex.rules().tick_size, qty = ex.model().level_qty;
  j.obj().n("lastUpdateId", ex.book_update_id());
  j.key("bids");
  levels(j, ex.best_bid(), -tick, count, qty);
  j.key("asks");
  levels(j, ex.best_ask(), tick, count, qty);
  j.end_obj();
  return j.text();
}

std::string klines_json(const SpotExchange& ex, size_t first, size_t last) {
  Json j;
  j.arr();
  for (size_t i = first; i < last; ++i) {
    const Candle& c = ex.series().candles[i];
    // Each candle stands for one aggregate trade of its whole volume at its close (see
    // MarketEvent), so trades = 1 and the taker-buy volume is all or nothing.
    bool taker_buy = !buyer_is_maker(c);
    j.arr().num(c.open_time_ms).fixed(c.open).fixed(c.high).fixed(c.low).fixed(c.close).fixed(c.volume)
        .num(c.close_time_ms).fixed(quote_volume(c)).num(1).fixed(taker_buy ? c.volume : 0)
        .fixed(taker_buy ? quote_volume(c) : 0).str("0").end_arr();
  }
  j.end_arr();
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

std::string open_orders_json(const SymbolRules& rules, const std::vector<Order>& orders) {
  Json j;
  j.arr();
  for (const Order& o : orders) order_object(j, rules, o, true);
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

std::string kline_event_json(const SpotExchange& ex, const MarketEvent& m) {
  const Candle& c = m.candle;
  const std::string& symbol = ex.rules().symbol;
  bool taker_buy = !buyer_is_maker(c);
  Json j;
  j.obj().f("e", "kline").n("E", m.time_ms).f("s", symbol);
  j.key("k").obj().n("t", c.open_time_ms).n("T", c.close_time_ms).f("s", symbol).f("i", ex.series().interval)
      .n("f", m.trade_id).n("L", m.trade_id).x("o", c.open).x("c", c.close).x("h", c.high).x("l", c.low)
      .x("v", c.volume).n("n", 1).b("x", true).x("q", quote_volume(c)).x("V", taker_buy ? c.volume : 0)
      .x("Q", taker_buy ? quote_volume(c) : 0).f("B", "0").end_obj();
  j.end_obj();
  return j.text();
}

std::string book_ticker_json(const SpotExchange& ex) {
  Json j;
  j.obj().n("u", ex.book_update_id()).f("s", ex.rules().symbol).x("b", ex.best_bid()).x("B", ex.model().level_qty)
      .x("a", ex.best_ask()).x("A", ex.model().level_qty).end_obj();
  return j.text();
}

std::string agg_trade_json(const SpotExchange& ex, const MarketEvent& m) {
  Json j;
  j.obj().f("e", "aggTrade").n("E", m.time_ms).f("s", ex.rules().symbol).n("a", m.agg_trade_id)
      .x("p", m.candle.close).x("q", m.candle.volume).n("f", m.trade_id).n("l", m.trade_id)
      .n("T", m.time_ms).b("m", buyer_is_maker(m.candle)).b("M", true).end_obj();
  return j.text();
}

std::string depth_update_json(const SpotExchange& ex, const MarketEvent& m) {
  const int64_t tick = ex.rules().tick_size, qty = ex.model().level_qty;
  const int count = ex.model().book_levels;
  Json j;
  j.obj().f("e", "depthUpdate").n("E", m.time_ms).f("s", ex.rules().symbol).n("U", m.first_update_id)
      .n("u", m.last_update_id);
  // One side at a time: every level of the new book, then the old book's levels the new one lacks.
  auto side = [&](int64_t new_best, int64_t old_best, int64_t dir) {
    j.arr();
    for (int k = 0; k < count; ++k)
      if (new_best + dir * k * tick > 0) j.arr().fixed(new_best + dir * k * tick).fixed(qty).end_arr();
    for (int k = 0; k < count; ++k) {
      int64_t p = old_best + dir * k * tick;
      int64_t offset = (p - new_best) * dir;  // >= 0 and < count*tick while inside the new book
      if (p > 0 && (offset < 0 || offset >= count * tick)) j.arr().fixed(p).fixed(0).end_arr();
    }
    j.end_arr();
  };
  j.key("b");
  side(ex.best_bid(), m.prev_best_bid, -1);
  j.key("a");
  side(ex.best_ask(), m.prev_best_ask, 1);
  j.end_obj();
  return j.text();
}

}  // namespace tradehost::exchange_sim
