#include "net/url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tradehost::net {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::optional<Url> fail(std::string* error, std::string reason) {
  if (error) *error = std::move(reason);
  return std::nullopt;
}

uint16_t default_port(Scheme s) { return (s == Scheme::https || s == Scheme::wss) ? 443 : 80; }

}  // namespace

std::string Url::host_header() const {
  // Appends rather than `"[" + host`: g++ 12 warns falsely (-Wrestrict, GCC PR 105329) on that.
  std::string h;
  const bool ipv6 = host.find(':') != std::string::npos;
  if (ipv6) h += '[';
  h += host;
  if (ipv6) h += ']';
  if (port != default_port(scheme)) {
    h += ':';
    h += std::to_string(port);
  }
  return h;
}

std::optional<Url> parse_url(std::string_view text, std::string* error) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return fail(error, "not an absolute URL (no '://'): " + std::string(text));
  const std::string scheme = lower(text.substr(0, sep));
  Url url;
  if (scheme == "http") url.scheme = Scheme::http;
  else if (scheme == "https") url.scheme = Scheme::https;
  else if (scheme == "ws") url.scheme = Scheme::ws;
  else if (scheme == "wss") url.scheme = Scheme::wss;
  else return fail(error, "unsupported URL scheme '" + scheme + "' (http, https, ws, wss)");

  std::string_view rest = text.substr(sep + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    url.target.clear();
    if (rest[path_start] == '?') url.target += '/';
    url.target += rest.substr(path_start);
  }
  if (authority.find('@') != std::string_view::npos) return fail(error, "user info in URLs is not supported");

  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail(error, "unterminated IPv6 literal in URL");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(error, "unexpected text after IPv6 literal in URL");
      port = after.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return fail(error, "URL has an empty host: " + std::string(text));
  url.host = lower(host);
  url.port = default_port(url.scheme);
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
      return fail(error, "invalid port '" + std::string(port) + "' in URL");
    url.port = static_cast<uint16_t>(value);
  }
  return url;
}

}  // namespace tradehost::net
