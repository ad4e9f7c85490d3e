// Sends Binance REST requests through the host's networking services (plugin.h ABI 1.2:
// http_request, credential_api_key, sign): builds the URL, adds the X-MBX-APIKEY header where the
// endpoint's security type asks for it and signs SIGNED requests with the host's credential, so
// the secret never reaches the plugin. Spot and USD-M futures share the scheme (rest-api.md
// 2023-06-07 "Endpoint security type", "SIGNED (TRADE and USER_DATA) Endpoint security").
#ifndef TRADEHOST_BINANCE_REST_CLIENT_HPP
#define TRADEHOST_BINANCE_REST_CLIENT_HPP

#include "signed_request.hpp"

#include <tradehost/plugin.h>

#include <cstdint>
#include <string>

namespace tradehost::binance {

/// How an endpoint authenticates: NONE, USER_STREAM / MARKET_DATA (API key header only), TRADE /
/// USER_DATA (API key header and signature).
enum class Security : uint8_t { None, ApiKey, Signed };

/// One request to make.
struct RestCall {
  int32_t method = TH_HTTP_GET;     ///< TH_HTTP_*
  std::string path;                 ///< "/api/v3/order"
  QueryString params;               ///< without recvWindow, timestamp and signature
  Security security = Security::None;
  std::string budgets;              ///< th_http_request.budgets: "name=weight,..."
  uint32_t flags = 0;               ///< TH_HTTP_IDEMPOTENT / TH_HTTP_NOT_IDEMPOTENT
};

/// What was sent: the host's request id (0 when refused), the host time it was queued and, for a
/// SIGNED request, the `timestamp` it carried (server milliseconds; 0 otherwise).
struct RestSent {
  uint64_t request_id = 0;
  th_time_ns queued_at = 0;
  int64_t timestamp_ms = 0;
};

/// One instance's requests to one REST base URL. Holds the host pointers it is given (valid for the
/// instance's life, plugin.h); not thread-safe (the host loop calls everything).
class RestClient {
 public:
  /// `base_url` without a trailing '/', e.g. "https://api.binance.com"; `venue` names the host's
  /// rate-limit holds ("binance-spot"); `recv_window_ms` goes into every SIGNED request.
  RestClient(th_instance* self, const th_host_api* host, std::string base_url, std::string venue,
             int64_t recv_window_ms);

  /// True when the instance has a credential (its TH_CFG_CREDENTIAL key names one), so ApiKey and
  /// Signed calls can be made.
  bool has_credential() const;

  /// Queues `call` with `cookie` (the answer arrives as on_http(id, cookie, ..)). Returns a zero
  /// request_id with `error` when nothing was sent: no credential for an ApiKey/Signed call,
  /// signing failed, or the host refused the request at once.
  RestSent send(const RestCall& call, uint64_t cookie, std::string& error);

  ServerClock& clock() noexcept { return clock_; }
  const ServerClock& clock() const noexcept { return clock_; }
  /// The whole exchange of every request, once the host's budgets admit it (ms; 0 = the host's
  /// default of 10 s). An order POST that times out has an unknown outcome.
  void set_timeout_ms(uint32_t ms) noexcept { timeout_ms_ = ms; }
  int64_t recv_window_ms() const noexcept { return recv_window_ms_; }
  const std::string& base_url() const noexcept { return base_url_; }

 private:
  bool api_key(std::string& out, std::string& error) const;

  th_instance* self_;
  const th_host_api* host_;
  std::string base_url_;
  std::string venue_;
  int64_t recv_window_ms_;
  uint32_t timeout_ms_ = 0;
  ServerClock clock_;
};

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_REST_CLIENT_HPP
