// The order side of a Binance connector, spot or USD-M futures: plugin.h's LIVE VENUES contract
// (submit, cancel, reconcile, query; order, fill, balance, position and status events) over a
// venue's REST account endpoints and user data stream. What differs between the venues -- paths,
// weights, the order parameters, the balance answer, positions, account settings -- is a
// TradingProfile; everything below is the same for both.
//
// Sources. Spot: binance/binance-spot-api-docs rest-api.md (2023-06-07) "Account endpoints" and
// "User data stream endpoints", user-data-stream.md (2022-12-05), errors.md. USD-M: the pages of
// developers.binance.com/docs/derivatives/usds-margined-futures (stored 2026-05) "General Info",
// "New Order(TRADE)", "Query Order", "Cancel Order", "Current All Open Orders", "New Algo
// Order(TRADE)", "Cancel Algo Order", "Query Algo Order", "Current All Algo Open Orders", "Account Trade
// List", "Account Information V2", "Position Information V2", "Change Initial Leverage",
// "Change Margin Type", "Start/Keepalive User Data Stream", "Event: Order Update", "Event: Balance
// and Position Update", "Event: Algo Order Update". The two share the error codes (-1021, -2011, -2013, ...), the SIGNED
// scheme and the listenKey life cycle.
//
// The unknown-outcome rule. An order POST whose answer is lost (the host reports
// TH_HTTP_MAYBE_SENT), times out after being written, or comes back 5XX / -1000 / -1001 / -1006 /
// -1007 may or may not have placed the order. It is NEVER sent again. The order is looked up by its
// client order id (GET <order path>?origClientOrderId=..) until the venue answers, with backoff
// on errors. "Order does not exist." (-2013) is believed only once the venue's clock has passed the
// POST's timestamp + recvWindow + kSettleMs: Binance refuses a request whose timestamp is older
// than recvWindow when it arrives ("Timing security"), so a POST not placed by then never will be.
// Then the order is REJECTED "not at the venue after <what happened>". A POST refused with a
// definite error (-1013, -2010, -2022, ...) is REJECTED with the venue's message; one refused
// before execution for a reason that passes (rate limit, -1021 clock) is sent again after waiting /
// after measuring the clock again -- that is not a duplicate, the venue never took the first one.
// A POST whose bytes never left (connect failure, a 418 ban) is REJECTED "not sent: ...".
//
// Cancel: DELETE by origClientOrderId; CANCELED when the venue confirms; -2011 (already final, or
// not there) -> look the order up and emit what the venue says; a transport error, 5XX or rate
// limit -> DELETE again with backoff (8 tries; a repeat is harmless, it gets -2011); another
// refusal is logged and the state left alone.
//
// Reconcile: server time (the offset for timestamps); then the profile's account settings, one
// request per traded instrument (USD-M: margin type, leverage), in turn; then the listenKey and the
// stream <ws_url>/ws/<listenKey>; once it is open, the open orders of ALL symbols (one request;
// orders of symbols without an instrument are dropped; USD-M: the open algo orders first), then
// the balances, then (USD-M) the positions, then TH_STATUS_RECONCILED. Each step is tried 3
// times; then TH_STATUS_ERROR with the reason. A setting the venue refuses fails the reconcile
// with the venue's words.
//
// The user data stream: an execution (spot executionReport, USD-M ORDER_TRADE_UPDATE) ->
// TH_EV_FILL (x = TRADE) then TH_EV_ORDER; spot outboundAccountPosition -> TH_EV_BALANCE per asset;
// USD-M ACCOUNT_UPDATE -> TH_EV_BALANCE per asset (wallet balance) and TH_EV_POSITION per one-way
// position of an instrument. Closed -> TH_STATUS_DISCONNECTED, and the listenKey is asked for again
// (a new key gets a new stream). Open again -> every order known open is looked up, balances (and
// positions) are read again, TH_STATUS_READY. Keep-alive PUT every 30 minutes (and the server time
// measured again).
//
// Algo orders (USD-M's conditional types through the Algo Order API; algo_orders.hpp says how an
// algo order and the order it places are linked). Sent to profile.algo_order with clientAlgoId =
// the client order id; cancelled and looked up by clientAlgoId on the algo paths, under the same
// unknown-outcome rule (never sent twice; "does not exist" believed after the settle time). The
// reported venue_order_id is the algoId. Algo status -> order state: NEW, TRIGGERING -> NEW;
// CANCELED -> CANCELED; EXPIRED -> EXPIRED; REJECTED -> REJECTED before it was acknowledged, else
// EXPIRED with the reason (plugin.h has no NEW -> REJECTED). TRIGGERED and FINISHED: from then on
// the host's order IS the order the algo order placed (actualOrderId / "ai"): its
// ORDER_TRADE_UPDATEs give the fills (once each) and the state; when a REST answer says so (a
// lookup, a restart) or the algo order FINISHED with the host's order still open, that order is
// asked for by orderId, then its trades. An ORDER_TRADE_UPDATE of an order nobody knows while algo
// orders of ours on its symbol have not yet named theirs is held, and those algo orders are asked
// for: it goes to the one that placed it, or on as the order it is once every one has answered
// otherwise. Reconcile reads the open algo orders before the open orders, so an order one of them
// placed is reported as that algo order.
#ifndef TRADEHOST_BINANCE_TRADING_SESSION_HPP
#define TRADEHOST_BINANCE_TRADING_SESSION_HPP

#include "account_messages.hpp"
#include "events.hpp"
#include "order_params.hpp"
#include "rest_client.hpp"
#include "symbol_table.hpp"
#include "venue_error.hpp"

#include <tradehost/plugin.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tradehost::binance {

/// One REST endpoint: its path and its REQUEST_WEIGHT (0 = counts only against the orders budget).
struct Endpoint {
  std::string path;
  int weight = 1;
};

/// A per-instrument account setting the venue must hold before trading (USD-M "Change Margin
/// Type", "Change Initial Leverage"): a signed POST of `endpoint` with symbol=<symbol> and
/// `param`=`value`. Error codes in `already_set` mean the account holds the value already and
/// count as success (-4046 "No need to change margin type.").
struct AccountSetting {
  Endpoint endpoint;
  std::string param;
  std::string value;
  std::vector<int64_t> already_set;
};

/// Builds the new-order parameters of `req` for the instrument `e` (spot_order_params or
/// usdm_order_params); false with `why` when the venue cannot take the order.
using OrderParamsFn = std::function<bool(const th_order_request& req, const SymbolTable::Entry& e,
                                         std::string_view client_order_id, OrderParams& out, std::string& why)>;
/// Reads the balances answer (parse_account_balances or parse_futures_account).
using BalancesFn = std::function<bool(std::string_view body, std::vector<Balance>& out, std::string& error)>;

/// What differs between Binance markets on the order side.
struct TradingProfile {
  std::string connector;  ///< "binance_spot": names log lines and errors
  Venue venue = Venue::Spot;
  Endpoint server_time;   ///< GET, NONE
  Endpoint user_stream;   ///< POST (listenKey) / PUT (keep-alive), USER_STREAM
  bool keep_alive_names_key = true;  ///< spot PUT takes listenKey=..; USD-M's takes no parameter
  Endpoint order;         ///< POST new order; weight on REQUEST_WEIGHT (USD-M: 0)
  Endpoint cancel;        ///< DELETE order (the order path)
  Endpoint query;         ///< GET order (the order path)
  Endpoint trades;        ///< GET the account's trades of one order (symbol, orderId)
  Endpoint open_orders;   ///< GET open orders of every symbol
  Endpoint balances;      ///< GET the balances
  Endpoint positions;     ///< GET positions; empty path = the venue has none (spot)
  /// USD-M's Algo Order API, where orders whose parameters carry an algo_type go (usdm_algo_type:
  /// the conditional types). Empty paths = the venue has none (spot).
  Endpoint algo_order;        ///< POST new algo order; weight on REQUEST_WEIGHT (USD-M: 0)
  Endpoint algo_cancel;       ///< DELETE an algo order by clientAlgoId
  Endpoint algo_query;        ///< GET an algo order by clientAlgoId
  Endpoint algo_open_orders;  ///< GET open algo orders of every symbol
  std::string orders_header;       ///< the order-count header of orders_per_window ("X-MBX-ORDER-COUNT-10S")
  th_time_ns orders_window_ns = 0;  ///< its window
  OrderParamsFn order_params;
  BalancesFn parse_balances;
  bool has_algo_orders() const { return !algo_order.path.empty(); }
};

/// Connection settings of the order side.
struct TradingSettings {
  std::string rest_url;          ///< "https://api.binance.com", no trailing '/'
  std::string ws_url;            ///< "wss://stream.binance.com:9443", no trailing '/'
  std::string venue;             ///< rate-limit venue name, "binance-spot"
  std::string weight_budget;     ///< the REQUEST_WEIGHT budget's name (declared by the connector)
  std::string orders_budget;     ///< the orders budget's name (declared by declare_budgets)
  int64_t orders_per_window = 50;  ///< orders limit per profile.orders_window_ns (exchangeInfo rateLimits)
  int64_t recv_window_ms = 5000;
  int64_t request_timeout_ms = 10'000;  ///< a REST request with no answer by then has an unknown outcome
  std::vector<AccountSetting> account_settings;  ///< applied to every traded instrument at reconcile
};

/// Everything of a connector that talks to the account. Owned by the connector, which forwards
/// the calls and callbacks named below; all on the host loop.
class TradingSession {
 public:
  /// HTTP and timer cookies from this value up, and the user data stream's WebSocket cookie, are
  /// this object's; the connector keeps its own below kCookieBase.
  static constexpr uint64_t kCookieBase = 1ull << 40;
  static constexpr uint64_t kUserStreamCookie = 1ull << 62;

  TradingSession(Context ctx, const SymbolTable& symbols, TradingProfile profile, TradingSettings settings);

  /// Declares the orders budget (orders_per_window per profile window, counted by its header).
  void declare_budgets();
  /// An instrument a strategy trades: the account settings are applied to it at reconcile, and
  /// its position is reported even when flat.
  void add_traded(th_instrument_id id) { traded_.insert(id); }

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
    ServerTime,   // profile.server_time
    Setting,      // one AccountSetting for one symbol
    ListenKey,    // POST profile.user_stream
    KeepAlive,    // PUT profile.user_stream
    Submit,       // POST profile.order (an algo order: profile.algo_order)
    Cancel,       // DELETE profile.cancel (algo_cancel)
    QueryOrder,   // GET profile.query (algo_query; by orderId: the order an algo order placed)
    OrderTrades,  // GET profile.trades (the fills of one order)
    OpenOrders,   // GET profile.open_orders
    AlgoOpenOrders,  // GET profile.algo_open_orders
    Balances,     // GET profile.balances
    Positions,    // GET profile.positions
  };
  /// One request in flight or waiting on a timer, with what its answer needs.
  struct Call {
    Step step = Step::ServerTime;
    std::string client_order_id;  // order steps
    int attempt = 0;              // retries so far (backoff, limits)
    bool resynced = false;        // sent again already after a -1021 resync
    bool for_reconcile = false;   // part of reconcile(): a failure fails it
    OrderReport report;           // OrderTrades: the order state to emit after the fills
    size_t setting = 0;           // Setting: instrument index * settings + setting index
    std::string symbol;           // Setting: the symbol it is for
    int64_t order_id = -1;        // QueryOrder: ask by this orderId (the order an algo order placed)
    bool for_unlinked = false;    // QueryOrder of an algo order: asked after an execution was held
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
    int64_t venue_order_id = -1;  // Binance orderId (an algo order: its algoId), -1 until known
    bool algo = false;            // an algo order (Algo Order API): cancel, query and events are the algo ones
    int64_t triggered_order_id = -1;  // the orderId the algo order placed when it triggered, -1 before
    int32_t state = TH_ORDER_PENDING_NEW;
    th_fixed filled_qty = 0, avg_price = 0;
    OrderParams params;               // of the POST, to send again after a refusal that passes
    int64_t submit_timestamp_ms = 0;  // `timestamp` of the last POST; 0 when not sent by this run
    std::string lookup_reason;        // why its outcome is being looked up; "" when it is not
    bool open() const;
  };
  enum class Reconcile : uint8_t { Idle, Running, Done, Failed };

  // Requests.
  static std::string step_name(Step step);
  bool build(const Call& call, RestCall& out, std::string& why) const;
  bool send(const Call& call, std::string& why);  // false: nothing went out
  void dispatch(Call call);                        // send, handling "not sent" itself
  void dispatch_step(Step step, bool for_reconcile);
  void retry_later(Call call, th_time_ns delay);
  th_time_ns backoff(int attempt) const;
  void resync_then(Call call);
  void renew_listen_key();
  void on_failure(Call& call, const th_http_response& r, const ApiError* err, const std::string& why);

  // Answers by step.
  void on_server_time(const Call& call, std::string_view body);
  void next_setting(size_t index);  // the settings from `index` on; then the listenKey
  const AccountSetting& setting_of(const Call& call) const;
  void on_listen_key(const Call& call, std::string_view body);
  void on_submitted(Order& o, std::string_view body);
  void on_order_report(Call& call, std::string_view body);
  void on_order_trades(const Call& call, std::string_view body);
  void on_open_orders(const Call& call, std::string_view body);
  void on_algo_open_orders(const Call& call, std::string_view body);
  void on_algo_report(const Call& call, std::string_view body);
  void on_algo_cancel(const Call& call, std::string_view body);
  void on_balances(const Call& call, std::string_view body);
  void on_positions(const Call& call, std::string_view body);
  void reconciled();

  // Orders.
  Order* find(std::string_view client_order_id);
  Order& track(const th_order& order);
  Order& track(std::string_view client_order_id, std::string_view symbol, std::string_view side,
               std::string_view type, th_fixed qty, th_fixed price);
  void look_up(Order& o, std::string reason);
  void not_at_venue(Order& o);
  void apply(Order& o, const OrderReport& r);
  void set_state(Order& o, int32_t state, th_fixed filled, th_fixed avg, th_time_ns ts, std::string_view reason = {});
  void acknowledge(Order& o, th_time_ns ts);
  void reject(Order& o, std::string_view reason);
  void forget_if_final(Order& o);
  void refresh_open_orders();

  // Algo orders (algo_orders.hpp has how an algo order and the order it places are linked).
  /// Applies what the venue says of an algo order; `from_rest` when it answers a request (then a
  /// TRIGGERED / FINISHED order's own order is looked up for its fills and state).
  void apply_algo(Order& o, const AlgoOrderReport& r, bool from_rest);
  /// Links an algo order to the order it placed and replays that order's held executions.
  void link_triggered(Order& o, int64_t triggered_order_id);
  /// GET the order an algo order placed (by orderId), then its fills and state.
  void query_triggered(Order& o, std::string reason);
  /// Holds an execution of an order nobody knows while algo orders of its symbol might have
  /// placed it, and asks the venue about those; false when there are none.
  bool hold_unlinked(const ExecutionReport& e);
  /// A request asked after an execution was held has answered for algo order `client_order_id`
  /// (had it placed a held order, the answer linked it): it is no candidate any more, and held
  /// executions no algo order of ours can have placed go on as the orders they are.
  void settle_unlinked(const std::string& client_order_id);

  // User data stream.
  void open_user_stream(const std::string& listen_key);
  void on_user_event(std::string_view frame);
  void on_execution(const ExecutionReport& e);
  /// An execution of order `o`, or (`placed_by_algo`) of the order algo order `o` placed, whose
  /// venue id and type are not `o`'s.
  void apply_execution(Order& o, const ExecutionReport& e, bool placed_by_algo);

  // Events.
  void emit_order(const Order& o, th_time_ns ts, std::string_view reason);
  void emit_fill(Order& o, std::string_view trade_id, int32_t side, int32_t liquidity, th_fixed price,
                 th_fixed qty, th_fixed fee, std::string_view fee_asset, th_time_ns ts);
  void emit_balance(const Balance& b, th_time_ns ts);
  void emit_positions(const std::vector<FuturesPosition>& positions, th_time_ns ts, bool all_traded);
  void fail_reconcile(const std::string& why);
  void require_instrument(th_instrument_id id) const;

  Context ctx_;
  const SymbolTable& symbols_;
  TradingProfile profile_;
  TradingSettings settings_;
  RestClient rest_;
  th_time_ns session_started_ns_ = 0;  // host clock when this session began (not_at_venue)
  std::set<th_instrument_id> traded_;
  uint64_t next_cookie_ = kCookieBase;
  std::map<uint64_t, Call> in_flight_;  // by HTTP cookie
  std::map<uint64_t, Call> waiting_;    // by timer cookie
  std::vector<Call> after_resync_;      // calls to send again once the clock is measured
  bool resyncing_ = false;
  std::map<std::string, Order, std::less<>> orders_;  // by client order id
  std::deque<std::string> finished_;                  // final orders, oldest first, to forget
  Reconcile reconcile_ = Reconcile::Idle;
  size_t held_assets_ = 0;  // assets with a balance, for the RECONCILED message
  std::string listen_key_;
  uint64_t user_ws_ = 0;
  bool user_stream_up_ = false;
  bool renewing_key_ = false;
  uint64_t keep_alive_timer_ = 0;
  std::map<int64_t, std::string> triggered_;  // orderId an algo order placed -> the algo order's client id
  /// Executions of orders no known order names, held while an algo order of ours may have placed
  /// them (by orderId), with the client ids of the algo orders that still might have.
  struct Unlinked {
    std::vector<ExecutionReport> executions;
    std::set<std::string> candidates;
  };
  std::map<int64_t, Unlinked> unlinked_;
};

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_TRADING_SESSION_HPP
