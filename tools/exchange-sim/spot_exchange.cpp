#include "spot_exchange.hpp"

#include <tradehost/fixed.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace tradehost::exchange_sim {

namespace {

constexpr int64_t kOne = 100000000;  // 1.0 at kScale

// price * qty at kScale. Exact for every price on the tick and quantity on the step (at most 2 + 5
// decimals); Down only matters for quoteOrderQty arithmetic, which never needs more.
int64_t quote_of(int64_t price, int64_t qty) {
  int64_t out = 0;
  if (!mul_div(price, qty, kOne, Rounding::Down, out)) throw std::overflow_error("price * qty overflows");
  return out;
}

int64_t floor_to_step(int64_t qty, int64_t step) { return qty - qty % step; }

ApiError filter_failure(const char* filter) { return {400, -1013, std::string("Filter failure: ") + filter}; }

ApiError order_rejected(const char* msg) { return {400, -2010, msg}; }

// splitmix64: a cheap, well-mixed sequence so generated ids look like Binance's random ones while
// staying reproducible run to run.
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Level {
  int64_t price;
  int64_t qty;
};

}  // namespace

const char* to_string(Side s) { return s == Side::Buy ? "BUY" : "SELL"; }

const char* to_string(OrderType t) {
  switch (t) {
    case OrderType::Limit:
      return "LIMIT";
    case OrderType::Market:
      return "MARKET";
    case OrderType::LimitMaker:
      return "LIMIT_MAKER";
  }
  return "";
}

const char* to_string(TimeInForce t) {
  switch (t) {
    case TimeInForce::GTC:
      return "GTC";
    case TimeInForce::IOC:
      return "IOC";
    case TimeInForce::FOK:
      return "FOK";
  }
  return "";
}

const char* to_string(OrderStatus s) {
  switch (s) {
    case OrderStatus::New:
      return "NEW";
    case OrderStatus::PartiallyFilled:
      return "PARTIALLY_FILLED";
    case OrderStatus::Filled:
      return "FILLED";
    case OrderStatus::Canceled:
      return "CANCELED";
    case OrderStatus::Expired:
      return "EXPIRED";
  }
  return "";
}

const char* to_string(ExecutionType x) {
  switch (x) {
    case ExecutionType::New:
      return "NEW";
    case ExecutionType::Trade:
      return "TRADE";
    case ExecutionType::Canceled:
      return "CANCELED";
    case ExecutionType::Expired:
      return "EXPIRED";
  }
  return "";
}

SpotExchange::SpotExchange(CandleSeries series, SymbolRules rules, MarketModel model, size_t start_index)
    : series_(std::move(series)), rules_(std::move(rules)), model_(model), index_(start_index) {
  if (index_ >= series_.candles.size()) throw std::out_of_range("start candle index past the candle file");
}

void SpotExchange::add_account(const std::string& name, const std::map<std::string, int64_t>& balances) {
  Account a;
  for (const auto& [asset, amount] : balances) a.balances[asset].free = amount;
  // Both assets of the symbol always appear in /api/v3/account, as on Binance once funded.
  a.balances[rules_.base_asset];
  a.balances[rules_.quote_asset];
  accounts_[name] = std::move(a);
}

SpotExchange::Account& SpotExchange::account(const std::string& name) {
  auto it = accounts_.find(name);
  if (it == accounts_.end()) throw std::invalid_argument("unknown account " + name);
  return it->second;
}

const SpotExchange::Account& SpotExchange::account(const std::string& name) const {
  auto it = accounts_.find(name);
  if (it == accounts_.end()) throw std::invalid_argument("unknown account " + name);
  return it->second;
}

std::string SpotExchange::generate_client_order_id() {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id;
  uint64_t x = splitmix64(++generated_ids_);
  uint64_t y = splitmix64(x);
  for (int i = 0; i < 22; ++i) {  // Binance's generated ids are 22 base62 characters
    uint64_t& src = i < 11 ? x : y;
    id += kAlphabet[src % 62];
    src /= 62;
  }
  return id;
}

int64_t SpotExchange::commission(int64_t qty, int64_t quote_qty, Side side, bool maker) const {
  int64_t bps = maker ? model_.maker_bps : model_.taker_bps;
  int64_t out = 0;
  // Charged in the received asset; Ceil so the simulator never undercharges by a rounding.
  mul_div(side == Side::Buy ? qty : quote_qty, bps, 10000, Rounding::Ceil, out);
  return out;
}

Fill SpotExchange::apply_fill(Order& order, int64_t price, int64_t qty, bool maker, int64_t now_ms) {
  Account& acc = account(order.account);
  Balance& base = acc.balances[rules_.base_asset];
  Balance& quote = acc.balances[rules_.quote_asset];
  int64_t quote_qty = quote_of(price, qty);
  Fill fill;
  fill.trade_id = next_trade_id_++;
  fill.order_id = order.order_id;
  fill.price = price;
  fill.qty = qty;
  fill.quote_qty = quote_qty;
  fill.commission = commission(qty, quote_qty, order.side, maker);
  fill.commission_asset = order.side == Side::Buy ? rules_.base_asset : rules_.quote_asset;
  fill.time_ms = now_ms;
  fill.is_buyer = order.side == Side::Buy;
  fill.is_maker = maker;
  bool holds_lock = order.type != OrderType::Market;
  if (order.side == Side::Buy) {
    if (holds_lock) {
      // The lock was taken at the limit price; a taker fill at a better price gives the rest back.
      int64_t unlock = quote_of(order.price, qty);
      quote.locked -= unlock;
      order.locked -= unlock;
      quote.free += unlock - quote_qty;
    } else {
      quote.free -= quote_qty;
    }
    base.free += qty - fill.commission;
  } else {
    if (holds_lock) {
      base.locked -= qty;
      order.locked -= qty;
    } else {
      base.free -= qty;
    }
    quote.free += quote_qty - fill.commission;
  }
  order.executed_qty += qty;
  order.cumm_quote_qty += quote_qty;
  order.update_time_ms = now_ms;
  order.status = order.executed_qty == order.orig_qty ? OrderStatus::Filled : OrderStatus::PartiallyFilled;
  acc.trades.push_back(fill);
  acc.update_time_ms = now_ms;
  return fill;
}

void SpotExchange::emit_execution(const Order& order, ExecutionType exec, int64_t now_ms,
                                  const std::optional<Fill>& fill) {
  if (!user_sink_) return;
  UserEvent e;
  e.kind = UserEvent::Kind::Execution;
  e.account = order.account;
  e.time_ms = now_ms;
  e.event_id = next_event_id_++;
  e.order = order;
  e.exec = exec;
  e.fill = fill;
  user_sink_(e);
}

void SpotExchange::emit_position(const std::string& name, int64_t now_ms) {
  if (!user_sink_) return;
  UserEvent e;
  e.kind = UserEvent::Kind::AccountPosition;
  e.account = name;
  e.time_ms = now_ms;
  e.event_id = next_event_id_++;
  const Account& acc = account(name);
  for (const auto* asset : {&rules_.base_asset, &rules_.quote_asset}) {
    const Balance& b = acc.balances.at(*asset);
    e.balances.push_back({*asset, b.free, b.locked});
  }
  user_sink_(e);
}

std::optional<ApiError> SpotExchange::place_order(const NewOrder& req, int64_t now_ms, Placement& out) {
  Account& acc = account(req.account);
  const bool is_limit = req.type != OrderType::Market;
  const bool by_quote = req.type == OrderType::Market && req.quote_order_qty > 0;

  // Filters, in the order exchangeInfo lists them (filters.md).
  if (is_limit && (req.price < rules_.min_price || req.price > rules_.max_price || req.price % rules_.tick_size != 0))
    return filter_failure("PRICE_FILTER");
  if (!by_quote && (req.qty < rules_.min_qty || req.qty > rules_.max_qty || req.qty % rules_.step_size != 0))
    return filter_failure("LOT_SIZE");
  // NOTIONAL: MARKET orders are valued at the last price (avgPriceMins 0 in exchangeInfo);
  // applyMinToMarket true, applyMaxToMarket false.
  int64_t notional = by_quote ? req.quote_order_qty : quote_of(is_limit ? req.price : current_candle().close, req.qty);
  if (notional < rules_.min_notional || (is_limit && notional > rules_.max_notional)) return filter_failure("NOTIONAL");
  auto open = open_orders(req.account);
  if (static_cast<int>(open.size()) >= rules_.max_num_orders) return filter_failure("MAX_NUM_ORDERS");

  if (!req.client_order_id.empty())
    for (const Order& o : open)
      if (o.client_order_id == req.client_order_id) return order_rejected("Duplicate order sent.");

  const int64_t bid = best_bid(), ask = best_ask();
  if (req.type == OrderType::LimitMaker &&
      ((req.side == Side::Buy && req.price >= ask) || (req.side == Side::Sell && req.price <= bid)))
    return order_rejected("Order would immediately match and take.");

  // What the order would take from the synthetic book on arrival.
  std::vector<Level> takes;
  int64_t take_qty = 0, take_quote = 0;
  if (req.type != OrderType::LimitMaker) {
    int64_t quote_left = req.quote_order_qty;
    for (int k = 0; k < model_.book_levels; ++k) {
      int64_t price = req.side == Side::Buy ? ask + k * rules_.tick_size : bid - k * rules_.tick_size;
      if (price <= 0) break;
      if (is_limit && (req.side == Side::Buy ? price > req.price : price < req.price)) break;
      int64_t q = model_.level_qty;
      if (by_quote) {
        int64_t affordable = 0;
        mul_div(quote_left, kOne, price, Rounding::Down, affordable);
        q = std::min(q, floor_to_step(affordable, rules_.step_size));
      } else {
        q = std::min(q, req.qty - take_qty);
      }
      if (q <= 0) break;
      takes.push_back({price, q});
      take_qty += q;
      take_quote += quote_of(price, q);
      quote_left -= quote_of(price, q);
      if (!by_quote && take_qty == req.qty) break;
    }
  }
  const int64_t order_qty = by_quote ? take_qty : req.qty;
  if (by_quote && order_qty < rules_.min_qty) return filter_failure("LOT_SIZE");
  const bool fok_kills = is_limit && req.tif == TimeInForce::FOK && take_qty < order_qty;
  if (fok_kills) takes.clear();

  // Balance: a LIMIT order locks its whole value at its own price; a MARKET order pays as it fills.
  Balance& base = acc.balances[rules_.base_asset];
  Balance& quote = acc.balances[rules_.quote_asset];
  int64_t need = 0;
  if (req.side == Side::Buy)
    need = is_limit ? quote_of(req.price, order_qty) : take_quote;
  else
    need = order_qty;
  if ((req.side == Side::Buy ? quote.free : base.free) < need)
    return order_rejected("Account has insufficient balance for requested action.");

  Order order;
  order.account = req.account;
  order.order_id = next_order_id_++;
  order.client_order_id = req.client_order_id.empty() ? generate_client_order_id() : req.client_order_id;
  order.side = req.side;
  order.type = req.type;
  order.tif = req.type == OrderType::Market ? TimeInForce::GTC : req.tif;
  order.price = is_limit ? req.price : 0;
  order.orig_qty = order_qty;
  order.orig_quote_qty = by_quote ? req.quote_order_qty : 0;
  order.time_ms = order.update_time_ms = order.working_time_ms = now_ms;
  if (is_limit) {
    order.locked = need;
    (req.side == Side::Buy ? quote : base).free -= need;
    (req.side == Side::Buy ? quote : base).locked += need;
  }
  acc.order_ids.push_back(order.order_id);
  acc.update_time_ms = now_ms;
  emit_execution(order, ExecutionType::New, now_ms);

  out.fills.clear();
  for (const Level& l : takes) {
    Fill f = apply_fill(order, l.price, l.qty, false, now_ms);
    out.fills.push_back(f);
    emit_execution(order, ExecutionType::Trade, now_ms, f);
  }
  const bool rests = is_limit && req.tif == TimeInForce::GTC;
  if (order.status != OrderStatus::Filled && !rests) {
    // MARKET beyond the book's depth, IOC remainder, FOK that could not fill: expire the rest.
    if (order.locked > 0) {
      Balance& held = req.side == Side::Buy ? quote : base;
      held.locked -= order.locked;
      held.free += order.locked;
      order.locked = 0;
    }
    order.status = OrderStatus::Expired;
    emit_execution(order, ExecutionType::Expired, now_ms);
  }
  orders_[order.order_id] = order;
  emit_position(req.account, now_ms);
  out.order = order;
  return std::nullopt;
}

std::optional<ApiError> SpotExchange::cancel_order(const std::string& name, std::optional<int64_t> order_id,
                                                   const std::string& orig_client_order_id,
                                                   std::string& cancel_client_order_id, int64_t now_ms, Order& out) {
  Account& acc = account(name);
  const Order* found = find_order(name, order_id, orig_client_order_id);
  if (found == nullptr || !found->is_open()) return ApiError{400, -2011, "Unknown order sent."};
  Order& order = orders_.at(found->order_id);
  Balance& held = acc.balances[order.side == Side::Buy ? rules_.quote_asset : rules_.base_asset];
  held.locked -= order.locked;
  held.free += order.locked;
  order.locked = 0;
  order.status = OrderStatus::Canceled;
  order.update_time_ms = now_ms;
  acc.update_time_ms = now_ms;
  if (cancel_client_order_id.empty()) cancel_client_order_id = generate_client_order_id();
  if (user_sink_) {
    UserEvent e;
    e.kind = UserEvent::Kind::Execution;
    e.account = name;
    e.time_ms = now_ms;
    e.event_id = next_event_id_++;
    e.order = order;
    e.exec = ExecutionType::Canceled;
    e.orig_client_order_id = order.client_order_id;
    e.cancel_client_order_id = cancel_client_order_id;
    user_sink_(e);
  }
  emit_position(name, now_ms);
  out = order;
  return std::nullopt;
}

const Order* SpotExchange::find_order(const std::string& name, std::optional<int64_t> order_id,
                                      const std::string& client_order_id) const {
  const Account& acc = account(name);
  if (order_id) {
    auto it = orders_.find(*order_id);
    return it != orders_.end() && it->second.account == name ? &it->second : nullptr;
  }
  for (auto id = acc.order_ids.rbegin(); id != acc.order_ids.rend(); ++id) {
    const Order& o = orders_.at(*id);
    if (o.client_order_id == client_order_id) return &o;
  }
  return nullptr;
}

std::vector<Order> SpotExchange::open_orders(const std::string& name) const {
  std::vector<Order> out;
  for (int64_t id : account(name).order_ids) {
    const Order& o = orders_.at(id);
    if (o.is_open()) out.push_back(o);
  }
  return out;
}

const std::vector<Fill>& SpotExchange::trades(const std::string& name) const { return account(name).trades; }

const std::map<std::string, Balance>& SpotExchange::balances(const std::string& name) const {
  return account(name).balances;
}

int64_t SpotExchange::account_update_time(const std::string& name) const { return account(name).update_time_ms; }

size_t SpotExchange::advance(size_t candles, int64_t now_ms) {
  size_t steps = 0;
  while (steps < candles && index_ + 1 < series_.candles.size()) {
    MarketEvent m;
    m.prev_best_bid = best_bid();
    m.prev_best_ask = best_ask();
    ++index_;
    ++steps;
    m.candle = current_candle();
    m.time_ms = now_ms;
    m.first_update_id = book_update_id_ + 1;
    m.last_update_id = ++book_update_id_;
    m.agg_trade_id = next_agg_trade_id_++;
    m.trade_id = next_trade_id_++;
    if (market_sink_) market_sink_(m);
    match_resting(m.candle, now_ms);
  }
  return steps;
}

void SpotExchange::match_resting(const Candle& candle, int64_t now_ms) {
  const int64_t pool = floor_to_step(quote_of(candle.volume, model_.fill_volume_bps * kOne / 10000), rules_.step_size);
  std::vector<Order*> buys, sells;
  for (auto& [id, o] : orders_) {
    if (!o.is_open() || o.type == OrderType::Market) continue;
    if (o.side == Side::Buy && candle.low < o.price) buys.push_back(&o);
    if (o.side == Side::Sell && candle.high > o.price) sells.push_back(&o);
  }
  // Price priority, then time (order ids grow with time and the map iterates in id order).
  std::stable_sort(buys.begin(), buys.end(), [](const Order* a, const Order* b) { return a->price > b->price; });
  std::stable_sort(sells.begin(), sells.end(), [](const Order* a, const Order* b) { return a->price < b->price; });
  std::set<std::string> touched;
  for (auto* side : {&buys, &sells}) {
    int64_t left = pool;
    for (Order* o : *side) {
      int64_t q = std::min(left, o->orig_qty - o->executed_qty);
      if (q <= 0) break;
      Fill f = apply_fill(*o, o->price, q, true, now_ms);
      left -= q;
      emit_execution(*o, ExecutionType::Trade, now_ms, f);
      touched.insert(o->account);
    }
  }
  for (const auto& name : touched) emit_position(name, now_ms);
}

}  // namespace tradehost::exchange_sim
