// spot_json.hpp -- renders the spot simulator's REST answers and user data stream as Binance spot
// JSON, field for field in the order of the examples in binance/binance-spot-api-docs: rest-api.md
// "Public Rest API for Binance (2023-06-07)" and user-data-stream.md (2022-12-05). Prices and
// quantities are strings with 8 decimals, as Binance sends them; ids and times are numbers. The
// market data both venues share is in market_json.hpp.
#ifndef TRADEHOST_EXCHANGE_SIM_SPOT_JSON_HPP
#define TRADEHOST_EXCHANGE_SIM_SPOT_JSON_HPP

#include "capture_recording.hpp"
#include "rate_limits.hpp"
#include "spot_exchange.hpp"

#include <string>
#include <vector>

namespace tradehost::exchange_sim {

/// newOrderRespType of POST /api/v3/order.
enum class OrderResponseType { Ack, Result, Full };

/// GET /api/v3/exchangeInfo with the one symbol, its filters and the rate limits.
std::string exchange_info_json(const SymbolRules& rules, const RateLimitConfig& limits, int64_t server_time_ms);

/// GET /api/v3/exchangeInfo in capture mode: the recorded exchangeInfo restricted to the captured
/// symbols (or to `only`, when not empty), each symbol object and "exchangeFilters" as recorded;
/// "serverTime" and "rateLimits" are the simulator's (the recorded ones also list RAW_REQUESTS,
/// which the simulator does not count).
std::string recorded_exchange_info_json(const CaptureRecording& recording, const RateLimitConfig& limits,
                                        int64_t server_time_ms, const std::string& only = {});

/// POST /api/v3/order response in the requested shape.
std::string new_order_json(const SymbolRules& rules, const Placement& p, OrderResponseType type);

/// GET /api/v3/order (one order) and the rows of GET /api/v3/openOrders (each with its own
/// symbol's rules). The two doc examples order the last fields differently; `open_orders_layout`
/// picks the openOrders one.
std::string order_json(const SymbolRules& rules, const Order& o, bool open_orders_layout = false);
std::string open_orders_json(const MatchingEngine& ex, const std::vector<Order>& orders);

/// DELETE /api/v3/order response; `cancel_client_order_id` is the cancel's own id.
std::string cancel_json(const SymbolRules& rules, const Order& o, const std::string& cancel_client_order_id);

/// GET /api/v3/account.
std::string account_json(const SpotExchange& ex, const std::string& account);

/// GET /api/v3/myTrades rows.
std::string my_trades_json(const SymbolRules& rules, const std::vector<Fill>& fills);

/// User data stream payloads: executionReport or outboundAccountPosition.
std::string user_event_json(const SymbolRules& rules, const UserEvent& e);

}  // namespace tradehost::exchange_sim

#endif
