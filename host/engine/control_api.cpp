// The control API's routes (the server, authentication and TLS are host/control). Handlers run
// on the loop thread between events, so they read the engine's state directly.
//
//   GET  /healthz                 200 while the loop turns
//   GET  /readyz                  200 once the strategies trade (after reconciliation), else 503
//   GET  /v1/status               bot, mode, run, kill switch, connectors, strategies, counts
//   GET  /v1/positions            per instrument: qty, avg entry, realized and unrealized PnL
//   GET  /v1/orders[?all=1]       open orders (all=1: every order of this run)
//   GET  /v1/balances             the host's cash and equity, and the venue's balances as last reported
//   GET  /v1/decisions?since=NS   decisions of this run after NS (ns since the epoch), at most 1000
//   POST /v1/kill                 {"state":"halted"|"reducing","reason":"..."}; default halted
//   POST /v1/resume               {"state":"active"|"reducing","reason":"..."}; default active
//   POST /v1/strategies/NAME/reload   paper mode: hot-reload that strategy's library
//   GET  /metrics                 Prometheus text format 0.0.4
#include "engine/engine.hpp"
#include "engine/engine_util.hpp"

#include "control/control_server.hpp"
#include "net/rate_limiter.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>

namespace tradehost::engine {

using detail::lower;
using detail::side_lc;
using detail::wall_ns;

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// Upper bounds (seconds) of the order latency histogram's buckets; +Inf follows.
constexpr std::array<double, 12> kLatencyBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

control::Response json(unsigned status, const rapidjson::StringBuffer& buf) {
  return control::Response{status, "application/json", std::string(buf.GetString(), buf.GetSize())};
}

control::Response error(unsigned status, const std::string& message) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("error");
  w.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return json(status, buf);
}

void str(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

/// The value of `key` in an undecoded query string ("a=1&b=2"); "" when absent.
std::string query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) return std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

/// A POST body: empty, or a JSON object whose "state" and "reason" are strings.
bool read_command(const std::string& body, std::string& state, std::string& reason, std::string& err) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return true;
  rapidjson::Document d;
  // Iterative: nesting costs heap, not stack (a token holder must not crash the host with "[[[[...").
  d.Parse<rapidjson::kParseIterativeFlag>(body.c_str(), body.size());
  if (d.HasParseError() || !d.IsObject()) {
    err = "the body must be a JSON object such as {\"state\":\"halted\",\"reason\":\"...\"}";
    return false;
  }
  for (auto [key, out] : {std::pair<const char*, std::string*>{"state", &state}, {"reason", &reason}}) {
    if (!d.HasMember(key)) continue;
    if (!d[key].IsString()) {
      err = fmt::format("\"{}\" must be a string", key);
      return false;
    }
    *out = std::string(d[key].GetString(), d[key].GetStringLength());
  }
  return true;
}

}  // namespace

void Engine::observe_order_latency(uint64_t order_id) {
  auto it = routed_at_.find(order_id);
  if (it == routed_at_.end()) return;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second).count();
  routed_at_.erase(it);
  if (latency_buckets_.empty()) latency_buckets_.assign(kLatencyBounds.size() + 1, 0);
  size_t b = 0;
  while (b < kLatencyBounds.size() && s > kLatencyBounds[b]) ++b;
  ++latency_buckets_[b];
  latency_sum_s_ += s;
  ++latency_count_;
}

control::Response Engine::control_route(const control::Request& req) {
  const std::string& p = req.path;
  const bool get = req.method == "GET", post = req.method == "POST";
  rapidjson::StringBuffer buf;
  Writer w(buf);

  if (p == "/healthz" && get) return control::Response{200, "application/json", R"({"status":"ok"})"};
  if (p == "/readyz" && get) {
    if (!fatal_.empty()) return error(503, "the run is failing: " + fatal_);
    if (!market_open_) return error(503, "not trading yet (reconciling with the venue or starting)");
    return control::Response{200, "application/json", R"({"status":"ready"})"};
  }
  if (p == "/metrics" && get) return control::Response{200, "text/plain; version=0.0.4; charset=utf-8", metrics_text()};

  if (p == "/v1/status" && get) {
    w.StartObject();
    str(w, "bot", graph_.bot.name);
    str(w, "mode", graph::to_string(graph_.bot.mode));
    w.Key("run_id");
    w.Int64(run_id_);
    str(w, "state", !fatal_.empty() ? "failing" : market_open_ ? "trading" : "starting");
    w.Key("kill_switch");
    w.StartObject();
    str(w, "state", to_string(kill_state_));
    str(w, "source", kill_source_);
    str(w, "reason", kill_reason_);
    w.Key("since_ns");
    w.Int64(kill_since_ns_);
    w.EndObject();
    w.Key("events");
    w.Int64(events_);
    size_t open = 0;
    if (oms_)
      for (const auto& o : oms_->orders())
        if (!oms::is_final(o.state)) ++open;
    w.Key("open_orders");
    w.Uint64(open);
    w.Key("connectors");
    w.StartArray();
    for (const th_instance* c : connectors_) {
      w.StartObject();
      str(w, "name", c->name);
      str(w, "type", c->node->type);
      w.Key("failed");
      w.Bool(c->failed);
      str(w, "message", c->failed ? c->failure : c->connector_message);
      w.EndObject();
    }
    w.EndArray();
    w.Key("strategies");
    w.StartArray();
    for (const th_instance* s : strategies_) {
      w.StartObject();
      str(w, "name", s->name);
      str(w, "type", s->node->type);
      w.Key("running");
      w.Bool(s->started && !s->failed);
      if (s->failed) str(w, "failure", s->failure);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return json(200, buf);
  }
  if (p == "/v1/positions" && get) {
    w.StartArray();
    for (size_t id = 1; id < instruments_.size(); ++id) {
      const auto iid = static_cast<th_instrument_id>(id);
      const auto& pos = portfolio_.position(iid);
      if (pos.qty == 0 && pos.realized == 0) continue;
      w.StartObject();
      str(w, "instrument", instruments_[iid]->symbol);
      str(w, "venue", instruments_[iid]->venue);
      str(w, "qty", qty_text(iid, pos.qty));
      str(w, "avg_entry_price", price_text(iid, portfolio_.avg_entry_price(iid)));
      str(w, "realized_pnl", money_text(pos.realized));
      str(w, "unrealized_pnl", money_text(portfolio_.unrealized(iid)));
      str(w, "last_price", price_text(iid, last_price_[iid]));
      w.EndObject();
    }
    w.EndArray();
    return json(200, buf);
  }
  if (p == "/v1/orders" && get) {
    const bool all = query_param(req.query, "all") == "1";
    w.StartArray();
    if (oms_)
      for (const auto& o : oms_->orders()) {
        if (!all && oms::is_final(o.state)) continue;
        const th_instrument_id id = o.req.instrument;
        w.StartObject();
        w.Key("order_id");
        w.Uint64(o.id);
        str(w, "client_order_id", o.client_order_id);
        str(w, "strategy", o.strategy);
        str(w, "instrument", instruments_[id]->symbol);
        str(w, "side", side_lc(o.req.side));
        str(w, "type", lower(oms::order_type_name(o.req.type)));
        str(w, "qty", qty_text(id, o.req.qty));
        if (o.req.price) str(w, "price", price_text(id, o.req.price));
        if (o.req.trigger_price) str(w, "trigger_price", price_text(id, o.req.trigger_price));
        str(w, "state", oms::to_string(o.state));
        str(w, "filled_qty", qty_text(id, o.filled_qty));
        if (o.filled_qty) str(w, "avg_fill_price", price_text(id, o.avg_fill_price));
        if (!o.reason.empty()) str(w, "reason", o.reason);
        w.EndObject();
      }
    w.EndArray();
    return json(200, buf);
  }
  if (p == "/v1/balances" && get) {
    w.StartObject();
    str(w, "quote_asset", quote_asset_);
    str(w, "cash", money_text(portfolio_.cash()));
    str(w, "equity", money_text(portfolio_.equity()));
    str(w, "fees_paid", money_text(portfolio_.fees()));
    w.Key("venue");
    w.StartObject();
    for (const auto& [asset, fl] : venue_balances_) {
      w.Key(asset.c_str());
      w.StartObject();
      str(w, "free", money_text(fl.first));
      str(w, "locked", money_text(fl.second));
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    return json(200, buf);
  }
  if (p == "/v1/decisions" && get) {
    const std::string since_text = query_param(req.query, "since");
    int64_t since = 0;
    if (!since_text.empty()) {
      auto [ptr, ec] = std::from_chars(since_text.data(), since_text.data() + since_text.size(), since);
      if (ec != std::errc() || ptr != since_text.data() + since_text.size())
        return error(400, "since must be an integer: nanoseconds since the Unix epoch");
    }
    if (store_) store_->flush();
    w.StartArray();
    if (store_)
      for (const auto& d : store_->decisions_since(run_id_, since, 1000)) {
        w.StartObject();
        w.Key("decision_id");
        w.Int64(d.decision_id);
        w.Key("ts_ns");
        w.Int64(d.ts_ns);
        str(w, "strategy", d.strategy);
        str(w, "instrument", d.instrument);
        str(w, "action", d.action);
        str(w, "reason", d.reason);
        w.Key("inputs");
        w.RawValue(d.inputs_json.c_str(), d.inputs_json.size(), rapidjson::kObjectType);
        if (d.order_id) {
          w.Key("order_id");
          w.Int64(*d.order_id);
        }
        if (d.risk_verdict) str(w, "risk_verdict", *d.risk_verdict);
        w.EndObject();
      }
    w.EndArray();
    return json(200, buf);
  }
  if ((p == "/v1/kill" || p == "/v1/resume") && post) {
    const bool kill = p == "/v1/kill";
    std::string state = kill ? "halted" : "active", reason, err;
    if (!read_command(req.body, state, reason, err)) return error(400, err);
    const auto to = parse_kill_state(state);
    if (!to) return error(400, fmt::format("unknown state \"{}\": use active, reducing or halted", state));
    if (kill && *to == KillState::Active) return error(400, "POST /v1/kill moves to reducing or halted; use /v1/resume to resume");
    if (!kill && *to == KillState::Halted) return error(400, "POST /v1/resume moves to reducing or active; use /v1/kill to halt");
    if (!kill && !graph_.bot.kill_file.empty() && std::filesystem::exists(graph_.bot.kill_file))
      return error(409, fmt::format("the kill file {} exists; remove it first, or it halts the bot again", graph_.bot.kill_file.string()));
    if (!kill && *to > kill_state_)
      return error(409, fmt::format("the kill switch is {}, already less strict than {}", to_string(kill_state_), to_string(*to)));
    if (reason.empty()) reason = kill ? "control API kill" : "control API resume";
    const KillVerdict v = set_kill_state(*to, "api", reason, /*authenticated=*/true);
    w.StartObject();
    str(w, "state", to_string(kill_state_));
    w.Key("changed");
    w.Bool(v == KillVerdict::Move);
    w.EndObject();
    return json(200, buf);
  }
  constexpr std::string_view kReload = "/v1/strategies/";
  if (post && p.rfind(kReload, 0) == 0 && p.size() > kReload.size() + 7 && p.ends_with("/reload")) {
    const std::string name = p.substr(kReload.size(), p.size() - kReload.size() - 7);
    const th_instance* target = nullptr;
    for (const th_instance* s : strategies_)
      if (s->name == name) target = s;
    if (!target) return error(404, fmt::format("no strategy named '{}'", name));
    if (graph_.bot.mode != graph::Mode::Paper) return error(409, "hot reload runs in paper mode only");
    const int n = reload_file(target->component->plugin->file);
    w.StartObject();
    str(w, "strategy", name);
    w.Key("reloaded");
    w.Int(n);
    w.EndObject();
    return json(200, buf);
  }
  const bool known = p == "/healthz" || p == "/readyz" || p == "/metrics" || p.rfind("/v1/", 0) == 0;
  return known ? error(405, fmt::format("{} {} is not supported", req.method, p)) : error(404, fmt::format("no route {}", p));
}

std::string Engine::metrics_text() {
  fmt::memory_buffer out;
  auto family = [&](const char* name, const char* type, const char* help) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  const std::string bot = graph_.bot.name;
  family("tradehost_events_total", "counter", "Market and venue events the loop processed.");
  fmt::format_to(std::back_inserter(out), "tradehost_events_total{{bot=\"{}\"}} {}\n", bot, events_);
  family("tradehost_events_per_second", "gauge", "Events per second over the last 10 seconds.");
  double rate = 0;
  if (event_samples_.size() >= 2) {
    const double secs = std::chrono::duration<double>(event_samples_.back().first - event_samples_.front().first).count();
    if (secs > 0) rate = static_cast<double>(event_samples_.back().second - event_samples_.front().second) / secs;
  }
  fmt::format_to(std::back_inserter(out), "tradehost_events_per_second{{bot=\"{}\"}} {}\n", bot, rate);

  family("tradehost_orders", "gauge", "Orders of this run by state.");
  std::map<std::string, int64_t> by_state;
  for (int32_t s = TH_ORDER_PENDING_NEW; s <= TH_ORDER_EXPIRED; ++s) by_state[oms::to_string(static_cast<oms::OrderState>(s))] = 0;
  if (oms_)
    for (const auto& o : oms_->orders()) ++by_state[oms::to_string(o.state)];
  for (const auto& [state, n] : by_state)
    fmt::format_to(std::back_inserter(out), "tradehost_orders{{bot=\"{}\",state=\"{}\"}} {}\n", bot, state, n);

  family("tradehost_rejections_total", "counter", "Orders stopped before the venue, by rule (risk rule name, validation, kill_switch).");
  for (const auto& [rule, n] : rejections_by_rule_)
    fmt::format_to(std::back_inserter(out), "tradehost_rejections_total{{bot=\"{}\",rule=\"{}\"}} {}\n", bot, rule, n);

  family("tradehost_order_latency_seconds", "histogram", "Live orders: from routing to the venue's first answer about the order.");
  uint64_t cumulative = 0;
  for (size_t b = 0; b <= kLatencyBounds.size(); ++b) {
    cumulative += latency_buckets_.empty() ? 0 : latency_buckets_[b];
    const std::string le = b < kLatencyBounds.size() ? fmt::format("{}", kLatencyBounds[b]) : "+Inf";
    fmt::format_to(std::back_inserter(out), "tradehost_order_latency_seconds_bucket{{bot=\"{}\",le=\"{}\"}} {}\n", bot, le, cumulative);
  }
  fmt::format_to(std::back_inserter(out), "tradehost_order_latency_seconds_sum{{bot=\"{}\"}} {}\n", bot, latency_sum_s_);
  fmt::format_to(std::back_inserter(out), "tradehost_order_latency_seconds_count{{bot=\"{}\"}} {}\n", bot, latency_count_);

  family("tradehost_rate_limit_used", "gauge", "Units spent in the current window of each rate-limit budget.");
  std::vector<net::RateLimiter::BudgetLevel> levels;
  if (rate_limiter_) levels = rate_limiter_->levels();
  for (const auto& l : levels)
    fmt::format_to(std::back_inserter(out), "tradehost_rate_limit_used{{bot=\"{}\",budget=\"{}\",venue=\"{}\"}} {}\n", bot, l.name,
                   l.venue, l.used);
  family("tradehost_rate_limit_limit", "gauge", "The limit of each rate-limit budget per window.");
  for (const auto& l : levels)
    fmt::format_to(std::back_inserter(out), "tradehost_rate_limit_limit{{bot=\"{}\",budget=\"{}\",venue=\"{}\"}} {}\n", bot, l.name,
                   l.venue, l.limit);

  auto money = [](int64_t raw) { return static_cast<double>(raw) / 1e8; };
  int64_t realized = 0, unrealized = 0;
  for (size_t id = 1; id < instruments_.size(); ++id) {
    realized += portfolio_.position(static_cast<th_instrument_id>(id)).realized;
    unrealized += portfolio_.unrealized(static_cast<th_instrument_id>(id));
  }
  family("tradehost_realized_pnl", "gauge", "Realized PnL of this run, quote currency.");
  fmt::format_to(std::back_inserter(out), "tradehost_realized_pnl{{bot=\"{}\",currency=\"{}\"}} {}\n", bot, quote_asset_, money(realized));
  family("tradehost_unrealized_pnl", "gauge", "Unrealized PnL of open positions at the last price, quote currency.");
  fmt::format_to(std::back_inserter(out), "tradehost_unrealized_pnl{{bot=\"{}\",currency=\"{}\"}} {}\n", bot, quote_asset_,
                 money(unrealized));
  family("tradehost_equity", "gauge", "Cash plus positions marked at the last price, quote currency.");
  fmt::format_to(std::back_inserter(out), "tradehost_equity{{bot=\"{}\",currency=\"{}\"}} {}\n", bot, quote_asset_,
                 money(portfolio_.equity()));
  family("tradehost_kill_switch_state", "gauge", "0 ACTIVE, 1 REDUCING, 2 HALTED.");
  fmt::format_to(std::back_inserter(out), "tradehost_kill_switch_state{{bot=\"{}\"}} {}\n", bot, static_cast<int>(kill_state_));
  return fmt::to_string(out);
}

}  // namespace tradehost::engine
