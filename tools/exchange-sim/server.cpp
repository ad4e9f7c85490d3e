#include "server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>
#include <optional>
#include <stdexcept>
#include <type_traits>

namespace tradehost::exchange_sim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;
template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// How long a client may take over the TLS handshake before the connection is dropped.
constexpr std::chrono::seconds kHandshakeTimeout(30);

// One WebSocket connection over `Stream` (beast::tcp_stream, or TlsStream for WSS). Frames go out
// one async_write at a time from a FIFO queue.
template <class Stream>
class WsSession : public StreamSink, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Stream&& stream, Simulator& sim) : ws_(std::move(stream)), sim_(sim) {}

  void start(http::request<http::string_body> req, StreamRequest streams) {
    streams_ = std::move(streams);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "exchange-sim"); }));
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  void deliver(std::shared_ptr<const std::string> text, int delay_ms) override {
    if (closed_) return;
    if (delay_ms <= 0) return enqueue(std::move(text));
    auto timer = std::make_shared<net::steady_timer>(ws_.get_executor(), std::chrono::milliseconds(delay_ms));
    timer->async_wait([self = this->shared_from_this(), timer, text](beast::error_code ec) {
      if (!ec) self->enqueue(text);
    });
  }

  void drop() override {
    if (closed_) return;
    closed_ = true;
    sim_.hub().detach(this);
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    sim_.hub().attach(this->shared_from_this(), streams_.streams, streams_.combined, streams_.user);
    read();
  }

  void read() {
    ws_.async_read(in_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->closed_ = true;
        self->sim_.hub().detach(self.get());
        return;
      }
      std::string text = beast::buffers_to_string(self->in_.data());
      self->in_.consume(self->in_.size());
      self->enqueue(std::make_shared<const std::string>(self->sim_.handle_stream_message(self.get(), text)));
      self->read();
    });
  }

  void enqueue(std::shared_ptr<const std::string> text) {
    if (closed_) return;
    out_.push_back(std::move(text));
    if (out_.size() == 1) write();
  }

  void write() {
    ws_.text(true);
    ws_.async_write(net::buffer(*out_.front()), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->drop();
      self->out_.pop_front();
      if (!self->out_.empty()) self->write();
    });
  }

  websocket::stream<Stream> ws_;
  Simulator& sim_;
  StreamRequest streams_;
  beast::flat_buffer in_;
  std::deque<std::shared_ptr<const std::string>> out_;
  bool closed_ = false;
};

// One HTTP/1.1 connection over `Stream`: (for TLS, after the handshake) reads requests in a loop,
// answers or hands the stream over to a WsSession. A client that does not speak TLS to a TLS
// port fails the handshake and is disconnected without an answer.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  template <class... TlsContext>
  HttpSession(tcp::socket socket, Simulator& sim, TlsContext&... tls) : stream_(std::move(socket), tls...), sim_(sim) {
    beast::error_code ec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    client_ip_ = ec ? "unknown" : ep.address().to_string();
  }

  void start() {
    if constexpr (kIsTls<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) {
          spdlog::debug("tls handshake failed client={} reason={}", self->client_ip_, ec.message());
          return;
        }
        beast::get_lowest_layer(self->stream_).expires_never();
        self->read();
      });
    } else {
      read();
    }
  }

 private:
  void read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (!ec) self->on_request();
    });
  }

  void on_request() {
    std::string target(req_.target());
    if (websocket::is_upgrade(req_)) {
      StreamRequest streams;
      if (auto e = sim_.resolve_stream(target, streams)) {
        respond(e->http_status, error_json(*e), {});
        return;
      }
      std::make_shared<WsSession<Stream>>(std::move(stream_), sim_)->start(std::move(req_), std::move(streams));
      return;
    }
    HttpRequest r;
    r.method = std::string(req_.method_string());
    r.target = target;
    r.body = req_.body();
    r.client_ip = client_ip_;
    if (auto it = req_.find("X-MBX-APIKEY"); it != req_.end()) r.api_key = std::string(it->value());
    HttpResponse out = sim_.handle(r);
    if (out.withhold) {
      // The order-timeout fault: the request had its effect but no answer comes. Keep reading so
      // the connection lives until the client gives up and closes it.
      read();
      return;
    }
    respond(out.status, std::move(out.body), out.headers);
  }

  void respond(int status, std::string body, const std::vector<std::pair<std::string, std::string>>& headers) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), req_.version());
    res->set(http::field::server, "exchange-sim");
    for (const auto& [name, value] : headers) res->set(name, value);
    res->body() = std::move(body);
    res->keep_alive(req_.keep_alive());
    res->prepare_payload();
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec) return;
      if (!res->keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    if constexpr (kIsTls<Stream>) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  Stream stream_;
  Simulator& sim_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::string client_ip_;
};

// The server side of TLS from the configured PEM files; throws std::runtime_error naming the file
// that does not load.
ssl::context make_tls_context(const SimConfig& c) {
  ssl::context ctx(ssl::context::tls_server);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  beast::error_code ec;
  ctx.use_certificate_chain_file(c.tls_cert_file, ec);
  if (ec) throw std::runtime_error("cannot load TLS certificate " + c.tls_cert_file + ": " + ec.message());
  ctx.use_private_key_file(c.tls_key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key " + c.tls_key_file + ": " + ec.message());
  return ctx;
}

}  // namespace

bool tls_enabled(const SimConfig& config) {
  if (config.tls_cert_file.empty() != config.tls_key_file.empty())
    throw std::runtime_error("TLS needs both a certificate and a key file");
  return !config.tls_cert_file.empty();
}

struct Server::Impl {
  Impl(Simulator& s, const std::string& address, uint16_t port) : sim(s), acceptor(ioc), pace(ioc) {
    if (tls_enabled(sim.config())) tls.emplace(make_tls_context(sim.config()));
    tcp::endpoint ep(net::ip::make_address(address), port);
    acceptor.open(ep.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // the acceptor was closed by stop()
      if (tls)
        std::make_shared<HttpSession<TlsStream>>(std::move(socket), sim, *tls)->start();
      else
        std::make_shared<HttpSession<beast::tcp_stream>>(std::move(socket), sim)->start();
      accept();
    });
  }

  void schedule_pace() {
    pace.expires_after(std::chrono::milliseconds(sim.config().pace_ms));
    pace.async_wait([this](beast::error_code ec) {
      if (ec) return;
      sim.advance(1);
      schedule_pace();
    });
  }

  Simulator& sim;
  net::io_context ioc;
  std::optional<ssl::context> tls;
  tcp::acceptor acceptor;
  net::steady_timer pace;
};

Server::Server(Simulator& sim, const std::string& address, uint16_t port)
    : impl_(std::make_unique<Impl>(sim, address, port)) {}

Server::~Server() = default;

uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run() {
  impl_->accept();
  if (impl_->sim.config().pace_ms > 0) impl_->schedule_pace();
  impl_->ioc.run();
}

void Server::stop() {
  net::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    impl->pace.cancel();
    impl->sim.hub().drop(StreamHub::Target::All);
    impl->ioc.stop();
  });
}

}  // namespace tradehost::exchange_sim
