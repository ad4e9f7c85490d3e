// The order side of the `binance_spot` connector: plugin.h's LIVE VENUES contract (submit, cancel,
// reconcile, query; order, fill, balance and status events) over Binance spot's REST account
// endpoints and user data stream. Sources: binance/binance-spot-api-docs rest-api.md (2023-06-07)
// "Account endpoints" and "User data stream endpoints", user-data-stream.md (2022-12-05), errors.md.
//
// The unknown-outcome rule. An order POST whose answer is lost (the host reports
// TH_HTTP_MAYBE_SENT), times out after being written, or comes back 5XX / -1000 / -1001 / -1006 /
// -1007 may or may not have placed the order. It is NEVER sent again. The order is looked up by its
// client order id (GET /api/v3/order?origClientOrderId=..) until the venue answers, with backoff
// on errors. "Order does not exist." (-2013) is believed only once the venue's clock has passed the
// POST's timestamp + recvWindow + kSettleMs: Binance refuses a request whose timestamp is older
// than recvWindow when it arrives ("Timing security"), so a POST not placed by then never will be.
// Then the order is REJECTED "not at the venue after <what happened>". A POST refused with a
// definite error (-1013, -2010, ...) is REJECTED with the venue's message; one refused before
// execution for a reason that passes (rate limit, -1021 clock) is sent again after waiting / after
// measuring the clock again -- that is not a duplicate, the venue never took the first one. A
// POST whose bytes never left (connect failure, a 418 ban) is REJECTED "not sent: ...".
//
// Cancel: DELETE by origClientOrderId; CANCELED when the venue confirms; -2011 (already final, or
// not there) -> look the order up and emit what the venue says; a transport error, 5XX or rate
// limit -> DELETE again with backoff (8 tries; a repeat is harmless, it gets -2011); another
// refusal is logged and the state left alone.
//
// Reconcile: GET /api/v3/time (the offset for timestamps), POST /api/v3/userDataStream and the
// stream <ws_url>/ws/<listenKey>; once it is open, GET /api/v3/openOrders for ALL symbols (one
// request, weight 40; orders of symbols without an instrument are dropped), then GET
// /api/v3/account (assets with a non-zero balance), then TH_STATUS_RECONCILED. Each step is tried
// 3 times; then TH_STATUS_ERROR with the reason.
//
// The user data stream: executionReport -> TH_EV_FILL (x = TRADE) then TH_EV_ORDER;
// outboundAccountPosition -> TH_EV_BALANCE per asset. Closed -> TH_STATUS_DISCONNECTED, and the
// listenKey is asked for again (a new key gets a new stream). Open again -> every order known
// open is looked up, balances are read again, TH_STATUS_READY. PUT keep-alive every 30 minutes
// (and the server time measured again).
#ifndef TRADEHOST_BINANCE_SPOT_TRADING_HPP
#define TRADEHOST_BINANCE_SPOT_TRADING_HPP

#include <binance_common/account_messages.hpp>
#include <binance_common/order_params.hpp>
#include <binance_common/rest_client.hpp>
#include <binance_common/symbol_table.hpp>
#include <binance_common/venue_error.hpp>

#include "events.hpp"

#include <tradehost/plugin.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tradehost::binance_spot {

/// Connection settings of the order side.
struct TradingSettings {
  std::string rest_url;         ///< "https://api.binance.com", no trailing '/'
  std::string ws_url;           ///< "wss://stream.binance.com:9443", no trailing '/'
  std::string venue;            ///< rate-limit venue name, "binance-spot"
  std::string weight_budget;    ///< the REQUEST_WEIGHT budget's name (declared by the connector)
  std::string orders_budget;    ///< the ORDERS budget's name (declared by declare_budgets)
  int64_t orders_per_10s = 50;  ///< ORDERS limit per 10 s (exchangeInfo rateLimits)
  int64_t recv_window_ms = 5000;
  int64_t request_timeout_ms = 10'000;  ///< a REST request with no answer by then has an unknown outcome
};

/// Everything of the connector that talks to the account. Owned by the connector, which forwards
/// the calls and callbacks named below; all on the host loop.
class SpotTrading {
 public:
  /// HTTP and timer cookies from this value up, and the user data stream's WebSocket cookie, are
  /// this object's; the connector keeps its own below kCookieBase.
  static constexpr uint64_t kCookieBase = 1ull << 40;
  static constexpr uint64_t kUserStreamCookie = 1ull << 62;

  SpotTrading(Context ctx, const binance::SymbolTable& symbols, TradingSettings settings);

  /// Declares the ORDERS budget (orders_per_10s per 10 s, counted by X-MBX-ORDER-COUNT-10S).
  void declare_budgets();

  void submit(const th_order& order);
  void cancel(const th_order& order);
  void reconcile();
  void query(const th_order& order);

  void on_http(uint64_t cookie, const th_http_response& r);
  void on_ws(uint64_t conn, int32_t what, std::string_view data);
  void on_timer(uint64_t cookie);

 private:
  /// What a request is for.
  enum class Step : uint8_t {
    ServerTime,  // GET /api/v3/time
    ListenKey,   // POST /api/v3/userDataStream
    KeepAlive,   // PUT /api/v3/userDataStream
    Submit,      // POST /api/v3/order
    Cancel,      // DELETE /api/v3/order
    QueryOrder,  // GET /api/v3/order
    OrderTrades, // GET /api/v3/myTrades (the fills of one order)
    OpenOrders,  // GET /api/v3/openOrders
    Account,     // GET /api/v3/account
  };
  /// One request in flight or waiting on a timer, with what its answer needs.
  struct Call {
    Step step = Step::ServerTime;
    std::string client_order_id;  // order steps
    int attempt = 0;              // retries so far (backoff, limits)
    bool resynced = false;        // sent again already after a -1021 resync
    bool for_reconcile = false;   // part of reconcile(): a failure fails it
    binance::OrderReport report;  // OrderTrades: the order state to emit after the fills
    th_time_ns queued_at = 0;
  };
  /// What the connector knows of one order.
  struct Order {
    uint64_t order_id = 0;  // host id; 0 when the order came from the venue (after a restart)
    std::string client_order_id;
    th_instrument_id instrument = 0;
    std::string symbol;
    int32_t side = 0, type = 0;
    th_fixed qty = 0, price = 0;
    int64_t venue_order_id = -1;  // Binance orderId, -1 until known
    int32_t state = TH_ORDER_PENDING_NEW;
    th_fixed filled_qty = 0, avg_price = 0;
    binance::OrderParams params;  // of the POST, to send again after a refusal that passes
    int64_t submit_timestamp_ms = 0;  // `timestamp` of the last POST; 0 when not sent by this run
    std::string lookup_reason;    // why its outcome is being looked up; "" when it is not
    bool open() const;
  };
  enum class Reconcile : uint8_t { Idle, Running, Done, Failed };

  // Requests.
  static std::string step_name(Step step);
  bool build(const Call& call, binance::RestCall& out, std::string& why) const;
  bool send(const Call& call, std::string& why);  // false: nothing went out
  void dispatch(Call call);                        // send, handling "not sent" itself
  void retry_later(Call call, th_time_ns delay);
  th_time_ns backoff(int attempt) const;
  void resync_then(Call call);
  void on_failure(Call& call, const th_http_response& r, const binance::ApiError* err, const std::string& why);

  // Answers by step.
  void on_server_time(const Call& call, std::string_view body);
  void on_listen_key(const Call& call, std::string_view body);
  void on_submitted(Order& o, std::string_view body);
  void on_order_report(Call& call, std::string_view body);
  void on_order_trades(const Call& call, std::string_view body);
  void on_open_orders(const Call& call, std::string_view body);
  void on_account(const Call& call, std::string_view body);

  // Orders.
  Order* find(std::string_view client_order_id);
  Order& track(const th_order& order);
  Order& track(std::string_view client_order_id, std::string_view symbol, std::string_view side,
               std::string_view type, th_fixed qty, th_fixed price);
  void look_up(Order& o, std::string reason);
  void not_at_venue(Order& o);
  void apply(Order& o, const binance::OrderReport& r);
  void set_state(Order& o, int32_t state, th_fixed filled, th_fixed avg, th_time_ns ts, std::string_view reason = {});
  void acknowledge(Order& o, th_time_ns ts);
  void reject(Order& o, std::string_view reason);
  void forget_if_final(Order& o);
  void refresh_open_orders();

  // User data stream.
  void open_user_stream(const std::string& listen_key);
  void on_user_event(std::string_view frame);
  void on_execution(const binance::ExecutionReport& e);

  // Events.
  void emit_order(const Order& o, th_time_ns ts, std::string_view reason);
  void emit_fill(Order& o, std::string_view trade_id, int32_t side, int32_t liquidity, th_fixed price,
                 th_fixed qty, th_fixed fee, std::string_view fee_asset, th_time_ns ts);
  void emit_balance(const binance::Balance& b, th_time_ns ts);
  void fail_reconcile(const std::string& why);

  Context ctx_;
  const binance::SymbolTable& symbols_;
  TradingSettings settings_;
  binance::RestClient rest_;
  uint64_t next_cookie_ = kCookieBase;
  std::map<uint64_t, Call> in_flight_;  // by HTTP cookie
  std::map<uint64_t, Call> waiting_;    // by timer cookie
  std::vector<Call> after_resync_;      // calls to send again once the clock is measured
  bool resyncing_ = false;
  std::map<std::string, Order, std::less<>> orders_;  // by client order id
  std::deque<std::string> finished_;                  // final orders, oldest first, to forget
  Reconcile reconcile_ = Reconcile::Idle;
  std::string listen_key_;
  uint64_t user_ws_ = 0;
  bool user_stream_up_ = false;
  bool renewing_key_ = false;
  uint64_t keep_alive_timer_ = 0;
};

}  // namespace tradehost::binance_spot

#endif  // TRADEHOST_BINANCE_SPOT_TRADING_HPP
