#include "net/websocket_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <stdexcept>

namespace tradehost::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::string_view to_string(WsCloseReason reason) {
  switch (reason) {
    case WsCloseReason::connect_failed: return "connect_failed";
    case WsCloseReason::server_closed: return "server_closed";
    case WsCloseReason::connection_lost: return "connection_lost";
    case WsCloseReason::ping_timeout: return "ping_timeout";
    case WsCloseReason::client_closed: return "client_closed";
  }
  return "unknown";
}

// One connection attempt and, if it opens, the connection's life. The client owns at most one.
struct WebSocketClient::Session : std::enable_shared_from_this<WebSocketClient::Session> {
  explicit Session(WebSocketClient* owner_) : owner(owner_) {}
  virtual ~Session() = default;
  virtual void start() = 0;
  virtual void send(std::string text) = 0;
  virtual void close(uint16_t code) = 0;
  /// Drops the connection; no more calls into the owner.
  virtual void detach() = 0;

  WebSocketClient* owner;
  bool open = false;
};

template <class Next>
struct SessionImpl final : WebSocketClient::Session {
  SessionImpl(WebSocketClient* owner_, asio::io_context& io, ssl::context* tls_context)
      : Session(owner_),
        ws(make_stream(io, tls_context)),
        resolver(io),
        connect_timer(io),
        ping_timer(io),
        pong_timer(io),
        close_timer(io) {}

  static websocket::stream<Next> make_stream(asio::io_context& io, ssl::context* tls_context) {
    if constexpr (std::is_same_v<Next, tcp::socket>) return websocket::stream<Next>(io);
    else return websocket::stream<Next>(io, *tls_context);
  }

  std::shared_ptr<SessionImpl> self() { return std::static_pointer_cast<SessionImpl>(shared_from_this()); }
  const WebSocketOptions& options() const { return owner->options_; }
  const Url& url() const { return owner->url_; }

  void start() override {
    connect_timer.expires_after(options().connect_timeout);
    connect_timer.async_wait([s = self()](const error_code& ec) {
      if (ec || s->ended) return;
      s->end(WsCloseReason::connect_failed,
             fmt::format("connect timed out after {} ms", s->options().connect_timeout.count()));
    });
    resolver.async_resolve(url().host, std::to_string(url().port),
                           [s = self()](const error_code& ec, tcp::resolver::results_type results) {
                             if (s->ended) return;
                             if (ec) return s->end(WsCloseReason::connect_failed, "cannot resolve: " + ec.message());
                             asio::async_connect(beast::get_lowest_layer(s->ws), results,
                                                 [s](const error_code& ec2, const tcp::endpoint&) {
                                                   if (s->ended) return;
                                                   if (ec2)
                                                     return s->end(WsCloseReason::connect_failed,
                                                                   "cannot connect: " + ec2.message());
                                                   error_code ignored;  // small frames, sent now
                                                   beast::get_lowest_layer(s->ws).set_option(tcp::no_delay(true),
                                                                                             ignored);
                                                   s->secure();
                                                 });
                           });
  }

  void secure() {
    if constexpr (std::is_same_v<Next, tcp::socket>) {
      upgrade();
    } else {
      auto& tls = ws.next_layer();
      if (const auto ec = prepare_tls_client(tls.native_handle(), url().host))
        return end(WsCloseReason::connect_failed, "TLS setup failed: " + ec.message());
      tls.async_handshake(ssl::stream_base::client, [s = self()](const error_code& ec) {
        if (s->ended) return;
        if (ec)
          return s->end(WsCloseReason::connect_failed,
                        "TLS handshake failed: " + describe_tls_failure(s->ws.next_layer().native_handle(), ec));
        s->upgrade();
      });
    }
  }

  void upgrade() {
    ws.set_option(websocket::stream_base::decorator([headers = options().headers](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "tradehost");
      for (const auto& [name, value] : headers) req.set(name, value);
    }));
    ws.read_message_max(options().max_message_bytes);
    ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
      // Beast answers pings itself (while a read is pending); only pongs matter here.
      if (kind == websocket::frame_type::pong && awaiting_pong) {
        awaiting_pong = false;
        pong_timer.cancel();
      }
    });
    ws.async_handshake(url().host_header(), url().target, [s = self()](const error_code& ec) {
      if (s->ended) return;
      if (ec) return s->end(WsCloseReason::connect_failed, "WebSocket upgrade failed: " + ec.message());
      s->connect_timer.cancel();
      s->open = true;
      s->read();
      s->schedule_ping();
      s->owner->on_session_opened(s.get());
    });
  }

  void read() {
    ws.async_read(buffer, [s = self()](const error_code& ec, std::size_t) {
      if (s->ended) return;
      if (ec) return s->read_failed(ec);
      const std::string text = beast::buffers_to_string(s->buffer.data());
      s->buffer.consume(s->buffer.size());
      const bool binary = !s->ws.got_text();
      s->owner->on_session_message(s.get(), text, binary);
      if (!s->ended) s->read();
    });
  }

  void read_failed(const error_code& ec) {
    if (closing) return end(WsCloseReason::client_closed, "closed by the client");
    if (ec == websocket::error::closed) {
      const auto& why = ws.reason();
      return end(WsCloseReason::server_closed,
                 fmt::format("close frame {}{}", static_cast<unsigned>(why.code),
                             why.reason.empty() ? std::string() : ": " + std::string(why.reason.c_str())));
    }
    end(WsCloseReason::connection_lost, ec.message());
  }

  void schedule_ping() {
    if (options().ping_interval.count() <= 0) return;
    ping_timer.expires_after(options().ping_interval);
    ping_timer.async_wait([s = self()](const error_code& ec) {
      if (ec || s->ended || s->closing) return;
      if (!s->awaiting_pong) {
        s->awaiting_pong = true;
        s->ws.async_ping({}, [](const error_code&) {});  // a failed write surfaces through the read
        s->pong_timer.expires_after(s->options().pong_timeout);
        s->pong_timer.async_wait([s](const error_code& ec2) {
          if (ec2 || s->ended || s->closing || !s->awaiting_pong) return;
          s->end(WsCloseReason::ping_timeout, fmt::format("no pong within {} ms", s->options().pong_timeout.count()));
        });
      }
      s->schedule_ping();
    });
  }

  void send(std::string text) override {
    outbox.push_back(std::move(text));
    if (!writing) write_next();
  }

  void write_next() {
    writing = true;
    ws.text(true);
    ws.async_write(asio::buffer(outbox.front()), [s = self()](const error_code& ec, std::size_t) {
      s->writing = false;
      if (s->ended) return;
      if (ec) return s->end(WsCloseReason::connection_lost, "write failed: " + ec.message());
      s->outbox.pop_front();
      if (!s->outbox.empty() && !s->closing) s->write_next();
    });
  }

  void close(uint16_t code) override {
    if (ended || closing) return;
    closing = true;
    ping_timer.cancel();
    pong_timer.cancel();
    close_timer.expires_after(options().close_timeout);
    close_timer.async_wait([s = self()](const error_code& ec) {
      if (ec || s->ended) return;
      s->end(WsCloseReason::client_closed, "closed by the client (the server did not answer the close frame)");
    });
    ws.async_close(websocket::close_reason(code), [s = self()](const error_code&) {
      if (s->ended) return;
      s->end(WsCloseReason::client_closed, "closed by the client");
    });
  }

  void shutdown() {
    ended = true;
    connect_timer.cancel();
    ping_timer.cancel();
    pong_timer.cancel();
    close_timer.cancel();
    resolver.cancel();
    error_code ignored;
    beast::get_lowest_layer(ws).close(ignored);
  }

  void end(WsCloseReason reason, std::string message) {
    if (ended) return;
    shutdown();
    if (owner) owner->on_session_ended(this, reason, std::move(message), open);
  }

  void detach() override {
    owner = nullptr;
    shutdown();
  }

  websocket::stream<Next> ws;
  tcp::resolver resolver;
  asio::steady_timer connect_timer, ping_timer, pong_timer, close_timer;
  beast::flat_buffer buffer;
  std::deque<std::string> outbox;
  bool writing = false;
  bool awaiting_pong = false;
  bool closing = false;
  bool ended = false;
};

WebSocketClient::WebSocketClient(asio::io_context& io, std::string url, WebSocketOptions options,
                                 WebSocketHandlers handlers, RandomSource random)
    : io_(io),
      options_(std::move(options)),
      handlers_(std::move(handlers)),
      backoff_(options_.backoff, std::move(random)),
      reconnect_timer_(io) {
  std::string error;
  auto parsed = parse_url(url, &error);
  if (!parsed) throw std::invalid_argument(error);
  if (parsed->scheme != Scheme::ws && parsed->scheme != Scheme::wss)
    throw std::invalid_argument("not a ws:// or wss:// URL: " + url);
  url_ = *parsed;
  if (url_.tls()) tls_ = make_client_tls_context(options_.tls);
}

WebSocketClient::~WebSocketClient() {
  *alive_ = false;
  reconnect_timer_.cancel();
  if (session_) session_->detach();
}

void WebSocketClient::start() {
  if (state_ != WsState::idle && state_ != WsState::closed) return;
  backoff_.reset();
  connect();
}

void WebSocketClient::connect() {
  state_ = WsState::connecting;
  if (url_.tls()) session_ = std::make_shared<SessionImpl<ssl::stream<tcp::socket>>>(this, io_, tls_.get());
  else session_ = std::make_shared<SessionImpl<tcp::socket>>(this, io_, nullptr);
  spdlog::debug("websocket connecting url={}://{}{}", url_.tls() ? "wss" : "ws", url_.host_header(), url_.target);
  session_->start();
}

bool WebSocketClient::send(std::string text) {
  if (state_ != WsState::open || !session_) return false;
  session_->send(std::move(text));
  return true;
}

void WebSocketClient::close(uint16_t code) {
  switch (state_) {
    case WsState::open:
      state_ = WsState::closing;
      session_->close(code);
      return;
    case WsState::connecting:
    case WsState::waiting_to_reconnect: {
      reconnect_timer_.cancel();
      if (session_) session_->detach();
      session_.reset();
      state_ = WsState::closed;
      WsClosed event;
      event.reason = WsCloseReason::client_closed;
      event.message = "closed by the client before the connection opened";
      event.will_reconnect = false;
      event.attempt = backoff_.attempts();
      asio::post(io_, [alive = std::weak_ptr<bool>(alive_), cb = handlers_.on_closed, event] {
        if (auto token = alive.lock(); token && *token && cb) cb(event);
      });
      return;
    }
    default:
      return;
  }
}

void WebSocketClient::on_session_opened(Session* session) {
  if (session != session_.get()) return;
  state_ = WsState::open;
  opened_at_ = std::chrono::steady_clock::now();
  spdlog::info("websocket open url={}{}", url_.host_header(), url_.target);
  if (handlers_.on_opened) handlers_.on_opened();
}

void WebSocketClient::on_session_message(Session* session, std::string_view message, bool binary) {
  if (session != session_.get()) return;
  if (handlers_.on_message) handlers_.on_message(message, binary);
}

void WebSocketClient::on_session_ended(Session* session, WsCloseReason reason, std::string message, bool was_open) {
  if (session != session_.get()) return;
  auto keep = std::move(session_);  // the session is running this call
  WsClosed event;
  event.reason = reason;
  event.message = std::move(message);
  event.was_open = was_open;
  if (reason == WsCloseReason::client_closed) {
    state_ = WsState::closed;
    event.will_reconnect = false;
    event.attempt = backoff_.attempts();
    spdlog::info("websocket closed url={}{} reason={}", url_.host_header(), url_.target, event.message);
    if (handlers_.on_closed) handlers_.on_closed(event);
    return;
  }
  if (was_open && std::chrono::steady_clock::now() - opened_at_ >= options_.stable_after) backoff_.reset();
  event.reconnect_in = backoff_.next_delay();
  event.attempt = backoff_.attempts();
  state_ = WsState::waiting_to_reconnect;
  spdlog::warn("websocket closed url={}{} reason={} message={} reconnect_in_ms={} attempt={}", url_.host_header(),
               url_.target, to_string(reason), event.message, event.reconnect_in.count(), event.attempt);
  reconnect_timer_.expires_after(event.reconnect_in);
  reconnect_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const error_code& ec) {
    auto token = alive.lock();
    if (ec || !token || !*token || state_ != WsState::waiting_to_reconnect) return;
    connect();
  });
  if (handlers_.on_closed) handlers_.on_closed(event);
}

}  // namespace tradehost::net
