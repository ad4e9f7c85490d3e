// spot_exchange.hpp -- the simulator's matching engine: one symbol (BTCUSDT), accounts with
// balances, orders, fills, and a market clock that replays recorded candles. No networking and no
// JSON here: the REST and WebSocket layers call in and render what comes out.
//
// Market model (README.md "Matching rules" is the user-facing version of this):
// - The market clock points at one candle of the file, the last one that has "happened". Its close
//   sets a synthetic book: best bid = close, best ask = close + one tick (0.01), then `book_levels`
//   levels each side one tick apart, each holding `level_qty`. The book is regenerated on every
//   request, so takers never deplete it.
// - Takers (MARKET orders, and LIMIT orders whose price crosses the book on arrival) walk that
//   book level by level and pay the taker fee.
// - Resting LIMIT orders are makers. When the clock steps to the next candle, a BUY at p fills if
//   that candle's low < p and a SELL at p fills if its high > p (a trade *through* the price; a
//   touch is not enough, as the order's queue position is unknown). Each side of the candle can
//   fill at most floor(volume * fill_volume_bps / 10000) to the lot step, handed out in price then
//   time priority; the rest of an order stays PARTIALLY_FILLED for later candles. Fills are at the
//   order's own price and pay the maker fee.
// - Commission is charged in the asset received (BUY: base, SELL: quote), as Binance does without
//   BNB, and rounded up to 8 decimals.
#ifndef TRADEHOST_EXCHANGE_SIM_SPOT_EXCHANGE_HPP
#define TRADEHOST_EXCHANGE_SIM_SPOT_EXCHANGE_HPP

#include "candle_series.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tradehost::exchange_sim {

enum class Side { Buy, Sell };
enum class OrderType { Limit, Market, LimitMaker };
enum class TimeInForce { GTC, IOC, FOK };
enum class OrderStatus { New, PartiallyFilled, Filled, Canceled, Expired };
/// executionReport "x" values (user-data-stream docs, "Execution types").
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

/// Trading rules of the one symbol; what exchangeInfo publishes and place_order() enforces. All
/// amounts at kScale.
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
  int64_t min_notional = 500000000;         ///< NOTIONAL minNotional 5
  int64_t max_notional = 900000000000000;   ///< NOTIONAL maxNotional 9000000
  int max_num_orders = 200;                 ///< MAX_NUM_ORDERS
};

/// Knobs of the market model; see the file comment.
struct MarketModel {
  int64_t level_qty = 200000000;  ///< base quantity shown at each synthetic book level (2 BTC)
  int book_levels = 100;          ///< synthetic levels each side; /api/v3/depth caps its limit here
  int64_t fill_volume_bps = 10000;  ///< share of a candle's volume resting orders may fill per side
  int64_t maker_bps = 10;         ///< maker fee in basis points (10 = 0.1%)
  int64_t taker_bps = 10;         ///< taker fee in basis points
};

/// One fill of one of our orders (a myTrades row).
struct Fill {
  int64_t trade_id = 0;
  int64_t order_id = 0;
  int64_t price = 0;
  int64_t qty = 0;
  int64_t quote_qty = 0;
  int64_t commission = 0;
  std::string commission_asset;
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
  int64_t price = 0;  ///< 0 for MARKET
  int64_t orig_qty = 0;
  int64_t orig_quote_qty = 0;  ///< quoteOrderQty of a MARKET order, else 0
  int64_t executed_qty = 0;
  int64_t cumm_quote_qty = 0;
  OrderStatus status = OrderStatus::New;
  int64_t time_ms = 0;          ///< creation (transactTime)
  int64_t update_time_ms = 0;
  int64_t working_time_ms = -1;  ///< when it went on the book; -1 if it never did
  int64_t locked = 0;  ///< what the order still holds locked: quote for BUY LIMIT, base for SELL

  bool is_open() const { return status == OrderStatus::New || status == OrderStatus::PartiallyFilled; }
};

/// A balance change or order change for one account, in the order they happened; the user data
/// stream renders these as executionReport / outboundAccountPosition.
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
  // AccountPosition: balances after the change, of the assets the change touched.
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
  int64_t agg_trade_id = 0;     ///< the one aggregate trade that stands for the candle
  int64_t trade_id = 0;
  int64_t prev_best_bid = 0;    ///< book before the step, so a depth diff can remove old levels
  int64_t prev_best_ask = 0;
};

struct Balance {
  int64_t free = 0;
  int64_t locked = 0;
};

/// A new-order request after the REST layer parsed and type-checked it. Amounts at kScale.
struct NewOrder {
  std::string account;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce tif = TimeInForce::GTC;
  int64_t qty = 0;            ///< 0 when quote_order_qty is used
  int64_t quote_order_qty = 0;  ///< MARKET only
  int64_t price = 0;          ///< LIMIT / LIMIT_MAKER only
  std::string client_order_id;  ///< empty: generated
};

/// Result of place_order(): the order as it stands after matching and the fills it took.
struct Placement {
  Order order;
  std::vector<Fill> fills;
};

/// The matching engine and accounts. Not thread-safe: the server calls it from its one
/// io_context thread.
class SpotExchange {
 public:
  /// `start_index`: the candle that has "already happened" when the simulator starts (its close
  /// sets the first book). Throws std::out_of_range when it is not an index of `series`.
  SpotExchange(CandleSeries series, SymbolRules rules, MarketModel model, size_t start_index = 0);

  /// Creates (or resets) an account with these starting balances, asset -> amount at kScale.
  void add_account(const std::string& account, const std::map<std::string, int64_t>& balances);
  bool has_account(const std::string& account) const { return accounts_.count(account) != 0; }

  /// Receives every UserEvent as it happens (the server forwards them to listenKey streams).
  void on_user_event(std::function<void(const UserEvent&)> sink) { user_sink_ = std::move(sink); }
  /// Receives every MarketEvent as the clock steps.
  void on_market_event(std::function<void(const MarketEvent&)> sink) { market_sink_ = std::move(sink); }

  /// Places an order at server time `now_ms`. Errors (HTTP 400): -1013 "Filter failure: <NAME>"
  /// for PRICE_FILTER, LOT_SIZE, NOTIONAL, MAX_NUM_ORDERS; -2010 "Duplicate order sent." when an
  /// open order of the account already uses the client order id; -2010 "Order would immediately
  /// match and take." for a crossing LIMIT_MAKER; -2010 "Account has insufficient balance for
  /// requested action.". Throws std::invalid_argument for an account add_account() never made
  /// (the REST layer authenticates first, so a client cannot cause it).
  std::optional<ApiError> place_order(const NewOrder& request, int64_t now_ms, Placement& out);

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
  /// Balances of the account, asset -> balance.
  const std::map<std::string, Balance>& balances(const std::string& account) const;
  int64_t account_update_time(const std::string& account) const;

  /// Steps the market clock up to `candles` candles at server time `now_ms`, matching resting
  /// orders against each new candle. Returns how many steps were taken (fewer at the file's end).
  size_t advance(size_t candles, int64_t now_ms);

  const Candle& current_candle() const { return series_.candles[index_]; }
  size_t current_index() const { return index_; }
  const CandleSeries& series() const { return series_; }
  const SymbolRules& rules() const { return rules_; }
  const MarketModel& model() const { return model_; }
  int64_t best_bid() const { return current_candle().close; }
  int64_t best_ask() const { return current_candle().close + rules_.tick_size; }
  /// Id of the last book change; /api/v3/depth lastUpdateId and bookTicker "u".
  int64_t book_update_id() const { return book_update_id_; }

 private:
  struct Account {
    std::map<std::string, Balance> balances;
    std::vector<int64_t> order_ids;
    std::vector<Fill> trades;
    int64_t update_time_ms = 0;
  };

  Account& account(const std::string& name);
  const Account& account(const std::string& name) const;
  std::string generate_client_order_id();
  int64_t commission(int64_t qty, int64_t quote_qty, Side side, bool maker) const;
  /// Books a fill into the order, the account's balances and trade list; returns the Fill.
  Fill apply_fill(Order& order, int64_t price, int64_t qty, bool maker, int64_t now_ms);
  void emit_execution(const Order& order, ExecutionType exec, int64_t now_ms,
                      const std::optional<Fill>& fill = std::nullopt);
  void emit_position(const std::string& account, int64_t now_ms);
  void match_resting(const Candle& candle, int64_t now_ms);

  CandleSeries series_;
  SymbolRules rules_;
  MarketModel model_;
  size_t index_ = 0;
  std::map<std::string, Account> accounts_;
  std::map<int64_t, Order> orders_;  // by order id; ids grow, so map order is time order
  int64_t next_order_id_ = 1;
  int64_t next_trade_id_ = 1;
  int64_t next_agg_trade_id_ = 1;
  int64_t book_update_id_ = 1;
  uint64_t generated_ids_ = 0;
  int64_t next_event_id_ = 1;
  std::function<void(const UserEvent&)> user_sink_;
  std::function<void(const MarketEvent&)> market_sink_;
};

}  // namespace tradehost::exchange_sim

#endif
