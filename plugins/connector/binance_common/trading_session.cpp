#include "trading_session.hpp"

#include <algorithm>
#include <utility>

namespace tradehost::binance {

namespace {

// Margin past timestamp + recvWindow before "Order does not exist." is believed (see the header).
constexpr int64_t kSettleMs = 2000;
// Spot: "It's recommended to send a ping about every 30 minutes" (Keepalive user data stream);
// USD-M: a listenKey "is valid for 60 minutes after creation" and a PUT extends it by 60.
constexpr th_time_ns kKeepAlivePeriod = 30LL * 60 * 1'000'000'000;
// Resends of an order the venue refused before execution (rate limit); then it is REJECTED.
constexpr int kMaxOrderResends = 5;
constexpr int kMaxCancelAttempts = 8;
constexpr int kReconcileAttempts = 3;  // per reconcile step, then TH_STATUS_ERROR
constexpr int kKeepAliveAttempts = 3;
// Final orders kept so that late answers and stream events still find them.
constexpr size_t kMaxFinished = 1000;
constexpr uint64_t kKeepAliveCookie = TradingSession::kCookieBase;

int rank(int32_t state) {
  switch (state) {
    case TH_ORDER_PENDING_NEW: return 0;
    case TH_ORDER_NEW: return 1;
    case TH_ORDER_PARTIALLY_FILLED: return 2;
    default: return 3;  // final
  }
}

th_time_ns ms_to_ns(int64_t ms) { return ms * 1'000'000; }

std::string body_of(const th_http_response& r) {
  return r.body.ptr ? std::string(reinterpret_cast<const char*>(r.body.ptr), r.body.len) : std::string();
}

}  // namespace

bool TradingSession::Order::open() const {
  return state == TH_ORDER_PENDING_NEW || state == TH_ORDER_NEW || state == TH_ORDER_PARTIALLY_FILLED;
}

TradingSession::TradingSession(Context ctx, const SymbolTable& symbols, TradingProfile profile, TradingSettings settings)
    : ctx_(ctx),
      symbols_(symbols),
      profile_(std::move(profile)),
      settings_(std::move(settings)),
      rest_(ctx.self(), ctx.host(), settings_.rest_url, settings_.venue, settings_.recv_window_ms),
      session_started_ns_(ctx.now()) {
  rest_.set_timeout_ms(static_cast<uint32_t>(settings_.request_timeout_ms));
  next_cookie_ = kKeepAliveCookie + 1;
}

void TradingSession::declare_budgets() {
  // "Order Rate Limits" (spot and USD-M): counted per account, reported in X-MBX-ORDER-COUNT-*.
  if (ctx_.host()->rate_budget(ctx_.self(), to_th(settings_.orders_budget), to_th(settings_.venue),
                               settings_.orders_per_window, profile_.orders_window_ns, to_th(profile_.orders_header)) != TH_OK)
    throw Error(TH_ERR_INVALID_ARG, "cannot declare the orders budget " + settings_.orders_budget);
}

// ---- the host's calls ----------------------------------------------------------------------

void TradingSession::require_instrument(th_instrument_id id) const {
  if (symbols_.find(id) == nullptr) throw Error(TH_ERR_NOT_FOUND, profile_.connector + " has no instrument " + std::to_string(id));
}

void TradingSession::submit(const th_order& order) {
  require_instrument(order.req.instrument);
  const SymbolTable::Entry* e = symbols_.find(order.req.instrument);
  if (!rest_.has_credential()) throw Error(TH_ERR_NOT_READY, profile_.connector + " has no credential: orders cannot be signed");
  const std::string cid(to_sv(order.client_order_id));
  if (cid.empty()) throw Error(TH_ERR_INVALID_ARG, "the order has no client order id");
  if (const Order* known = find(cid); known && known->submit_timestamp_ms != 0)
    throw Error(TH_ERR_INVALID_ARG, "client order id " + cid + " was already submitted");
  OrderParams params;
  std::string why;
  if (!profile_.order_params(order.req, *e, cid, params, why)) throw Error(TH_ERR_REJECTED, why);
  params.response_type = "RESULT";  // spot and USD-M: the order's state in the answer
  Order& o = track(order);
  o.params = std::move(params);
  o.algo = !o.params.algo_type.empty();
  Call call;
  call.step = Step::Submit;
  call.client_order_id = cid;
  if (!send(call, why)) {
    orders_.erase(cid);
    throw Error(TH_ERR_IO, why);
  }
}

void TradingSession::cancel(const th_order& order) {
  require_instrument(order.req.instrument);
  Order& o = track(order);
  Call call;
  call.step = Step::Cancel;
  call.client_order_id = o.client_order_id;
  // A triggered algo order is no longer the algo service's to cancel ("Cancel an active algo
  // order"): what is left of it is the order it placed.
  if (o.algo) call.order_id = o.triggered_order_id;
  std::string why;
  if (!send(call, why)) throw Error(TH_ERR_IO, why);
}

void TradingSession::query(const th_order& order) {
  require_instrument(order.req.instrument);
  Order& o = track(order);
  o.lookup_reason = "a query by client order id";
  Call call;
  call.step = Step::QueryOrder;
  call.client_order_id = o.client_order_id;
  std::string why;
  if (!send(call, why)) throw Error(TH_ERR_IO, why);
}

void TradingSession::reconcile() {
  if (!rest_.has_credential()) {
    fail_reconcile("no credential: set the connector's `credential` key to an entry of the credential store");
    return;
  }
  reconcile_ = Reconcile::Running;
  // Server time first (signed requests need it), the account settings, then the user data
  // stream, and once it is open the open orders, balances and positions: an order event between
  // the snapshots and the stream opening cannot be missed, because the snapshots are taken after
  // it is open.
  dispatch_step(Step::ServerTime, true);
}

// ---- requests ------------------------------------------------------------------------------

bool TradingSession::build(const Call& call, RestCall& rc, std::string& why) const {
  const Order* o = nullptr;
  if (!call.client_order_id.empty()) {
    auto it = orders_.find(call.client_order_id);
    if (it == orders_.end()) {
      why = "order " + call.client_order_id + " is no longer tracked";
      return false;
    }
    o = &it->second;
  }
  const Endpoint* ep = nullptr;
  rc.security = Security::Signed;
  switch (call.step) {
    case Step::ServerTime:
      ep = &profile_.server_time;
      rc.security = Security::None;
      break;
    case Step::Setting: {
      const AccountSetting& setting = setting_of(call);
      ep = &setting.endpoint;
      rc.method = TH_HTTP_POST;
      rc.params.add("symbol", call.symbol).add(setting.param, setting.value);
      rc.flags = TH_HTTP_IDEMPOTENT;  // setting the same value twice changes nothing
      break;
    }
    case Step::ListenKey:
    case Step::KeepAlive:
      ep = &profile_.user_stream;
      rc.security = Security::ApiKey;
      if (call.step == Step::ListenKey) {
        rc.method = TH_HTTP_POST;
        rc.flags = TH_HTTP_IDEMPOTENT;  // a second POST returns the same listenKey
      } else {
        rc.method = TH_HTTP_PUT;
        if (profile_.keep_alive_names_key) rc.params.add("listenKey", listen_key_);
      }
      break;
    case Step::Submit:
      ep = o->algo ? &profile_.algo_order : &profile_.order;
      rc.method = TH_HTTP_POST;
      append_order_params(o->params, rc.params);
      rc.flags = TH_HTTP_NOT_IDEMPOTENT;
      break;
    case Step::Cancel:
    case Step::QueryOrder:
      rc.method = call.step == Step::Cancel ? TH_HTTP_DELETE : TH_HTTP_GET;
      if (call.order_id >= 0) {
        // The order an algo order placed: an ordinary order, known by its orderId only.
        ep = call.step == Step::Cancel ? &profile_.cancel : &profile_.query;
        rc.params.add("symbol", o->symbol).add("orderId", call.order_id);
      } else if (o->algo) {
        // "Cancel Algo Order" / "Query Algo Order": "Either algoId or clientAlgoId must be sent";
        // no symbol. (The Cancel page's table spells them "algoid" / "clientalgoid"; Query's
        // table, the WebSocket API pages and Binance's own connectors use the camel case.)
        ep = call.step == Step::Cancel ? &profile_.algo_cancel : &profile_.algo_query;
        rc.params.add("clientAlgoId", o->client_order_id);
      } else {
        ep = call.step == Step::Cancel ? &profile_.cancel : &profile_.query;
        rc.params.add("symbol", o->symbol).add("origClientOrderId", o->client_order_id);
      }
      break;
    case Step::OrderTrades:
      ep = &profile_.trades;
      rc.params.add("symbol", o->symbol).add("orderId", call.report.order_id).add("limit", int64_t{1000});
      break;
    case Step::OpenOrders:
      // Without `symbol`: one request for every symbol (weight 40) instead of one per instrument;
      // orders of symbols this connector did not define are dropped when parsed.
      ep = &profile_.open_orders;
      break;
    case Step::AlgoOpenOrders:
      // Without `symbol`, as open_orders: "orders for all symbols will be returned" (weight 40).
      ep = &profile_.algo_open_orders;
      break;
    case Step::Balances: ep = &profile_.balances; break;
    case Step::Positions: ep = &profile_.positions; break;
  }
  rc.path = ep->path;
  if (ep->weight > 0) rc.budgets = settings_.weight_budget + "=" + std::to_string(ep->weight);
  if (call.step == Step::Submit) {
    if (!rc.budgets.empty()) rc.budgets += ',';
    rc.budgets += settings_.orders_budget + "=1";
  }
  return true;
}

bool TradingSession::send(const Call& call, std::string& why) {
  RestCall rc;
  if (!build(call, rc, why)) return false;
  const uint64_t cookie = next_cookie_++;
  const RestSent sent = rest_.send(rc, cookie, why);
  if (sent.request_id == 0) return false;
  if (call.step == Step::Submit) find(call.client_order_id)->submit_timestamp_ms = sent.timestamp_ms;
  Call& stored = in_flight_[cookie] = call;
  stored.queued_at = sent.queued_at;
  return true;
}

void TradingSession::dispatch(Call call) {
  std::string why;
  if (send(call, why)) return;
  // Nothing went out.
  if (call.for_reconcile) return fail_reconcile(why);
  if (call.step == Step::Submit) {
    if (Order* o = find(call.client_order_id)) reject(*o, "not sent: " + why);
    return;
  }
  if (call.step == Step::ListenKey) renewing_key_ = false;
  ctx_.error(profile_.connector + " request not sent step=" + step_name(call.step) + " order=" +
             call.client_order_id + " reason=" + why);
}

void TradingSession::dispatch_step(Step step, bool for_reconcile) {
  Call call;
  call.step = step;
  call.for_reconcile = for_reconcile;
  dispatch(std::move(call));
}

void TradingSession::renew_listen_key() {
  if (renewing_key_) return;
  renewing_key_ = true;
  dispatch_step(Step::ListenKey, false);
}

std::string TradingSession::step_name(Step step) {
  switch (step) {
    case Step::ServerTime: return "server_time";
    case Step::Setting: return "account_setting";
    case Step::ListenKey: return "listen_key";
    case Step::KeepAlive: return "keep_alive";
    case Step::Submit: return "submit";
    case Step::Cancel: return "cancel";
    case Step::QueryOrder: return "query_order";
    case Step::OrderTrades: return "order_trades";
    case Step::OpenOrders: return "open_orders";
    case Step::AlgoOpenOrders: return "algo_open_orders";
    case Step::Balances: return "balances";
    case Step::Positions: return "positions";
  }
  return "?";
}

th_time_ns TradingSession::backoff(int attempt) const {
  const th_time_ns base = 500'000'000;
  return std::min<th_time_ns>(base << std::min(attempt, 6), 30'000'000'000);
}

void TradingSession::retry_later(Call call, th_time_ns delay) {
  const uint64_t cookie = next_cookie_++;
  if (ctx_.host()->timer_start(ctx_.self(), std::max<th_time_ns>(delay, 1'000'000), 0, cookie) == 0) {
    ctx_.error(profile_.connector + " cannot start a retry timer order=" + call.client_order_id);
    if (call.for_reconcile) fail_reconcile("cannot start a retry timer");
    return;
  }
  waiting_[cookie] = std::move(call);
}

void TradingSession::resync_then(Call call) {
  call.resynced = true;
  after_resync_.push_back(std::move(call));
  if (resyncing_) return;
  resyncing_ = true;
  dispatch_step(Step::ServerTime, false);
}

void TradingSession::on_timer(uint64_t cookie) {
  if (cookie == kKeepAliveCookie) {
    if (!listen_key_.empty()) dispatch_step(Step::KeepAlive, false);
    dispatch_step(Step::ServerTime, false);  // and measure the clock again, as it drifts
    return;
  }
  auto it = waiting_.find(cookie);
  if (it == waiting_.end()) return;
  Call call = std::move(it->second);
  waiting_.erase(it);
  dispatch(std::move(call));
}

// ---- answers -------------------------------------------------------------------------------

void TradingSession::on_http(uint64_t cookie, const th_http_response& r) {
  auto it = in_flight_.find(cookie);
  if (it == in_flight_.end()) return;
  Call call = std::move(it->second);
  in_flight_.erase(it);
  if (r.error != TH_OK) return on_failure(call, r, nullptr, std::string(to_sv(r.message)));
  const std::string body = body_of(r);
  if (r.status != 200) {
    ApiError err;
    parse_api_error(r.status, body, err);
    return on_failure(call, r, &err, describe(err));
  }
  switch (call.step) {
    case Step::ServerTime: return on_server_time(call, body);
    case Step::Setting: return next_setting(call.setting + 1);
    case Step::ListenKey: return on_listen_key(call, body);
    case Step::KeepAlive: return;
    case Step::Submit:
      if (Order* o = find(call.client_order_id)) on_submitted(*o, body);
      return;
    case Step::Cancel:
    case Step::QueryOrder: {
      const Order* o = find(call.client_order_id);
      if (o && o->algo && call.order_id < 0)
        return call.step == Step::Cancel ? on_algo_cancel(call, body) : on_algo_report(call, body);
      return on_order_report(call, body);
    }
    case Step::OrderTrades: return on_order_trades(call, body);
    case Step::OpenOrders: return on_open_orders(call, body);
    case Step::AlgoOpenOrders: return on_algo_open_orders(call, body);
    case Step::Balances: return on_balances(call, body);
    case Step::Positions: return on_positions(call, body);
  }
}

void TradingSession::on_failure(Call& call, const th_http_response& r, const ApiError* err,
                             const std::string& why) {
  // A transport failure is "unknown" when bytes went out, otherwise nothing reached the venue
  // and the request may be sent again like one the venue refused for its rate limit.
  const ErrorAction action = err ? classify(*err)
                                 : ((r.flags & TH_HTTP_MAYBE_SENT) ? ErrorAction::OutcomeUnknown
                                                                   : ErrorAction::RateLimited);
  const int64_t retry_after_ns = retry_after_seconds(to_sv(r.headers)) * 1'000'000'000;
  const th_time_ns wait = std::max<th_time_ns>(backoff(call.attempt), retry_after_ns);
  Order* o = call.client_order_id.empty() ? nullptr : find(call.client_order_id);
  const std::string id = call.client_order_id;
  ctx_.warn(profile_.connector + " request failed step=" + step_name(call.step) + " order=" + id +
            " action=" + std::string(to_string(action)) + " reason=" + why);
  if (action == ErrorAction::ResyncClock && !call.resynced && call.step != Step::ServerTime &&
      call.step != Step::ListenKey && call.step != Step::KeepAlive)
    return resync_then(std::move(call));
  ++call.attempt;

  switch (call.step) {
    case Step::Submit:
      if (o == nullptr) return;
      if (!err && !(r.flags & TH_HTTP_MAYBE_SENT)) return reject(*o, "not sent: " + why);
      if (action == ErrorAction::OutcomeUnknown)
        return look_up(*o, err ? "the venue answered " + why : "the order request broke after it was written (" + why + ")");
      if (action == ErrorAction::RateLimited && call.attempt <= kMaxOrderResends) return retry_later(std::move(call), wait);
      return reject(*o, err ? err->msg : why);
    case Step::Cancel:
      if (o == nullptr) return;
      // An algo order the venue does not know is -2013 rather than -2011 by analogy with Query
      // Algo Order; either way, what became of it is asked.
      if (err && (err->code == -2011 || (o->algo && err->code == -2013)))
        return look_up(*o, "a refused cancel (" + err->msg + ")");
      if (action == ErrorAction::Rejected) {
        ctx_.warn(profile_.connector + " cancel refused order=" + id + " reason=" + why);
        return;
      }
      if (call.attempt < kMaxCancelAttempts) return retry_later(std::move(call), wait);
      ctx_.error(profile_.connector + " cancel gave up order=" + id + " reason=" + why);
      return;
    case Step::QueryOrder:
      if (o == nullptr) return;
      if (err && err->code == -2013) {
        if (call.order_id >= 0) {
          // The order an algo order placed is gone from the venue's records ("Query Order": orders
          // CANCELED or EXPIRED without fills are dropped after 3 days): it ended unfilled.
          o->lookup_reason.clear();
          return set_state(*o, TH_ORDER_EXPIRED, o->filled_qty, o->avg_price, ctx_.now(),
                           "the order the algo order placed (" + std::to_string(call.order_id) +
                               ") is no longer at the venue");
        }
        if (call.for_unlinked) settle_unlinked(call.client_order_id);
        if (Order* still = find(call.client_order_id)) not_at_venue(*still);
        return;
      }
      // The outcome of an order must be learnt: keep asking, whatever the error.
      return retry_later(std::move(call), wait);
    case Step::OrderTrades:
      if (o == nullptr) return;
      if (action == ErrorAction::Rejected) {
        ctx_.error(profile_.connector + " trades refused order=" + id + " reason=" + why + "; its fills are not reported");
        return apply(*o, call.report);
      }
      return retry_later(std::move(call), wait);
    case Step::KeepAlive:
      if (err && err->code == -1125) return renew_listen_key();  // "This listenKey does not exist."
      if (action != ErrorAction::Rejected && call.attempt < kKeepAliveAttempts) return retry_later(std::move(call), wait);
      return;
    case Step::Setting: {
      const AccountSetting& setting = setting_of(call);
      if (err && std::find(setting.already_set.begin(), setting.already_set.end(), err->code) != setting.already_set.end())
        return next_setting(call.setting + 1);
      if (action == ErrorAction::Rejected || call.attempt >= kReconcileAttempts)
        return fail_reconcile(setting.param + " " + setting.value + " for " + call.symbol + " refused: " + why);
      return retry_later(std::move(call), wait);
    }
    case Step::ServerTime:
    case Step::ListenKey:
    case Step::OpenOrders:
    case Step::AlgoOpenOrders:
    case Step::Balances:
    case Step::Positions:
      if (call.for_reconcile) {
        if (action == ErrorAction::Rejected || call.attempt >= kReconcileAttempts)
          return fail_reconcile(why);
        return retry_later(std::move(call), wait);
      }
      if (action != ErrorAction::Rejected) return retry_later(std::move(call), wait);
      if (call.step == Step::ListenKey) renewing_key_ = false;
      ctx_.error(profile_.connector + " request refused step=" + step_name(call.step) + " reason=" + why);
      return;
  }
}

void TradingSession::on_server_time(const Call& call, std::string_view body) {
  int64_t server_ms = 0;
  std::string error;
  if (!parse_server_time(body, server_ms, error)) {
    ctx_.warn(profile_.connector + " server time: " + error);
    Call again = call;
    ++again.attempt;
    if (call.for_reconcile && again.attempt >= kReconcileAttempts) return fail_reconcile(error);
    return retry_later(std::move(again), backoff(again.attempt));
  }
  rest_.clock().on_server_time(call.queued_at, ctx_.now(), server_ms);
  resyncing_ = false;
  std::vector<Call> resend;
  resend.swap(after_resync_);
  for (Call& c : resend) dispatch(std::move(c));
  if (call.for_reconcile) {
    ctx_.info(profile_.connector + " server time offset_ms=" + std::to_string(rest_.clock().offset_ms()));
    next_setting(0);
  }
}

const AccountSetting& TradingSession::setting_of(const Call& call) const {
  return settings_.account_settings.at(call.setting % settings_.account_settings.size());
}

void TradingSession::next_setting(size_t index) {
  // Every setting for every traded instrument, in turn: index = instrument * settings + setting.
  const size_t per = settings_.account_settings.size();
  const std::vector<th_instrument_id> traded(traded_.begin(), traded_.end());
  if (index < per * traded.size()) {
    const SymbolTable::Entry* e = symbols_.find(traded[index / per]);
    Call call;
    call.step = Step::Setting;
    call.for_reconcile = true;
    call.setting = index;
    call.symbol = e ? e->symbol : std::string();
    return dispatch(std::move(call));
  }
  if (per > 0 && !traded.empty())
    ctx_.info(profile_.connector + " account settings applied instruments=" + std::to_string(traded.size()));
  dispatch_step(Step::ListenKey, true);
}

void TradingSession::on_listen_key(const Call& call, std::string_view body) {
  renewing_key_ = false;
  std::string key, error;
  if (!parse_listen_key(body, key, error)) {
    if (call.for_reconcile) return fail_reconcile(error);
    ctx_.error(profile_.connector + " " + error);
    return;
  }
  open_user_stream(key);
  if (user_ws_ == 0 && call.for_reconcile) fail_reconcile("cannot open the user data stream");
}

void TradingSession::on_submitted(Order& o, std::string_view body) {
  std::string error;
  if (o.algo) {
    AlgoOrderReport r;
    if (!parse_algo_order(body, symbols_.scales_lookup(), r, error))
      return look_up(o, "an unreadable algo order answer (" + error + ")");
    return apply_algo(o, r, true);
  }
  OrderReport r;
  if (!parse_order_report(body, symbols_.scales_lookup(), r, error))
    return look_up(o, "an unreadable order answer (" + error + ")");  // 200: placed, but as what?
  // Fills come from the user data stream (executionReport TRADE). Without it, ask for them: the
  // lookup reports the fills, then the state.
  if (r.executed_qty > 0 && !user_stream_up_) {
    o.venue_order_id = r.order_id;
    return look_up(o, "fills while the user data stream is down");
  }
  apply(o, r);
}

void TradingSession::on_order_report(Call& call, std::string_view body) {
  OrderReport r;
  std::string error;
  if (!parse_order_report(body, symbols_.scales_lookup(), r, error)) {
    ctx_.error(profile_.connector + " order answer order=" + call.client_order_id + " error=" + error);
    ++call.attempt;
    if (call.step == Step::QueryOrder) retry_later(call, backoff(call.attempt));
    return;
  }
  Order* o = find(call.client_order_id);
  if (o == nullptr) return;
  if (call.step == Step::QueryOrder && r.executed_qty > 0) {
    Call trades;
    trades.step = Step::OrderTrades;
    trades.client_order_id = call.client_order_id;
    trades.report = std::move(r);
    return dispatch(std::move(trades));
  }
  apply(*o, r);
}

void TradingSession::on_order_trades(const Call& call, std::string_view body) {
  Order* o = find(call.client_order_id);
  if (o == nullptr) return;
  const SymbolTable::Entry* e = symbols_.find(o->symbol);
  std::vector<AccountTrade> trades;
  std::string error;
  if (e == nullptr || !parse_account_trades(body, e->scales, trades, error)) {
    ctx_.error(profile_.connector + " trades order=" + o->client_order_id + " error=" + error);
    return apply(*o, call.report);
  }
  if (!o->algo) o->venue_order_id = call.report.order_id;
  for (const AccountTrade& t : trades)
    if (t.order_id == call.report.order_id)
      emit_fill(*o, std::to_string(t.id), t.is_buyer ? TH_SIDE_BUY : TH_SIDE_SELL, t.is_maker ? TH_LIQ_MAKER : TH_LIQ_TAKER,
                t.price, t.qty, t.commission, t.commission_asset, ms_to_ns(t.time_ms));
  apply(*o, call.report);
}

void TradingSession::on_open_orders(const Call& call, std::string_view body) {
  std::vector<OrderReport> reports;
  size_t skipped = 0;
  std::string error;
  if (!parse_open_orders(body, symbols_.scales_lookup(), reports, skipped, error)) {
    if (call.for_reconcile) return fail_reconcile(error);
    ctx_.error(profile_.connector + " " + error);
    return;
  }
  for (const OrderReport& r : reports) {
    // An order an algo order of ours placed is that algo order's (its own client id is not ours).
    if (auto t = triggered_.find(r.order_id); t != triggered_.end())
      if (Order* algo = find(t->second)) {
        apply(*algo, r);
        continue;
      }
    Order& o = track(r.client_order_id, r.symbol, r.side, r.type, r.orig_qty, r.price);
    apply(o, r);
  }
  ctx_.info(profile_.connector + " open orders count=" + std::to_string(reports.size()) + " other_symbols=" +
            std::to_string(skipped));
  if (call.for_reconcile) dispatch_step(Step::Balances, true);
}

void TradingSession::on_algo_open_orders(const Call& call, std::string_view body) {
  std::vector<AlgoOrderReport> reports;
  size_t skipped = 0;
  std::string error;
  if (!parse_algo_open_orders(body, symbols_.scales_lookup(), reports, skipped, error)) {
    if (call.for_reconcile) return fail_reconcile(error);
    ctx_.error(profile_.connector + " " + error);
    return;
  }
  for (const AlgoOrderReport& r : reports) {
    Order& o = track(r.client_algo_id, r.symbol, r.side, r.order_type, r.qty, r.price);
    apply_algo(o, r, true);
  }
  ctx_.info(profile_.connector + " open algo orders count=" + std::to_string(reports.size()) + " other_symbols=" +
            std::to_string(skipped));
  // Then the ordinary ones, among which the orders these placed are now known as theirs.
  if (call.for_reconcile) dispatch_step(Step::OpenOrders, true);
}

void TradingSession::on_algo_report(const Call& call, std::string_view body) {
  AlgoOrderReport r;
  std::string error;
  if (!parse_algo_order(body, symbols_.scales_lookup(), r, error)) {
    ctx_.error(profile_.connector + " algo order answer order=" + call.client_order_id + " error=" + error);
    Call again = call;
    ++again.attempt;
    return retry_later(std::move(again), backoff(again.attempt));
  }
  if (Order* o = find(call.client_order_id)) apply_algo(*o, r, true);
  if (call.for_unlinked) settle_unlinked(call.client_order_id);
}

void TradingSession::on_algo_cancel(const Call& call, std::string_view body) {
  Order* o = find(call.client_order_id);
  if (o == nullptr) return;
  AlgoCancelAnswer a;
  std::string error;
  if (!parse_algo_cancel(body, a, error))
    return look_up(*o, "an unreadable algo cancel answer (" + error + ")");
  if (!a.success()) {
    ctx_.warn(profile_.connector + " cancel refused order=" + o->client_order_id + " reason=" + a.code + " " + a.msg);
    return;
  }
  set_state(*o, TH_ORDER_CANCELED, o->filled_qty, o->avg_price, ctx_.now());
}

void TradingSession::on_balances(const Call& call, std::string_view body) {
  std::vector<Balance> balances;
  std::string error;
  if (!profile_.parse_balances(body, balances, error)) {
    if (call.for_reconcile) return fail_reconcile(error);
    ctx_.error(profile_.connector + " " + error);
    return;
  }
  // Only assets the account holds: Binance lists every asset it has, most of them at zero.
  const th_time_ns now = ctx_.now();
  held_assets_ = 0;
  for (const Balance& b : balances)
    if (b.free != 0 || b.locked != 0) {
      emit_balance(b, now);
      ++held_assets_;
    }
  if (!call.for_reconcile) return;
  if (!profile_.positions.path.empty()) return dispatch_step(Step::Positions, true);
  reconciled();
}

void TradingSession::on_positions(const Call& call, std::string_view body) {
  std::vector<FuturesPosition> positions;
  size_t skipped = 0;
  std::string error;
  if (!parse_position_risk(body, symbols_.scales_lookup(), positions, skipped, error)) {
    if (call.for_reconcile) return fail_reconcile(error);
    ctx_.error(profile_.connector + " " + error);
    return;
  }
  emit_positions(positions, ctx_.now(), true);
  if (call.for_reconcile) reconciled();
}

void TradingSession::reconciled() {
  if (reconcile_ != Reconcile::Running) return;
  reconcile_ = Reconcile::Done;
  size_t open = 0;
  for (const auto& [cid, o] : orders_) open += o.open();
  emit_status(ctx_, TH_STATUS_RECONCILED,
              std::to_string(open) + " open orders, " + std::to_string(held_assets_) + " assets held");
}

// ---- orders --------------------------------------------------------------------------------

TradingSession::Order* TradingSession::find(std::string_view client_order_id) {
  auto it = orders_.find(client_order_id);
  return it == orders_.end() ? nullptr : &it->second;
}

TradingSession::Order& TradingSession::track(const th_order& order) {
  const std::string cid(to_sv(order.client_order_id));
  auto [it, added] = orders_.try_emplace(cid);
  Order& o = it->second;
  if (o.order_id == 0) o.order_id = order.order_id;
  if (added) {
    const SymbolTable::Entry* e = symbols_.find(order.req.instrument);
    o.client_order_id = cid;
    o.instrument = order.req.instrument;
    o.symbol = e ? e->symbol : std::string();
    o.side = order.req.side;
    o.type = order.req.type;
    o.qty = order.req.qty;
    o.price = order.req.price;
    o.algo = profile_.has_algo_orders() && usdm_algo_type(order.req.type);
  }
  return o;
}

TradingSession::Order& TradingSession::track(std::string_view client_order_id, std::string_view symbol,
                                       std::string_view side, std::string_view type, th_fixed qty, th_fixed price) {
  auto [it, added] = orders_.try_emplace(std::string(client_order_id));
  Order& o = it->second;
  if (added) {
    const SymbolTable::Entry* e = symbols_.find(symbol);
    o.client_order_id.assign(client_order_id);
    o.instrument = e ? e->id : 0;
    o.symbol.assign(symbol);
    o.side = th_side(side);
    o.type = th_order_type(type, profile_.venue);
    o.qty = qty;
    o.price = price;
  }
  return o;
}

void TradingSession::look_up(Order& o, std::string reason) {
  ctx_.warn(profile_.connector + " order outcome unknown order=" + o.client_order_id + " reason=" + reason +
            "; asking the venue by client order id");
  o.lookup_reason = std::move(reason);
  Call call;
  call.step = Step::QueryOrder;
  call.client_order_id = o.client_order_id;
  // At once: usually the order is there. An early "does not exist" is not believed (not_at_venue).
  dispatch(std::move(call));
}

void TradingSession::not_at_venue(Order& o) {
  // "Does not exist" is believed only once no request that could still create the order can be
  // accepted: Binance refuses a request whose timestamp is more than recvWindow old (rest-api.md,
  // "Timing security"). For an order this session sent, that is its POST's timestamp plus
  // recvWindow. For one it took over from a host that died (a journaled PENDING_NEW order of an
  // earlier run), any POST of that host was timestamped before this session began, which bounds it
  // (with this config's recvWindow: changing recv_window across a crash weakens the bound).
  const int64_t sent_ms =
      o.submit_timestamp_ms != 0 ? o.submit_timestamp_ms : rest_.clock().server_ms(session_started_ns_);
  {
    const int64_t settle_ms = sent_ms + rest_.recv_window_ms() + kSettleMs;
    const th_time_ns now = ctx_.now();
    if (rest_.clock().server_ms(now) < settle_ms) {
      Call call;
      call.step = Step::QueryOrder;
      call.client_order_id = o.client_order_id;
      return retry_later(std::move(call), rest_.clock().host_time(settle_ms) - now);
    }
  }
  const std::string after = o.lookup_reason.empty() ? "a query by client order id" : o.lookup_reason;
  o.lookup_reason.clear();
  reject(o, "not at the venue after " + after);
}

void TradingSession::apply(Order& o, const OrderReport& r) {
  // An algo order's ordinary report is one of the order it placed.
  if (o.algo)
    link_triggered(o, r.order_id);
  else
    o.venue_order_id = r.order_id;
  o.lookup_reason.clear();
  const th_time_ns ts = r.time_ms > 0 ? ms_to_ns(r.time_ms) : ctx_.now();
  if (!r.has_state) return set_state(o, TH_ORDER_NEW, o.filled_qty, o.avg_price, ts);  // ACK
  // A FULL answer lists the executions on arrival: the order was the taker in each.
  const int32_t side = th_side(r.side);
  for (const OrderFill& f : r.fills)
    emit_fill(o, std::to_string(f.trade_id), side, TH_LIQ_TAKER, f.price, f.qty, f.commission, f.commission_asset, ts);
  const SymbolTable::Entry* e = symbols_.find(o.symbol);
  const th_fixed avg = e ? average_price(r.cumulative_quote_qty, r.executed_qty, e->scales) : 0;
  set_state(o, th_order_state(r.status), r.executed_qty, avg, ts);
}

void TradingSession::set_state(Order& o, int32_t state, th_fixed filled, th_fixed avg, th_time_ns ts,
                            std::string_view reason) {
  // Events arrive from the stream and from REST answers in any order: keep the furthest state,
  // and skip what says nothing new (the host would ignore it anyway).
  const int before = rank(o.state), after = rank(state);
  if (after < before || (before == 3 && after == 3)) return;
  if (state == o.state && filled <= o.filled_qty) return;
  if (state != TH_ORDER_NEW && state != TH_ORDER_REJECTED) acknowledge(o, ts);
  o.state = state;
  o.filled_qty = std::max(o.filled_qty, filled);
  if (avg > 0) o.avg_price = avg;
  emit_order(o, ts, reason);
  if (after == 3) forget_if_final(o);
}

void TradingSession::acknowledge(Order& o, th_time_ns ts) {
  // PENDING_NEW -> NEW is the only way on from PENDING_NEW but REJECTED (plugin.h, order
  // states), and an order fills only once acknowledged.
  if (o.state != TH_ORDER_PENDING_NEW) return;
  o.state = TH_ORDER_NEW;
  emit_order(o, ts, {});
}

void TradingSession::reject(Order& o, std::string_view reason) {
  ctx_.warn(profile_.connector + " order rejected order=" + o.client_order_id + " reason=" + std::string(reason));
  set_state(o, TH_ORDER_REJECTED, o.filled_qty, o.avg_price, ctx_.now(), reason);
}

void TradingSession::forget_if_final(Order& o) {
  finished_.push_back(o.client_order_id);
  while (finished_.size() > kMaxFinished) {
    auto it = orders_.find(finished_.front());
    if (it != orders_.end() && !it->second.open()) {
      triggered_.erase(it->second.triggered_order_id);
      orders_.erase(it);
    }
    finished_.pop_front();
  }
}

void TradingSession::refresh_open_orders() {
  for (auto& [cid, o] : orders_) {
    // Orders being looked up, or whose POST is unanswered, are followed already.
    if (!o.open() || o.state == TH_ORDER_PENDING_NEW || !o.lookup_reason.empty()) continue;
    o.lookup_reason = "the user data stream reconnected";
    Call call;
    call.step = Step::QueryOrder;
    call.client_order_id = cid;
    dispatch(std::move(call));
  }
}

// ---- the user data stream ------------------------------------------------------------------

void TradingSession::open_user_stream(const std::string& listen_key) {
  if (listen_key == listen_key_ && user_ws_ != 0) return;
  if (user_ws_ != 0) ctx_.host()->ws_close(ctx_.self(), user_ws_);
  user_stream_up_ = false;
  listen_key_ = listen_key;
  // user-data-stream.md: "User Data Streams are accessed at /ws/<listenKey>".
  const std::string url = settings_.ws_url + "/ws/" + listen_key_;
  user_ws_ = ctx_.host()->ws_open(ctx_.self(), to_th(url), kUserStreamCookie);
  if (user_ws_ == 0) ctx_.error(profile_.connector + " cannot open the user data stream");
  if (keep_alive_timer_ == 0)
    keep_alive_timer_ = ctx_.host()->timer_start(ctx_.self(), kKeepAlivePeriod, 1, kKeepAliveCookie);
}

void TradingSession::on_ws(uint64_t conn, int32_t what, std::string_view data) {
  if (conn != user_ws_) return;  // a stream closed for a newer listenKey
  if (what == TH_WS_OPENED) {
    user_stream_up_ = true;
    if (reconcile_ == Reconcile::Running)
      return dispatch_step(profile_.has_algo_orders() ? Step::AlgoOpenOrders : Step::OpenOrders, true);
    // Back after a drop: whatever happened meanwhile is only known by asking.
    refresh_open_orders();
    dispatch_step(Step::Balances, false);
    if (!profile_.positions.path.empty()) dispatch_step(Step::Positions, false);
    emit_status(ctx_, TH_STATUS_READY, "user data stream open again");
    return;
  }
  if (what == TH_WS_CLOSED) {
    if (user_stream_up_) {
      user_stream_up_ = false;
      emit_status(ctx_, TH_STATUS_DISCONNECTED, "user data stream closed: " + std::string(data));
    }
    // The host reconnects to the same URL; after a long drop the listenKey may have expired, and
    // POST returns the live key (the same one while it is valid).
    if (!listen_key_.empty()) renew_listen_key();
    return;
  }
  if (what == TH_WS_MESSAGE) on_user_event(data);
}

void TradingSession::on_user_event(std::string_view frame) {
  bool other_symbol = false;
  const ScalesLookup lookup = [&](std::string_view symbol) -> const Scales* {
    const SymbolTable::Entry* e = symbols_.find(symbol);
    other_symbol = e == nullptr;
    return e ? &e->scales : nullptr;
  };
  UserEvent ev;
  std::string error;
  if (!parse_user_event(frame, lookup, ev, error)) {
    if (!other_symbol) ctx_.warn(profile_.connector + " user stream: " + error);
    return;
  }
  switch (ev.kind) {
    case UserEventKind::ExecutionReport: return on_execution(ev.execution);
    case UserEventKind::AccountPosition:
      for (const Balance& b : ev.account.balances) emit_balance(b, ms_to_ns(ev.account.event_time_ms));
      return;
    case UserEventKind::AccountUpdate: {
      const th_time_ns ts = ms_to_ns(ev.account_update.event_time_ms);
      for (const Balance& b : ev.account_update.balances) emit_balance(b, ts);
      return emit_positions(ev.account_update.positions, ts, false);
    }
    case UserEventKind::AlgoUpdate: {
      const AlgoOrderReport& r = ev.algo;
      Order* o = find(r.client_algo_id);
      if (o == nullptr) o = &track(r.client_algo_id, r.symbol, r.side, r.order_type, r.qty, r.price);
      return apply_algo(*o, r, false);
    }
    case UserEventKind::Other:
      if (ev.event_type == "listenKeyExpired") renew_listen_key();
      return;
  }
}

void TradingSession::on_execution(const ExecutionReport& e) {
  if (auto t = triggered_.find(e.order_id); t != triggered_.end())
    if (Order* o = find(t->second)) return apply_execution(*o, e, true);
  const std::string& cid = e.placed_client_order_id();
  if (Order* o = find(cid)) {
    // An algo order trades only through the order it places: an ORDER_TRADE_UPDATE under its
    // client id is that order's (should the venue give it the clientAlgoId).
    if (o->algo) link_triggered(*o, e.order_id);
    return apply_execution(*o, e, o->algo);
  }
  if (hold_unlinked(e)) return;
  apply_execution(track(cid, e.symbol, e.side, e.order_type, e.qty, e.price), e, false);
}

void TradingSession::apply_execution(Order& o, const ExecutionReport& e, bool placed_by_algo) {
  if (!placed_by_algo) o.venue_order_id = e.order_id;
  const th_time_ns ts = ms_to_ns(e.transaction_time_ms);
  if (e.execution_type == "TRADE")
    emit_fill(o, std::to_string(e.trade_id), th_side(e.side), e.maker ? TH_LIQ_MAKER : TH_LIQ_TAKER,
              e.last_price, e.last_qty, e.commission, e.commission_asset, ts);
  const bool no_reason = e.reject_reason.empty() || e.reject_reason == "NONE";
  set_state(o, th_order_state(e.status), e.cumulative_qty, e.avg_price, ts,
            no_reason ? std::string_view() : std::string_view(e.reject_reason));
}

// ---- algo orders ---------------------------------------------------------------------------

void TradingSession::apply_algo(Order& o, const AlgoOrderReport& r, bool from_rest) {
  o.algo = true;
  o.venue_order_id = r.algo_id;
  if (from_rest) o.lookup_reason.clear();
  const th_time_ns ts = r.time_ms > 0 ? ms_to_ns(r.time_ms) : ctx_.now();
  if (r.actual_order_id >= 0) link_triggered(o, r.actual_order_id);
  switch (r.status) {
    case AlgoStatus::New:
    case AlgoStatus::Triggering:
      return set_state(o, TH_ORDER_NEW, o.filled_qty, o.avg_price, ts);
    case AlgoStatus::Triggered:
    case AlgoStatus::Finished:
      // The host's order lives on as the order it placed: fills and state are that order's, from
      // its ORDER_TRADE_UPDATEs. A request's answer (a lookup, a restart) or the end of the algo
      // order with the host's order still open asks the venue for them instead.
      acknowledge(o, ts);
      if (!o.open() || (!from_rest && r.status != AlgoStatus::Finished)) return;
      if (o.triggered_order_id < 0) {
        ctx_.warn(profile_.connector + " algo order " + std::string(to_string(r.status)) + " without the order it placed order=" +
                  o.client_order_id);
        return;
      }
      if (from_rest || o.lookup_reason.empty())
        query_triggered(o, "algo order " + std::string(to_string(r.status)));
      return;
    case AlgoStatus::Canceled:
      return set_state(o, TH_ORDER_CANCELED, o.filled_qty, o.avg_price, ts, r.reason);
    case AlgoStatus::Expired:
      return set_state(o, TH_ORDER_EXPIRED, o.filled_qty, o.avg_price, ts, r.reason);
    case AlgoStatus::Rejected: {
      const std::string why = r.reason.empty() ? std::string("rejected by the matching engine") : r.reason;
      if (o.state == TH_ORDER_PENDING_NEW) return reject(o, why);
      // Acknowledged orders cannot become REJECTED (plugin.h, order states): the venue dropped it.
      ctx_.warn(profile_.connector + " algo order rejected when it triggered order=" + o.client_order_id + " reason=" + why);
      return set_state(o, TH_ORDER_EXPIRED, o.filled_qty, o.avg_price, ts, "algo order rejected when it triggered: " + why);
    }
  }
}

void TradingSession::link_triggered(Order& o, int64_t triggered_order_id) {
  if (triggered_order_id < 0 || o.triggered_order_id == triggered_order_id) return;
  if (o.triggered_order_id >= 0) triggered_.erase(o.triggered_order_id);
  o.triggered_order_id = triggered_order_id;
  triggered_[triggered_order_id] = o.client_order_id;
  ctx_.info(profile_.connector + " algo order triggered order=" + o.client_order_id + " algo_id=" +
            std::to_string(o.venue_order_id) + " placed_order_id=" + std::to_string(triggered_order_id));
  auto held = unlinked_.find(triggered_order_id);
  if (held == unlinked_.end()) return;
  const std::vector<ExecutionReport> executions = std::move(held->second.executions);
  unlinked_.erase(held);
  for (const ExecutionReport& e : executions) apply_execution(o, e, true);
}

void TradingSession::query_triggered(Order& o, std::string reason) {
  o.lookup_reason = std::move(reason);
  Call call;
  call.step = Step::QueryOrder;
  call.client_order_id = o.client_order_id;
  call.order_id = o.triggered_order_id;
  dispatch(std::move(call));
}

bool TradingSession::hold_unlinked(const ExecutionReport& e) {
  if (!profile_.has_algo_orders()) return false;
  std::set<std::string> candidates;
  for (const auto& [cid, o] : orders_)
    if (o.algo && o.open() && o.triggered_order_id < 0 && o.symbol == e.symbol) candidates.insert(cid);
  if (candidates.empty()) return false;
  auto [held, added] = unlinked_.try_emplace(e.order_id);
  held->second.executions.push_back(e);
  if (!added) return true;  // its algo orders are being asked already
  held->second.candidates = candidates;
  ctx_.info(profile_.connector + " holding order_id=" + std::to_string(e.order_id) + " client_order_id=" +
            e.client_order_id + ": placed by an algo order of ours? asking algo_orders=" + std::to_string(candidates.size()));
  for (const std::string& cid : candidates) {
    Order& o = orders_.at(cid);
    if (o.lookup_reason.empty()) o.lookup_reason = "an order it may have placed";
    Call call;
    call.step = Step::QueryOrder;
    call.client_order_id = cid;
    call.for_unlinked = true;
    dispatch(std::move(call));
  }
  return true;
}

void TradingSession::settle_unlinked(const std::string& client_order_id) {
  for (auto it = unlinked_.begin(); it != unlinked_.end();) {
    it->second.candidates.erase(client_order_id);
    if (!it->second.candidates.empty()) {
      ++it;
      continue;
    }
    const std::vector<ExecutionReport> executions = std::move(it->second.executions);
    it = unlinked_.erase(it);
    for (const ExecutionReport& e : executions)
      apply_execution(track(e.placed_client_order_id(), e.symbol, e.side, e.order_type, e.qty, e.price), e, false);
  }
}

// ---- events --------------------------------------------------------------------------------

void TradingSession::emit_order(const Order& o, th_time_ns ts, std::string_view reason) {
  const std::string venue_id = o.venue_order_id >= 0 ? std::to_string(o.venue_order_id) : std::string();
  auto ev = make_event<th_ev_order>(TH_EV_ORDER, o.instrument, ts, ctx_.now());
  ev.order_id = o.order_id;
  ev.client_order_id = to_th(o.client_order_id);
  ev.venue_order_id = to_th(venue_id);
  ev.state = o.state;
  ev.side = o.side;
  ev.order_type = o.type;
  ev.qty = o.qty;
  ev.price = o.price;
  ev.filled_qty = o.filled_qty;
  ev.avg_fill_price = o.avg_price;
  ev.reason = to_th(reason);
  ctx_.host()->emit(ctx_.self(), &ev.h);
}

void TradingSession::emit_fill(Order& o, std::string_view trade_id, int32_t side, int32_t liquidity, th_fixed price,
                            th_fixed qty, th_fixed fee, std::string_view fee_asset, th_time_ns ts) {
  acknowledge(o, ts);
  auto ev = make_event<th_ev_fill>(TH_EV_FILL, o.instrument, ts, ctx_.now());
  ev.order_id = o.order_id;
  ev.client_order_id = to_th(o.client_order_id);
  ev.trade_id = to_th(trade_id);
  ev.side = side;
  ev.liquidity = liquidity;
  ev.price = price;
  ev.qty = qty;
  ev.fee = fee;
  ev.fee_asset = to_th(fee_asset);
  ctx_.host()->emit(ctx_.self(), &ev.h);
}

void TradingSession::emit_balance(const Balance& b, th_time_ns ts) {
  auto ev = make_event<th_ev_balance>(TH_EV_BALANCE, 0, ts, ctx_.now());
  ev.asset = to_th(b.asset);
  ev.free = b.free;
  ev.locked = b.locked;
  ctx_.host()->emit(ctx_.self(), &ev.h);
}

void TradingSession::emit_positions(const std::vector<FuturesPosition>& positions, th_time_ns ts, bool all_traded) {
  // One-way mode only: the connector sends no positionSide, so its orders trade the BOTH
  // position. LONG / SHORT entries belong to a hedge-mode account, whose orders Binance refuses
  // without positionSide (-4061); they are logged, not reported as this instrument's position.
  // From positionRisk (`all_traded`), which lists every symbol, a flat position is reported for
  // traded instruments only; ACCOUNT_UPDATE pushes only changed positions, so a flat one there is
  // a position just closed and is always reported.
  for (const FuturesPosition& p : positions) {
    const SymbolTable::Entry* e = symbols_.find(p.symbol);
    if (e == nullptr) continue;
    if (p.position_side != "BOTH") {
      if (p.amount != 0)
        ctx_.warn(profile_.connector + " hedge-mode position ignored symbol=" + p.symbol + " side=" + p.position_side +
                  " (this connector trades one-way mode)");
      continue;
    }
    if (all_traded && p.amount == 0 && traded_.count(e->id) == 0) continue;
    auto ev = make_event<th_ev_position>(TH_EV_POSITION, e->id, ts, ctx_.now());
    ev.qty = p.amount;
    ev.avg_entry_price = p.amount == 0 ? 0 : p.entry_price;
    ev.unrealized_pnl = p.unrealized_pnl;
    ctx_.host()->emit(ctx_.self(), &ev.h);
  }
}

void TradingSession::fail_reconcile(const std::string& why) {
  if (reconcile_ == Reconcile::Failed || reconcile_ == Reconcile::Done) return;
  reconcile_ = Reconcile::Failed;
  emit_status(ctx_, TH_STATUS_ERROR, "reconcile failed: " + why);
}

}  // namespace tradehost::binance
