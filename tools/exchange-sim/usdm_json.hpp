// usdm_json.hpp -- renders the USDⓈ-M futures simulator's REST answers and user data stream as
// Binance USDⓈ-M JSON. Sources, per shape (developers.binance.com/docs/derivatives/
// usds-margined-futures unless said otherwise):
// - exchangeInfo: the recorded response data/binance/cryptofeed/BINANCE_FUTURES.0 (2021-07-22),
//   key for key in its order, with the sim's own values.
// - GET /fapi/v2/account: "Account Information V2" (account/rest-api/Account-Information-V2,
//   single-asset mode example).
// - GET /fapi/v2/positionRisk: the V2 "Position Information" shape (websocket-api
//   account.position example, which is the REST V2 row).
// - ACCOUNT_UPDATE: user-data-streams "Event: Balance and Position Update".
// - New / query / cancel order, openOrders, userTrades, leverage, marginType, listenKey and
//   ORDER_TRADE_UPDATE: those USDⓈ-M pages are not in the stored docs; the shapes follow the known
//   public format of those pages, and ORDER_TRADE_UPDATE the portfolio-margin "Event: Futures
//   Order update" page (its "UM" payload without "fs" and "i"), which has the same fields.
// - Algo orders ("New Algo Order", "Query Algo Order", "Current All Algo Open Orders", "Cancel
//   Algo Order", "Event: Algo Order Update"): the stored pages' examples, key for key; New Algo
//   Order's own example is not in the stored page text, so its answer has Query Algo Order's keys
//   less those of the placed order (actualOrderId, actualPrice) and of TP/SL pairs, as the
//   WebSocket API's cancel example and Binance's generated connectors (NewAlgoOrderResponse) have.
// Numbers print the way live USDⓈ-M answers do: prices with pricePrecision (2), quantities with
// quantityPrecision (3), quote amounts with 5 and USDT balances / PnL / commissions with 8
// decimals. (The doc examples print some of them shortest, e.g. "price": "0".)
#ifndef TRADEHOST_EXCHANGE_SIM_USDM_JSON_HPP
#define TRADEHOST_EXCHANGE_SIM_USDM_JSON_HPP

#include "capture_recording.hpp"
#include "rate_limits.hpp"
#include "usdm_exchange.hpp"

#include <string>
#include <vector>

namespace tradehost::exchange_sim {

/// GET /fapi/v1/exchangeInfo with the one perpetual, its filters and the rate limits.
std::string usdm_exchange_info_json(const SymbolRules& rules, const RateLimitConfig& limits, int64_t server_time_ms);

/// GET /fapi/v1/exchangeInfo in capture mode: the recorded exchangeInfo restricted to the
/// captured symbols, each symbol object, "assets" and "exchangeFilters" as recorded; "serverTime"
/// and "rateLimits" are the simulator's.
std::string usdm_recorded_exchange_info_json(const CaptureRecording& recording, const RateLimitConfig& limits,
                                             int64_t server_time_ms);

/// POST /fapi/v1/order. `result` false (newOrderRespType ACK, the default) shows the order as it
/// was accepted, before any fill; true (RESULT) as it stands after matching.
std::string usdm_new_order_json(const SymbolRules& rules, const Placement& p, bool result);
/// GET /fapi/v1/order and the rows of GET /fapi/v1/openOrders (each with its own symbol's rules).
std::string usdm_order_json(const SymbolRules& rules, const Order& o);
std::string usdm_open_orders_json(const UsdmExchange& ex, const std::vector<Order>& orders);
/// DELETE /fapi/v1/order.
std::string usdm_cancel_json(const SymbolRules& rules, const Order& o);

/// GET /fapi/v2/account.
std::string usdm_account_json(const UsdmExchange& ex, const std::string& account);
/// GET /fapi/v2/positionRisk: the BOTH position of `symbol`, or of every symbol when it is empty.
std::string usdm_position_risk_json(const UsdmExchange& ex, const std::string& account,
                                    const std::string& symbol = {});
/// GET /fapi/v1/userTrades rows (each with its fill's symbol).
std::string usdm_user_trades_json(const UsdmExchange& ex, const std::vector<Fill>& fills);
/// POST /fapi/v1/leverage of `symbol` (empty: the first symbol).
std::string usdm_leverage_json(const UsdmExchange& ex, const std::string& account, const std::string& symbol = {});

/// POST /fapi/v1/algoOrder.
std::string usdm_new_algo_order_json(const SymbolRules& rules, const AlgoOrder& a);
/// GET /fapi/v1/algoOrder and the rows of GET /fapi/v1/openAlgoOrders (each with its own symbol's
/// rules).
std::string usdm_algo_order_json(const SymbolRules& rules, const AlgoOrder& a);
std::string usdm_open_algo_orders_json(const UsdmExchange& ex, const std::vector<AlgoOrder>& orders);
/// DELETE /fapi/v1/algoOrder: {"algoId","clientAlgoId","code":"200","msg":"success"}.
std::string usdm_algo_cancel_json(const AlgoOrder& a);
/// ALGO_UPDATE for an algo order change at `time_ms`.
std::string algo_update_json(const SymbolRules& rules, const AlgoOrder& a, int64_t time_ms);

/// ORDER_TRADE_UPDATE for an Execution UserEvent.
std::string order_trade_update_json(const UsdmExchange& ex, const UserEvent& e);
/// ACCOUNT_UPDATE or ACCOUNT_CONFIG_UPDATE; `rules` are those of the update's position.
std::string account_update_json(const SymbolRules& rules, const AccountUpdate& u);

}  // namespace tradehost::exchange_sim

#endif
