#include "usdm_api.hpp"

#include "capture_market.hpp"
#include "usdm_json.hpp"

#include <spdlog/spdlog.h>

#include <vector>

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

// "Either algoId or clientAlgoId must be sent." The Cancel page's table spells them "algoid" and
// "clientalgoid", Query's (and the WebSocket API's examples) in camel case: both are taken.
std::optional<ApiError> algo_ref(const Params& p, std::optional<int64_t>& id, std::string& client_id) {
  for (const char* name : {"algoId", "algoid"}) {
    if (auto e = long_param(p, name, id)) return e;
    if (id) break;
  }
  for (const char* name : {"clientAlgoId", "clientalgoid"})
    if (const std::string* v = param(p, name)) {
      client_id = *v;
      break;
    }
  if (!id && client_id.empty()) return one_of_mandatory("algoId", "clientAlgoId");
  return std::nullopt;
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
  exchange_.on_algo_update([this, &hub](const AlgoOrder& a, int64_t time_ms) {
    publish_user(hub, a.account, algo_update_json(exchange_.rules(a.symbol), a, time_ms));
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
  if (m == "POST" && path == "/fapi/v1/algoOrder") {
    // "New Algo Order": "0 on IP rate limit(x-mbx-used-weight-1m)", 1 on each ORDERS window.
    Route route = to(S::Signed, 0, &UsdmApi::new_algo_order);
    route.places_order = true;
    return route;
  }
  if (m == "DELETE" && path == "/fapi/v1/algoOrder") return to(S::Signed, 1, &UsdmApi::cancel_algo_order);
  if (m == "GET" && path == "/fapi/v1/algoOrder") return to(S::Signed, 1, &UsdmApi::query_algo_order);
  if (m == "GET" && path == "/fapi/v1/openAlgoOrders")
    return to(S::Signed, param(params, "symbol") ? 1 : 40, &UsdmApi::open_algo_orders);
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
  else if (type == "STOP" || type == "STOP_MARKET" || type == "TAKE_PROFIT" || type == "TAKE_PROFIT_MARKET" ||
           type == "TRAILING_STOP_MARKET")
    // Since 2025-12 the conditional types are algo orders (POST /fapi/v1/algoOrder); the live
    // venue refuses them here with this answer (the stored "Error Codes" page predates it).
    return fail({400, -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."});
  else return fail({400, -1116, "Invalid orderType."});

  if (o.type == OrderType::Limit) {
    if (auto e = time_in_force_param(p, true, o.tif)) return fail(*e);
    if (auto e = decimal_param(p, "price", o.price)) return fail(*e);
  } else if (param(p, "price")) {
    return fail(not_required("price"));
  }
  // The conditional parameters belong to the algo types.
  for (const char* name : {"stopPrice", "closePosition", "activationPrice", "callbackRate"})
    if (param(p, name)) return fail(not_required(name));
  if (auto e = bool_param(p, "reduceOnly", o.reduce_only)) return fail(*e);
  if (auto e = decimal_param(p, "quantity", o.qty)) return fail(*e);
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

// "New Algo Order(TRADE)". Mandatory: algoType (CONDITIONAL), symbol, side, type; triggerPrice for
// all but TRAILING_STOP_MARKET, price for STOP / TAKE_PROFIT, callbackRate (0.1..10, "1 for 1%")
// for TRAILING_STOP_MARKET; quantity unless closePosition=true (STOP_MARKET / TAKE_PROFIT_MARKET
// only; "Cannot be sent with quantity", reduceOnly "cannot be sent with closePosition=true").
// timeInForce "IOC or GTC or FOK, default GTC". clientAlgoId: newClientOrderId's legal range.
// priceMatch, goodTillDate (GTD) and positionSide LONG / SHORT are not simulated.
HttpResponse UsdmApi::new_algo_order(const ApiCall& call) {
  const Params& p = call.params;
  auto fail = [](const ApiError& e) { return error_response(e); };
  const SymbolRules* symbol = nullptr;
  if (auto e = symbol_param(p, exchange_, symbol)) return fail(*e);
  const std::string* algo_type = param(p, "algoType");
  const std::string* side = param(p, "side");
  const std::string* type = param(p, "type");
  if (algo_type == nullptr) return fail(mandatory("algoType"));
  if (*algo_type != "CONDITIONAL") return fail({400, -1130, "Data sent for parameter 'algoType' is not valid."});
  if (side == nullptr) return fail(mandatory("side"));
  if (type == nullptr) return fail(mandatory("type"));
  NewAlgoOrder o;
  o.account = call.account;
  o.symbol = symbol->symbol;
  if (*side == "BUY") o.side = Side::Buy;
  else if (*side == "SELL") o.side = Side::Sell;
  else return fail({400, -1117, "Invalid side."});
  if (*type == "STOP_MARKET") o.type = AlgoOrderType::StopMarket;
  else if (*type == "TAKE_PROFIT_MARKET") o.type = AlgoOrderType::TakeProfitMarket;
  else if (*type == "STOP") o.type = AlgoOrderType::Stop;
  else if (*type == "TAKE_PROFIT") o.type = AlgoOrderType::TakeProfit;
  else if (*type == "TRAILING_STOP_MARKET") o.type = AlgoOrderType::TrailingStopMarket;
  else return fail({400, -1116, "Invalid orderType."});
  if (const std::string* ps = param(p, "positionSide"); ps && *ps != "BOTH")
    return fail({400, -4061, "Order's position side does not match user's setting."});
  const bool limit = o.type == AlgoOrderType::Stop || o.type == AlgoOrderType::TakeProfit;
  const bool trailing = o.type == AlgoOrderType::TrailingStopMarket;
  if (param(p, "timeInForce")) {
    if (auto e = time_in_force_param(p, false, o.tif)) return fail(*e);
  }
  if (limit) {
    if (auto e = decimal_param(p, "price", o.price)) return fail(*e);
  } else if (param(p, "price")) {
    return fail(not_required("price"));
  }
  if (!trailing) {
    if (auto e = decimal_param(p, "triggerPrice", o.trigger_price)) return fail(*e);
    for (const char* name : {"activatePrice", "callbackRate"})
      if (param(p, name)) return fail(not_required(name));
  } else {
    if (param(p, "triggerPrice")) return fail(not_required("triggerPrice"));
    if (param(p, "activatePrice"))
      if (auto e = decimal_param(p, "activatePrice", o.activate_price)) return fail(*e);
    if (auto e = decimal_param(p, "callbackRate", o.callback_rate)) return fail(*e);
    if (o.callback_rate < 10000000 || o.callback_rate > 1000000000 || o.callback_rate % 10000000 != 0)
      return fail({400, -1130, "Data sent for parameter 'callbackRate' is not valid."});
  }
  if (auto e = bool_param(p, "reduceOnly", o.reduce_only)) return fail(*e);
  if (auto e = bool_param(p, "closePosition", o.close_position)) return fail(*e);
  if (o.close_position) {
    if (o.type != AlgoOrderType::StopMarket && o.type != AlgoOrderType::TakeProfitMarket)
      return fail(not_required("closePosition"));
    if (param(p, "quantity")) return fail(not_required("quantity"));
    if (param(p, "reduceOnly")) return fail(not_required("reduceOnly"));
  } else if (auto e = decimal_param(p, "quantity", o.qty)) {
    return fail(*e);
  }
  if (const std::string* wt = param(p, "workingType")) {
    if (*wt == "MARK_PRICE") o.working_type = WorkingType::MarkPrice;
    else if (*wt != "CONTRACT_PRICE") return fail({400, -4031, "Invalid parameter working type: " + *wt});
  }
  if (const std::string* rt = param(p, "newOrderRespType"); rt && *rt != "ACK" && *rt != "RESULT")
    return fail({400, -1130, "Data sent for parameter 'newOrderRespType' is not valid."});
  if (const std::string* id = param(p, "clientAlgoId")) {
    Params renamed{{"newClientOrderId", *id}};
    if (auto e = client_order_id_param(renamed, o.client_algo_id)) {
      e->msg.replace(e->msg.find("newClientOrderId"), 16, "clientAlgoId");
      return fail(*e);
    }
  }
  AlgoOrder placed;
  auto e = exchange_.place_algo_order(o, call.now_ms, placed);
  if (e) {
    spdlog::info("algo order rejected account={} code={} reason={}", call.account, e->code, e->msg);
    return fail(*e);
  }
  spdlog::info("algo order placed account={} algo_id={} symbol={} type={}", call.account, placed.algo_id,
               placed.symbol, to_string(placed.type));
  return json_response(200, usdm_new_algo_order_json(exchange_.rules(placed.symbol), placed));
}

HttpResponse UsdmApi::cancel_algo_order(const ApiCall& call) {
  std::optional<int64_t> id;
  std::string client_id;
  if (auto e = algo_ref(call.params, id, client_id)) return error_response(*e);
  AlgoOrder out;
  if (auto e = exchange_.cancel_algo_order(call.account, id, client_id, call.now_ms, out)) return error_response(*e);
  spdlog::info("algo order canceled account={} algo_id={}", call.account, out.algo_id);
  return json_response(200, usdm_algo_cancel_json(out));
}

HttpResponse UsdmApi::query_algo_order(const ApiCall& call) {
  std::optional<int64_t> id;
  std::string client_id;
  if (auto e = algo_ref(call.params, id, client_id)) return error_response(*e);
  const AlgoOrder* a = exchange_.find_algo_order(call.account, id, client_id);
  if (a == nullptr) return error_response({400, -2013, "Order does not exist."});
  return json_response(200, usdm_algo_order_json(exchange_.rules(a->symbol), *a));
}

HttpResponse UsdmApi::open_algo_orders(const ApiCall& call) {
  const Params& p = call.params;
  const SymbolRules* symbol = nullptr;
  if (param(p, "symbol"))
    if (auto e = symbol_param(p, exchange_, symbol)) return error_response(*e);
  if (const std::string* t = param(p, "algoType"); t && *t != "CONDITIONAL")
    return error_response({400, -1130, "Data sent for parameter 'algoType' is not valid."});
  std::optional<int64_t> algo_id;
  if (auto e = long_param(p, "algoId", algo_id)) return error_response(*e);
  std::vector<AlgoOrder> open = exchange_.open_algo_orders(call.account, symbol ? symbol->symbol : std::string());
  if (algo_id) std::erase_if(open, [&](const AlgoOrder& a) { return a.algo_id != *algo_id; });
  return json_response(200, usdm_open_algo_orders_json(exchange_, open));
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
