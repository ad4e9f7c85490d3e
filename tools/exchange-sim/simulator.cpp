#include "simulator.hpp"

#include "capture_market.hpp"
#include "spot_api.hpp"
#include "usdm_api.hpp"

#include <tradehost/fixed.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace tradehost::exchange_sim {

namespace {

// The venue's published defaults for whatever the configuration left open.
SimConfig with_venue_defaults(SimConfig c) {
  const bool usdm = c.venue == Venue::UsdM;
  if (!c.rules) c.rules = usdm ? usdm_symbol_rules() : SymbolRules{};
  RateLimitConfig& l = c.limits;
  // Spot: rest-api.md 2023-06-07 exchangeInfo example; USD-M: the recorded exchangeInfo
  // (data/binance/cryptofeed/BINANCE_FUTURES.0) "rateLimits".
  if (l.request_weight_per_minute == 0) l.request_weight_per_minute = usdm ? 2400 : 1200;
  if (l.orders_per_10s == 0) l.orders_per_10s = usdm ? 300 : 50;
  if (l.orders_per_minute == 0) l.orders_per_minute = 1200;
  if (l.orders_per_day == 0) l.orders_per_day = 160000;
  if (!c.clock)
    c.clock = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  return c;
}

}  // namespace

Simulator::Simulator(SimConfig config) : config_(with_venue_defaults(std::move(config))) {
  if (!config_.capture.empty() && !config_.candle_file.empty())
    throw std::runtime_error("a candle file and a capture are exclusive: give one market");
  if (config_.venue == Venue::UsdM)
    api_ = std::make_unique<UsdmApi>(config_, listen_keys_);
  else
    api_ = std::make_unique<SpotApi>(config_, listen_keys_);
  api_->connect(hub_);
}

Simulator::~Simulator() = default;

size_t Simulator::advance(size_t candles) {
  const size_t steps = api_->engine().advance(candles, now_ms());
  if (steps) last_publish_ = std::chrono::steady_clock::now();
  return steps;
}

HttpResponse Simulator::handle(const HttpRequest& req) {
  size_t q = req.target.find('?');
  std::string path = req.target.substr(0, q);
  std::string query = q == std::string::npos ? std::string() : req.target.substr(q + 1);
  HttpResponse r = path.rfind("/_sim/", 0) == 0 ? handle_control(req, path) : handle_api(req, path, query);
  r.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
  return r;
}

HttpResponse Simulator::handle_api(const HttpRequest& req, const std::string& path, const std::string& query) {
  const std::string& m = req.method;
  // Body parameters are form fields for POST/PUT/DELETE only ("For GET endpoints, parameters
  // must be sent as a query string").
  const std::string body = m == "GET" ? std::string() : req.body;
  Params params;
  auto param_error = parse_params(query, body, params);

  std::optional<Route> route = api_->route(m, path, params);
  if (!route) return json_response(404, error_json({404, -1020, "This operation is not supported."}));
  if (route->places_order && last_publish_) {
    order_latency_us_.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - *last_publish_).count());
    last_publish_.reset();  // one sample per clock step: the order that step's events caused
  }

  const int64_t now = now_ms();
  WindowCounter& weight = limits_.weight(req.client_ip);
  const int64_t used = weight.add(route->weight, now);
  auto finish = [&](HttpResponse r) {
    r.headers.emplace_back(api_->weight_header(), std::to_string(used));
    return r;
  };
  auto too_much_weight = [&] {
    HttpResponse r =
        error_response({429, -1003, api_->weight_limit_message(config_.limits.request_weight_per_minute)});
    r.headers.emplace_back("Retry-After", std::to_string(weight.seconds_left(now)));
    return finish(std::move(r));
  };
  if (rest_faults_.force_429 > 0) {
    --rest_faults_.force_429;
    if (rest_faults_.retry_after_s <= 0) return too_much_weight();
    HttpResponse r = error_response({429, -1003, api_->weight_limit_message(config_.limits.request_weight_per_minute)});
    r.headers.emplace_back("Retry-After", std::to_string(rest_faults_.retry_after_s));
    return finish(std::move(r));
  }
  if (rest_faults_.http_5xx > 0) {
    --rest_faults_.http_5xx;
    return finish(error_response(
        {rest_faults_.http_5xx_status, -1001, "Internal error; unable to process your request. Please try again."}));
  }
  if (used > config_.limits.request_weight_per_minute) return too_much_weight();
  if (param_error) return finish(error_response(*param_error));

  std::string account;
  if (route->security != Route::Security::None)
    if (auto e = authenticate(req, query, params, route->security == Route::Security::Signed, account))
      return finish(error_response(*e));

  std::vector<std::pair<const char*, int64_t>> order_counts;
  if (route->places_order)
    for (const OrderWindow& w : api_->order_windows()) {
      const int64_t n = limits_.orders(account, w.window_ms).add(1, now);
      if (n > w.limit)
        return finish(error_response({429, -1015, "Too many new orders; current limit is " + std::to_string(w.limit) +
                                                      " orders per " + w.interval + "."}));
      order_counts.emplace_back(w.header, n);
    }
  HttpResponse r = route->handler(ApiCall{m, account, params, now});
  if (route->places_order && r.status == 200) {
    for (const auto& [header, n] : order_counts) r.headers.emplace_back(header, std::to_string(n));
    if (rest_faults_.order_timeout > 0) {
      --rest_faults_.order_timeout;
      spdlog::info("fault order_timeout: order placed, response withheld");
      r.withhold = true;
    }
  }
  return finish(std::move(r));
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
    if (listen_keys_.active(n, now)) {
      out.user = true;
    } else if (!api_->valid_market_stream(n)) {
      return ApiError{400, -1125, listen_keys_.known(n) || n.size() == 64 ? "This listenKey does not exist."
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
      if (!api_->valid_market_stream(s)) return R"({"code":2,"msg":"Invalid request: unknown stream )" + s + "\"}";
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
    const MatchingEngine& ex = engine();
    w.StartObject();
    if (advanced >= 0) w.Key("advanced"), w.Int64(advanced);
    w.Key("index"), w.Uint64(ex.current_index());
    if (const CaptureMarket* capture = ex.capture()) {
      // Capture mode: the step count is in frames; each symbol's book as replayed so far.
      w.Key("frames"), w.Uint64(ex.market().length());
      const RecordedFrame* f = capture->last_frame();
      w.Key("line"), w.Uint64(f ? f->line : 0);
      w.Key("stream"), w.String(f ? f->stream.c_str() : "");
      w.Key("recvTime"), w.Int64(f ? f->recv_time_ns / 1000000 : 0);
      w.Key("symbols"), w.StartArray();
      for (const SymbolRules& r : ex.symbols()) {
        w.StartObject();
        w.Key("symbol"), w.String(r.symbol.c_str());
        w.Key("bestBid"), w.String(format_fixed(ex.best_bid(r.symbol), kScale).c_str());
        w.Key("bestAsk"), w.String(format_fixed(ex.best_ask(r.symbol), kScale).c_str());
        w.Key("lastPrice"), w.String(format_fixed(ex.last_price(r.symbol), kScale).c_str());
        w.Key("lastUpdateId"), w.Int64(ex.book_update_id(r.symbol));
        w.EndObject();
      }
      w.EndArray();
    } else {
      const Candle& c = ex.current_candle();
      w.Key("candles"), w.Uint64(ex.series().candles.size());
      w.Key("openTime"), w.Int64(c.open_time_ms);
      w.Key("closeTime"), w.Int64(c.close_time_ms);
      w.Key("close"), w.String(format_fixed(c.close, kScale).c_str());
      w.Key("bestBid"), w.String(format_fixed(ex.best_bid(), kScale).c_str());
      w.Key("bestAsk"), w.String(format_fixed(ex.best_ask(), kScale).c_str());
      w.Key("lastUpdateId"), w.Int64(ex.book_update_id());
    }
    w.Key("serverTime"), w.Int64(now_ms());
    w.Key("wsConnections"), w.Uint64(hub_.connections());
    w.EndObject();
    return json_response(200, buf.GetString());
  };
  if (path == "/_sim/state" && req.method == "GET") return state(-1);
  if (path == "/_sim/latency") {
    if (req.method == "POST") order_latency_us_.clear();
    w.StartObject();
    w.Key("samples_us"), w.StartArray();
    for (int64_t v : order_latency_us_) w.Int64(v);
    w.EndArray();
    w.EndObject();
    return json_response(200, buf.GetString());
  }
  if (path == "/_sim/advance" && req.method == "POST") {
    // "steps" is the same count under a name that fits capture mode (recorded frames).
    int64_t n = int_field("steps", int_field("candles", 1));
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
    rest_faults_.retry_after_s = static_cast<int>(int_field("retry_after_s", rest_faults_.retry_after_s));
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
