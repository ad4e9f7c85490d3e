// binance_json.hpp -- renders the simulator's state as Binance spot JSON, field for field in the
// order of the examples in binance/binance-spot-api-docs: rest-api.md "Public Rest API for Binance
// (2023-06-07)", user-data-stream.md (2022-12-05) and web-socket-streams.md (2023-12-04). Prices
// and quantities are strings with 8 decimals, as Binance sends them; ids and times are numbers.
#ifndef TRADEHOST_EXCHANGE_SIM_BINANCE_JSON_HPP
#define TRADEHOST_EXCHANGE_SIM_BINANCE_JSON_HPP

#include "spot_exchange.hpp"

#include <string>
#include <vector>

namespace tradehost::exchange_sim {

/// Rate limits published in exchangeInfo "rateLimits" and enforced by RateLimits.
struct RateLimitConfig {
  int request_weight_per_minute = 1200;
  int orders_per_10s = 50;
  int orders_per_day = 160000;
};

/// newOrderRespType of POST /api/v3/order.
enum class OrderResponseType { Ack, Result, Full };

/// {"code":-1121,"msg":"Invalid symbol."}
std::string error_json(const ApiError& e);

/// GET /api/v3/exchangeInfo with the one symbol, its filters and the rate limits.
std::string exchange_info_json(const SymbolRules& rules, const RateLimitConfig& limits, int64_t server_time_ms);

/// GET /api/v3/depth: `levels` synthetic levels each side around the current book.
std::string depth_json(const SpotExchange& ex, int levels);

/// GET /api/v3/klines rows for candles [first, last) of the series.
std::string klines_json(const SpotExchange& ex, size_t first, size_t last);

/// POST /api/v3/order response in the requested shape.
std::string new_order_json(const SymbolRules& rules, const Placement& p, OrderResponseType type);

/// GET /api/v3/order (one order) and the rows of GET /api/v3/openOrders. The two doc examples
/// order the last fields differently; `open_orders_layout` picks the openOrders one.
std::string order_json(const SymbolRules& rules, const Order& o, bool open_orders_layout = false);
std::string open_orders_json(const SymbolRules& rules, const std::vector<Order>& orders);

/// DELETE /api/v3/order response; `cancel_client_order_id` is the cancel's own id.
std::string cancel_json(const SymbolRules& rules, const Order& o, const std::string& cancel_client_order_id);

/// GET /api/v3/account.
std::string account_json(const SpotExchange& ex, const std::string& account);

/// GET /api/v3/myTrades rows.
std::string my_trades_json(const SymbolRules& rules, const std::vector<Fill>& fills);

/// User data stream payloads: executionReport or outboundAccountPosition.
std::string user_event_json(const SymbolRules& rules, const UserEvent& e);

/// Market stream payloads for one clock step (raw payloads; the hub wraps combined streams).
std::string kline_event_json(const SpotExchange& ex, const MarketEvent& m);
std::string book_ticker_json(const SpotExchange& ex);
std::string agg_trade_json(const SpotExchange& ex, const MarketEvent& m);
/// depthUpdate for a step: the levels of the new book, and the old book's levels that left it
/// with quantity 0 (web-socket-streams.md: "If the quantity is 0, remove the price level").
std::string depth_update_json(const SpotExchange& ex, const MarketEvent& m);

/// Whether a candle's one synthetic trade was sold into the bid ("m": buyer is maker): a candle
/// that closed below its open.
inline bool buyer_is_maker(const Candle& c) { return c.close < c.open; }

}  // namespace tradehost::exchange_sim

#endif
