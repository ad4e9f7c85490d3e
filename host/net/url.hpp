// Absolute http(s)/ws(s) URLs as the network clients need them: scheme, host, port, target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tradehost::net {

enum class Scheme { http, https, ws, wss };

/// An absolute URL split into what a connection needs.
struct Url {
  Scheme scheme = Scheme::http;
  /// Host name or IP literal, without brackets for IPv6 (`::1`, not `[::1]`). Lowercased:
  /// DNS names are case-insensitive and the connection pool keys on it.
  std::string host;
  /// Explicit port, or the scheme's default (80 for http/ws, 443 for https/wss).
  uint16_t port = 80;
  /// Path and query as sent on the request line (`/api/v3/order?symbol=BTCUSDT`); "/" when the
  /// URL has no path. A fragment (`#...`) is dropped: it never goes on the wire.
  std::string target = "/";

  /// True for https and wss.
  bool tls() const { return scheme == Scheme::https || scheme == Scheme::wss; }
  /// `host:port` as the Host header wants it (brackets around IPv6 literals; the port is left
  /// out when it is the scheme's default, as RFC 9110 section 7.2 allows and servers expect).
  std::string host_header() const;
};

/// Parses `scheme://host[:port][/path][?query][#fragment]` for the schemes above (case-
/// insensitive). Returns nullopt and sets `error` (when given) to a one-line reason for anything
/// else: another scheme, user info (`user:pass@`, credentials never travel in URLs here), an
/// empty host, a port outside 1..65535.
std::optional<Url> parse_url(std::string_view text, std::string* error = nullptr);

}  // namespace tradehost::net
