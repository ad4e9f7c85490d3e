// USD-M futures conditional orders through Binance's Algo Order API, parsed into fixed-point
// integers: the algo order object of "New Algo Order(TRADE)" (POST /fapi/v1/algoOrder), "Query
// Algo Order (USER_DATA)" (GET /fapi/v1/algoOrder) and "Current All Algo Open Orders
// (USER_DATA)" (GET /fapi/v1/openAlgoOrders), and the answer of "Cancel Algo Order (TRADE)"
// (DELETE /fapi/v1/algoOrder). The user data stream's "Event: Algo Order Update" (ALGO_UPDATE)
// is read into the same AlgoOrderReport by parse_user_event() (account_messages.hpp). Sources:
// developers.binance.com/docs/derivatives/usds-margined-futures, trade/rest-api pages of those
// names and user-data-streams/Event-Algo-Order-Update (stored 2026-05). Since 2025-12 Binance takes
// the conditional types (STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET,
// TRAILING_STOP_MARKET) only here.
//
// How an algo order and the order it places are linked. An algo order lives in Binance's "Algo
// Service" until its trigger condition is met; then the service places an ordinary order in the
// matching engine, which has its own orderId and trades (ORDER_TRADE_UPDATE, userTrades) like
// any order. The documents name that order in exactly two places: ALGO_UPDATE "ai" ("order id";
// the Chinese page: the ordinary order's id after triggering) and Query Algo Order's
// "actualOrderId" (both "" until then). Status TRIGGERED means "the order has been successfully
// placed into the matching engine", FINISHED that it "has been filled or canceled in the matching
// engine". The documents do not say which clientOrderId ("c") the placed order carries, nor how
// the stream orders ALGO_UPDATE against that order's ORDER_TRADE_UPDATEs ("messages of the same
// event type" are ordered; different types are not). So the orderId is the link, and a reader
// must accept the placed order's executions before the ALGO_UPDATE that names it.
//
// Units: as account_messages.hpp -- prices at the symbol's price_scale, quantities at its
// qty_scale, times Binance's Unix milliseconds.
#ifndef TRADEHOST_BINANCE_ALGO_ORDERS_HPP
#define TRADEHOST_BINANCE_ALGO_ORDERS_HPP

#include <rapidjson/fwd.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "market_data.hpp"

namespace tradehost::binance {

/// Algo status ("Event: Algo Order Update", Algo Status).
enum class AlgoStatus : uint8_t {
  New,         ///< in the Algo Service, not yet triggered
  Canceled,    ///< canceled before it triggered
  Triggering,  ///< the condition was met; being forwarded to the matching engine
  Triggered,   ///< its order is placed in the matching engine (actualOrderId / "ai" set)
  Finished,    ///< its order was filled or canceled in the matching engine
  Rejected,    ///< denied by the matching engine (e.g. margin check) -- reason in "rm"
  Expired,     ///< canceled by the system (e.g. a GTE_GTC order after its position closed)
};

/// Reads Binance's algo status text; false for any other text.
bool parse_algo_status(std::string_view text, AlgoStatus& out);
std::string_view to_string(AlgoStatus status);

/// An algo order as the REST answers show it, or as ALGO_UPDATE's "o" pushes it (letters in
/// brackets).
struct AlgoOrderReport {
  std::string symbol;                   ///< `symbol` (s)
  int64_t algo_id = 0;                  ///< `algoId` (aid)
  std::string client_algo_id;           ///< `clientAlgoId` (caid)
  std::string algo_type;                ///< `algoType` (at): "CONDITIONAL"
  std::string order_type;               ///< `orderType` (o): STOP_MARKET, TAKE_PROFIT, ...
  std::string side;                     ///< `side` (S)
  std::string time_in_force;            ///< `timeInForce` (f)
  int64_t qty = 0;                      ///< `quantity` (q); 0 for a closePosition order
  int64_t price = 0;                    ///< `price` (p); 0 for the market types
  int64_t trigger_price = 0;            ///< `triggerPrice` (tp); 0 when absent or empty
  AlgoStatus status = AlgoStatus::New;  ///< `algoStatus` (X)
  /// `actualOrderId` (ai): the orderId of the order it placed in the matching engine; -1 while
  /// the text is empty (not triggered yet).
  int64_t actual_order_id = -1;
  /// `actualPrice` (REST) / `ap` (ALGO_UPDATE): that order's average fill price, rounded half up
  /// to price_scale ("0.00000" carries more decimals than the tick); 0 before a fill.
  int64_t actual_avg_price = 0;
  int64_t actual_executed_qty = 0;  ///< `aq`: that order's executed quantity (ALGO_UPDATE only)
  std::string actual_order_type;    ///< `act`: that order's type, "0" before it exists (ALGO_UPDATE only)
  bool reduce_only = false;         ///< `reduceOnly` (R)
  int64_t time_ms = 0;              ///< `updateTime` (REST) / the event's `E` (ALGO_UPDATE)
  int64_t trigger_time_ms = 0;      ///< `triggerTime` (tt); 0 before it triggered
  std::string reason;               ///< `rm` (ALGO_UPDATE only): why it failed, "" when absent
};

/// The scales of a symbol, or nullptr (account_messages.hpp ScalesLookup).
using AlgoScalesLookup = std::function<const Scales*(std::string_view symbol)>;

/// Parses one algo order object: a New Algo Order or Query Algo Order answer. False with
/// `error` (naming the field) on invalid JSON, a missing or mistyped field, an unknown status, a
/// symbol without scales, or a number not exact at its scale.
bool parse_algo_order(std::string_view body, const AlgoScalesLookup& scales, AlgoOrderReport& out, std::string& error);

/// Parses a Current All Algo Open Orders answer (an array of algo order objects). Orders of
/// symbols `scales` does not know are skipped and counted in `skipped`.
bool parse_algo_open_orders(std::string_view body, const AlgoScalesLookup& scales, std::vector<AlgoOrderReport>& out,
                            size_t& skipped, std::string& error);

/// The Cancel Algo Order answer: {"algoId":..,"clientAlgoId":..,"code":"200","msg":"success"}.
struct AlgoCancelAnswer {
  int64_t algo_id = 0;         ///< `algoId`
  std::string client_algo_id;  ///< `clientAlgoId`
  std::string code;            ///< `code`, a string in the example ("200"); a number is read as its digits
  std::string msg;             ///< `msg`
  bool success() const { return code == "200"; }
};

bool parse_algo_cancel(std::string_view body, AlgoCancelAnswer& out, std::string& error);

namespace detail {
/// An ALGO_UPDATE payload ({"e":"ALGO_UPDATE","T":..,"E":..,"o":{..}}, already unwrapped from
/// the combined-stream envelope); parse_user_event() calls it. `time_ms` is the payload's `E`.
bool parse_algo_update(const rapidjson::Value& payload, const AlgoScalesLookup& scales, AlgoOrderReport& out,
                       std::string& error);
}  // namespace detail

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_ALGO_ORDERS_HPP
