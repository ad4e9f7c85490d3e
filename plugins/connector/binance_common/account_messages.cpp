#include "account_messages.hpp"

#include "json_fields.hpp"

#include <tradehost/fixed.hpp>

#include <rapidjson/document.h>

namespace tradehost::binance {

namespace {

using detail::JsonFields;

// The scales of `symbol`, or nullptr with an error naming the field that carried it.
const Scales* find_scales(const JsonFields& f, const ScalesLookup& lookup, const char* key, std::string_view symbol) {
  const Scales* s = lookup ? lookup(symbol) : nullptr;
  if (s == nullptr) f.fail(key, "names symbol '" + std::string(symbol) + "', which has no known scales");
  return s;
}

bool status_field(const JsonFields& f, const char* key, OrderStatus& out) {
  std::string_view text;
  if (!f.str(key, text)) return false;
  if (!parse_order_status(text, out)) return f.fail(key, "is not an order status (\"" + std::string(text) + "\")");
  return true;
}

// An optional non-negative decimal: absent reads as 0.
bool optional_non_negative(const JsonFields& f, const char* key, int scale, int64_t& out) {
  if (!f.has(key)) {
    out = 0;
    return true;
  }
  return f.non_negative(key, scale, out);
}

// Element `i` of the array `arr`, which must be an object: `what` becomes "<list>[i]" (for error
// messages); nullptr with "<list>[i]: not an object" in `error` otherwise.
const rapidjson::Value* object_at(const rapidjson::Value& arr, rapidjson::SizeType i, std::string_view list,
                                  std::string& what, std::string& error) {
  what.assign(list);  // appended piecewise: g++ 12 warns (-Wrestrict) on "[" + string
  what += '[';
  what += std::to_string(i);
  what += ']';
  if (arr[i].IsObject()) return &arr[i];
  error = what + ": not an object";
  return nullptr;
}

bool parse_fills(const rapidjson::Value& arr, const Scales& sc, std::vector<OrderFill>& out, std::string& error) {
  out.clear();
  std::string what;
  for (rapidjson::SizeType i = 0; i < arr.Size(); ++i) {
    const rapidjson::Value* v = object_at(arr, i, "order fills", what, error);
    if (v == nullptr) return false;
    JsonFields f(*v, what, error);
    OrderFill fill;
    if (!f.non_negative("price", sc.price_scale, fill.price) || !f.non_negative("qty", sc.qty_scale, fill.qty) ||
        !f.non_negative("commission", TH_MONEY_SCALE, fill.commission) ||
        !f.str("commissionAsset", fill.commission_asset) || !f.i64("tradeId", fill.trade_id))
      return false;
    out.push_back(std::move(fill));
  }
  return true;
}

// Symbol lookup is separate so that parse_open_orders can skip orders of unknown symbols.
bool parse_order_object(const rapidjson::Value& v, const Scales& sc, OrderReport& out, std::string& error) {
  const std::string what = "order " + out.symbol;
  JsonFields f(v, what, error);
  if (!f.i64("orderId", out.order_id) || !f.str("clientOrderId", out.client_order_id)) return false;
  out.orig_client_order_id.clear();
  if (f.has("origClientOrderId") && !f.str("origClientOrderId", out.orig_client_order_id)) return false;
  out.time_ms = 0;
  const char* time_key = f.has("transactTime") ? "transactTime" : f.has("updateTime") ? "updateTime" : nullptr;
  if (time_key != nullptr && !f.i64(time_key, out.time_ms)) return false;
  out.fills.clear();
  // ACK carries symbol, orderId, orderListId, clientOrderId and transactTime only.
  out.has_state = f.has("status");
  if (!out.has_state) {
    out.type.clear();
    out.side.clear();
    out.time_in_force.clear();
    out.price = out.orig_qty = out.executed_qty = out.cumulative_quote_qty = out.stop_price = 0;
    return true;
  }
  if (!status_field(f, "status", out.status) || !f.str("type", out.type) || !f.str("side", out.side) ||
      !f.str("timeInForce", out.time_in_force) || !f.non_negative("price", sc.price_scale, out.price) ||
      !f.non_negative("origQty", sc.qty_scale, out.orig_qty) ||
      !f.non_negative("executedQty", sc.qty_scale, out.executed_qty) ||
      !f.fixed(f.has("cumQuote") ? "cumQuote" : "cummulativeQuoteQty", TH_MONEY_SCALE, out.cumulative_quote_qty) ||
      !optional_non_negative(f, "stopPrice", sc.price_scale, out.stop_price))
    return false;
  if (f.has("fills")) {
    const rapidjson::Value* fills = f.get("fills");
    if (!fills->IsArray()) return f.fail("fills", "is not an array");
    if (!parse_fills(*fills, sc, out.fills, error)) return false;
  }
  return true;
}

// {"e": ..} of a user data stream payload, unwrapping the combined-stream envelope.
const rapidjson::Value* user_payload(const rapidjson::Document& doc, std::string& error) {
  auto data = doc.FindMember("data");
  if (data == doc.MemberEnd()) return &doc;
  if (!data->value.IsObject()) {
    error = "user stream envelope: field 'data' is not an object";
    return nullptr;
  }
  return &data->value;
}

bool parse_balance(const rapidjson::Value& v, const char* what, const char* asset_key, const char* free_key,
                   const char* locked_key, Balance& out, std::string& error) {
  if (!v.IsObject()) {
    error = std::string(what) + ": a balance is not an object";
    return false;
  }
  JsonFields f(v, what, error);
  return f.str(asset_key, out.asset) && f.non_negative(free_key, TH_MONEY_SCALE, out.free) &&
         f.non_negative(locked_key, TH_MONEY_SCALE, out.locked);
}

// `key` holds null, a string, or is absent (USD-M `N`): the string, else "".
bool optional_text(const JsonFields& f, const char* key, std::string& out) {
  out.clear();
  if (!f.has(key)) return true;
  const rapidjson::Value* v = f.get(key);
  return v->IsNull() || f.str(key, out);
}

// A decimal that may carry more digits than `scale` (futures averages, entry prices, PnL): rounded
// half up. Absent reads as 0 when `optional`.
bool rounded(const JsonFields& f, const char* key, int scale, int64_t& out, bool optional = false) {
  if (optional && !f.has(key)) {
    out = 0;
    return true;
  }
  return f.fixed(key, scale, out, Rounding::HalfUp);
}

// One position object; the key names differ between positionRisk and ACCOUNT_UPDATE.
bool parse_futures_position(const JsonFields& f, const Scales& sc, const char* symbol, const char* side,
                            const char* amount, const char* entry, const char* unrealized, FuturesPosition& out) {
  return f.str(symbol, out.symbol) && f.str(side, out.position_side) && f.fixed(amount, sc.qty_scale, out.amount) &&
         rounded(f, entry, sc.price_scale, out.entry_price) && rounded(f, unrealized, TH_MONEY_SCALE, out.unrealized_pnl);
}

bool parse_execution_report(const rapidjson::Value& v, const ScalesLookup& lookup, ExecutionReport& out,
                            std::string& error) {
  JsonFields head(v, "executionReport", error);
  if (!head.str("s", out.symbol)) return false;
  const std::string what = "executionReport " + out.symbol;
  JsonFields f(v, what, error);
  const Scales* sc = find_scales(f, lookup, "s", out.symbol);
  if (sc == nullptr) return false;
  if (!f.i64("E", out.event_time_ms) || !f.str("c", out.client_order_id) || !f.str("S", out.side) ||
      !f.str("o", out.order_type) || !f.str("f", out.time_in_force) || !f.non_negative("q", sc->qty_scale, out.qty) ||
      !f.non_negative("p", sc->price_scale, out.price) || !f.non_negative("P", sc->price_scale, out.stop_price) ||
      !f.str("C", out.orig_client_order_id) || !f.str("x", out.execution_type) || !status_field(f, "X", out.status) ||
      !f.str("r", out.reject_reason) || !f.i64("i", out.order_id) ||
      !f.non_negative("l", sc->qty_scale, out.last_qty) || !f.non_negative("z", sc->qty_scale, out.cumulative_qty) ||
      !f.non_negative("L", sc->price_scale, out.last_price) ||
      !f.non_negative("n", TH_MONEY_SCALE, out.commission) || !f.i64("T", out.transaction_time_ms) ||
      !f.i64("t", out.trade_id) || !f.boolean("m", out.maker) ||
      !f.non_negative("Z", TH_MONEY_SCALE, out.cumulative_quote_qty) ||
      !f.non_negative("Y", TH_MONEY_SCALE, out.last_quote_qty))
    return false;
  // "N": null until the order trades (the doc example).
  const rapidjson::Value* n = f.get("N");
  if (n == nullptr) return false;
  if (n->IsNull())
    out.commission_asset.clear();
  else if (!f.str("N", out.commission_asset))
    return false;
  out.avg_price = average_price(out.cumulative_quote_qty, out.cumulative_qty, *sc);
  out.reduce_only = false;
  out.realized_pnl = 0;
  return true;
}

// USD-M ORDER_TRADE_UPDATE ("Event: Order Update"): the order is the object `o`.
bool parse_order_trade_update(const rapidjson::Value& v, const ScalesLookup& lookup, ExecutionReport& out,
                              std::string& error) {
  JsonFields top(v, "ORDER_TRADE_UPDATE", error);
  if (!top.i64("E", out.event_time_ms)) return false;
  const rapidjson::Value* o = top.get("o");
  if (o == nullptr) return false;
  if (!o->IsObject()) return top.fail("o", "is not an object");
  JsonFields head(*o, "ORDER_TRADE_UPDATE", error);
  if (!head.str("s", out.symbol)) return false;
  const std::string what = "ORDER_TRADE_UPDATE " + out.symbol;
  JsonFields f(*o, what, error);
  const Scales* sc = find_scales(f, lookup, "s", out.symbol);
  if (sc == nullptr) return false;
  // "sp" is to be ignored on TRAILING_STOP_MARKET and "ap" is an average: both may fall off the tick.
  if (!f.str("c", out.client_order_id) || !f.str("S", out.side) || !f.str("o", out.order_type) ||
      !f.str("f", out.time_in_force) || !f.non_negative("q", sc->qty_scale, out.qty) ||
      !f.non_negative("p", sc->price_scale, out.price) || !rounded(f, "sp", sc->price_scale, out.stop_price, true) ||
      !f.str("x", out.execution_type) || !status_field(f, "X", out.status) || !f.i64("i", out.order_id) ||
      !f.non_negative("l", sc->qty_scale, out.last_qty) || !f.non_negative("z", sc->qty_scale, out.cumulative_qty) ||
      !f.non_negative("L", sc->price_scale, out.last_price) || !optional_non_negative(f, "n", TH_MONEY_SCALE, out.commission) ||
      !optional_text(f, "N", out.commission_asset) || !f.i64("T", out.transaction_time_ms) ||
      !f.i64("t", out.trade_id) || !f.boolean("m", out.maker) || !rounded(f, "ap", sc->price_scale, out.avg_price) ||
      !rounded(f, "rp", TH_MONEY_SCALE, out.realized_pnl, true))
    return false;
  out.reduce_only = false;
  if (f.has("R") && !f.boolean("R", out.reduce_only)) return false;
  out.orig_client_order_id.clear();
  out.reject_reason.clear();
  out.cumulative_quote_qty = out.last_quote_qty = 0;
  return true;
}

// USD-M ACCOUNT_UPDATE ("Event: Balance and Position Update").
bool parse_account_update(const rapidjson::Value& v, const ScalesLookup& lookup, AccountUpdate& out,
                          std::string& error) {
  JsonFields top(v, "ACCOUNT_UPDATE", error);
  if (!top.i64("E", out.event_time_ms) || !top.i64("T", out.transaction_time_ms)) return false;
  const rapidjson::Value* a = top.get("a");
  if (a == nullptr) return false;
  if (!a->IsObject()) return top.fail("a", "is not an object");
  JsonFields f(*a, "ACCOUNT_UPDATE a", error);
  if (!optional_text(f, "m", out.reason)) return false;
  out.balances.clear();
  out.positions.clear();
  out.skipped_positions = 0;
  std::string what;
  if (f.has("B")) {
    const rapidjson::Value* b = f.get("B");
    if (!b->IsArray()) return f.fail("B", "is not an array");
    for (rapidjson::SizeType i = 0; i < b->Size(); ++i) {
      const rapidjson::Value* e = object_at(*b, i, "ACCOUNT_UPDATE B", what, error);
      if (e == nullptr) return false;
      JsonFields bf(*e, what, error);
      Balance bal;
      if (!bf.str("a", bal.asset) || !bf.fixed("wb", TH_MONEY_SCALE, bal.free)) return false;
      out.balances.push_back(std::move(bal));
    }
  }
  if (f.has("P")) {
    const rapidjson::Value* p = f.get("P");
    if (!p->IsArray()) return f.fail("P", "is not an array");
    for (rapidjson::SizeType i = 0; i < p->Size(); ++i) {
      const rapidjson::Value* e = object_at(*p, i, "ACCOUNT_UPDATE P", what, error);
      if (e == nullptr) return false;
      JsonFields pf(*e, what, error);
      std::string symbol;
      if (!pf.str("s", symbol)) return false;
      const Scales* sc = lookup ? lookup(symbol) : nullptr;
      if (sc == nullptr) {
        ++out.skipped_positions;
        continue;
      }
      FuturesPosition pos;
      if (!parse_futures_position(pf, *sc, "s", "ps", "pa", "ep", "up", pos)) return false;
      out.positions.push_back(std::move(pos));
    }
  }
  return true;
}

bool parse_account_position(const rapidjson::Value& v, AccountPosition& out, std::string& error) {
  JsonFields f(v, "outboundAccountPosition", error);
  if (!f.i64("E", out.event_time_ms) || !f.i64("u", out.last_update_ms)) return false;
  const rapidjson::Value* b = f.get("B");
  if (b == nullptr) return false;
  if (!b->IsArray()) return f.fail("B", "is not an array");
  out.balances.resize(b->Size());
  for (rapidjson::SizeType i = 0; i < b->Size(); ++i)
    if (!parse_balance((*b)[i], "outboundAccountPosition B", "a", "f", "l", out.balances[i], error)) return false;
  return true;
}

}  // namespace

bool parse_order_status(std::string_view text, OrderStatus& out) {
  static constexpr std::pair<std::string_view, OrderStatus> kNames[] = {
      {"NEW", OrderStatus::New},
      {"PARTIALLY_FILLED", OrderStatus::PartiallyFilled},
      {"FILLED", OrderStatus::Filled},
      {"CANCELED", OrderStatus::Canceled},
      {"PENDING_CANCEL", OrderStatus::PendingCancel},
      {"REJECTED", OrderStatus::Rejected},
      {"EXPIRED", OrderStatus::Expired},
      {"EXPIRED_IN_MATCH", OrderStatus::ExpiredInMatch}};
  for (const auto& [name, status] : kNames)
    if (name == text) {
      out = status;
      return true;
    }
  return false;
}

int32_t th_order_state(OrderStatus status) {
  switch (status) {
    case OrderStatus::New:
    case OrderStatus::PendingCancel: return TH_ORDER_NEW;
    case OrderStatus::PartiallyFilled: return TH_ORDER_PARTIALLY_FILLED;
    case OrderStatus::Filled: return TH_ORDER_FILLED;
    case OrderStatus::Canceled: return TH_ORDER_CANCELED;
    case OrderStatus::Rejected: return TH_ORDER_REJECTED;
    case OrderStatus::Expired:
    case OrderStatus::ExpiredInMatch: return TH_ORDER_EXPIRED;
  }
  return TH_ORDER_NEW;
}

bool parse_order_report(std::string_view body, const ScalesLookup& scales, OrderReport& out, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "order", doc, error)) return false;
  JsonFields head(doc, "order", error);
  OrderReport parsed;
  if (!head.str("symbol", parsed.symbol)) return false;
  const Scales* sc = find_scales(head, scales, "symbol", parsed.symbol);
  if (sc == nullptr || !parse_order_object(doc, *sc, parsed, error)) return false;
  out = std::move(parsed);
  return true;
}

bool parse_open_orders(std::string_view body, const ScalesLookup& scales, std::vector<OrderReport>& out,
                       size_t& skipped, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "openOrders", doc, error, true)) return false;
  std::vector<OrderReport> parsed;
  size_t unknown = 0;
  std::string what;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const rapidjson::Value* v = object_at(doc, i, "openOrders", what, error);
    if (v == nullptr) return false;
    OrderReport r;
    if (!JsonFields(*v, what, error).str("symbol", r.symbol)) return false;
    const Scales* sc = scales ? scales(r.symbol) : nullptr;
    if (sc == nullptr) {
      ++unknown;
      continue;
    }
    if (!parse_order_object(*v, *sc, r, error)) return false;
    parsed.push_back(std::move(r));
  }
  out = std::move(parsed);
  skipped = unknown;
  return true;
}

int64_t average_price(int64_t quote_qty, int64_t qty, Scales scales) {
  if (qty <= 0 || quote_qty < 0) return 0;
  // price = quote / qty: raw_p / 10^ps = (raw_q / 10^8) / (raw_z / 10^qs)
  //   =>  raw_p = raw_q * 10^(ps + qs - 8) / raw_z
  const int e = scales.price_scale + scales.qty_scale - TH_MONEY_SCALE;
  int64_t out = 0;
  if (e >= 0) {
    if (e > 18 || !mul_div(quote_qty, pow10_i64(e), qty, Rounding::HalfUp, out)) return 0;
  } else {
    int64_t den = 0;
    if (!mul_div(qty, pow10_i64(-e), 1, Rounding::Exact, den) ||
        !mul_div(quote_qty, 1, den, Rounding::HalfUp, out))
      return 0;
  }
  return out;
}

bool parse_account_balances(std::string_view body, std::vector<Balance>& out, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "account", doc, error)) return false;
  JsonFields f(doc, "account", error);
  const rapidjson::Value* b = f.get("balances");
  if (b == nullptr) return false;
  if (!b->IsArray()) return f.fail("balances", "is not an array");
  std::vector<Balance> parsed(b->Size());
  for (rapidjson::SizeType i = 0; i < b->Size(); ++i)
    if (!parse_balance((*b)[i], "account balances", "asset", "free", "locked", parsed[i], error)) return false;
  out = std::move(parsed);
  return true;
}

bool parse_futures_account(std::string_view body, std::vector<Balance>& out, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "futures account", doc, error)) return false;
  JsonFields top(doc, "futures account", error);
  const rapidjson::Value* assets = top.get("assets");
  if (assets == nullptr) return false;
  if (!assets->IsArray()) return top.fail("assets", "is not an array");
  std::vector<Balance> parsed(assets->Size());
  std::string what;
  for (rapidjson::SizeType i = 0; i < assets->Size(); ++i) {
    const rapidjson::Value* v = object_at(*assets, i, "futures account assets", what, error);
    if (v == nullptr) return false;
    JsonFields f(*v, what, error);
    if (!f.str("asset", parsed[i].asset) || !f.fixed("walletBalance", TH_MONEY_SCALE, parsed[i].free)) return false;
  }
  out = std::move(parsed);
  return true;
}

bool parse_position_risk(std::string_view body, const ScalesLookup& scales, std::vector<FuturesPosition>& out,
                         size_t& skipped, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "positionRisk", doc, error, true)) return false;
  std::vector<FuturesPosition> parsed;
  size_t unknown = 0;
  std::string what;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const rapidjson::Value* v = object_at(doc, i, "positionRisk", what, error);
    if (v == nullptr) return false;
    JsonFields f(*v, what, error);
    std::string symbol;
    if (!f.str("symbol", symbol)) return false;
    const Scales* sc = scales ? scales(symbol) : nullptr;
    if (sc == nullptr) {
      ++unknown;
      continue;
    }
    FuturesPosition p;
    if (!parse_futures_position(f, *sc, "symbol", "positionSide", "positionAmt", "entryPrice", "unRealizedProfit", p))
      return false;
    parsed.push_back(std::move(p));
  }
  out = std::move(parsed);
  skipped = unknown;
  return true;
}

bool parse_account_trades(std::string_view body, Scales sc, std::vector<AccountTrade>& out, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "myTrades", doc, error, true)) return false;
  std::vector<AccountTrade> parsed(doc.Size());
  std::string what;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const rapidjson::Value* v = object_at(doc, i, "myTrades", what, error);
    if (v == nullptr) return false;
    JsonFields f(*v, what, error);
    AccountTrade& t = parsed[i];
    // USD-M userTrades names the flags `buyer` and `maker`.
    const bool spot = f.has("isBuyer");
    if (!f.str("symbol", t.symbol) || !f.i64("id", t.id) || !f.i64("orderId", t.order_id) ||
        !f.non_negative("price", sc.price_scale, t.price) || !f.non_negative("qty", sc.qty_scale, t.qty) ||
        !f.non_negative("quoteQty", TH_MONEY_SCALE, t.quote_qty) ||
        !f.non_negative("commission", TH_MONEY_SCALE, t.commission) ||
        !f.str("commissionAsset", t.commission_asset) || !f.i64("time", t.time_ms) ||
        !f.boolean(spot ? "isBuyer" : "buyer", t.is_buyer) || !f.boolean(spot ? "isMaker" : "maker", t.is_maker))
      return false;
  }
  out = std::move(parsed);
  return true;
}

bool parse_listen_key(std::string_view body, std::string& key, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "listenKey", doc, error)) return false;
  std::string parsed;
  if (!JsonFields(doc, "listenKey", error).str("listenKey", parsed)) return false;
  if (parsed.empty()) {
    error = "listenKey: field 'listenKey' is empty";
    return false;
  }
  key = std::move(parsed);
  return true;
}

bool parse_user_event(std::string_view frame, const ScalesLookup& scales, UserEvent& out, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(frame, "user stream frame", doc, error)) return false;
  const rapidjson::Value* v = user_payload(doc, error);
  if (v == nullptr) return false;
  if (!JsonFields(*v, "user stream frame", error).str("e", out.event_type)) return false;
  if (out.event_type == "executionReport") {
    out.kind = UserEventKind::ExecutionReport;
    return parse_execution_report(*v, scales, out.execution, error);
  }
  if (out.event_type == "outboundAccountPosition") {
    out.kind = UserEventKind::AccountPosition;
    return parse_account_position(*v, out.account, error);
  }
  if (out.event_type == "ORDER_TRADE_UPDATE") {
    out.kind = UserEventKind::ExecutionReport;
    return parse_order_trade_update(*v, scales, out.execution, error);
  }
  if (out.event_type == "ACCOUNT_UPDATE") {
    out.kind = UserEventKind::AccountUpdate;
    return parse_account_update(*v, scales, out.account_update, error);
  }
  if (out.event_type == "ALGO_UPDATE") {
    out.kind = UserEventKind::AlgoUpdate;
    return detail::parse_algo_update(*v, scales, out.algo, error);
  }
  out.kind = UserEventKind::Other;
  return true;
}

}  // namespace tradehost::binance
