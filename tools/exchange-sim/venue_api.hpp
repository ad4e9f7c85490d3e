// venue_api.hpp -- one Binance REST API flavour the simulator serves (spot: SpotApi, USDⓈ-M
// futures: UsdmApi): its endpoint table, headers, ORDERS windows and stream payloads, plus the
// handlers both flavours share (depth, klines, order lookups, market streams). The Simulator does
// what is the same for every endpoint: request weight, fault switches, API-key and signature
// checks, ORDERS limits.
#ifndef TRADEHOST_EXCHANGE_SIM_VENUE_API_HPP
#define TRADEHOST_EXCHANGE_SIM_VENUE_API_HPP

#include "api_request.hpp"
#include "listen_keys.hpp"
#include "market_json.hpp"
#include "sim_config.hpp"
#include "stream_hub.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tradehost::exchange_sim {

/// What a route's handler gets: the authenticated account ("" on NONE endpoints), the merged
/// query and body parameters and the server time.
struct ApiCall {
  const std::string& method;
  const std::string& account;
  const Params& params;
  int64_t now_ms;
};

/// One endpoint: its security type, request weight and handler.
struct Route {
  enum class Security { None, ApiKey, Signed };
  Security security = Security::None;
  int weight = 1;
  bool places_order = false;  ///< counts against the ORDERS limits; the order_timeout fault applies
  std::function<HttpResponse(const ApiCall&)> handler;
};

/// One ORDERS rate limit of a venue: its window, limit, the response header that reports the
/// account's count, and the interval as the -1015 message names it ("10 SECOND").
struct OrderWindow {
  int64_t window_ms;
  int limit;
  const char* header;
  const char* interval;
};

class VenueApi {
 public:
  /// `config` is the Simulator's, with rules and limits already resolved; both it and
  /// `listen_keys` must outlive the API.
  VenueApi(const SimConfig& config, ListenKeys& listen_keys) : config_(config), listen_keys_(listen_keys) {}
  virtual ~VenueApi() = default;
  VenueApi(const VenueApi&) = delete;
  VenueApi& operator=(const VenueApi&) = delete;

  virtual Venue venue() const = 0;
  virtual MatchingEngine& engine() = 0;
  virtual const MatchingEngine& engine() const = 0;
  /// The endpoint `method` `path` names, or nullopt (the Simulator answers 404 -1020).
  /// `params` may only be read to price the request (weights that depend on `limit`).
  virtual std::optional<Route> route(const std::string& method, const std::string& path, const Params& params) = 0;
  /// Name of the used-weight header ("X-MBX-USED-WEIGHT-1m" / "-1M").
  virtual const char* weight_header() const = 0;
  virtual std::vector<OrderWindow> order_windows() const = 0;
  /// The -1003 message for a request over the REQUEST_WEIGHT limit of `limit` per minute.
  virtual std::string weight_limit_message(int limit) const = 0;

  /// Sends the engine's market events and the account's user events to the hub's streams.
  void connect(StreamHub& hub);
  /// Whether `name` is a market stream this venue serves ("btcusdt@kline_5m", "btcusdt@depth"...;
  /// capture mode: the streams of the recorded connection).
  bool valid_market_stream(const std::string& name) const;

 protected:
  /// Wires the engine's user events (and any venue-specific account events) to listenKey streams.
  virtual void connect_user(StreamHub& hub) = 0;
  /// Names of the depth streams after "<symbol>@" ("depth", "depth@100ms", ...).
  virtual std::vector<std::string> depth_streams() const = 0;
  /// Publishes `payload` on the account's listenKey stream, if it has an active key.
  void publish_user(StreamHub& hub, const std::string& account, const std::string& payload) const;

  /// The venue's JSON for one order (query order), the openOrders rows and the trade list rows.
  virtual std::string render_order(const Order& o) const = 0;
  virtual std::string render_open_orders(const std::vector<Order>& orders) const = 0;
  virtual std::string render_trades(const std::vector<Fill>& fills) const = 0;

  /// A route to a handler of this API (`handler` a member of the derived class or of VenueApi).
  template <class Api>
  Route to(Route::Security security, int weight, HttpResponse (Api::*handler)(const ApiCall&)) {
    Api* self = static_cast<Api*>(this);
    return Route{security, weight, false, [self, handler](const ApiCall& c) { return (self->*handler)(c); }};
  }

  // Handlers both venues share; the routes name them with their own paths and weights.
  HttpResponse ping(const ApiCall& call);
  HttpResponse server_time(const ApiCall& call);
  HttpResponse depth(const ApiCall& call, int64_t default_limit);
  /// GET klines: candle mode select_klines(); capture mode the recorded klines of the symbol
  /// replayed so far, at the recorded interval only (-1120 otherwise).
  HttpResponse klines(const ApiCall& call, int64_t max_limit);
  /// GET order: the order of `symbol` by orderId or origClientOrderId (-2013 when none).
  HttpResponse query_order(const ApiCall& call);
  /// GET openOrders: `symbol` optional (without it, every symbol's).
  HttpResponse open_orders(const ApiCall& call);
  /// GET /api/v3/allOrders: every order of the account on `symbol`, open or not (rest-api.md
  /// "All orders").
  HttpResponse all_orders(const ApiCall& call);
  /// GET myTrades / userTrades of `symbol`: see select_trades().
  HttpResponse trade_list(const ApiCall& call);
  /// The account's open order of `symbol` that a cancel names (orderId / origClientOrderId):
  /// -2011 "Unknown order sent." when there is none, as MatchingEngine::cancel_order answers.
  std::optional<ApiError> cancel_target(const ApiCall& call, const SymbolRules& symbol, std::optional<int64_t>& id,
                                        std::string& orig) const;
  /// The parameters every new-order request starts with: `symbol` (one of the engine's),
  /// `side` (-1117 "Invalid side."),
  /// `type` (mandatory; returned in `type` for the venue to map) and `newClientOrderId`.
  std::optional<ApiError> new_order_basics(const ApiCall& call, NewOrder& o, std::string& type) const;
  /// A LIMIT order's `timeInForce`: mandatory; GTC, IOC, FOK and, where `allow_gtx`, GTX;
  /// -1115 "Invalid timeInForce." otherwise.
  static std::optional<ApiError> time_in_force_param(const Params& p, bool allow_gtx, TimeInForce& out);
  /// Logs the outcome of a placement: `order placed ...` or `order rejected ...`.
  static void log_placement(const ApiCall& call, const std::optional<ApiError>& error, const Placement& placed);
  /// The orderId / origClientOrderId pair of a query or cancel (-1102 when neither is sent).
  static std::optional<ApiError> order_ref(const Params& p, std::optional<int64_t>& id, std::string& orig);
  /// The listenKey endpoints: POST opens (or extends) the account's key and answers
  /// {"listenKey":..}; PUT extends `key`, DELETE closes it and drops its connections. -1125 when
  /// `key` is not an active key of the account.
  std::optional<ApiError> listen_key_request(const ApiCall& call, const std::string& key, std::string& opened);

  const SimConfig& config_;
  ListenKeys& listen_keys_;
  StreamHub* hub_ = nullptr;  ///< set by connect()
};

}  // namespace tradehost::exchange_sim

#endif
