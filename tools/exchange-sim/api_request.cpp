#include "api_request.hpp"

#include "json_writer.hpp"

#include <algorithm>
#include <charconv>
#include <regex>

namespace tradehost::exchange_sim {

namespace {

bool to_i64(const std::string& text, int64_t& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string error_json(const ApiError& e) {
  Json j;
  j.obj().n("code", e.code).f("msg", e.msg).end_obj();
  return j.text();
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse error_response(const ApiError& e) { return json_response(e.http_status, error_json(e)); }

ApiError mandatory(const std::string& name) {
  return {400, -1102, "Mandatory parameter '" + name + "' was not sent, was empty/null, or malformed."};
}

ApiError not_required(const std::string& name) {
  return {400, -1106, "Parameter '" + name + "' sent when not required."};
}

ApiError one_of_mandatory(const std::string& a, const std::string& b) {
  return {400, -1102, "Param '" + a + "' or '" + b + "' must be sent, but both were empty/null!"};
}

const std::string* param(const Params& p, const char* name) {
  auto it = p.find(name);
  return it == p.end() || it->second.empty() ? nullptr : &it->second;
}

std::optional<ApiError> long_param(const Params& p, const char* name, std::optional<int64_t>& out) {
  const std::string* v = param(p, name);
  if (v == nullptr) return std::nullopt;
  int64_t x = 0;
  if (!to_i64(*v, x)) return ApiError{400, -1100, std::string("Illegal characters found in parameter '") + name +
                                                     "'; legal range is '^[0-9]{1,20}$'."};
  out = x;
  return std::nullopt;
}

std::optional<ApiError> decimal_param(const Params& p, const char* name, int64_t& out) {
  const std::string* v = param(p, name);
  if (v == nullptr) return mandatory(name);
  static const std::regex kDecimal(R"(^([0-9]{1,20})(\.[0-9]{1,20})?$)");
  if (!std::regex_match(*v, kDecimal))
    return ApiError{400, -1100, std::string("Illegal characters found in parameter '") + name +
                                    "'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."};
  if (!parse_fixed(*v, kScale, out)) return ApiError{400, -1111, "Precision is over the maximum defined for this asset."};
  return std::nullopt;
}

std::optional<ApiError> bool_param(const Params& p, const char* name, bool& out) {
  const std::string* v = param(p, name);
  if (v == nullptr) return std::nullopt;
  if (*v == "true" || *v == "TRUE") out = true;
  else if (*v == "false" || *v == "FALSE") out = false;
  else return ApiError{400, -1130, std::string("Data sent for parameter '") + name + "' is not valid."};
  return std::nullopt;
}

std::optional<ApiError> check_symbol(const Params& p, const SymbolRules& rules) {
  const std::string* s = param(p, "symbol");
  if (s == nullptr) return mandatory("symbol");
  if (*s != rules.symbol) return ApiError{400, -1121, "Invalid symbol."};
  return std::nullopt;
}

std::optional<ApiError> symbol_param(const Params& p, const MatchingEngine& ex, const SymbolRules*& out) {
  const std::string* s = param(p, "symbol");
  if (s == nullptr) return mandatory("symbol");
  out = ex.find_rules(*s);
  if (out == nullptr) return ApiError{400, -1121, "Invalid symbol."};
  return std::nullopt;
}

std::optional<ApiError> client_order_id_param(const Params& p, std::string& out) {
  const std::string* cid = param(p, "newClientOrderId");
  if (cid == nullptr) return std::nullopt;
  static const std::regex kClientId(R"(^[\.A-Z\:/a-z0-9_-]{1,36}$)");
  if (!std::regex_match(*cid, kClientId))
    return ApiError{400, -1100,
                    "Illegal characters found in parameter 'newClientOrderId'; legal range is "
                    "'^[\\.A-Z\\:/a-z0-9_-]{1,36}$'."};
  out = *cid;
  return std::nullopt;
}

std::optional<ApiError> select_trades(const std::vector<Fill>& all, const Params& p, std::vector<Fill>& rows) {
  std::optional<int64_t> order_id, start, end, from_id, limit;
  for (auto [name, slot] : {std::pair{"orderId", &order_id}, {"startTime", &start}, {"endTime", &end},
                            {"fromId", &from_id}, {"limit", &limit}})
    if (auto e = long_param(p, name, *slot)) return e;
  const size_t n = std::clamp<int64_t>(limit.value_or(500), 1, 1000);
  rows.clear();
  for (const Fill& f : all) {
    if (order_id && f.order_id != *order_id) continue;
    if (start && f.time_ms < *start) continue;
    if (end && f.time_ms > *end) continue;
    if (from_id && f.trade_id < *from_id) continue;
    rows.push_back(f);
  }
  // fromId reads forward from that id; otherwise "most recent trades are returned".
  if (rows.size() > n) {
    if (from_id)
      rows.resize(n);
    else
      rows.erase(rows.begin(), rows.end() - static_cast<std::ptrdiff_t>(n));
  }
  return std::nullopt;
}

std::optional<ApiError> select_klines(const MatchingEngine& ex, const Params& p, int64_t max_limit, size_t& first,
                                      size_t& last) {
  if (auto e = check_symbol(p, ex.rules())) return e;
  const std::string* interval = param(p, "interval");
  if (interval == nullptr) return mandatory("interval");
  if (*interval != ex.series().interval) return ApiError{400, -1120, "Invalid interval."};
  // Only candles that have "happened": the clock's candle and those before it.
  const auto& c = ex.series().candles;
  std::vector<int64_t> open_times;
  for (size_t i = 0; i <= ex.current_index(); ++i) open_times.push_back(c[i].open_time_ms);
  return select_kline_rows(open_times, p, max_limit, first, last);
}

std::optional<ApiError> select_kline_rows(const std::vector<int64_t>& open_times, const Params& p, int64_t max_limit,
                                          size_t& first, size_t& last) {
  std::optional<int64_t> start, end, limit;
  for (auto [name, slot] : {std::pair{"startTime", &start}, {"endTime", &end}, {"limit", &limit}})
    if (auto e = long_param(p, name, *slot)) return e;
  const size_t n = std::clamp<int64_t>(limit.value_or(500), 1, max_limit);
  const size_t visible = open_times.size();
  auto opens_before = [&](int64_t t) {
    return static_cast<size_t>(std::lower_bound(open_times.begin(), open_times.end(), t) - open_times.begin());
  };
  last = end ? opens_before(*end + 1) : visible;  // open_time <= endTime
  first = start ? opens_before(*start) : (last > n ? last - n : 0);
  if (first > last) first = last;
  last = std::min(last, first + n);
  return std::nullopt;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return out;
}

}  // namespace tradehost::exchange_sim
