// request_auth.hpp -- request parameters and SIGNED endpoint security as rest-api.md defines them
// ("SIGNED (TRADE and USER_DATA) Endpoint security", "Timing security").
#ifndef TRADEHOST_EXCHANGE_SIM_REQUEST_AUTH_HPP
#define TRADEHOST_EXCHANGE_SIM_REQUEST_AUTH_HPP

#include "matching_engine.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tradehost::exchange_sim {

/// Decoded request parameters, name -> value.
using Params = std::map<std::string, std::string>;

/// Percent-decodes an x-www-form-urlencoded component ('+' is a space). Returns nullopt on a
/// malformed escape.
std::optional<std::string> url_decode(std::string_view text);

/// Merges the query string and the form body into Params. rest-api.md: "If a parameter sent in
/// both the query string and request body, the query string parameter will be used." A name
/// repeated inside one of them is -1101 "Duplicate values for a parameter detected."; a bad escape
/// is -1100 "Illegal characters found in a parameter.".
std::optional<ApiError> parse_params(std::string_view query, std::string_view body, Params& out);

/// Lowercase hex HMAC-SHA256 of `data` keyed with `secret`.
std::string hmac_sha256_hex(std::string_view secret, std::string_view data);

/// totalParams of rest-api.md ("the query string concatenated with the request body"), with the
/// `signature=...` parameter removed from whichever part carries it, byte for byte otherwise, so
/// it is exactly what the client signed. The signature's raw value goes to `signature`.
std::string total_params(std::string_view query, std::string_view body, std::string& signature);

/// What a SIGNED request must prove, checked in this order:
/// -1102 when `signature` or `timestamp` is missing; -1022 "Signature for this request is not
/// valid." unless HMAC-SHA256(secret, totalParams) equals the signature (hex, "not case
/// sensitive"); -1130 when recvWindow is not a number in 0..60000 ("The max cannot go beyond
/// 60,000"); -1021 when the timing rule fails:
///   if (timestamp < (serverTime + 1000) && (serverTime - timestamp) <= recvWindow) process
/// with recvWindow 5000 when absent. All errors are HTTP 400.
std::optional<ApiError> check_signed(std::string_view secret, std::string_view query, std::string_view body,
                                     const Params& params, int64_t server_time_ms);

/// -2014 "API-key format invalid." (HTTP 401) unless the X-MBX-APIKEY value is non-empty and
/// alphanumeric (real keys are 64 alphanumerics; the simulator accepts any length so test keys
/// can be short names).
std::optional<ApiError> check_api_key_format(std::string_view key);

}  // namespace tradehost::exchange_sim

#endif
