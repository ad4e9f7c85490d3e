#include "tests/unit/net/loopback_server.hpp"

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <deque>

namespace tradehost::net::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds guard) {
  const auto deadline = std::chrono::steady_clock::now() + guard;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::shared_ptr<ssl::context> server_tls_context(const ServerCert& cert) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->use_certificate_chain(asio::buffer(cert.cert_pem));
  ctx->use_private_key(asio::buffer(cert.key_pem), ssl::context::pem);
  return ctx;
}

std::string ReceivedRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return v;
  return {};
}

namespace {

void close_socket(tcp::socket& s) {
  error_code ignored;
  s.shutdown(tcp::socket::shutdown_both, ignored);
  s.close(ignored);
}

tcp::socket& lowest(tcp::socket& s) { return s; }
tcp::socket& lowest(ssl::stream<tcp::socket>& s) { return s.next_layer(); }

tcp::acceptor make_acceptor(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor;
}

}  // namespace

// ---- HTTP ----

struct LoopbackHttpServer::State : std::enable_shared_from_this<LoopbackHttpServer::State> {
  State(asio::io_context& io_, Handler h, std::shared_ptr<ssl::context> tls_)
      : io(io_), acceptor(make_acceptor(io_)), handler(std::move(h)), tls(std::move(tls_)) {}

  void accept() {
    acceptor.async_accept([s = shared_from_this()](const error_code& ec, tcp::socket socket) {
      if (ec || s->stopped) return;
      const int number = ++s->accepted;
      if (s->tls) {
        auto stream = std::make_shared<ssl::stream<tcp::socket>>(std::move(socket), *s->tls);
        stream->async_handshake(ssl::stream_base::server, [s, stream, number](const error_code& ec2) {
          if (ec2) {
            ++s->closed;
            return;
          }
          s->serve(stream, number);
        });
      } else {
        s->serve(std::make_shared<tcp::socket>(std::move(socket)), number);
      }
      s->accept();
    });
  }

  template <class Stream>
  struct Conn {
    std::shared_ptr<Stream> stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    int number = 0;
    int index = 0;
  };

  template <class Stream>
  void serve(std::shared_ptr<Stream> stream, int number) {
    auto conn = std::make_shared<Conn<Stream>>();
    conn->stream = std::move(stream);
    conn->number = number;
    sockets.push_back(&lowest(*conn->stream));
    keep.push_back(conn);
    read(conn);
  }

  template <class Stream>
  void read(std::shared_ptr<Conn<Stream>> conn) {
    conn->request = {};
    http::async_read(*conn->stream, conn->buffer, conn->request,
                     [s = shared_from_this(), conn](const error_code& ec, std::size_t) {
                       if (ec) {
                         ++s->closed;
                         close_socket(lowest(*conn->stream));
                         return;
                       }
                       s->answer(conn);
                     });
  }

  template <class Stream>
  void answer(std::shared_ptr<Conn<Stream>> conn) {
    ReceivedRequest r;
    r.method = std::string(conn->request.method_string());
    r.target = std::string(conn->request.target());
    for (const auto& f : conn->request) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    r.body = conn->request.body();
    r.connection = conn->number;
    r.index_on_connection = conn->index++;
    r.at = std::chrono::steady_clock::now();
    requests.push_back(r);
    const Reply reply = handler(r);
    switch (reply.action) {
      case ReplyAction::stall:
        // Never answer, but keep reading so the client's close is seen (closed() counts it).
        return read(conn);
      case ReplyAction::close_without_response:
        ++closed;
        close_socket(lowest(*conn->stream));
        return;
      default:
        break;
    }
    conn->response = {};
    conn->response.version(11);
    conn->response.result(reply.status);
    for (const auto& [n, v] : reply.headers) conn->response.insert(n, v);
    conn->response.body() = reply.body;
    conn->response.keep_alive(conn->request.keep_alive());
    conn->response.prepare_payload();
    const bool close_after = reply.action == ReplyAction::respond_then_close;
    http::async_write(*conn->stream, conn->response, [s = shared_from_this(), conn, close_after](const error_code& ec, std::size_t) {
      if (ec || close_after) {
        ++s->closed;
        close_socket(lowest(*conn->stream));
        return;
      }
      s->read(conn);
    });
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  Handler handler;
  std::shared_ptr<ssl::context> tls;
  int accepted = 0;
  int closed = 0;
  bool stopped = false;
  std::vector<ReceivedRequest> requests;
  std::vector<tcp::socket*> sockets;
  std::vector<std::shared_ptr<void>> keep;  // connections live as long as the server (stall needs it)
};

LoopbackHttpServer::LoopbackHttpServer(asio::io_context& io, Handler handler, std::shared_ptr<ssl::context> tls)
    : state_(std::make_shared<State>(io, std::move(handler), std::move(tls))) {
  state_->accept();
}

LoopbackHttpServer::~LoopbackHttpServer() {
  state_->stopped = true;
  error_code ignored;
  state_->acceptor.close(ignored);
  for (auto* s : state_->sockets) s->close(ignored);
}

uint16_t LoopbackHttpServer::port() const { return state_->acceptor.local_endpoint().port(); }
int LoopbackHttpServer::accepted() const { return state_->accepted; }
int LoopbackHttpServer::closed() const { return state_->closed; }
const std::vector<ReceivedRequest>& LoopbackHttpServer::requests() const { return state_->requests; }

// ---- WebSocket ----

struct WsConnBase {
  virtual ~WsConnBase() = default;
  virtual void ping() = 0;
  virtual void close(uint16_t code, const std::string& reason) = 0;
  virtual void drop() = 0;
  bool open = false;
};

struct LoopbackWsServer::State : std::enable_shared_from_this<LoopbackWsServer::State> {
  State(asio::io_context& io_, Options o, std::shared_ptr<ssl::context> tls_)
      : io(io_), acceptor(make_acceptor(io_)), options(o), tls(std::move(tls_)) {}

  template <class Next>
  struct Conn : WsConnBase, std::enable_shared_from_this<Conn<Next>> {
    template <class... Args>
    explicit Conn(std::shared_ptr<State> st, Args&&... args) : state(std::move(st)), ws(std::forward<Args>(args)...) {}

    void start() {
      if constexpr (std::is_same_v<Next, tcp::socket>) {
        upgrade();
      } else {
        ws.next_layer().async_handshake(ssl::stream_base::server, [c = this->shared_from_this()](const error_code& ec) {
          if (!ec) c->upgrade();
        });
      }
    }

    void upgrade() {
      ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
        if (kind == websocket::frame_type::pong) ++state->pongs;
      });
      ws.async_accept(request_buffer, [c = this->shared_from_this()](const error_code& ec) {
        if (ec) return;
        c->open = true;
        ++c->state->upgrades;
        if (c->state->options.drop_after_upgrade) return c->drop();
        if (c->state->options.read) c->read();
      });
    }

    void read() {
      ws.async_read(buffer, [c = this->shared_from_this()](const error_code& ec, std::size_t) {
        if (ec) {
          if (ec == websocket::error::closed) ++c->state->close_frames;
          c->open = false;
          return;
        }
        std::string text = beast::buffers_to_string(c->buffer.data());
        c->buffer.consume(c->buffer.size());
        c->state->messages.push_back(text);
        c->outbox.push_back(std::move(text));
        if (c->outbox.size() == 1) c->write();
        c->read();
      });
    }

    void write() {
      ws.text(true);
      ws.async_write(asio::buffer(outbox.front()), [c = this->shared_from_this()](const error_code& ec, std::size_t) {
        if (ec) return;
        c->outbox.pop_front();
        if (!c->outbox.empty()) c->write();
      });
    }

    void ping() override {
      if (open) ws.async_ping({}, [c = this->shared_from_this()](const error_code&) {});
    }
    void close(uint16_t code, const std::string& reason) override {
      if (open)
        ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason), [c = this->shared_from_this()](const error_code&) {});
    }
    void drop() override {
      open = false;
      close_socket(beast::get_lowest_layer(ws));
    }

    std::shared_ptr<State> state;  // the server's destructor breaks this cycle (conns.clear())
    websocket::stream<Next> ws;
    http::request<http::empty_body> request_buffer;
    beast::flat_buffer buffer;
    std::deque<std::string> outbox;
  };

  void accept() {
    acceptor.async_accept([s = shared_from_this()](const error_code& ec, tcp::socket socket) {
      if (ec || s->stopped) return;
      ++s->accepted;
      s->read_upgrade(std::move(socket));
      s->accept();
    });
  }

  // Reads the upgrade request first (to record its headers: the accept overload that takes a
  // decorator never shows the request), then hands it to the stream.
  void read_upgrade(tcp::socket socket) {
    if (tls) {
      auto c = std::make_shared<Conn<ssl::stream<tcp::socket>>>(shared_from_this(), std::move(socket), *tls);
      conns.push_back(c);
      c->ws.next_layer().async_handshake(ssl::stream_base::server, [s = shared_from_this(), c](const error_code& ec) {
        if (!ec) s->read_request(c);
      });
    } else {
      auto c = std::make_shared<Conn<tcp::socket>>(shared_from_this(), std::move(socket));
      conns.push_back(c);
      read_request(c);
    }
  }

  template <class C>
  void read_request(std::shared_ptr<C> c) {
    http::async_read(c->ws.next_layer(), c->buffer, c->request_buffer, [s = shared_from_this(), c](const error_code& ec, std::size_t) {
      if (ec) return;
      s->last_headers.clear();
      for (const auto& f : c->request_buffer)
        s->last_headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      c->upgrade();
    });
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  Options options;
  std::shared_ptr<ssl::context> tls;
  bool stopped = false;
  int accepted = 0, upgrades = 0, pongs = 0, close_frames = 0;
  std::vector<Field> last_headers;
  std::vector<std::string> messages;
  std::vector<std::shared_ptr<WsConnBase>> conns;
};

LoopbackWsServer::LoopbackWsServer(asio::io_context& io, Options options, std::shared_ptr<ssl::context> tls)
    : state_(std::make_shared<State>(io, options, std::move(tls))) {
  state_->accept();
}

LoopbackWsServer::~LoopbackWsServer() {
  state_->stopped = true;
  error_code ignored;
  state_->acceptor.close(ignored);
  drop_all();
  state_->conns.clear();
}

uint16_t LoopbackWsServer::port() const { return state_->acceptor.local_endpoint().port(); }
int LoopbackWsServer::accepted() const { return state_->accepted; }
int LoopbackWsServer::upgrades() const { return state_->upgrades; }
const std::vector<Field>& LoopbackWsServer::last_upgrade_headers() const { return state_->last_headers; }
const std::vector<std::string>& LoopbackWsServer::messages() const { return state_->messages; }
int LoopbackWsServer::pongs() const { return state_->pongs; }
int LoopbackWsServer::close_frames() const { return state_->close_frames; }

void LoopbackWsServer::ping_all() {
  for (auto& c : state_->conns) c->ping();
}
void LoopbackWsServer::close_all(uint16_t code, const std::string& reason) {
  for (auto& c : state_->conns) c->close(code, reason);
}
void LoopbackWsServer::drop_all() {
  for (auto& c : state_->conns) c->drop();
}

}  // namespace tradehost::net::test
