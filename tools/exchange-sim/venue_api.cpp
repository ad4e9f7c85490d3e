#include "venue_api.hpp"

#include "capture_market.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tradehost::exchange_sim {

void VenueApi::connect(StreamHub& hub) {
  hub_ = &hub;
  MatchingEngine& ex = engine();
  if (ex.capture() != nullptr) {
    // Capture mode: each step is one recorded frame, published on its own stream as recorded.
    ex.on_market_event([&hub](const MarketEvent& m) {
      if (m.depth && hub.take_depth_gap()) return;
      if (hub.has_subscribers(m.stream)) hub.publish(m.stream, m.payload);
    });
    connect_user(hub);
    return;
  }
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
  if (const CaptureMarket* capture = ex.capture()) {
    const auto& streams = capture->recording().streams;
    return std::find(streams.begin(), streams.end(), name) != streams.end();
  }
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
  const SymbolRules* symbol = nullptr;
  if (auto e = symbol_param(call.params, ex, symbol)) return error_response(*e);
  std::optional<int64_t> limit;
  if (auto e = long_param(call.params, "limit", limit)) return error_response(*e);
  int64_t levels = std::clamp<int64_t>(limit.value_or(default_limit), 1, 5000);
  levels = std::min<int64_t>(levels, static_cast<int64_t>(ex.market().max_depth()));
  return json_response(200, depth_json(ex, venue(), symbol->symbol, static_cast<int>(levels), call.now_ms));
}

HttpResponse VenueApi::klines(const ApiCall& call, int64_t max_limit) {
  const CaptureMarket* capture = engine().capture();
  size_t first = 0, last = 0;
  if (capture == nullptr) {
    if (auto e = select_klines(engine(), call.params, max_limit, first, last)) return error_response(*e);
    return json_response(200, klines_json(engine(), first, last));
  }
  const SymbolRules* symbol = nullptr;
  if (auto e = symbol_param(call.params, engine(), symbol)) return error_response(*e);
  const std::string* interval = param(call.params, "interval");
  if (interval == nullptr) return error_response(mandatory("interval"));
  const std::string stream = lower(symbol->symbol) + "@kline_" + *interval;
  const auto& streams = capture->recording().streams;
  if (std::find(streams.begin(), streams.end(), stream) == streams.end())
    return error_response({400, -1120, "Invalid interval."});
  const auto& rows = capture->klines(symbol->symbol);
  std::vector<int64_t> open_times;
  for (const RecordedKline& k : rows) open_times.push_back(k.open_time_ms);
  if (auto e = select_kline_rows(open_times, call.params, max_limit, first, last)) return error_response(*e);
  return json_response(200, recorded_klines_json(rows, first, last));
}

std::optional<ApiError> VenueApi::new_order_basics(const ApiCall& call, NewOrder& o, std::string& type) const {
  const Params& p = call.params;
  const SymbolRules* symbol = nullptr;
  if (auto e = symbol_param(p, engine(), symbol)) return e;
  o.symbol = symbol->symbol;
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
  const SymbolRules* symbol = nullptr;
  if (auto e = symbol_param(call.params, engine(), symbol)) return error_response(*e);
  std::optional<int64_t> id;
  std::string orig;
  if (auto e = order_ref(call.params, id, orig)) return error_response(*e);
  const Order* o = engine().find_order(call.account, id, orig);
  if (o == nullptr || o->symbol != symbol->symbol) return error_response({400, -2013, "Order does not exist."});
  return json_response(200, render_order(*o));
}

HttpResponse VenueApi::open_orders(const ApiCall& call) {
  std::vector<Order> orders = engine().open_orders(call.account);
  if (param(call.params, "symbol")) {
    const SymbolRules* symbol = nullptr;
    if (auto e = symbol_param(call.params, engine(), symbol)) return error_response(*e);
    std::erase_if(orders, [&](const Order& o) { return o.symbol != symbol->symbol; });
  }
  return json_response(200, render_open_orders(orders));
}

HttpResponse VenueApi::all_orders(const ApiCall& call) {
  // symbol is mandatory here (rest-api.md, "All orders (USER_DATA)").
  const SymbolRules* symbol = nullptr;
  if (auto e = symbol_param(call.params, engine(), symbol)) return error_response(*e);
  std::vector<Order> orders = engine().all_orders(call.account);
  std::erase_if(orders, [&](const Order& o) { return o.symbol != symbol->symbol; });
  return json_response(200, render_open_orders(orders));
}

HttpResponse VenueApi::trade_list(const ApiCall& call) {
  const SymbolRules* symbol = nullptr;
  if (auto e = symbol_param(call.params, engine(), symbol)) return error_response(*e);
  std::vector<Fill> all = engine().trades(call.account);
  std::erase_if(all, [&](const Fill& f) { return f.symbol != symbol->symbol; });
  std::vector<Fill> rows;
  if (auto e = select_trades(all, call.params, rows)) return error_response(*e);
  return json_response(200, render_trades(rows));
}

std::optional<ApiError> VenueApi::cancel_target(const ApiCall& call, const SymbolRules& symbol,
                                                std::optional<int64_t>& id, std::string& orig) const {
  if (auto e = order_ref(call.params, id, orig)) return e;
  const Order* o = engine().find_order(call.account, id, orig);
  if (o == nullptr || !o->is_open() || o->symbol != symbol.symbol) return ApiError{400, -2011, "Unknown order sent."};
  return std::nullopt;
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
