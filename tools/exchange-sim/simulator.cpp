#include "simulator.hpp"

#include <tradehost/fixed.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <regex>

namespace tradehost::exchange_sim {

namespace {

constexpr int64_t kListenKeyLifetimeMs = 60 * 60 * 1000;  // "valid for 60 minutes"

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse error_response(const ApiError& e) { return json_response(e.http_status, error_json(e)); }

ApiError mandatory(const std::string& name) {
  return {400, -1102, "Mandatory parameter '" + name + "' was not sent, was empty/null, or malformed."};
}

ApiError not_required(const std::string& name) {
  return {400, -1106, "Parameter '" + name + "' sent when not required."};
}

const std::string* param(const Params& p, const char* name) {
  auto it = p.find(name);
  return it == p.end() || it->second.empty() ? nullptr : &it->second;
}

bool to_i64(const std::string& text, int64_t& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// A LONG/INT parameter; absent -> nullopt, malformed -> error.
std::optional<ApiError> long_param(const Params& p, const char* name, std::optional<int64_t>& out) {
  const std::string* v = param(p, name);
  if (v == nullptr) return std::nullopt;
  int64_t x = 0;
  if (!to_i64(*v, x)) return ApiError{400, -1100, std::string("Illegal characters found in parameter '") + name +
                                                     "'; legal range is '^[0-9]{1,20}$'."};
  out = x;
  return std::nullopt;
}

// A DECIMAL parameter at kScale. More than 8 decimals is -1111; anything else malformed -1100.
std::optional<ApiError> decimal_param(const Params& p, const char* name, int64_t& out) {
  const std::string* v = param(p, name);
  static const std::regex kDecimal(R"(^([0-9]{1,20})(\.[0-9]{1,20})?$)");
  if (!std::regex_match(*v, kDecimal))
    return ApiError{400, -1100, std::string("Illegal characters found in parameter '") + name +
                                    "'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."};
  if (!parse_fixed(*v, kScale, out)) return ApiError{400, -1111, "Precision is over the maximum defined for this asset."};
  return std::nullopt;
}

std::optional<ApiError> check_symbol(const Params& p, const SymbolRules& rules) {
  const std::string* s = param(p, "symbol");
  if (s == nullptr) return mandatory("symbol");
  if (*s != rules.symbol) return ApiError{400, -1121, "Invalid symbol."};
  return std::nullopt;
}

// Weight of GET /api/v3/depth by limit (rest-api.md 2023-06-07, "Order book").
int depth_weight(int64_t limit) {
  if (limit <= 100) return 1;
  if (limit <= 500) return 5;
  if (limit <= 1000) return 10;
  return 50;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return out;
}

}  // namespace

Simulator::Simulator(SimConfig config)
    : config_(std::move(config)),
      exchange_(load_candle_csv(config_.candle_file), config_.rules, config_.model, config_.start_index) {
  if (!config_.clock)
    config_.clock = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  for (const auto& [key, secret] : config_.keys) exchange_.add_account(key, config_.balances);

  const std::string sym = lower(config_.rules.symbol);
  exchange_.on_market_event([this, sym](const MarketEvent& m) {
    const std::string kline = sym + "@kline_" + exchange_.series().interval;
    if (hub_.has_subscribers(kline)) hub_.publish(kline, kline_event_json(exchange_, m));
    if (hub_.has_subscribers(sym + "@bookTicker")) hub_.publish(sym + "@bookTicker", book_ticker_json(exchange_));
    if (hub_.has_subscribers(sym + "@aggTrade")) hub_.publish(sym + "@aggTrade", agg_trade_json(exchange_, m));
    // Rendered once for both names; publish() still runs for each so a depth gap fault counts
    // whichever the client listens to.
    std::string depth = depth_update_json(exchange_, m);
    hub_.publish(sym + "@depth", depth);
    hub_.publish(sym + "@depth@100ms", depth);
  });
  exchange_.on_user_event([this](const UserEvent& e) {
    std::string key = listen_key_of(e.account);
    if (!key.empty()) hub_.publish(key, user_event_json(config_.rules, e));
  });
}

size_t Simulator::advance(size_t candles) { return exchange_.advance(candles, now_ms()); }

std::string Simulator::listen_key_of(const std::string& account) const {
  int64_t now = now_ms();
  for (const auto& [key, lk] : listen_keys_)
    if (lk.account == account && lk.expires_ms > now) return key;
  return {};
}

HttpResponse Simulator::handle(const HttpRequest& req) {
  size_t q = req.target.find('?');
  std::string path = req.target.substr(0, q);
  std::string query = q == std::string::npos ? std::string() : req.target.substr(q + 1);
  HttpResponse r = path.rfind("/_sim/", 0) == 0 ? handle_control(req, path) : handle_api(req, path, query);
  r.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
  return r;
}

struct Simulator::Route {
  enum class Security { None, ApiKey, Signed } security = Security::None;
  int weight = 1;
};

HttpResponse Simulator::handle_api(const HttpRequest& req, const std::string& path, const std::string& query) {
  const std::string& m = req.method;
  // Body parameters are form fields for POST/PUT/DELETE only ("For GET endpoints, parameters
  // must be sent as a query string").
  const std::string body = m == "GET" ? std::string() : req.body;
  Params params;
  auto param_error = parse_params(query, body, params);

  using S = Route::Security;
  std::optional<Route> route;
  if (m == "GET" && (path == "/api/v3/ping" || path == "/api/v3/time")) route = Route{S::None, 1};
  else if (m == "GET" && path == "/api/v3/exchangeInfo") route = Route{S::None, 10};
  else if (m == "GET" && path == "/api/v3/depth") {
    std::optional<int64_t> limit;
    long_param(params, "limit", limit);
    route = Route{S::None, depth_weight(limit.value_or(100))};
  } else if (m == "GET" && path == "/api/v3/klines") route = Route{S::None, 1};
  else if ((m == "POST" || m == "DELETE") && path == "/api/v3/order") route = Route{S::Signed, 1};
  else if (m == "GET" && path == "/api/v3/order") route = Route{S::Signed, 2};
  else if (m == "GET" && path == "/api/v3/openOrders") route = Route{S::Signed, param(params, "symbol") ? 3 : 40};
  else if (m == "GET" && path == "/api/v3/account") route = Route{S::Signed, 10};
  else if (m == "GET" && path == "/api/v3/myTrades") route = Route{S::Signed, 10};
  else if ((m == "POST" || m == "PUT" || m == "DELETE") && path == "/api/v3/userDataStream") route = Route{S::ApiKey, 1};
  if (!route) return json_response(404, error_json({404, -1020, "This operation is not supported."}));

  const int64_t now = now_ms();
  WindowCounter& weight = limits_.weight(req.client_ip);
  const int64_t used = weight.add(route->weight, now);
  auto finish = [&](HttpResponse r) {
    r.headers.emplace_back("X-MBX-USED-WEIGHT-1m", std::to_string(used));
    return r;
  };
  auto too_much_weight = [&] {
    HttpResponse r = error_response(
        {429, -1003, "Too much request weight used; current limit is " +
                         std::to_string(config_.limits.request_weight_per_minute) +
                         " request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid "
                         "polling the API."});
    r.headers.emplace_back("Retry-After", std::to_string(weight.seconds_left(now)));
    return finish(std::move(r));
  };
  if (rest_faults_.force_429 > 0) {
    --rest_faults_.force_429;
    return too_much_weight();
  }
  if (rest_faults_.http_5xx > 0) {
    --rest_faults_.http_5xx;
    return finish(error_response(
        {rest_faults_.http_5xx_status, -1001, "Internal error; unable to process your request. Please try again."}));
  }
  if (used > config_.limits.request_weight_per_minute) return too_much_weight();
  if (param_error) return finish(error_response(*param_error));

  std::string account;
  if (route->security != S::None)
    if (auto e = authenticate(req, query, params, route->security == S::Signed, account))
      return finish(error_response(*e));

  if (path == "/api/v3/ping") return finish(json_response(200, "{}"));
  if (path == "/api/v3/time") return finish(json_response(200, "{\"serverTime\":" + std::to_string(now) + "}"));
  if (path == "/api/v3/exchangeInfo") {
    if (const std::string* s = param(params, "symbol"); s && *s != config_.rules.symbol)
      return finish(error_response({400, -1121, "Invalid symbol."}));
    return finish(json_response(200, exchange_info_json(config_.rules, config_.limits, now)));
  }
  if (path == "/api/v3/depth") {
    if (auto e = check_symbol(params, config_.rules)) return finish(error_response(*e));
    std::optional<int64_t> limit;
    if (auto e = long_param(params, "limit", limit)) return finish(error_response(*e));
    int64_t levels = std::clamp<int64_t>(limit.value_or(100), 1, 5000);
    levels = std::min<int64_t>(levels, config_.model.book_levels);
    return finish(json_response(200, depth_json(exchange_, static_cast<int>(levels))));
  }
  if (path == "/api/v3/klines") return finish(klines(params));
  if (path == "/api/v3/userDataStream") return finish(user_data_stream(m, account, params));
  if (path == "/api/v3/order" && m == "POST") {
    WindowCounter& c10 = limits_.orders_10s(account);
    WindowCounter& c1d = limits_.orders_1d(account);
    int64_t n10 = c10.add(1, now), n1d = c1d.add(1, now);
    if (n10 > config_.limits.orders_per_10s)
      return finish(error_response({429, -1015, "Too many new orders; current limit is " +
                                                    std::to_string(config_.limits.orders_per_10s) +
                                                    " orders per 10 SECOND."}));
    if (n1d > config_.limits.orders_per_day)
      return finish(error_response({429, -1015, "Too many new orders; current limit is " +
                                                    std::to_string(config_.limits.orders_per_day) +
                                                    " orders per 1 DAY."}));
    HttpResponse r = new_order(account, params);
    if (r.status == 200) {
      r.headers.emplace_back("X-MBX-ORDER-COUNT-10s", std::to_string(n10));
      r.headers.emplace_back("X-MBX-ORDER-COUNT-1d", std::to_string(n1d));
      if (rest_faults_.order_timeout > 0) {
        --rest_faults_.order_timeout;
        spdlog::info("fault order_timeout: order placed, response withheld");
        r.withhold = true;
      }
    }
    return finish(std::move(r));
  }
  if (path == "/api/v3/order" && m == "DELETE") return finish(cancel_order(account, params));
  if (path == "/api/v3/order") return finish(query_order(account, params));
  if (path == "/api/v3/openOrders") {
    if (param(params, "symbol"))
      if (auto e = check_symbol(params, config_.rules)) return finish(error_response(*e));
    return finish(json_response(200, open_orders_json(config_.rules, exchange_.open_orders(account))));
  }
  if (path == "/api/v3/account") return finish(json_response(200, account_json(exchange_, account)));
  return finish(my_trades(account, params));
}

std::optional<ApiError> Simulator::authenticate(const HttpRequest& req, const std::string& query, const Params& params,
                                                bool signed_endpoint, std::string& account) {
  if (!req.api_key) return ApiError{401, -2014, "API-key format invalid."};
  if (auto e = check_api_key_format(*req.api_key)) return e;
  auto key = config_.keys.find(*req.api_key);
  if (key == config_.keys.end()) return ApiError{401, -2015, "Invalid API-key, IP, or permissions for action."};
  if (signed_endpoint) {
    const std::string body = req.method == "GET" ? std::string() : req.body;
    if (auto e = check_signed(key->second, query, body, params, now_ms())) return e;
  }
  account = key->first;
  return std::nullopt;
}

HttpResponse Simulator::new_order(const std::string& account, const Params& p) {
  auto fail = [](const ApiError& e) { return error_response(e); };
  if (auto e = check_symbol(p, config_.rules)) return fail(*e);
  const std::string* side = param(p, "side");
  const std::string* type = param(p, "type");
  if (side == nullptr) return fail(mandatory("side"));
  if (type == nullptr) return fail(mandatory("type"));
  NewOrder o;
  o.account = account;
  if (*side == "BUY") o.side = Side::Buy;
  else if (*side == "SELL") o.side = Side::Sell;
  else return fail({400, -1117, "Invalid side."});
  if (*type == "LIMIT") o.type = OrderType::Limit;
  else if (*type == "MARKET") o.type = OrderType::Market;
  else if (*type == "LIMIT_MAKER") o.type = OrderType::LimitMaker;
  else if (*type == "STOP_LOSS") return fail({400, -2010, "Stop loss orders are not supported for this symbol."});
  else if (*type == "STOP_LOSS_LIMIT") return fail({400, -2010, "Stop loss limit orders are not supported for this symbol."});
  else if (*type == "TAKE_PROFIT") return fail({400, -2010, "Take profit orders are not supported for this symbol."});
  else if (*type == "TAKE_PROFIT_LIMIT") return fail({400, -2010, "Take profit limit orders are not supported for this symbol."});
  else return fail({400, -1116, "Invalid orderType."});

  const std::string* tif = param(p, "timeInForce");
  if (o.type == OrderType::Limit) {
    if (tif == nullptr) return fail(mandatory("timeInForce"));
    if (*tif == "GTC") o.tif = TimeInForce::GTC;
    else if (*tif == "IOC") o.tif = TimeInForce::IOC;
    else if (*tif == "FOK") o.tif = TimeInForce::FOK;
    else return fail({400, -1115, "Invalid timeInForce."});
  } else if (tif != nullptr) {
    return fail({400, -1106, "Parameter 'timeInForce' sent when not required."});
  }
  const bool has_qty = param(p, "quantity") != nullptr, has_quote = param(p, "quoteOrderQty") != nullptr;
  if (o.type == OrderType::Market) {
    if (has_qty == has_quote)
      return has_qty ? fail(not_required("quoteOrderQty"))
                     : fail({400, -1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"});
    if (param(p, "price")) return fail(not_required("price"));
  } else {
    if (!has_qty) return fail(mandatory("quantity"));
    if (has_quote) return fail(not_required("quoteOrderQty"));
    if (param(p, "price") == nullptr) return fail(mandatory("price"));
    if (auto e = decimal_param(p, "price", o.price)) return fail(*e);
  }
  if (has_qty)
    if (auto e = decimal_param(p, "quantity", o.qty)) return fail(*e);
  if (has_quote)
    if (auto e = decimal_param(p, "quoteOrderQty", o.quote_order_qty)) return fail(*e);
  if (const std::string* cid = param(p, "newClientOrderId")) {
    static const std::regex kClientId(R"(^[\.A-Z\:/a-z0-9_-]{1,36}$)");
    if (!std::regex_match(*cid, kClientId))
      return fail({400, -1100,
                   "Illegal characters found in parameter 'newClientOrderId'; legal range is "
                   "'^[\\.A-Z\\:/a-z0-9_-]{1,36}$'."});
    o.client_order_id = *cid;
  }
  // "MARKET and LIMIT order types default to FULL, all other orders default to ACK."
  OrderResponseType resp = o.type == OrderType::LimitMaker ? OrderResponseType::Ack : OrderResponseType::Full;
  if (const std::string* rt = param(p, "newOrderRespType")) {
    if (*rt == "ACK") resp = OrderResponseType::Ack;
    else if (*rt == "RESULT") resp = OrderResponseType::Result;
    else if (*rt == "FULL") resp = OrderResponseType::Full;
    else return fail({400, -1130, "Data sent for parameter 'newOrderRespType' is not valid."});
  }
  Placement placed;
  if (auto e = exchange_.place_order(o, now_ms(), placed)) {
    spdlog::info("order rejected account={} code={} reason={}", account, e->code, e->msg);
    return fail(*e);
  }
  spdlog::info("order placed account={} id={} status={}", account, placed.order.order_id,
               to_string(placed.order.status));
  return json_response(200, new_order_json(config_.rules, placed, resp));
}

HttpResponse Simulator::cancel_order(const std::string& account, const Params& p) {
  if (auto e = check_symbol(p, config_.rules)) return error_response(*e);
  std::optional<int64_t> id;
  if (auto e = long_param(p, "orderId", id)) return error_response(*e);
  const std::string* orig = param(p, "origClientOrderId");
  if (!id && orig == nullptr)
    return error_response({400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"});
  const std::string* cid = param(p, "newClientOrderId");
  std::string cancel_id = cid ? *cid : std::string();
  Order out;
  if (auto e = exchange_.cancel_order(account, id, orig ? *orig : std::string(), cancel_id, now_ms(), out))
    return error_response(*e);
  spdlog::info("order canceled account={} id={}", account, out.order_id);
  return json_response(200, cancel_json(config_.rules, out, cancel_id));
}

HttpResponse Simulator::query_order(const std::string& account, const Params& p) {
  if (auto e = check_symbol(p, config_.rules)) return error_response(*e);
  std::optional<int64_t> id;
  if (auto e = long_param(p, "orderId", id)) return error_response(*e);
  const std::string* orig = param(p, "origClientOrderId");
  if (!id && orig == nullptr)
    return error_response({400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"});
  const Order* o = exchange_.find_order(account, id, orig ? *orig : std::string());
  if (o == nullptr) return error_response({400, -2013, "Order does not exist."});
  return json_response(200, order_json(config_.rules, *o));
}

HttpResponse Simulator::klines(const Params& p) {
  if (auto e = check_symbol(p, config_.rules)) return error_response(*e);
  const std::string* interval = param(p, "interval");
  if (interval == nullptr) return error_response(mandatory("interval"));
  // Only the candle file's own interval is served (README: "What it does not do").
  if (*interval != exchange_.series().interval) return error_response({400, -1120, "Invalid interval."});
  std::optional<int64_t> start, end, limit;
  for (auto [name, slot] : {std::pair{"startTime", &start}, {"endTime", &end}, {"limit", &limit}})
    if (auto e = long_param(p, name, *slot)) return error_response(*e);
  const size_t n = std::clamp<int64_t>(limit.value_or(500), 1, 1000);
  const auto& c = exchange_.series().candles;
  // Only candles that have "happened": the clock's candle and those before it.
  size_t visible = exchange_.current_index() + 1;
  auto opens_before = [&](int64_t t) {
    return static_cast<size_t>(std::lower_bound(c.begin(), c.begin() + visible, t,
                                                [](const Candle& x, int64_t v) { return x.open_time_ms < v; }) -
                               c.begin());
  };
  size_t last = end ? opens_before(*end + 1) : visible;  // open_time <= endTime
  size_t first = start ? opens_before(*start) : (last > n ? last - n : 0);
  if (first > last) first = last;
  last = std::min(last, first + n);
  return json_response(200, klines_json(exchange_, first, last));
}

HttpResponse Simulator::my_trades(const std::string& account, const Params& p) {
  if (auto e = check_symbol(p, config_.rules)) return error_response(*e);
  std::optional<int64_t> order_id, start, end, from_id, limit;
  for (auto [name, slot] : {std::pair{"orderId", &order_id}, {"startTime", &start}, {"endTime", &end},
                            {"fromId", &from_id}, {"limit", &limit}})
    if (auto e = long_param(p, name, *slot)) return error_response(*e);
  const size_t n = std::clamp<int64_t>(limit.value_or(500), 1, 1000);
  std::vector<Fill> rows;
  for (const Fill& f : exchange_.trades(account)) {
    if (order_id && f.order_id != *order_id) continue;
    if (start && f.time_ms < *start) continue;
    if (end && f.time_ms > *end) continue;
    if (from_id && f.trade_id < *from_id) continue;
    rows.push_back(f);
  }
  // fromId reads forward from that id; otherwise "most recent trades are returned".
  if (rows.size() > n) {
    if (from_id)
      rows.resize(n);
    else
      rows.erase(rows.begin(), rows.end() - static_cast<std::ptrdiff_t>(n));
  }
  return json_response(200, my_trades_json(config_.rules, rows));
}

HttpResponse Simulator::user_data_stream(const std::string& method, const std::string& account, const Params& p) {
  const int64_t now = now_ms();
  if (method == "POST") {
    // "If the account has an active listenKey, that listenKey will be returned and its validity
    // will be extended for 60 minutes."
    std::string key = listen_key_of(account);
    if (key.empty()) {
      static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
      uint64_t x = std::hash<std::string>{}(account) ^ (++listen_key_seq_ * 0x9e3779b97f4a7c15ULL) ^
                   static_cast<uint64_t>(now);
      for (int i = 0; i < 64; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
        key += kAlphabet[x % 62];
      }
    }
    listen_keys_[key] = {account, now + kListenKeyLifetimeMs};
    return json_response(200, "{\"listenKey\":\"" + key + "\"}");
  }
  const std::string* key = param(p, "listenKey");
  if (key == nullptr) return error_response(mandatory("listenKey"));
  auto it = listen_keys_.find(*key);
  if (it == listen_keys_.end() || it->second.account != account || it->second.expires_ms <= now)
    return error_response({400, -1125, "This listenKey does not exist."});
  if (method == "PUT") {
    it->second.expires_ms = now + kListenKeyLifetimeMs;
  } else {
    listen_keys_.erase(it);
    hub_.drop_stream(*key);
  }
  return json_response(200, "{}");
}

bool Simulator::valid_market_stream(const std::string& name) const {
  const std::string sym = lower(config_.rules.symbol);
  return name == sym + "@kline_" + exchange_.series().interval || name == sym + "@bookTicker" ||
         name == sym + "@aggTrade" || name == sym + "@depth" || name == sym + "@depth@100ms";
}

std::optional<ApiError> Simulator::resolve_stream(const std::string& target, StreamRequest& out) {
  std::vector<std::string> names;
  if (target.rfind("/ws/", 0) == 0) {
    names.push_back(target.substr(4));
    out.combined = false;
  } else if (target.rfind("/stream?streams=", 0) == 0) {
    names = split(target.substr(16), '/');
    out.combined = true;
  } else {
    return ApiError{404, -1020, "This operation is not supported."};
  }
  const int64_t now = now_ms();
  out.user = false;
  for (const auto& n : names) {
    auto lk = listen_keys_.find(n);
    if (lk != listen_keys_.end() && lk->second.expires_ms > now) {
      out.user = true;
    } else if (!valid_market_stream(n)) {
      return ApiError{400, -1125, lk != listen_keys_.end() || n.size() == 64 ? "This listenKey does not exist."
                                                                                : "Invalid stream name: " + n};
    }
  }
  out.streams = std::move(names);
  return std::nullopt;
}

std::string Simulator::handle_stream_message(const StreamSink* sink, const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  if (d.HasParseError() || !d.IsObject())
    return R"({"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"})";
  if (!d.HasMember("method") || !d["method"].IsString())
    return R"({"code":2,"msg":"Invalid request: missing field `method`"})";
  std::string id = "null";
  if (d.HasMember("id")) {
    if (d["id"].IsInt64()) id = std::to_string(d["id"].GetInt64());
    else if (d["id"].IsString()) id = "\"" + std::string(d["id"].GetString()) + "\"";
  }
  std::string method = d["method"].GetString();
  std::vector<std::string> streams;
  if (d.HasMember("params") && d["params"].IsArray())
    for (const auto& v : d["params"].GetArray())
      if (v.IsString()) streams.emplace_back(v.GetString());
  if (method == "SUBSCRIBE" || method == "UNSUBSCRIBE") {
    for (const auto& s : streams)
      if (!valid_market_stream(s)) return R"({"code":2,"msg":"Invalid request: unknown stream )" + s + "\"}";
    if (method == "SUBSCRIBE") hub_.subscribe(sink, streams);
    else hub_.unsubscribe(sink, streams);
    return "{\"result\":null,\"id\":" + id + "}";
  }
  if (method == "LIST_SUBSCRIPTIONS") {
    std::string list;
    for (const auto& s : hub_.subscriptions(sink)) list += (list.empty() ? "\"" : ",\"") + s + "\"";
    return "{\"result\":[" + list + "],\"id\":" + id + "}";
  }
  return "{\"code\":2,\"msg\":\"Invalid request: unknown variant " + method +
         ", expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`\"}";
}

HttpResponse Simulator::handle_control(const HttpRequest& req, const std::string& path) {
  rapidjson::Document d;
  if (!req.body.empty()) {
    d.Parse(req.body.c_str());
    if (d.HasParseError() || !d.IsObject()) return json_response(400, R"({"error":"body must be a JSON object"})");
  } else {
    d.SetObject();
  }
  auto int_field = [&](const char* name, int64_t fallback) {
    return d.HasMember(name) && d[name].IsInt64() ? d[name].GetInt64() : fallback;
  };
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto state = [&](int64_t advanced) {
    const Candle& c = exchange_.current_candle();
    w.StartObject();
    if (advanced >= 0) w.Key("advanced"), w.Int64(advanced);
    w.Key("index"), w.Uint64(exchange_.current_index());
    w.Key("candles"), w.Uint64(exchange_.series().candles.size());
    w.Key("openTime"), w.Int64(c.open_time_ms);
    w.Key("closeTime"), w.Int64(c.close_time_ms);
    w.Key("close"), w.String(format_fixed(c.close, kScale).c_str());
    w.Key("bestBid"), w.String(format_fixed(exchange_.best_bid(), kScale).c_str());
    w.Key("bestAsk"), w.String(format_fixed(exchange_.best_ask(), kScale).c_str());
    w.Key("lastUpdateId"), w.Int64(exchange_.book_update_id());
    w.Key("serverTime"), w.Int64(now_ms());
    w.Key("wsConnections"), w.Uint64(hub_.connections());
    w.EndObject();
    return json_response(200, buf.GetString());
  };
  if (path == "/_sim/state" && req.method == "GET") return state(-1);
  if (path == "/_sim/advance" && req.method == "POST") {
    int64_t n = int_field("candles", 1);
    if (n < 0) return json_response(400, R"({"error":"candles must be >= 0"})");
    return state(static_cast<int64_t>(advance(static_cast<size_t>(n))));
  }
  if (path == "/_sim/fault" && req.method == "POST") {
    if (d.HasMember("clear") && d["clear"].IsBool() && d["clear"].GetBool()) {
      rest_faults_ = {};
      hub_.set_stall(false);
      hub_.faults() = {};
    }
    rest_faults_.http_5xx = static_cast<int>(int_field("http_5xx", rest_faults_.http_5xx));
    rest_faults_.http_5xx_status = static_cast<int>(int_field("http_5xx_status", rest_faults_.http_5xx_status));
    if (rest_faults_.http_5xx_status < 500 || rest_faults_.http_5xx_status > 599)
      return json_response(400, R"({"error":"http_5xx_status must be 500..599"})");
    rest_faults_.force_429 = static_cast<int>(int_field("force_429", rest_faults_.force_429));
    rest_faults_.order_timeout = static_cast<int>(int_field("order_timeout", rest_faults_.order_timeout));
    StreamFaults& sf = hub_.faults();
    sf.delay_ms = static_cast<int>(int_field("ws_delay_ms", sf.delay_ms));
    sf.duplicate = static_cast<int>(int_field("ws_duplicate", sf.duplicate));
    sf.depth_gap = static_cast<int>(int_field("depth_gap", sf.depth_gap));
    if (d.HasMember("ws_stall") && d["ws_stall"].IsBool()) hub_.set_stall(d["ws_stall"].GetBool());
    size_t dropped = 0;
    if (d.HasMember("ws_drop") && d["ws_drop"].IsString()) {
      std::string t = d["ws_drop"].GetString();
      if (t == "all") dropped = hub_.drop(StreamHub::Target::All);
      else if (t == "market") dropped = hub_.drop(StreamHub::Target::Market);
      else if (t == "user") dropped = hub_.drop(StreamHub::Target::User);
      else return json_response(400, R"({"error":"ws_drop must be all, market or user"})");
    }
    spdlog::info("faults set http_5xx={} force_429={} order_timeout={} ws_stall={} ws_delay_ms={} ws_duplicate={} "
                 "depth_gap={} ws_dropped={}",
                 rest_faults_.http_5xx, rest_faults_.force_429, rest_faults_.order_timeout, sf.stall, sf.delay_ms,
                 sf.duplicate, sf.depth_gap, dropped);
    w.StartObject();
    w.Key("http_5xx"), w.Int(rest_faults_.http_5xx);
    w.Key("http_5xx_status"), w.Int(rest_faults_.http_5xx_status);
    w.Key("force_429"), w.Int(rest_faults_.force_429);
    w.Key("order_timeout"), w.Int(rest_faults_.order_timeout);
    w.Key("ws_stall"), w.Bool(sf.stall);
    w.Key("ws_delay_ms"), w.Int(sf.delay_ms);
    w.Key("ws_duplicate"), w.Int(sf.duplicate);
    w.Key("depth_gap"), w.Int(sf.depth_gap);
    w.Key("ws_dropped"), w.Uint64(dropped);
    w.EndObject();
    return json_response(200, buf.GetString());
  }
  return json_response(404, R"({"error":"unknown control endpoint"})");
}

}  // namespace tradehost::exchange_sim
