// The orchestrator: builds plugin instances from a validated graph and runs them on one Boost.Asio
// loop thread, in backtest (simulated clock, as fast as the CPU allows) or paper mode (replay
// paced on the wall clock by [bot].speed). Both modes run the same code for strategies, the risk
// chain, the order manager, the simulated matching engine and the portfolio.
//
// Per bar, in this order (no look-ahead): orders accepted before the bar opened are matched
// against it; the portfolio is marked at its close; risk rules, then the strategies subscribed to
// its instrument, see it. Orders a strategy submits while handling the bar are checked by every
// risk rule in graph order (the first rejection wins), journaled as PENDING_NEW in SQLite, and
// accepted by the simulator, which fills them from the next bar on.
//
// Live mode (live_orders.cpp) runs the same strategies and risk chain on the wall clock; an
// approved order is journaled PENDING_NEW (durably) and then handed to its instrument's
// connector, and its fate comes back as the connector's order and fill events (plugin.h, LIVE
// VENUES). On start the host adopts the orders its journal holds open, asks the venue about each
// (query), reconciles (open orders, balances) and only then starts the strategies.
#pragma once

#include "credentials/master_secret.hpp"
#include "engine/instance.hpp"
#include "engine/kill_switch.hpp"
#include "graph/graph.hpp"
#include "loader/plugin_registry.hpp"
#include "oms/order_manager.hpp"
#include "portfolio/portfolio.hpp"
#include "report/metrics.hpp"
#include "report/round_trip.hpp"
#include "sim/matching_engine.hpp"
#include "store/store.hpp"

#include <tradehost/plugin.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/signal_set.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <filesystem>
#include <set>
#include <unordered_set>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>



namespace tradehost::engine {

class PluginWatcher;
}  // namespace tradehost::engine
namespace tradehost::net {
class HttpClient;
class RateLimiter;
class WebSocketClient;
}  // namespace tradehost::net
namespace tradehost::credentials {
class CredentialStore;
class Signer;
}  // namespace tradehost::credentials
namespace tradehost::control {
class ControlServer;
struct Request;
struct Response;
}  // namespace tradehost::control
namespace tradehost::engine {

/// A problem that stops a run before or while it runs; the message is for the trader.
class EngineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunOptions {
  std::optional<int64_t> from_ns, to_ns;   // bar open time window [from, to), ns UTC
  std::filesystem::path out_dir;           // report.json, trades.csv (and the backtest state)
  std::optional<std::filesystem::path> state_path;  // overrides [bot].state
  bool progress = true;                    // progress bar when stdout is a terminal
  bool print_summary = true;
  std::optional<double> speed;             // overrides [bot].speed (paper)
  /// Unlocks the credential store at the given path, when a component names a credential
  /// (TH_CFG_CREDENTIAL). The CLI asks the environment or the terminal; empty: such a graph is
  /// refused.
  std::function<credentials::MasterSecret(const std::filesystem::path&)> unlock_credentials;
};

struct RunResult {
  std::string status;                      // "completed", "stopped" or "failed"
  std::string error;
  report::Summary summary;
  int64_t run_id = 0;
  std::filesystem::path state_path, report_path, trades_path;
};

/// The host services table given to every plugin (plugin.h th_host_api).
const th_host_api* host_api() noexcept;

class Engine {
 public:
  Engine(const graph::Graph& graph, const loader::PluginRegistry& registry, RunOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Creates every instance (each plugin parses and checks its config; no I/O). Throws
  /// EngineError naming the node when one refuses. `tradehost check` stops here.
  void create_instances();

  /// Starts the connectors (historical sources read and check their data here), resolves each
  /// strategy's instruments and subscribes. Throws EngineError; writes nothing. `tradehost check`
  /// runs this too. run() calls it when it has not been called.
  void prepare();

  /// Runs the graph to the end of its data or until stopped. Errors that happen before the
  /// state database is opened throw EngineError (nothing is written); later ones are recorded
  /// as a failed run and returned.
  RunResult run();

  /// Asks the loop to stop after the current event (any thread; signal handlers use it).
  void request_stop() noexcept { stop_requested_.store(true); }

  // ---- hot reload (paper mode; hot_reload.cpp). Loop thread only, between events. ----------

  /// Reloads every strategy whose library file now differs (by content) from the build it
  /// runs: what SIGHUP and `tradehost reload` do. Outside paper mode it refuses, logs and
  /// notifies why, and changes nothing. Returns the number of strategy instances switched.
  int reload_changed_strategies();
  /// Reloads the strategies built from `file` (an original plugin path). Each attempt is
  /// audited in the reloads table and notified on topic "reload"; a failed one leaves the
  /// running instance untouched. Returns the number switched (0 when the file is unchanged).
  int reload_file(const std::filesystem::path& file);

  // ---- host services (called through host_api()) ------------------------------------------
  /// The loop clock: the current event's time; while notifiers drain after the run, the time
  /// of the last event plus the wall-clock time since the drain began (notifier_drain.cpp).
  th_time_ns now() const noexcept;
  th_status define_instrument(th_instance* self, const th_instrument* in, th_instrument_id* out);
  const th_instrument* instrument(th_instrument_id id) const noexcept;
  th_status find_instrument(th_str venue, th_str symbol, th_instrument_id* out) const;
  th_status emit(th_instance* self, const th_event* ev);
  th_status submit_order(th_instance* self, const th_order_request* req, uint64_t* order_id, th_str* reason);
  th_status cancel_order(th_instance* self, uint64_t order_id);
  th_status record_decision(th_instance* self, th_instrument_id inst, int32_t action, th_str reason, th_str inputs);
  th_status position(th_instrument_id id, th_position_info* out) const;
  th_status account(th_account_info* out) const;
  th_status last_price(th_instrument_id id, th_fixed* out) const;
  uint64_t timer_start(th_instance* self, th_time_ns period, int32_t repeat, uint64_t cookie);
  void timer_cancel(uint64_t timer_id);
  th_status post(th_instance* self, uint64_t cookie);
  // ABI 1.2 networking and signing (net_services.cpp)
  uint64_t http_request(th_instance* self, const th_http_request* req, uint64_t cookie);
  th_status http_cancel(th_instance* self, uint64_t request_id);
  th_status rate_budget(th_instance* self, th_str name, th_str venue, int64_t limit, th_time_ns interval, th_str usage_header);
  uint64_t ws_open(th_instance* self, th_str url, uint64_t cookie);
  th_status ws_send(th_instance* self, uint64_t conn, th_str text);
  void ws_close(th_instance* self, uint64_t conn);
  th_status credential_api_key(th_instance* self, th_str* out);
  th_status sign(th_instance* self, int32_t algorithm, th_bytes payload, char* out, size_t cap, size_t* len);
  // ABI 1.4 kill switch (kill_control.cpp)
  th_status kill_switch(th_instance* self, int32_t state, th_str reason);
  th_status kill_state(int32_t* out) const;

  // ---- the kill switch (kill_control.cpp). Loop thread only. --------------------------------
  /// Moves the kill switch (kill_switch.hpp has the rules): persisted and audited first (paper,
  /// live), then logged, notified on topic "kill_switch" and acted on (HALTED cancels every open
  /// order and flattens when [bot] flatten_on_halt). `source` names the trigger ("api",
  /// "file", "signal", "risk:<name>", "notifier:<name>"). On Refused, *why says why.
  KillVerdict set_kill_state(KillState to, const std::string& source, const std::string& reason, bool authenticated,
                             std::string* why = nullptr);
  KillState kill_state() const noexcept { return kill_state_; }

 private:
  struct StoredInstrument {  // the host's copy of a connector's instrument
    th_instrument view{};
    std::string venue, symbol, native_symbol, base, quote, settle;
    uint32_t connector = 0;
    void bind() {
      auto th = [](const std::string& s) { return th_str{s.data(), s.size()}; };
      view.venue = th(venue);
      view.symbol = th(symbol);
      view.native_symbol = th(native_symbol);
      view.base = th(base);
      view.quote = th(quote);
      view.settle = th(settle);
    }
  };
  struct Source;
  struct Timer {  // a plugin timer on the loop clock
    th_time_ns due;
    uint64_t id;
    th_instance* owner;
    th_time_ns period;
    bool repeat;
    uint64_t cookie;
    bool operator>(const Timer& o) const { return due != o.due ? due > o.due : id > o.id; }
  };
  struct Pending;
  class StoreJournal;
  struct VenueOrder;
  struct VenueFill;
  /// One execution of an order, simulated or reported by the venue.
  struct Execution {
    int64_t price = 0, qty = 0;     // price_scale, qty_scale
    int64_t fee = 0;                // TH_MONEY_SCALE in fee_asset, as charged
    std::string fee_asset;
    int64_t fee_quote = 0;          // the fee valued in the quote asset (money): what the portfolio pays
    int32_t liquidity = 0;          // TH_LIQ_*
    std::string trade_id;
    th_time_ns ts = 0;              // when it happened (bar open time / venue time)
  };
  struct HttpCall {                 // an http_request in flight
    th_instance* owner = nullptr;
    uint64_t cookie = 0;
    uint64_t net_id = 0;            // net::HttpClient's id
  };
  struct WsConn {                   // an open ws_open connection
    th_instance* owner = nullptr;
    uint64_t cookie = 0;
    std::unique_ptr<net::WebSocketClient> client;
  };

  net::HttpClient& http_client();
  /// Cancels the instance's HTTP requests and closes its WebSockets: no callback reaches it after.
  void release_net(th_instance* inst) noexcept;
  /// Keeps a closing WebSocket client alive until its close completes.
  void retire(std::unique_ptr<net::WebSocketClient> client);
  /// After a plugin callback: writes a strategy's pending decision, applies the containment
  /// policy on a non-OK status, delivers the order events the callback caused.
  void after_callback(th_instance* inst, const char* what, th_status st);
  /// The credential named by the instance's TH_CFG_CREDENTIAL key: opens the store (once) and
  /// checks the entry exists. Throws EngineError naming the node and the fix.
  void bind_credential(th_instance& inst);
  /// Opens the credential store (once) and checks it holds `name`; `who` and `add_hint` (the
  /// `credentials add` options to suggest) make the error say what needs it and how to fix it.
  void open_credential_store(const graph::SourcePos& p, const std::string& who, const std::string& name, std::string_view add_hint);

  void start_hot_reload(boost::asio::io_context& io);
  void stop_hot_reload() noexcept;
  bool reload_strategy(th_instance* old, loader::LoadedPlugin* lib, const std::string& load_error);

  void start_connectors();
  void resolve_subscriptions();
  void add_sources();
  void check_window();
  void open_store();
  /// The plugins-table row of a library the run uses (at start, and after a hot reload).
  void record_plugin(const loader::LoadedPlugin& plugin);
  /// Starts notifiers, risk rules and strategies (those not started yet); with notifiers_only,
  /// just the notifiers (live mode starts them before reconciling).
  void start_others(bool notifiers_only = false);
  void stop_all(bool notifiers_too = true) noexcept;
  void destroy_all() noexcept;

  bool next_from_sources(const th_event*& ev, size_t& source);
  void pump_backtest(boost::asio::io_context& io);
  void pump_paper(boost::asio::io_context& io);
  void process(const th_event& ev);
  /// emit() of a live trade, quote or book event: copied, then processed on the loop.
  th_status emit_market(const th_event& ev);
  /// Runs a live source's market event on the loop; until the strategies and risk rules have
  /// started (a live bot reconciles first) it is held, then run in arrival order (open_market).
  void dispatch_market(std::function<void()> fn);
  void open_market();
  void on_bar(const th_ev_bar& bar);
  void close_period();
  void fire_timers(th_time_ns up_to);
  void drop_timers_of(const th_instance* owner);
  void flush_pending();
  /// Order manager, fills table, portfolio, positions and round trips for one execution; queues
  /// the FILL and then the ORDER event for the owner and notifies "fill".
  void record_execution(oms::Order& o, const Execution& x);

  // ---- live mode (live_orders.cpp) ----------------------------------------------------------
  /// Live mode's checks on the graph: every connector a strategy trades through routes orders,
  /// and no connector is a historical source. Throws EngineError.
  void check_live_graph() const;
  /// The connector that trades an instrument.
  th_instance* connector_of(th_instrument_id id) const;
  static th_order order_view(const oms::Order& o);
  /// Hands an approved, journaled order to its connector; a connector that refuses at once
  /// rejects it.
  void route_order(oms::Order& o);
  th_status route_cancel(oms::Order& o);
  /// Before strategies start: adopt the journal's open orders, query each at its venue, then
  /// reconcile every trading connector. Throws EngineError (the run fails closed) when a venue
  /// does not answer or the journal holds what no connector can explain.
  void reconcile_at_start();
  void adopt_open_orders();
  void carry_positions();
  /// Runs the loop until `done` or `timeout`; false on timeout or when the run must stop.
  bool run_loop_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);
  /// The order an event names: by host id (when it matches the client id given), else by client
  /// order id. nullptr for an order the host never issued (reported once as foreign).
  oms::Order* venue_order_for(th_instance* conn, uint64_t order_id, const std::string& client_order_id, const char* what);
  /// emit() of a trading connector's order, fill, balance or position event: copied now,
  /// applied on the loop. TH_ERR_UNSUPPORTED outside live mode (paper fills are simulated).
  th_status emit_venue(th_instance* self, const th_event* ev);
  /// A venue event the host cannot explain: logs, notifies "error", moves the kill switch to
  /// HALTED (persisted, so a restart waits for an operator's resume) and fails the run.
  void fail_closed(const std::string& title, const std::string& why);
  void on_venue_order(th_instance* conn, const VenueOrder& v);
  void on_venue_fill(th_instance* conn, const VenueFill& v);
  void on_venue_balance(th_instance* conn, const th_ev_balance& ev, const std::string& asset);
  void on_venue_position(th_instance* conn, const th_ev_position& ev);
  /// Runs `fn` on the loop once the order manager exists (events that arrive while the host
  /// starts wait for it).
  void on_loop(std::function<void()> fn);
  /// Live clock: arms the loop's wall-clock timer for the earliest plugin timer.
  void arm_wall_timer();
  void queue_order_event(const oms::Order& o);
  void write_decision(th_instance* self);
  void write_position(th_instrument_id id);
  void deliver(th_instance* inst, const th_event& ev);
  void deliver_to_risk(const th_event& ev);
  void instance_failed(th_instance* inst, const char* what, th_status st);
  void notify(const char* topic, int32_t severity, const std::string& title, const std::string& body);
  /// After the run's summary: keeps the loop running (wall clock) while a started notifier has
  /// an HTTP request in flight or a timer pending, for at most [bot] notifier_drain, so queued
  /// notifications and their retries can still go out. Ctrl-C ends it early. notifier_drain.cpp.
  void drain_notifiers(boost::asio::io_context& io);
  /// True while a started notifier has an HTTP request in flight or a timer pending.
  bool notifiers_busy() const;
  void reject(th_instance* self, const th_order_request& req, const std::string& rule, const std::string& reason);
  void finish(RunResult& result, const std::string& status, const std::string& error);

  // ---- kill switch and control API (kill_control.cpp, control_api.cpp) ---------------------
  /// Paper/live: the persisted state of this bot's kill switch (after open_store).
  void load_kill_switch();
  /// Whether the kill switch lets a strategy's order through; *why when not.
  bool kill_allows(const th_order_request& req, std::string* why) const;
  /// HALTED's actions: cancel every open order; close every position when flatten_on_halt.
  void apply_halt();
  /// Paper/live: the control API ([control]), the kill file, SIGUSR1/SIGUSR2 and the one-second
  /// housekeeping timer. Throws EngineError when the control API cannot start.
  void start_operator_controls(boost::asio::io_context& io);
  void stop_operator_controls() noexcept;
  void housekeeping();
  void arm_housekeeping();
  void arm_kill_signals();
  void poll_kill_file();
  control::Response control_route(const control::Request& req);
  std::string metrics_text();
  /// Records the latency from routing an order to the venue's first answer about it.
  void observe_order_latency(uint64_t order_id);

  std::string price_text(th_instrument_id id, int64_t raw) const;
  std::string qty_text(th_instrument_id id, int64_t raw) const;
  static std::string money_text(int64_t raw);

  const graph::Graph& graph_;
  const loader::PluginRegistry& registry_;
  RunOptions options_;
  std::deque<th_instance> instances_;             // stable addresses; reloads append, never erase
  std::vector<th_instance*> connectors_, strategies_, risks_, notifiers_;
  std::deque<StoredInstrument> instrument_store_;
  std::vector<StoredInstrument*> instruments_;    // index = id; [0] unused
  std::vector<std::vector<th_instance*>> subscribers_;  // index = instrument id
  std::vector<int64_t> last_price_;               // index = instrument id
  std::vector<Source> sources_;
  std::vector<Timer> timers_;                     // min-heap on due time
  uint64_t next_timer_id_ = 1;
  std::vector<Pending> pending_;
  std::string quote_asset_;

  portfolio::Portfolio portfolio_;
  std::unique_ptr<sim::MatchingEngine> sim_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<StoreJournal> journal_;
  std::unique_ptr<oms::OrderManager> oms_;
  std::unique_ptr<report::MetricsAccumulator> metrics_;
  std::vector<report::RoundTrip> trips_;
  int64_t run_id_ = 0;
  int64_t fills_ = 0;

  // Live mode: the wall clock drives now() and timers; venue events (live_orders.cpp).
  bool live_ = false;
  std::unique_ptr<boost::asio::steady_timer> wall_timer_;
  th_time_ns wall_timer_due_ = 0;
  std::unordered_set<std::string> seen_trades_;   // "<connector index>:<venue trade id>"
  std::set<uint64_t> awaiting_query_;             // adopted orders the venue has not answered for
  std::set<std::string> foreign_reported_;        // client order ids reported as foreign
  std::vector<std::function<void()>> deferred_;   // venue events that came before the order manager
  bool cash_synced_ = false;                      // a quote balance has set the cash
  bool market_open_ = false;                      // strategies and risk rules started: market events flow
  std::vector<std::function<void()>> held_market_;  // live market events that came before that
  std::set<std::string> fee_warned_;              // fee assets that cannot be valued in the quote
  std::map<uint64_t, int64_t> fill_gap_queried_;  // order id -> venue filled qty already asked about

  th_time_ns now_ = 0;
  th_time_ns period_ts_ = 0;          // close time of the bar period being accumulated
  bool period_exposed_ = false;
  th_time_ns next_equity_ts_ = 0;
  int64_t bar_interval_ns_ = 0;
  th_instrument_id primary_ = 0;      // first strategy's first instrument: buy and hold
  int64_t first_open_ = 0, last_close_ = 0;
  int64_t events_ = 0;
  th_time_ns extent_first_ = 0, extent_last_ = 0;
  std::atomic<bool> stop_requested_{false};
  std::string fatal_;                 // set when the run must fail
  boost::asio::io_context* io_ = nullptr;
  bool prepared_ = false;
  // Set while notifiers drain after the run: the loop clock then follows the wall clock from the
  // last event's time, since no event advances it any more.
  struct DrainClock {
    th_time_ns loop_start;
    std::chrono::steady_clock::time_point wall_start;
  };
  std::optional<DrainClock> drain_clock_;

  // Hot reload: replacement libraries and the nodes revalidated against their schemas live
  // until the engine ends (hot_reload.cpp says why).
  std::unique_ptr<PluginWatcher> watcher_;
  std::filesystem::path shadow_dir_;
  std::vector<std::unique_ptr<loader::LoadedPlugin>> reloaded_libs_;
  std::deque<graph::Node> reloaded_nodes_;

  // Networking and secrets (net_services.cpp). The loop exists from construction so connectors
  // may queue requests in start(); run() runs it.
  std::unique_ptr<boost::asio::io_context> io_ctx_;
  std::unique_ptr<net::RateLimiter> rate_limiter_;
  std::unique_ptr<net::HttpClient> http_;
  std::map<uint64_t, HttpCall> http_calls_;
  std::map<uint64_t, WsConn> ws_conns_;
  std::vector<std::unique_ptr<net::WebSocketClient>> closing_ws_;
  uint64_t next_net_id_ = 1;
  std::shared_ptr<const credentials::CredentialStore> credential_store_;
  std::unique_ptr<credentials::Signer> signer_;

  // Kill switch and control API
  KillState kill_state_ = KillState::Active;
  std::string kill_source_, kill_reason_;
  th_time_ns kill_since_ns_ = 0;
  std::unique_ptr<control::ControlServer> control_;
  std::unique_ptr<boost::asio::steady_timer> housekeeping_timer_;
  std::unique_ptr<boost::asio::signal_set> kill_signals_;
  std::map<std::string, int64_t> rejections_by_rule_;
  std::map<std::string, std::pair<int64_t, int64_t>> venue_balances_;  // asset -> free, locked (money scale)
  std::map<uint64_t, std::chrono::steady_clock::time_point> routed_at_;  // live orders awaiting the venue's first answer
  std::vector<uint64_t> latency_buckets_;  // counts per kLatencyBounds bucket (+Inf last)
  double latency_sum_s_ = 0;
  uint64_t latency_count_ = 0;
  std::deque<std::pair<std::chrono::steady_clock::time_point, int64_t>> event_samples_;  // (when, events_) each second
};

}  // namespace tradehost::engine
