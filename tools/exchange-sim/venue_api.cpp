#include "venue_api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tradehost::exchange_sim {

void VenueApi::connect(StreamHub& hub) {
  hub_ = &hub;
  MatchingEngine& ex = engine();
  const Venue v = venue();
  const std::string sym = lower(ex.rules().symbol);
  std::vector<std::string> depth_names;
  for (const auto& d : depth_streams()) depth_names.push_back(sym + "@" + d);
  ex.on_market_event([&hub, &ex, v, sym, depth_names](const MarketEvent& m) {
    const std::string kline = sym + "@kline_" + ex.series().interval;
    if (hub.has_subscribers(kline)) hub.publish(kline, kline_event_json(ex, m));
    if (hub.has_subscribers(sym + "@bookTicker")) hub.publish(sym + "@bookTicker", book_ticker_json(ex, v, m));
    if (hub.has_subscribers(sym + "@aggTrade")) hub.publish(sym + "@aggTrade", agg_trade_json(ex, v, m));
    // A depth gap fault swallows the step's diff on every depth stream at once: the book moved
    // (its update id advanced) but nobody hears about it.
    if (hub.take_depth_gap()) return;
    const std::string depth = depth_update_json(ex, v, m);
    for (const auto& name : depth_names) hub.publish(name, depth);
  });
  connect_user(hub);
}

bool VenueApi::valid_market_stream(const std::string& name) const {
  const MatchingEngine& ex = engine();
  const std::string sym = lower(ex.rules().symbol);
  if (name == sym + "@kline_" + ex.series().interval || name == sym + "@bookTicker" || name == sym + "@aggTrade")
    return true;
  for (const auto& d : depth_streams())
    if (name == sym + "@" + d) return true;
  return false;
}

void VenueApi::publish_user(StreamHub& hub, const std::string& account, const std::string& payload) const {
  std::string key = listen_keys_.key_of(account, config_.clock());
  if (!key.empty()) hub.publish(key, payload);
}

HttpResponse VenueApi::depth(const ApiCall& call, int64_t default_limit) {
  const MatchingEngine& ex = engine();
  if (auto e = check_symbol(call.params, ex.rules())) return error_response(*e);
  std::optional<int64_t> limit;
  if (auto e = long_param(call.params, "limit", limit)) return error_response(*e);
  int64_t levels = std::clamp<int64_t>(limit.value_or(default_limit), 1, 5000);
  levels = std::min<int64_t>(levels, ex.model().book_levels);
  return json_response(200, depth_json(ex, venue(), static_cast<int>(levels), call.now_ms));
}

HttpResponse VenueApi::klines(const ApiCall& call, int64_t max_limit) {
  size_t first = 0, last = 0;
  if (auto e = select_klines(engine(), call.params, max_limit, first, last)) return error_response(*e);
  return json_response(200, klines_json(engine(), first, last));
}

std::optional<ApiError> VenueApi::new_order_basics(const ApiCall& call, NewOrder& o, std::string& type) const {
  const Params& p = call.params;
  if (auto e = check_symbol(p, engine().rules())) return e;
  const std::string* side = param(p, "side");
  const std::string* t = param(p, "type");
  if (side == nullptr) return mandatory("side");
  if (t == nullptr) return mandatory("type");
  o.account = call.account;
  if (*side == "BUY") o.side = Side::Buy;
  else if (*side == "SELL") o.side = Side::Sell;
  else return ApiError{400, -1117, "Invalid side."};
  type = *t;
  return client_order_id_param(p, o.client_order_id);
}

std::optional<ApiError> VenueApi::time_in_force_param(const Params& p, bool allow_gtx, TimeInForce& out) {
  const std::string* tif = param(p, "timeInForce");
  if (tif == nullptr) return mandatory("timeInForce");
  if (*tif == "GTC") out = TimeInForce::GTC;
  else if (*tif == "IOC") out = TimeInForce::IOC;
  else if (*tif == "FOK") out = TimeInForce::FOK;
  else if (*tif == "GTX" && allow_gtx) out = TimeInForce::GTX;
  else return ApiError{400, -1115, "Invalid timeInForce."};
  return std::nullopt;
}

void VenueApi::log_placement(const ApiCall& call, const std::optional<ApiError>& error, const Placement& placed) {
  if (error)
    spdlog::info("order rejected account={} code={} reason={}", call.account, error->code, error->msg);
  else
    spdlog::info("order placed account={} id={} status={}", call.account, placed.order.order_id,
                 to_string(placed.order.status));
}

std::optional<ApiError> VenueApi::order_ref(const Params& p, std::optional<int64_t>& id, std::string& orig) {
  if (auto e = long_param(p, "orderId", id)) return e;
  const std::string* o = param(p, "origClientOrderId");
  if (!id && o == nullptr) return one_of_mandatory("origClientOrderId", "orderId");
  orig = o ? *o : std::string();
  return std::nullopt;
}

HttpResponse VenueApi::ping(const ApiCall&) { return json_response(200, "{}"); }

HttpResponse VenueApi::server_time(const ApiCall& call) {
  return json_response(200, "{\"serverTime\":" + std::to_string(call.now_ms) + "}");
}

HttpResponse VenueApi::query_order(const ApiCall& call) {
  if (auto e = check_symbol(call.params, engine().rules())) return error_response(*e);
  std::optional<int64_t> id;
  std::string orig;
  if (auto e = order_ref(call.params, id, orig)) return error_response(*e);
  const Order* o = engine().find_order(call.account, id, orig);
  if (o == nullptr) return error_response({400, -2013, "Order does not exist."});
  return json_response(200, render_order(*o));
}

HttpResponse VenueApi::open_orders(const ApiCall& call) {
  if (param(call.params, "symbol"))
    if (auto e = check_symbol(call.params, engine().rules())) return error_response(*e);
  return json_response(200, render_open_orders(engine().open_orders(call.account)));
}

HttpResponse VenueApi::all_orders(const ApiCall& call) {
  // symbol is mandatory here (rest-api.md, "All orders (USER_DATA)").
  if (!param(call.params, "symbol")) return error_response({400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."});
  if (auto e = check_symbol(call.params, engine().rules())) return error_response(*e);
  return json_response(200, render_open_orders(engine().all_orders(call.account)));
}

HttpResponse VenueApi::trade_list(const ApiCall& call) {
  if (auto e = check_symbol(call.params, engine().rules())) return error_response(*e);
  std::vector<Fill> rows;
  if (auto e = select_trades(engine().trades(call.account), call.params, rows)) return error_response(*e);
  return json_response(200, render_trades(rows));
}

std::optional<ApiError> VenueApi::listen_key_request(const ApiCall& call, const std::string& key,
                                                     std::string& opened) {
  if (call.method == "POST") {
    opened = listen_keys_.open(call.account, call.now_ms);
    return std::nullopt;
  }
  if (call.method == "PUT") return listen_keys_.keepalive(call.account, key, call.now_ms);
  if (auto e = listen_keys_.close(call.account, key, call.now_ms)) return e;
  if (hub_ != nullptr) hub_->drop_stream(key);
  return std::nullopt;
}

}  // namespace tradehost::exchange_sim
