// tradehost/plugin.hpp -- C++17 conveniences over the C ABI in plugin.h. Header-only; nothing in
// here crosses the boundary: the glue below turns C++ classes into th_component tables whose
// entry points catch every exception (the barrier) and return th_status.
//
// Writing a plugin:
//
//   class MyStrategy : public tradehost::Strategy {
//    public:
//     static constexpr int kind = TH_KIND_STRATEGY;
//     static constexpr const char* type_name = "my_strategy";
//     static constexpr const char* description = "What it does";
//     static std::vector<tradehost::Field> config() {
//       return {tradehost::Field{"period", TH_CFG_I64, "14", "indicator period"}.with_unit("bars")};
//     }
//     explicit MyStrategy(tradehost::Context ctx) : Strategy(ctx), period_(ctx.i64("period")) {}
//     void on_event(const th_event& ev) override { ... }
//   };
//   TH_DECLARE_PLUGIN("my_plugin", "1.0.0", "build-id", MyStrategy /*, more components */)
//
// Threading: every virtual below is called on the host loop thread. Exceptions thrown by them are
// caught at the boundary, logged through the host, and turned into a status (tradehost::Error
// carries its own status; anything else becomes TH_ERR_INTERNAL).
#ifndef TRADEHOST_PLUGIN_HPP
#define TRADEHOST_PLUGIN_HPP

#include <tradehost/plugin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tradehost {

/// A borrowed view of `s` as a th_str (no copy; `s` must outlive the use).
inline th_str to_th(std::string_view s) noexcept { return th_str{s.data(), s.size()}; }
/// A view of a th_str (no copy; valid as long as the th_str's owner says).
inline std::string_view to_sv(th_str s) noexcept {
  return s.len ? std::string_view(s.ptr, s.len) : std::string_view();
}

/// An error a plugin throws to return a specific status through the barrier.
class Error : public std::runtime_error {
 public:
  Error(th_status status, const std::string& what) : std::runtime_error(what), status_(status) {}
  th_status status() const noexcept { return status_; }

 private:
  th_status status_;
};

/// A declared config key (becomes a th_config_field). `type` is TH_CFG_*, `default_value` the TOML
/// literal text ("" = no default), `description` what the key does, `flags` TH_CFG_REQUIRED/SECRET,
/// `unit` the unit of the value (ABI 1.1; nullptr or "" = none), e.g. "bps", "bars",
/// "fraction of equity", "quote currency". All strings static. Give a unit with with_unit():
///
///   {"prefix", TH_CFG_STR, "\"notify\"", "text that starts every line"}     // no unit
///   Field{"fast", TH_CFG_I64, "12", "fast EMA period"}.with_unit("bars")
///   Field{"max_loss", TH_CFG_DECIMAL, "", "largest daily loss", TH_CFG_REQUIRED}.with_unit("USDT")
struct Field {
  const char* key;
  uint32_t type;
  const char* default_value;
  const char* description;
  uint32_t flags = 0;
  const char* unit = nullptr;

  /// This field with `u` (static) as its unit.
  constexpr Field with_unit(const char* u) const noexcept {
    Field f = *this;
    f.unit = u;
    return f;
  }
};

/// The host as seen by one instance: typed config access, logging, clock, instruments, orders.
/// Cheap to copy (two pointers).
class Context {
 public:
  Context(th_instance* self, const th_host_api* host) noexcept : self_(self), host_(host) {}
  th_instance* self() const noexcept { return self_; }
  const th_host_api* host() const noexcept { return host_; }

  /// Config values (already validated by the host against the declared schema). Throw
  /// tradehost::Error(TH_ERR_INVALID_ARG) naming the key when absent or of another type.
  std::string str(std::string_view key) const {
    th_str out{};
    check(host_->config_str(self_, to_th(key), &out), key);
    return std::string(to_sv(out));
  }
  int64_t i64(std::string_view key) const {
    int64_t out = 0;
    check(host_->config_i64(self_, to_th(key), &out), key);
    return out;
  }
  double f64(std::string_view key) const {
    double out = 0;
    check(host_->config_f64(self_, to_th(key), &out), key);
    return out;
  }
  bool boolean(std::string_view key) const {
    int32_t out = 0;
    check(host_->config_bool(self_, to_th(key), &out), key);
    return out != 0;
  }
  /// DURATION keys, in nanoseconds.
  int64_t duration_ns(std::string_view key) const { return i64(key); }
  std::vector<std::string> list(std::string_view key) const {
    size_t n = 0;
    check(host_->config_list_len(self_, to_th(key), &n), key);
    std::vector<std::string> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      th_str s{};
      check(host_->config_list_str(self_, to_th(key), i, &s), key);
      out.emplace_back(to_sv(s));
    }
    return out;
  }
  /// True when the key has a value (set in the TOML or by a default).
  bool has(std::string_view key) const {
    th_str out{};
    int64_t i = 0;
    double d = 0;
    int32_t b = 0;
    size_t n = 0;
    return host_->config_str(self_, to_th(key), &out) == TH_OK ||
           host_->config_i64(self_, to_th(key), &i) == TH_OK ||
           host_->config_f64(self_, to_th(key), &d) == TH_OK ||
           host_->config_bool(self_, to_th(key), &b) == TH_OK ||
           host_->config_list_len(self_, to_th(key), &n) == TH_OK;
  }

  void log(int32_t level, std::string_view msg) const { host_->log(self_, level, to_th(msg)); }
  void info(std::string_view msg) const { log(TH_LOG_INFO, msg); }
  void warn(std::string_view msg) const { log(TH_LOG_WARN, msg); }
  void error(std::string_view msg) const { log(TH_LOG_ERROR, msg); }
  th_time_ns now() const { return host_->now(self_); }
  /// ABI 1.4: moves the bot's kill switch to a stricter state (TH_KILL_REDUCING or
  /// TH_KILL_HALTED) with a reason for the audit (plugin.h, kill_switch). Returns false when the
  /// host is older than 1.4 or refuses (a less strict state); never throws.
  bool kill_switch(int32_t state, std::string_view reason) const {
    if (host_->struct_size < offsetof(th_host_api, kill_switch) + sizeof(void*) || !host_->kill_switch) return false;
    return host_->kill_switch(self_, state, to_th(reason)) == TH_OK;
  }
  /// ABI 1.4: the bot's kill switch state (TH_KILL_*); TH_KILL_ACTIVE on an older host.
  int32_t kill_state() const {
    int32_t out = TH_KILL_ACTIVE;
    if (host_->struct_size >= offsetof(th_host_api, kill_state) + sizeof(void*) && host_->kill_state)
      host_->kill_state(self_, &out);
    return out;
  }

  const th_instrument* instrument(th_instrument_id id) const { return host_->instrument(self_, id); }

 private:
  static void check(th_status st, std::string_view key) {
    if (st != TH_OK)
      throw Error(TH_ERR_INVALID_ARG, "config key '" + std::string(key) + "' " +
                                          (st == TH_ERR_NOT_FOUND ? "has no value" : "has another type"));
  }
  th_instance* self_;
  const th_host_api* host_;
};

/// Base of every C++ component. Holds the Context.
class Component {
 public:
  explicit Component(Context ctx) : ctx_(ctx) {}
  virtual ~Component() = default;
  Component(const Component&) = delete;
  Component& operator=(const Component&) = delete;
  virtual void start() {}
  virtual void stop() {}
  virtual void on_timer(uint64_t /*timer_id*/, uint64_t /*cookie*/) {}
  virtual void on_posted(uint64_t /*cookie*/) {}
  /// ABI 1.2: the outcome of host()->http_request(self, req, cookie), exactly once, on the loop.
  /// `response` is borrowed for the call. Override it in a component that makes requests.
  virtual void on_http(uint64_t /*request_id*/, uint64_t /*cookie*/, const th_http_response& /*response*/) {}
  /// ABI 1.2: events of a host()->ws_open connection (TH_WS_OPENED / MESSAGE / CLOSED); `data`
  /// is borrowed for the call.
  virtual void on_ws(uint64_t /*conn*/, uint64_t /*cookie*/, int32_t /*what*/, std::string_view /*data*/) {}
  const Context& ctx() const noexcept { return ctx_; }

 protected:
  Context ctx_;
};

/// A market-data and order connector. Historical sources set `static constexpr bool replay_source
/// = true` in the derived class and override replay_next; venues override submit/cancel/reconcile.
class Connector : public Component {
 public:
  using Component::Component;
  static constexpr bool replay_source = false;
  static constexpr bool trading = false;
  virtual void load_instruments() = 0;
  /// Throw Error(TH_ERR_UNSUPPORTED, why) when the source cannot give these events.
  virtual void subscribe(th_instrument_id id, uint32_t event_mask, int64_t bar_interval_ns) = 0;
  /// Set *out to the next event (owned by this object until the next call); false at the end.
  virtual bool replay_next(const th_event** /*out*/) { return false; }
  /// Replay sources: the open time of the first and last subscribed bar (for progress).
  virtual bool replay_extent(th_time_ns* /*first*/, th_time_ns* /*last*/) { return false; }
  virtual void submit(const th_order& /*order*/) { throw Error(TH_ERR_UNSUPPORTED, "submit not supported"); }
  virtual void cancel(const th_order& /*order*/) { throw Error(TH_ERR_UNSUPPORTED, "cancel not supported"); }
  virtual void reconcile() { throw Error(TH_ERR_UNSUPPORTED, "reconcile not supported"); }
  /// ABI 1.3: report one order's fills and state by its client order id (plugin.h, query).
  virtual void query(const th_order& /*order*/) { throw Error(TH_ERR_UNSUPPORTED, "query not supported"); }
};

/// A strategy. on_event sees bars of its instruments and its own order and fill events.
class Strategy : public Component {
 public:
  using Component::Component;
  virtual void on_event(const th_event& ev) = 0;
  /// Hot reload: the state to carry into a new build of this strategy (empty = nothing).
  virtual std::string snapshot() const { return {}; }
  virtual void restore(std::string_view /*state*/) {}

 protected:
  /// Submit an order through the host's risk chain. Returns the host order id, or 0 with
  /// *reason set when a risk rule or validation refused it.
  uint64_t submit(const th_order_request& req, std::string* reason = nullptr) {
    uint64_t id = 0;
    th_str why{};
    th_status st = ctx_.host()->submit_order(ctx_.self(), &req, &id, &why);
    if (st == TH_OK) return id;
    if (reason) *reason = std::string(to_sv(why));
    return 0;
  }
  void record_decision(th_instrument_id inst, int32_t action, std::string_view reason,
                       std::string_view inputs_json) {
    ctx_.host()->record_decision(ctx_.self(), inst, action, to_th(reason), to_th(inputs_json));
  }
  th_position_info position(th_instrument_id inst) const {
    th_position_info p{};
    p.struct_size = sizeof p;
    if (ctx_.host()->position(ctx_.self(), inst, &p) != TH_OK) throw Error(TH_ERR_NOT_FOUND, "no position info");
    return p;
  }
  th_account_info account() const {
    th_account_info a{};
    a.struct_size = sizeof a;
    if (ctx_.host()->account(ctx_.self(), &a) != TH_OK) throw Error(TH_ERR_NOT_FOUND, "no account info");
    return a;
  }
};

/// A risk rule. check() is on the order path: O(1), no I/O. Return an empty string to pass, or the
/// rejection reason.
class RiskRule : public Component {
 public:
  using Component::Component;
  virtual std::string check(const th_order_request& req) = 0;
  virtual void on_event(const th_event& /*ev*/) {}

  /// Storage for the last reason handed to the host (the C glue points th_str into it; valid
  /// until the next check, as plugin.h promises). Not for use by rules themselves.
  std::string last_reason_;
};

/// A notifier. Must not block.
class Notifier : public Component {
 public:
  using Component::Component;
  virtual void notify(int32_t severity, std::string_view topic, std::string_view title,
                      std::string_view body) = 0;
};

namespace detail {

/// The exception barrier: runs f, turning any exception into a status and a log line.
template <class F>
th_status barrier(const Component* c, const char* where, F&& f) noexcept {
  try {
    f();
    return TH_OK;
  } catch (const Error& e) {
    if (c) c->ctx().log(TH_LOG_ERROR, std::string(where) + ": " + e.what());
    return e.status();
  } catch (const std::exception& e) {
    if (c) c->ctx().log(TH_LOG_ERROR, std::string(where) + ": exception: " + e.what());
    return TH_ERR_INTERNAL;
  } catch (...) {
    if (c) c->ctx().log(TH_LOG_ERROR, std::string(where) + ": unknown exception");
    return TH_ERR_INTERNAL;
  }
}

/// Static storage for one component type's th_component and its ops table.
template <class T>
struct Glue {
  static T* self(void* st) noexcept { return static_cast<T*>(st); }

  static th_status create(th_instance* inst, const th_host_api* host, void** out) noexcept {
    *out = nullptr;
    try {
      *out = new T(Context(inst, host));
      return TH_OK;
    } catch (const Error& e) {
      host->log(inst, TH_LOG_ERROR, to_th(std::string("create: ") + e.what()));
      return e.status();
    } catch (const std::exception& e) {
      host->log(inst, TH_LOG_ERROR, to_th(std::string("create: ") + e.what()));
      return TH_ERR_INVALID_ARG;
    } catch (...) {
      return TH_ERR_INTERNAL;
    }
  }
  static th_status start(void* st) noexcept {
    return barrier(self(st), "start", [&] { self(st)->start(); });
  }
  static void stop(void* st) noexcept { barrier(self(st), "stop", [&] { self(st)->stop(); }); }
  static void destroy(void* st) noexcept {
    try {
      delete self(st);
    } catch (...) {
    }
  }
  static th_status on_timer(void* st, uint64_t id, uint64_t cookie) noexcept {
    return barrier(self(st), "on_timer", [&] { self(st)->on_timer(id, cookie); });
  }
  static th_status on_posted(void* st, uint64_t cookie) noexcept {
    return barrier(self(st), "on_posted", [&] { self(st)->on_posted(cookie); });
  }
  static th_status on_http(void* st, uint64_t id, uint64_t cookie, const th_http_response* r) noexcept {
    return barrier(self(st), "on_http", [&] { self(st)->on_http(id, cookie, *r); });
  }
  static th_status on_ws(void* st, uint64_t conn, uint64_t cookie, int32_t what, th_str data) noexcept {
    return barrier(self(st), "on_ws", [&] { self(st)->on_ws(conn, cookie, what, std::string_view(data.ptr ? data.ptr : "", data.len)); });
  }

  // Connector
  static th_status c_load(void* st) noexcept {
    return barrier(self(st), "load_instruments", [&] { self(st)->load_instruments(); });
  }
  static th_status c_subscribe(void* st, th_instrument_id id, uint32_t mask, int64_t iv) noexcept {
    return barrier(self(st), "subscribe", [&] { self(st)->subscribe(id, mask, iv); });
  }
  static th_status c_submit(void* st, const th_order* o) noexcept {
    return barrier(self(st), "submit", [&] { self(st)->submit(*o); });
  }
  static th_status c_cancel(void* st, const th_order* o) noexcept {
    return barrier(self(st), "cancel", [&] { self(st)->cancel(*o); });
  }
  static th_status c_reconcile(void* st) noexcept {
    return barrier(self(st), "reconcile", [&] { self(st)->reconcile(); });
  }
  static th_status c_query(void* st, const th_order* o) noexcept {
    return barrier(self(st), "query", [&] { self(st)->query(*o); });
  }
  static th_status c_replay_next(void* st, const th_event** out) noexcept {
    bool more = false;
    th_status s = barrier(self(st), "replay_next", [&] { more = self(st)->replay_next(out); });
    if (s != TH_OK) return s;
    return more ? TH_OK : TH_ERR_NOT_FOUND;
  }

  static th_status c_replay_extent(void* st, th_time_ns* first, th_time_ns* last) noexcept {
    bool ok = false;
    th_status s = barrier(self(st), "replay_extent", [&] { ok = self(st)->replay_extent(first, last); });
    if (s != TH_OK) return s;
    return ok ? TH_OK : TH_ERR_NOT_READY;
  }

  // Strategy
  static th_status s_on_event(void* st, const th_event* ev) noexcept {
    // The hot path: a try block costs nothing until something throws.
    try {
      self(st)->on_event(*ev);
      return TH_OK;
    } catch (...) {
      return barrier(self(st), "on_event", [] { throw; });
    }
  }
  static th_status s_snapshot(void* st, uint8_t* out, size_t cap, size_t* len) noexcept {
    std::string snap;
    th_status s = barrier(self(st), "snapshot", [&] { snap = self(st)->snapshot(); });
    if (s != TH_OK) return s;
    *len = snap.size();
    if (snap.size() > cap) return TH_ERR_INVALID_ARG;
    if (!snap.empty()) std::memcpy(out, snap.data(), snap.size());
    return TH_OK;
  }
  static th_status s_restore(void* st, th_bytes state) noexcept {
    return barrier(self(st), "restore", [&] {
      self(st)->restore(std::string_view(reinterpret_cast<const char*>(state.ptr), state.len));
    });
  }

  // Risk
  static th_status r_check(void* st, const th_order_request* req, th_str* reason) noexcept {
    T* r = self(st);
    th_status s = barrier(r, "check", [&] { r->last_reason_ = r->check(*req); });
    if (s != TH_OK) {
      static const char kFail[] = "risk rule failed (see log); failing closed";
      *reason = th_str{kFail, sizeof kFail - 1};
      return TH_ERR_REJECTED;
    }
    if (r->last_reason_.empty()) return TH_OK;
    *reason = to_th(r->last_reason_);
    return TH_ERR_REJECTED;
  }
  static th_status r_on_event(void* st, const th_event* ev) noexcept {
    try {
      self(st)->on_event(*ev);
      return TH_OK;
    } catch (...) {
      return barrier(self(st), "on_event", [] { throw; });
    }
  }

  // Notifier
  static th_status n_notify(void* st, int32_t sev, th_str topic, th_str title, th_str body) noexcept {
    return barrier(self(st), "notify",
                   [&] { self(st)->notify(sev, to_sv(topic), to_sv(title), to_sv(body)); });
  }

  static const void* ops() {
    if constexpr (std::is_base_of_v<Connector, T>) {
      static th_connector_ops o = [] {
        th_connector_ops x{};
        x.struct_size = sizeof x;
        x.load_instruments = &c_load;
        x.subscribe = &c_subscribe;
        if constexpr (T::trading) {
          x.submit = &c_submit;
          x.cancel = &c_cancel;
          x.reconcile = &c_reconcile;
          x.query = &c_query;
        }
        if constexpr (T::replay_source) {
          x.replay_next = &c_replay_next;
          x.replay_extent = &c_replay_extent;
        }
        return x;
      }();
      return &o;
    } else if constexpr (std::is_base_of_v<Strategy, T>) {
      static th_strategy_ops o = [] {
        th_strategy_ops x{};
        x.struct_size = sizeof x;
        x.on_event = &s_on_event;
        x.snapshot = &s_snapshot;
        x.restore = &s_restore;
        return x;
      }();
      return &o;
    } else if constexpr (std::is_base_of_v<RiskRule, T>) {
      static th_risk_ops o = [] {
        th_risk_ops x{};
        x.struct_size = sizeof x;
        x.check = &r_check;
        x.on_event = &r_on_event;
        return x;
      }();
      return &o;
    } else {
      static_assert(std::is_base_of_v<Notifier, T>, "a component derives from Connector, Strategy, RiskRule or Notifier");
      static th_notifier_ops o = [] {
        th_notifier_ops x{};
        x.struct_size = sizeof x;
        x.notify = &n_notify;
        return x;
      }();
      return &o;
    }
  }

  static const th_component* component() {
    static std::vector<Field> fields = T::config();
    static std::vector<th_config_field> cfields = [] {
      std::vector<th_config_field> v;
      for (const Field& f : fields) {
        th_config_field c{};
        c.struct_size = sizeof c;
        c.type = f.type;
        c.key = th_str{f.key, std::strlen(f.key)};
        c.default_value = th_str{f.default_value, f.default_value ? std::strlen(f.default_value) : 0};
        c.description = th_str{f.description, f.description ? std::strlen(f.description) : 0};
        c.flags = f.flags;
        c.unit = th_str{f.unit, f.unit ? std::strlen(f.unit) : 0};
        v.push_back(c);
      }
      return v;
    }();
    static std::vector<const th_config_field*> ptrs = [] {
      std::vector<const th_config_field*> v;
      for (const auto& c : cfields) v.push_back(&c);
      return v;
    }();
    static th_component comp = [] {
      th_component c{};
      c.struct_size = sizeof c;
      c.kind = T::kind;
      c.type_name = th_str{T::type_name, std::strlen(T::type_name)};
      c.description = th_str{T::description, std::strlen(T::description)};
      c.config_schema = ptrs.data();
      c.config_schema_len = ptrs.size();
      c.create = &create;
      c.start = &start;
      c.stop = &stop;
      c.destroy = &destroy;
      c.on_timer = &on_timer;
      c.on_posted = &on_posted;
      c.ops = ops();
      c.on_http = &on_http;
      c.on_ws = &on_ws;
      return c;
    }();
    return &comp;
  }
};

template <class... Ts>
th_status register_all(const th_host_api* host, th_module* module) noexcept {
  try {
    th_status st = TH_OK;
    ((st == TH_OK ? (st = host->register_component(module, Glue<Ts>::component())) : st), ...);
    return st;
  } catch (...) {
    return TH_ERR_INTERNAL;
  }
}

}  // namespace detail
}  // namespace tradehost

/// Declares the plugin's one exported entry point. NAME, VERSION and BUILD_ID are string
/// literals; the rest are component classes (each derived from Connector, Strategy, RiskRule or
/// Notifier, with static `kind`, `type_name`, `description` and `config()`).
#define TH_DECLARE_PLUGIN(NAME, VERSION, BUILD_ID, ...)                                          \
  extern "C" TH_EXPORT th_status th_plugin_entry(const th_host_api* host, th_module* module,    \
                                                 th_plugin_info* info) {                       \
    if (!host || !info) return TH_ERR_INVALID_ARG;                                             \
    info->abi_version = TH_ABI_VERSION; /* first, so the host can name an ABI mismatch */      \
    if (TH_ABI_VERSION_MAJOR(host->abi_version) != TH_ABI_MAJOR) return TH_ERR_UNSUPPORTED;    \
    info->name = th_str{NAME, sizeof(NAME) - 1};                                               \
    info->version = th_str{VERSION, sizeof(VERSION) - 1};                                      \
    info->build_id = th_str{BUILD_ID, sizeof(BUILD_ID) - 1};                                   \
    return ::tradehost::detail::register_all<__VA_ARGS__>(host, module);                       \
  }

#endif  // TRADEHOST_PLUGIN_HPP
