#include "engine/engine.hpp"
#include "control/control_server.hpp"
#include "engine/engine_util.hpp"
#include "engine/plugin_watcher.hpp"

#include "credentials/credential_file.hpp"
#include "credentials/credentials_error.hpp"
#include "credentials/signer.hpp"
#include "net/http_client.hpp"
#include "net/rate_limiter.hpp"
#include "net/websocket_client.hpp"

#include "report/iso8601.hpp"
#include "report/progress_bar.hpp"
#include "report/report_json.hpp"
#include "report/run_info.hpp"
#include "report/summary_table.hpp"
#include "report/trades_csv.hpp"

#include <tradehost/fixed.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace tradehost::engine {

namespace {
using detail::side_lc;
using detail::sv;
using detail::th;
using detail::lower;
using detail::wall_ns;
std::string json_escape(std::string_view s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') { o += '\\'; o += c; }
    else if (static_cast<unsigned char>(c) < 0x20) o += fmt::format("\\u{:04x}", c);
    else o += c;
  }
  return o;
}
/// `<state>.pid` while a paper or live run is up, so `tradehost reload CONFIG` can find the
/// process to signal. Removed when the run ends; a stale one (after kill -9) names a dead pid,
/// which `tradehost reload` detects.
class PidFile {
 public:
  explicit PidFile(const std::filesystem::path& state) : path_(state.string() + ".pid") {
    std::FILE* f = std::fopen(path_.c_str(), "w");
    if (!f) {
      spdlog::warn("cannot write {}: `tradehost reload` will not find this bot", path_.string());
      return;
    }
    std::fprintf(f, "%ld\n", static_cast<long>(::getpid()));
    std::fclose(f);
    written_ = true;
  }
  ~PidFile() {
    std::error_code ec;
    if (written_) std::filesystem::remove(path_, ec);
  }
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  std::filesystem::path path_;
  bool written_ = false;
};

}  // namespace

struct Engine::Source {
  th_instance* connector;
  const th_event* next = nullptr;  // owned by the plugin until the next replay_next, or &bar
  th_ev_bar bar{};                 // the host's zero-filled copy of the last bar the source gave
  bool done = false;
};

struct Engine::Pending {
  int32_t type;          // TH_EV_ORDER / TH_EV_FILL / TH_EV_POSITION
  uint64_t order_id;
  th_instrument_id instrument;
  th_time_ns ts;
  int64_t price = 0, qty = 0, fee = 0;
  int32_t liquidity = 0;
  int32_t state = 0;     // TH_EV_ORDER: the state at the time of the transition
  int64_t filled_qty = 0, avg_fill_price = 0;
  std::string trade_id{}, fee_asset{};  // TH_EV_FILL
};

/// Writes every order transition to the store before the order manager applies it.
class Engine::StoreJournal : public oms::Journal {
 public:
  explicit StoreJournal(Engine& e) : e_(e) {}
  void order_created(const oms::Order& o) override {
    const th_order_request& r = o.req;
    store::OrderRow row;
    row.run_id = o.journal_run_id;
    row.order_id = static_cast<int64_t>(o.journal_order_id);
    row.client_order_id = o.client_order_id;
    row.strategy = o.strategy;
    row.instrument = e_.instruments_[r.instrument]->symbol;
    row.side = side_lc(r.side);
    row.type = lower(oms::order_type_name(r.type));
    row.tif = oms::tif_name(r.tif);
    row.qty = e_.qty_text(r.instrument, r.qty);
    if (r.type == TH_ORD_LIMIT || r.type == TH_ORD_STOP_LIMIT || r.type == TH_ORD_TAKE_PROFIT_LIMIT)
      row.price = e_.price_text(r.instrument, r.price);
    if (r.type != TH_ORD_MARKET && r.type != TH_ORD_LIMIT) row.trigger_price = e_.price_text(r.instrument, r.trigger_price);
    row.tag = o.tag;
    row.state = TH_ORDER_PENDING_NEW;
    row.filled_qty = "0";
    row.created_ns = row.updated_ns = o.created_ns;
    e_.store_->insert_order(row);
  }
  void order_transition(const oms::Order& o, oms::OrderState from) override {
    std::optional<std::string> avg;
    if (o.filled_qty > 0) avg = e_.price_text(o.req.instrument, o.avg_fill_price);
    std::optional<std::string_view> avg_sv, reason_sv;
    if (avg) avg_sv = *avg;
    if (!o.reason.empty()) reason_sv = o.reason;
    e_.store_->record_transition(o.journal_run_id, static_cast<int64_t>(o.journal_order_id), o.updated_ns, static_cast<int32_t>(from),
                                 static_cast<int32_t>(o.state), e_.qty_text(o.req.instrument, o.filled_qty), avg_sv,
                                 reason_sv);
  }

 private:
  Engine& e_;
};

Engine::Engine(const graph::Graph& graph, const loader::PluginRegistry& registry, RunOptions options)
    : graph_(graph), registry_(registry), options_(std::move(options)), io_ctx_(std::make_unique<boost::asio::io_context>()) {
  live_ = graph_.bot.mode == graph::Mode::Live;
  instruments_.push_back(nullptr);
  subscribers_.emplace_back();
  last_price_.push_back(0);
  int64_t cash = 0;
  std::string err;
  if (!tradehost::parse_fixed(graph_.bot.initial_cash, TH_MONEY_SCALE, cash, &err) || cash <= 0)
    throw EngineError(fmt::format("{}: [bot] initial_cash '{}' must be a positive decimal with at most 8 decimals",
                                  graph_.file.string(), graph_.bot.initial_cash));
  portfolio_ = portfolio::Portfolio(cash);
  sim::SimConfig sc;
  sc.maker_fee_bps = graph_.bot.maker_fee_bps;
  sc.taker_fee_bps = graph_.bot.taker_fee_bps;
  sc.slippage_bps = graph_.bot.slippage_bps;
  try {
    sim_ = std::make_unique<sim::MatchingEngine>(sc, portfolio_);
  } catch (const std::exception& e) {
    throw EngineError(fmt::format("{}: [bot] {}", graph_.file.string(), e.what()));
  }
}

Engine::~Engine() {
  wall_timer_.reset();  // before io_ctx_, which it refers to
  stop_hot_reload();
  stop_all();
  destroy_all();
  std::error_code ec;
  if (!shadow_dir_.empty() && shadow_dir_ != registry_.shadow_dir()) std::filesystem::remove(shadow_dir_, ec);  // empty by now
}

// ---------------------------------------------------------------------------------------------
// Instances

void Engine::create_instances() {
  auto add = [&](const graph::Node& n, std::vector<th_instance*>& into) {
    const loader::ComponentInfo* c = registry_.find(n.type);
    if (!c) throw EngineError(fmt::format("{}:{}:{}: unknown component type '{}'", n.pos.file, n.pos.line, n.pos.col, n.type));
    th_instance& inst = instances_.emplace_back();
    inst.engine = this;
    inst.component = c;
    inst.node = &n;
    inst.kind = n.kind;
    inst.index = static_cast<uint32_t>(into.size());
    inst.name = n.name;
    into.push_back(&inst);
    bind_credential(inst);
    th_status st = c->comp.create(&inst, host_api(), &inst.state);
    if (st != TH_OK || !inst.state)
      throw EngineError(fmt::format("{}:{}:{}: {} '{}' (type {}, plugin {}) refused its configuration (status {}); see the error above",
                                    n.pos.file, n.pos.line, n.pos.col, graph::kind_name(n.kind), n.name, n.type,
                                    c->plugin->file.filename().string(), st));
    inst.created = true;
  };
  for (const auto& n : graph_.connectors) add(n, connectors_);
  for (const auto& n : graph_.strategies) {
    add(n, strategies_);
    th_instance* s = strategies_.back();
    for (uint32_t i = 0; i < connectors_.size(); ++i)
      if (connectors_[i]->name == n.connector) s->connector = i;
  }
  for (const auto& n : graph_.risks) add(n, risks_);
  for (const auto& n : graph_.notifiers) add(n, notifiers_);
}

void Engine::open_credential_store(const graph::SourcePos& p, const std::string& who, const std::string& name,
                                   std::string_view add_hint) {
  const std::filesystem::path path = credentials::default_credentials_path();
  if (!credential_store_) {
    if (!options_.unlock_credentials)
      throw EngineError(fmt::format("{}:{}:{}: {} needs credential '{}', and this command does not unlock the credential store", p.file,
                                    p.line, p.col, who, name));
    try {
      auto file = credentials::CredentialFile::open(path, options_.unlock_credentials(path));
      if (!file.existed())
        throw EngineError(fmt::format("{}:{}:{}: {} needs credential '{}', but the credential store {} does not exist; "
                                      "create it with `tradehost credentials add {} {}`",
                                      p.file, p.line, p.col, who, name, path.string(), name, add_hint));
      credential_store_ = std::make_shared<credentials::CredentialStore>(std::move(file.store()));
      signer_ = std::make_unique<credentials::Signer>(credential_store_);
    } catch (const credentials::CredentialsError& e) {
      throw EngineError(fmt::format("{}:{}:{}: {}: {}", p.file, p.line, p.col, who, e.what()));
    }
  }
  if (!credential_store_->find(name))
    throw EngineError(fmt::format("{}:{}:{}: {}: no credential '{}' in {}; add it with `tradehost credentials add {} {}`", p.file, p.line,
                                  p.col, who, name, path.string(), name, add_hint));
}

void Engine::bind_credential(th_instance& inst) {
  const graph::Node& n = *inst.node;
  for (const auto& f : inst.component->schema.fields) {
    if (!f.credential) continue;
    auto v = n.config.find(f.key);
    if (v == n.config.end() || v->second.str.empty()) return;  // optional and not given
    inst.credential = v->second.str;
    open_credential_store(v->second.pos, fmt::format("{} '{}'", graph::kind_name(inst.kind), inst.name), inst.credential,
                          "--type hmac --api-key KEY");
    return;
  }
}

void Engine::prepare() {
  if (prepared_) return;
  if (instances_.empty()) create_instances();
  if (graph_.control.enabled) {
    // The control API's bearer token: checked before anything starts, so `tradehost check` says so.
    open_credential_store(graph_.control.pos, "[control]", graph_.control.token_credential, "--type token");
    if (credential_store_->find(graph_.control.token_credential)->type != credentials::CredentialType::Token)
      throw EngineError(fmt::format("{}:{}:{}: [control] token_credential '{}' is not a token credential; add one with "
                                    "`tradehost credentials add NAME --type token`",
                                    graph_.control.pos.file, graph_.control.pos.line, graph_.control.pos.col,
                                    graph_.control.token_credential));
  }
  start_connectors();
  resolve_subscriptions();
  if (live_) check_live_graph();
  prepared_ = true;
}

void Engine::start_connectors() {
  for (th_instance* c : connectors_) {
    const auto& ops = c->component->connector;
    th_status st = c->component->comp.start ? c->component->comp.start(c->state) : TH_OK;
    if (st == TH_OK) st = ops.load_instruments(c->state);
    if (st != TH_OK)
      throw EngineError(fmt::format("{}:{}:{}: connector '{}' failed to start (status {}); see the error above",
                                    c->node->pos.file, c->node->pos.line, c->node->pos.col, c->name, st));
    c->started = true;
  }
  // A live source defines its instruments when the venue answers (plugin.h: load_instruments is
  // asynchronous for them) and says so with STATUS READY: run the loop until every one has.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (th_instance* c : connectors_) {
    if (c->component->connector.replay_next) continue;
    while (c->connector_status != TH_STATUS_READY && c->connector_status != TH_STATUS_ERROR && !c->failed &&
           !stop_requested_.load() && std::chrono::steady_clock::now() < deadline) {
      io_ctx_->restart();
      io_ctx_->run_for(std::chrono::milliseconds(50));
    }
    if (c->connector_status != TH_STATUS_READY)
      throw EngineError(fmt::format("{}:{}:{}: connector '{}' did not get its instruments: {}", c->node->pos.file,
                                    c->node->pos.line, c->node->pos.col, c->name,
                                    c->connector_status == TH_STATUS_ERROR ? c->connector_message
                                    : c->failed                            ? c->failure
                                    : stop_requested_.load()               ? std::string("stopped while starting")
                                                                           : "no STATUS_READY within 30 s (check its URLs and the network)"));
  }
  io_ctx_->restart();
}

void Engine::resolve_subscriptions() {
  if (strategies_.empty()) throw EngineError(fmt::format("{}: the graph has no [[strategy]]", graph_.file.string()));
  for (th_instance* s : strategies_) {
    th_instance* conn = connectors_.at(s->connector);
    const graph::Node& n = *s->node;
    for (const std::string& sym : n.instruments) {
      th_instrument_id found = 0;
      for (size_t id = 1; id < instruments_.size(); ++id)
        if (instruments_[id]->connector == conn->index && instruments_[id]->symbol == sym) found = static_cast<th_instrument_id>(id);
      if (!found) {
        std::string have;
        for (size_t id = 1; id < instruments_.size(); ++id)
          if (instruments_[id]->connector == conn->index) have += (have.empty() ? "" : ", ") + instruments_[id]->symbol;
        const auto& p = n.where("instruments");
        throw EngineError(fmt::format("{}:{}:{}: strategy '{}': connector '{}' has no instrument '{}' (it defines: {})",
                                      p.file, p.line, p.col, s->name, conn->name, sym, have.empty() ? "none" : have));
      }
      th_status st = conn->component->connector.subscribe(conn->state, found, n.event_mask, n.timeframe_ns);
      if (st != TH_OK) {
        const bool bars_only = n.event_mask == TH_EV_MASK(TH_EV_BAR);
        const auto& p = n.where(bars_only ? "timeframe" : "events");
        throw EngineError(fmt::format("{}:{}:{}: strategy '{}': connector '{}' cannot give {} of {} (status {}); see the error above",
                                      p.file, p.line, p.col, s->name, conn->name,
                                      bars_only ? n.timeframe + " bars" : std::string("the events it asks for"), sym, st));
      }
      s->instruments.push_back(found);
      subscribers_[found].push_back(s);
      if (!primary_) primary_ = found;
      if (!bar_interval_ns_) bar_interval_ns_ = n.timeframe_ns;
    }
  }
  add_sources();
  check_window();
}

void Engine::check_window() {
  // The data's bar open times span [extent_first_ - interval, extent_last_ - interval].
  if (!extent_last_ || !bar_interval_ns_) return;
  const th_time_ns first_open = extent_first_ - bar_interval_ns_, last_open = extent_last_ - bar_interval_ns_;
  if ((options_.to_ns && *options_.to_ns <= first_open) || (options_.from_ns && *options_.from_ns > last_open))
    throw EngineError(fmt::format("no bars in the requested window {} -> {}: the data covers {} -> {}; adjust --from/--to ([bot] from/to)",
                                  options_.from_ns ? report::iso8601_utc(*options_.from_ns) : "start",
                                  options_.to_ns ? report::iso8601_utc(*options_.to_ns) : "end", report::iso8601_utc(first_open),
                                  report::iso8601_utc(last_open + bar_interval_ns_)));
}

void Engine::add_sources() {
  for (th_instance* c : connectors_) {
    if (c->component->connector.replay_next) {
      sources_.push_back(Source{c});
      th_time_ns a = 0, b = 0;
      if (c->component->connector.replay_extent &&
          c->component->connector.replay_extent(c->state, &a, &b) == TH_OK) {
        if (!extent_first_ || a < extent_first_) extent_first_ = a;
        if (b > extent_last_) extent_last_ = b;
      }
    } else if (graph_.bot.mode == graph::Mode::Backtest) {
      throw EngineError(fmt::format("{}:{}:{}: connector '{}' (type {}) is not a historical source; {} mode needs one (e.g. type = \"replay\")",
                                    c->node->pos.file, c->node->pos.line, c->node->pos.col, c->name, c->node->type,
                                    graph::to_string(graph_.bot.mode)));
    }
  }
}

void Engine::open_store() {
  std::filesystem::path path = options_.state_path ? *options_.state_path : graph_.bot.state;
  auto durability = graph_.bot.mode == graph::Mode::Backtest ? store::Durability::Batched : store::Durability::Synchronous;
  try {
    store_ = std::make_unique<store::Store>(store::Store::open(path, durability));
  } catch (const std::exception& e) {
    throw EngineError(e.what());
  }
  store::RunRow run;
  run.bot = graph_.bot.name;
  run.mode = std::string(graph::to_string(graph_.bot.mode));
  run.config_path = graph_.file.string();
  run.started_ns = wall_ns();
  run_id_ = store_->begin_run(run);
  for (const auto& p : registry_.plugins()) record_plugin(*p);
  journal_ = std::make_unique<StoreJournal>(*this);
  oms_ = std::make_unique<oms::OrderManager>(graph_.bot.name, run_id_, *journal_);
}

void Engine::record_plugin(const loader::LoadedPlugin& p) {
  store::PluginRow row;
  row.run_id = run_id_;
  row.name = p.name;
  row.version = p.version;
  row.abi = loader::abi_text(p.abi_version);
  row.file = p.file.string();
  row.build_id = loader::audit_build_id(p);
  store_->record_plugin(row);
}

void Engine::start_others(bool notifiers_only) {
  for (auto* list : {&notifiers_, &risks_, &strategies_})
    for (th_instance* i : *list) {
      if (i->started || (notifiers_only && list != &notifiers_)) continue;
      th_status st = i->component->comp.start ? i->component->comp.start(i->state) : TH_OK;
      if (st != TH_OK)
        throw EngineError(fmt::format("{}:{}:{}: {} '{}' failed to start (status {}); see the error above", i->node->pos.file,
                                      i->node->pos.line, i->node->pos.col, graph::kind_name(i->kind), i->name, st));
      i->started = true;
    }
}

void Engine::stop_all(bool notifiers_too) noexcept {
  for (auto* list : {&strategies_, &risks_, &connectors_, &notifiers_}) {
    if (list == &notifiers_ && !notifiers_too) continue;
    for (th_instance* i : *list) {
      release_net(i);
      if (i->started) {
        if (i->component->comp.stop) i->component->comp.stop(i->state);
        i->started = false;
      }
    }
  }
}

void Engine::destroy_all() noexcept {
  for (auto it = instances_.rbegin(); it != instances_.rend(); ++it)
    if (it->created) {
      it->component->comp.destroy(it->state);
      it->created = false;
      it->state = nullptr;
    }
}

// ---------------------------------------------------------------------------------------------
// Host services

th_status Engine::define_instrument(th_instance* self, const th_instrument* in, th_instrument_id* out) {
  if (!self || self->kind != TH_KIND_CONNECTOR || !in || !out) return TH_ERR_INVALID_ARG;
  th_instrument c{};
  std::memcpy(&c, in, std::min<size_t>(in->struct_size, sizeof c));
  auto bad = [&](const std::string& why) {
    spdlog::error("connector '{}': instrument '{}' refused: {}", self->name, sv(c.symbol), why);
    return TH_ERR_INVALID_ARG;
  };
  if (c.price_scale < 0 || c.price_scale > 18 || c.qty_scale < 0 || c.qty_scale > 18) return bad("scale outside 0..18");
  if (c.tick_size <= 0 || c.lot_size <= 0) return bad("tick_size and lot_size must be positive");
  if (sv(c.symbol).empty() || sv(c.quote).empty() || sv(c.base).empty()) return bad("symbol, base and quote are required");
  if (c.kind < TH_INST_SPOT || c.kind > TH_INST_FUTURE) return bad("kind must be spot, perpetual or future");
  const std::string venue = sv(c.venue), symbol = sv(c.symbol);
  for (size_t id = 1; id < instruments_.size(); ++id) {
    StoredInstrument* s = instruments_[id];
    if (s->venue == venue && s->symbol == symbol) {
      if (s->view.price_scale != c.price_scale || s->view.qty_scale != c.qty_scale || s->view.tick_size != c.tick_size ||
          s->view.lot_size != c.lot_size)
        return bad("already defined differently");
      *out = static_cast<th_instrument_id>(id);
      return TH_OK;
    }
  }
  if (quote_asset_.empty()) quote_asset_ = sv(c.quote);
  else if (quote_asset_ != sv(c.quote))
    return bad(fmt::format("its quote asset {} differs from {}; one run keeps one cash account", sv(c.quote), quote_asset_));
  StoredInstrument& s = instrument_store_.emplace_back();
  s.view = c;
  s.venue = venue;
  s.symbol = symbol;
  s.native_symbol = sv(c.native_symbol);
  s.base = sv(c.base);
  s.quote = sv(c.quote);
  s.settle = sv(c.settle);
  s.connector = self->index;
  s.view.struct_size = sizeof(th_instrument);
  s.view.id = static_cast<th_instrument_id>(instruments_.size());
  s.bind();
  instruments_.push_back(&s);
  subscribers_.emplace_back();
  last_price_.push_back(0);
  portfolio_.add_instrument(s.view.id, c.price_scale, c.qty_scale);
  sim_->add_instrument(s.view);
  *out = s.view.id;
  return TH_OK;
}

const th_instrument* Engine::instrument(th_instrument_id id) const noexcept {
  return id > 0 && id < instruments_.size() ? &instruments_[id]->view : nullptr;
}

th_status Engine::find_instrument(th_str venue, th_str symbol, th_instrument_id* out) const {
  const std::string v = sv(venue), s = sv(symbol);
  for (size_t id = 1; id < instruments_.size(); ++id)
    if ((v.empty() || instruments_[id]->venue == v) && instruments_[id]->symbol == s) {
      *out = static_cast<th_instrument_id>(id);
      return TH_OK;
    }
  return TH_ERR_NOT_FOUND;
}

th_status Engine::emit(th_instance* self, const th_event* ev) {
  if (!self || self->kind != TH_KIND_CONNECTOR || !ev || ev->struct_size < sizeof(th_event)) return TH_ERR_INVALID_ARG;
  if (ev->type == TH_EV_STATUS) {
    th_ev_status s{};
    std::memcpy(&s, ev, std::min<size_t>(ev->struct_size, sizeof s));
    self->connector_status = s.code;
    self->connector_message = sv(s.message);
    if (s.code == TH_STATUS_ERROR) spdlog::error("connector '{}' error: {}", self->name, self->connector_message);
    else spdlog::info("connector '{}' status={} {}", self->name, s.code, self->connector_message);
    return TH_OK;
  }
  if (ev->type == TH_EV_ORDER || ev->type == TH_EV_FILL || ev->type == TH_EV_BALANCE || ev->type == TH_EV_POSITION)
    return emit_venue(self, ev);
  // A live source's market data, handed in on the loop (a historical source yields through
  // replay_next instead).
  if (ev->type != TH_EV_BAR && ev->type != TH_EV_TRADE && ev->type != TH_EV_QUOTE && ev->type != TH_EV_BOOK_SNAPSHOT &&
      ev->type != TH_EV_BOOK_DELTA)
    return TH_ERR_UNSUPPORTED;
  if (!io_ || !ev->instrument || ev->instrument >= instruments_.size() ||
      instruments_[ev->instrument]->connector != self->index)
    return TH_ERR_NOT_READY;  // outside run(), or an instrument of another connector; held until the strategies start
  if (ev->type != TH_EV_BAR) return emit_market(*ev);
  if (ev->struct_size < sizeof(th_ev_bar)) return TH_ERR_INVALID_ARG;
  th_ev_bar bar{};
  std::memcpy(&bar, ev, sizeof bar);
  // Dispatched from the loop, not inside the connector's callback: the graph's work (and any
  // store error, which must fail the run) never unwinds into the plugin or re-enters it.
  dispatch_market([this, bar] { process(bar.h); });
  return TH_OK;
}

std::string Engine::price_text(th_instrument_id id, int64_t raw) const {
  return tradehost::format_fixed_trimmed(raw, instruments_[id]->view.price_scale);
}
std::string Engine::qty_text(th_instrument_id id, int64_t raw) const {
  return tradehost::format_fixed_trimmed(raw, instruments_[id]->view.qty_scale);
}
std::string Engine::money_text(int64_t raw) { return tradehost::format_fixed_trimmed(raw, TH_MONEY_SCALE); }

void Engine::reject(th_instance* self, const th_order_request& req, const std::string& rule, const std::string& reason) {
  const th_instrument_id id = req.instrument;
  const std::string sym = instrument(id) ? instruments_[id]->symbol : fmt::format("#{}", id);
  spdlog::debug("order rejected strategy={} rule={} reason={}", self->name, rule, reason);
  ++rejections_by_rule_[rule];
  if (store_) {
    store::RejectionRow row;
    row.run_id = run_id_;
    row.ts_ns = now_;
    row.strategy = self->name;
    row.instrument = sym;
    row.rule = rule;
    row.reason = reason;
    const bool known = instrument(id) != nullptr;
    row.order_json = fmt::format(R"({{"side":"{}","type":"{}","qty":"{}","price":"{}","trigger_price":"{}","tag":"{}"}})",
                                 side_lc(req.side), lower(oms::order_type_name(req.type)),
                                 known ? qty_text(id, req.qty) : std::to_string(req.qty),
                                 known ? price_text(id, req.price) : std::to_string(req.price),
                                 known ? price_text(id, req.trigger_price) : std::to_string(req.trigger_price),
                                 json_escape(sv(req.tag)));
    store_->record_rejection(row);
    if (self->pending_decision) {
      self->pending_decision->risk_verdict = "rejected: " + rule + ": " + reason;
      write_decision(self);
    }
  }
  notify("rejected", TH_SEV_WARN, fmt::format("order rejected by {}", rule),
         fmt::format("strategy={} instrument={} side={} reason={}", self->name, sym, side_lc(req.side), reason));
}

void Engine::queue_order_event(const oms::Order& o) {
  Pending p{TH_EV_ORDER, o.id, o.req.instrument, now_};
  p.state = static_cast<int32_t>(o.state);
  p.filled_qty = o.filled_qty;
  p.avg_fill_price = o.avg_fill_price;
  pending_.push_back(p);
}

th_status Engine::submit_order(th_instance* self, const th_order_request* in, uint64_t* order_id, th_str* reason) {
  static thread_local std::string reason_buf;
  auto refuse = [&](th_status st, std::string why) {
    reason_buf = std::move(why);
    if (reason) *reason = th(reason_buf);
    return st;
  };
  if (!self || self->kind != TH_KIND_STRATEGY || !in || !order_id) return refuse(TH_ERR_INVALID_ARG, "submit_order is for strategies");
  if (!oms_) return refuse(TH_ERR_NOT_READY, "orders are accepted once the run has started");
  if (self->failed || !self->started) return refuse(TH_ERR_NOT_READY, "the strategy is stopped");
  th_order_request req{};
  std::memcpy(&req, in, std::min<size_t>(in->struct_size, sizeof req));
  req.struct_size = sizeof req;
  *order_id = 0;
  // Validation: the request itself.
  std::string why;
  const th_instrument* inst = instrument(req.instrument);
  if (!inst) why = fmt::format("unknown instrument id {}", req.instrument);
  else if (std::find(self->instruments.begin(), self->instruments.end(), req.instrument) == self->instruments.end())
    why = fmt::format("instrument {} is not one of this strategy's instruments", sv(inst->symbol));
  else if (req.side != TH_SIDE_BUY && req.side != TH_SIDE_SELL) why = fmt::format("side {} is neither buy (1) nor sell (2)", req.side);
  else if (req.type < TH_ORD_MARKET || req.type > TH_ORD_TRAILING_STOP) why = fmt::format("unknown order type {}", req.type);
  else if (req.tif < 0 || req.tif > TH_TIF_GTX) why = fmt::format("unknown time in force {}", req.tif);
  else if (req.qty <= 0) why = fmt::format("quantity {} must be positive", qty_text(req.instrument, req.qty));
  else if (req.qty % inst->lot_size != 0)
    why = fmt::format("quantity {} is not a multiple of the lot size {}", qty_text(req.instrument, req.qty),
                      qty_text(req.instrument, inst->lot_size));
  else if (inst->min_qty && req.qty < inst->min_qty)
    why = fmt::format("quantity {} is below the minimum {}", qty_text(req.instrument, req.qty), qty_text(req.instrument, inst->min_qty));
  else {
    const bool has_price = req.type == TH_ORD_LIMIT || req.type == TH_ORD_STOP_LIMIT || req.type == TH_ORD_TAKE_PROFIT_LIMIT;
    const bool has_trigger = req.type != TH_ORD_MARKET && req.type != TH_ORD_LIMIT;
    if (has_price && req.price <= 0)
      why = fmt::format("price {} must be positive", price_text(req.instrument, req.price));
    else if (has_price && req.price % inst->tick_size != 0)
      why = fmt::format("price {} is not a multiple of the tick size {}", price_text(req.instrument, req.price),
                        price_text(req.instrument, inst->tick_size));
    else if (has_trigger && req.trigger_price <= 0)
      why = fmt::format("trigger price {} must be positive", price_text(req.instrument, req.trigger_price));
    else if (has_trigger && req.trigger_price % inst->tick_size != 0)
      why = fmt::format("trigger price {} is not a multiple of the tick size {}",
                        price_text(req.instrument, req.trigger_price), price_text(req.instrument, inst->tick_size));
    else if (inst->min_notional) {
      int64_t px = has_price ? req.price : has_trigger ? req.trigger_price : last_price_[req.instrument];
      int64_t notional = portfolio::Portfolio::money(portfolio_.position(req.instrument), px, req.qty);
      if (px > 0 && notional < inst->min_notional)
        why = fmt::format("notional {} is below the minimum {} {}", money_text(notional), money_text(inst->min_notional),
                          sv(inst->quote));
    }
  }
  if (!why.empty()) {
    reject(self, req, "validation", why);
    return refuse(TH_ERR_INVALID_ARG, why);
  }
  // The kill switch, before any rule: REDUCING lets only risk-reducing orders through, HALTED none.
  if (!kill_allows(req, &why)) {
    reject(self, req, "kill_switch", why);
    return refuse(TH_ERR_REJECTED, "kill_switch: " + why);
  }
  // The risk chain: every rule in graph order; the first rejection wins.
  for (th_instance* r : risks_) {
    std::string rule_reason;
    if (r->failed) rule_reason = fmt::format("rule failed earlier ({}); failing closed", r->failure);
    else {
      th_str rs{};
      th_status st = r->component->risk.check(r->state, &req, &rs);
      if (st == TH_OK) continue;
      if (st == TH_ERR_REJECTED) {
        rule_reason = sv(rs);
      } else {
        rule_reason = fmt::format("check failed with status {}; failing closed", st);
        instance_failed(r, "check", st);
      }
      if (rule_reason.empty()) rule_reason = "rejected";
    }
    reject(self, req, r->name, rule_reason);
    return refuse(TH_ERR_REJECTED, r->name + ": " + rule_reason);
  }
  // Approved: journal PENDING_NEW first, then route to the simulator.
  oms::Order& o = oms_->create(req, self->name, self->index, now_);
  if (self->pending_decision) {
    self->pending_decision->order_id = static_cast<int64_t>(o.id);
    self->pending_decision->risk_verdict = "approved";
    write_decision(self);
  }
  if (live_) {
    route_order(o);
    *order_id = o.id;
    if (reason) *reason = th_str{nullptr, 0};
    return TH_OK;
  }
  std::string sim_reason = sim_->accept(o, last_price_[req.instrument]);
  if (sim_reason.empty()) {
    oms_->transition(o, oms::OrderState::New, now_);
  } else {
    oms_->transition(o, oms::OrderState::Rejected, now_, sim_reason);
    notify("rejected", TH_SEV_WARN, "order rejected by the simulated venue",
           fmt::format("strategy={} order={} reason={}", self->name, o.client_order_id, sim_reason));
  }
  queue_order_event(o);
  *order_id = o.id;
  if (reason) *reason = th_str{nullptr, 0};
  return TH_OK;
}

th_status Engine::cancel_order(th_instance* self, uint64_t order_id) {
  if (!self || !oms_) return TH_ERR_NOT_READY;
  oms::Order* o = oms_->find(order_id);
  if (!o || o->owner != self->index || self->kind != TH_KIND_STRATEGY) return TH_ERR_NOT_FOUND;
  if (oms::is_final(o->state)) return TH_ERR_INVALID_ARG;
  if (live_) return route_cancel(*o);
  if (!sim_->remove(*o)) return TH_ERR_NOT_FOUND;
  oms_->transition(*o, oms::OrderState::Canceled, now_, "canceled by strategy");
  queue_order_event(*o);
  return TH_OK;
}

th_status Engine::record_decision(th_instance* self, th_instrument_id inst, int32_t action, th_str reason, th_str inputs) {
  if (!self || self->kind != TH_KIND_STRATEGY) return TH_ERR_INVALID_ARG;
  if (!store_) return TH_ERR_NOT_READY;
  store::DecisionRow row;
  row.run_id = run_id_;
  row.ts_ns = now_;
  row.strategy = self->name;
  row.instrument = instrument(inst) ? instruments_[inst]->symbol : "";
  row.action = action == TH_DECISION_BUY ? "buy" : action == TH_DECISION_SELL ? "sell" : "hold";
  row.reason = sv(reason);
  row.inputs_json = inputs.len ? sv(inputs) : "{}";
  write_decision(self);  // an earlier decision of this callback that led to no order
  self->pending_decision = std::move(row);
  return TH_OK;
}

void Engine::write_decision(th_instance* self) {
  if (!self->pending_decision) return;
  store_->record_decision(*self->pending_decision);
  self->pending_decision.reset();
}

th_status Engine::position(th_instrument_id id, th_position_info* out) const {
  if (!out || !instrument(id)) return TH_ERR_NOT_FOUND;
  th_position_info p{};
  p.struct_size = sizeof p;
  const auto& pos = portfolio_.position(id);
  p.qty = pos.qty;
  p.avg_entry_price = portfolio_.avg_entry_price(id);
  p.realized_pnl = pos.realized;
  p.unrealized_pnl = portfolio_.unrealized(id);
  std::memcpy(out, &p, std::min<size_t>(out->struct_size ? out->struct_size : sizeof p, sizeof p));
  return TH_OK;
}

th_status Engine::account(th_account_info* out) const {
  if (!out) return TH_ERR_INVALID_ARG;
  th_account_info a{};
  a.struct_size = sizeof a;
  a.cash = portfolio_.cash();
  a.equity = portfolio_.equity();
  a.fees_paid = portfolio_.fees();
  a.realized_pnl = portfolio_.realized_after_fees();
  std::memcpy(out, &a, std::min<size_t>(out->struct_size ? out->struct_size : sizeof a, sizeof a));
  return TH_OK;
}

th_status Engine::last_price(th_instrument_id id, th_fixed* out) const {
  if (!instrument(id) || !out) return TH_ERR_NOT_FOUND;
  if (!last_price_[id]) return TH_ERR_NOT_READY;
  *out = last_price_[id];
  return TH_OK;
}

uint64_t Engine::timer_start(th_instance* self, th_time_ns period, int32_t repeat, uint64_t cookie) {
  if (!self || period <= 0 || !self->component->comp.on_timer) return 0;
  Timer t{now() + period, next_timer_id_++, self, period, repeat != 0, cookie};
  timers_.push_back(t);
  std::push_heap(timers_.begin(), timers_.end(), std::greater<>());
  arm_wall_timer();
  return t.id;
}

void Engine::timer_cancel(uint64_t timer_id) {
  auto it = std::find_if(timers_.begin(), timers_.end(), [&](const Timer& t) { return t.id == timer_id; });
  if (it == timers_.end()) return;
  timers_.erase(it);
  std::make_heap(timers_.begin(), timers_.end(), std::greater<>());
}

void Engine::drop_timers_of(const th_instance* owner) {
  timers_.erase(std::remove_if(timers_.begin(), timers_.end(), [&](const Timer& t) { return t.owner == owner; }), timers_.end());
  std::make_heap(timers_.begin(), timers_.end(), std::greater<>());
}

th_status Engine::post(th_instance* self, uint64_t cookie) {
  if (!self || !io_ || !self->component->comp.on_posted) return TH_ERR_NOT_READY;
  boost::asio::post(*io_, [this, self, cookie] {
    if (!self->started || self->failed) return;
    th_status st = self->component->comp.on_posted(self->state, cookie);
    if (st != TH_OK) instance_failed(self, "on_posted", st);
  });
  return TH_OK;
}

// ---------------------------------------------------------------------------------------------
// Dispatch

void Engine::notify(const char* topic, int32_t severity, const std::string& title, const std::string& body) {
  const std::string t = topic;
  for (th_instance* n : notifiers_) {
    if (!n->started) continue;
    const auto& on = n->node->on;
    if (std::find(on.begin(), on.end(), t) == on.end()) continue;
    th_status st = n->component->notifier.notify(n->state, severity, th(t), th(title), th(body));
    if (st != TH_OK) spdlog::warn("notifier '{}' failed on topic {} (status {}); trading continues", n->name, t, st);
  }
}

void Engine::instance_failed(th_instance* inst, const char* what, th_status st) {
  if (inst->failed) return;
  inst->failed = true;
  inst->failure = fmt::format("{} returned status {}", what, st);
  std::string policy;
  if (inst->kind == TH_KIND_STRATEGY) {
    policy = "the strategy is stopped; its orders and positions stay with the host";
    release_net(inst);
    if (inst->started && inst->component->comp.stop) inst->component->comp.stop(inst->state);
    inst->started = false;
  } else if (inst->kind == TH_KIND_RISK) {
    policy = "the rule fails closed: every later order is rejected";
    release_net(inst);
  } else if (inst->kind == TH_KIND_CONNECTOR && !inst->component->connector.replay_next) {
    policy = "a live source that failed cannot be trusted: the run fails";
    release_net(inst);
    if (fatal_.empty()) fatal_ = fmt::format("connector '{}' failed: {}", inst->name, inst->failure);
  } else {
    policy = "the run continues";
    release_net(inst);
  }
  spdlog::error("{} '{}' failed: {}; {}", graph::kind_name(inst->kind), inst->name, inst->failure, policy);
  notify("error", TH_SEV_ERROR, fmt::format("{} '{}' failed", graph::kind_name(inst->kind), inst->name),
         fmt::format("{}; {}", inst->failure, policy));
}

void Engine::after_callback(th_instance* inst, const char* what, th_status st) {
  if (inst->kind == TH_KIND_STRATEGY) write_decision(inst);
  if (st != TH_OK) instance_failed(inst, what, st);
  if (oms_) flush_pending();
}

void Engine::deliver(th_instance* inst, const th_event& ev) {
  if (!inst->started || inst->failed) return;
  th_status st = inst->component->strategy.on_event(inst->state, &ev);
  write_decision(inst);
  if (st != TH_OK) instance_failed(inst, "on_event", st);
}

void Engine::deliver_to_risk(const th_event& ev) {
  for (th_instance* r : risks_) {
    if (r->failed || !r->component->risk.on_event) continue;
    th_status st = r->component->risk.on_event(r->state, &ev);
    if (st != TH_OK) instance_failed(r, "on_event", st);
  }
}

void Engine::flush_pending() {
  // Events raised while delivering may queue more; take them in order.
  for (size_t i = 0; i < pending_.size(); ++i) {
    const Pending p = pending_[i];
    oms::Order* o = oms_->find(p.order_id);
    if (!o) continue;
    // An order adopted after a restart whose strategy is no longer in the graph has no owner.
    th_instance* owner = o->owner < strategies_.size() ? strategies_[o->owner] : nullptr;
    if (p.type == TH_EV_ORDER) {
      th_ev_order ev{};
      ev.h = th_event{sizeof ev, TH_EV_ORDER, p.ts, p.ts, p.instrument, 0};
      ev.order_id = o->id;
      ev.client_order_id = th(o->client_order_id);
      ev.state = p.state;
      ev.side = o->req.side;
      ev.order_type = o->req.type;
      ev.qty = o->req.qty;
      ev.price = o->req.price;
      ev.filled_qty = p.filled_qty;
      ev.avg_fill_price = p.avg_fill_price;
      ev.reason = th(o->reason);
      if (owner) deliver(owner, ev.h);
      deliver_to_risk(ev.h);
    } else if (p.type == TH_EV_FILL) {
      th_ev_fill ev{};
      ev.h = th_event{sizeof ev, TH_EV_FILL, p.ts, p.ts, p.instrument, 0};
      ev.order_id = o->id;
      ev.client_order_id = th(o->client_order_id);
      ev.trade_id = th(p.trade_id);
      ev.side = o->req.side;
      ev.liquidity = p.liquidity;
      ev.price = p.price;
      ev.qty = p.qty;
      ev.fee = p.fee;
      ev.fee_asset = th(p.fee_asset);
      if (owner) deliver(owner, ev.h);
      deliver_to_risk(ev.h);
      th_ev_position pe{};
      pe.h = th_event{sizeof pe, TH_EV_POSITION, p.ts, p.ts, p.instrument, 0};
      const auto& pos = portfolio_.position(p.instrument);
      pe.qty = pos.qty;
      pe.avg_entry_price = portfolio_.avg_entry_price(p.instrument);
      pe.realized_pnl = pos.realized;
      pe.unrealized_pnl = portfolio_.unrealized(p.instrument);
      if (owner) deliver(owner, pe.h);
      deliver_to_risk(pe.h);
    }
  }
  pending_.clear();
}

void Engine::fire_timers(th_time_ns up_to) {
  while (!timers_.empty() && timers_.front().due <= up_to) {
    std::pop_heap(timers_.begin(), timers_.end(), std::greater<>());
    Timer t = timers_.back();
    timers_.pop_back();
    if (t.repeat) {
      Timer n = t;
      n.due += t.period;
      timers_.push_back(n);
      std::push_heap(timers_.begin(), timers_.end(), std::greater<>());
    }
    if (!t.owner->started || t.owner->failed) continue;
    if (t.due > now_) now_ = t.due;
    th_status st = t.owner->component->comp.on_timer(t.owner->state, t.id, t.cookie);
    if (t.owner->kind == TH_KIND_STRATEGY) write_decision(t.owner);
    if (st != TH_OK) instance_failed(t.owner, "on_timer", st);
    flush_pending();
  }
}

th_time_ns Engine::now() const noexcept {
  if (live_) return wall_ns();
  if (!drain_clock_) return now_;
  return drain_clock_->loop_start +
         std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - drain_clock_->wall_start).count();
}

bool Engine::notifiers_busy() const {
  auto busy = [](const th_instance* i) { return i->kind == TH_KIND_NOTIFIER && i->started && !i->failed; };
  for (const auto& [id, call] : http_calls_)
    if (busy(call.owner)) return true;
  for (const Timer& t : timers_)
    if (busy(t.owner)) return true;
  return false;
}

void Engine::drain_notifiers(boost::asio::io_context& io) {
  if (graph_.bot.notifier_drain_ns <= 0 || !notifiers_busy()) return;
  const auto grace = std::chrono::nanoseconds(graph_.bot.notifier_drain_ns);
  spdlog::info("waiting up to {} ms for notifiers to deliver ([bot] notifier_drain; Ctrl-C skips)",
               std::chrono::duration_cast<std::chrono::milliseconds>(grace).count());
  drain_clock_ = DrainClock{now_, std::chrono::steady_clock::now()};
  const auto deadline = drain_clock_->wall_start + grace;
  // The run's own signal set was cancelled; this one also keeps run_one_until from returning at
  // once for lack of work while the only thing pending is a notifier's timer.
  bool interrupted = false;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&interrupted](const boost::system::error_code& ec, int) {
    if (!ec) interrupted = true;
  });
  io.restart();
  while (!interrupted && notifiers_busy() && std::chrono::steady_clock::now() < deadline) {
    fire_timers(now());
    if (!notifiers_busy()) break;
    auto wake = deadline;
    if (!timers_.empty())
      wake = std::min(wake, drain_clock_->wall_start + std::chrono::nanoseconds(timers_.front().due - drain_clock_->loop_start));
    io.run_one_until(wake);
  }
  if (notifiers_busy())
    spdlog::warn("notifiers still had work after {} ms{}; stopping them (undelivered notifications are lost)",
                 std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - drain_clock_->wall_start).count(),
                 interrupted ? " (interrupted)" : "");
  signals.cancel();
  io.poll();  // the cancelled wait's handler, while `interrupted` still exists
  drain_clock_.reset();
}

void Engine::write_position(th_instrument_id id) {
  const auto& pos = portfolio_.position(id);
  store::PositionRow row;
  row.run_id = run_id_;
  row.instrument = instruments_[id]->symbol;
  row.qty = qty_text(id, pos.qty);
  row.avg_entry_price = price_text(id, portfolio_.avg_entry_price(id));
  row.realized_pnl = money_text(pos.realized);
  row.updated_ns = now_;
  store_->upsert_position(row);
}

void Engine::close_period() {
  if (!period_ts_ || !metrics_) return;  // metrics_ exists once a live run has reconciled
  const int64_t equity = portfolio_.equity();
  metrics_->on_bar(period_ts_, equity, period_exposed_ || portfolio_.any_open());
  if (period_ts_ >= next_equity_ts_) {
    store_->record_equity(run_id_, period_ts_, money_text(equity), money_text(portfolio_.cash()));
    next_equity_ts_ = period_ts_ + graph_.bot.equity_interval_ns;
  }
  period_ts_ = 0;
}

void Engine::record_execution(oms::Order& o, const Execution& x) {
  const th_instrument_id id = o.req.instrument;
  oms_->apply_fill(o, x.qty, x.price, now_);
  store::FillRow row;
  row.run_id = o.journal_run_id;
  row.order_id = static_cast<int64_t>(o.journal_order_id);
  row.client_order_id = o.client_order_id;
  row.trade_id = x.trade_id;
  row.ts_ns = x.ts;
  row.instrument = instruments_[id]->symbol;
  row.side = side_lc(o.req.side);
  row.price = price_text(id, x.price);
  row.qty = qty_text(id, x.qty);
  row.fee = money_text(x.fee);
  row.fee_asset = x.fee_asset;
  row.liquidity = x.liquidity == TH_LIQ_MAKER ? "maker" : "taker";
  store_->record_fill(row);
  auto trip = portfolio_.apply_fill(id, o.req.side, x.price, x.qty, x.fee_quote, x.ts);
  // Live and paper keep the positions table current; a backtest writes it once at the end.
  if (store_->durability() == store::Durability::Synchronous) write_position(id);
  period_exposed_ = true;
  if (trip) {
    report::RoundTrip rt;
    rt.instrument = instruments_[id]->symbol;
    rt.side = trip->long_side ? "long" : "short";
    rt.entry_time_ns = trip->entry_time;
    rt.exit_time_ns = trip->exit_time;
    rt.qty = qty_text(id, trip->qty);
    rt.entry_price = price_text(id, trip->entry_price);
    rt.exit_price = price_text(id, trip->exit_price);
    rt.pnl_raw = trip->pnl;
    rt.fees_raw = trip->fees;
    rt.return_pct = trip->entry_notional ? 100.0 * static_cast<double>(trip->pnl) / static_cast<double>(trip->entry_notional) : 0;
    if (metrics_) metrics_->on_round_trip(rt);
    trips_.push_back(std::move(rt));
  }
  Pending p{TH_EV_FILL, o.id, id, now_, x.price, x.qty, x.fee, x.liquidity};
  p.trade_id = x.trade_id;
  p.fee_asset = x.fee_asset;
  pending_.push_back(std::move(p));
  queue_order_event(o);  // after the fill: the strategy sees the execution, then FILLED
  notify("fill", TH_SEV_INFO, fmt::format("{} {} {} @ {}", side_lc(o.req.side), qty_text(id, x.qty), instruments_[id]->symbol, price_text(id, x.price)),
         fmt::format("order={} strategy={} fee={} {} liquidity={}", o.client_order_id, o.strategy, money_text(x.fee), x.fee_asset, row.liquidity));
}

void Engine::on_bar(const th_ev_bar& bar) {
  const th_instrument_id id = bar.h.instrument;
  if (bar.h.ts_event != period_ts_) {
    close_period();
    period_ts_ = bar.h.ts_event;
    period_exposed_ = portfolio_.any_open();
  }
  if (id == primary_) {
    if (!first_open_) first_open_ = bar.open;
    last_close_ = bar.close;
  }
  // 1. Orders accepted before this bar opened trade against it.
  if (sim_->has_resting(id)) {
    sim_->on_bar(
        bar,
        [&](const sim::SimFill& f) {
          ++fills_;
          Execution x;
          x.price = f.price;
          x.qty = f.qty;
          x.fee = x.fee_quote = f.fee;
          x.fee_asset = quote_asset_;
          x.liquidity = f.liquidity;
          x.trade_id = fmt::format("sim-{}", fills_);
          x.ts = bar.open_time;
          record_execution(*f.order, x);
        },
        [&](const sim::SimExpiry& x) {
          oms_->transition(*x.order, oms::OrderState::Expired, now_, x.reason);
          queue_order_event(*x.order);
          notify("order", TH_SEV_WARN, "order expired", fmt::format("order={} reason={}", x.order->client_order_id, x.reason));
        });
    flush_pending();
  }
  // 2. Mark to market at the close.
  last_price_[id] = bar.close;
  portfolio_.mark(id, bar.close);
  // 3. Risk rules, then the strategies, see the bar.
  deliver_to_risk(bar.h);
  for (th_instance* s : subscribers_[id]) {
    if (s->node->event_mask & TH_EV_MASK(TH_EV_BAR)) deliver(s, bar.h);
    if (!pending_.empty()) flush_pending();
  }
}

void Engine::dispatch_market(std::function<void()> fn) {
  boost::asio::post(*io_, [this, fn = std::move(fn)]() mutable {
    if (stop_requested_.load() || !fatal_.empty()) return;
    if (!market_open_) {
      held_market_.push_back(std::move(fn));  // before the strategies and risk rules started
      return;
    }
    fn();
  });
}

void Engine::open_market() {
  market_open_ = true;
  auto held = std::move(held_market_);
  held_market_.clear();
  for (auto& fn : held) {
    if (stop_requested_.load() || !fatal_.empty()) break;
    fn();
  }
}

th_status Engine::emit_market(const th_event& ev) {
  // Copied now (the arrays of a book too), dispatched on the loop like bars.
  if (ev.type == TH_EV_TRADE || ev.type == TH_EV_QUOTE) {
    const size_t size = ev.type == TH_EV_TRADE ? sizeof(th_ev_trade) : sizeof(th_ev_quote);
    if (ev.struct_size < size) return TH_ERR_INVALID_ARG;
    auto copy = std::make_shared<std::vector<unsigned char>>(reinterpret_cast<const unsigned char*>(&ev),
                                                             reinterpret_cast<const unsigned char*>(&ev) + size);
    dispatch_market([this, copy] { process(*reinterpret_cast<const th_event*>(copy->data())); });
    return TH_OK;
  }
  if (ev.struct_size < sizeof(th_ev_book)) return TH_ERR_INVALID_ARG;
  const auto& b = reinterpret_cast<const th_ev_book&>(ev);
  if ((b.bid_count && !b.bids) || (b.ask_count && !b.asks)) return TH_ERR_INVALID_ARG;
  struct BookCopy {
    th_ev_book ev;
    std::vector<th_book_level> bids, asks;
  };
  auto copy = std::make_shared<BookCopy>(BookCopy{b, {b.bids, b.bids + b.bid_count}, {b.asks, b.asks + b.ask_count}});
  dispatch_market([this, copy] {
    copy->ev.bids = copy->bids.data();
    copy->ev.asks = copy->asks.data();
    process(copy->ev.h);
  });
  return TH_OK;
}

void Engine::process(const th_event& ev) {
  if (live_) now_ = wall_ns();
  else if (ev.ts_event > now_) now_ = ev.ts_event;
  if (!timers_.empty()) fire_timers(live_ ? now_ : ev.ts_event);
  ++events_;
  if (ev.type == TH_EV_BAR) {
    on_bar(reinterpret_cast<const th_ev_bar&>(ev));
    return;
  }
  if (ev.type == TH_EV_TRADE) {
    const auto& t = reinterpret_cast<const th_ev_trade&>(ev);
    if (ev.instrument && ev.instrument < last_price_.size() && t.price > 0) {
      last_price_[ev.instrument] = t.price;
      portfolio_.mark(ev.instrument, t.price);
    }
  }
  deliver_to_risk(ev);
  if (ev.instrument && ev.instrument < subscribers_.size())
    for (th_instance* s : subscribers_[ev.instrument])
      if (s->node->event_mask & TH_EV_MASK(ev.type)) deliver(s, ev);
  flush_pending();
}

/// Takes the earliest next event over all historical sources (ties: graph order), skipping
/// events outside [from, to). False at the end of every source or on a source error (fatal_).
bool Engine::next_from_sources(const th_event*& ev, size_t& source) {
  for (;;) {
    size_t best = sources_.size();
    for (size_t i = 0; i < sources_.size(); ++i) {
      Source& s = sources_[i];
      if (s.done) continue;
      if (!s.next) {
        th_status st = s.connector->component->connector.replay_next(s.connector->state, &s.next);
        if (st == TH_ERR_NOT_FOUND) {
          s.done = true;
          continue;
        }
        if (st != TH_OK || !s.next) {
          fatal_ = fmt::format("connector '{}' failed reading its data (status {}); see the error above", s.connector->name, st);
          return false;
        }
        // Read the event by the size its writer declared (plugin.h COMPATIBILITY): the header and,
        // for a bar, every member ABI 1.0 has must be there; a bar is copied into a zeroed local so
        // that members a later minor appends read as 0 for a connector built before them.
        const size_t need = s.next->type == TH_EV_BAR ? offsetof(th_ev_bar, volume) + sizeof(th_fixed) : sizeof(th_event);
        if (s.next->struct_size < need) {
          fatal_ = fmt::format("connector '{}' yielded an event of type {} with struct_size {}, smaller than the {} bytes ABI 1.0 "
                               "defines; rebuild the connector against the SDK",
                               s.connector->name, s.next->type, s.next->struct_size, need);
          return false;
        }
        if (s.next->type == TH_EV_BAR) {
          s.bar = th_ev_bar{};
          std::memcpy(&s.bar, s.next, std::min<size_t>(s.next->struct_size, sizeof s.bar));
          s.bar.h.struct_size = sizeof s.bar;
          s.next = &s.bar.h;
        }
      }
      if (best == sources_.size() || s.next->ts_event < sources_[best].next->ts_event) best = i;
    }
    if (best == sources_.size()) return false;
    const th_event* e = sources_[best].next;
    sources_[best].next = nullptr;  // consumed: fetch again next time
    th_time_ns t = e->type == TH_EV_BAR ? reinterpret_cast<const th_ev_bar*>(e)->open_time : e->ts_event;
    if (options_.from_ns && t < *options_.from_ns) continue;
    if (options_.to_ns && t >= *options_.to_ns) {
      sources_[best].done = true;
      continue;
    }
    ev = e;
    source = best;
    return true;
  }
}

void Engine::pump_backtest(boost::asio::io_context& io) {
  report::ProgressBar::Options po;
  if (!options_.progress) po.enabled = false;
  auto bar = std::make_shared<report::ProgressBar>(po);
  const int64_t span = extent_last_ - extent_first_;
  std::function<void()> chunk;
  chunk = [this, &io, bar, span, &chunk] {
    const th_event* ev = nullptr;
    size_t src = 0;
    auto done = [&] {
      bar->finish();
      io.stop();  // the signal set would otherwise keep run() waiting
    };
    for (int n = 0; n < 65536; ++n) {
      if (stop_requested_.load(std::memory_order_relaxed) || !fatal_.empty()) return done();
      if (!next_from_sources(ev, src)) return done();
      process(*ev);
      if (span > 0) bar->update((now_ - extent_first_) / 1000, span / 1000);
      else bar->update(events_, 0);
    }
    boost::asio::post(io, chunk);  // let signal handlers run between chunks
  };
  boost::asio::post(io, chunk);
  io.run();
}

void Engine::pump_paper(boost::asio::io_context& io) {
  if (sources_.empty()) {
    // Live market data only: connectors emit on the loop; run it until stopped.
    auto check = std::make_shared<boost::asio::steady_timer>(io);
    std::function<void()> arm = [&, check] {
      check->expires_after(std::chrono::milliseconds(100));
      check->async_wait([&](const boost::system::error_code& ec) {
        if (ec) return;
        if (stop_requested_.load() || !fatal_.empty()) return io.stop();
        arm();
      });
    };
    arm();
    io.run();
    return;
  }
  const double speed = options_.speed ? *options_.speed : graph_.bot.speed;
  auto timer = std::make_shared<boost::asio::steady_timer>(io);
  const auto wall_start = std::chrono::steady_clock::now();
  th_time_ns first_ts = 0;
  const th_event* ev = nullptr;
  size_t src = 0;
  int burst = 0;
  std::function<void()> step;
  step = [&, timer] {
    for (;;) {
      if (stop_requested_.load() || !fatal_.empty()) return io.stop();
      if (!ev && !next_from_sources(ev, src)) return io.stop();
      if (!first_ts) first_ts = ev->ts_event;
      // The replay's virtual clock runs `speed` times faster than the wall clock.
      auto due = wall_start + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(ev->ts_event - first_ts) / speed));
      if (due > std::chrono::steady_clock::now()) {
        timer->expires_at(due);
        timer->async_wait([&](const boost::system::error_code& ec) {
          if (!ec) step();
        });
        return;
      }
      process(*ev);
      ev = nullptr;
      // Let other handlers (signals, the plugin watcher) run between events even when the
      // replay is behind the wall clock and every event is already due.
      if (++burst == 1024) {
        burst = 0;
        boost::asio::post(io, step);
        return;
      }
    }
  };
  boost::asio::post(io, step);
  io.run();
}

// ---------------------------------------------------------------------------------------------
// Run

void Engine::finish(RunResult& result, const std::string& status, const std::string& error) {
  result.status = status;
  result.error = error;
  result.run_id = run_id_;
  if (!store_) return;
  std::optional<std::string> summary_json;
  report::RunInfo info;
  info.bot = graph_.bot.name;
  info.run_id = std::to_string(run_id_);
  info.mode = std::string(graph::to_string(graph_.bot.mode));
  for (th_instance* s : strategies_)
    for (th_instrument_id id : s->instruments)
      if (std::find(info.instruments.begin(), info.instruments.end(), instruments_[id]->symbol) == info.instruments.end())
        info.instruments.push_back(instruments_[id]->symbol);
  info.quote_asset = quote_asset_;
  info.config_path = graph_.file.string();
  info.bar_interval = strategies_.empty() ? "" : strategies_.front()->node->timeframe;
  if (metrics_) {
    close_period();
    metrics_->set_fees_paid(portfolio_.fees());
    if (primary_) metrics_->set_buy_and_hold(static_cast<double>(first_open_), static_cast<double>(last_close_));
    result.summary = metrics_->summary(result.summary.elapsed_s);
    // The window as requested; where a side was not given, the data's own bounds.
    info.from_ns = options_.from_ns ? *options_.from_ns : result.summary.first_bar_ns ? result.summary.first_bar_ns - bar_interval_ns_ : 0;
    info.to_ns = options_.to_ns ? *options_.to_ns : result.summary.last_bar_ns;
    try {
      std::filesystem::create_directories(options_.out_dir);
      result.report_path = options_.out_dir / "report.json";
      result.trades_path = options_.out_dir / "trades.csv";
      report::write_report_json(result.report_path, result.summary, info);
      report::write_trades_csv(result.trades_path, trips_);
      summary_json = report::report_json(result.summary, info);
    } catch (const std::exception& e) {
      if (result.error.empty()) result.error = fmt::format("writing the report to {} failed: {}", options_.out_dir.string(), e.what());
      result.status = "failed";
    }
  }
  try {
    for (size_t id = 1; id < instruments_.size(); ++id)
      if (portfolio_.position(static_cast<th_instrument_id>(id)).realized || portfolio_.position(static_cast<th_instrument_id>(id)).qty)
        write_position(static_cast<th_instrument_id>(id));
  } catch (const std::exception& e) {
    spdlog::error("writing final positions failed: {}", e.what());
  }
  std::optional<std::string_view> err_sv, sum_sv;
  if (!result.error.empty()) err_sv = result.error;
  if (summary_json) sum_sv = *summary_json;
  try {
    store_->finish_run(run_id_, result.status, err_sv, sum_sv, wall_ns());
    store_->flush();
  } catch (const std::exception& e) {
    spdlog::error("recording the end of run {} failed: {}", run_id_, e.what());
    if (result.status != "failed") {
      result.status = "failed";
      result.error = e.what();
    }
  }
  if (metrics_ && options_.print_summary) std::fputs(report::format_summary(result.summary, info).c_str(), stdout);
  if (metrics_)
    notify("summary", result.status == "failed" ? TH_SEV_ERROR : TH_SEV_INFO,
           fmt::format("run {} of {} {}", run_id_, graph_.bot.name, result.status),
           fmt::format("trades={} total_return={:.4f} max_drawdown={:.4f} fees_paid={:.2f} {}", result.summary.trades,
                       result.summary.total_return, result.summary.max_drawdown, static_cast<double>(result.summary.fees_paid_raw) / 1e8, quote_asset_));
}

RunResult Engine::run() {
  RunResult result;
  // Ctrl-C is caught from here on: a signal during start-up stops the run at its first event,
  // so a run row is never left 'running' by an interrupt.
  boost::asio::io_context& io = *io_ctx_;
  io_ = &io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::warn("signal {} received: stopping after the current event", sig);
    request_stop();
  });
  // SIGHUP asks for a hot reload (editors without file watching; `tradehost reload`). It is
  // caught in every mode so that outside paper mode it is refused with a message rather than
  // killing the bot.
  boost::asio::signal_set reload_signal(io, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_hup = [&](const boost::system::error_code& ec, int) {
    if (ec) return;
    spdlog::info("SIGHUP received: reloading changed strategies");
    reload_changed_strategies();
    reload_signal.async_wait(on_hup);
  };
  reload_signal.async_wait(on_hup);
  // Everything that can fail on bad input happens before the state database is opened.
  prepare();
  result.state_path = options_.state_path ? *options_.state_path : graph_.bot.state;
  open_store();
  const auto t0 = std::chrono::steady_clock::now();
  std::string error;
  std::optional<PidFile> pid_file;
  try {
    if (live_) {
      pid_file.emplace(result.state_path);
      now_ = wall_ns();
      start_others(/*notifiers_only=*/true);  // what reconciliation finds is notified
      load_kill_switch();
      start_operator_controls(io);  // the control API answers (and can halt) while the host reconciles
      reconcile_at_start();  // the venue's balance sets the cash the metrics start from
    }
    metrics_ = std::make_unique<report::MetricsAccumulator>(portfolio_.initial_cash(), bar_interval_ns_ > 0 ? bar_interval_ns_ : 60'000'000'000);
    // A live bot interrupted while it was still reconciling starts no strategy.
    if (!stop_requested_.load()) {
      if (graph_.bot.mode == graph::Mode::Paper) {
        if (!pid_file) pid_file.emplace(result.state_path);
        start_others(/*notifiers_only=*/true);
        load_kill_switch();
        start_operator_controls(io);
      }
      start_others();
      // A bot that comes back HALTED (or was halted while it reconciled) cancels what is still
      // open before any market event reaches a strategy.
      if (kill_state_ == KillState::Halted) apply_halt();
      open_market();
      if (graph_.bot.mode == graph::Mode::Backtest) {
        pump_backtest(io);
      } else {
        start_hot_reload(io);
        arm_wall_timer();
        pump_paper(io);
      }
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  stop_hot_reload();
  stop_operator_controls();
  signals.cancel();
  reload_signal.cancel();
  if (wall_timer_) wall_timer_->cancel();
  if (live_ && oms_) {
    size_t open = 0;
    for (const auto& o : oms_->orders())
      if (!oms::is_final(o.state)) ++open;
    if (open)
      spdlog::info("{} order(s) stay open at the venue; the next start of bot '{}' settles them with the venue", open, graph_.bot.name);
  }
  io_ = nullptr;
  result.summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (error.empty()) error = fatal_;
  stop_all(false);  // notifiers stay up for the run's summary
  const std::string status = !error.empty() ? "failed" : stop_requested_.load() ? "stopped" : "completed";
  if (!error.empty()) {
    spdlog::error("run {} failed: {}", run_id_, error);
    notify("error", TH_SEV_ERROR, "run failed", error);
  }
  finish(result, status, error);
  drain_notifiers(io);
  stop_all(true);
  return result;
}

}  // namespace tradehost::engine
