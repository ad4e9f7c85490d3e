// Binance REST request text: query strings, the parameters of SIGNED endpoints (timestamp,
// recvWindow, signature) and the server-time offset their timestamps need. Spot (/api/v3) and
// USD-M futures (/fapi/v1) share the scheme. Sources: binance/binance-spot-api-docs rest-api.md
// (2023-06-07) "SIGNED (TRADE and USER_DATA) Endpoint security", its "Timing security" and
// "SIGNED Endpoint Examples for POST /api/v3/order", and "Check server time".
#ifndef TRADEHOST_BINANCE_SIGNED_REQUEST_HPP
#define TRADEHOST_BINANCE_SIGNED_REQUEST_HPP

#include <tradehost/plugin.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace tradehost::binance {

/// An application/x-www-form-urlencoded query string, parameters in the order they are added
/// ("symbol=LTCBTC&side=BUY"). Values are percent-encoded except RFC 3986's unreserved characters
/// (A-Z a-z 0-9 - . _ ~), so decimals, symbols and the host's client order ids pass unchanged;
/// keys are Binance's own parameter names and are written as given.
class QueryString {
 public:
  QueryString& add(std::string_view key, std::string_view value);
  QueryString& add(std::string_view key, int64_t value);
  const std::string& text() const noexcept { return text_; }
  bool empty() const noexcept { return text_.empty(); }

 private:
  std::string text_;
};

/// Computes the signature of `payload` (the text sent, byte for byte) into `signature`; false
/// with `error` when it cannot. The connectors wrap th_host_api.sign(TH_SIGN_HMAC_SHA256_HEX):
/// the secret never reaches the plugin.
using SignFn = std::function<bool(std::string_view payload, std::string& signature, std::string& error)>;

/// Makes `query` the complete parameter text of a SIGNED request: appends
/// "recvWindow=<recv_window_ms>&timestamp=<timestamp_ms>" (after '&' unless `query` is empty),
/// signs the whole text as totalParams -- every parameter travels in the query string, the body
/// stays empty, so totalParams is the query string ("SIGNED Endpoint Examples", Example 2) -- and
/// appends "&signature=<signature>". Returns false with `error` (and `query` unchanged) when
/// signing fails. recvWindow: "the number of milliseconds after timestamp the request is valid
/// for", at most 60000.
bool sign_query(std::string& query, int64_t timestamp_ms, int64_t recv_window_ms, const SignFn& sign,
                std::string& error);

/// The venue's clock seen from the host's: Binance rejects a SIGNED request unless
/// timestamp < serverTime + 1000 and serverTime - timestamp <= recvWindow ("Timing security"),
/// so timestamps are the host clock plus the offset measured with GET /api/v3/time. Until the
/// first measurement the offset is 0.
class ServerClock {
 public:
  /// One GET /api/v3/time exchange: the request was queued at host time `sent`, its answer
  /// arrived at `received`, and it carried `server_time_ms`. The server read its clock somewhere
  /// in between; the midpoint is the best single guess, so offset = serverTime - midpoint (ms,
  /// rounded down). A request the rate limiter held before sending widens the interval and so
  /// the error, by at most half the wait.
  void on_server_time(th_time_ns sent, th_time_ns received, int64_t server_time_ms) noexcept;
  /// The venue's Unix milliseconds at host time `now`.
  int64_t server_ms(th_time_ns now) const noexcept;
  /// The host time at which the venue's clock reads `server_ms`.
  th_time_ns host_time(int64_t server_ms) const noexcept;
  int64_t offset_ms() const noexcept { return offset_ms_; }
  bool synced() const noexcept { return synced_; }

 private:
  int64_t offset_ms_ = 0;
  bool synced_ = false;
};

/// Reads {"serverTime": <ms>} (GET /api/v3/time, GET /fapi/v1/time). False with `error` otherwise.
bool parse_server_time(std::string_view body, int64_t& server_time_ms, std::string& error);

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_SIGNED_REQUEST_HPP
