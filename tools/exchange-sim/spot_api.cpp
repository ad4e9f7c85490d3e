#include "spot_api.hpp"

#include "capture_market.hpp"
#include "spot_json.hpp"

#include <spdlog/spdlog.h>

namespace tradehost::exchange_sim {

namespace {

// Weight of GET /api/v3/depth by limit (rest-api.md 2023-06-07, "Order book").
int depth_weight(int64_t limit) {
  if (limit <= 100) return 1;
  if (limit <= 500) return 5;
  if (limit <= 1000) return 10;
  return 50;
}

// Candle mode: the candle file with the configured rules; capture mode: the recording's symbols,
// the first `start_index` frames replayed before anyone listens.
SpotExchange make_exchange(const SimConfig& c) {
  if (c.capture.empty())
    return SpotExchange(load_candle_csv(c.candle_file, c.rules->tick_size), *c.rules, c.model, c.start_index);
  CaptureSetup setup = open_capture(c.capture, Venue::Spot);
  SpotExchange ex(std::move(setup.market), std::move(setup.symbols), c.model);
  ex.advance(c.start_index, c.clock());
  return ex;
}

}  // namespace

SpotApi::SpotApi(const SimConfig& config, ListenKeys& listen_keys)
    : VenueApi(config, listen_keys), exchange_(make_exchange(config)) {
  for (const auto& [key, secret] : config.keys) exchange_.add_account(key, config.balances);
}

std::vector<OrderWindow> SpotApi::order_windows() const {
  return {{10000, config_.limits.orders_per_10s, "X-MBX-ORDER-COUNT-10s", "10 SECOND"},
          {86400000, config_.limits.orders_per_day, "X-MBX-ORDER-COUNT-1d", "1 DAY"}};
}

void SpotApi::connect_user(StreamHub& hub) {
  exchange_.on_user_event([this, &hub](const UserEvent& e) {
    publish_user(hub, e.account, user_event_json(exchange_.rules(e.order.symbol), e));
  });
}

std::string SpotApi::render_order(const Order& o) const { return order_json(exchange_.rules(o.symbol), o); }

std::string SpotApi::render_open_orders(const std::vector<Order>& orders) const {
  return open_orders_json(exchange_, orders);
}

std::string SpotApi::render_trades(const std::vector<Fill>& fills) const {
  return my_trades_json(fills.empty() ? exchange_.rules() : exchange_.rules(fills.front().symbol), fills);
}

std::optional<Route> SpotApi::route(const std::string& m, const std::string& path, const Params& params) {
  using S = Route::Security;
  std::optional<int64_t> limit;
  long_param(params, "limit", limit);
  if (m == "GET" && path == "/api/v3/ping") return to(S::None, 1, &SpotApi::ping);
  if (m == "GET" && path == "/api/v3/time") return to(S::None, 1, &SpotApi::server_time);
  if (m == "GET" && path == "/api/v3/exchangeInfo") return to(S::None, 10, &SpotApi::exchange_info);
  if (m == "GET" && path == "/api/v3/depth")
    return Route{S::None, depth_weight(limit.value_or(100)), false, [this](const ApiCall& c) { return depth(c, 100); }};
  if (m == "GET" && path == "/api/v3/klines")
    return Route{S::None, 1, false, [this](const ApiCall& c) { return klines(c, 1000); }};
  if (m == "POST" && path == "/api/v3/order") {
    Route route = to(S::Signed, 1, &SpotApi::new_order);
    route.places_order = true;
    return route;
  }
  if (m == "DELETE" && path == "/api/v3/order") return to(S::Signed, 1, &SpotApi::cancel_order);
  if (m == "GET" && path == "/api/v3/order") return to(S::Signed, 2, &SpotApi::query_order);
  if (m == "GET" && path == "/api/v3/openOrders") return to(S::Signed, param(params, "symbol") ? 3 : 40, &SpotApi::open_orders);
  if (m == "GET" && path == "/api/v3/allOrders") return to(S::Signed, 20, &SpotApi::all_orders);
  if (m == "GET" && path == "/api/v3/account") return to(S::Signed, 10, &SpotApi::account);
  if (m == "GET" && path == "/api/v3/myTrades") return to(S::Signed, 10, &SpotApi::trade_list);
  if ((m == "POST" || m == "PUT" || m == "DELETE") && path == "/api/v3/userDataStream")
    return to(S::ApiKey, 1, &SpotApi::user_data_stream);
  return std::nullopt;
}

HttpResponse SpotApi::exchange_info(const ApiCall& call) {
  const std::string* s = param(call.params, "symbol");
  if (s && exchange_.find_rules(*s) == nullptr) return error_response({400, -1121, "Invalid symbol."});
  if (const CaptureMarket* capture = exchange_.capture())
    return json_response(200, recorded_exchange_info_json(capture->recording(), config_.limits, call.now_ms,
                                                          s ? *s : std::string()));
  return json_response(200, exchange_info_json(exchange_.rules(), config_.limits, call.now_ms));
}

HttpResponse SpotApi::account(const ApiCall& call) { return json_response(200, account_json(exchange_, call.account)); }

HttpResponse SpotApi::new_order(const ApiCall& call) {
  const Params& p = call.params;
  auto fail = [](const ApiError& e) { return error_response(e); };
  NewOrder o;
  std::string type;
  if (auto e = new_order_basics(call, o, type)) return fail(*e);
  if (type == "LIMIT") o.type = OrderType::Limit;
  else if (type == "MARKET") o.type = OrderType::Market;
  else if (type == "LIMIT_MAKER") o.type = OrderType::LimitMaker;
  else if (type == "STOP_LOSS") return fail({400, -2010, "Stop loss orders are not supported for this symbol."});
  else if (type == "STOP_LOSS_LIMIT") return fail({400, -2010, "Stop loss limit orders are not supported for this symbol."});
  else if (type == "TAKE_PROFIT") return fail({400, -2010, "Take profit orders are not supported for this symbol."});
  else if (type == "TAKE_PROFIT_LIMIT") return fail({400, -2010, "Take profit limit orders are not supported for this symbol."});
  else return fail({400, -1116, "Invalid orderType."});

  if (o.type == OrderType::Limit) {
    if (auto e = time_in_force_param(p, false, o.tif)) return fail(*e);
  } else if (param(p, "timeInForce") != nullptr) {
    return fail(not_required("timeInForce"));
  }
  const bool has_qty = param(p, "quantity") != nullptr, has_quote = param(p, "quoteOrderQty") != nullptr;
  if (o.type == OrderType::Market) {
    if (has_qty == has_quote)
      return has_qty ? fail(not_required("quoteOrderQty")) : fail(one_of_mandatory("quantity", "quoteOrderQty"));
    if (param(p, "price")) return fail(not_required("price"));
  } else {
    if (!has_qty) return fail(mandatory("quantity"));
    if (has_quote) return fail(not_required("quoteOrderQty"));
    if (auto e = decimal_param(p, "price", o.price)) return fail(*e);
  }
  if (has_qty)
    if (auto e = decimal_param(p, "quantity", o.qty)) return fail(*e);
  if (has_quote)
    if (auto e = decimal_param(p, "quoteOrderQty", o.quote_order_qty)) return fail(*e);
  // "MARKET and LIMIT order types default to FULL, all other orders default to ACK."
  OrderResponseType resp = o.type == OrderType::LimitMaker ? OrderResponseType::Ack : OrderResponseType::Full;
  if (const std::string* rt = param(p, "newOrderRespType")) {
    if (*rt == "ACK") resp = OrderResponseType::Ack;
    else if (*rt == "RESULT") resp = OrderResponseType::Result;
    else if (*rt == "FULL") resp = OrderResponseType::Full;
    else return fail({400, -1130, "Data sent for parameter 'newOrderRespType' is not valid."});
  }
  Placement placed;
  auto e = exchange_.place_order(o, call.now_ms, placed);
  log_placement(call, e, placed);
  if (e) return fail(*e);
  return json_response(200, new_order_json(exchange_.rules(placed.order.symbol), placed, resp));
}

HttpResponse SpotApi::cancel_order(const ApiCall& call) {
  const Params& p = call.params;
  const SymbolRules* symbol = nullptr;
  if (auto e = symbol_param(p, exchange_, symbol)) return error_response(*e);
  std::optional<int64_t> id;
  std::string orig;
  if (auto e = cancel_target(call, *symbol, id, orig)) return error_response(*e);
  const std::string* cid = param(p, "newClientOrderId");
  std::string cancel_id = cid ? *cid : std::string();
  Order out;
  if (auto e = exchange_.cancel_order(call.account, id, orig, cancel_id, call.now_ms, out)) return error_response(*e);
  spdlog::info("order canceled account={} id={}", call.account, out.order_id);
  return json_response(200, cancel_json(*symbol, out, cancel_id));
}

HttpResponse SpotApi::user_data_stream(const ApiCall& call) {
  const std::string* key = param(call.params, "listenKey");
  if (call.method != "POST" && key == nullptr) return error_response(mandatory("listenKey"));
  std::string opened;
  if (auto e = listen_key_request(call, key ? *key : std::string(), opened)) return error_response(*e);
  return json_response(200, opened.empty() ? "{}" : "{\"listenKey\":\"" + opened + "\"}");
}

}  // namespace tradehost::exchange_sim
