#include "matching_engine.hpp"

#include <tradehost/fixed.hpp>

#include <algorithm>
#include <stdexcept>

namespace tradehost::exchange_sim {

namespace {

constexpr int64_t kOne = 100000000;  // 1.0 at kScale

int64_t floor_to_step(int64_t qty, int64_t step) { return qty - qty % step; }

// splitmix64: a cheap, well-mixed sequence so generated ids look like Binance's random ones while
// staying reproducible run to run.
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Whether `candle` reaches the stop price of a conditional order, and at what price it then
// fills: the stop price, or the open when the candle opened beyond it already.
std::optional<int64_t> trigger_price(const Order& o, const Candle& c) {
  if (triggers_on_rise(o.type, o.side)) {
    if (c.high < o.stop_price) return std::nullopt;
    return std::max(c.open, o.stop_price);
  }
  if (c.low > o.stop_price) return std::nullopt;
  return std::min(c.open, o.stop_price);
}

}  // namespace

int64_t quote_of(int64_t price, int64_t qty) {
  int64_t out = 0;
  if (!mul_div(price, qty, kOne, Rounding::Down, out)) throw std::overflow_error("price * qty overflows");
  return out;
}

// Names in enum order, as the APIs spell them.
const char* to_string(Side s) { return s == Side::Buy ? "BUY" : "SELL"; }

const char* to_string(OrderType t) {
  static constexpr const char* kNames[] = {"LIMIT", "MARKET", "LIMIT_MAKER", "STOP_MARKET", "TAKE_PROFIT_MARKET"};
  return kNames[static_cast<int>(t)];
}

const char* to_string(TimeInForce t) {
  static constexpr const char* kNames[] = {"GTC", "IOC", "FOK", "GTX"};
  return kNames[static_cast<int>(t)];
}

const char* to_string(OrderStatus s) {
  static constexpr const char* kNames[] = {"NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED"};
  return kNames[static_cast<int>(s)];
}

const char* to_string(ExecutionType x) {
  static constexpr const char* kNames[] = {"NEW", "TRADE", "CANCELED", "EXPIRED"};
  return kNames[static_cast<int>(x)];
}

int64_t Order::avg_price() const {
  int64_t out = 0;
  if (executed_qty > 0) mul_div(cumm_quote_qty, kOne, executed_qty, Rounding::Down, out);
  return out;
}

MatchingEngine::MatchingEngine(CandleSeries series, SymbolRules rules, MarketModel model, size_t start_index,
                               int64_t foreign_updates_per_step)
    : series_(std::move(series)),
      rules_(std::move(rules)),
      model_(model),
      index_(start_index),
      foreign_updates_per_step_(foreign_updates_per_step) {
  if (index_ >= series_.candles.size()) throw std::out_of_range("start candle index past the candle file");
}

void MatchingEngine::open_account(const std::string& name) { accounts_[name] = Account{}; }

const MatchingEngine::Account& MatchingEngine::account(const std::string& name) const {
  auto it = accounts_.find(name);
  if (it == accounts_.end()) throw std::invalid_argument("unknown account " + name);
  return it->second;
}

void MatchingEngine::touch_account(const std::string& name, int64_t now_ms) {
  auto it = accounts_.find(name);
  if (it == accounts_.end()) throw std::invalid_argument("unknown account " + name);
  it->second.update_time_ms = now_ms;
}

std::string MatchingEngine::generate_client_order_id() {
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

std::vector<MatchingEngine::Level> MatchingEngine::book_takes(Side side, int64_t limit_price, int64_t qty,
                                                              int64_t quote_budget) const {
  std::vector<Level> takes;
  const int64_t bid = best_bid(), ask = best_ask();
  int64_t taken = 0, quote_left = quote_budget;
  for (int k = 0; k < model_.book_levels; ++k) {
    int64_t price = side == Side::Buy ? ask + k * rules_.tick_size : bid - k * rules_.tick_size;
    if (price <= 0) break;
    if (limit_price > 0 && (side == Side::Buy ? price > limit_price : price < limit_price)) break;
    int64_t q = model_.level_qty;
    if (quote_budget > 0) {
      int64_t affordable = 0;
      mul_div(quote_left, kOne, price, Rounding::Down, affordable);
      q = std::min(q, floor_to_step(affordable, rules_.step_size));
    } else {
      q = std::min(q, qty - taken);
    }
    if (q <= 0) break;
    takes.push_back({price, q});
    taken += q;
    quote_left -= quote_of(price, q);
    if (quote_budget == 0 && taken == qty) break;
  }
  return takes;
}

bool MatchingEngine::crosses(Side side, int64_t price) const {
  return side == Side::Buy ? price >= best_ask() : price <= best_bid();
}

bool MatchingEngine::client_order_id_open(const std::string& name, const std::string& client_order_id) const {
  for (int64_t id : account(name).order_ids) {
    const Order& o = orders_.at(id);
    if (o.is_open() && o.client_order_id == client_order_id) return true;
  }
  return false;
}

Order& MatchingEngine::accept(Order order, int64_t now_ms) {
  auto it = accounts_.find(order.account);
  if (it == accounts_.end()) throw std::invalid_argument("unknown account " + order.account);
  order.order_id = next_order_id_++;
  if (order.client_order_id.empty()) order.client_order_id = generate_client_order_id();
  order.time_ms = order.update_time_ms = order.working_time_ms = now_ms;
  order.status = OrderStatus::New;
  it->second.order_ids.push_back(order.order_id);
  it->second.update_time_ms = now_ms;
  Order& stored = orders_[order.order_id] = std::move(order);
  emit_execution(stored, ExecutionType::New, now_ms);
  return stored;
}

Fill MatchingEngine::fill(Order& order, int64_t price, int64_t qty, bool maker, int64_t now_ms) {
  Fill f;
  f.trade_id = next_trade_id_++;
  f.order_id = order.order_id;
  f.price = price;
  f.qty = qty;
  f.quote_qty = quote_of(price, qty);
  f.time_ms = now_ms;
  f.is_buyer = order.side == Side::Buy;
  f.is_maker = maker;
  settle(order, f);
  order.executed_qty += qty;
  order.cumm_quote_qty += f.quote_qty;
  order.update_time_ms = now_ms;
  order.status = order.executed_qty == order.orig_qty ? OrderStatus::Filled : OrderStatus::PartiallyFilled;
  Account& acc = accounts_.at(order.account);
  acc.trades.push_back(f);
  acc.update_time_ms = now_ms;
  emit_execution(order, ExecutionType::Trade, now_ms, f);
  return f;
}

void MatchingEngine::take(Order& order, const std::vector<Level>& levels, bool rests, int64_t now_ms,
                          std::vector<Fill>& fills) {
  fills.clear();
  for (const Level& l : levels) fills.push_back(fill(order, l.price, l.qty, false, now_ms));
  // MARKET beyond the book's depth, IOC remainder, a reduce-only order with nothing left to
  // reduce: the rest expires.
  if (order.is_open() && (!rests || fillable(order) <= 0)) expire(order, now_ms);
}

void MatchingEngine::expire(Order& order, int64_t now_ms) {
  release(order);
  order.status = OrderStatus::Expired;
  order.update_time_ms = now_ms;
  emit_execution(order, ExecutionType::Expired, now_ms);
}

void MatchingEngine::emit(UserEvent e) {
  if (!user_sink_) return;
  e.event_id = next_event_id_++;
  user_sink_(e);
}

void MatchingEngine::emit_execution(const Order& order, ExecutionType exec, int64_t now_ms,
                                    const std::optional<Fill>& fill) {
  UserEvent e;
  e.kind = UserEvent::Kind::Execution;
  e.account = order.account;
  e.time_ms = now_ms;
  e.order = order;
  e.exec = exec;
  e.fill = fill;
  emit(std::move(e));
}

std::optional<ApiError> MatchingEngine::cancel_order(const std::string& name, std::optional<int64_t> order_id,
                                                     const std::string& orig_client_order_id,
                                                     std::string& cancel_client_order_id, int64_t now_ms,
                                                     Order& out) {
  const Order* found = find_order(name, order_id, orig_client_order_id);
  if (found == nullptr || !found->is_open()) return ApiError{400, -2011, "Unknown order sent."};
  Order& order = orders_.at(found->order_id);
  release(order);
  order.status = OrderStatus::Canceled;
  order.update_time_ms = now_ms;
  touch_account(name, now_ms);
  if (cancel_client_order_id.empty()) cancel_client_order_id = generate_client_order_id();
  UserEvent e;
  e.kind = UserEvent::Kind::Execution;
  e.account = name;
  e.time_ms = now_ms;
  e.order = order;
  e.exec = ExecutionType::Canceled;
  e.orig_client_order_id = order.client_order_id;
  e.cancel_client_order_id = cancel_client_order_id;
  emit(std::move(e));
  after_change({name}, now_ms);
  out = order;
  return std::nullopt;
}

const Order* MatchingEngine::find_order(const std::string& name, std::optional<int64_t> order_id,
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

std::vector<Order> MatchingEngine::open_orders(const std::string& name) const {
  std::vector<Order> out;
  for (int64_t id : account(name).order_ids) {
    const Order& o = orders_.at(id);
    if (o.is_open()) out.push_back(o);
  }
  return out;
}

const std::vector<Fill>& MatchingEngine::trades(const std::string& name) const { return account(name).trades; }

int64_t MatchingEngine::account_update_time(const std::string& name) const { return account(name).update_time_ms; }

size_t MatchingEngine::advance(size_t candles, int64_t now_ms) {
  size_t steps = 0;
  while (steps < candles && index_ + 1 < series_.candles.size()) {
    MarketEvent m;
    m.prev_best_bid = best_bid();
    m.prev_best_ask = best_ask();
    m.prev_last_update_id = book_update_id_;
    ++index_;
    ++steps;
    m.candle = current_candle();
    m.time_ms = now_ms;
    book_update_id_ += foreign_updates_per_step_ + 1;
    m.first_update_id = m.last_update_id = book_update_id_;
    m.agg_trade_id = next_agg_trade_id_++;
    m.trade_id = next_trade_id_++;
    if (market_sink_) market_sink_(m);
    std::set<std::string> touched;
    trigger_conditional(m.candle, now_ms, touched);
    match_resting(m.candle, now_ms, touched);
    after_step(now_ms, touched);
    after_change(touched, now_ms);
  }
  return steps;
}

void MatchingEngine::trigger_conditional(const Candle& candle, int64_t now_ms, std::set<std::string>& touched) {
  for (auto& [id, o] : orders_) {
    if (!o.is_open() || !o.is_conditional()) continue;
    std::optional<int64_t> price = trigger_price(o, candle);
    if (!price) continue;
    o.triggered = true;
    touched.insert(o.account);
    const int64_t q = fillable(o);
    if (o.close_position) o.orig_qty = o.executed_qty + std::max<int64_t>(q, 0);
    if (q > 0) fill(o, *price, q, false, now_ms);
    if (o.is_open()) expire(o, now_ms);  // nothing (more) to reduce
  }
}

void MatchingEngine::match_resting(const Candle& candle, int64_t now_ms, std::set<std::string>& touched) {
  const int64_t pool = floor_to_step(quote_of(candle.volume, model_.fill_volume_bps * kOne / 10000), rules_.step_size);
  std::vector<Order*> buys, sells;
  for (auto& [id, o] : orders_) {
    if (!o.is_open() || o.type == OrderType::Market || o.is_conditional()) continue;
    if (o.side == Side::Buy && candle.low < o.price) buys.push_back(&o);
    if (o.side == Side::Sell && candle.high > o.price) sells.push_back(&o);
  }
  // Price priority, then time (order ids grow with time and the map iterates in id order).
  std::stable_sort(buys.begin(), buys.end(), [](const Order* a, const Order* b) { return a->price > b->price; });
  std::stable_sort(sells.begin(), sells.end(), [](const Order* a, const Order* b) { return a->price < b->price; });
  for (auto* side : {&buys, &sells}) {
    int64_t left = pool;
    for (Order* o : *side) {
      if (left <= 0) break;
      const int64_t q = std::min(left, fillable(*o));
      touched.insert(o->account);
      if (q > 0) {
        fill(*o, o->price, q, true, now_ms);
        left -= q;
      }
      if (o->is_open() && fillable(*o) <= 0) expire(*o, now_ms);  // a reduce-only order outlived its position
    }
  }
}

}  // namespace tradehost::exchange_sim
