#include "usdm_exchange.hpp"

#include <tradehost/fixed.hpp>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <utility>

namespace tradehost::exchange_sim {

namespace {

constexpr int64_t kOne = 100000000;  // 1.0 at kScale
constexpr int kMaxLeverage = 125;    // BTCUSDT's top bracket

__extension__ typedef __int128 i128;

ApiError reject(int code, std::string msg) { return {400, code, std::move(msg)}; }

int64_t sign(int64_t v) { return (v > 0) - (v < 0); }

// a * b / kOne rounded half-even at kScale: PnL of a price difference times a quantity.
int64_t times_qty(int64_t price, int64_t qty) {
  int64_t out = 0;
  if (!mul_div(price, qty, kOne, Rounding::HalfEven, out)) throw std::overflow_error("price * qty overflows");
  return out;
}

// An amount divided by the leverage, rounded up so margin is never understated.
int64_t per_leverage(int64_t amount, int leverage) {
  int64_t out = 0;
  mul_div(amount, 1, leverage, Rounding::Ceil, out);
  return out;
}

// Quantity-weighted average of two prices (qty_a at price_a, qty_b at price_b), half-even at kScale.
int64_t weighted_price(int64_t price_a, int64_t qty_a, int64_t price_b, int64_t qty_b) {
  const i128 num = static_cast<i128>(price_a) * qty_a + static_cast<i128>(price_b) * qty_b;
  const i128 den = static_cast<i128>(qty_a) + qty_b;
  i128 q = num / den, r = num % den;
  if (2 * r > den || (2 * r == den && (q & 1) != 0)) ++q;  // prices are positive: no sign cases
  return static_cast<int64_t>(q);
}

}  // namespace

SymbolRules usdm_symbol_rules() {
  SymbolRules r;
  r.symbol = "BTCUSDT";
  r.base_asset = "BTC";
  r.quote_asset = "USDT";
  r.min_price = 55680000000;        // 556.80
  r.max_price = 100000000000000;    // 1000000
  r.tick_size = 10000000;           // 0.10
  r.min_qty = 100000;               // 0.001
  r.max_qty = 100000000000;         // 1000
  r.step_size = 100000;             // 0.001
  r.market_min_qty = 100000;        // 0.001
  r.market_max_qty = 100000000000;  // 1000
  r.min_notional = 500000000;       // 5
  r.max_notional = 0;               // no NOTIONAL maximum on USDⓈ-M
  r.max_num_orders = 200;
  r.price_precision = 2;
  r.qty_precision = 3;
  return r;
}

UsdmExchange::UsdmExchange(CandleSeries series, SymbolRules rules, MarketModel model, size_t start_index)
    : MatchingEngine(std::move(series), std::move(rules), model, start_index, 1) {}

UsdmExchange::UsdmExchange(std::unique_ptr<MarketSource> market, std::vector<SymbolRules> symbols, MarketModel model)
    : MatchingEngine(std::move(market), std::move(symbols), model) {}

void UsdmExchange::add_account(const std::string& name, int64_t wallet_usdt) {
  Account acc{wallet_usdt, {}};
  for (const SymbolRules& r : symbols()) acc.positions[r.symbol].symbol = r.symbol;
  accounts_[name] = std::move(acc);
  open_account(name);
}

UsdmExchange::Account& UsdmExchange::account(const std::string& name) {
  auto it = accounts_.find(name);
  if (it == accounts_.end()) throw std::invalid_argument("unknown account " + name);
  return it->second;
}

const UsdmExchange::Account& UsdmExchange::account(const std::string& name) const {
  auto it = accounts_.find(name);
  if (it == accounts_.end()) throw std::invalid_argument("unknown account " + name);
  return it->second;
}

const Position& UsdmExchange::position(const std::string& name, const std::string& symbol) const {
  const Account& acc = account(name);
  auto it = acc.positions.find(rules(symbol).symbol);
  if (it == acc.positions.end()) throw std::invalid_argument("no position in " + symbol);
  return it->second;
}

Position& UsdmExchange::position_of(const std::string& name, const std::string& symbol) {
  return const_cast<Position&>(std::as_const(*this).position(name, symbol));
}

int64_t UsdmExchange::wallet_balance(const std::string& name) const { return account(name).wallet; }

int64_t UsdmExchange::unrealized_pnl(const std::string& name, const std::string& symbol) const {
  const Position& p = position(name, symbol);
  return p.amount == 0 ? 0 : times_qty(mark_price(p.symbol) - p.entry_price, p.amount);
}

int64_t UsdmExchange::unrealized_pnl(const std::string& name) const {
  int64_t total = 0;
  for (const auto& [symbol, p] : account(name).positions) total += unrealized_pnl(name, symbol);
  return total;
}

int64_t UsdmExchange::position_initial_margin(const std::string& name, const std::string& symbol) const {
  const Position& p = position(name, symbol);
  return per_leverage(times_qty(mark_price(p.symbol), std::abs(p.amount)), p.leverage);
}

int64_t UsdmExchange::position_initial_margin(const std::string& name) const {
  int64_t total = 0;
  for (const auto& [symbol, p] : account(name).positions) total += position_initial_margin(name, symbol);
  return total;
}

int64_t UsdmExchange::open_order_initial_margin(const std::string& name) const {
  int64_t total = 0;
  for (const SymbolRules& r : symbols()) total += open_order_initial_margin(name, r.symbol);
  return total;
}

int64_t UsdmExchange::open_order_initial_margin(const std::string& name, const std::string& symbol) const {
  const Position& p = position(name, symbol);
  int64_t total = 0;
  for (const Order& o : open_orders(name))
    if (o.symbol == p.symbol && o.type == OrderType::Limit && !o.reduce_only)
      total += per_leverage(quote_of(o.price, o.orig_qty - o.executed_qty), p.leverage);
  return total;
}

int64_t UsdmExchange::isolated_wallet(const std::string& name, const std::string& symbol) const {
  const Position& p = position(name, symbol);
  return p.isolated ? per_leverage(times_qty(p.entry_price, std::abs(p.amount)), p.leverage) : 0;
}

int64_t UsdmExchange::isolated_wallet(const std::string& name) const {
  int64_t total = 0;
  for (const auto& [symbol, p] : account(name).positions) total += isolated_wallet(name, symbol);
  return total;
}

int64_t UsdmExchange::available_balance(const std::string& name) const {
  return wallet_balance(name) + unrealized_pnl(name) - position_initial_margin(name) - open_order_initial_margin(name);
}

int64_t UsdmExchange::closable(const std::string& name, const std::string& symbol, Side side) const {
  const int64_t amount = position(name, symbol).amount;
  if (side == Side::Sell && amount > 0) return amount;
  if (side == Side::Buy && amount < 0) return -amount;
  return 0;
}

int64_t UsdmExchange::fillable(const Order& o) const {
  const int64_t left = o.orig_qty - o.executed_qty;
  if (o.reduce_only) return std::min(left, closable(o.account, o.symbol, o.side));
  return left;
}

void UsdmExchange::settle(Order& order, Fill& fill) {
  Account& acc = account(order.account);
  Position& p = position_of(order.account, order.symbol);
  int64_t commission = 0;
  mul_div(fill.quote_qty, fill.is_maker ? model().maker_bps : model().taker_bps, 10000, Rounding::Ceil, commission);
  const int64_t signed_qty = order.side == Side::Buy ? fill.qty : -fill.qty;
  int64_t realized = 0;
  if (p.amount != 0 && sign(p.amount) != sign(signed_qty)) {
    const int64_t closed = std::min(fill.qty, std::abs(p.amount));
    realized = sign(p.amount) * times_qty(fill.price - p.entry_price, closed);
    p.realized_pnl += realized;
  }
  const int64_t next = p.amount + signed_qty;
  if (next == 0)
    p.entry_price = 0;
  else if (p.amount == 0 || sign(p.amount) != sign(next))
    p.entry_price = fill.price;  // opened from flat, or flipped: the rest opens at this fill
  else if (sign(p.amount) == sign(signed_qty))
    p.entry_price = weighted_price(p.entry_price, std::abs(p.amount), fill.price, fill.qty);
  p.amount = next;
  p.update_time_ms = fill.time_ms;
  acc.wallet += realized - commission;
  fill.commission = commission;
  fill.commission_asset = rules(order.symbol).quote_asset;
  fill.realized_pnl = realized;
  dirty_[order.account].insert(order.symbol);
}

void UsdmExchange::emit_account(const std::string& name, const std::string& symbol, int64_t now_ms,
                                const char* reason) {
  if (!account_sink_) return;
  AccountUpdate u;
  u.kind = AccountUpdate::Kind::Balance;
  u.account = name;
  u.time_ms = now_ms;
  u.reason = reason;
  u.wallet_balance = wallet_balance(name);
  u.isolated_wallet = isolated_wallet(name, symbol);
  u.cross_wallet_balance = u.wallet_balance - isolated_wallet(name);
  u.position = position(name, symbol);
  u.unrealized_pnl = unrealized_pnl(name, symbol);
  account_sink_(u);
}

void UsdmExchange::after_change(const std::set<std::string>& accounts, int64_t now_ms) {
  // "Unfilled orders or cancelled orders will not make the event ACCOUNT_UPDATE pushed, since
  // there's no change on positions" (USDⓈ-M "Event: Balance and Position Update").
  // One event per symbol whose position moved.
  for (const auto& name : accounts) {
    auto it = dirty_.find(name);
    if (it == dirty_.end()) continue;
    const std::set<std::string> symbols = std::move(it->second);
    dirty_.erase(it);
    for (const std::string& symbol : symbols) emit_account(name, symbol, now_ms, "ORDER");
  }
  finish_algo_orders(now_ms);  // an order an algo order placed may have ended with this change
}

std::optional<ApiError> UsdmExchange::place_order(const NewOrder& req, int64_t now_ms, Placement& out) {
  const SymbolRules& r = rules(req.symbol);
  const Position& position_now = position(req.account, r.symbol);
  const bool is_limit = req.type == OrderType::Limit;
  // LIMIT_MAKER is spot's; the REST layer answers the conditional types -4120 (they are algo
  // orders, place_algo_order) and any other type -1116.
  if (req.type != OrderType::Limit && req.type != OrderType::Market) return reject(-1116, "Invalid orderType.");

  auto price_filter = [&](int64_t price) -> std::optional<ApiError> {
    if (price < r.min_price) return reject(-4013, "Price less than min price.");
    if (price > r.max_price) return reject(-4002, "Price greater than max price.");
    if (price % r.tick_size != 0) return reject(-4014, "Price not increased by tick size.");
    return std::nullopt;
  };
  if (is_limit)
    if (auto e = price_filter(req.price)) return e;
  {
    // LOT_SIZE for LIMIT orders, MARKET_LOT_SIZE for MARKET ones.
    const int64_t min_qty = is_limit ? r.min_qty : r.market_min_qty;
    const int64_t max_qty = is_limit ? r.max_qty : r.market_max_qty;
    if (req.qty <= 0) return reject(-4003, "Quantity less than or equal to zero.");
    if (req.qty < min_qty) return reject(-4004, "Quantity less than min quantity.");
    if (req.qty > max_qty) return reject(-4005, "Quantity greater than max quantity.");
    if (req.qty % r.step_size != 0) return reject(-4023, "Qty not increased by step size.");
  }
  const int64_t reference = is_limit ? req.price : last_price(r.symbol);
  if (!req.reduce_only && quote_of(reference, req.qty) < r.min_notional)
    return reject(-4164, "Order's notional must be no smaller than " + format_fixed_trimmed(r.min_notional, kScale) +
                             " (unless you choose reduce only).");
  if (static_cast<int>(open_orders(req.account).size()) >= r.max_num_orders)
    return reject(-2025, "Reach max open order limit.");
  if (!req.client_order_id.empty() && client_order_id_open(req.account, req.client_order_id))
    return reject(-4116, "ClientOrderId is duplicated.");
  if (req.reduce_only && closable(req.account, r.symbol, req.side) == 0) return reject(-2022, "ReduceOnly Order is rejected.");
  const bool crossing = is_limit && crosses(r.symbol, req.side, req.price);
  if (crossing && req.tif == TimeInForce::GTX)
    return reject(-5022,
                  "Due to the order could not be executed as maker, the Post Only order will be rejected. The order "
                  "will not be recorded in the order history");

  std::vector<Level> takes;
  if (req.type == OrderType::Market || crossing) {
    const int64_t want = req.reduce_only ? std::min(req.qty, closable(req.account, r.symbol, req.side)) : req.qty;
    takes = book_takes(r.symbol, req.side, is_limit ? req.price : 0, want, 0);
  }
  int64_t take_qty = 0;
  for (const Level& l : takes) take_qty += l.qty;
  if (is_limit && req.tif == TimeInForce::FOK && take_qty < req.qty)
    return reject(-5021,
                  "Due to the order could not be filled immediately, the FOK order has been rejected. The order will "
                  "not be recorded in the order history");

  if (!req.reduce_only) {
    // Initial margin for the exposure the order adds: what it does not close of the position.
    const int64_t adds = std::max<int64_t>(0, req.qty - closable(req.account, r.symbol, req.side));
    const int64_t margin = per_leverage(quote_of(is_limit ? req.price : last_price(r.symbol), adds), position_now.leverage);
    if (margin > available_balance(req.account)) return reject(-2019, "Margin is insufficient.");
  }

  Order order;
  order.account = req.account;
  order.symbol = r.symbol;
  order.client_order_id = req.client_order_id;
  order.side = req.side;
  order.type = req.type;
  order.tif = is_limit ? req.tif : TimeInForce::GTC;
  order.price = is_limit ? req.price : 0;
  order.orig_qty = req.qty;
  order.reduce_only = req.reduce_only;
  Order& placed = accept(std::move(order), now_ms);
  out.accepted = placed;
  out.fills.clear();
  take(placed, takes, is_limit && (req.tif == TimeInForce::GTC || req.tif == TimeInForce::GTX), now_ms, out.fills);
  after_change({req.account}, now_ms);
  out.order = placed;
  return std::nullopt;
}

std::optional<ApiError> UsdmExchange::set_leverage(const std::string& name, int64_t leverage, int64_t now_ms,
                                                   const std::string& symbol) {
  if (leverage < 1 || leverage > kMaxLeverage)
    return reject(-4028, "Leverage " + std::to_string(leverage) + " is not valid");
  Position& p = position_of(name, symbol);
  p.leverage = static_cast<int>(leverage);
  touch_account(name, now_ms);
  if (account_sink_) {
    AccountUpdate u;
    u.kind = AccountUpdate::Kind::Config;
    u.account = name;
    u.time_ms = now_ms;
    u.position = p;
    account_sink_(u);
  }
  return std::nullopt;
}

std::optional<ApiError> UsdmExchange::set_margin_type(const std::string& name, bool isolated, int64_t now_ms,
                                                      const std::string& symbol) {
  Position& p = position_of(name, symbol);
  if (p.isolated == isolated) return reject(-4046, "No need to change margin type.");
  for (const Order& o : open_orders(name))
    if (o.symbol == p.symbol) return reject(-4047, "Margin type cannot be changed if there exists open orders.");
  if (p.amount != 0) return reject(-4048, "Margin type cannot be changed if there exists position.");
  p.isolated = isolated;
  touch_account(name, now_ms);
  emit_account(name, p.symbol, now_ms, "MARGIN_TYPE_CHANGE");
  return std::nullopt;
}

}  // namespace tradehost::exchange_sim
