// The parameters of a Binance new-order request, as text, from the host's th_order_request.
// Decimals are written at the instrument's scales without exponent or trailing zeros (raw 100000
// at scale 6 -> "0.1", raw 100 at scale 2 -> "1"), which is what Binance's DECIMAL parameters
// take. Sources: spot rest-api.md (2023-06-07) "New order (TRADE)" and "ENUM definitions"; USD-M
// (developers.binance.com/docs/derivatives/usds-margined-futures, stored 2026-05) "New
// Order(TRADE)" (POST /fapi/v1/order: LIMIT and MARKET) and "New Algo Order(TRADE)" (POST
// /fapi/v1/algoOrder: since 2025-12 the only way in for STOP, STOP_MARKET, TAKE_PROFIT,
// TAKE_PROFIT_MARKET and TRAILING_STOP_MARKET; /fapi/v1/order answers them -4120).
#ifndef TRADEHOST_BINANCE_ORDER_PARAMS_HPP
#define TRADEHOST_BINANCE_ORDER_PARAMS_HPP

#include "market_data.hpp"
#include "signed_request.hpp"

#include <tradehost/plugin.h>

#include <string>
#include <string_view>

namespace tradehost::binance {

/// One order request's parameters as Binance spells them; empty = not sent. An algo order
/// (algo_type set) takes its own names: triggerPrice, workingType, activatePrice, clientAlgoId.
struct OrderParams {
  std::string algo_type;         ///< USD-M `algoType`: "CONDITIONAL" for POST /fapi/v1/algoOrder; "" = an ordinary order
  std::string symbol;            ///< "BTCUSDT"
  std::string side;              ///< "BUY" | "SELL"
  std::string type;              ///< "LIMIT", "MARKET", "LIMIT_MAKER", "STOP_LOSS", "STOP_MARKET", ...
  std::string time_in_force;     ///< "GTC" | "IOC" | "FOK" (USD-M also "GTX"); only for the types that take one
  std::string quantity;          ///< base asset, decimal text
  std::string reduce_only;       ///< USD-M `reduceOnly`: "true" or not sent
  std::string price;             ///< limit price, decimal text
  std::string stop_price;        ///< spot trigger price (`stopPrice`), decimal text
  std::string trigger_price;     ///< USD-M algo trigger price (`triggerPrice`), decimal text
  std::string working_type;      ///< USD-M algo `workingType`: "CONTRACT_PRICE" | "MARK_PRICE"
  std::string activate_price;    ///< USD-M algo TRAILING_STOP_MARKET `activatePrice`, decimal text
  std::string callback_rate;     ///< USD-M algo TRAILING_STOP_MARKET `callbackRate` (percent), decimal text
  std::string client_order_id;   ///< `newClientOrderId`; an algo order's `clientAlgoId`
  std::string response_type;     ///< `newOrderRespType`: "ACK" | "RESULT" | "FULL"
};

/// Appends the non-empty fields to `q` in the order the docs list them. An ordinary order:
/// symbol, side, type, timeInForce, quantity, reduceOnly, price, stopPrice, newClientOrderId,
/// newOrderRespType. An algo order ("New Algo Order"): algoType, symbol, side, type, timeInForce,
/// quantity, price, triggerPrice, workingType, reduceOnly, activatePrice, callbackRate,
/// clientAlgoId, newOrderRespType.
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

/// The USD-M connector's settings an order takes: `callback_rate` is the percent text of the
/// connector's `callback_rate` key ("" = not configured), `working_type` its `working_type`
/// ("CONTRACT_PRICE" or "MARK_PRICE").
struct UsdmOrderOptions {
  std::string_view callback_rate;
  std::string_view working_type = "CONTRACT_PRICE";
};

/// Whether an order of this TH_ORD_* type goes to USD-M's Algo Order API (everything but MARKET
/// and LIMIT).
bool usdm_algo_type(int32_t th_type);

/// Maps an order request to USD-M parameters for `symbol` at `scales`, one-way mode (no
/// positionSide: the default BOTH), without newOrderRespType (the caller picks one):
///   TH_ORD_MARKET             -> POST /fapi/v1/order MARKET (quantity)
///   TH_ORD_LIMIT              -> POST /fapi/v1/order LIMIT, timeInForce GTC (also for tif 0) / IOC /
///                                FOK / GTX; post-only (TH_OF_POST_ONLY or TH_TIF_GTX) is GTX,
///                                "Good Till Crossing"
///   with newClientOrderId = `client_order_id`; and through "New Algo Order" (algoType CONDITIONAL,
///   clientAlgoId = `client_order_id`, workingType = options.working_type):
///   TH_ORD_STOP_LIMIT         -> STOP (timeInForce GTC / IOC / FOK, quantity, price, triggerPrice)
///   TH_ORD_STOP_MARKET        -> STOP_MARKET (quantity, triggerPrice)
///   TH_ORD_TAKE_PROFIT_LIMIT  -> TAKE_PROFIT (timeInForce, quantity, price, triggerPrice)
///   TH_ORD_TAKE_PROFIT_MARKET -> TAKE_PROFIT_MARKET (quantity, triggerPrice)
///   TH_ORD_TRAILING_STOP      -> TRAILING_STOP_MARKET (quantity, activatePrice = trigger_price
///                                when positive, callbackRate = options.callback_rate)
/// TH_OF_REDUCE_ONLY adds reduceOnly=true. Returns false with `why` -- nothing to send -- for a
/// trailing stop without a callback rate, post-only on anything but LIMIT ("New Algo Order" takes
/// IOC, GTC or FOK only), an unknown side, type or time in force, qty <= 0, a missing limit or
/// trigger price, or a scale outside 0..18.
bool usdm_order_params(const th_order_request& req, std::string_view symbol, Scales scales,
                       std::string_view client_order_id, const UsdmOrderOptions& options, OrderParams& out,
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
