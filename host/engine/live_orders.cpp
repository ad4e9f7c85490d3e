// Live mode: an approved order goes to its instrument's connector once the journal holds it; the
// connector's order, fill, balance and position events (plugin.h, LIVE VENUES) come back through
// emit() and drive the order manager, the journal and the portfolio. Start-up carries the last
// live run's positions over, adopts the orders the journal holds open, asks the venue about each
// (query), reconciles every trading connector and only then starts the strategies.
//
// Nothing here guesses: an event the host cannot explain (a fill for a final order, more filled
// than ordered, the venue not knowing an order the journal has as acknowledged) stops the run
// (fail closed) with a message and an "error" notification; an order the bot never issued is
// reported once as foreign and left alone.
#include "engine/engine.hpp"
#include "engine/engine_util.hpp"

#include "fault/crash_point.hpp"
#include "portfolio/portfolio.hpp"

#include <tradehost/fixed.hpp>

#include <boost/asio/post.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>

namespace tradehost::engine {

using detail::lower;
using detail::side_lc;
using detail::sv;
using detail::th;
using detail::wall_ns;

namespace {

/// How long the host waits for a venue's answer to query() and reconcile() at start.
constexpr auto kVenueAnswerTimeout = std::chrono::seconds(30);
constexpr uint32_t kNoOwner = std::numeric_limits<uint32_t>::max();

const char* state_name(int32_t s) { return oms::to_string(static_cast<oms::OrderState>(s)); }

/// TH_ORD_* from the journal's spelling ("limit", "stop_market", ...); 0 when unknown.
int32_t order_type_from(const std::string& text) {
  for (int32_t t = TH_ORD_MARKET; t <= TH_ORD_TRAILING_STOP; ++t)
    if (lower(oms::order_type_name(t)) == text) return t;
  return 0;
}

/// TH_TIF_* from "GTC", "IOC", "FOK", "GTX"; 0 when unknown.
int32_t tif_from(const std::string& text) {
  for (int32_t t = TH_TIF_GTC; t <= TH_TIF_GTX; ++t)
    if (oms::tif_name(t) == text) return t;
  return 0;
}

}  // namespace

/// A connector's TH_EV_ORDER, with its borrowed strings copied.
struct Engine::VenueOrder {
  th_ev_order ev{};
  std::string client_order_id, venue_order_id, reason;
  explicit VenueOrder(const th_event& e) {
    std::memcpy(&ev, &e, std::min<size_t>(e.struct_size, sizeof ev));
    client_order_id = sv(ev.client_order_id);
    venue_order_id = sv(ev.venue_order_id);
    reason = sv(ev.reason);
    ev.client_order_id = ev.venue_order_id = ev.reason = th_str{};  // dead once emit returns
  }
};

/// A connector's TH_EV_FILL, with its borrowed strings copied.
struct Engine::VenueFill {
  th_ev_fill ev{};
  std::string client_order_id, trade_id, fee_asset;
  explicit VenueFill(const th_event& e) {
    std::memcpy(&ev, &e, std::min<size_t>(e.struct_size, sizeof ev));
    client_order_id = sv(ev.client_order_id);
    trade_id = sv(ev.trade_id);
    fee_asset = sv(ev.fee_asset);
    ev.client_order_id = ev.trade_id = ev.fee_asset = th_str{};
  }
};

th_status Engine::emit_venue(th_instance* self, const th_event* ev) {
  if (!live_ || !self->component->connector.submit) return TH_ERR_UNSUPPORTED;
  switch (ev->type) {
    case TH_EV_ORDER: {
      if (ev->struct_size < sizeof(th_ev_order)) return TH_ERR_INVALID_ARG;
      auto v = std::make_shared<VenueOrder>(*ev);
      on_loop([this, self, v] { on_venue_order(self, *v); });
      return TH_OK;
    }
    case TH_EV_FILL: {
      if (ev->struct_size < sizeof(th_ev_fill)) return TH_ERR_INVALID_ARG;
      auto v = std::make_shared<VenueFill>(*ev);
      on_loop([this, self, v] { on_venue_fill(self, *v); });
      return TH_OK;
    }
    case TH_EV_BALANCE: {
      if (ev->struct_size < sizeof(th_ev_balance)) return TH_ERR_INVALID_ARG;
      th_ev_balance b{};
      std::memcpy(&b, ev, sizeof b);
      std::string asset = sv(b.asset);
      b.asset = th_str{};
      on_loop([this, self, b, asset] { on_venue_balance(self, b, asset); });
      return TH_OK;
    }
    case TH_EV_POSITION: {
      if (ev->struct_size < sizeof(th_ev_position)) return TH_ERR_INVALID_ARG;
      th_ev_position p{};
      std::memcpy(&p, ev, sizeof p);
      on_loop([this, self, p] { on_venue_position(self, p); });
      return TH_OK;
    }
    default:
      return TH_ERR_UNSUPPORTED;
  }
}

void Engine::on_loop(std::function<void()> fn) {
  boost::asio::post(*io_ctx_, [this, fn = std::move(fn)]() mutable {
    if (!fatal_.empty()) return;
    if (!oms_) {
      deferred_.push_back(std::move(fn));
      return;
    }
    try {
      fn();
    } catch (const std::exception& e) {
      if (fatal_.empty()) fatal_ = fmt::format("applying a venue event failed: {}", e.what());
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Routing

void Engine::check_live_graph() const {
  for (const th_instance* c : connectors_)
    if (c->component->connector.replay_next)
      throw EngineError(fmt::format("{}:{}:{}: connector '{}' (type {}) replays history; live mode trades at a venue and needs a "
                                    "venue connector (e.g. type = \"binance_spot\")",
                                    c->node->pos.file, c->node->pos.line, c->node->pos.col, c->name, c->node->type));
  for (const th_instance* s : strategies_) {
    const th_instance* c = connectors_.at(s->connector);
    const auto& ops = c->component->connector;
    if (!ops.submit || !ops.cancel || !ops.reconcile)
      throw EngineError(fmt::format("{}:{}:{}: strategy '{}' trades through connector '{}' (type {}), which does not route orders; "
                                    "live mode needs one that does, or run this graph in paper mode",
                                    s->node->pos.file, s->node->pos.line, s->node->pos.col, s->name, c->name, c->node->type));
    if (!ops.query)
      spdlog::warn("connector '{}' (type {}) cannot query orders (built before ABI 1.3): a restart with open orders will refuse to "
                   "trade until they are settled by hand",
                   c->name, c->node->type);
  }
}

th_instance* Engine::connector_of(th_instrument_id id) const { return connectors_.at(instruments_.at(id)->connector); }

th_order Engine::order_view(const oms::Order& o) {
  th_order v{};
  v.struct_size = sizeof v;
  v.req = o.req;
  v.order_id = o.id;
  v.client_order_id = th(o.client_order_id);
  return v;
}

void Engine::route_order(oms::Order& o) {
  fault::crash_point("after_journal", o.client_order_id);  // recovery tests: journaled, never sent
  th_instance* c = connector_of(o.req.instrument);
  const th_order view = order_view(o);
  const th_status st = c->failed || !c->started ? TH_ERR_NOT_READY : c->component->connector.submit(c->state, &view);
  if (st == TH_OK) {
    routed_at_[o.id] = std::chrono::steady_clock::now();
    spdlog::info("order {} sent to '{}': {} {} {} {}", o.client_order_id, c->name, side_lc(o.req.side),
                 qty_text(o.req.instrument, o.req.qty), instruments_[o.req.instrument]->symbol, oms::order_type_name(o.req.type));
    return;
  }
  const std::string why = fmt::format("connector '{}' did not send it (status {}{})", c->name, st, c->failed ? "; it failed earlier" : "");
  oms_->transition(o, oms::OrderState::Rejected, now_, why);
  queue_order_event(o);
  notify("rejected", TH_SEV_WARN, "order not sent", fmt::format("strategy={} order={} reason={}", o.strategy, o.client_order_id, why));
}

th_status Engine::route_cancel(oms::Order& o) {
  th_instance* c = connector_of(o.req.instrument);
  if (c->failed || !c->started) return TH_ERR_NOT_READY;
  const th_order view = order_view(o);
  return c->component->connector.cancel(c->state, &view);
}

// ---------------------------------------------------------------------------------------------
// Start-up: carry positions, adopt open orders, query, reconcile

bool Engine::run_loop_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (stop_requested_.load() || !fatal_.empty() || std::chrono::steady_clock::now() >= deadline) return false;
    io_ctx_->restart();
    io_ctx_->run_for(std::chrono::milliseconds(20));
  }
  return true;
}

void Engine::carry_positions() {
  for (const store::PositionRow& row : store_->carried_positions(graph_.bot.name, "live", run_id_)) {
    th_instrument_id id = 0;
    find_instrument(th_str{}, th(row.instrument), &id);
    int64_t qty = 0, avg = 0, realized = 0;
    std::string err;
    if (!id) {
      if (row.qty == "0") continue;
      throw EngineError(fmt::format("run {} of bot '{}' left a position of {} {}, an instrument no connector of this graph defines; "
                                    "add its connector back, or close the position at the venue and start a new bot name",
                                    row.run_id, graph_.bot.name, row.qty, row.instrument));
    }
    const th_instrument& inst = instruments_[id]->view;
    if (!parse_fixed(row.qty, inst.qty_scale, qty, &err) || !parse_fixed(row.avg_entry_price, inst.price_scale, avg, &err) ||
        !parse_fixed(row.realized_pnl, TH_MONEY_SCALE, realized, &err))
      throw EngineError(fmt::format("the position of {} that run {} left cannot be read at this instrument's scales: {}", row.instrument,
                                    row.run_id, err));
    portfolio_.restore_position(id, qty, avg, realized, row.updated_ns);
    write_position(id);  // this run's row, so that a crash of this run still carries it on
    if (qty) spdlog::info("carried over from run {}: {} {} at {}", row.run_id, row.qty, row.instrument, row.avg_entry_price);
  }
}

void Engine::adopt_open_orders() {
  for (const store::OrderRow& row : store_->load_open_orders(graph_.bot.name, "live")) {
    if (row.run_id == run_id_) continue;
    th_instrument_id id = 0;
    find_instrument(th_str{}, th(row.instrument), &id);
    if (!id)
      throw EngineError(fmt::format("the journal holds open order {} (run {}) on {}, which no connector of this graph defines; add its "
                                    "connector back so the host can settle it with the venue",
                                    row.client_order_id, row.run_id, row.instrument));
    const th_instrument& inst = instruments_[id]->view;
    oms::Order o;
    o.client_order_id = row.client_order_id;
    o.journal_run_id = row.run_id;
    o.journal_order_id = static_cast<uint64_t>(row.order_id);
    o.req.struct_size = sizeof o.req;
    o.req.instrument = id;
    o.req.side = row.side == "buy" ? TH_SIDE_BUY : TH_SIDE_SELL;
    o.req.type = order_type_from(row.type);
    o.req.tif = tif_from(row.tif);
    std::string err;
    bool ok = o.req.type != 0 && parse_fixed(row.qty, inst.qty_scale, o.req.qty, &err) &&
              parse_fixed(row.filled_qty, inst.qty_scale, o.filled_qty, &err);
    if (ok && row.price) ok = parse_fixed(*row.price, inst.price_scale, o.req.price, &err);
    if (ok && row.trigger_price) ok = parse_fixed(*row.trigger_price, inst.price_scale, o.req.trigger_price, &err);
    if (ok && row.avg_fill_price) ok = parse_fixed(*row.avg_fill_price, inst.price_scale, o.avg_fill_price, &err);
    if (!ok)
      throw EngineError(fmt::format("the journal's open order {} (run {}) cannot be read at {}'s scales: {}", row.client_order_id,
                                    row.run_id, row.instrument, err.empty() ? "unknown order type " + row.type : err));
    o.filled_notional = static_cast<__int128>(o.avg_fill_price) * o.filled_qty;
    o.tag = row.tag;
    o.strategy = row.strategy;
    o.owner = kNoOwner;
    for (const th_instance* s : strategies_)
      if (s->name == row.strategy) o.owner = s->index;
    o.state = static_cast<oms::OrderState>(row.state);
    o.created_ns = row.created_ns;
    o.updated_ns = row.updated_ns;
    oms::Order& a = oms_->adopt(std::move(o));
    for (const std::string& t : store_->trade_ids(row.run_id, row.order_id))
      seen_trades_.insert(instruments_[id]->venue + '|' + instruments_[id]->symbol + '|' + t);
    awaiting_query_.insert(a.id);
    spdlog::info("adopted open order {} of run {}: {} {} {} {} ({} filled), state {}", a.client_order_id, row.run_id, row.side, row.qty,
                 row.instrument, row.type, row.filled_qty, oms::to_string(a.state));
  }
}

void Engine::reconcile_at_start() {
  carry_positions();
  adopt_open_orders();
  // Venue events that arrived while the host was starting (before the order manager existed).
  auto early = std::move(deferred_);
  deferred_.clear();
  for (auto& fn : early) fn();

  // 1. Ask the venue about every order the journal holds open: its fills, then its state.
  const size_t adopted = awaiting_query_.size();
  for (uint64_t id : std::set<uint64_t>(awaiting_query_)) {
    oms::Order* o = oms_->find(id);
    th_instance* c = connector_of(o->req.instrument);
    if (!c->component->connector.query)
      throw EngineError(fmt::format("the journal holds open order {} and connector '{}' cannot query orders; settle it at the venue "
                                    "by hand, or update the connector",
                                    o->client_order_id, c->name));
    const th_order view = order_view(*o);
    const th_status st = c->component->connector.query(c->state, &view);
    if (st != TH_OK)
      throw EngineError(fmt::format("connector '{}' could not ask the venue about order {} (status {}); see the error above", c->name,
                                    o->client_order_id, st));
  }
  if (!run_loop_until([&] { return awaiting_query_.empty(); }, kVenueAnswerTimeout)) {
    if (!fatal_.empty()) throw EngineError(fatal_);
    if (stop_requested_.load()) return;  // interrupted: run() starts no strategy
    std::string which;
    for (uint64_t id : awaiting_query_) which += (which.empty() ? "" : ", ") + oms_->find(id)->client_order_id;
    throw EngineError(fmt::format("the venue did not answer for open order(s) {} within {} s; the host does not trade without knowing "
                                  "them",
                                  which, kVenueAnswerTimeout.count()));
  }

  // 2. Reconcile every connector a strategy trades through: open orders, balances, positions.
  std::vector<th_instance*> trading;
  for (th_instance* s : strategies_) {
    th_instance* c = connectors_.at(s->connector);
    if (std::find(trading.begin(), trading.end(), c) == trading.end()) trading.push_back(c);
  }
  for (th_instance* c : trading) {
    c->connector_status = 0;
    const th_status st = c->component->connector.reconcile(c->state);
    if (st != TH_OK)
      throw EngineError(fmt::format("connector '{}' could not reconcile (status {}); see the error above", c->name, st));
    const bool answered = run_loop_until(
        [&] { return c->connector_status == TH_STATUS_RECONCILED || c->connector_status == TH_STATUS_ERROR || c->failed; },
        kVenueAnswerTimeout);
    if (!fatal_.empty()) throw EngineError(fatal_);
    if (stop_requested_.load()) return;
    if (!answered || c->connector_status != TH_STATUS_RECONCILED)
      throw EngineError(fmt::format("connector '{}' did not reconcile: {}", c->name,
                                    c->connector_status == TH_STATUS_ERROR ? c->connector_message
                                    : c->failed                            ? c->failure
                                                                           : fmt::format("no STATUS_RECONCILED within {} s", kVenueAnswerTimeout.count())));
  }
  // Events the reconciliation queued (balances, orders) are applied by now; let the first
  // balance fix the starting cash.
  io_ctx_->restart();
  io_ctx_->poll();
  if (!fatal_.empty()) throw EngineError(fatal_);
  if (!cash_synced_)
    spdlog::warn("no {} balance came from the venue; returns are measured from [bot] initial_cash", quote_asset_);
  size_t open = 0;
  for (const auto& o : oms_->orders())
    if (!oms::is_final(o.state)) ++open;
  spdlog::info("reconciled: {} journal order(s) settled with the venue, {} open", adopted, open);
  notify("reconcile", TH_SEV_INFO, "reconciled with the venue",
         fmt::format("adopted={} open={} foreign={} cash={} {}", adopted, open, foreign_reported_.size(), money_text(portfolio_.cash()),
                     quote_asset_));
}

// ---------------------------------------------------------------------------------------------
// Venue events

oms::Order* Engine::venue_order_for(th_instance* conn, uint64_t order_id, const std::string& client_order_id, const char* what) {
  oms::Order* o = order_id ? oms_->find(order_id) : nullptr;
  if (o && !client_order_id.empty() && o->client_order_id != client_order_id) o = nullptr;
  if (!o && !client_order_id.empty()) o = oms_->find_client(client_order_id);
  if (o && instruments_[o->req.instrument]->connector == conn->index) return o;
  const std::string key = client_order_id.empty() ? fmt::format("#{}", order_id) : client_order_id;
  if (foreign_reported_.insert(key).second) {
    spdlog::warn("connector '{}' reports {} of order {}, which this bot did not issue; it is left alone and not counted", conn->name,
                 what, key);
    notify("order", TH_SEV_WARN, "foreign order at the venue",
           fmt::format("connector={} client_order_id={}: not issued by bot {}; left alone", conn->name, key, graph_.bot.name));
  }
  return nullptr;
}

void Engine::on_venue_order(th_instance* conn, const VenueOrder& v) {
  now_ = wall_ns();
  oms::Order* o = venue_order_for(conn, v.ev.order_id, v.client_order_id, "an order update");
  if (!o) return;
  const int32_t to = v.ev.state;
  if (to < TH_ORDER_PENDING_NEW || to > TH_ORDER_EXPIRED) {
    spdlog::warn("connector '{}' reported order {} in unknown state {}; ignored", conn->name, o->client_order_id, to);
    return;
  }
  awaiting_query_.erase(o->id);
  observe_order_latency(o->id);
  const int32_t from = static_cast<int32_t>(o->state);
  if (to == from || to == TH_ORDER_PENDING_NEW) return;
  if (oms::is_final(o->state)) {
    spdlog::warn("venue reports order {} {}, the host has it {} already; kept", o->client_order_id, state_name(to), state_name(from));
    return;
  }
  // The venue knows more fills than the host: take them (query) before any final state; once per
  // gap, so a venue whose trade list does not add up cannot keep the order open forever.
  if (v.ev.filled_qty > o->filled_qty && to != TH_ORDER_PARTIALLY_FILLED && to != TH_ORDER_FILLED && to != TH_ORDER_NEW) {
    const auto& ops = conn->component->connector;
    auto asked = fill_gap_queried_.find(o->id);
    if (ops.query && (asked == fill_gap_queried_.end() || asked->second != v.ev.filled_qty)) {
      fill_gap_queried_[o->id] = v.ev.filled_qty;
      spdlog::info("venue reports order {} {} with {} filled, the host has {}: asking for the missing fills first", o->client_order_id,
                   state_name(to), qty_text(o->req.instrument, v.ev.filled_qty), qty_text(o->req.instrument, o->filled_qty));
      const th_order view = order_view(*o);
      if (ops.query(conn->state, &view) == TH_OK) return;
    }
  }
  if (to == TH_ORDER_REJECTED && o->state != oms::OrderState::PendingNew) {
    fail_closed("order mismatch with the venue",
                fmt::format("the venue says order {} does not exist ({}), but the host has it {}; trading stops until this is understood",
                            o->client_order_id, v.reason, state_name(from)));
    return;
  }
  try {
    if (o->state == oms::OrderState::PendingNew && to != TH_ORDER_REJECTED) {
      oms_->transition(*o, oms::OrderState::New, now_);
      queue_order_event(*o);
    }
    switch (to) {
      case TH_ORDER_REJECTED:
        oms_->transition(*o, oms::OrderState::Rejected, now_, v.reason.empty() ? "rejected by the venue" : v.reason);
        queue_order_event(*o);
        notify("rejected", TH_SEV_WARN, "order rejected by the venue",
               fmt::format("strategy={} order={} reason={}", o->strategy, o->client_order_id, o->reason));
        break;
      case TH_ORDER_CANCELED:
      case TH_ORDER_EXPIRED:
        oms_->transition(*o, to == TH_ORDER_CANCELED ? oms::OrderState::Canceled : oms::OrderState::Expired, now_,
                         v.reason.empty() ? (to == TH_ORDER_CANCELED ? "canceled at the venue" : "expired at the venue") : v.reason);
        queue_order_event(*o);
        notify("order", TH_SEV_INFO, fmt::format("order {}", lower(state_name(to))),
               fmt::format("order={} filled={} reason={}", o->client_order_id, qty_text(o->req.instrument, o->filled_qty), o->reason));
        break;
      default:  // NEW, PARTIALLY_FILLED, FILLED: fills move the host's state; they come as TH_EV_FILL
        if (v.ev.filled_qty > o->filled_qty)
          spdlog::debug("order {}: venue has {} filled, host {}; waiting for the fills", o->client_order_id,
                        qty_text(o->req.instrument, v.ev.filled_qty), qty_text(o->req.instrument, o->filled_qty));
        break;
    }
  } catch (const oms::IllegalTransition& e) {
    spdlog::warn("venue update for order {} not applied: {}", o->client_order_id, e.what());
  }
  flush_pending();
}

void Engine::on_venue_fill(th_instance* conn, const VenueFill& v) {
  now_ = wall_ns();
  oms::Order* o = venue_order_for(conn, v.ev.order_id, v.client_order_id, "a fill");
  if (!o) return;
  const th_instrument_id id = o->req.instrument;
  const StoredInstrument& inst = *instruments_[id];
  auto halt = [&](const std::string& why) {
    fail_closed("fill mismatch with the venue",
                fmt::format("fill {} of order {} ({} {} {} @ {}) cannot be applied: {}; trading stops until this is understood",
                            v.trade_id, o->client_order_id, side_lc(o->req.side), qty_text(id, v.ev.qty), inst.symbol,
                            price_text(id, v.ev.price), why));
  };
  observe_order_latency(o->id);
  if (v.trade_id.empty()) return halt("it has no trade id, so a repeat could not be told apart");
  if (!seen_trades_.insert(inst.venue + '|' + inst.symbol + '|' + v.trade_id).second) {
    spdlog::debug("fill {} of order {} already applied; repeat ignored", v.trade_id, o->client_order_id);
    return;
  }
  if (v.ev.qty <= 0 || v.ev.price <= 0 || v.ev.fee < 0) return halt("quantity and price must be positive, the fee not negative");
  if (oms::is_final(o->state)) return halt(fmt::format("the order is already {}", oms::to_string(o->state)));
  if (v.ev.qty > o->remaining_qty())
    return halt(fmt::format("only {} of {} remain", qty_text(id, o->remaining_qty()), qty_text(id, o->req.qty)));
  if (o->state == oms::OrderState::PendingNew) {  // the execution report can beat the order's acknowledgement
    oms_->transition(*o, oms::OrderState::New, now_);
    queue_order_event(*o);
  }
  Execution x;
  x.price = v.ev.price;
  x.qty = v.ev.qty;
  x.fee = v.ev.fee;
  x.fee_asset = v.fee_asset;
  // The portfolio counts money in the quote asset: a fee charged in the base asset (Binance spot
  // buys) is valued at the fill price; one in a third asset (BNB) cannot be valued here.
  if (v.fee_asset == inst.quote || v.ev.fee == 0) {
    x.fee_quote = v.ev.fee;
  } else if (v.fee_asset == inst.base) {
    mul_div(v.ev.fee, v.ev.price, fixed_detail::kPow10[inst.view.price_scale], Rounding::HalfEven, x.fee_quote);
  } else if (fee_warned_.insert(v.fee_asset).second) {
    spdlog::warn("fees paid in {} are recorded with each fill but not counted in the {} PnL", v.fee_asset, inst.quote);
  }
  x.liquidity = v.ev.liquidity;
  x.trade_id = v.trade_id;
  x.ts = v.ev.h.ts_event ? v.ev.h.ts_event : now_;
  record_execution(*o, x);
  fault::crash_point("after_fill", o->client_order_id);  // recovery tests: between partial fills
  flush_pending();
}

void Engine::on_venue_balance(th_instance* conn, const th_ev_balance& ev, const std::string& asset) {
  now_ = wall_ns();
  venue_balances_[asset] = {ev.free, ev.locked};
  if (asset == quote_asset_) {
    // Before the strategies start the first balance is where returns are measured from.
    const bool starting = !metrics_;
    portfolio_.set_cash(ev.free + ev.locked, starting && !cash_synced_);
    cash_synced_ = true;
  }
  spdlog::debug("balance {} free={} locked={} (connector '{}')", asset, money_text(ev.free), money_text(ev.locked), conn->name);
  th_ev_balance b = ev;
  b.asset = th(asset);
  deliver_to_risk(b.h);
  for (th_instance* s : strategies_)
    if (connectors_.at(s->connector) == conn) deliver(s, b.h);
  flush_pending();
}

void Engine::on_venue_position(th_instance* conn, const th_ev_position& ev) {
  now_ = wall_ns();
  const th_instrument_id id = ev.h.instrument;
  if (!instrument(id) || instruments_[id]->connector != conn->index) return;
  const int64_t host_qty = portfolio_.position(id).qty;
  if (ev.qty != host_qty)
    spdlog::warn("venue position {} {} differs from the bot's {} (the account may hold more than this bot traded)", qty_text(id, ev.qty),
                 instruments_[id]->symbol, qty_text(id, host_qty));
  deliver_to_risk(ev.h);
  for (th_instance* s : subscribers_[id]) deliver(s, ev.h);
  flush_pending();
}

void Engine::fail_closed(const std::string& title, const std::string& why) {
  if (!fatal_.empty()) return;
  spdlog::error("{}", why);
  notify("error", TH_SEV_ERROR, title, why);
  // Persisted HALTED: a restart does not trade again until an operator has looked and resumed.
  try {
    set_kill_state(KillState::Halted, "host", why, false);
  } catch (const std::exception& e) {
    spdlog::error("could not record the kill switch: {}", e.what());
  }
  fatal_ = why;
}

// ---------------------------------------------------------------------------------------------
// Wall clock

void Engine::arm_wall_timer() {
  if (!live_ || !io_ || timers_.empty()) return;
  const th_time_ns due = timers_.front().due;
  if (wall_timer_ && wall_timer_due_ == due) return;  // already armed for it
  if (!wall_timer_) wall_timer_ = std::make_unique<boost::asio::steady_timer>(*io_);
  wall_timer_due_ = due;
  wall_timer_->expires_after(std::chrono::nanoseconds(std::max<int64_t>(0, due - wall_ns())));
  wall_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed for an earlier timer, or the run ended
    wall_timer_due_ = 0;
    now_ = wall_ns();
    fire_timers(now_);
    arm_wall_timer();
  });
}

}  // namespace tradehost::engine
