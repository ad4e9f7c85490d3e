// spot_exchange.hpp -- the spot venue on top of the shared MatchingEngine: accounts with asset
// balances, LIMIT orders that lock what they may spend, MARKET orders by quantity or by quote
// amount, and the executionReport / outboundAccountPosition events of the user data stream.
// The market model and matching rules are MatchingEngine's (matching_engine.hpp).
//
// Spot accounting:
// - A LIMIT BUY locks price * qty of the quote asset, a LIMIT SELL locks qty of the base asset; a
//   taker fill at a better price than the limit gives the difference back. MARKET orders pay as
//   they fill.
// - Commission is charged in the asset received (BUY: base, SELL: quote), as Binance does without
//   BNB, and rounded up to 8 decimals.
#ifndef TRADEHOST_EXCHANGE_SIM_SPOT_EXCHANGE_HPP
#define TRADEHOST_EXCHANGE_SIM_SPOT_EXCHANGE_HPP

#include "matching_engine.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace tradehost::exchange_sim {

struct Balance {
  int64_t free = 0;
  int64_t locked = 0;
};

/// Spot accounts and order placement. Not thread-safe: the server calls it from its one
/// io_context thread.
class SpotExchange : public MatchingEngine {
 public:
  /// Candle mode: `start_index`: the candle that has "already happened" when the simulator starts
  /// (its close sets the first book). Throws std::out_of_range when it is not an index of `series`.
  SpotExchange(CandleSeries series, SymbolRules rules, MarketModel model, size_t start_index = 0);
  /// Any market and symbols (capture mode); see MatchingEngine.
  SpotExchange(std::unique_ptr<MarketSource> market, std::vector<SymbolRules> symbols, MarketModel model);

  /// Creates (or resets) an account with these starting balances, asset -> amount at kScale. The
  /// base and quote assets of every symbol are listed too, at 0 when not given.
  void add_account(const std::string& account, const std::map<std::string, int64_t>& balances);

  /// Places an order (on `request.symbol`, which must be one of the engine's) at server time
  /// `now_ms`. Errors (HTTP 400): -1013 "Filter failure: <NAME>" for PRICE_FILTER, LOT_SIZE,
  /// NOTIONAL (or MIN_NOTIONAL, as the symbol's rules name it), MARKET_LOT_SIZE (when the rules
  /// have it), MAX_NUM_ORDERS; -2010 "Duplicate order sent." when an
  /// open order of the account already uses the client order id; -2010 "Order would immediately
  /// match and take." for a crossing LIMIT_MAKER; -2010 "Account has insufficient balance for
  /// requested action.". Throws std::invalid_argument for an account add_account() never made
  /// (the REST layer authenticates first, so a client cannot cause it).
  std::optional<ApiError> place_order(const NewOrder& request, int64_t now_ms, Placement& out);

  /// Balances of the account, asset -> balance.
  const std::map<std::string, Balance>& balances(const std::string& account) const;

 private:
  std::map<std::string, Balance>& wallet(const std::string& account);
  int64_t commission(int64_t qty, int64_t quote_qty, Side side, bool maker) const;
  void settle(Order& order, Fill& fill) override;
  void release(Order& order) override;
  void after_change(const std::set<std::string>& accounts, int64_t now_ms) override;

  std::map<std::string, std::map<std::string, Balance>> balances_;
  // Symbols whose assets moved per account since the last outboundAccountPosition.
  std::map<std::string, std::set<std::string>> moved_;
};

}  // namespace tradehost::exchange_sim

#endif
