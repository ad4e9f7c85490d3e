// The kill switch (kill_switch.hpp has the states and rules) as the engine runs it: persisted
// before it acts, audited, notified, enforced in submit_order, and its triggers: the flag file,
// SIGUSR1 (HALTED) / SIGUSR2 (REDUCING), plugins through th_host_api.kill_switch, and the control
// API (control_api.cpp), the only way back to a less strict state.
#include "engine/engine.hpp"
#include "engine/engine_util.hpp"

#include "control/control_server.hpp"
#include "credentials/credential_store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <limits>

namespace tradehost::engine {

using detail::side_lc;
using detail::sv;
using detail::wall_ns;

namespace {

constexpr uint32_t kNoOwner = std::numeric_limits<uint32_t>::max();
constexpr std::string_view kFlattenTag = "kill_switch:flatten";

bool persists(graph::Mode mode) { return mode != graph::Mode::Backtest; }

}  // namespace

void Engine::load_kill_switch() {
  if (!persists(graph_.bot.mode) || !store_) return;
  const auto row = store_->kill_switch(graph_.bot.name, graph::to_string(graph_.bot.mode));
  if (!row) return;
  const auto st = parse_kill_state(row->state);
  if (!st) throw EngineError(fmt::format("the state database holds kill switch state '{}', which this build does not know", row->state));
  kill_state_ = *st;
  kill_source_ = row->source;
  kill_reason_ = row->reason;
  kill_since_ns_ = row->since_ns;
  if (kill_state_ != KillState::Active) {
    spdlog::warn("the kill switch of bot '{}' is {} since a previous run (source {}: {}); resuming takes POST /v1/resume on the "
                 "control API",
                 graph_.bot.name, to_string(kill_state_), kill_source_, kill_reason_);
    notify("kill_switch", TH_SEV_WARN, fmt::format("kill switch {} at start", to_string(kill_state_)),
           fmt::format("bot={} state={} source={} reason={}", graph_.bot.name, to_string(kill_state_), kill_source_, kill_reason_));
  }
}

KillVerdict Engine::set_kill_state(KillState to, const std::string& source, const std::string& reason, bool authenticated,
                                   std::string* why) {
  const KillVerdict v = judge_kill_request(kill_state_, to, authenticated);
  if (v == KillVerdict::Refused) {
    if (why)
      *why = fmt::format("the kill switch is {}; moving it to {} is a resume, which takes an authenticated operator action "
                         "(POST /v1/resume on the control API)",
                         to_string(kill_state_), to_string(to));
    spdlog::warn("kill switch: {} asked for {} while {}; refused (resuming is an operator's action)", source, to_string(to),
                 to_string(kill_state_));
    return v;
  }
  if (v == KillVerdict::Unchanged) return v;
  const KillState from = kill_state_;
  const th_time_ns ts = live_ || graph_.bot.mode == graph::Mode::Paper ? wall_ns() : now_;
  // Write-ahead: the new state is durable before anything acts on it, so a crash right after
  // cannot bring the bot back less strict than it was told to be.
  if (persists(graph_.bot.mode) && store_) {
    store::KillSwitchRow row{graph_.bot.name, std::string(graph::to_string(graph_.bot.mode)), std::string(to_string(to)), ts, source,
                             reason};
    store::KillSwitchEventRow ev;
    ev.bot = row.bot;
    ev.mode = row.mode;
    ev.run_id = run_id_;
    ev.ts_ns = ts;
    ev.from_state = std::string(to_string(from));
    ev.to_state = row.state;
    ev.source = source;
    ev.reason = reason;
    store_->record_kill_switch(row, ev);
  }
  kill_state_ = to;
  kill_source_ = source;
  kill_reason_ = reason;
  kill_since_ns_ = ts;
  const int32_t sev = to == KillState::Active ? TH_SEV_INFO : to == KillState::Reducing ? TH_SEV_WARN : TH_SEV_ERROR;
  spdlog::log(to > from ? spdlog::level::warn : spdlog::level::info, "kill switch {} -> {} (source {}: {})", to_string(from),
              to_string(to), source, reason);
  notify("kill_switch", sev, fmt::format("kill switch {}", to_string(to)),
         fmt::format("bot={} from={} to={} source={} reason={}", graph_.bot.name, to_string(from), to_string(to), source, reason));
  // Before the market opens, run() applies HALTED itself once the strategies have started.
  if (to == KillState::Halted && market_open_) apply_halt();
  return v;
}

th_status Engine::kill_switch(th_instance* self, int32_t state, th_str reason) {
  if (state < TH_KILL_ACTIVE || state > TH_KILL_HALTED || reason.len == 0 || !reason.ptr) return TH_ERR_INVALID_ARG;
  const std::string source = fmt::format("{}:{}", graph::kind_name(self->kind), self->name);
  const KillVerdict v = set_kill_state(static_cast<KillState>(state), source, std::string(sv(reason)), /*authenticated=*/false);
  return v == KillVerdict::Refused ? TH_ERR_REJECTED : TH_OK;
}

th_status Engine::kill_state(int32_t* out) const {
  if (!out) return TH_ERR_INVALID_ARG;
  *out = static_cast<int32_t>(kill_state_);
  return TH_OK;
}

bool Engine::kill_allows(const th_order_request& req, std::string* why) const {
  if (kill_state_ == KillState::Active) return true;
  if (kill_state_ == KillState::Halted) {
    *why = fmt::format("the kill switch is HALTED (source {}: {}); no order passes until an operator resumes", kill_source_,
                       kill_reason_);
    return false;
  }
  // REDUCING: the order must shrink the position, counting what open orders on its side already
  // take off it.
  const int64_t pos = portfolio_.position(req.instrument).qty;
  int64_t pending = 0;
  for (const auto& o : oms_->orders())
    if (!oms::is_final(o.state) && o.req.instrument == req.instrument && o.req.side == req.side) pending += o.remaining_qty();
  if (reduces_position(pos, pending, req.side, req.qty)) return true;
  *why = fmt::format("the kill switch is REDUCING (source {}: {}); only orders that shrink a position pass, and {} {} against a "
                     "position of {} (with {} already on that side) does not",
                     kill_source_, kill_reason_, side_lc(req.side), qty_text(req.instrument, req.qty), qty_text(req.instrument, pos),
                     qty_text(req.instrument, pending));
  return false;
}

void Engine::apply_halt() {
  if (!oms_) return;
  // 1. Cancel every open order (the journal's adopted ones too).
  int cancels = 0;
  std::vector<uint64_t> open;
  for (const auto& o : oms_->orders())
    if (!oms::is_final(o.state)) open.push_back(o.id);
  for (uint64_t id : open) {
    oms::Order& o = *oms_->find(id);
    if (graph_.bot.flatten_on_halt && o.tag == kFlattenTag) continue;  // our own flattening order
    if (live_) {
      const th_status st = route_cancel(o);
      if (st != TH_OK) spdlog::error("kill switch: cancelling order {} failed (status {}); cancel it at the venue", o.client_order_id, st);
      else ++cancels;
    } else if (sim_ && sim_->remove(o)) {
      oms_->transition(o, oms::OrderState::Canceled, now_, "canceled by the kill switch");
      queue_order_event(o);
      ++cancels;
    }
    if (store_ && live_ && o.journal_run_id && o.journal_run_id != run_id_) {
      store::RepairRow r{run_id_, wall_ns(), "halt_cancel", o.client_order_id,
                         fmt::format("order of run {} open while HALTED: cancel sent", o.journal_run_id)};
      store_->record_repair(r);
    }
  }
  if (cancels) spdlog::warn("kill switch HALTED: {} open order(s) cancelled", cancels);
  // 2. Close every position, when the config says so; once per position (an open flattening
  // order stands for it).
  if (graph_.bot.flatten_on_halt) {
    for (size_t id = 1; id < instruments_.size(); ++id) {
      const auto iid = static_cast<th_instrument_id>(id);
      const int64_t qty = portfolio_.position(iid).qty;
      if (qty == 0) continue;
      bool standing = false;
      for (const auto& o : oms_->orders())
        if (!oms::is_final(o.state) && o.req.instrument == iid && o.tag == kFlattenTag) standing = true;
      if (standing) continue;
      th_order_request req{};
      req.struct_size = sizeof req;
      req.instrument = iid;
      req.side = qty > 0 ? TH_SIDE_SELL : TH_SIDE_BUY;
      req.type = TH_ORD_MARKET;
      req.tif = TH_TIF_IOC;
      req.qty = qty > 0 ? qty : -qty;
      req.tag = th_str{kFlattenTag.data(), kFlattenTag.size()};
      oms::Order& o = oms_->create(req, "kill_switch", kNoOwner, now_);
      spdlog::warn("kill switch HALTED: flattening {} {} {} with market order {}", side_lc(req.side), qty_text(iid, req.qty),
                   instruments_[iid]->symbol, o.client_order_id);
      if (live_) {
        route_order(o);
      } else {
        const std::string r = sim_->accept(o, last_price_[iid]);
        oms_->transition(o, r.empty() ? oms::OrderState::New : oms::OrderState::Rejected, now_, r.empty() ? "" : r);
        queue_order_event(o);
      }
    }
  }
  flush_pending();
}

void Engine::poll_kill_file() {
  const auto& file = graph_.bot.kill_file;
  if (file.empty()) return;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return;
  std::ifstream in(file);
  std::string word;
  in >> word;
  const KillState to = parse_kill_state(word) == KillState::Reducing ? KillState::Reducing : KillState::Halted;
  set_kill_state(to, "file", fmt::format("kill file {} exists{}", file.string(), word.empty() ? "" : " (says " + word + ")"), false);
}

void Engine::housekeeping() {
  poll_kill_file();
  const auto now = std::chrono::steady_clock::now();
  event_samples_.emplace_back(now, events_);
  while (event_samples_.size() > 11) event_samples_.pop_front();  // the last 10 seconds
}

void Engine::arm_kill_signals() {
  kill_signals_->async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    set_kill_state(sig == SIGUSR1 ? KillState::Halted : KillState::Reducing, "signal",
                   sig == SIGUSR1 ? "SIGUSR1 received" : "SIGUSR2 received", false);
    arm_kill_signals();
  });
}

void Engine::arm_housekeeping() {
  housekeeping_timer_->expires_after(std::chrono::seconds(1));
  housekeeping_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    try {
      housekeeping();
    } catch (const std::exception& e) {
      if (fatal_.empty()) fatal_ = fmt::format("kill switch housekeeping failed: {}", e.what());
    }
    arm_housekeeping();
  });
}

void Engine::start_operator_controls(boost::asio::io_context& io) {
  if (graph_.bot.mode == graph::Mode::Backtest) return;
  // Signals: SIGUSR1 halts, SIGUSR2 reduces (`kill -USR1 <pid>`; the pid is in <state>.pid).
  kill_signals_ = std::make_unique<boost::asio::signal_set>(io, SIGUSR1, SIGUSR2);
  arm_kill_signals();
  // The one-second housekeeping: the kill file and the events/s window.
  housekeeping_timer_ = std::make_unique<boost::asio::steady_timer>(io);
  poll_kill_file();
  arm_housekeeping();
  // The control API.
  if (graph_.control.enabled) {
    // prepare() has checked that the store holds it and that it is a token.
    const credentials::Credential* token = credential_store_->find(graph_.control.token_credential);
    control::ServerOptions o;
    o.host = graph_.control.host;
    o.port = graph_.control.port;
    o.token = std::string(token->secret.view());
    o.tls_cert = graph_.control.tls_cert;
    o.tls_key = graph_.control.tls_key;
    try {
      control_ = std::make_unique<control::ControlServer>(io, std::move(o), [this](const control::Request& r) { return control_route(r); });
    } catch (const std::exception& e) {
      throw EngineError(fmt::format("{}:{}:{}: {}", graph_.control.pos.file, graph_.control.pos.line, graph_.control.pos.col, e.what()));
    }
    const std::string url = control_->url();
    spdlog::info("control API listening on {}", url);
    // Where tools and tests find it when the port was chosen by the system.
    const std::filesystem::path state = options_.state_path ? *options_.state_path : graph_.bot.state;
    std::ofstream(state.string() + ".control", std::ios::trunc) << url << '\n';
  }
}

void Engine::stop_operator_controls() noexcept {
  if (control_) control_->stop();
  if (housekeeping_timer_) housekeeping_timer_->cancel();
  if (kill_signals_) {
    boost::system::error_code ec;
    kill_signals_->cancel(ec);
  }
}

}  // namespace tradehost::engine
