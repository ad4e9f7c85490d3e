#include "signed_request.hpp"

#include "json_fields.hpp"

#include <rapidjson/document.h>

namespace tradehost::binance {

namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Floor division, so times before the epoch (tests only) round the same way as after it.
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

QueryString& QueryString::add(std::string_view key, std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  if (!text_.empty()) text_ += '&';
  text_.append(key);
  text_ += '=';
  for (char c : value) {
    if (unreserved(c)) {
      text_ += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      text_ += '%';
      text_ += kHex[b >> 4];
      text_ += kHex[b & 15];
    }
  }
  return *this;
}

QueryString& QueryString::add(std::string_view key, int64_t value) { return add(key, std::to_string(value)); }

bool sign_query(std::string& query, int64_t timestamp_ms, int64_t recv_window_ms, const SignFn& sign,
                std::string& error) {
  std::string text = query;
  if (!text.empty()) text += '&';
  text += "recvWindow=" + std::to_string(recv_window_ms) + "&timestamp=" + std::to_string(timestamp_ms);
  std::string signature;
  if (!sign(text, signature, error)) return false;
  text += "&signature=";
  text += signature;
  query = std::move(text);
  return true;
}

void ServerClock::on_server_time(th_time_ns sent, th_time_ns received, int64_t server_time_ms) noexcept {
  const th_time_ns midpoint = sent + (received - sent) / 2;
  offset_ms_ = server_time_ms - floor_div(midpoint, 1'000'000);
  synced_ = true;
}

int64_t ServerClock::server_ms(th_time_ns now) const noexcept { return floor_div(now, 1'000'000) + offset_ms_; }

th_time_ns ServerClock::host_time(int64_t server_ms) const noexcept { return (server_ms - offset_ms_) * 1'000'000; }

bool parse_server_time(std::string_view body, int64_t& server_time_ms, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "server time", doc, error)) return false;
  return detail::JsonFields(doc, "server time", error).i64("serverTime", server_time_ms);
}

}  // namespace tradehost::binance
