#include "net/http_client.hpp"

#include "fault/crash_point.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "net/url.hpp"

namespace tradehost::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool header_text_ok(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos; }

bool idempotent_method(http::verb v) {
  switch (v) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::options:
    case http::verb::trace:
    case http::verb::put:
    case http::verb::delete_:
      return true;
    default:
      return false;
  }
}

// The errors a server's close of a keep-alive connection shows up as, on write or on read.
bool is_closed_error(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted || ec == ssl::error::stream_truncated;
}

std::string origin_of(const Url& url) {
  return fmt::format("{}://{}:{}", url.tls() ? "https" : "http",
                     url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host, url.port);
}

}  // namespace

std::string_view to_string(HttpErrc e) {
  switch (e) {
    case HttpErrc::ok: return "ok";
    case HttpErrc::invalid_request: return "invalid_request";
    case HttpErrc::resolve_failed: return "resolve_failed";
    case HttpErrc::connect_failed: return "connect_failed";
    case HttpErrc::tls_failed: return "tls_failed";
    case HttpErrc::timed_out: return "timed_out";
    case HttpErrc::connection_lost: return "connection_lost";
    case HttpErrc::protocol_error: return "protocol_error";
    case HttpErrc::cancelled: return "cancelled";
    case HttpErrc::rate_limited: return "rate_limited";
  }
  return "unknown";
}

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return std::string_view(v);
  return std::nullopt;
}

// ---- Connection: one TCP (or TLS over TCP) connection to an origin ----

struct HttpClient::Connection {
  Connection(asio::io_context& io, std::string origin_, ssl::context* tls_context) : origin(std::move(origin_)) {
    if (tls_context) tls = std::make_unique<ssl::stream<tcp::socket>>(io, *tls_context);
    else plain = std::make_unique<tcp::socket>(io);
  }

  tcp::socket& socket() { return tls ? tls->next_layer() : *plain; }

  template <class F>
  void with_stream(F&& f) {
    if (tls) f(*tls);
    else f(*plain);
  }

  // Closes without a TLS close_notify: HTTP/1.1 messages are length-delimited, so a truncation
  // is detectable without it, and waiting for the peer's answer would hold the loop's work.
  void close() {
    error_code ignored;
    socket().close(ignored);
  }

  // True when a pooled connection can take a request: the server has not closed it (a FIN makes
  // a peek return 0) and sent nothing unsolicited (a stray byte means the stream is out of step).
  bool looks_alive() {
    if (!socket().is_open() || buffer.size() != 0) return false;
    char byte;
    const ssize_t n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  std::string origin;
  std::unique_ptr<tcp::socket> plain;
  std::unique_ptr<ssl::stream<tcp::socket>> tls;
  beast::flat_buffer buffer;
  bool reused = false;
  SteadyClock::time_point idle_since{};
};

// ---- Exchange: one request from start to callback ----

struct HttpClient::Exchange : std::enable_shared_from_this<HttpClient::Exchange> {
  enum class Stage { queued, resolving, connecting, handshaking, writing, reading };

  Exchange(HttpClient* owner_, RequestId id_, Callback callback_, asio::io_context& io)
      : owner(owner_), id(id_), callback(std::move(callback_)), resolver(io), deadline(io) {}

  void start() {
    RateLimiter* limiter = owner->options_.rate_limiter;
    if (!limiter || cost.venue.empty()) return begin();
    stage = Stage::queued;
    ticket = limiter->acquire(cost, [self = shared_from_this()](AdmitStatus status, std::string_view reason) {
      if (self->done) return;
      self->ticket.reset();
      if (status == AdmitStatus::admitted) return self->begin();
      self->finish(status == AdmitStatus::cancelled ? HttpErrc::cancelled : HttpErrc::rate_limited,
                   std::string(reason));
    });
  }

  void begin() {
    deadline.expires_after(timeout);
    deadline.async_wait([self = shared_from_this()](const error_code& ec) {
      if (ec || self->done) return;
      self->abort(HttpErrc::timed_out,
                  fmt::format("timed out after {} ms while {}", self->timeout.count(), self->stage_text()));
    });
    attempt(false);
  }

  void attempt(bool fresh) {
    bytes_written = 0;
    if (!fresh) conn = owner->take_idle(origin);
    if (conn) {
      conn->reused = true;
      return write();
    }
    conn = std::make_shared<Connection>(owner->io_, origin, url.tls() ? owner->tls_.get() : nullptr);
    stage = Stage::resolving;
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [self = shared_from_this()](const error_code& ec, tcp::resolver::results_type results) {
                             if (self->done) return;
                             if (ec) return self->fail_io(ec);
                             self->connect(results);
                           });
  }

  // Every operation on the connection holds it (`c`) until its handler has run: abort() (the
  // deadline) and the retry drop `conn` while an operation may be pending, and the operation
  // still uses the connection's stream and buffer when it completes as cancelled. Holding only
  // the exchange let Beast commit into a freed buffer (ASan, HttpClient timeout tests).
  void connect(const tcp::resolver::results_type& results) {
    stage = Stage::connecting;
    asio::async_connect(conn->socket(), results, [self = shared_from_this(), c = conn](const error_code& ec, const tcp::endpoint&) {
      if (self->done) return;
      if (ec) return self->fail_io(ec);
      // Requests are small and latency matters more than segment count: no Nagle delay.
      error_code ignored;
      self->conn->socket().set_option(tcp::no_delay(true), ignored);
      if (!self->conn->tls) return self->write();
      self->handshake();
    });
  }

  void handshake() {
    stage = Stage::handshaking;
    if (const auto ec = prepare_tls_client(conn->tls->native_handle(), url.host)) return fail_io(ec);
    conn->tls->async_handshake(ssl::stream_base::client, [self = shared_from_this(), c = conn](const error_code& ec) {
      if (self->done) return;
      if (ec) return self->fail_io(ec);
      self->write();
    });
  }

  void write() {
    stage = Stage::writing;
    parser.emplace();
    parser->body_limit(owner->options_.max_body_bytes);
    if (request.method() == http::verb::head) parser->skip(true);  // no body follows, whatever Content-Length says
    conn->with_stream([&](auto& stream) {
      http::async_write(stream, request, [self = shared_from_this(), c = conn](const error_code& ec, std::size_t n) {
        if (self->done) return;
        self->bytes_written += n;
        if (ec) return self->fail_io(ec);
        if (fault::crash_points_armed())  // recovery tests only: no string is built per request otherwise
          fault::crash_point("http_written", std::string(self->request.method_string()) + " " + std::string(self->request.target()));
        self->read();
      });
    });
  }

  void read() {
    stage = Stage::reading;
    conn->with_stream([&](auto& stream) {
      http::async_read(stream, conn->buffer, *parser, [self = shared_from_this(), c = conn](const error_code& ec, std::size_t) {
        if (self->done) return;
        if (ec) return self->fail_io(ec);
        self->complete();
      });
    });
  }

  void complete() {
    auto& message = parser->get();
    HttpResult result;
    result.retried = retried;
    result.response.status = message.result_int();
    for (const auto& field : message)
      result.response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    result.response.body = std::move(message.body());
    if (message.keep_alive()) owner->release(std::move(conn));
    else conn->close();
    conn.reset();
    if (RateLimiter* limiter = owner->options_.rate_limiter; limiter && !cost.venue.empty())
      limiter->on_response(cost.venue, result.response.status, result.response.headers);
    deliver(std::move(result));
  }

  // An I/O error in the current stage: retry once when the header comment says it is safe,
  // otherwise fail with the stage's error.
  void fail_io(const error_code& ec) {
    const bool response_started = stage == Stage::reading && (parser->got_some() || conn->buffer.size() != 0);
    const bool stale_keep_alive = conn && conn->reused && is_closed_error(ec) && !response_started &&
                                  (stage == Stage::writing || stage == Stage::reading);
    if (stale_keep_alive && !retried && (bytes_written == 0 || idempotent)) {
      spdlog::warn("http retry on a fresh connection id={} method={} origin={} written_bytes={} reason={}", id,
                   std::string(http::to_string(request.method())), origin, bytes_written, ec.message());
      retried = true;
      conn->close();
      conn.reset();
      return attempt(true);
    }
    HttpErrc code = HttpErrc::connection_lost;
    std::string message;
    switch (stage) {
      case Stage::resolving:
        code = HttpErrc::resolve_failed;
        message = fmt::format("cannot resolve {}: {}", url.host, ec.message());
        break;
      case Stage::connecting:
        code = HttpErrc::connect_failed;
        message = fmt::format("cannot connect to {}: {}", origin, ec.message());
        break;
      case Stage::handshaking:
        code = HttpErrc::tls_failed;
        message = fmt::format("TLS handshake with {} failed: {}", origin,
                              describe_tls_failure(conn->tls->native_handle(), ec));
        break;
      default:
        if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
            ec != http::error::end_of_stream &&
            ec != http::error::partial_message) {
          code = HttpErrc::protocol_error;
          message = fmt::format("bad response from {}: {}", origin, ec.message());
        } else {
          message = fmt::format("connection to {} lost while {}: {}", origin, stage_text(), ec.message());
          if (retried) message += " (after one retry on a fresh connection)";
        }
        break;
    }
    abort(code, std::move(message));
  }

  // Ends the exchange with an error: closes what it holds, so nothing reads a late answer.
  void abort(HttpErrc code, std::string message) {
    const bool sent = bytes_written > 0 || stage == Stage::reading;
    resolver.cancel();
    if (conn) conn->close();
    conn.reset();
    if (ticket && owner) owner->options_.rate_limiter->cancel(*ticket);
    if (sent && code != HttpErrc::ok)
      message += idempotent ? "; the request may have been sent" : "; the request may have been sent: not retried";
    HttpResult result;
    result.error = code;
    result.message = std::move(message);
    result.may_have_been_sent = sent;
    result.retried = retried;
    spdlog::warn("http request failed id={} method={} origin={} error={} may_have_been_sent={} message={}", id,
                 std::string(http::to_string(request.method())), origin, to_string(code), sent, result.message);
    deliver(std::move(result));
  }

  void finish(HttpErrc code, std::string message) {
    HttpResult result;
    result.error = code;
    result.message = std::move(message);
    deliver(std::move(result));
  }

  void deliver(HttpResult result) {
    auto self = shared_from_this();
    done = true;
    deadline.cancel();
    if (!owner) return;
    owner->forget(id);
    asio::post(owner->io_, [alive = std::weak_ptr<bool>(owner->alive_), cb = std::move(callback), id = id,
                            result = std::move(result)]() mutable {
      if (auto token = alive.lock(); token && *token && cb) cb(id, std::move(result));
    });
  }

  // Called by ~HttpClient: no callback, nothing left open.
  void detach() {
    done = true;
    owner = nullptr;
    deadline.cancel();
    resolver.cancel();
    if (conn) conn->close();
    conn.reset();
  }

  std::string_view stage_text() const {
    switch (stage) {
      case Stage::queued: return "waiting for the rate limiter";
      case Stage::resolving: return "resolving the host";
      case Stage::connecting: return "connecting";
      case Stage::handshaking: return "in the TLS handshake";
      case Stage::writing: return "writing the request";
      case Stage::reading: return "waiting for the response";
    }
    return "?";
  }

  HttpClient* owner;
  RequestId id;
  Callback callback;
  tcp::resolver resolver;
  asio::steady_timer deadline;
  Url url;
  // Only the origin is ever logged: URLs carry secrets in their paths (a Telegram bot token,
  // Slack and Discord webhook tokens), and the requester logs what it needs itself.
  std::string origin;
  http::request<http::string_body> request;
  std::optional<http::response_parser<http::string_body>> parser;
  std::shared_ptr<Connection> conn;
  std::chrono::milliseconds timeout{0};
  RequestCost cost;
  std::optional<RateLimiter::Ticket> ticket;
  Stage stage = Stage::queued;
  bool idempotent = false;
  bool retried = false;
  bool done = false;
  std::size_t bytes_written = 0;
};

// ---- HttpClient ----

HttpClient::HttpClient(asio::io_context& io, HttpClientOptions options)
    : io_(io), options_(std::move(options)), tls_(make_client_tls_context(options_.tls)) {}

HttpClient::~HttpClient() {
  *alive_ = false;
  for (auto& [id, exchange] : active_) {
    if (exchange->ticket && options_.rate_limiter) options_.rate_limiter->cancel(*exchange->ticket);
    exchange->detach();
  }
  for (auto& [origin, list] : idle_)
    for (auto& c : list) c->close();
}

HttpClient::RequestId HttpClient::request(HttpRequest spec, Callback callback) {
  const RequestId id = next_id_++;
  auto exchange = std::make_shared<Exchange>(this, id, std::move(callback), io_);
  exchange->timeout = spec.timeout;
  exchange->cost = std::move(spec.cost);
  exchange->idempotent = spec.idempotent.value_or(idempotent_method(spec.method));
  active_.emplace(id, exchange);

  std::string error;
  const auto url = parse_url(spec.url, &error);
  if (url && url->scheme != Scheme::http && url->scheme != Scheme::https)
    error = "not an http(s) URL (scheme ws or wss)";
  if (spec.method == http::verb::unknown) error = "unknown HTTP method";
  bool has_host = false, has_agent = false, has_length = false;
  for (const auto& [name, value] : spec.headers) {
    if (name.empty() || !header_text_ok(name) || !header_text_ok(value) || name.find(':') != std::string::npos)
      error = fmt::format("header '{}' has an empty name or contains ':', CR, LF or NUL", name);
    has_host |= iequals(name, "Host");
    has_agent |= iequals(name, "User-Agent");
    has_length |= iequals(name, "Content-Length");
  }
  if (!url || !error.empty()) {
    exchange->finish(HttpErrc::invalid_request, error);
    return id;
  }
  exchange->url = *url;
  exchange->origin = origin_of(*url);
  auto& req = exchange->request;
  req.method(spec.method);
  req.target(url->target);
  req.version(11);
  for (const auto& [name, value] : spec.headers) req.insert(name, value);
  if (!has_host) req.set(http::field::host, url->host_header());
  if (!has_agent && !options_.user_agent.empty()) req.set(http::field::user_agent, options_.user_agent);
  req.body() = std::move(spec.body);
  if (!has_length) req.prepare_payload();
  exchange->start();
  return id;
}

bool HttpClient::cancel(RequestId id) {
  auto it = active_.find(id);
  if (it == active_.end()) return false;
  auto exchange = it->second;
  exchange->abort(HttpErrc::cancelled, "cancelled");
  return true;
}

std::shared_ptr<HttpClient::Connection> HttpClient::take_idle(const std::string& origin) {
  auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  const auto now = SteadyClock::now();
  while (!list.empty()) {
    auto c = std::move(list.back());  // most recently used first: the least likely to be closed
    list.pop_back();
    if (now - c->idle_since <= options_.max_idle_age && c->looks_alive()) return c;
    spdlog::debug("http dropping idle connection origin={} reason={}", origin,
                  now - c->idle_since > options_.max_idle_age ? "too old" : "closed by the server");
    c->close();
  }
  return nullptr;
}

void HttpClient::release(std::shared_ptr<Connection> connection) {
  auto& list = idle_[connection->origin];
  if (list.size() >= options_.max_idle_per_origin || connection->buffer.size() != 0) {
    connection->close();
    return;
  }
  connection->idle_since = SteadyClock::now();
  list.push_back(std::move(connection));
}

void HttpClient::forget(RequestId id) { active_.erase(id); }

size_t HttpClient::idle_connections(std::string_view origin) const {
  auto it = idle_.find(origin);
  return it == idle_.end() ? 0 : it->second.size();
}

size_t HttpClient::in_flight() const { return active_.size(); }

}  // namespace tradehost::net
