// api_request.hpp -- one REST request and its answer as the venue APIs see them (the Beast server
// turns sockets into these and back), plus the parameter rules both Binance APIs share: typed
// parameters and the error each malformed one earns (spot errors.md, USDⓈ-M "Error Codes" 11xx,
// which use the same codes and texts).
#ifndef TRADEHOST_EXCHANGE_SIM_API_REQUEST_HPP
#define TRADEHOST_EXCHANGE_SIM_API_REQUEST_HPP

#include "matching_engine.hpp"
#include "request_auth.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tradehost::exchange_sim {

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

/// {"code":-1121,"msg":"Invalid symbol."}
std::string error_json(const ApiError& e);
HttpResponse json_response(int status, std::string body);
HttpResponse error_response(const ApiError& e);

/// -1102 "Mandatory parameter '<name>' was not sent, was empty/null, or malformed."
ApiError mandatory(const std::string& name);
/// -1106 "Parameter '<name>' sent when not required."
ApiError not_required(const std::string& name);
/// -1102 "Param '<a>' or '<b>' must be sent, but both were empty/null!"
ApiError one_of_mandatory(const std::string& a, const std::string& b);

/// The value of a parameter, or nullptr when it is absent or empty.
const std::string* param(const Params& p, const char* name);
/// A LONG/INT parameter; absent -> nullopt left in `out`, malformed -> -1100.
std::optional<ApiError> long_param(const Params& p, const char* name, std::optional<int64_t>& out);
/// A DECIMAL parameter (which must be present) at kScale. More than 8 decimals is -1111 "Precision
/// is over the maximum defined for this asset."; anything else malformed -1100.
std::optional<ApiError> decimal_param(const Params& p, const char* name, int64_t& out);
/// A BOOLEAN parameter "true" / "false"; absent leaves `out`; anything else -1130.
std::optional<ApiError> bool_param(const Params& p, const char* name, bool& out);
/// `symbol` must be sent (-1102) and be the simulator's one symbol (-1121 "Invalid symbol.").
std::optional<ApiError> check_symbol(const Params& p, const SymbolRules& rules);
/// `symbol` must be sent (-1102) and be one of the engine's symbols (-1121 "Invalid symbol.");
/// `out` then points at its rules.
std::optional<ApiError> symbol_param(const Params& p, const MatchingEngine& ex, const SymbolRules*& out);
/// newClientOrderId's legal range, '^[\.A-Z\:/a-z0-9_-]{1,36}$' (-1100 otherwise).
std::optional<ApiError> client_order_id_param(const Params& p, std::string& out);

/// Which of the account's fills a trade list query (spot myTrades, USDⓈ-M userTrades) returns:
/// filtered by orderId / startTime / endTime / fromId, at most `limit` (default 500, max 1000);
/// with fromId the first ones from there, otherwise "the most recent trades".
std::optional<ApiError> select_trades(const std::vector<Fill>& all, const Params& p, std::vector<Fill>& out);

/// Which candles [first, last) a klines query returns: `symbol` and `interval` checked (only the
/// candle file's own interval is served, -1120 "Invalid interval." otherwise), then only candles
/// that have "happened" (up to the clock's), paged by startTime / endTime / limit (default 500, at
/// most `max_limit`). Candle mode only.
std::optional<ApiError> select_klines(const MatchingEngine& ex, const Params& p, int64_t max_limit, size_t& first,
                                      size_t& last);
/// The same paging over any open times in ascending order: rows [first, last) of `open_times`
/// that a klines query with startTime / endTime / limit (default 500, at most `max_limit`) returns.
std::optional<ApiError> select_kline_rows(const std::vector<int64_t>& open_times, const Params& p, int64_t max_limit,
                                          size_t& first, size_t& last);

std::string lower(std::string s);
std::vector<std::string> split(const std::string& s, char sep);

}  // namespace tradehost::exchange_sim

#endif
