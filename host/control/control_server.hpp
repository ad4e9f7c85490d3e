// The control API's HTTP server: Boost.Beast on the host's loop (one thread, the engine's
// io_context), HTTP/1.1 with keep-alive, optionally HTTPS only. Every request must carry
// `Authorization: Bearer <token>`; the token is compared in constant time (SHA-256 of both sides,
// then CRYPTO_memcmp), and a request without the right one gets 401 before any handler runs.
//
// It refuses to bind an address that is not loopback unless it has TLS: a bearer token sent in
// clear over a network is a token given away. What the routes do is the engine's business
// (engine/control_api.cpp); this file knows HTTP, TLS and authentication only.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace tradehost::control {

/// A problem starting the server (bad address, port in use, unreadable certificate, a
/// non-loopback address without TLS); the message says what to change.
class ControlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One authenticated request, as the handler sees it.
struct Request {
  std::string method;  ///< "GET", "POST", ...
  std::string path;    ///< the target up to '?', e.g. "/v1/orders"
  std::string query;   ///< after '?', undecoded; "" when none
  std::string body;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
};

struct ServerOptions {
  std::string host = "127.0.0.1";  ///< an IP literal or "localhost"
  uint16_t port = 0;               ///< 0 = any free port; see ControlServer::port()
  std::string token;               ///< the bearer token; must not be empty
  std::filesystem::path tls_cert, tls_key;  ///< PEM; both set = HTTPS only
  size_t max_body_bytes = 64 * 1024;
};

/// Runs on `io`; handlers run on the thread that runs `io` (the engine's loop), one at a time.
class ControlServer {
 public:
  using Handler = std::function<Response(const Request&)>;

  /// Binds and starts accepting. Throws ControlError: an empty token, a host that is neither an
  /// IP literal nor "localhost", a non-loopback address without tls_cert/tls_key, an unreadable
  /// certificate or key, or a port that cannot be bound.
  ControlServer(boost::asio::io_context& io, ServerOptions options, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  /// The bound port (the one chosen when options.port was 0).
  uint16_t port() const noexcept;
  /// "http://127.0.0.1:PORT" or "https://...".
  std::string url() const;
  /// Stops accepting and closes open connections; no handler runs afterwards.
  void stop() noexcept;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

/// True when `presented` equals `expected`, in time that does not depend on where they differ
/// (both are hashed with SHA-256 and the digests compared with CRYPTO_memcmp).
bool token_matches(std::string_view presented, std::string_view expected);

}  // namespace tradehost::control
