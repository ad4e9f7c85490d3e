#include "matching_engine.hpp"

#include "candle_market.hpp"
#include "capture_market.hpp"

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

}  // namespace

int64_t quote_of(int64_t price, int64_t qty) {
  int64_t out = 0;
  if (!mul_div(price, qty, kOne, Rounding::Down, out)) throw std::overflow_error("price * qty overflows");
  return out;
}

// Names in enum order, as the APIs spell them.
const char* to_string(Side s) { return s == Side::Buy ? "BUY" : "SELL"; }

const char* to_string(OrderType t) {
  static constexpr const char* kNames[] = {"LIMIT", "MARKET", "LIMIT_MAKER"};
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
    : model_(model) {
  const CandleBookShape shape{rules.tick_size, rules.step_size, model.level_qty, model.book_levels, model.fill_volume_bps};
  market_ = std::make_unique<CandleMarket>(std::move(series), rules.symbol, shape, start_index, foreign_updates_per_step);
  symbols_.push_back(std::move(rules));
}

MatchingEngine::MatchingEngine(std::unique_ptr<MarketSource> market, std::vector<SymbolRules> symbols,
                               MarketModel model)
    : market_(std::move(market)), symbols_(std::move(symbols)), model_(model) {
  if (symbols_.empty()) throw std::invalid_argument("a matching engine needs at least one symbol");
}

const CandleMarket& MatchingEngine::candles() const {
  const auto* c = dynamic_cast<const CandleMarket*>(market_.get());
  if (c == nullptr) throw std::logic_error("not a candle market");
  return *c;
}

const Candle& MatchingEngine::current_candle() const { return candles().current(); }

const CandleSeries& MatchingEngine::series() const { return candles().series(); }

const CaptureMarket* MatchingEngine::capture() const { return dynamic_cast<const CaptureMarket*>(market_.get()); }

const SymbolRules* MatchingEngine::find_rules(const std::string& symbol) const {
  for (const auto& r : symbols_)
    if (r.symbol == symbol) return &r;
  return nullptr;
}

const SymbolRules& MatchingEngine::rules(const std::string& symbol) const {
  if (symbol.empty()) return rules();
  const SymbolRules* r = find_rules(symbol);
  if (r == nullptr) throw std::invalid_argument("unknown symbol " + symbol);
  return *r;
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

std::vector<MatchingEngine::Level> MatchingEngine::book_takes(const std::string& symbol, Side side,
                                                              int64_t limit_price, int64_t qty,
                                                              int64_t quote_budget) const {
  std::vector<Level> takes;
  const SymbolRules& r = rules(symbol);
  int64_t taken = 0, quote_left = quote_budget;
  for (const BookLevel& level :
       market_->liquidity(r.symbol, side == Side::Buy ? BookSide::Ask : BookSide::Bid, market_->max_depth())) {
    const int64_t price = level.price;
    if (price <= 0) break;
    if (limit_price > 0 && (side == Side::Buy ? price > limit_price : price < limit_price)) break;
    int64_t q = level.qty;
    if (quote_budget > 0) {
      int64_t affordable = 0;
      mul_div(quote_left, kOne, price, Rounding::Down, affordable);
      q = std::min(q, floor_to_step(affordable, r.step_size));
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

bool MatchingEngine::crosses(const std::string& symbol, Side side, int64_t price) const {
  const std::string& s = rules(symbol).symbol;
  if (side == Side::Buy) {
    const int64_t ask = best_ask(s);
    return ask > 0 && price >= ask;
  }
  const int64_t bid = best_bid(s);
  return bid > 0 && price <= bid;
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
  if (order.symbol.empty()) order.symbol = rules().symbol;
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
  f.symbol = order.symbol;
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
  const BookSide from = order.side == Side::Buy ? BookSide::Ask : BookSide::Bid;
  for (const Level& l : levels) {
    fills.push_back(fill(order, l.price, l.qty, false, now_ms));
    market_->consume(order.symbol, from, l.price, l.qty);
  }
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

std::vector<Order> MatchingEngine::all_orders(const std::string& name) const {
  std::vector<Order> out;
  for (int64_t id : account(name).order_ids) out.push_back(orders_.at(id));
  return out;
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

size_t MatchingEngine::advance(size_t steps, int64_t now_ms) {
  size_t taken = 0;
  while (taken < steps) {
    MarketStep step;
    if (!market_->step(now_ms, step)) break;
    ++taken;
    if (step.candle) {
      step.event.agg_trade_id = next_agg_trade_id_++;
      step.event.trade_id = next_trade_id_++;
    }
    if (market_sink_) market_sink_(step.event);
    std::set<std::string> touched;
    for (const Liquidity& liquidity : step.liquidity) match_resting(liquidity, false, now_ms, touched);
    for (const std::string& symbol : step.books_moved)
      for (BookSide side : {BookSide::Ask, BookSide::Bid})
        match_resting({symbol, side, {}}, true, now_ms, touched);
    after_step(step, now_ms, touched);
    after_change(touched, now_ms);
  }
  return taken;
}

void MatchingEngine::match_resting(const Liquidity& liquidity, bool from_book, int64_t now_ms,
                                   std::set<std::string>& touched) {
  // Ask liquidity (sellers) fills BUY orders priced strictly above it, Bid liquidity SELL orders
  // priced strictly below it.
  const Side fills_side = liquidity.side == BookSide::Ask ? Side::Buy : Side::Sell;
  auto through = [&](const Order& o, int64_t level_price) {
    return fills_side == Side::Buy ? o.price > level_price : o.price < level_price;
  };
  std::vector<Order*> orders;
  for (auto& [id, o] : orders_) {
    if (!o.is_open() || o.type == OrderType::Market) continue;
    if (o.side == fills_side && o.symbol == liquidity.symbol) orders.push_back(&o);
  }
  if (orders.empty()) return;
  std::vector<BookLevel> levels = liquidity.levels;
  if (from_book) levels = market_->liquidity(liquidity.symbol, liquidity.side, market_->max_depth());
  if (levels.empty()) return;
  std::erase_if(orders, [&](const Order* o) { return !through(*o, levels.front().price); });
  // Price priority, then time (order ids grow with time and the map iterates in id order).
  std::stable_sort(orders.begin(), orders.end(), [&](const Order* a, const Order* b) {
    return fills_side == Side::Buy ? a->price > b->price : a->price < b->price;
  });
  int64_t left = 0;
  for (const BookLevel& l : levels) left += l.qty;
  for (Order* o : orders) {
    if (left <= 0) break;
    touched.insert(o->account);
    // One fill per order and step, of what the levels through its price still hold.
    int64_t want = fillable(*o), q = 0;
    for (BookLevel& l : levels) {
      if (want <= 0 || !through(*o, l.price)) break;
      const int64_t part = std::min(want, l.qty);
      if (part <= 0) continue;
      if (from_book) market_->consume(liquidity.symbol, liquidity.side, l.price, part);
      l.qty -= part;
      want -= part;
      q += part;
    }
    if (q > 0) {
      fill(*o, o->price, q, true, now_ms);
      left -= q;
    }
    if (o->is_open() && fillable(*o) <= 0) expire(*o, now_ms);  // a reduce-only order outlived its position
  }
}

}  // namespace tradehost::exchange_sim
