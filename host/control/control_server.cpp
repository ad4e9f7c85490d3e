#include "control/control_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <map>
#include <utility>

namespace tradehost::control {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool token_matches(std::string_view presented, std::string_view expected) {
  unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0 && !expected.empty();
}

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);

Response plain(unsigned status, std::string_view error) {
  return Response{status, "application/json", fmt::format(R"({{"error":"{}"}})", error)};
}

}  // namespace

struct ControlServer::Impl : std::enable_shared_from_this<ControlServer::Impl> {
  asio::io_context& io;
  ServerOptions options;
  Handler handler;
  tcp::acceptor acceptor;
  std::optional<asio::ssl::context> tls;
  bool stopped = false;
  // Open connections, kept alive until they end; the function closes one (stop()).
  std::map<void*, std::pair<std::shared_ptr<void>, std::function<void()>>> sessions;

  template <class S>
  void add_session(const std::shared_ptr<S>& s) {
    std::weak_ptr<S> weak = s;
    sessions[s.get()] = {s, [weak] {
                           if (auto p = weak.lock()) p->close_socket();
                         }};
    s->start();
  }

  Impl(asio::io_context& io_, ServerOptions o, Handler h) : io(io_), options(std::move(o)), handler(std::move(h)), acceptor(io_) {}

  Response handle(const http::request<http::string_body>& req) {
    // Authentication first: nothing about the bot is said to a caller without the token.
    const auto auth = req.find(http::field::authorization);
    std::string_view presented;
    if (auth != req.end()) {
      const std::string_view v(auth->value().data(), auth->value().size());
      if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) presented = v.substr(7);
    }
    if (presented.empty() || !token_matches(presented, options.token)) {
      Response r = plain(401, "a valid bearer token is required (Authorization: Bearer <token>)");
      return r;
    }
    Request r;
    r.method = std::string(req.method_string());
    const std::string_view target(req.target().data(), req.target().size());
    const size_t q = target.find('?');
    r.path = std::string(target.substr(0, q));
    r.query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
    r.body = req.body();
    try {
      return handler(r);
    } catch (const std::exception& e) {
      spdlog::error("control API {} {} failed: {}", r.method, r.path, e.what());
      return plain(500, "internal error; see the host's log");
    }
  }

  template <class Stream>
  struct Session : std::enable_shared_from_this<Session<Stream>> {
    std::shared_ptr<Impl> server;
    Stream stream;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<http::string_body>> parser;
    http::response<http::string_body> res;

    Session(std::shared_ptr<Impl> s, Stream st) : server(std::move(s)), stream(std::move(st)) {}

    beast::tcp_stream& tcp_layer() {
      if constexpr (std::is_same_v<Stream, beast::tcp_stream>) return stream;
      else return beast::get_lowest_layer(stream);
    }

    void start() {
      if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        read();
      } else {
        tcp_layer().expires_after(kIdleTimeout);
        stream.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
          if (ec) return self->end();
          self->read();
        });
      }
    }
    void read() {
      if (server->stopped) return end();
      parser.emplace();
      parser->body_limit(server->options.max_body_bytes);
      tcp_layer().expires_after(kIdleTimeout);
      http::async_read(stream, buffer, *parser, [self = this->shared_from_this()](beast::error_code ec, size_t) {
        if (ec == http::error::body_limit) {
          self->respond(plain(413, "request body too large"), false);
          return;
        }
        if (ec) return self->end();
        self->on_request();
      });
    }
    void on_request() {
      if (server->stopped) return end();
      const auto& req = parser->get();
      respond(server->handle(req), req.keep_alive());
    }
    void respond(const Response& r, bool keep_alive) {
      res = {};
      res.version(11);
      res.result(r.status);
      res.set(http::field::server, "tradehost");
      res.set(http::field::content_type, r.content_type);
      if (r.status == 401) res.set(http::field::www_authenticate, "Bearer");
      res.set(http::field::cache_control, "no-store");
      res.body() = r.body;
      res.keep_alive(keep_alive);
      res.prepare_payload();
      http::async_write(stream, res, [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
        if (ec || !keep_alive) return self->end();
        self->read();
      });
    }
    void close_socket() {
      beast::error_code ec;
      tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ec);
      tcp_layer().close();
    }
    void end() {
      close_socket();
      server->sessions.erase(this);
    }
  };

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (self->stopped) return;
      if (!ec) {
        if (self->tls) {
          using S = Session<beast::ssl_stream<beast::tcp_stream>>;
          self->add_session(
              std::make_shared<S>(self, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *self->tls)));
        } else {
          using S = Session<beast::tcp_stream>;
          self->add_session(std::make_shared<S>(self, beast::tcp_stream(std::move(socket))));
        }
      }
      self->accept();
    });
  }
};

ControlServer::ControlServer(asio::io_context& io, ServerOptions options, Handler handler)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(handler))) {
  Impl& s = *impl_;
  if (s.options.token.empty()) throw ControlError("the control API needs a bearer token (token_credential in [control])");
  beast::error_code ec;
  asio::ip::address address;
  if (s.options.host == "localhost") address = asio::ip::make_address("127.0.0.1");
  else address = asio::ip::make_address(s.options.host, ec);
  if (ec)
    throw ControlError(fmt::format("control API address '{}' is not an IP address (use an IP literal such as 127.0.0.1, or localhost)",
                                   s.options.host));
  const bool has_tls = !s.options.tls_cert.empty() && !s.options.tls_key.empty();
  if (!address.is_loopback() && !has_tls)
    throw ControlError(fmt::format("the control API refuses to listen on {} without TLS: a bearer token would cross the network in "
                                   "clear; set tls_cert and tls_key in [control], or listen on 127.0.0.1",
                                   s.options.host));
  if (has_tls) {
    s.tls.emplace(asio::ssl::context::tls_server);
    s.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                       asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    s.tls->use_certificate_chain_file(s.options.tls_cert.string(), ec);
    if (ec) throw ControlError(fmt::format("control API certificate {}: {}", s.options.tls_cert.string(), ec.message()));
    s.tls->use_private_key_file(s.options.tls_key.string(), asio::ssl::context::pem, ec);
    if (ec) throw ControlError(fmt::format("control API key {}: {}", s.options.tls_key.string(), ec.message()));
  }
  const tcp::endpoint ep(address, s.options.port);
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw ControlError(fmt::format("the control API cannot listen on {}:{}: {}", s.options.host, s.options.port, ec.message()));
  s.accept();
}

ControlServer::~ControlServer() { stop(); }

uint16_t ControlServer::port() const noexcept {
  beast::error_code ec;
  const auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

std::string ControlServer::url() const {
  const std::string host = impl_->options.host == "localhost" ? "127.0.0.1" : impl_->options.host;
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", impl_->tls ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "", port());
}

void ControlServer::stop() noexcept {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  beast::error_code ec;
  impl_->acceptor.close(ec);
  auto open = std::move(impl_->sessions);
  impl_->sessions.clear();
  for (auto& [ptr, entry] : open) entry.second();  // their pending operations end with an error
}

}  // namespace tradehost::control
