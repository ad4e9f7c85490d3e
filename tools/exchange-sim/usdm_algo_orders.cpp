// UsdmExchange's algo orders: "New Algo Order(TRADE)", "Cancel Algo Order", "Query Algo Order",
// "Current All Algo Open Orders" and "Event: Algo Order Update" (developers.binance.com/docs/
// derivatives/usds-margined-futures, stored 2026-05).
//
// Triggering. After every clock step, each price the step traded a symbol at -- the close of the
// new candle (candle mode), the price of a recorded aggTrade (capture mode) -- becomes the symbol's
// last price and is held against each NEW algo order of that symbol (the sim's mark price is the
// last price, so workingType MARK_PRICE watches it too), with the rules of "New Algo Order"
// ("Condition orders will be triggered when"):
//   STOP, STOP_MARKET               BUY: last >= triggerPrice    SELL: last <= triggerPrice
//   TAKE_PROFIT, TAKE_PROFIT_MARKET BUY: last <= triggerPrice    SELL: last >= triggerPrice
//   TRAILING_STOP_MARKET            BUY: once the lowest last price since the order was placed is
//     <= activatePrice, last >= lowest x (1 + callbackRate%); SELL: once the highest is >=
//     activatePrice, last <= highest x (1 - callbackRate%). Without activatePrice it is active at
//     once from the last price ("default as the latest price").
// Only last prices count: a candle whose low or high passed the trigger but whose close did not
// triggers nothing (the file holds no trades inside a candle). In capture mode a kline frame moves
// the last price too, but only recorded trades trigger, as they alone fill resting orders there: a
// kline frame summarizes trades of the aggTrade stream, it is not one.
//
// What triggering does, as the statuses describe it: TRIGGERING ("met the triggering condition
// and has been forwarded to the matching engine"); then the order is placed through place_order()
// -- MARKET for STOP_MARKET, TAKE_PROFIT_MARKET and TRAILING_STOP_MARKET, LIMIT at `price` with
// the algo order's timeInForce for STOP and TAKE_PROFIT; quantity, side and reduceOnly the algo
// order's, closePosition = reduce-only for the whole position -- and matches by the usual rules;
// the order's own events (ORDER_TRADE_UPDATE, ACCOUNT_UPDATE) are pushed as it is placed and
// fills. Then TRIGGERED with "ai" = its orderId ("successfully placed into the matching engine"),
// or REJECTED with the placement's error as "rm" ("denied by the matching engine, such as in
// scenarios of margin check failures"). When that order is filled, canceled or expired: FINISHED.
// The docs do not say in which order the two event types reach a client (only events of one type
// are ordered); the sim sends the placed order's ORDER_TRADE_UPDATEs before the TRIGGERED
// ALGO_UPDATE that names it, the harder order for a client and the one integrators report from
// the live venue. The placed order gets a generated clientOrderId: the docs do not say it carries
// the clientAlgoId, so only the orderId links the two.
#include <algorithm>
#include <tradehost/fixed.hpp>

#include "usdm_exchange.hpp"

namespace tradehost::exchange_sim {

namespace {

constexpr int64_t kOne = 100000000;  // 1.0 at kScale
__extension__ typedef __int128 i128;

ApiError reject(int code, std::string msg) { return {400, code, std::move(msg)}; }

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// "Automatically generated if not sent": 22 base62 characters like Binance's generated ids, from
// the algo id so runs repeat.
std::string generated_client_algo_id(int64_t algo_id) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  uint64_t x = splitmix64(static_cast<uint64_t>(algo_id) ^ 0xa160ULL);
  uint64_t y = splitmix64(x);
  std::string id;
  for (int i = 0; i < 22; ++i) {
    uint64_t& src = i < 11 ? x : y;
    id += kAlphabet[src % 62];
    src /= 62;
  }
  return id;
}

// Whether a STOP / TAKE_PROFIT algo order of this side waits for the price to rise to its trigger.
bool rises_to(AlgoOrderType t, Side side) {
  const bool stop = t == AlgoOrderType::Stop || t == AlgoOrderType::StopMarket;
  return stop == (side == Side::Buy);
}

}  // namespace

const char* to_string(AlgoOrderType t) {
  static constexpr const char* kNames[] = {"STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT",
                                           "TRAILING_STOP_MARKET"};
  return kNames[static_cast<int>(t)];
}

const char* to_string(AlgoStatus s) {
  static constexpr const char* kNames[] = {"NEW",      "CANCELED", "TRIGGERING", "TRIGGERED",
                                           "FINISHED", "REJECTED", "EXPIRED"};
  return kNames[static_cast<int>(s)];
}

const char* to_string(WorkingType w) { return w == WorkingType::MarkPrice ? "MARK_PRICE" : "CONTRACT_PRICE"; }

std::optional<ApiError> UsdmExchange::place_algo_order(const NewAlgoOrder& req, int64_t now_ms, AlgoOrder& out) {
  const SymbolRules& r = rules(req.symbol);
  const bool limit = req.type == AlgoOrderType::Stop || req.type == AlgoOrderType::TakeProfit;
  const bool trailing = req.type == AlgoOrderType::TrailingStopMarket;
  const int64_t last = last_price(r.symbol);
  auto price_filter = [&](int64_t price) -> std::optional<ApiError> {
    if (price < r.min_price) return reject(-4013, "Price less than min price.");
    if (price > r.max_price) return reject(-4002, "Price greater than max price.");
    if (price % r.tick_size != 0) return reject(-4014, "Price not increased by tick size.");
    return std::nullopt;
  };
  if (limit)
    if (auto e = price_filter(req.price)) return e;
  if (!trailing)
    if (auto e = price_filter(req.trigger_price)) return e;
  if (trailing && req.activate_price > 0)
    if (auto e = price_filter(req.activate_price)) return e;
  if (!req.close_position) {
    // LOT_SIZE for the limit types, MARKET_LOT_SIZE for those that place a MARKET order.
    const int64_t min_qty = limit ? r.min_qty : r.market_min_qty;
    const int64_t max_qty = limit ? r.max_qty : r.market_max_qty;
    if (req.qty <= 0) return reject(-4003, "Quantity less than or equal to zero.");
    if (req.qty < min_qty) return reject(-4004, "Quantity less than min quantity.");
    if (req.qty > max_qty) return reject(-4005, "Quantity greater than max quantity.");
    if (req.qty % r.step_size != 0) return reject(-4023, "Qty not increased by step size.");
  }
  const int64_t reference = limit      ? req.price
                            : trailing ? (req.activate_price > 0 ? req.activate_price : last)
                                       : req.trigger_price;
  if (!req.reduce_only && !req.close_position && quote_of(reference, req.qty) < r.min_notional)
    return reject(-4164, "Order's notional must be no smaller than " + format_fixed_trimmed(r.min_notional, kScale) +
                             " (unless you choose reduce only).");
  if (!req.client_algo_id.empty())
    for (const auto& [id, a] : algo_orders_)
      if (a.account == req.account && a.is_open() && a.client_algo_id == req.client_algo_id)
        return reject(-4116, "ClientOrderId is duplicated.");
  if (req.reduce_only && closable(req.account, r.symbol, req.side) == 0)
    return reject(-2022, "ReduceOnly Order is rejected.");
  if (!trailing) {
    const bool reached = rises_to(req.type, req.side) ? last >= req.trigger_price : last <= req.trigger_price;
    if (reached) return reject(-2021, "Order would immediately trigger.");
  } else if (req.activate_price > 0) {
    // "BUY: activatePrice should be smaller than latest price. SELL: activatePrice should be
    // larger than latest price." (New Algo Order, -2021).
    const bool wrong_side = req.side == Side::Buy ? req.activate_price >= last : req.activate_price <= last;
    if (wrong_side) return reject(-2021, "Order would immediately trigger.");
  }

  AlgoOrder a;
  a.account = req.account;
  a.symbol = r.symbol;
  a.algo_id = next_algo_id_++;
  a.client_algo_id = req.client_algo_id.empty() ? generated_client_algo_id(a.algo_id) : req.client_algo_id;
  a.type = req.type;
  a.side = req.side;
  a.tif = limit ? req.tif : TimeInForce::GTC;
  a.qty = req.close_position ? 0 : req.qty;
  a.price = limit ? req.price : 0;
  a.trigger_price = trailing ? 0 : req.trigger_price;
  a.callback_rate = trailing ? req.callback_rate : 0;
  a.working_type = req.working_type;
  a.reduce_only = req.reduce_only;
  a.close_position = req.close_position;
  a.create_time_ms = a.update_time_ms = now_ms;
  if (trailing) {
    a.activate_price = req.activate_price > 0 ? req.activate_price : last;
    a.activated = req.activate_price == 0;
    a.extreme_price = a.activated ? last : 0;
  }
  touch_account(req.account, now_ms);
  AlgoOrder& stored = algo_orders_[a.algo_id] = std::move(a);
  emit_algo(stored, now_ms);
  out = stored;
  return std::nullopt;
}

std::optional<ApiError> UsdmExchange::cancel_algo_order(const std::string& name, std::optional<int64_t> algo_id,
                                                        const std::string& client_algo_id, int64_t now_ms,
                                                        AlgoOrder& out) {
  const AlgoOrder* found = find_algo_order(name, algo_id, client_algo_id);
  // "Cancel an active algo order": one that has not triggered. The order a triggered one placed
  // is an ordinary order (DELETE /fapi/v1/order).
  if (found == nullptr || found->status != AlgoStatus::New) return ApiError{400, -2011, "Unknown order sent."};
  AlgoOrder& a = algo_orders_.at(found->algo_id);
  a.status = AlgoStatus::Canceled;
  a.update_time_ms = now_ms;
  touch_account(name, now_ms);
  emit_algo(a, now_ms);
  out = a;
  return std::nullopt;
}

const AlgoOrder* UsdmExchange::find_algo_order(const std::string& name, std::optional<int64_t> algo_id,
                                               const std::string& client_algo_id) const {
  if (algo_id) {
    auto it = algo_orders_.find(*algo_id);
    return it != algo_orders_.end() && it->second.account == name ? &it->second : nullptr;
  }
  for (auto it = algo_orders_.rbegin(); it != algo_orders_.rend(); ++it)
    if (it->second.account == name && it->second.client_algo_id == client_algo_id) return &it->second;
  return nullptr;
}

std::vector<AlgoOrder> UsdmExchange::open_algo_orders(const std::string& name, const std::string& symbol) const {
  std::vector<AlgoOrder> out;
  for (const auto& [id, a] : algo_orders_)
    if (a.account == name && a.is_open() && (symbol.empty() || a.symbol == symbol)) out.push_back(a);
  return out;
}

void UsdmExchange::after_step(const MarketStep& step, int64_t now_ms, std::set<std::string>& touched) {
  for (const TradePrice& traded : step.trades) {
    for (auto& [id, a] : algo_orders_) {
      if (a.status != AlgoStatus::New || a.symbol != traded.symbol || !algo_condition_met(a, traded.price)) continue;
      touched.insert(a.account);
      trigger(a, now_ms);
    }
  }
}

bool UsdmExchange::algo_condition_met(AlgoOrder& a, int64_t last) {
  if (a.type != AlgoOrderType::TrailingStopMarket)
    return rises_to(a.type, a.side) ? last >= a.trigger_price : last <= a.trigger_price;
  const bool sell = a.side == Side::Sell;
  if (!a.activated) {
    if (sell ? last < a.activate_price : last > a.activate_price) return false;
    a.activated = true;
    a.extreme_price = last;
    return false;  // the callback is measured from here on
  }
  a.extreme_price = sell ? std::max(a.extreme_price, last) : std::min(a.extreme_price, last);
  // SELL: last <= highest x (1 - rate / 100); BUY: last >= lowest x (1 + rate / 100), all at kScale.
  const i128 lhs = static_cast<i128>(last) * 100 * kOne;
  const i128 hundred = static_cast<i128>(100) * kOne;
  return sell ? lhs <= static_cast<i128>(a.extreme_price) * (hundred - a.callback_rate)
              : lhs >= static_cast<i128>(a.extreme_price) * (hundred + a.callback_rate);
}

void UsdmExchange::trigger(AlgoOrder& a, int64_t now_ms) {
  a.status = AlgoStatus::Triggering;
  a.trigger_time_ms = a.update_time_ms = now_ms;
  emit_algo(a, now_ms);
  NewOrder order;
  order.account = a.account;
  order.symbol = a.symbol;
  order.side = a.side;
  order.type = a.places_limit_order() ? OrderType::Limit : OrderType::Market;
  order.tif = a.places_limit_order() ? a.tif : TimeInForce::GTC;
  order.price = a.price;
  order.reduce_only = a.reduce_only || a.close_position;
  order.qty = a.close_position ? closable(a.account, a.symbol, a.side) : a.qty;
  Placement placed;
  std::optional<ApiError> error;
  if (order.qty == 0)
    error = reject(-2022, "ReduceOnly Order is rejected.");  // closePosition with no position left
  else
    error = place_order(order, now_ms, placed);
  a.update_time_ms = now_ms;
  if (error) {
    a.status = AlgoStatus::Rejected;
    a.reason = error->msg;
    emit_algo(a, now_ms);
    return;
  }
  a.status = AlgoStatus::Triggered;
  a.actual_order_id = placed.order.order_id;
  a.actual_order_type = order.type;
  a.actual_executed_qty = placed.order.executed_qty;
  a.actual_avg_price = placed.order.avg_price();
  emit_algo(a, now_ms);
  finish_algo_orders(now_ms);
}

void UsdmExchange::finish_algo_orders(int64_t now_ms) {
  for (auto& [id, a] : algo_orders_) {
    if (a.status != AlgoStatus::Triggered) continue;
    const Order* placed = find_order(a.account, a.actual_order_id, "");
    if (placed == nullptr || placed->is_open()) continue;
    a.status = AlgoStatus::Finished;
    a.actual_executed_qty = placed->executed_qty;
    a.actual_avg_price = placed->avg_price();
    a.update_time_ms = now_ms;
    emit_algo(a, now_ms);
  }
}

void UsdmExchange::emit_algo(const AlgoOrder& a, int64_t now_ms) {
  if (algo_sink_) algo_sink_(a, now_ms);
}

}  // namespace tradehost::exchange_sim
