// Binance error answers ({"code": -1121, "msg": "Invalid symbol."}, rest-api.md "Error Codes",
// errors.md) and what a connector must do about each: the same codes on spot and USD-M futures.
#ifndef TRADEHOST_BINANCE_VENUE_ERROR_HPP
#define TRADEHOST_BINANCE_VENUE_ERROR_HPP

#include <tradehost/plugin.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace tradehost::binance {

/// One error answer: the HTTP status, and the body's code and msg.
struct ApiError {
  int32_t http_status = 0;
  int64_t code = 0;  ///< 0 when the body is not a Binance error object
  std::string msg;   ///< the venue's own words; the body's first 200 bytes when it is not an error object
};

/// Reads an error answer. Always fills `out`; returns false when `body` is not
/// {"code": <int>, "msg": <string>} (a WAF page, an empty 5xx), and `out.msg` then holds the
/// start of the body so the reason still says something.
bool parse_api_error(int32_t http_status, std::string_view body, ApiError& out);

/// What an error means for the request that got it. Checked in this order:
enum class ErrorAction : uint8_t {
  /// HTTP 5XX ("the execution status is UNKNOWN and could have been a success", rest-api.md
  /// "HTTP Return Codes"), -1000 UNKNOWN, -1001 DISCONNECTED, -1006 UNEXPECTED_RESP and
  /// -1007 TIMEOUT ("execution status unknown"): the request may have taken effect. Never send an
  /// order again on this; ask the venue what became of it.
  OutcomeUnknown,
  /// HTTP 429 or 418, -1003 TOO_MANY_REQUESTS, -1015 TOO_MANY_ORDERS, -1008 SERVER_BUSY ("try
  /// again in a few minutes"): refused before execution; the same request may be sent later.
  RateLimited,
  /// -1021 INVALID_TIMESTAMP: refused before execution because the timestamp was outside
  /// recvWindow; measure the server-time offset again, then the request may be sent again.
  ResyncClock,
  /// Everything else: -1013 and the filter failures, the other 11xx request errors, -2010
  /// NEW_ORDER_REJECTED, -2011 CANCEL_REJECTED, -2013 NO_SUCH_ORDER, -2014/-2015 key errors, -1022
  /// bad signature, other 4XX answers. A definite refusal: nothing happened, and `msg` is the
  /// reason to report.
  Rejected,
};

ErrorAction classify(const ApiError& e);

/// The SDK status for an action: Rejected -> TH_ERR_REJECTED; RateLimited and ResyncClock ->
/// TH_ERR_RETRY (transient: retry after waiting / after the resync); OutcomeUnknown -> TH_ERR_IO
/// (not retryable as such: find out first).
th_status status_of(ErrorAction action);

/// "ResyncClock", "RateLimited", ... for logs.
std::string_view to_string(ErrorAction action);

/// The Retry-After header of a response's "Name: value" lines (CRLF), in seconds; 0 when there
/// is none or it is not a plain number (rest-api.md "IP Limits": sent with 429 and 418).
int64_t retry_after_seconds(std::string_view headers);

/// "HTTP 400 -2010 Account has insufficient balance for requested action." for logs and reasons.
std::string describe(const ApiError& e);

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_VENUE_ERROR_HPP
