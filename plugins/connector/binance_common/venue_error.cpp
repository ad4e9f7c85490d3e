#include "venue_error.hpp"

#include "json_fields.hpp"

#include <rapidjson/document.h>

#include <cctype>
#include <charconv>

namespace tradehost::binance {

bool parse_api_error(int32_t http_status, std::string_view body, ApiError& out) {
  out = ApiError{};
  out.http_status = http_status;
  rapidjson::Document doc;
  std::string ignored;
  if (detail::parse_document(body, "error", doc, ignored)) {
    detail::JsonFields f(doc, "error", ignored);
    int64_t code = 0;
    std::string msg;
    if (f.i64("code", code) && f.str("msg", msg)) {
      out.code = code;
      out.msg = std::move(msg);
      return true;
    }
  }
  out.msg.assign(body.substr(0, 200));
  return false;
}

ErrorAction classify(const ApiError& e) {
  if (e.http_status >= 500) return ErrorAction::OutcomeUnknown;
  switch (e.code) {
    case -1000:  // UNKNOWN: "An unknown error occurred while processing the request."
    case -1001:  // DISCONNECTED: "Internal error; unable to process your request."
    case -1006:  // UNEXPECTED_RESP: "Execution status unknown."
    case -1007:  // TIMEOUT: "Send status unknown; execution status unknown."
      return ErrorAction::OutcomeUnknown;
    default:
      break;
  }
  if (e.http_status == 429 || e.http_status == 418) return ErrorAction::RateLimited;
  switch (e.code) {
    case -1003:  // TOO_MANY_REQUESTS
    case -1008:  // SERVER_BUSY
    case -1015:  // TOO_MANY_ORDERS
      return ErrorAction::RateLimited;
    case -1021:  // INVALID_TIMESTAMP
      return ErrorAction::ResyncClock;
    default:
      return ErrorAction::Rejected;
  }
}

th_status status_of(ErrorAction action) {
  switch (action) {
    case ErrorAction::Rejected: return TH_ERR_REJECTED;
    case ErrorAction::RateLimited:
    case ErrorAction::ResyncClock: return TH_ERR_RETRY;
    case ErrorAction::OutcomeUnknown: return TH_ERR_IO;
  }
  return TH_ERR_INTERNAL;
}

std::string_view to_string(ErrorAction action) {
  switch (action) {
    case ErrorAction::OutcomeUnknown: return "OutcomeUnknown";
    case ErrorAction::RateLimited: return "RateLimited";
    case ErrorAction::ResyncClock: return "ResyncClock";
    case ErrorAction::Rejected: return "Rejected";
  }
  return "?";
}

int64_t retry_after_seconds(std::string_view headers) {
  constexpr std::string_view kName = "retry-after";
  while (!headers.empty()) {
    const size_t end = headers.find('\n');
    std::string_view line = headers.substr(0, end);
    headers = end == std::string_view::npos ? std::string_view() : headers.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t colon = line.find(':');
    if (colon != kName.size()) continue;
    bool same = true;
    for (size_t i = 0; i < kName.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    if (!same) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    int64_t seconds = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    return ec == std::errc() && p == value.data() + value.size() && seconds > 0 ? seconds : 0;
  }
  return 0;
}

std::string describe(const ApiError& e) {
  // Appended piecewise: g++ 12 warns (-Wrestrict) on a " " + string chain.
  std::string out = "HTTP ";
  out += std::to_string(e.http_status);
  if (e.code != 0) {
    out += ' ';
    out += std::to_string(e.code);
  }
  if (!e.msg.empty()) {
    out += ' ';
    out += e.msg;
  }
  return out;
}

}  // namespace tradehost::binance
