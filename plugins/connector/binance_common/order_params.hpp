// The parameters of a Binance new-order request, as text, from the host's th_order_request.
// Decimals are written at the instrument's scales without exponent or trailing zeros (raw 100000
// at scale 6 -> "0.1", raw 100 at scale 2 -> "1"), which is what Binance's DECIMAL parameters
// take. Sources: spot rest-api.md (2023-06-07) "New order (TRADE)" and "ENUM definitions"; USD-M
// "New Order(TRADE)" (POST /fapi/v1/order) as published before Binance moved the conditional
// types to "New Algo Order(TRADE)" (POST /fapi/v1/algoOrder; the stored 2026-05 page of New Order
// lists LIMIT and MARKET only): the parameter shape the brief asked for and the futures
// connectors of that time used (type STOP / STOP_MARKET / TAKE_PROFIT / TAKE_PROFIT_MARKET /
// TRAILING_STOP_MARKET with stopPrice, activationPrice, callbackRate, reduceOnly).
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
  std::string time_in_force;     ///< "GTC" | "IOC" | "FOK" (USD-M also "GTX"); only for the types that take one
  std::string quantity;          ///< base asset, decimal text
  std::string reduce_only;       ///< USD-M `reduceOnly`: "true" or not sent
  std::string price;             ///< limit price, decimal text
  std::string stop_price;        ///< trigger price (`stopPrice`), decimal text
  std::string activation_price;  ///< USD-M TRAILING_STOP_MARKET `activationPrice`, decimal text
  std::string callback_rate;     ///< USD-M TRAILING_STOP_MARKET `callbackRate` (percent), decimal text
  std::string client_order_id;   ///< `newClientOrderId`
  std::string response_type;     ///< `newOrderRespType`: "ACK" | "RESULT" | "FULL"
};

/// Appends the non-empty fields to `q` in the order the docs list them: symbol, side, type,
/// timeInForce, quantity, reduceOnly, price, stopPrice, activationPrice, callbackRate,
/// newClientOrderId, newOrderRespType.
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

/// Maps an order request to a USD-M POST /fapi/v1/order for `symbol` at `scales`, one-way mode
/// (no positionSide: the default BOTH), with `client_order_id` as newClientOrderId and no
/// newOrderRespType (the caller picks one):
///   TH_ORD_MARKET             -> MARKET (quantity)
///   TH_ORD_LIMIT              -> LIMIT, timeInForce GTC (also for tif 0) / IOC / FOK / GTX; post-only
///                                (TH_OF_POST_ONLY or TH_TIF_GTX) is GTX, "Good Till Crossing"
///   TH_ORD_STOP_LIMIT         -> STOP (timeInForce, quantity, price, stopPrice = trigger_price)
///   TH_ORD_STOP_MARKET        -> STOP_MARKET (quantity, stopPrice)
///   TH_ORD_TAKE_PROFIT_LIMIT  -> TAKE_PROFIT (timeInForce, quantity, price, stopPrice)
///   TH_ORD_TAKE_PROFIT_MARKET -> TAKE_PROFIT_MARKET (quantity, stopPrice)
///   TH_ORD_TRAILING_STOP      -> TRAILING_STOP_MARKET (quantity, callbackRate = `callback_rate`,
///                                activationPrice = trigger_price when positive)
/// TH_OF_REDUCE_ONLY adds reduceOnly=true. `callback_rate` is the percent text of the connector's
/// `callback_rate` key ("" = not configured). Returns false with `why` -- nothing to send -- for
/// a trailing stop without a callback rate, post-only on anything but LIMIT, an unknown side,
/// type or time in force, qty <= 0, a missing limit or trigger price, or a scale outside 0..18.
bool usdm_order_params(const th_order_request& req, std::string_view symbol, Scales scales,
                       std::string_view client_order_id, std::string_view callback_rate, OrderParams& out,
                       std::string& why);

/// The TH_ORD_* of a Binance order type as reports name it ("LIMIT_MAKER" -> TH_ORD_LIMIT,
/// "STOP_LOSS" -> TH_ORD_STOP_MARKET, ...; USD-M "STOP" -> TH_ORD_STOP_LIMIT, "STOP_MARKET" ->
/// TH_ORD_STOP_MARKET, "TAKE_PROFIT" -> TH_ORD_TAKE_PROFIT_LIMIT on USD-M but TH_ORD_TAKE_PROFIT_MARKET
/// on spot, hence `venue`); 0 when unknown.
int32_t th_order_type(std::string_view binance_type, Venue venue);

/// TH_SIDE_BUY for "BUY", TH_SIDE_SELL for "SELL", else 0.
int32_t th_side(std::string_view binance_side);

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_ORDER_PARAMS_HPP
