// The parameters of a Binance new-order request, as text, from the host's th_order_request.
// Decimals are written at the instrument's scales without exponent or trailing zeros (raw 100000
// at scale 6 -> "0.1", raw 100 at scale 2 -> "1"), which is what Binance's DECIMAL parameters
// take. Source: rest-api.md (2023-06-07) "New order (TRADE)" and "ENUM definitions".
#ifndef TRADEHOST_BINANCE_ORDER_PARAMS_HPP
#define TRADEHOST_BINANCE_ORDER_PARAMS_HPP

#include "market_data.hpp"
#include "signed_request.hpp"

#include <tradehost/plugin.h>

#include <string>
#include <string_view>

namespace tradehost::binance {

/// One order request's parameters as Binance spells them; empty = not sent.
struct OrderParams {
  std::string symbol;            ///< "BTCUSDT"
  std::string side;              ///< "BUY" | "SELL"
  std::string type;              ///< "LIMIT", "MARKET", "LIMIT_MAKER", "STOP_LOSS", ...
  std::string time_in_force;     ///< "GTC" | "IOC" | "FOK"; only for the types that take one
  std::string quantity;          ///< base asset, decimal text
  std::string price;             ///< limit price, decimal text
  std::string stop_price;        ///< trigger price (`stopPrice`), decimal text
  std::string client_order_id;   ///< `newClientOrderId`
  std::string response_type;     ///< `newOrderRespType`: "ACK" | "RESULT" | "FULL"
};

/// Appends the non-empty fields to `q` in the order the docs list them: symbol, side, type,
/// timeInForce, quantity, price, stopPrice, newClientOrderId, newOrderRespType.
void append_order_params(const OrderParams& p, QueryString& q);

/// Maps an order request to a spot POST /api/v3/order for `symbol` at `scales` (quantity at
/// qty_scale, price and trigger_price at price_scale), with `client_order_id` as
/// newClientOrderId and no newOrderRespType (the caller picks one):
///   TH_ORD_MARKET            -> MARKET (quantity; the time in force is ignored: a market order
///                               takes none)
///   TH_ORD_LIMIT             -> LIMIT with timeInForce GTC (also for tif 0) / IOC / FOK; with
///                               TH_OF_POST_ONLY or TH_TIF_GTX -> LIMIT_MAKER (no timeInForce)
///   TH_ORD_STOP_MARKET       -> STOP_LOSS (quantity, stopPrice = trigger_price)
///   TH_ORD_STOP_LIMIT        -> STOP_LOSS_LIMIT (timeInForce, quantity, price, stopPrice)
///   TH_ORD_TAKE_PROFIT_MARKET-> TAKE_PROFIT (quantity, stopPrice)
///   TH_ORD_TAKE_PROFIT_LIMIT -> TAKE_PROFIT_LIMIT (timeInForce, quantity, price, stopPrice)
/// Returns false with `why` -- and the request must not be sent -- for what spot cannot do:
/// TH_ORD_TRAILING_STOP (spot has no trailing-stop type, only `trailingDelta` on the stop types,
/// which th_order_request does not carry), TH_OF_REDUCE_ONLY (a futures notion), post-only on
/// anything but a limit order, an unknown side, type or time in force, qty <= 0, a limit price
/// or trigger price <= 0 where one is needed, a scale outside 0..18.
bool spot_order_params(const th_order_request& req, std::string_view symbol, Scales scales,
                       std::string_view client_order_id, OrderParams& out, std::string& why);

/// The TH_ORD_* of a Binance order type as reports name it ("LIMIT_MAKER" -> TH_ORD_LIMIT,
/// "STOP_LOSS" -> TH_ORD_STOP_MARKET, ...; USD-M "STOP" -> TH_ORD_STOP_LIMIT, "STOP_MARKET" ->
/// TH_ORD_STOP_MARKET, "TAKE_PROFIT" -> TH_ORD_TAKE_PROFIT_LIMIT on USD-M but TH_ORD_TAKE_PROFIT_MARKET
/// on spot, hence `venue`); 0 when unknown.
int32_t th_order_type(std::string_view binance_type, Venue venue);

/// TH_SIDE_BUY for "BUY", TH_SIDE_SELL for "SELL", else 0.
int32_t th_side(std::string_view binance_side);

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_ORDER_PARAMS_HPP
