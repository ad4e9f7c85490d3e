// Real servers on 127.0.0.1 for the net tests, written with Boost.Beast and run on the SAME
// io_context as the client under test: one thread, so a test drives both sides by running the
// loop until a condition holds (run_until), never by sleeping.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/unit/net/test_pki.hpp"

namespace tradehost::net::test {

using Field = std::pair<std::string, std::string>;

/// Runs `io` one handler at a time until `done()` holds; false when `guard` ran out first.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds guard = std::chrono::seconds(10));

/// A server TLS context presenting `cert`.
std::shared_ptr<boost::asio::ssl::context> server_tls_context(const ServerCert& cert);

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<Field> headers;
  std::string body;
  int connection = 0;          // 1 for the first accepted connection, ...
  int index_on_connection = 0;  // 0 for the first request on its connection
  std::chrono::steady_clock::time_point at;

  /// The first header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

enum class ReplyAction {
  respond,                 // answer, keep the connection open (HTTP/1.1 keep-alive)
  respond_then_close,      // answer WITHOUT "Connection: close", then close: a server's idle close
  close_without_response,  // read the request, close without answering
  stall,                   // read the request, never answer, keep the socket open
};

struct Reply {
  unsigned status = 200;
  std::vector<Field> headers;
  std::string body;
  ReplyAction action = ReplyAction::respond;
};

/// HTTP/1.1 server (plain, or TLS when given a context). Every request goes to the handler.
class LoopbackHttpServer {
 public:
  using Handler = std::function<Reply(const ReceivedRequest&)>;

  LoopbackHttpServer(boost::asio::io_context& io, Handler handler,
                     std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~LoopbackHttpServer();

  uint16_t port() const;
  /// TCP connections accepted so far.
  int accepted() const;
  /// Connections that ended (closed by either side).
  int closed() const;
  const std::vector<ReceivedRequest>& requests() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

/// WebSocket server (plain, or TLS when given a context): echoes text messages unless told not
/// to read, records what it sees, and can ping, send a close frame or drop every connection.
class LoopbackWsServer {
 public:
  struct Options {
    /// false: the server never reads after the upgrade, so the client's pings go unanswered.
    bool read = true;
    /// true: drop the TCP connection (no close frame) right after each upgrade.
    bool drop_after_upgrade = false;
  };

  LoopbackWsServer(boost::asio::io_context& io, Options options,
                   std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~LoopbackWsServer();

  uint16_t port() const;
  int accepted() const;
  /// Completed upgrades.
  int upgrades() const;
  /// Headers of the last upgrade request.
  const std::vector<Field>& last_upgrade_headers() const;
  const std::vector<std::string>& messages() const;
  /// Pongs received in answer to ping_all().
  int pongs() const;
  /// Close frames received from clients.
  int close_frames() const;

  /// Sends a ping on every open connection.
  void ping_all();
  /// Sends a close frame with `code` and `reason` on every open connection.
  void close_all(uint16_t code, const std::string& reason);
  /// Closes every TCP connection without a close frame.
  void drop_all();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tradehost::net::test
