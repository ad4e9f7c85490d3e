#include "request_auth.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <charconv>

namespace tradehost::exchange_sim {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<ApiError> parse_part(std::string_view text, Params& part) {
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view item = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    auto name = url_decode(item.substr(0, eq));
    auto value = url_decode(eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1));
    if (!name || !value) return ApiError{400, -1100, "Illegal characters found in a parameter."};
    if (!part.emplace(*name, *value).second) return ApiError{400, -1101, "Duplicate values for a parameter detected."};
  }
  return std::nullopt;
}

// Removes the signature parameter from one '&'-separated part, keeping every other byte.
std::string strip_signature(std::string_view part, std::string& signature) {
  std::string out;
  bool first = true;
  while (true) {
    size_t amp = part.find('&');
    std::string_view item = part.substr(0, amp);
    if (item.substr(0, 10) == "signature=") {
      signature = std::string(item.substr(10));
    } else {
      if (!first) out += '&';
      out.append(item);
      first = false;
    }
    if (amp == std::string_view::npos) break;
    part.remove_prefix(amp + 1);
  }
  return out;
}

bool parse_i64(const std::string& text, int64_t& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size() && !text.empty();
}

ApiError mandatory(const char* name) {
  return {400, -1102, std::string("Mandatory parameter '") + name + "' was not sent, was empty/null, or malformed."};
}

}  // namespace

std::optional<std::string> url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<ApiError> parse_params(std::string_view query, std::string_view body, Params& out) {
  Params q, b;
  if (auto e = parse_part(query, q)) return e;
  if (auto e = parse_part(body, b)) return e;
  out = std::move(q);
  out.insert(b.begin(), b.end());  // insert keeps the query's value on a clash
  return std::nullopt;
}

std::string hmac_sha256_hex(std::string_view secret, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string total_params(std::string_view query, std::string_view body, std::string& signature) {
  return strip_signature(query, signature) + strip_signature(body, signature);
}

std::optional<ApiError> check_signed(std::string_view secret, std::string_view query, std::string_view body,
                                     const Params& params, int64_t server_time_ms) {
  auto sig = params.find("signature");
  if (sig == params.end() || sig->second.empty()) return mandatory("signature");
  auto ts = params.find("timestamp");
  int64_t timestamp = 0;
  if (ts == params.end() || !parse_i64(ts->second, timestamp)) return mandatory("timestamp");

  std::string sent;
  std::string payload = total_params(query, body, sent);
  std::string expected = hmac_sha256_hex(secret, payload);
  std::string given = sig->second;  // decoded; a hex signature decodes to itself
  for (auto& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (given != expected) return ApiError{400, -1022, "Signature for this request is not valid."};

  int64_t recv_window = 5000;
  if (auto rw = params.find("recvWindow"); rw != params.end())
    if (!parse_i64(rw->second, recv_window) || recv_window < 0 || recv_window > 60000)
      return ApiError{400, -1130, "Data sent for parameter 'recvWindow' is not valid."};
  if (timestamp >= server_time_ms + 1000)
    return ApiError{400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."};
  if (server_time_ms - timestamp > recv_window)
    return ApiError{400, -1021, "Timestamp for this request is outside of the recvWindow."};
  return std::nullopt;
}

std::optional<ApiError> check_api_key_format(std::string_view key) {
  bool ok = !key.empty();
  for (char c : key) ok = ok && std::isalnum(static_cast<unsigned char>(c));
  if (!ok) return ApiError{401, -2014, "API-key format invalid."};
  return std::nullopt;
}

}  // namespace tradehost::exchange_sim
