// matching_engine.hpp -- what the spot and the USDⓈ-M futures simulators share: one symbol, the
// recorded candles as a market clock, the synthetic book around the last close, the order store,
// and the rules by which orders meet that market. Accounting (balances, locks, positions, fees)
// belongs to the venue classes built on it (SpotExchange, UsdmExchange). No networking, no JSON.
//
// Market model (README.md "Market model and matching rules" is the user-facing version):
// - The clock points at one candle of the file, the last one that has "happened". Its close sets
//   a synthetic book: best bid = close, best ask = close + one tick, then `book_levels` levels each
//   side one tick apart, each holding `level_qty`. The book is regenerated on every request, so
//   takers never deplete it.
// - Takers (MARKET orders, LIMIT orders whose price crosses the book on arrival) walk that book
//   level by level.
// - Resting LIMIT orders are makers. When the clock steps to the next candle, a BUY at p fills if
//   that candle's low < p and a SELL at p fills if its high > p (a trade *through* the price; a
//   touch is not enough, as the order's queue position is unknown). Each side of the candle can
//   fill at most floor(volume * fill_volume_bps / 10000) to the lot step, handed out in price then
//   time priority; the rest stays PARTIALLY_FILLED for later candles. Fills are at the order's price.
// - Conditional orders (STOP_MARKET, TAKE_PROFIT_MARKET; USDⓈ-M only) trigger on a candle that
//   reaches their stop price: STOP BUY and TAKE_PROFIT SELL when high >= stop, STOP SELL and
//   TAKE_PROFIT BUY when low <= stop (the USDⓈ-M "New Order" trigger rules, on the candle's range).
//   They fill completely as takers at the stop price, or at the candle's open when the candle
//   opened beyond it, before the candle's resting LIMIT orders are matched.
#ifndef TRADEHOST_EXCHANGE_SIM_MATCHING_ENGINE_HPP
#define TRADEHOST_EXCHANGE_SIM_MATCHING_ENGINE_HPP

#include "candle_series.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tradehost::exchange_sim {

enum class Side { Buy, Sell };
/// LIMIT_MAKER is spot's post-only type; STOP_MARKET and TAKE_PROFIT_MARKET are USDⓈ-M's.
enum class OrderType { Limit, Market, LimitMaker, StopMarket, TakeProfitMarket };
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

/// Trading rules of the one symbol; what exchangeInfo publishes and order placement enforces. All
/// amounts at kScale. The defaults are spot BTCUSDT's; usdm_symbol_rules() has the futures ones.
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
  int64_t min_notional = 500000000;         ///< NOTIONAL minNotional / MIN_NOTIONAL notional: 5
  int64_t max_notional = 900000000000000;   ///< NOTIONAL maxNotional 9000000 (spot only)
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
  int64_t order_id = 0;
  std::string client_order_id;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce tif = TimeInForce::GTC;
  int64_t price = 0;  ///< 0 for MARKET and the conditional types
  int64_t orig_qty = 0;  ///< 0 for a closePosition order until it triggers
  int64_t orig_quote_qty = 0;  ///< spot: quoteOrderQty of a MARKET order, else 0
  int64_t executed_qty = 0;
  int64_t cumm_quote_qty = 0;
  OrderStatus status = OrderStatus::New;
  int64_t time_ms = 0;          ///< creation (transactTime)
  int64_t update_time_ms = 0;
  int64_t working_time_ms = -1;  ///< when it went on the book; -1 if it never did
  int64_t locked = 0;  ///< spot: what the order still holds locked (quote for BUY LIMIT, base for SELL)
  // USDⓈ-M:
  int64_t stop_price = 0;      ///< STOP_MARKET / TAKE_PROFIT_MARKET trigger price
  bool reduce_only = false;
  bool close_position = false;  ///< closes whatever position there is when it triggers
  bool triggered = false;       ///< a conditional order that has triggered (it then trades as MARKET)

  bool is_open() const { return status == OrderStatus::New || status == OrderStatus::PartiallyFilled; }
  bool is_conditional() const { return type == OrderType::StopMarket || type == OrderType::TakeProfitMarket; }
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

/// What one clock step did to the market: the candle that just closed and the book it left.
struct MarketEvent {
  Candle candle;
  int64_t time_ms = 0;          ///< server time of the step
  int64_t first_update_id = 0;  ///< depth update ids this step consumed (U..u of depthUpdate)
  int64_t last_update_id = 0;
  int64_t prev_last_update_id = 0;  ///< u of the previous step: USDⓈ-M depthUpdate "pu"
  int64_t agg_trade_id = 0;     ///< the one aggregate trade that stands for the candle
  int64_t trade_id = 0;
  int64_t prev_best_bid = 0;    ///< book before the step, so a depth diff can remove old levels
  int64_t prev_best_ask = 0;
};

/// A new-order request after the REST layer parsed and type-checked it. Amounts at kScale.
struct NewOrder {
  std::string account;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce tif = TimeInForce::GTC;
  int64_t qty = 0;            ///< 0 when quote_order_qty (spot) or close_position (USDⓈ-M) is used
  int64_t quote_order_qty = 0;  ///< spot MARKET only
  int64_t price = 0;          ///< LIMIT / LIMIT_MAKER only
  std::string client_order_id;  ///< empty: generated
  // USDⓈ-M:
  int64_t stop_price = 0;
  bool reduce_only = false;
  bool close_position = false;
};

/// Result of placing an order: the order as it stands after matching, as it was when accepted
/// (before any fill: what a USDⓈ-M ACK response shows) and the fills it took.
struct Placement {
  Order order;
  Order accepted;
  std::vector<Fill> fills;
};

/// The market clock, synthetic book and order store. Not thread-safe: the server calls it from its
/// one io_context thread.
class MatchingEngine {
 public:
  /// `start_index`: the candle that has "already happened" when the simulator starts (its close
  /// sets the first book). `foreign_updates_per_step`: book update ids each clock step skips before
  /// its own one, standing for other symbols' updates where ids are global across symbols (0 on
  /// spot). Throws std::out_of_range when `start_index` is not an index of `series`.
  MatchingEngine(CandleSeries series, SymbolRules rules, MarketModel model, size_t start_index,
                 int64_t foreign_updates_per_step = 0);
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
  /// Fills of the account in trade id order.
  const std::vector<Fill>& trades(const std::string& account) const;
  int64_t account_update_time(const std::string& account) const;

  /// Steps the market clock up to `candles` candles at server time `now_ms`, triggering
  /// conditional orders and matching resting orders against each new candle. Returns how many
  /// steps were taken (fewer at the file's end).
  size_t advance(size_t candles, int64_t now_ms);

  const Candle& current_candle() const { return series_.candles[index_]; }
  size_t current_index() const { return index_; }
  const CandleSeries& series() const { return series_; }
  const SymbolRules& rules() const { return rules_; }
  const MarketModel& model() const { return model_; }
  int64_t best_bid() const { return current_candle().close; }
  int64_t best_ask() const { return current_candle().close + rules_.tick_size; }
  /// Price of the last trade: the close of the clock's candle.
  int64_t last_price() const { return current_candle().close; }
  /// Id of the last book change; depth snapshots' lastUpdateId and bookTicker "u".
  int64_t book_update_id() const { return book_update_id_; }

 protected:
  struct Level {
    int64_t price;
    int64_t qty;
  };

  /// Creates (or resets) the order and trade lists of an account.
  void open_account(const std::string& account);
  void touch_account(const std::string& account, int64_t now_ms);

  /// The levels a taker on `side` takes from the book on arrival: up to `qty` (or, when
  /// `quote_budget` > 0, as much as that quote amount buys, floored to the lot step), never past
  /// `limit_price` (0: no limit) and never deeper than `book_levels`.
  std::vector<Level> book_takes(Side side, int64_t limit_price, int64_t qty, int64_t quote_budget) const;
  /// Whether a LIMIT order at `price` would take liquidity on arrival.
  bool crosses(Side side, int64_t price) const;
  /// Whether an open order of the account uses `client_order_id`.
  bool client_order_id_open(const std::string& account, const std::string& client_order_id) const;

  /// Stores a new order (id assigned, client order id generated when empty, times set) and
  /// emits its NEW execution. The reference stays valid for the engine's lifetime.
  Order& accept(Order order, int64_t now_ms);
  /// Takes `levels` as a taker, each fill emitted as a TRADE; then expires the rest unless the
  /// order `rests` on the book and may still fill (see fillable()).
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
  /// Called on every clock step once the new candle's orders were matched, before after_change(),
  /// with the accounts the step touched so far (add any it touches): what watches the new last
  /// price runs here (USDⓈ-M algo orders).
  virtual void after_step(int64_t /*now_ms*/, std::set<std::string>& /*touched*/) {}

 private:
  struct Account {
    std::vector<int64_t> order_ids;
    std::vector<Fill> trades;
    int64_t update_time_ms = 0;
  };

  const Account& account(const std::string& name) const;
  std::string generate_client_order_id();
  void trigger_conditional(const Candle& candle, int64_t now_ms, std::set<std::string>& touched);
  void match_resting(const Candle& candle, int64_t now_ms, std::set<std::string>& touched);

  std::map<int64_t, Order> orders_;  // by order id; ids grow, so map order is time order
  CandleSeries series_;
  SymbolRules rules_;
  MarketModel model_;
  size_t index_ = 0;
  int64_t foreign_updates_per_step_ = 0;
  std::map<std::string, Account> accounts_;
  int64_t next_order_id_ = 1;
  int64_t next_trade_id_ = 1;
  int64_t next_agg_trade_id_ = 1;
  int64_t book_update_id_ = 1;
  uint64_t generated_ids_ = 0;
  int64_t next_event_id_ = 1;
  std::function<void(const UserEvent&)> user_sink_;
  std::function<void(const MarketEvent&)> market_sink_;
};

/// Whether a conditional order of this type and side waits for the price to rise to its stop
/// (STOP BUY, TAKE_PROFIT SELL) rather than to fall to it.
inline bool triggers_on_rise(OrderType type, Side side) { return (type == OrderType::StopMarket) == (side == Side::Buy); }

/// price * qty at kScale, rounded toward zero. Exact for prices on the tick and quantities on the
/// step. Throws std::overflow_error when it does not fit.
int64_t quote_of(int64_t price, int64_t qty);

}  // namespace tradehost::exchange_sim

#endif
