#include "http_delivery/retry_after.hpp"

#include <rapidjson/document.h>

#include <charconv>
#include <cmath>
#include <ctime>
#include <strings.h>

namespace tradehost::notify {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> seconds_to_ns(double s) {
  if (!std::isfinite(s) || s < 0 || s > 1e9) return std::nullopt;
  return static_cast<int64_t>(std::llround(s * 1e9));
}

/// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 section 5.6.7) as Unix seconds.
std::optional<int64_t> http_date(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

std::optional<std::string> header_value(std::string_view headers, std::string_view name) {
  while (!headers.empty()) {
    const size_t end = headers.find('\n');
    std::string_view line = headers.substr(0, end);
    headers = end == std::string_view::npos ? std::string_view() : headers.substr(end + 1);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = trim(line.substr(0, colon));
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0)
      return std::string(trim(line.substr(colon + 1)));
  }
  return std::nullopt;
}

// Answers are parsed iteratively: RapidJSON's default recursive descent overflows the stack on a
// body of some hundred thousand '[' (the same bug fuzz/ found in binance_common).
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag;

std::optional<int64_t> retry_after_ns(std::string_view headers, std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(body.data(), body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    auto params = doc.FindMember("parameters");
    if (params != doc.MemberEnd() && params->value.IsObject()) {
      auto ra = params->value.FindMember("retry_after");
      if (ra != params->value.MemberEnd() && ra->value.IsNumber()) return seconds_to_ns(ra->value.GetDouble());
    }
    auto ra = doc.FindMember("retry_after");
    if (ra != doc.MemberEnd() && ra->value.IsNumber()) return seconds_to_ns(ra->value.GetDouble());
  }
  const auto header = header_value(headers, "Retry-After");
  if (!header || header->empty()) return std::nullopt;
  int64_t secs = 0;
  auto [p, ec] = std::from_chars(header->data(), header->data() + header->size(), secs);
  if (ec == std::errc() && p == header->data() + header->size()) return seconds_to_ns(static_cast<double>(secs));
  const auto date = header_value(headers, "Date");
  const auto until = http_date(*header);
  const auto sent = date ? http_date(*date) : std::nullopt;
  if (!until || !sent) return std::nullopt;
  return seconds_to_ns(static_cast<double>(std::max<int64_t>(0, *until - *sent)));
}

std::string failure_text(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(body.data(), body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    for (const char* key : {"description", "message"}) {
      auto it = doc.FindMember(key);
      if (it != doc.MemberEnd() && it->value.IsString())
        return std::string(it->value.GetString(), it->value.GetStringLength());
    }
  }
  std::string out(body.substr(0, 200));
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

}  // namespace tradehost::notify
