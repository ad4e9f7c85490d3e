// usdm_exchange.hpp -- the USDⓈ-M futures venue on top of the shared MatchingEngine: perpetuals
// (BTCUSDT in candle mode, the captured ones in capture mode), accounts with one USDT wallet and
// one position per symbol in one-way mode (positionSide BOTH), leverage and margin type per
// symbol, reduce-only orders, conditional (algo) orders, and the ACCOUNT_UPDATE /
// ACCOUNT_CONFIG_UPDATE / ALGO_UPDATE events of the user data stream. The market model and matching rules are MatchingEngine's (matching_engine.hpp).
//
// Futures accounting (README.md "USDⓈ-M futures" is the user-facing version):
// - The position amount is signed (long > 0, short < 0). A fill in the position's direction (or
//   from flat) moves the entry price to the quantity-weighted average; a fill against it realizes
//   close_qty * (fill price - entry price) * sign(position) and keeps the entry price; a fill
//   that flips the position opens the rest at the fill price.
// - Commission is price * qty * fee bps, rounded up to 8 decimals, in USDT. The wallet balance
//   moves by realized PnL minus commission.
// - Mark price = the last price (the close of the clock's candle). Unrealized PnL =
//   amount * (mark - entry). Initial margin = notional / leverage: the position at the mark
//   price, open LIMIT orders (not reduce-only) at their price. Available balance = wallet +
//   unrealized PnL - both initial margins. A new order whose added exposure needs more initial
//   margin than that is rejected (-2019); nothing is ever liquidated.
// - Isolated / cross is recorded and reported; an isolated position reports its margin
//   (|amount| * entry / leverage) as isolated wallet, taken out of the cross wallet balance.
//
// Conditional orders are algo orders (usdm_algo_order.hpp; usdm_algo_orders.cpp has the rules):
// kept apart from the order book, each on its symbol, checked after every clock step against the
// price that step traded that symbol at (a candle's close, a recorded trade), and on triggering
// they place an ordinary MARKET or LIMIT order through place_order(), which then trades by the
// rules above.
#ifndef TRADEHOST_EXCHANGE_SIM_USDM_EXCHANGE_HPP
#define TRADEHOST_EXCHANGE_SIM_USDM_EXCHANGE_HPP

#include "matching_engine.hpp"
#include "usdm_algo_order.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tradehost::exchange_sim {

/// BTCUSDT perpetual's rules, mirroring the recorded USD-M exchangeInfo
/// (data/binance/cryptofeed/BINANCE_FUTURES.0: LOT_SIZE and MARKET_LOT_SIZE 0.001..1000 step
/// 0.001, MIN_NOTIONAL 5, MAX_NUM_ORDERS 200, pricePrecision 2, quantityPrecision 3) with the
/// PRICE_FILTER tickSize Binance uses since, 0.10 (minPrice 556.80 keeps the grid).
SymbolRules usdm_symbol_rules();

/// One account's position in one symbol (one-way mode). Amounts at kScale.
struct Position {
  std::string symbol;
  int64_t amount = 0;        ///< signed base quantity ("positionAmt")
  int64_t entry_price = 0;   ///< average entry price; 0 when flat
  int64_t realized_pnl = 0;  ///< accumulated realized profit before fees (ACCOUNT_UPDATE "cr")
  int leverage = 20;         ///< Binance's default initial leverage
  bool isolated = false;     ///< margin type: false = cross
  int64_t update_time_ms = 0;
};

/// A wallet or position change (ACCOUNT_UPDATE) or a leverage change (ACCOUNT_CONFIG_UPDATE),
/// in the order they happened relative to the engine's UserEvents.
struct AccountUpdate {
  enum class Kind { Balance, Config } kind = Kind::Balance;
  std::string account;
  int64_t time_ms = 0;
  std::string reason = "ORDER";  ///< ACCOUNT_UPDATE "m": ORDER or MARGIN_TYPE_CHANGE
  int64_t wallet_balance = 0;
  int64_t cross_wallet_balance = 0;
  Position position;
  int64_t unrealized_pnl = 0;
  int64_t isolated_wallet = 0;
};

class UsdmExchange : public MatchingEngine {
 public:
  /// Candle mode, as MatchingEngine's. Each clock step also skips one book update id (USD-M update
  /// ids are global across symbols; see the recorded capture's notes in data/SOURCES.md).
  UsdmExchange(CandleSeries series, SymbolRules rules, MarketModel model, size_t start_index = 0);
  /// Any market and symbols (capture mode); see MatchingEngine. All symbols margin in the wallet.
  UsdmExchange(std::unique_ptr<MarketSource> market, std::vector<SymbolRules> symbols, MarketModel model);

  /// Creates (or resets) an account with `wallet_usdt` (at kScale) and a flat cross position in
  /// every symbol.
  void add_account(const std::string& account, int64_t wallet_usdt);

  /// Receives every AccountUpdate as it happens.
  void on_account_update(std::function<void(const AccountUpdate&)> sink) { account_sink_ = std::move(sink); }

  /// Places a LIMIT or MARKET order at server time `now_ms`. Errors (HTTP 400), codes and texts of
  /// the USDⓈ-M "Error Codes" list: -4013 / -4002 / -4014 price below min, above max, off the
  /// tick; -4003 / -4004 / -4005 / -4023 quantity zero, below min, above max, off the step
  /// (LOT_SIZE for LIMIT, MARKET_LOT_SIZE for MARKET); -4164 notional below MIN_NOTIONAL (not for
  /// reduce-only); -2025 MAX_NUM_ORDERS; -4116 duplicate open client order id; -2022 "ReduceOnly
  /// Order is rejected." for a reduce-only order that would not reduce the position; -5022 GTX
  /// that would take; -5021 FOK that cannot fill at once (neither is recorded); -2019 "Margin is
  /// insufficient."; -1116 "Invalid orderType." for LIMIT_MAKER. (Conditional orders are algo
  /// orders: place_algo_order.)
  std::optional<ApiError> place_order(const NewOrder& request, int64_t now_ms, Placement& out);

  /// Places an algo order (POST /fapi/v1/algoOrder, algoType CONDITIONAL) on `request.symbol`
  /// (empty: the first symbol) at `now_ms`, against that symbol's rules, position and last price.
  /// Errors: the price and quantity filters of place_order() on price / triggerPrice /
  /// activatePrice and quantity (LOT_SIZE for STOP and TAKE_PROFIT, MARKET_LOT_SIZE for the
  /// others), -4164 notional (at price, triggerPrice or activatePrice) unless reduce-only /
  /// closePosition, -4116 a client algo id an open algo order uses, -2022 reduce-only with no
  /// position to reduce, -2021 "Order would immediately trigger." when the last price has reached
  /// the trigger (TRAILING_STOP_MARKET: "BUY: activatePrice should be smaller than latest price.
  /// SELL: activatePrice should be larger than latest price."). Pushes ALGO_UPDATE NEW.
  std::optional<ApiError> place_algo_order(const NewAlgoOrder& request, int64_t now_ms, AlgoOrder& out);
  /// DELETE /fapi/v1/algoOrder by algo id (preferred) or client algo id: only an algo order that
  /// has not triggered (NEW); -2011 "Unknown order sent." otherwise. Pushes ALGO_UPDATE CANCELED.
  std::optional<ApiError> cancel_algo_order(const std::string& account, std::optional<int64_t> algo_id,
                                            const std::string& client_algo_id, int64_t now_ms, AlgoOrder& out);
  /// The algo order by algo id, or by client algo id (the newest that used it); nullptr if none.
  const AlgoOrder* find_algo_order(const std::string& account, std::optional<int64_t> algo_id,
                                   const std::string& client_algo_id) const;
  /// The account's algo orders that have not ended (AlgoOrder::is_open), oldest first; those of
  /// `symbol` only unless it is empty.
  std::vector<AlgoOrder> open_algo_orders(const std::string& account, const std::string& symbol = {}) const;
  /// Receives every algo order change (ALGO_UPDATE) with its event time.
  void on_algo_update(std::function<void(const AlgoOrder&, int64_t)> sink) { algo_sink_ = std::move(sink); }

  /// POST /fapi/v1/leverage for `symbol` (empty: the first symbol): 1..125, else -4028 "Leverage
  /// <n> is not valid". Pushes an ACCOUNT_CONFIG_UPDATE.
  std::optional<ApiError> set_leverage(const std::string& account, int64_t leverage, int64_t now_ms,
                                       const std::string& symbol = {});
  /// POST /fapi/v1/marginType for `symbol` (empty: the first symbol): -4046 "No need to change
  /// margin type." when it already is; -4047 with open orders of the symbol, -4048 with a position
  /// in it. Pushes an ACCOUNT_UPDATE (MARGIN_TYPE_CHANGE).
  std::optional<ApiError> set_margin_type(const std::string& account, bool isolated, int64_t now_ms,
                                          const std::string& symbol = {});

  /// The account's position in `symbol` (empty: the first symbol).
  const Position& position(const std::string& account, const std::string& symbol = {}) const;
  int64_t wallet_balance(const std::string& account) const;
  /// Mark price of `symbol` (empty: the first symbol): its last price.
  int64_t mark_price(const std::string& symbol = {}) const { return last_price(rules(symbol).symbol); }
  /// Unrealized PnL of the position in `symbol`; without a symbol, of all positions together.
  int64_t unrealized_pnl(const std::string& account) const;
  int64_t unrealized_pnl(const std::string& account, const std::string& symbol) const;
  /// Initial margin of the position(s) at the mark price, as unrealized_pnl() sums them.
  int64_t position_initial_margin(const std::string& account) const;
  int64_t position_initial_margin(const std::string& account, const std::string& symbol) const;
  /// Initial margin of the open LIMIT orders that are not reduce-only, at their prices and each
  /// symbol's leverage.
  int64_t open_order_initial_margin(const std::string& account) const;
  /// The same for the open orders of `symbol` only.
  int64_t open_order_initial_margin(const std::string& account, const std::string& symbol) const;
  /// Margin set aside for isolated positions (0 when cross), as unrealized_pnl() sums them.
  int64_t isolated_wallet(const std::string& account) const;
  int64_t isolated_wallet(const std::string& account, const std::string& symbol) const;
  /// wallet + unrealized PnL - position and open-order initial margin.
  int64_t available_balance(const std::string& account) const;

 private:
  struct Account {
    int64_t wallet = 0;
    std::map<std::string, Position> positions;  // by symbol
  };

  Account& account(const std::string& name);
  const Account& account(const std::string& name) const;
  Position& position_of(const std::string& name, const std::string& symbol);
  /// How much of an order on `side` of `symbol` would reduce the account's position.
  int64_t closable(const std::string& account, const std::string& symbol, Side side) const;
  void settle(Order& order, Fill& fill) override;
  int64_t fillable(const Order& order) const override;
  void after_change(const std::set<std::string>& accounts, int64_t now_ms) override;
  void after_step(const MarketStep& step, int64_t now_ms, std::set<std::string>& touched) override;
  void emit_account(const std::string& account, const std::string& symbol, int64_t now_ms, const char* reason);
  // Algo orders (usdm_algo_orders.cpp).
  bool algo_condition_met(AlgoOrder& a, int64_t last);
  void trigger(AlgoOrder& a, int64_t now_ms);
  void finish_algo_orders(int64_t now_ms);
  void emit_algo(const AlgoOrder& a, int64_t now_ms);

  std::map<std::string, Account> accounts_;
  // account -> symbols whose wallet or position changed since the last push
  std::map<std::string, std::set<std::string>> dirty_;
  std::function<void(const AccountUpdate&)> account_sink_;
  std::map<int64_t, AlgoOrder> algo_orders_;  // by algo id, which grows: map order is time order
  // Its own sequence ("algoId is self-increment for each specific symbol"). One sequence for all
  // symbols keeps that true and the ids unique, which Query and Cancel Algo Order (no symbol) need.
  int64_t next_algo_id_ = 1000001;
  std::function<void(const AlgoOrder&, int64_t)> algo_sink_;
};

}  // namespace tradehost::exchange_sim

#endif
