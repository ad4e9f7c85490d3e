// simulator.hpp -- exchange-sim's request handling, transport-free: the venue's REST API (spot or
// USDⓈ-M, see venue_api.hpp) behind what every endpoint shares -- request weight, fault switches,
// API-key and signature checks, ORDERS limits -- plus the control API, WebSocket stream
// resolution and live subscriptions. The Beast server (server.hpp) turns sockets into
// HttpRequest and back, so every rule here is testable without a socket.
#ifndef TRADEHOST_EXCHANGE_SIM_SIMULATOR_HPP
#define TRADEHOST_EXCHANGE_SIM_SIMULATOR_HPP

#include "api_request.hpp"
#include "listen_keys.hpp"
#include "rate_limits.hpp"
#include "sim_config.hpp"
#include "stream_hub.hpp"
#include "venue_api.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tradehost::exchange_sim {

/// What a WebSocket upgrade target resolves to.
struct StreamRequest {
  std::vector<std::string> streams;
  bool combined = false;  ///< opened on /stream: payloads come in the {"stream","data"} envelope
  bool user = false;      ///< a listenKey stream
};

/// REST-side faults (POST /_sim/fault). Counts are "the next N requests" to the venue's API.
struct RestFaults {
  int http_5xx = 0;
  int http_5xx_status = 503;
  int force_429 = 0;
  int retry_after_s = 0;  ///< Retry-After of a forced 429; 0 = seconds left in the weight minute
  int order_timeout = 0;  ///< next N new-order requests: placed, but the response never comes
};

class Simulator {
 public:
  /// Fills the venue defaults into `config` (rules, rate limits, clock), loads the candle file or
  /// the capture and creates one account per key. Throws std::runtime_error on a bad candle file,
  /// capture or start index, or when both a candle file and a capture are given.
  explicit Simulator(SimConfig config);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  /// Answers one REST or control request.
  HttpResponse handle(const HttpRequest& request);

  /// Resolves a WebSocket target: /ws/<stream>, /ws/<listenKey>, /stream?streams=a/b/c. Returns
  /// an error for an unknown stream name or listenKey (the server answers it with HTTP 400).
  std::optional<ApiError> resolve_stream(const std::string& target, StreamRequest& out);

  /// Handles a text frame from a market stream connection: SUBSCRIBE, UNSUBSCRIBE and
  /// LIST_SUBSCRIPTIONS as web-socket-streams.md "Live Subscribing/Unsubscribing". Returns the
  /// reply frame.
  std::string handle_stream_message(const StreamSink* sink, const std::string& text);

  /// Steps the market clock by `candles` steps -- candles, or recorded frames in capture mode (the
  /// pace timer and POST /_sim/advance call this). Returns the steps taken.
  size_t advance(size_t candles);

  StreamHub& hub() { return hub_; }
  MatchingEngine& engine() { return api_->engine(); }
  VenueApi& api() { return *api_; }
  const SimConfig& config() const { return config_; }
  int64_t now_ms() const { return config_.clock(); }

 private:
  HttpResponse handle_api(const HttpRequest& req, const std::string& path, const std::string& query);
  HttpResponse handle_control(const HttpRequest& req, const std::string& path);
  std::optional<ApiError> authenticate(const HttpRequest& req, const std::string& query, const Params& params,
                                       bool signed_endpoint, std::string& account);

  SimConfig config_;
  ListenKeys listen_keys_;
  StreamHub hub_;
  RateLimits limits_;
  RestFaults rest_faults_;
  // Latency probe (GET /_sim/latency): when the last clock step's stream events were queued,
  // and for the first new-order request after each step, the time from then to its arrival.
  std::optional<std::chrono::steady_clock::time_point> last_publish_;
  std::vector<int64_t> order_latency_us_;
  std::unique_ptr<VenueApi> api_;
};

}  // namespace tradehost::exchange_sim

#endif
