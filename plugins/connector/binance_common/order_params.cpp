#include "order_params.hpp"

#include <tradehost/fixed.hpp>

#include <span>

namespace tradehost::binance {

void append_order_params(const OrderParams& p, QueryString& q) {
  using Field = std::pair<const char*, const std::string*>;
  const Field order[] = {{"symbol", &p.symbol},
                         {"side", &p.side},
                         {"type", &p.type},
                         {"timeInForce", &p.time_in_force},
                         {"quantity", &p.quantity},
                         {"reduceOnly", &p.reduce_only},
                         {"price", &p.price},
                         {"stopPrice", &p.stop_price},
                         {"newClientOrderId", &p.client_order_id},
                         {"newOrderRespType", &p.response_type}};
  // "New Algo Order" lists its parameters in this order.
  const Field algo[] = {{"algoType", &p.algo_type},
                        {"symbol", &p.symbol},
                        {"side", &p.side},
                        {"type", &p.type},
                        {"timeInForce", &p.time_in_force},
                        {"quantity", &p.quantity},
                        {"price", &p.price},
                        {"triggerPrice", &p.trigger_price},
                        {"workingType", &p.working_type},
                        {"reduceOnly", &p.reduce_only},
                        {"activatePrice", &p.activate_price},
                        {"callbackRate", &p.callback_rate},
                        {"clientAlgoId", &p.client_order_id},
                        {"newOrderRespType", &p.response_type}};
  const std::span<const Field> fields = p.algo_type.empty() ? std::span<const Field>(order) : std::span<const Field>(algo);
  for (const auto& [key, value] : fields)
    if (!value->empty()) q.add(key, *value);
}

namespace {

bool fail(std::string& why, std::string text) {
  why = std::move(text);
  return false;
}

// What spot and USD-M read alike: symbol, client id, side, a positive quantity, the scales and
// the time in force ("" for GTX, which each venue spells its own way).
bool common_params(const th_order_request& req, std::string_view symbol, Scales scales,
                   std::string_view client_order_id, OrderParams& p, const char*& tif, std::string& why) {
  if (scales.price_scale < 0 || scales.price_scale > 18 || scales.qty_scale < 0 || scales.qty_scale > 18)
    return fail(why, "instrument scales are outside 0..18");
  p.symbol.assign(symbol);
  p.client_order_id.assign(client_order_id);
  if (req.side == TH_SIDE_BUY)
    p.side = "BUY";
  else if (req.side == TH_SIDE_SELL)
    p.side = "SELL";
  else
    return fail(why, "side must be TH_SIDE_BUY or TH_SIDE_SELL");
  if (req.qty <= 0) return fail(why, "quantity must be positive");
  switch (req.tif) {
    case 0:
    case TH_TIF_GTC: tif = "GTC"; break;
    case TH_TIF_IOC: tif = "IOC"; break;
    case TH_TIF_FOK: tif = "FOK"; break;
    case TH_TIF_GTX: tif = ""; break;
    default: return fail(why, "unknown time in force " + std::to_string(req.tif));
  }
  p.quantity = format_fixed_trimmed(req.qty, scales.qty_scale);
  return true;
}

// The limit and trigger prices a type needs, as text; the trigger goes to `trigger_out`
// (spot stopPrice, USD-M algo triggerPrice).
bool prices(const th_order_request& req, Scales scales, bool limit_price, bool trigger, OrderParams& p,
            std::string& trigger_out, std::string& why) {
  if (limit_price) {
    if (req.price <= 0) return fail(why, "a " + p.type + " order needs a positive limit price");
    p.price = format_fixed_trimmed(req.price, scales.price_scale);
  }
  if (trigger) {
    if (req.trigger_price <= 0) return fail(why, "a " + p.type + " order needs a positive trigger price");
    trigger_out = format_fixed_trimmed(req.trigger_price, scales.price_scale);
  }
  return true;
}

}  // namespace

bool spot_order_params(const th_order_request& req, std::string_view symbol, Scales scales,
                       std::string_view client_order_id, OrderParams& out, std::string& why) {
  OrderParams p;
  const char* tif = nullptr;
  if (!common_params(req, symbol, scales, client_order_id, p, tif, why)) return false;
  if (req.flags & TH_OF_REDUCE_ONLY) return fail(why, "Binance spot has no reduce-only orders");
  const bool post_only = (req.flags & TH_OF_POST_ONLY) || req.tif == TH_TIF_GTX;
  bool limit_price = false, trigger = false, takes_tif = false;
  switch (req.type) {
    case TH_ORD_MARKET: p.type = "MARKET"; break;
    case TH_ORD_LIMIT:
      p.type = post_only ? "LIMIT_MAKER" : "LIMIT";
      limit_price = true;
      takes_tif = !post_only;
      break;
    case TH_ORD_STOP_MARKET: p.type = "STOP_LOSS"; trigger = true; break;
    case TH_ORD_STOP_LIMIT: p.type = "STOP_LOSS_LIMIT"; limit_price = trigger = takes_tif = true; break;
    case TH_ORD_TAKE_PROFIT_MARKET: p.type = "TAKE_PROFIT"; trigger = true; break;
    case TH_ORD_TAKE_PROFIT_LIMIT: p.type = "TAKE_PROFIT_LIMIT"; limit_price = trigger = takes_tif = true; break;
    case TH_ORD_TRAILING_STOP:
      return fail(why, "Binance spot has no trailing-stop order type (its trailingDelta rides on STOP_LOSS / "
                       "TAKE_PROFIT orders, which this request cannot express); use a stop order");
    default: return fail(why, "unknown order type " + std::to_string(req.type));
  }
  if (post_only && req.type != TH_ORD_LIMIT)
    return fail(why, "post-only (TH_OF_POST_ONLY / TH_TIF_GTX) exists on Binance spot only for limit orders (LIMIT_MAKER)");
  if (takes_tif) p.time_in_force = tif;
  if (!prices(req, scales, limit_price, trigger, p, p.stop_price, why)) return false;
  out = std::move(p);
  return true;
}

bool usdm_algo_type(int32_t th_type) { return th_type != TH_ORD_MARKET && th_type != TH_ORD_LIMIT; }

bool usdm_order_params(const th_order_request& req, std::string_view symbol, Scales scales,
                       std::string_view client_order_id, const UsdmOrderOptions& options, OrderParams& out,
                       std::string& why) {
  OrderParams p;
  const char* tif = nullptr;
  if (!common_params(req, symbol, scales, client_order_id, p, tif, why)) return false;
  const bool post_only = (req.flags & TH_OF_POST_ONLY) || req.tif == TH_TIF_GTX;
  bool limit_price = false, trigger = false, takes_tif = false;
  switch (req.type) {
    case TH_ORD_MARKET: p.type = "MARKET"; break;
    case TH_ORD_LIMIT: p.type = "LIMIT"; limit_price = takes_tif = true; break;
    case TH_ORD_STOP_LIMIT: p.type = "STOP"; limit_price = trigger = takes_tif = true; break;
    case TH_ORD_STOP_MARKET: p.type = "STOP_MARKET"; trigger = true; break;
    case TH_ORD_TAKE_PROFIT_LIMIT: p.type = "TAKE_PROFIT"; limit_price = trigger = takes_tif = true; break;
    case TH_ORD_TAKE_PROFIT_MARKET: p.type = "TAKE_PROFIT_MARKET"; trigger = true; break;
    case TH_ORD_TRAILING_STOP:
      if (options.callback_rate.empty())
        return fail(why, "a trailing stop on Binance USD-M needs a callback rate: set the connector's callback_rate "
                         "(percent, 0.1 to 10)");
      p.type = "TRAILING_STOP_MARKET";
      p.callback_rate.assign(options.callback_rate);
      if (req.trigger_price > 0) p.activate_price = format_fixed_trimmed(req.trigger_price, scales.price_scale);
      break;
    default: return fail(why, "unknown order type " + std::to_string(req.type));
  }
  if (post_only && req.type != TH_ORD_LIMIT)
    return fail(why, "post-only (TH_OF_POST_ONLY / TH_TIF_GTX) is sent to Binance USD-M only on limit orders (GTX)");
  if (takes_tif) p.time_in_force = post_only ? "GTX" : tif;
  if (req.flags & TH_OF_REDUCE_ONLY) p.reduce_only = "true";
  if (usdm_algo_type(req.type)) {
    // "New Algo Order": algoType "Only support CONDITIONAL"; the host's client order id is the
    // clientAlgoId, by which the order is cancelled and looked up ("Cancel Algo Order", "Query
    // Algo Order").
    p.algo_type = "CONDITIONAL";
    p.working_type.assign(options.working_type);
  }
  if (!prices(req, scales, limit_price, trigger, p, p.trigger_price, why)) return false;
  out = std::move(p);
  return true;
}

int32_t th_order_type(std::string_view t, Venue venue) {
  if (t == "MARKET") return TH_ORD_MARKET;
  if (t == "LIMIT" || t == "LIMIT_MAKER") return TH_ORD_LIMIT;
  if (t == "STOP_LOSS" || t == "STOP_MARKET") return TH_ORD_STOP_MARKET;
  if (t == "STOP_LOSS_LIMIT" || t == "STOP") return TH_ORD_STOP_LIMIT;
  if (t == "TAKE_PROFIT") return venue == Venue::Spot ? TH_ORD_TAKE_PROFIT_MARKET : TH_ORD_TAKE_PROFIT_LIMIT;
  if (t == "TAKE_PROFIT_MARKET") return TH_ORD_TAKE_PROFIT_MARKET;
  if (t == "TAKE_PROFIT_LIMIT") return TH_ORD_TAKE_PROFIT_LIMIT;
  if (t == "TRAILING_STOP_MARKET") return TH_ORD_TRAILING_STOP;
  return 0;
}

int32_t th_side(std::string_view s) {
  if (s == "BUY") return TH_SIDE_BUY;
  if (s == "SELL") return TH_SIDE_SELL;
  return 0;
}

}  // namespace tradehost::binance
