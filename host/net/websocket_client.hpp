// WebSocket client on the host loop (Boost.Beast; ws:// and wss:// with the TLS checks of
// net/tls.hpp) that stays connected: it answers the server's pings, pings the server and treats
// a missing pong as a dead connection, and reconnects with exponential backoff and jitter.
//
// EVENTS, in the order an owner (a connector) sees them:
//   on_opened   after every successful (re)connect: subscribe, then resynchronise (fetch a
//               snapshot), because whatever the stream sent while it was down is gone.
//   on_message  each complete message, in order.
//   on_closed   exactly once per connect attempt that ends, BEFORE the reconnect is scheduled,
//               with the reason and the delay until the next attempt: local state derived from
//               the stream (order books, subscriptions) is stale from here on. A failed connect
//               attempt reports one too (was_open = false). After close() the last one has
//               will_reconnect = false and nothing follows.
// Messages queued with send() are not carried over a reconnect: the owner resends after opened.
//
// Threading: the loop thread only; callbacks are invoked from loop handlers, never from inside
// start(), send() or close().
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/backoff.hpp"
#include "net/rate_limiter.hpp"
#include "net/tls.hpp"
#include "net/url.hpp"

namespace tradehost::net {

enum class WsCloseReason {
  /// Resolve, connect, TLS or the WebSocket upgrade failed, or connect_timeout expired.
  connect_failed,
  /// The server sent a close frame (the message has its code and reason).
  server_closed,
  /// The connection broke without a close frame (reset, EOF, read or write error).
  connection_lost,
  /// No pong within WebSocketOptions::pong_timeout of a ping: the connection is presumed dead.
  ping_timeout,
  /// close() was called. The only reason after which no reconnect follows.
  client_closed,
};

std::string_view to_string(WsCloseReason reason);

struct WsClosed {
  WsCloseReason reason = WsCloseReason::connection_lost;
  /// One line: "close frame 1001 (going away): restart", "no pong within 250 ms", ...
  std::string message;
  /// False when the attempt failed before the upgrade completed (no on_opened was sent).
  bool was_open = false;
  bool will_reconnect = true;
  /// Delay until the next connect attempt (backoff_delay of `attempt - 1`); 0 when not reconnecting.
  std::chrono::milliseconds reconnect_in{0};
  /// Consecutive failed attempts including this one (1, 2, ...); reset once a connection stays
  /// open for WebSocketOptions::stable_after.
  uint32_t attempt = 0;
};

struct WebSocketOptions {
  TlsOptions tls;
  /// Extra headers on the upgrade request (e.g. an API key header).
  std::vector<HeaderField> headers;
  /// Resolve + TCP connect + TLS + upgrade must finish within this.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Send a ping this long after the previous one (0: never ping). Binance spot streams ping the
  /// client every 20 s and drop it after a minute without a pong; our own pings catch a dead
  /// path faster than TCP would.
  std::chrono::milliseconds ping_interval{20'000};
  /// A ping not answered within this marks the connection dead (closed with ping_timeout).
  std::chrono::milliseconds pong_timeout{10'000};
  BackoffPolicy backoff;
  /// A connection that stayed open this long resets the backoff to its first step. Resetting on
  /// every open would let a server that accepts and immediately drops us cause a reconnect storm.
  std::chrono::milliseconds stable_after{30'000};
  /// How long close() waits for the server's close frame before dropping the connection.
  std::chrono::milliseconds close_timeout{5'000};
  /// Larger incoming messages are a protocol error (the connection is dropped and reconnected).
  uint64_t max_message_bytes = 16ull << 20;
};

struct WebSocketHandlers {
  std::function<void()> on_opened;
  /// `message` is valid during the call only. `binary` is false for text frames.
  std::function<void(std::string_view message, bool binary)> on_message;
  std::function<void(const WsClosed& event)> on_closed;
};

enum class WsState { idle, connecting, open, closing, waiting_to_reconnect, closed };

class WebSocketClient {
 public:
  /// `url` is ws:// or wss://; throws std::invalid_argument otherwise, and
  /// boost::system::system_error when options.tls.ca_file cannot be loaded. `random` feeds the
  /// backoff jitter (empty: default_random_source()).
  WebSocketClient(boost::asio::io_context& io, std::string url, WebSocketOptions options, WebSocketHandlers handlers,
                  RandomSource random = {});
  /// Drops the connection without a close handshake and without callbacks.
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  /// Starts connecting (and reconnecting until close()). Only from idle or closed.
  void start();

  /// Queues a text message; messages go out in order. Returns false (and drops it) unless the
  /// state is open.
  bool send(std::string text);

  /// Clean close: sends a close frame with `code` (1000 normal closure, RFC 6455 section 7.4.1)
  /// and waits up to close_timeout for the server's; then on_closed(client_closed,
  /// will_reconnect = false). From connecting or waiting_to_reconnect it stops at once (the
  /// event is still delivered). No-op when idle or closed.
  void close(uint16_t code = 1000);

  WsState state() const { return state_; }
  const Url& url() const { return url_; }

  struct Session;

 private:
  template <class Next>
  friend struct SessionImpl;
  void connect();
  void on_session_opened(Session* session);
  void on_session_message(Session* session, std::string_view message, bool binary);
  void on_session_ended(Session* session, WsCloseReason reason, std::string message, bool was_open);

  boost::asio::io_context& io_;
  Url url_;
  WebSocketOptions options_;
  WebSocketHandlers handlers_;
  ReconnectBackoff backoff_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::steady_timer reconnect_timer_;
  std::shared_ptr<Session> session_;
  WsState state_ = WsState::idle;
  std::chrono::steady_clock::time_point opened_at_{};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace tradehost::net
