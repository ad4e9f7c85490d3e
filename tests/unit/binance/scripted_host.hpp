// A scripted host for the Binance connector plugins (build/plugins/libth_binance_*.so), driven
// through their C ABI: every HTTP request a plugin makes is recorded and answered by the test with
// Binance-shaped bodies, timers fire when the test says, WebSocket opens are recorded, and the
// events it emits are recorded flat. No sockets and no sleeps: the clock is the test's.
// spot_connector_test.cpp and usdm_connector_test.cpp derive their fixtures from ConnectorTest.
#ifndef TRADEHOST_TESTS_BINANCE_SCRIPTED_HOST_HPP
#define TRADEHOST_TESTS_BINANCE_SCRIPTED_HOST_HPP

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <tradehost/plugin.h>

#include <map>
#include <string>
#include <vector>

namespace tradehost::binance::scripted {

constexpr th_time_ns kT0 = 1'672'531'200'000'000'000;  // 2023-01-01T00:00:00Z
constexpr int64_t kT0Ms = kT0 / 1'000'000;
constexpr uint64_t kUserStreamCookie = 1ull << 62;  // TradingSession::kUserStreamCookie

inline std::string str(th_str s) { return s.ptr ? std::string(s.ptr, s.len) : std::string(); }
inline th_str th(const std::string& s) { return th_str{s.data(), s.size()}; }

struct Request {
  uint64_t id = 0, cookie = 0;
  int32_t method = 0;
  std::string url, headers, budgets;
  uint32_t flags = 0;
  std::string path() const {  // "/api/v3/order" from "http://venue/api/v3/order?..."
    const size_t start = url.find('/', url.find("//") + 2);
    return url.substr(start, url.find('?') == std::string::npos ? std::string::npos : url.find('?') - start);
  }
  bool has(const std::string& part) const { return url.find(part) != std::string::npos; }
};

struct Timer {
  uint64_t id = 0, cookie = 0;
  th_time_ns period = 0;
  int32_t repeat = 0;
};

/// One emitted event, flattened.
struct Event {
  uint32_t type = 0;
  th_instrument_id instrument = 0;
  th_time_ns ts_event = 0;
  uint64_t order_id = 0;
  std::string client_order_id, venue_order_id, trade_id, reason, asset, message;
  int32_t state = 0, side = 0, liquidity = 0, code = 0, order_type = 0;
  th_fixed qty = 0, price = 0, filled_qty = 0, avg = 0, fee = 0, free = 0, locked = 0, unrealized = 0;
  th_time_ns open_time = 0;                                           // bar
  th_fixed open = 0, high = 0, low = 0, close = 0, volume = 0;        // bar
  int32_t aggressor = 0;                                              // trade
  th_fixed bid = 0, bid_qty = 0, ask = 0, ask_qty = 0;                // quote
};

/// One instrument the host defined, as the plugin described it.
struct Defined {
  std::string symbol, native_symbol, base, quote, settle;
  int32_t kind = 0, price_scale = 0, qty_scale = 0;
};

struct Host {
  th_time_ns now = kT0;
  std::map<std::string, std::string> config_str;
  std::map<std::string, int64_t> config_i64;
  std::vector<Request> requests;
  std::vector<Timer> timers;
  std::vector<Event> events;
  std::vector<Defined> instruments;
  std::vector<std::string> ws_urls, budgets, logs;
  std::vector<uint64_t> ws_closed;
  const th_component* component = nullptr;
};

inline Host*& current() {
  static Host* host = nullptr;
  return host;
}

inline th_status h_register(th_module*, const th_component* c) {
  current()->component = c;
  return TH_OK;
}
inline void h_log(th_instance*, int32_t, th_str msg) { current()->logs.push_back(str(msg)); }
inline th_time_ns h_now(th_instance*) { return current()->now; }
inline th_status h_config_str(th_instance*, th_str key, th_str* out) {
  auto it = current()->config_str.find(str(key));
  if (it == current()->config_str.end()) return TH_ERR_NOT_FOUND;
  *out = th(it->second);
  return TH_OK;
}
inline th_status h_config_i64(th_instance*, th_str key, int64_t* out) {
  auto it = current()->config_i64.find(str(key));
  if (it == current()->config_i64.end()) return TH_ERR_NOT_FOUND;
  *out = it->second;
  return TH_OK;
}
inline th_status h_config_bool(th_instance*, th_str key, int32_t* out) {
  if (str(key) != "testnet") return TH_ERR_NOT_FOUND;
  *out = 0;
  return TH_OK;
}
inline th_status h_define(th_instance*, const th_instrument* inst, th_instrument_id* out) {
  current()->instruments.push_back(Defined{str(inst->symbol), str(inst->native_symbol), str(inst->base),
                                           str(inst->quote), str(inst->settle), inst->kind, inst->price_scale,
                                           inst->qty_scale});
  *out = static_cast<th_instrument_id>(current()->instruments.size());
  return TH_OK;
}
inline th_status h_emit(th_instance*, const th_event* ev) {
  Event e;
  e.type = ev->type;
  e.instrument = ev->instrument;
  e.ts_event = ev->ts_event;
  if (ev->type == TH_EV_ORDER) {
    const auto* o = reinterpret_cast<const th_ev_order*>(ev);
    e.order_id = o->order_id;
    e.client_order_id = str(o->client_order_id);
    e.venue_order_id = str(o->venue_order_id);
    e.state = o->state;
    e.side = o->side;
    e.order_type = o->order_type;
    e.qty = o->qty;
    e.price = o->price;
    e.filled_qty = o->filled_qty;
    e.avg = o->avg_fill_price;
    e.reason = str(o->reason);
  } else if (ev->type == TH_EV_FILL) {
    const auto* f = reinterpret_cast<const th_ev_fill*>(ev);
    e.order_id = f->order_id;
    e.client_order_id = str(f->client_order_id);
    e.trade_id = str(f->trade_id);
    e.side = f->side;
    e.liquidity = f->liquidity;
    e.price = f->price;
    e.qty = f->qty;
    e.fee = f->fee;
    e.asset = str(f->fee_asset);
  } else if (ev->type == TH_EV_BALANCE) {
    const auto* b = reinterpret_cast<const th_ev_balance*>(ev);
    e.asset = str(b->asset);
    e.free = b->free;
    e.locked = b->locked;
  } else if (ev->type == TH_EV_POSITION) {
    const auto* p = reinterpret_cast<const th_ev_position*>(ev);
    e.qty = p->qty;
    e.avg = p->avg_entry_price;
    e.unrealized = p->unrealized_pnl;
  } else if (ev->type == TH_EV_BAR) {
    const auto* b = reinterpret_cast<const th_ev_bar*>(ev);
    e.open_time = b->open_time;
    e.open = b->open, e.high = b->high, e.low = b->low, e.close = b->close, e.volume = b->volume;
  } else if (ev->type == TH_EV_TRADE) {
    const auto* t = reinterpret_cast<const th_ev_trade*>(ev);
    e.price = t->price, e.qty = t->qty, e.aggressor = t->aggressor_side;
  } else if (ev->type == TH_EV_QUOTE) {
    const auto* q = reinterpret_cast<const th_ev_quote*>(ev);
    e.bid = q->bid_price, e.bid_qty = q->bid_qty, e.ask = q->ask_price, e.ask_qty = q->ask_qty;
  } else if (ev->type == TH_EV_STATUS) {
    const auto* s = reinterpret_cast<const th_ev_status*>(ev);
    e.code = s->code;
    e.message = str(s->message);
  }
  current()->events.push_back(std::move(e));
  return TH_OK;
}
inline uint64_t h_timer_start(th_instance*, th_time_ns period, int32_t repeat, uint64_t cookie) {
  const uint64_t id = current()->timers.size() + 1;
  current()->timers.push_back(Timer{id, cookie, period, repeat});
  return id;
}
inline void h_timer_cancel(th_instance*, uint64_t) {}
inline uint64_t h_http(th_instance*, const th_http_request* req, uint64_t cookie) {
  Request r;
  r.id = current()->requests.size() + 1;
  r.cookie = cookie;
  r.method = req->method;
  r.url = str(req->url);
  r.headers = str(req->headers);
  r.budgets = str(req->budgets);
  r.flags = req->flags;
  current()->requests.push_back(r);
  return r.id;
}
inline th_status h_rate_budget(th_instance*, th_str name, th_str, int64_t, th_time_ns, th_str) {
  current()->budgets.push_back(str(name));
  return TH_OK;
}
inline uint64_t h_ws_open(th_instance*, th_str url, uint64_t) {
  current()->ws_urls.push_back(str(url));
  return 100 + current()->ws_urls.size();
}
inline void h_ws_close(th_instance*, uint64_t conn) { current()->ws_closed.push_back(conn); }
inline th_status h_api_key(th_instance*, th_str* out) {
  static const char kKey[] = "KEY";
  *out = th_str{kKey, 3};
  return TH_OK;
}
inline th_status h_sign(th_instance*, int32_t, th_bytes, char* out, size_t cap, size_t* len) {
  *len = 3;
  if (cap < 3) return TH_ERR_INVALID_ARG;
  out[0] = 'S', out[1] = 'I', out[2] = 'G';
  return TH_OK;
}

/// Loads `plugin` (a file in TH_PLUGIN_DIR), creates the connector with the host's config,
/// answers its exchangeInfo request with `exchange_info` and expects STATUS READY. Derived
/// fixtures fill host_.config_* in their constructor.
class ConnectorTest : public ::testing::Test {
 protected:
  ConnectorTest(std::string plugin, std::string exchange_info)
      : plugin_(std::move(plugin)), exchange_info_(std::move(exchange_info)) {
    host_.config_str = {{"rest_url", "http://venue"}, {"ws_url", "ws://venue"}, {"credential", "acct"}};
    host_.config_i64 = {{"recv_window", 5'000'000'000}, {"request_timeout", 10'000'000'000}, {"history_bars", 0}, {"book_depth", 20}};
  }

  void SetUp() override {
    current() = &host_;
    api_.struct_size = sizeof api_;
    api_.abi_version = TH_ABI_VERSION;
    api_.register_component = &h_register;
    api_.log = &h_log;
    api_.now = &h_now;
    api_.config_str = &h_config_str;
    api_.config_i64 = &h_config_i64;
    api_.config_bool = &h_config_bool;
    api_.define_instrument = &h_define;
    api_.emit = &h_emit;
    api_.timer_start = &h_timer_start;
    api_.timer_cancel = &h_timer_cancel;
    api_.http_request = &h_http;
    api_.rate_budget = &h_rate_budget;
    api_.ws_open = &h_ws_open;
    api_.ws_close = &h_ws_close;
    api_.credential_api_key = &h_api_key;
    api_.sign = &h_sign;
    const std::string path = std::string(TH_PLUGIN_DIR) + "/" + plugin_;
    lib_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(lib_, nullptr) << dlerror();
    auto entry = reinterpret_cast<th_plugin_entry_fn>(dlsym(lib_, TH_PLUGIN_ENTRY_NAME));
    ASSERT_NE(entry, nullptr);
    th_plugin_info info{};
    info.struct_size = sizeof info;
    info.abi_version = TH_ABI_VERSION;
    ASSERT_EQ(entry(&api_, reinterpret_cast<th_module*>(&host_), &info), TH_OK);
    ASSERT_NE(host_.component, nullptr);
    comp_ = host_.component;
    ops_ = static_cast<const th_connector_ops*>(comp_->ops);
    ASSERT_NE(ops_->submit, nullptr) << plugin_ << " must be a trading connector";
    ASSERT_EQ(comp_->create(self(), &api_, &state_), TH_OK) << (host_.logs.empty() ? "" : host_.logs.back());
    ASSERT_EQ(ops_->load_instruments(state_), TH_OK);
    ASSERT_EQ(host_.requests.size(), 1u);
    respond(0, 200, exchange_info_);
    ASSERT_EQ(host_.events.back().code, TH_STATUS_READY) << host_.events.back().message;
    host_.events.clear();
  }
  void TearDown() override {
    if (state_) comp_->destroy(state_);
    if (lib_) dlclose(lib_);
    current() = nullptr;
  }

  th_instance* self() { return reinterpret_cast<th_instance*>(&host_); }

  void respond(size_t index, int32_t status, const std::string& body, th_status error = TH_OK, uint32_t flags = 0,
               const std::string& message = "", const std::string& headers = "") {
    const Request r = host_.requests.at(index);
    th_http_response resp{};
    resp.struct_size = sizeof resp;
    resp.status = status;
    resp.error = error;
    resp.flags = flags;
    resp.headers = th(headers);
    resp.body = th_bytes{reinterpret_cast<const uint8_t*>(body.data()), body.size()};
    resp.message = th(message);
    ASSERT_EQ(comp_->on_http(state_, r.id, r.cookie, &resp), TH_OK);
  }
  void respond_last(int32_t status, const std::string& body) { respond(host_.requests.size() - 1, status, body); }
  void fire(const Timer& t) { ASSERT_EQ(comp_->on_timer(state_, t.id, t.cookie), TH_OK); }
  void ws(uint64_t conn, int32_t what, const std::string& data = "") {
    ASSERT_EQ(comp_->on_ws(state_, conn, kUserStreamCookie, what, th(data)), TH_OK);
  }

  /// A BUY LIMIT of `qty` at `price` (raw) on instrument 1 with host id 11.
  th_order order(int32_t type, const char* cid, th_fixed qty, th_fixed price) {
    th_order o{};
    o.struct_size = sizeof o;
    o.req.struct_size = sizeof o.req;
    o.req.instrument = 1;
    o.req.side = TH_SIDE_BUY;
    o.req.type = type;
    o.req.qty = qty;
    o.req.price = price;
    o.order_id = 11;
    o.client_order_id = th_str{cid, std::char_traits<char>::length(cid)};
    return o;
  }
  size_t count(int32_t method, const std::string& path) const {
    size_t n = 0;
    for (const Request& r : host_.requests) n += r.method == method && r.path() == path;
    return n;
  }
  std::vector<Event> of_type(uint32_t type) const {
    std::vector<Event> out;
    for (const Event& e : host_.events)
      if (e.type == type) out.push_back(e);
    return out;
  }

  std::string plugin_, exchange_info_;
  Host host_;
  th_host_api api_{};
  void* lib_ = nullptr;
  const th_component* comp_ = nullptr;
  const th_connector_ops* ops_ = nullptr;
  void* state_ = nullptr;
};

}  // namespace tradehost::binance::scripted

#endif  // TRADEHOST_TESTS_BINANCE_SCRIPTED_HOST_HPP
