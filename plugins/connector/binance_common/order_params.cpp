#include "order_params.hpp"

#include <tradehost/fixed.hpp>

namespace tradehost::binance {

void append_order_params(const OrderParams& p, QueryString& q) {
  const std::pair<const char*, const std::string*> fields[] = {
      {"symbol", &p.symbol},         {"side", &p.side},
      {"type", &p.type},             {"timeInForce", &p.time_in_force},
      {"quantity", &p.quantity},     {"price", &p.price},
      {"stopPrice", &p.stop_price},  {"newClientOrderId", &p.client_order_id},
      {"newOrderRespType", &p.response_type}};
  for (const auto& [key, value] : fields)
    if (!value->empty()) q.add(key, *value);
}

bool spot_order_params(const th_order_request& req, std::string_view symbol, Scales scales,
                       std::string_view client_order_id, OrderParams& out, std::string& why) {
  auto fail = [&](std::string text) {
    why = std::move(text);
    return false;
  };
  if (scales.price_scale < 0 || scales.price_scale > 18 || scales.qty_scale < 0 || scales.qty_scale > 18)
    return fail("instrument scales are outside 0..18");
  OrderParams p;
  p.symbol.assign(symbol);
  p.client_order_id.assign(client_order_id);
  if (req.side == TH_SIDE_BUY)
    p.side = "BUY";
  else if (req.side == TH_SIDE_SELL)
    p.side = "SELL";
  else
    return fail("side must be TH_SIDE_BUY or TH_SIDE_SELL");
  if (req.qty <= 0) return fail("quantity must be positive");
  if (req.flags & TH_OF_REDUCE_ONLY) return fail("Binance spot has no reduce-only orders");
  const bool post_only = (req.flags & TH_OF_POST_ONLY) || req.tif == TH_TIF_GTX;
  const char* tif = nullptr;
  switch (req.tif) {
    case 0:
    case TH_TIF_GTC: tif = "GTC"; break;
    case TH_TIF_IOC: tif = "IOC"; break;
    case TH_TIF_FOK: tif = "FOK"; break;
    case TH_TIF_GTX: break;
    default: return fail("unknown time in force " + std::to_string(req.tif));
  }
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
      return fail("Binance spot has no trailing-stop order type (its trailingDelta rides on STOP_LOSS / "
                  "TAKE_PROFIT orders, which this request cannot express); use a stop order");
    default: return fail("unknown order type " + std::to_string(req.type));
  }
  if (post_only && req.type != TH_ORD_LIMIT)
    return fail("post-only (TH_OF_POST_ONLY / TH_TIF_GTX) exists on Binance spot only for limit orders (LIMIT_MAKER)");
  if (takes_tif) p.time_in_force = tif;
  p.quantity = format_fixed_trimmed(req.qty, scales.qty_scale);
  if (limit_price) {
    if (req.price <= 0) return fail("a " + p.type + " order needs a positive limit price");
    p.price = format_fixed_trimmed(req.price, scales.price_scale);
  }
  if (trigger) {
    if (req.trigger_price <= 0) return fail("a " + p.type + " order needs a positive trigger price");
    p.stop_price = format_fixed_trimmed(req.trigger_price, scales.price_scale);
  }
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
