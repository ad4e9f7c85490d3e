// matching_engine.hpp -- what the spot and the USDⓈ-M futures simulators share: the symbols and
// their rules, a market (market_source.hpp: the recorded candles with a synthetic book, or recorded
// Binance captures) as a clock, the order store, and the rules by which orders meet that market.
// Accounting (balances, locks, positions, fees) belongs to the venue classes built on it
// (SpotExchange, UsdmExchange). No networking, no JSON.
//
// Order rules, the same for every market (README.md "Market model and matching rules" and
// "Capture mode" are the user-facing versions; the markets say what they offer):
// - Takers (MARKET orders, LIMIT orders whose price crosses the book on arrival) walk the market's
//   book level by level (MarketSource::liquidity).
// - Resting LIMIT orders are makers. When the clock steps, the market offers liquidity
//   (a candle's range, a recorded trade, a recorded book that moved): a BUY at p takes from levels
//   priced strictly below p, a SELL at p from levels strictly above p -- a trade *through* the
//   price; a touch is not enough, as the order's queue position is unknown. The levels' quantities
//   are handed out in price then time priority; an order that gets less stays PARTIALLY_FILLED for
//   later steps. Fills are at the order's price.
//   Candle mode: each side of the next candle, low for BUY and high for SELL, with at most
//   floor(volume * fill_volume_bps / 10000) to the lot step (CandleMarket).
// - Conditional orders are not the engine's: USDⓈ-M keeps them as algo orders apart from the
//   book (usdm_algo_orders.cpp), held against the step's trade prices in after_step(), and a
//   triggered one places an ordinary MARKET or LIMIT order here.
#ifndef TRADEHOST_EXCHANGE_SIM_MATCHING_ENGINE_HPP
#define TRADEHOST_EXCHANGE_SIM_MATCHING_ENGINE_HPP

#include "candle_series.hpp"
#include "market_source.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tradehost::exchange_sim {

enum class Side { Buy, Sell };
/// LIMIT_MAKER is spot's post-only type. (USDⓈ-M's conditional types are algo orders,
/// usdm_algo_order.hpp.)
enum class OrderType { Limit, Market, LimitMaker };
/// GTX ("Good Till Crossing", post-only) exists on USDⓈ-M only.
enum class TimeInForce { GTC, IOC, FOK, GTX };
enum class OrderStatus { New, PartiallyFilled, Filled, Canceled, Expired };
/// Execution types of executionReport "x" and ORDER_TRADE_UPDATE "x".
enum class ExecutionType { New, Trade, Canceled, Expired };

const char* to_string(Side s);
const char* to_string(OrderType t);
const char* to_string(TimeInForce t);
const char* to_string(OrderStatus s);
const char* to_string(ExecutionType x);

/// An error the API returns as {"code":..,"msg":..} with an HTTP status (errors.md).
struct ApiError {
  int http_status = 400;
  int code = 0;
  std::string msg;
};

/// Trading rules of a symbol; what exchangeInfo publishes and order placement enforces. All
/// amounts at kScale. The defaults are spot BTCUSDT's; usdm_symbol_rules() has the futures ones,
/// load_capture() reads a recording's. A bound of 0 is no bound (filters.md: "Any of the above
/// variables can be set to 0, which disables that rule").
struct SymbolRules {
  std::string symbol = "BTCUSDT";
  std::string base_asset = "BTC";
  std::string quote_asset = "USDT";
  int64_t min_price = 1000000;              ///< PRICE_FILTER minPrice 0.01
  int64_t max_price = 100000000000000;      ///< PRICE_FILTER maxPrice 1000000.00
  int64_t tick_size = kTickSize;            ///< PRICE_FILTER tickSize 0.01
  int64_t min_qty = 1000;                   ///< LOT_SIZE minQty 0.00001
  int64_t max_qty = 900000000000;           ///< LOT_SIZE maxQty 9000
  int64_t step_size = 1000;                 ///< LOT_SIZE stepSize 0.00001
  int64_t market_min_qty = 1000;            ///< MARKET_LOT_SIZE minQty (USDⓈ-M only)
  int64_t market_max_qty = 900000000000;    ///< MARKET_LOT_SIZE maxQty (USDⓈ-M only)
  int64_t market_step_size = 0;             ///< MARKET_LOT_SIZE stepSize (spot with market_lot_size)
  /// Spot: MARKET orders by quantity also pass MARKET_LOT_SIZE (the recorded symbols list it).
  bool market_lot_size = false;
  int64_t min_notional = 500000000;         ///< NOTIONAL minNotional / MIN_NOTIONAL notional: 5
  int64_t max_notional = 900000000000000;   ///< NOTIONAL maxNotional 9000000 (spot only; 0: none)
  /// Spot: the filter min_notional comes from, as -1013 names it: NOTIONAL, or MIN_NOTIONAL in
  /// exchangeInfo of before 2023 (the recorded one).
  std::string notional_filter = "NOTIONAL";
  bool min_notional_to_market = true;       ///< NOTIONAL applyMinToMarket / MIN_NOTIONAL applyToMarket
  int max_num_orders = 200;                 ///< MAX_NUM_ORDERS
  int price_precision = 8;  ///< decimals prices are printed with (spot 8; USDⓈ-M pricePrecision)
  int qty_precision = 8;    ///< decimals quantities are printed with (USDⓈ-M quantityPrecision)
};

/// Knobs of the market model; see the file comment.
struct MarketModel {
  int64_t level_qty = 200000000;  ///< base quantity shown at each synthetic book level (2 BTC)
  int book_levels = 100;          ///< synthetic levels each side; depth endpoints cap their limit here
  int64_t fill_volume_bps = 10000;  ///< share of a candle's volume resting orders may fill per side
  int64_t maker_bps = 10;         ///< maker fee in basis points (10 = 0.1%)
  int64_t taker_bps = 10;         ///< taker fee in basis points
};

/// One fill of one of our orders (a myTrades / userTrades row).
struct Fill {
  std::string symbol;
  int64_t trade_id = 0;
  int64_t order_id = 0;
  int64_t price = 0;
  int64_t qty = 0;
  int64_t quote_qty = 0;
  int64_t commission = 0;
  std::string commission_asset;
  int64_t realized_pnl = 0;  ///< USDⓈ-M: profit this fill realized on the position, before fees
  int64_t time_ms = 0;
  bool is_buyer = false;
  bool is_maker = false;
};

/// An order and everything the order endpoints report about it. Amounts at kScale.
struct Order {
  std::string account;
  std::string symbol;
  int64_t order_id = 0;
  std::string client_order_id;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce tif = TimeInForce::GTC;
  int64_t price = 0;  ///< 0 for MARKET
  int64_t orig_qty = 0;
  int64_t orig_quote_qty = 0;  ///< spot: quoteOrderQty of a MARKET order, else 0
  int64_t executed_qty = 0;
  int64_t cumm_quote_qty = 0;
  OrderStatus status = OrderStatus::New;
  int64_t time_ms = 0;          ///< creation (transactTime)
  int64_t update_time_ms = 0;
  int64_t working_time_ms = -1;  ///< when it went on the book; -1 if it never did
  int64_t locked = 0;  ///< spot: what the order still holds locked (quote for BUY LIMIT, base for SELL)
  bool reduce_only = false;  ///< USDⓈ-M

  bool is_open() const { return status == OrderStatus::New || status == OrderStatus::PartiallyFilled; }
  /// Average fill price (cumulative quote / executed quantity, rounded down), 0 before any fill.
  int64_t avg_price() const;
};

/// An order change for one account, or (spot) the balances after it, in the order they happened;
/// the user data stream renders them (executionReport / outboundAccountPosition on spot,
/// ORDER_TRADE_UPDATE on USDⓈ-M, whose ACCOUNT_UPDATE comes from UsdmExchange).
struct UserEvent {
  enum class Kind { Execution, AccountPosition } kind = Kind::Execution;
  std::string account;
  int64_t time_ms = 0;
  int64_t event_id = 0;  ///< grows by one per event; executionReport "I" (an id the docs say to ignore)
  // Execution:
  Order order;                       ///< snapshot after this change
  ExecutionType exec = ExecutionType::New;
  std::optional<Fill> fill;          ///< for ExecutionType::Trade
  std::string orig_client_order_id;  ///< for a cancel: the order's own id ("C"); "c" is the cancel's
  std::string cancel_client_order_id;
  // AccountPosition (spot): balances after the change, of the assets the change touched.
  struct Asset {
    std::string asset;
    int64_t free = 0;
    int64_t locked = 0;
  };
  std::vector<Asset> balances;
};

/// A new-order request after the REST layer parsed and type-checked it. Amounts at kScale.
struct NewOrder {
  std::string account;
  std::string symbol;  ///< empty: the engine's first symbol
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce tif = TimeInForce::GTC;
  int64_t qty = 0;            ///< 0 when quote_order_qty (spot) is used
  int64_t quote_order_qty = 0;  ///< spot MARKET only
  int64_t price = 0;          ///< LIMIT / LIMIT_MAKER only
  std::string client_order_id;  ///< empty: generated
  bool reduce_only = false;  ///< USDⓈ-M
};

/// Result of placing an order: the order as it stands after matching, as it was when accepted
/// (before any fill: what a USDⓈ-M ACK response shows) and the fills it took.
struct Placement {
  Order order;
  Order accepted;
  std::vector<Fill> fills;
};

class CandleMarket;
class CaptureMarket;

/// The symbols, the market clock and the order store. Not thread-safe: the server calls it from
/// its one io_context thread.
class MatchingEngine {
 public:
  /// Candle mode, one symbol: the candle file as a CandleMarket whose synthetic book follows
  /// `rules` (tick, lot step) and `model`. `start_index`: the candle that has "already happened"
  /// when the simulator starts (its close sets the first book). `foreign_updates_per_step`: book
  /// update ids each clock step skips before its own one, standing for other symbols' updates
  /// where ids are global across symbols (0 on spot). Throws std::out_of_range when `start_index`
  /// is not an index of `series`.
  MatchingEngine(CandleSeries series, SymbolRules rules, MarketModel model, size_t start_index,
                 int64_t foreign_updates_per_step = 0);
  /// Any market, any number of symbols (`symbols` must not be empty; the first is the one calls
  /// without a symbol mean). Throws std::invalid_argument when `symbols` is empty.
  MatchingEngine(std::unique_ptr<MarketSource> market, std::vector<SymbolRules> symbols, MarketModel model);
  virtual ~MatchingEngine() = default;
  MatchingEngine(const MatchingEngine&) = delete;
  MatchingEngine& operator=(const MatchingEngine&) = delete;
  /// Movable while nothing holds a reference into it (the sinks' owners capture the engine).
  MatchingEngine(MatchingEngine&&) = default;
  MatchingEngine& operator=(MatchingEngine&&) = default;

  bool has_account(const std::string& account) const { return accounts_.count(account) != 0; }

  /// Receives every UserEvent as it happens (the server forwards them to listenKey streams).
  void on_user_event(std::function<void(const UserEvent&)> sink) { user_sink_ = std::move(sink); }
  /// Receives every MarketEvent as the clock steps.
  void on_market_event(std::function<void(const MarketEvent&)> sink) { market_sink_ = std::move(sink); }

  /// Cancels an open order found by order id (preferred when both are given) or client order id.
  /// `cancel_client_order_id` names the cancel; when empty one is generated and written back.
  /// -2011 "Unknown order sent." when no open order matches (Binance answers the same for a
  /// filled or already canceled order).
  std::optional<ApiError> cancel_order(const std::string& account, std::optional<int64_t> order_id,
                                       const std::string& orig_client_order_id,
                                       std::string& cancel_client_order_id, int64_t now_ms, Order& out);

  /// The order (open or not) by id, or by client order id (the newest order that used it).
  const Order* find_order(const std::string& account, std::optional<int64_t> order_id,
                          const std::string& client_order_id) const;
  /// Open orders of the account in order id order.
  std::vector<Order> open_orders(const std::string& account) const;
  /// Every order the account ever placed (open or not), in order id order.
  std::vector<Order> all_orders(const std::string& account) const;
  /// Fills of the account in trade id order.
  const std::vector<Fill>& trades(const std::string& account) const;
  int64_t account_update_time(const std::string& account) const;

  /// Steps the market clock up to `steps` steps (candles, or recorded frames) at server time
  /// `now_ms`, matching resting orders against each step, then after_step().
  /// Returns how many steps were taken (fewer at the market's end).
  size_t advance(size_t steps, int64_t now_ms);

  /// Candle mode only (std::logic_error otherwise): the clock's candle and the candle file.
  const Candle& current_candle() const;
  const CandleSeries& series() const;
  /// Steps taken so far: the clock's candle index, or the number of frames replayed.
  size_t current_index() const { return market_->position(); }
  const MarketSource& market() const { return *market_; }
  /// The capture market in capture mode, else nullptr.
  const CaptureMarket* capture() const;

  /// The first symbol's rules; rules(symbol) any symbol's (std::invalid_argument when unknown);
  /// find_rules(symbol) nullptr when unknown.
  const SymbolRules& rules() const { return symbols_.front(); }
  const SymbolRules& rules(const std::string& symbol) const;
  const SymbolRules* find_rules(const std::string& symbol) const;
  const std::vector<SymbolRules>& symbols() const { return symbols_; }
  const MarketModel& model() const { return model_; }

  /// Best bid / ask of the first symbol, or of `symbol` (0 when that side is empty).
  int64_t best_bid() const { return best_bid(rules().symbol); }
  int64_t best_ask() const { return best_ask(rules().symbol); }
  int64_t best_bid(const std::string& symbol) const { return market_->best(symbol, BookSide::Bid); }
  int64_t best_ask(const std::string& symbol) const { return market_->best(symbol, BookSide::Ask); }
  /// Price of the last trade (candle mode: the close of the clock's candle).
  int64_t last_price() const { return last_price(rules().symbol); }
  int64_t last_price(const std::string& symbol) const { return market_->last_price(symbol); }
  /// Id of the last book change; depth snapshots' lastUpdateId and bookTicker "u".
  int64_t book_update_id() const { return book_update_id(rules().symbol); }
  int64_t book_update_id(const std::string& symbol) const { return market_->book_update_id(symbol); }
  /// The published book of `symbol`: up to `depth` levels of `side`, best first.
  std::vector<BookLevel> book(const std::string& symbol, BookSide side, size_t depth) const {
    return market_->book(symbol, side, depth);
  }

 protected:
  using Level = BookLevel;

  /// Creates (or resets) the order and trade lists of an account.
  void open_account(const std::string& account);
  void touch_account(const std::string& account, int64_t now_ms);

  /// The levels a taker on `side` of `symbol` takes from the book on arrival: up to `qty` (or,
  /// when `quote_budget` > 0, as much as that quote amount buys, floored to the lot step), never
  /// past `limit_price` (0: no limit) and never deeper than the market's book. Without `symbol`:
  /// the first symbol.
  std::vector<Level> book_takes(const std::string& symbol, Side side, int64_t limit_price, int64_t qty,
                                int64_t quote_budget) const;
  std::vector<Level> book_takes(Side side, int64_t limit_price, int64_t qty, int64_t quote_budget) const {
    return book_takes(rules().symbol, side, limit_price, qty, quote_budget);
  }
  /// Whether a LIMIT order at `price` would take liquidity on arrival.
  bool crosses(const std::string& symbol, Side side, int64_t price) const;
  bool crosses(Side side, int64_t price) const { return crosses(rules().symbol, side, price); }
  /// Whether an open order of the account uses `client_order_id`.
  bool client_order_id_open(const std::string& account, const std::string& client_order_id) const;

  /// Stores a new order (id assigned, client order id generated when empty, symbol defaulted to
  /// the first one, times set) and emits its NEW execution. The reference stays valid for the
  /// engine's lifetime.
  Order& accept(Order order, int64_t now_ms);
  /// Takes `levels` as a taker, each fill emitted as a TRADE (and taken off the market's book);
  /// then expires the rest unless the order `rests` on the book and may still fill (see
  /// fillable()).
  void take(Order& order, const std::vector<Level>& levels, bool rests, int64_t now_ms, std::vector<Fill>& fills);
  /// Books one fill: settle() moves the money, the order and the trade list are updated, the
  /// TRADE execution is emitted.
  Fill fill(Order& order, int64_t price, int64_t qty, bool maker, int64_t now_ms);
  /// Ends an open order as EXPIRED (release() first) and emits it.
  void expire(Order& order, int64_t now_ms);
  void emit(UserEvent e);
  void emit_execution(const Order& order, ExecutionType exec, int64_t now_ms,
                      const std::optional<Fill>& fill = std::nullopt);

  /// Venue accounting for one fill: commission (and its asset), balances or position, realized
  /// PnL, what the order holds. Called before the order's executed quantities are updated.
  virtual void settle(Order& order, Fill& fill) = 0;
  /// Gives back what an order holds while it is open (spot locks); called when it leaves the book.
  virtual void release(Order&) {}
  /// How much of the order may fill now. The default is what is left of it; USDⓈ-M reduce-only
  /// orders are further held to the position they reduce.
  virtual int64_t fillable(const Order& order) const { return order.orig_qty - order.executed_qty; }
  /// Called once after a placement, a cancel or a clock step with the accounts it touched, so the
  /// venue can push its account event.
  virtual void after_change(const std::set<std::string>& accounts, int64_t now_ms) = 0;
  /// Called on every clock step once the step's resting orders were matched, before
  /// after_change(), with the step and the accounts it touched so far (add any it touches): what
  /// watches the prices the step traded at runs here (USDⓈ-M algo orders).
  virtual void after_step(const MarketStep& /*step*/, int64_t /*now_ms*/, std::set<std::string>& /*touched*/) {}

 private:
  struct Account {
    std::vector<int64_t> order_ids;
    std::vector<Fill> trades;
    int64_t update_time_ms = 0;
  };

  const Account& account(const std::string& name) const;
  const CandleMarket& candles() const;
  std::string generate_client_order_id();
  /// Resting orders of `liquidity`'s symbol on the side it fills take from it; `from_book`: the
  /// levels are the market's book, so what they take is taken off it.
  void match_resting(const Liquidity& liquidity, bool from_book, int64_t now_ms, std::set<std::string>& touched);

  std::map<int64_t, Order> orders_;  // by order id; ids grow, so map order is time order
  std::unique_ptr<MarketSource> market_;
  std::vector<SymbolRules> symbols_;
  MarketModel model_;
  std::map<std::string, Account> accounts_;
  int64_t next_order_id_ = 1;
  int64_t next_trade_id_ = 1;
  int64_t next_agg_trade_id_ = 1;
  uint64_t generated_ids_ = 0;
  int64_t next_event_id_ = 1;
  std::function<void(const UserEvent&)> user_sink_;
  std::function<void(const MarketEvent&)> market_sink_;
};

/// price * qty at kScale, rounded toward zero. Exact for prices on the tick and quantities on the
/// step. Throws std::overflow_error when it does not fit.
int64_t quote_of(int64_t price, int64_t qty);

}  // namespace tradehost::exchange_sim

#endif
