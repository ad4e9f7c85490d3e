#include "usdm_api.hpp"

#include "capture_market.hpp"
#include "usdm_json.hpp"

#include <spdlog/spdlog.h>

namespace tradehost::exchange_sim {

namespace {

// Weight of GET /fapi/v1/depth by limit ("Order Book": 5, 10, 20, 50 -> 2; 100 -> 5; 500 -> 10;
// 1000 -> 20).
int depth_weight(int64_t limit) {
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}

// Weight of GET /fapi/v1/klines by limit ("Kline/Candlestick Data": [1,100) 1, [100,500) 2,
// [500,1000] 5, > 1000 10).
int klines_weight(int64_t limit) {
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}


// Candle mode: the candle file with the configured rules; capture mode: the recording's symbols,
// the first `start_index` frames replayed before anyone listens.
UsdmExchange make_exchange(const SimConfig& c) {
  if (c.capture.empty())
    return UsdmExchange(load_candle_csv(c.candle_file, c.rules->tick_size), *c.rules, c.model, c.start_index);
  CaptureSetup setup = open_capture(c.capture, Venue::UsdM);
  UsdmExchange ex(std::move(setup.market), std::move(setup.symbols), c.model);
  ex.advance(c.start_index, c.clock());
  return ex;
}

}  // namespace

UsdmApi::UsdmApi(const SimConfig& config, ListenKeys& listen_keys)
    : VenueApi(config, listen_keys), exchange_(make_exchange(config)) {
  // The margin asset of every symbol is the first one's (USDT).
  auto usdt = config.balances.find(exchange_.rules().quote_asset);
  for (const auto& [key, secret] : config.keys)
    exchange_.add_account(key, usdt == config.balances.end() ? 0 : usdt->second);
}

std::vector<OrderWindow> UsdmApi::order_windows() const {
  return {{10000, config_.limits.orders_per_10s, "X-MBX-ORDER-COUNT-10S", "10 SECOND"},
          {60000, config_.limits.orders_per_minute, "X-MBX-ORDER-COUNT-1M", "1 MINUTE"}};
}

void UsdmApi::connect_user(StreamHub& hub) {
  exchange_.on_user_event([this, &hub](const UserEvent& e) {
    if (e.kind == UserEvent::Kind::Execution) publish_user(hub, e.account, order_trade_update_json(exchange_, e));
  });
  exchange_.on_account_update([this, &hub](const AccountUpdate& u) {
    publish_user(hub, u.account, account_update_json(exchange_.rules(u.position.symbol), u));
  });
}

std::string UsdmApi::render_order(const Order& o) const { return usdm_order_json(exchange_.rules(o.symbol), o); }

std::string UsdmApi::render_open_orders(const std::vector<Order>& orders) const {
  return usdm_open_orders_json(exchange_, orders);
}

std::string UsdmApi::render_trades(const std::vector<Fill>& fills) const {
  return usdm_user_trades_json(exchange_, fills);
}

std::optional<Route> UsdmApi::route(const std::string& m, const std::string& path, const Params& params) {
  using S = Route::Security;
  std::optional<int64_t> limit;
  long_param(params, "limit", limit);
  if (m == "GET" && path == "/fapi/v1/ping") return to(S::None, 1, &UsdmApi::ping);
  if (m == "GET" && path == "/fapi/v1/time") return to(S::None, 1, &UsdmApi::server_time);
  if (m == "GET" && path == "/fapi/v1/exchangeInfo") return to(S::None, 1, &UsdmApi::exchange_info);
  if (m == "GET" && path == "/fapi/v1/depth")
    return Route{S::None, depth_weight(limit.value_or(500)), false, [this](const ApiCall& c) { return depth(c, 500); }};
  if (m == "GET" && path == "/fapi/v1/klines")
    return Route{S::None, klines_weight(limit.value_or(500)), false, [this](const ApiCall& c) { return klines(c, 1500); }};
  if (m == "POST" && path == "/fapi/v1/order") {
    // "0 on IP rate limit(x-mbx-used-weight-1m)"; it counts against the ORDERS limits instead.
    Route route = to(S::Signed, 0, &UsdmApi::new_order);
    route.places_order = true;
    return route;
  }
  if (m == "DELETE" && path == "/fapi/v1/order") return to(S::Signed, 1, &UsdmApi::cancel_order);
  if (m == "GET" && path == "/fapi/v1/order") return to(S::Signed, 1, &UsdmApi::query_order);
  if (m == "GET" && path == "/fapi/v1/openOrders") return to(S::Signed, param(params, "symbol") ? 1 : 40, &UsdmApi::open_orders);
  if (m == "GET" && path == "/fapi/v2/account") return to(S::Signed, 5, &UsdmApi::account);
  if (m == "GET" && path == "/fapi/v2/positionRisk") return to(S::Signed, 5, &UsdmApi::position_risk);
  if (m == "GET" && path == "/fapi/v1/userTrades") return to(S::Signed, 5, &UsdmApi::trade_list);
  if (m == "POST" && path == "/fapi/v1/leverage") return to(S::Signed, 1, &UsdmApi::leverage);
  if (m == "POST" && path == "/fapi/v1/marginType") return to(S::Signed, 1, &UsdmApi::margin_type);
  if ((m == "POST" || m == "PUT" || m == "DELETE") && path == "/fapi/v1/listenKey")
    return to(S::ApiKey, 1, &UsdmApi::listen_key);
  return std::nullopt;
}

HttpResponse UsdmApi::exchange_info(const ApiCall& call) {
  if (const CaptureMarket* capture = exchange_.capture())
    return json_response(200, usdm_recorded_exchange_info_json(capture->recording(), config_.limits, call.now_ms));
  return json_response(200, usdm_exchange_info_json(exchange_.rules(), config_.limits, call.now_ms));
}

HttpResponse UsdmApi::account(const ApiCall& call) {
  return json_response(200, usdm_account_json(exchange_, call.account));
}

HttpResponse UsdmApi::position_risk(const ApiCall& call) {
  const SymbolRules* symbol = nullptr;
  if (param(call.params, "symbol"))
    if (auto e = symbol_param(call.params, exchange_, symbol)) return error_response(*e);
  return json_response(200, usdm_position_risk_json(exchange_, call.account, symbol ? symbol->symbol : std::string()));
}

HttpResponse UsdmApi::new_order(const ApiCall& call) {
  const Params& p = call.params;
  auto fail = [](const ApiError& e) { return error_response(e); };
  NewOrder o;
  std::string type;
  if (auto e = new_order_basics(call, o, type)) return fail(*e);
  // One-way mode only: positionSide may be omitted or BOTH ("Default BOTH for One-way Mode").
  if (const std::string* ps = param(p, "positionSide"); ps && *ps != "BOTH")
    return fail({400, -4061, "Order's position side does not match user's setting."});
  if (type == "LIMIT") o.type = OrderType::Limit;
  else if (type == "MARKET") o.type = OrderType::Market;
  else if (type == "STOP_MARKET") o.type = OrderType::StopMarket;
  else if (type == "TAKE_PROFIT_MARKET") o.type = OrderType::TakeProfitMarket;
  else return fail({400, -1116, "Invalid orderType."});  // STOP, TAKE_PROFIT, TRAILING_STOP_MARKET: not simulated
  const bool conditional = o.type == OrderType::StopMarket || o.type == OrderType::TakeProfitMarket;

  if (o.type == OrderType::Limit) {
    if (auto e = time_in_force_param(p, true, o.tif)) return fail(*e);
    if (auto e = decimal_param(p, "price", o.price)) return fail(*e);
  } else if (param(p, "price")) {
    return fail(not_required("price"));
  }
  if (conditional) {
    if (auto e = decimal_param(p, "stopPrice", o.stop_price)) return fail(*e);
  } else if (param(p, "stopPrice")) {
    return fail(not_required("stopPrice"));
  }
  if (auto e = bool_param(p, "reduceOnly", o.reduce_only)) return fail(*e);
  if (auto e = bool_param(p, "closePosition", o.close_position)) return fail(*e);
  if (o.close_position) {
    // "Close-All, used with STOP_MARKET or TAKE_PROFIT_MARKET"; "Cannot be used with quantity
    // parameter"; "Cannot be sent ... with reduceOnly".
    if (!conditional) return fail(not_required("closePosition"));
    if (param(p, "quantity")) return fail(not_required("quantity"));
    if (param(p, "reduceOnly")) return fail(not_required("reduceOnly"));
  } else if (auto e = decimal_param(p, "quantity", o.qty)) {
    return fail(*e);
  }
  if (const std::string* wt = param(p, "workingType"); wt && *wt != "CONTRACT_PRICE" && *wt != "MARK_PRICE")
    return fail({400, -4031, "Invalid parameter working type: " + *wt});
  bool result = false;  // newOrderRespType "ACK", "RESULT", default ACK
  if (const std::string* rt = param(p, "newOrderRespType")) {
    if (*rt == "RESULT") result = true;
    else if (*rt != "ACK") return fail({400, -1130, "Data sent for parameter 'newOrderRespType' is not valid."});
  }
  Placement placed;
  auto e = exchange_.place_order(o, call.now_ms, placed);
  log_placement(call, e, placed);
  if (e) return fail(*e);
  return json_response(200, usdm_new_order_json(exchange_.rules(placed.order.symbol), placed, result));
}

HttpResponse UsdmApi::cancel_order(const ApiCall& call) {
  const SymbolRules* symbol = nullptr;
  if (auto e = symbol_param(call.params, exchange_, symbol)) return error_response(*e);
  std::optional<int64_t> id;
  std::string orig;
  if (auto e = cancel_target(call, *symbol, id, orig)) return error_response(*e);
  std::string cancel_id;
  Order out;
  if (auto e = exchange_.cancel_order(call.account, id, orig, cancel_id, call.now_ms, out)) return error_response(*e);
  spdlog::info("order canceled account={} id={}", call.account, out.order_id);
  return json_response(200, usdm_cancel_json(*symbol, out));
}

HttpResponse UsdmApi::leverage(const ApiCall& call) {
  const SymbolRules* symbol = nullptr;
  if (auto e = symbol_param(call.params, exchange_, symbol)) return error_response(*e);
  std::optional<int64_t> leverage;
  if (auto e = long_param(call.params, "leverage", leverage)) return error_response(*e);
  if (!leverage) return error_response(mandatory("leverage"));
  if (auto e = exchange_.set_leverage(call.account, *leverage, call.now_ms, symbol->symbol)) return error_response(*e);
  return json_response(200, usdm_leverage_json(exchange_, call.account, symbol->symbol));
}

HttpResponse UsdmApi::margin_type(const ApiCall& call) {
  const SymbolRules* symbol = nullptr;
  if (auto e = symbol_param(call.params, exchange_, symbol)) return error_response(*e);
  const std::string* type = param(call.params, "marginType");
  if (type == nullptr) return error_response(mandatory("marginType"));
  if (*type != "ISOLATED" && *type != "CROSSED")
    return error_response({400, -1130, "Data sent for parameter 'marginType' is not valid."});
  if (auto e = exchange_.set_margin_type(call.account, *type == "ISOLATED", call.now_ms, symbol->symbol))
    return error_response(*e);
  return json_response(200, R"({"code":200,"msg":"success"})");
}

HttpResponse UsdmApi::listen_key(const ApiCall& call) {
  // USDⓈ-M's PUT and DELETE take no listenKey parameter: they act on the account's active key.
  const std::string key = listen_keys_.key_of(call.account, call.now_ms);
  std::string opened;
  if (auto e = listen_key_request(call, key, opened)) return error_response(*e);
  if (call.method == "DELETE") return json_response(200, "{}");
  return json_response(200, "{\"listenKey\":\"" + (opened.empty() ? key : opened) + "\"}");
}

}  // namespace tradehost::exchange_sim
