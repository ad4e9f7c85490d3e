#include "spot_trading.hpp"

#include <algorithm>
#include <utility>

namespace tradehost::binance_spot {

namespace binance = tradehost::binance;
using binance::ErrorAction;

namespace {

// Request weights, rest-api.md (2023-06-07): "Check server time" 1, "New order" 1, "Cancel order"
// 1, "Query order" 2, "Current open orders" 40 without a symbol, "Account information" 10,
// "Account trade list" 10, the user data stream endpoints 1.
constexpr int kWeightTime = 1, kWeightNewOrder = 1, kWeightCancel = 1, kWeightQueryOrder = 2,
              kWeightOpenOrdersAll = 40, kWeightAccount = 10, kWeightMyTrades = 10, kWeightUserStream = 1;

// Margin past timestamp + recvWindow before "Order does not exist." is believed (see the header).
constexpr int64_t kSettleMs = 2000;
// "It's recommended to send a ping about every 30 minutes" (Keepalive user data stream).
constexpr th_time_ns kKeepAlivePeriod = 30LL * 60 * 1'000'000'000;
// Resends of an order the venue refused before execution (rate limit); then it is REJECTED.
constexpr int kMaxOrderResends = 5;
constexpr int kMaxCancelAttempts = 8;
constexpr int kReconcileAttempts = 3;  // per reconcile step, then TH_STATUS_ERROR
constexpr int kKeepAliveAttempts = 3;
// Final orders kept so that late answers and stream events still find them.
constexpr size_t kMaxFinished = 1000;
constexpr uint64_t kKeepAliveCookie = SpotTrading::kCookieBase;

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

bool SpotTrading::Order::open() const {
  return state == TH_ORDER_PENDING_NEW || state == TH_ORDER_NEW || state == TH_ORDER_PARTIALLY_FILLED;
}

SpotTrading::SpotTrading(Context ctx, const binance::SymbolTable& symbols, TradingSettings settings)
    : ctx_(ctx),
      symbols_(symbols),
      settings_(std::move(settings)),
      rest_(ctx.self(), ctx.host(), settings_.rest_url, settings_.venue, settings_.recv_window_ms) {
  rest_.set_timeout_ms(static_cast<uint32_t>(settings_.request_timeout_ms));
  next_cookie_ = kKeepAliveCookie + 1;
}

void SpotTrading::declare_budgets() {
  // rest-api.md "Order Rate Limits": counted per account, reported in X-MBX-ORDER-COUNT-10S.
  if (ctx_.host()->rate_budget(ctx_.self(), to_th(settings_.orders_budget), to_th(settings_.venue),
                               settings_.orders_per_10s, 10'000'000'000, to_th("X-MBX-ORDER-COUNT-10S")) != TH_OK)
    throw Error(TH_ERR_INVALID_ARG, "cannot declare the orders budget " + settings_.orders_budget);
}

// ---- the host's calls ----------------------------------------------------------------------

void SpotTrading::submit(const th_order& order) {
  const binance::SymbolTable::Entry* e = symbols_.find(order.req.instrument);
  if (e == nullptr) throw Error(TH_ERR_NOT_FOUND, "binance_spot has no instrument " + std::to_string(order.req.instrument));
  if (!rest_.has_credential()) throw Error(TH_ERR_NOT_READY, "binance_spot has no credential: orders cannot be signed");
  const std::string cid(to_sv(order.client_order_id));
  if (cid.empty()) throw Error(TH_ERR_INVALID_ARG, "the order has no client order id");
  if (const Order* known = find(cid); known && known->submit_timestamp_ms != 0)
    throw Error(TH_ERR_INVALID_ARG, "client order id " + cid + " was already submitted");
  binance::OrderParams params;
  std::string why;
  if (!binance::spot_order_params(order.req, e->symbol, e->scales, cid, params, why)) throw Error(TH_ERR_REJECTED, why);
  params.response_type = "RESULT";
  Order& o = track(order);
  o.params = std::move(params);
  Call call;
  call.step = Step::Submit;
  call.client_order_id = cid;
  if (!send(call, why)) {
    orders_.erase(cid);
    throw Error(TH_ERR_IO, why);
  }
}

void SpotTrading::cancel(const th_order& order) {
  if (symbols_.find(order.req.instrument) == nullptr)
    throw Error(TH_ERR_NOT_FOUND, "binance_spot has no instrument " + std::to_string(order.req.instrument));
  Order& o = track(order);
  Call call;
  call.step = Step::Cancel;
  call.client_order_id = o.client_order_id;
  std::string why;
  if (!send(call, why)) throw Error(TH_ERR_IO, why);
}

void SpotTrading::query(const th_order& order) {
  if (symbols_.find(order.req.instrument) == nullptr)
    throw Error(TH_ERR_NOT_FOUND, "binance_spot has no instrument " + std::to_string(order.req.instrument));
  Order& o = track(order);
  o.lookup_reason = "a query by client order id";
  Call call;
  call.step = Step::QueryOrder;
  call.client_order_id = o.client_order_id;
  std::string why;
  if (!send(call, why)) throw Error(TH_ERR_IO, why);
}

void SpotTrading::reconcile() {
  if (!rest_.has_credential()) {
    fail_reconcile("no credential: set the connector's `credential` key to an entry of the credential store");
    return;
  }
  reconcile_ = Reconcile::Running;
  // Server time first (signed requests need it), then the user data stream, and once it is open
  // the open orders and balances: an order event between the two snapshots and the stream
  // opening cannot be missed, because the snapshots are taken after it is open.
  Call call;
  call.step = Step::ServerTime;
  call.for_reconcile = true;
  dispatch(std::move(call));
}

// ---- requests ------------------------------------------------------------------------------

bool SpotTrading::build(const Call& call, binance::RestCall& rc, std::string& why) const {
  const std::string weight = settings_.weight_budget + "=";
  const Order* o = nullptr;
  if (!call.client_order_id.empty()) {
    auto it = orders_.find(call.client_order_id);
    if (it == orders_.end()) {
      why = "order " + call.client_order_id + " is no longer tracked";
      return false;
    }
    o = &it->second;
  }
  switch (call.step) {
    case Step::ServerTime:
      rc.path = "/api/v3/time";
      rc.budgets = weight + std::to_string(kWeightTime);
      break;
    case Step::ListenKey:
    case Step::KeepAlive:
      rc.path = "/api/v3/userDataStream";
      rc.security = binance::Security::ApiKey;
      rc.budgets = weight + std::to_string(kWeightUserStream);
      if (call.step == Step::ListenKey) {
        rc.method = TH_HTTP_POST;
        rc.flags = TH_HTTP_IDEMPOTENT;  // a second POST returns the same listenKey
      } else {
        rc.method = TH_HTTP_PUT;
        rc.params.add("listenKey", listen_key_);
      }
      break;
    case Step::Submit:
      rc.method = TH_HTTP_POST;
      rc.path = "/api/v3/order";
      rc.security = binance::Security::Signed;
      binance::append_order_params(o->params, rc.params);
      rc.budgets = weight + std::to_string(kWeightNewOrder) + "," + settings_.orders_budget + "=1";
      rc.flags = TH_HTTP_NOT_IDEMPOTENT;
      break;
    case Step::Cancel:
    case Step::QueryOrder:
      rc.method = call.step == Step::Cancel ? TH_HTTP_DELETE : TH_HTTP_GET;
      rc.path = "/api/v3/order";
      rc.security = binance::Security::Signed;
      rc.params.add("symbol", o->symbol).add("origClientOrderId", o->client_order_id);
      rc.budgets = weight + std::to_string(call.step == Step::Cancel ? kWeightCancel : kWeightQueryOrder);
      break;
    case Step::OrderTrades:
      rc.path = "/api/v3/myTrades";
      rc.security = binance::Security::Signed;
      rc.params.add("symbol", o->symbol).add("orderId", call.report.order_id).add("limit", int64_t{1000});
      rc.budgets = weight + std::to_string(kWeightMyTrades);
      break;
    case Step::OpenOrders:
      // Without `symbol`: one request for every symbol (weight 40) instead of one per instrument
      // (3 each); orders of symbols this connector did not define are dropped when parsed.
      rc.path = "/api/v3/openOrders";
      rc.security = binance::Security::Signed;
      rc.budgets = weight + std::to_string(kWeightOpenOrdersAll);
      break;
    case Step::Account:
      rc.path = "/api/v3/account";
      rc.security = binance::Security::Signed;
      rc.budgets = weight + std::to_string(kWeightAccount);
      break;
  }
  return true;
}

bool SpotTrading::send(const Call& call, std::string& why) {
  binance::RestCall rc;
  if (!build(call, rc, why)) return false;
  const uint64_t cookie = next_cookie_++;
  const binance::RestSent sent = rest_.send(rc, cookie, why);
  if (sent.request_id == 0) return false;
  if (call.step == Step::Submit) find(call.client_order_id)->submit_timestamp_ms = sent.timestamp_ms;
  Call& stored = in_flight_[cookie] = call;
  stored.queued_at = sent.queued_at;
  return true;
}

void SpotTrading::dispatch(Call call) {
  std::string why;
  if (send(call, why)) return;
  // Nothing went out.
  if (call.for_reconcile) return fail_reconcile(why);
  if (call.step == Step::Submit) {
    if (Order* o = find(call.client_order_id)) reject(*o, "not sent: " + why);
    return;
  }
  if (call.step == Step::ListenKey) renewing_key_ = false;
  ctx_.error("binance_spot request not sent step=" + step_name(call.step) + " order=" +
             call.client_order_id + " reason=" + why);
}

std::string SpotTrading::step_name(Step step) {
  switch (step) {
    case Step::ServerTime: return "server_time";
    case Step::ListenKey: return "listen_key";
    case Step::KeepAlive: return "keep_alive";
    case Step::Submit: return "submit";
    case Step::Cancel: return "cancel";
    case Step::QueryOrder: return "query_order";
    case Step::OrderTrades: return "order_trades";
    case Step::OpenOrders: return "open_orders";
    case Step::Account: return "account";
  }
  return "?";
}

th_time_ns SpotTrading::backoff(int attempt) const {
  const th_time_ns base = 500'000'000;
  return std::min<th_time_ns>(base << std::min(attempt, 6), 30'000'000'000);
}

void SpotTrading::retry_later(Call call, th_time_ns delay) {
  const uint64_t cookie = next_cookie_++;
  if (ctx_.host()->timer_start(ctx_.self(), std::max<th_time_ns>(delay, 1'000'000), 0, cookie) == 0) {
    ctx_.error("binance_spot cannot start a retry timer order=" + call.client_order_id);
    if (call.for_reconcile) fail_reconcile("cannot start a retry timer");
    return;
  }
  waiting_[cookie] = std::move(call);
}

void SpotTrading::resync_then(Call call) {
  call.resynced = true;
  after_resync_.push_back(std::move(call));
  if (resyncing_) return;
  resyncing_ = true;
  Call time;
  time.step = Step::ServerTime;
  dispatch(std::move(time));
}

void SpotTrading::on_timer(uint64_t cookie) {
  if (cookie == kKeepAliveCookie) {
    if (!listen_key_.empty()) {
      Call keep;
      keep.step = Step::KeepAlive;
      dispatch(std::move(keep));
    }
    Call time;  // and measure the clock again, as it drifts
    time.step = Step::ServerTime;
    dispatch(std::move(time));
    return;
  }
  auto it = waiting_.find(cookie);
  if (it == waiting_.end()) return;
  Call call = std::move(it->second);
  waiting_.erase(it);
  dispatch(std::move(call));
}

// ---- answers -------------------------------------------------------------------------------

void SpotTrading::on_http(uint64_t cookie, const th_http_response& r) {
  auto it = in_flight_.find(cookie);
  if (it == in_flight_.end()) return;
  Call call = std::move(it->second);
  in_flight_.erase(it);
  if (r.error != TH_OK) return on_failure(call, r, nullptr, std::string(to_sv(r.message)));
  const std::string body = body_of(r);
  if (r.status != 200) {
    binance::ApiError err;
    binance::parse_api_error(r.status, body, err);
    return on_failure(call, r, &err, binance::describe(err));
  }
  switch (call.step) {
    case Step::ServerTime: return on_server_time(call, body);
    case Step::ListenKey: return on_listen_key(call, body);
    case Step::KeepAlive: return;
    case Step::Submit:
      if (Order* o = find(call.client_order_id)) on_submitted(*o, body);
      return;
    case Step::Cancel:
    case Step::QueryOrder: return on_order_report(call, body);
    case Step::OrderTrades: return on_order_trades(call, body);
    case Step::OpenOrders: return on_open_orders(call, body);
    case Step::Account: return on_account(call, body);
  }
}

void SpotTrading::on_failure(Call& call, const th_http_response& r, const binance::ApiError* err,
                             const std::string& why) {
  // A transport failure is "unknown" when bytes went out, otherwise nothing reached the venue
  // and the request may be sent again like one the venue refused for its rate limit.
  const ErrorAction action = err ? binance::classify(*err)
                                 : ((r.flags & TH_HTTP_MAYBE_SENT) ? ErrorAction::OutcomeUnknown
                                                                   : ErrorAction::RateLimited);
  const int64_t retry_after_ns = binance::retry_after_seconds(to_sv(r.headers)) * 1'000'000'000;
  const th_time_ns wait = std::max<th_time_ns>(backoff(call.attempt), retry_after_ns);
  Order* o = call.client_order_id.empty() ? nullptr : find(call.client_order_id);
  const std::string id = call.client_order_id;
  ctx_.warn("binance_spot request failed step=" + step_name(call.step) + " order=" + id +
            " action=" + std::string(binance::to_string(action)) + " reason=" + why);
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
      if (err && err->code == -2011) return look_up(*o, "a refused cancel (" + err->msg + ")");
      if (action == ErrorAction::Rejected) {
        ctx_.warn("binance_spot cancel refused order=" + id + " reason=" + why);
        return;
      }
      if (call.attempt < kMaxCancelAttempts) return retry_later(std::move(call), wait);
      ctx_.error("binance_spot cancel gave up order=" + id + " reason=" + why);
      return;
    case Step::QueryOrder:
      if (o == nullptr) return;
      if (err && err->code == -2013) return not_at_venue(*o);
      // The outcome of an order must be learnt: keep asking, whatever the error.
      return retry_later(std::move(call), wait);
    case Step::OrderTrades:
      if (o == nullptr) return;
      if (action == ErrorAction::Rejected) {
        ctx_.error("binance_spot myTrades refused order=" + id + " reason=" + why + "; its fills are not reported");
        return apply(*o, call.report);
      }
      return retry_later(std::move(call), wait);
    case Step::KeepAlive:
      if (err && err->code == -1125) {  // "This listenKey does not exist.": get a new one
        if (!renewing_key_) {
          renewing_key_ = true;
          Call renew;
          renew.step = Step::ListenKey;
          dispatch(std::move(renew));
        }
        return;
      }
      if (action != ErrorAction::Rejected && call.attempt < kKeepAliveAttempts) return retry_later(std::move(call), wait);
      return;
    case Step::ServerTime:
    case Step::ListenKey:
    case Step::OpenOrders:
    case Step::Account:
      if (call.for_reconcile) {
        if (action == ErrorAction::Rejected || call.attempt >= kReconcileAttempts)
          return fail_reconcile(why);
        return retry_later(std::move(call), wait);
      }
      if (action != ErrorAction::Rejected) return retry_later(std::move(call), wait);
      if (call.step == Step::ListenKey) renewing_key_ = false;
      ctx_.error("binance_spot request refused step=" + step_name(call.step) + " reason=" + why);
      return;
  }
}

void SpotTrading::on_server_time(const Call& call, std::string_view body) {
  int64_t server_ms = 0;
  std::string error;
  if (!binance::parse_server_time(body, server_ms, error)) {
    ctx_.warn("binance_spot server time: " + error);
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
    ctx_.info("binance_spot server time offset_ms=" + std::to_string(rest_.clock().offset_ms()));
    Call key;
    key.step = Step::ListenKey;
    key.for_reconcile = true;
    dispatch(std::move(key));
  }
}

void SpotTrading::on_listen_key(const Call& call, std::string_view body) {
  renewing_key_ = false;
  std::string key, error;
  if (!binance::parse_listen_key(body, key, error)) {
    if (call.for_reconcile) return fail_reconcile(error);
    ctx_.error("binance_spot " + error);
    return;
  }
  open_user_stream(key);
  if (user_ws_ == 0 && call.for_reconcile) fail_reconcile("cannot open the user data stream");
}

void SpotTrading::on_submitted(Order& o, std::string_view body) {
  binance::OrderReport r;
  std::string error;
  if (!binance::parse_order_report(body, symbols_.scales_lookup(), r, error))
    return look_up(o, "an unreadable order answer (" + error + ")");  // 200: placed, but as what?
  // Fills come from the user data stream (executionReport TRADE). Without it, ask for them: the
  // lookup reports the fills, then the state.
  if (r.executed_qty > 0 && !user_stream_up_) {
    o.venue_order_id = r.order_id;
    return look_up(o, "fills while the user data stream is down");
  }
  apply(o, r);
}

void SpotTrading::on_order_report(Call& call, std::string_view body) {
  binance::OrderReport r;
  std::string error;
  if (!binance::parse_order_report(body, symbols_.scales_lookup(), r, error)) {
    ctx_.error("binance_spot order answer order=" + call.client_order_id + " error=" + error);
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

void SpotTrading::on_order_trades(const Call& call, std::string_view body) {
  Order* o = find(call.client_order_id);
  if (o == nullptr) return;
  const binance::SymbolTable::Entry* e = symbols_.find(o->symbol);
  std::vector<binance::AccountTrade> trades;
  std::string error;
  if (e == nullptr || !binance::parse_account_trades(body, e->scales, trades, error)) {
    ctx_.error("binance_spot myTrades order=" + o->client_order_id + " error=" + error);
    return apply(*o, call.report);
  }
  o->venue_order_id = call.report.order_id;
  for (const binance::AccountTrade& t : trades)
    if (t.order_id == call.report.order_id)
      emit_fill(*o, std::to_string(t.id), t.is_buyer ? TH_SIDE_BUY : TH_SIDE_SELL, t.is_maker ? TH_LIQ_MAKER : TH_LIQ_TAKER,
                t.price, t.qty, t.commission, t.commission_asset, ms_to_ns(t.time_ms));
  apply(*o, call.report);
}

void SpotTrading::on_open_orders(const Call& call, std::string_view body) {
  std::vector<binance::OrderReport> reports;
  size_t skipped = 0;
  std::string error;
  if (!binance::parse_open_orders(body, symbols_.scales_lookup(), reports, skipped, error)) {
    if (call.for_reconcile) return fail_reconcile(error);
    ctx_.error("binance_spot " + error);
    return;
  }
  for (const binance::OrderReport& r : reports) {
    Order& o = track(r.client_order_id, r.symbol, r.side, r.type, r.orig_qty, r.price);
    apply(o, r);
  }
  ctx_.info("binance_spot open orders count=" + std::to_string(reports.size()) + " other_symbols=" +
            std::to_string(skipped));
  if (call.for_reconcile) {
    Call account;
    account.step = Step::Account;
    account.for_reconcile = true;
    dispatch(std::move(account));
  }
}

void SpotTrading::on_account(const Call& call, std::string_view body) {
  std::vector<binance::Balance> balances;
  std::string error;
  if (!binance::parse_account_balances(body, balances, error)) {
    if (call.for_reconcile) return fail_reconcile(error);
    ctx_.error("binance_spot " + error);
    return;
  }
  // Only assets the account holds: Binance lists every asset it has, most of them at zero.
  const th_time_ns now = ctx_.now();
  size_t held = 0;
  for (const binance::Balance& b : balances)
    if (b.free != 0 || b.locked != 0) {
      emit_balance(b, now);
      ++held;
    }
  if (call.for_reconcile && reconcile_ == Reconcile::Running) {
    reconcile_ = Reconcile::Done;
    size_t open = 0;
    for (const auto& [cid, o] : orders_) open += o.open();
    emit_status(ctx_, TH_STATUS_RECONCILED,
                std::to_string(open) + " open orders, " + std::to_string(held) + " assets held");
  }
}

// ---- orders --------------------------------------------------------------------------------

SpotTrading::Order* SpotTrading::find(std::string_view client_order_id) {
  auto it = orders_.find(client_order_id);
  return it == orders_.end() ? nullptr : &it->second;
}

SpotTrading::Order& SpotTrading::track(const th_order& order) {
  const std::string cid(to_sv(order.client_order_id));
  auto [it, added] = orders_.try_emplace(cid);
  Order& o = it->second;
  if (o.order_id == 0) o.order_id = order.order_id;
  if (added) {
    const binance::SymbolTable::Entry* e = symbols_.find(order.req.instrument);
    o.client_order_id = cid;
    o.instrument = order.req.instrument;
    o.symbol = e ? e->symbol : std::string();
    o.side = order.req.side;
    o.type = order.req.type;
    o.qty = order.req.qty;
    o.price = order.req.price;
  }
  return o;
}

SpotTrading::Order& SpotTrading::track(std::string_view client_order_id, std::string_view symbol,
                                       std::string_view side, std::string_view type, th_fixed qty, th_fixed price) {
  auto [it, added] = orders_.try_emplace(std::string(client_order_id));
  Order& o = it->second;
  if (added) {
    const binance::SymbolTable::Entry* e = symbols_.find(symbol);
    o.client_order_id.assign(client_order_id);
    o.instrument = e ? e->id : 0;
    o.symbol.assign(symbol);
    o.side = binance::th_side(side);
    o.type = binance::th_order_type(type, binance::Venue::Spot);
    o.qty = qty;
    o.price = price;
  }
  return o;
}

void SpotTrading::look_up(Order& o, std::string reason) {
  ctx_.warn("binance_spot order outcome unknown order=" + o.client_order_id + " reason=" + reason +
            "; asking the venue by client order id");
  o.lookup_reason = std::move(reason);
  Call call;
  call.step = Step::QueryOrder;
  call.client_order_id = o.client_order_id;
  // At once: usually the order is there. An early "does not exist" is not believed (not_at_venue).
  dispatch(std::move(call));
}

void SpotTrading::not_at_venue(Order& o) {
  if (o.submit_timestamp_ms != 0) {
    const int64_t settle_ms = o.submit_timestamp_ms + rest_.recv_window_ms() + kSettleMs;
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

void SpotTrading::apply(Order& o, const binance::OrderReport& r) {
  o.venue_order_id = r.order_id;
  o.lookup_reason.clear();
  const th_time_ns ts = r.time_ms > 0 ? ms_to_ns(r.time_ms) : ctx_.now();
  if (!r.has_state) return set_state(o, TH_ORDER_NEW, o.filled_qty, o.avg_price, ts);  // ACK
  // A FULL answer lists the executions on arrival: the order was the taker in each.
  const int32_t side = binance::th_side(r.side);
  for (const binance::OrderFill& f : r.fills)
    emit_fill(o, std::to_string(f.trade_id), side, TH_LIQ_TAKER, f.price, f.qty, f.commission, f.commission_asset, ts);
  const binance::SymbolTable::Entry* e = symbols_.find(o.symbol);
  const th_fixed avg = e ? binance::average_price(r.cumulative_quote_qty, r.executed_qty, e->scales) : 0;
  set_state(o, binance::th_order_state(r.status), r.executed_qty, avg, ts);
}

void SpotTrading::set_state(Order& o, int32_t state, th_fixed filled, th_fixed avg, th_time_ns ts,
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

void SpotTrading::acknowledge(Order& o, th_time_ns ts) {
  // PENDING_NEW -> NEW is the only way on from PENDING_NEW but REJECTED (plugin.h, order
  // states), and an order fills only once acknowledged.
  if (o.state != TH_ORDER_PENDING_NEW) return;
  o.state = TH_ORDER_NEW;
  emit_order(o, ts, {});
}

void SpotTrading::reject(Order& o, std::string_view reason) {
  ctx_.warn("binance_spot order rejected order=" + o.client_order_id + " reason=" + std::string(reason));
  set_state(o, TH_ORDER_REJECTED, o.filled_qty, o.avg_price, ctx_.now(), reason);
}

void SpotTrading::forget_if_final(Order& o) {
  finished_.push_back(o.client_order_id);
  while (finished_.size() > kMaxFinished) {
    auto it = orders_.find(finished_.front());
    if (it != orders_.end() && !it->second.open()) orders_.erase(it);
    finished_.pop_front();
  }
}

void SpotTrading::refresh_open_orders() {
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

void SpotTrading::open_user_stream(const std::string& listen_key) {
  if (listen_key == listen_key_ && user_ws_ != 0) return;
  if (user_ws_ != 0) ctx_.host()->ws_close(ctx_.self(), user_ws_);
  user_stream_up_ = false;
  listen_key_ = listen_key;
  // user-data-stream.md: "User Data Streams are accessed at /ws/<listenKey>".
  const std::string url = settings_.ws_url + "/ws/" + listen_key_;
  user_ws_ = ctx_.host()->ws_open(ctx_.self(), to_th(url), kUserStreamCookie);
  if (user_ws_ == 0) ctx_.error("binance_spot cannot open the user data stream");
  if (keep_alive_timer_ == 0)
    keep_alive_timer_ = ctx_.host()->timer_start(ctx_.self(), kKeepAlivePeriod, 1, kKeepAliveCookie);
}

void SpotTrading::on_ws(uint64_t conn, int32_t what, std::string_view data) {
  if (conn != user_ws_) return;  // a stream closed for a newer listenKey
  if (what == TH_WS_OPENED) {
    user_stream_up_ = true;
    if (reconcile_ == Reconcile::Running) {
      Call open;
      open.step = Step::OpenOrders;
      open.for_reconcile = true;
      return dispatch(std::move(open));
    }
    // Back after a drop: whatever happened meanwhile is only known by asking.
    refresh_open_orders();
    Call account;
    account.step = Step::Account;
    dispatch(std::move(account));
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
    if (!renewing_key_ && !listen_key_.empty()) {
      renewing_key_ = true;
      Call renew;
      renew.step = Step::ListenKey;
      dispatch(std::move(renew));
    }
    return;
  }
  if (what == TH_WS_MESSAGE) on_user_event(data);
}

void SpotTrading::on_user_event(std::string_view frame) {
  bool other_symbol = false;
  const binance::ScalesLookup lookup = [&](std::string_view symbol) -> const binance::Scales* {
    const binance::SymbolTable::Entry* e = symbols_.find(symbol);
    other_symbol = e == nullptr;
    return e ? &e->scales : nullptr;
  };
  binance::UserEvent ev;
  std::string error;
  if (!binance::parse_user_event(frame, lookup, ev, error)) {
    if (!other_symbol) ctx_.warn("binance_spot user stream: " + error);
    return;
  }
  switch (ev.kind) {
    case binance::UserEventKind::ExecutionReport: return on_execution(ev.execution);
    case binance::UserEventKind::AccountPosition:
      for (const binance::Balance& b : ev.account.balances) emit_balance(b, ms_to_ns(ev.account.event_time_ms));
      return;
    case binance::UserEventKind::Other:
      if (ev.event_type == "listenKeyExpired" && !renewing_key_) {
        renewing_key_ = true;
        Call renew;
        renew.step = Step::ListenKey;
        dispatch(std::move(renew));
      }
      return;
  }
}

void SpotTrading::on_execution(const binance::ExecutionReport& e) {
  Order& o = track(e.placed_client_order_id(), e.symbol, e.side, e.order_type, e.qty, e.price);
  o.venue_order_id = e.order_id;
  const th_time_ns ts = ms_to_ns(e.transaction_time_ms);
  if (e.execution_type == "TRADE")
    emit_fill(o, std::to_string(e.trade_id), binance::th_side(e.side), e.maker ? TH_LIQ_MAKER : TH_LIQ_TAKER,
              e.last_price, e.last_qty, e.commission, e.commission_asset, ts);
  const binance::SymbolTable::Entry* sym = symbols_.find(e.symbol);
  const th_fixed avg = sym ? binance::average_price(e.cumulative_quote_qty, e.cumulative_qty, sym->scales) : 0;
  set_state(o, binance::th_order_state(e.status), e.cumulative_qty, avg, ts,
            e.reject_reason == "NONE" ? std::string_view() : std::string_view(e.reject_reason));
}

// ---- events --------------------------------------------------------------------------------

void SpotTrading::emit_order(const Order& o, th_time_ns ts, std::string_view reason) {
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

void SpotTrading::emit_fill(Order& o, std::string_view trade_id, int32_t side, int32_t liquidity, th_fixed price,
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

void SpotTrading::emit_balance(const binance::Balance& b, th_time_ns ts) {
  auto ev = make_event<th_ev_balance>(TH_EV_BALANCE, 0, ts, ctx_.now());
  ev.asset = to_th(b.asset);
  ev.free = b.free;
  ev.locked = b.locked;
  ctx_.host()->emit(ctx_.self(), &ev.h);
}

void SpotTrading::fail_reconcile(const std::string& why) {
  if (reconcile_ == Reconcile::Failed || reconcile_ == Reconcile::Done) return;
  reconcile_ = Reconcile::Failed;
  emit_status(ctx_, TH_STATUS_ERROR, "reconcile failed: " + why);
}

}  // namespace tradehost::binance_spot
