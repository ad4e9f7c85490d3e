#include "spot_exchange.hpp"

#include <tradehost/fixed.hpp>

#include <stdexcept>

namespace tradehost::exchange_sim {

namespace {

ApiError filter_failure(const char* filter) { return {400, -1013, std::string("Filter failure: ") + filter}; }

ApiError order_rejected(const char* msg) { return {400, -2010, msg}; }

}  // namespace

SpotExchange::SpotExchange(CandleSeries series, SymbolRules rules, MarketModel model, size_t start_index)
    : MatchingEngine(std::move(series), std::move(rules), model, start_index) {}

SpotExchange::SpotExchange(std::unique_ptr<MarketSource> market, std::vector<SymbolRules> symbols, MarketModel model)
    : MatchingEngine(std::move(market), std::move(symbols), model) {}

void SpotExchange::add_account(const std::string& name, const std::map<std::string, int64_t>& balances) {
  std::map<std::string, Balance> b;
  for (const auto& [asset, amount] : balances) b[asset].free = amount;
  // Both assets of every symbol always appear in /api/v3/account, as on Binance once funded.
  for (const SymbolRules& r : symbols()) {
    b[r.base_asset];
    b[r.quote_asset];
  }
  balances_[name] = std::move(b);
  open_account(name);
}

std::map<std::string, Balance>& SpotExchange::wallet(const std::string& name) {
  auto it = balances_.find(name);
  if (it == balances_.end()) throw std::invalid_argument("unknown account " + name);
  return it->second;
}

const std::map<std::string, Balance>& SpotExchange::balances(const std::string& name) const {
  auto it = balances_.find(name);
  if (it == balances_.end()) throw std::invalid_argument("unknown account " + name);
  return it->second;
}

int64_t SpotExchange::commission(int64_t qty, int64_t quote_qty, Side side, bool maker) const {
  int64_t bps = maker ? model().maker_bps : model().taker_bps;
  int64_t out = 0;
  // Charged in the received asset; Ceil so the simulator never undercharges by a rounding.
  mul_div(side == Side::Buy ? qty : quote_qty, bps, 10000, Rounding::Ceil, out);
  return out;
}

void SpotExchange::settle(Order& order, Fill& fill) {
  const SymbolRules& r = rules(order.symbol);
  auto& w = wallet(order.account);
  Balance& base = w[r.base_asset];
  Balance& quote = w[r.quote_asset];
  moved_[order.account].insert(order.symbol);
  fill.commission = commission(fill.qty, fill.quote_qty, order.side, fill.is_maker);
  fill.commission_asset = order.side == Side::Buy ? r.base_asset : r.quote_asset;
  const bool holds_lock = order.type != OrderType::Market;
  if (order.side == Side::Buy) {
    if (holds_lock) {
      // The lock was taken at the limit price; a taker fill at a better price gives the rest back.
      int64_t unlock = quote_of(order.price, fill.qty);
      quote.locked -= unlock;
      order.locked -= unlock;
      quote.free += unlock - fill.quote_qty;
    } else {
      quote.free -= fill.quote_qty;
    }
    base.free += fill.qty - fill.commission;
  } else {
    if (holds_lock) {
      base.locked -= fill.qty;
      order.locked -= fill.qty;
    } else {
      base.free -= fill.qty;
    }
    quote.free += fill.quote_qty - fill.commission;
  }
}

void SpotExchange::release(Order& order) {
  moved_[order.account].insert(order.symbol);
  if (order.locked <= 0) return;
  const SymbolRules& r = rules(order.symbol);
  Balance& held = wallet(order.account)[order.side == Side::Buy ? r.quote_asset : r.base_asset];
  held.locked -= order.locked;
  held.free += order.locked;
  order.locked = 0;
}

void SpotExchange::after_change(const std::set<std::string>& accounts, int64_t now_ms) {
  for (const auto& name : accounts) {
    UserEvent e;
    e.kind = UserEvent::Kind::AccountPosition;
    e.account = name;
    e.time_ms = now_ms;
    const auto& w = balances(name);
    // The assets of the symbols whose orders moved them, base then quote of each.
    std::set<std::string> symbols = std::move(moved_[name]);
    moved_.erase(name);
    if (symbols.empty()) symbols.insert(rules().symbol);
    std::set<std::string> listed;
    for (const std::string& symbol : symbols) {
      const SymbolRules& r = rules(symbol);
      for (const auto* asset : {&r.base_asset, &r.quote_asset}) {
        if (!listed.insert(*asset).second) continue;
        const Balance& b = w.at(*asset);
        e.balances.push_back({*asset, b.free, b.locked});
      }
    }
    emit(std::move(e));
  }
}

std::optional<ApiError> SpotExchange::place_order(const NewOrder& req, int64_t now_ms, Placement& out) {
  auto& w = wallet(req.account);
  const SymbolRules& r = rules(req.symbol);
  const bool is_limit = req.type != OrderType::Market;
  const bool by_quote = req.type == OrderType::Market && req.quote_order_qty > 0;
  // A bound of 0 is no bound (filters.md).
  auto outside = [](int64_t v, int64_t min, int64_t max, int64_t step) {
    return v < min || (max > 0 && v > max) || (step > 0 && v % step != 0);
  };

  // Filters, in the order exchangeInfo lists them (filters.md).
  if (is_limit && outside(req.price, r.min_price, r.max_price, r.tick_size)) return filter_failure("PRICE_FILTER");
  if (!by_quote && outside(req.qty, r.min_qty, r.max_qty, r.step_size)) return filter_failure("LOT_SIZE");
  // NOTIONAL: MARKET orders are valued at the last price (avgPriceMins 0 in exchangeInfo);
  // applyMinToMarket true, applyMaxToMarket false. The recorded MIN_NOTIONAL filter: the same
  // minimum, applyToMarket, no maximum.
  int64_t notional = by_quote ? req.quote_order_qty : quote_of(is_limit ? req.price : last_price(r.symbol), req.qty);
  if ((notional < r.min_notional && (is_limit || r.min_notional_to_market)) ||
      (is_limit && r.max_notional > 0 && notional > r.max_notional))
    return filter_failure(r.notional_filter.c_str());
  if (r.market_lot_size && !is_limit && !by_quote &&
      outside(req.qty, r.market_min_qty, r.market_max_qty, r.market_step_size))
    return filter_failure("MARKET_LOT_SIZE");
  if (static_cast<int>(open_orders(req.account).size()) >= r.max_num_orders) return filter_failure("MAX_NUM_ORDERS");
  if (!req.client_order_id.empty() && client_order_id_open(req.account, req.client_order_id))
    return order_rejected("Duplicate order sent.");
  if (req.type == OrderType::LimitMaker && crosses(r.symbol, req.side, req.price))
    return order_rejected("Order would immediately match and take.");

  // What the order would take from the book on arrival.
  std::vector<Level> takes;
  if (req.type != OrderType::LimitMaker)
    takes = book_takes(r.symbol, req.side, is_limit ? req.price : 0, req.qty, by_quote ? req.quote_order_qty : 0);
  int64_t take_qty = 0, take_quote = 0;
  for (const Level& l : takes) take_qty += l.qty, take_quote += quote_of(l.price, l.qty);
  const int64_t order_qty = by_quote ? take_qty : req.qty;
  if (by_quote && order_qty < r.min_qty) return filter_failure("LOT_SIZE");
  if (is_limit && req.tif == TimeInForce::FOK && take_qty < order_qty) takes.clear();

  // Balance: a LIMIT order locks its whole value at its own price; a MARKET order pays as it fills.
  Balance& base = w[r.base_asset];
  Balance& quote = w[r.quote_asset];
  int64_t need = 0;
  if (req.side == Side::Buy)
    need = is_limit ? quote_of(req.price, order_qty) : take_quote;
  else
    need = order_qty;
  Balance& source = req.side == Side::Buy ? quote : base;
  if (source.free < need) return order_rejected("Account has insufficient balance for requested action.");

  Order order;
  order.account = req.account;
  order.symbol = r.symbol;
  order.client_order_id = req.client_order_id;
  order.side = req.side;
  order.type = req.type;
  order.tif = req.type == OrderType::Market ? TimeInForce::GTC : req.tif;
  order.price = is_limit ? req.price : 0;
  order.orig_qty = order_qty;
  order.orig_quote_qty = by_quote ? req.quote_order_qty : 0;
  if (is_limit) {
    order.locked = need;
    source.free -= need;
    source.locked += need;
  }
  Order& placed = accept(std::move(order), now_ms);
  out.accepted = placed;
  take(placed, takes, is_limit && req.tif == TimeInForce::GTC, now_ms, out.fills);
  moved_[req.account].insert(r.symbol);
  after_change({req.account}, now_ms);
  out.order = placed;
  return std::nullopt;
}

}  // namespace tradehost::exchange_sim
