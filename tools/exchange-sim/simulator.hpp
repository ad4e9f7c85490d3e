// simulator.hpp -- the Binance spot REST API and the control API of exchange-sim, on top of the
// matching engine, rate limits and stream hub. Transport-free: the Beast server (server.hpp) turns
// sockets into HttpRequest and back, so every rule here is testable without a socket.
#ifndef TRADEHOST_EXCHANGE_SIM_SIMULATOR_HPP
#define TRADEHOST_EXCHANGE_SIM_SIMULATOR_HPP

#include "binance_json.hpp"
#include "rate_limits.hpp"
#include "request_auth.hpp"
#include "spot_exchange.hpp"
#include "stream_hub.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tradehost::exchange_sim {

/// Everything the simulator is started with (command line or config file, see main.cpp).
struct SimConfig {
  std::string candle_file;
  size_t start_index = 0;  ///< candle whose close makes the first book
  /// API key -> secret. Each key is its own account.
  std::map<std::string, std::string> keys;
  /// Starting balances of every account, asset -> amount at kScale.
  std::map<std::string, int64_t> balances = {{"BTC", 100000000}, {"USDT", 1000000000000}};
  RateLimitConfig limits;
  MarketModel model;
  SymbolRules rules;
  int pace_ms = 0;  ///< step the clock every pace_ms of wall time; 0 = only on POST /_sim/advance
  /// Server time in ms UTC (serverTime, timestamp checks, rate-limit windows, event times).
  /// Defaults to the system clock; tests pin it.
  std::function<int64_t()> clock;
};

/// A parsed HTTP request. `api_key` is the X-MBX-APIKEY header when present.
struct HttpRequest {
  std::string method;  ///< "GET", "POST", "PUT", "DELETE"
  std::string target;  ///< path with the raw (still percent-encoded) query
  std::string body;
  std::optional<std::string> api_key;
  std::string client_ip;
};

/// The answer; `withhold` means "send nothing" (the order-timeout fault).
struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool withhold = false;
};

/// What a WebSocket upgrade target resolves to.
struct StreamRequest {
  std::vector<std::string> streams;
  bool combined = false;  ///< opened on /stream: payloads come in the {"stream","data"} envelope
  bool user = false;      ///< a listenKey stream
};

/// REST-side faults (POST /_sim/fault). Counts are "the next N requests" to /api/.
struct RestFaults {
  int http_5xx = 0;
  int http_5xx_status = 503;
  int force_429 = 0;
  int order_timeout = 0;  ///< next N POST /api/v3/order: placed, but the response never comes
};

class Simulator {
 public:
  /// Loads the candle file and creates one account per key. Throws std::runtime_error on a bad
  /// candle file or start index.
  explicit Simulator(SimConfig config);

  /// Answers one REST or control request.
  HttpResponse handle(const HttpRequest& request);

  /// Resolves a WebSocket target: /ws/<stream>, /ws/<listenKey>, /stream?streams=a/b/c. Returns
  /// an error for an unknown stream name or listenKey (the server answers it with HTTP 400).
  std::optional<ApiError> resolve_stream(const std::string& target, StreamRequest& out);

  /// Handles a text frame from a market stream connection: SUBSCRIBE, UNSUBSCRIBE and
  /// LIST_SUBSCRIPTIONS as web-socket-streams.md "Live Subscribing/Unsubscribing". Returns the
  /// reply frame.
  std::string handle_stream_message(const StreamSink* sink, const std::string& text);

  /// Steps the market clock (the pace timer and POST /_sim/advance call this).
  size_t advance(size_t candles);

  StreamHub& hub() { return hub_; }
  SpotExchange& exchange() { return exchange_; }
  const SimConfig& config() const { return config_; }
  int64_t now_ms() const { return config_.clock(); }

 private:
  struct ListenKey {
    std::string account;
    int64_t expires_ms = 0;
  };
  struct Route;

  HttpResponse handle_api(const HttpRequest& req, const std::string& path, const std::string& query);
  HttpResponse handle_control(const HttpRequest& req, const std::string& path);
  std::optional<ApiError> authenticate(const HttpRequest& req, const std::string& query, const Params& params,
                                       bool signed_endpoint, std::string& account);
  HttpResponse new_order(const std::string& account, const Params& params);
  HttpResponse cancel_order(const std::string& account, const Params& params);
  HttpResponse query_order(const std::string& account, const Params& params);
  HttpResponse klines(const Params& params);
  HttpResponse my_trades(const std::string& account, const Params& params);
  HttpResponse user_data_stream(const std::string& method, const std::string& account, const Params& params);
  std::string listen_key_of(const std::string& account) const;
  bool valid_market_stream(const std::string& name) const;

  SimConfig config_;
  SpotExchange exchange_;
  RateLimits limits_;
  StreamHub hub_;
  RestFaults rest_faults_;
  std::map<std::string, ListenKey> listen_keys_;  // listenKey -> owner
  uint64_t listen_key_seq_ = 0;
};

}  // namespace tradehost::exchange_sim

#endif
