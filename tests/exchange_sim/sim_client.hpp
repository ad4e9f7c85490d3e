// sim_client.hpp -- runs the real exchange-sim server in-process on a background thread with a
// pinned clock, and talks to it over loopback with small Beast clients (HTTP(S) and WebSocket,
// plain or TLS), the way a connector would. No sleeps: WebSocket reads block until a frame
// arrives; the deadline on them only keeps a broken build from hanging the suite.
#ifndef TRADEHOST_TESTS_EXCHANGE_SIM_SIM_CLIENT_HPP
#define TRADEHOST_TESTS_EXCHANGE_SIM_SIM_CLIENT_HPP

#include "server.hpp"
#include "simulator.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace sim_test {

/// The member names of a JSON object, in document order: to compare a response's keys with a
/// documented example, key for key.
inline std::vector<std::string> keys_of(const rapidjson::Value& object) {
  std::vector<std::string> out;
  for (const auto& m : object.GetObject()) out.emplace_back(m.name.GetString());
  return out;
}

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using namespace tradehost::exchange_sim;

/// The name the test certificates are issued for; the clients verify the server against it.
inline const char* const kTlsHost = "localhost";

/// A TLS client context that trusts only `ca_pem` and checks the server's name is kTlsHost.
inline ssl::context client_tls_context(const std::string& ca_pem) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.add_certificate_authority(net::buffer(ca_pem));
  ctx.set_verify_mode(ssl::verify_peer);
  return ctx;
}

/// Connects `stream` (beast::tcp_stream or TlsStream) to 127.0.0.1:`port`; a TLS stream also
/// completes the handshake, verifying the certificate chain and the name kTlsHost.
template <class Stream>
void connect(Stream& stream, uint16_t port) {
  beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    SSL_set_tlsext_host_name(stream.native_handle(), kTlsHost);
    stream.set_verify_callback(ssl::host_name_verification(kTlsHost));
    stream.handshake(ssl::stream_base::client);
  }
}

/// HMAC-SHA256 hex straight from OpenSSL, independent of the simulator's own helper.
inline std::string sign(const std::string& secret, const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

struct Reply {
  int status = 0;
  std::string body;
  http::response<http::string_body> raw;
  rapidjson::Document json;
  std::string header(const char* name) const {
    auto it = raw.find(name);
    return it == raw.end() ? std::string() : std::string(it->value());
  }
};

/// The simulator plus its server thread. The clock is `now`, moved by the test.
class SimHarness {
 public:
  std::atomic<int64_t> now{1700000000000};
  SimConfig config;
  /// When set, requests go over TLS, trusting only this CA (the server needs config.tls_*).
  std::string tls_ca_pem;

  /// Starts the server: on the bundled candle file, unless the test set config.capture.
  void start() {
    if (config.capture.empty()) config.candle_file = TH_SOURCE_DIR "/data/BTCUSDT-5m-20230102-20230209.csv";
    config.clock = [this] { return now.load(); };
    sim_ = std::make_unique<Simulator>(config);
    server_ = std::make_unique<Server>(*sim_, "127.0.0.1", 0);
    port_ = server_->port();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~SimHarness() {
    if (server_) {
      server_->stop();
      thread_.join();
    }
  }
  uint16_t port() const { return port_; }

  /// One HTTP(S) request on a fresh connection.
  Reply request(http::verb verb, const std::string& target, const std::string& body = "",
                const std::string& api_key = "") {
    net::io_context ioc;
    if (tls_ca_pem.empty()) {
      beast::tcp_stream s(ioc);
      connect(s, port_);
      return roundtrip(s, verb, target, body, api_key);
    }
    ssl::context ctx = client_tls_context(tls_ca_pem);
    TlsStream s(ioc, ctx);
    connect(s, port_);
    return roundtrip(s, verb, target, body, api_key);
  }
  Reply get(const std::string& target, const std::string& key = "") { return request(http::verb::get, target, "", key); }
  Reply control(const std::string& path, const std::string& json) { return request(http::verb::post, path, json); }
  Reply advance(int candles) { return control("/_sim/advance", "{\"candles\":" + std::to_string(candles) + "}"); }

  /// A SIGNED request: `params` + timestamp, signed with `secret`, sent in the query string (GET)
  /// or the body (POST/PUT/DELETE).
  Reply signed_request(http::verb verb, const std::string& path, const std::string& params, const std::string& key,
                       const std::string& secret) {
    const std::string total = signed_params(params, secret);
    if (verb == http::verb::get) return request(verb, path + "?" + total, "", key);
    return request(verb, path, total, key);
  }

  /// `params` + `timestamp` (the pinned clock) + `signature`: a SIGNED request's parameters.
  std::string signed_params(const std::string& params, const std::string& secret) const {
    std::string total = params + (params.empty() ? "" : "&") + "timestamp=" + std::to_string(now.load());
    return total + "&signature=" + sign(secret, total);
  }

  /// A plain connection that sent one request and has not read anything back.
  struct SentRequest {
    net::io_context ioc;
    beast::tcp_stream stream{ioc};
    /// Bytes of an answer waiting on the socket.
    size_t answer_bytes() { return stream.socket().available(); }
  };
  /// Sends a SIGNED POST on a connection of its own without reading the answer (the
  /// order_timeout fault's victim).
  std::unique_ptr<SentRequest> signed_post_unread(const std::string& path, const std::string& params,
                                                  const std::string& key, const std::string& secret) {
    auto sent = std::make_unique<SentRequest>();
    connect(sent->stream, port_);
    http::request<http::string_body> req(http::verb::post, path, 11);
    req.set(http::field::host, "127.0.0.1");
    req.set("X-MBX-APIKEY", key);
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.body() = signed_params(params, secret);
    req.prepare_payload();
    http::write(sent->stream, req);
    return sent;
  }

 private:
  template <class Stream>
  Reply roundtrip(Stream& s, http::verb verb, const std::string& target, const std::string& body,
                  const std::string& api_key) {
    http::request<http::string_body> req(verb, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!api_key.empty()) req.set("X-MBX-APIKEY", api_key);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/x-www-form-urlencoded");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(s, req);
    beast::flat_buffer buf;
    Reply r;
    http::read(s, buf, r.raw);
    r.status = r.raw.result_int();
    r.body = r.raw.body();
    r.json.Parse(r.body.c_str());
    return r;
  }

  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

/// A WebSocket client on its own io_context, over `Stream`: beast::tcp_stream (WsClient) or
/// TlsStream (WssClient, which verifies the server against the CA it is given).
template <class Stream>
class BasicWsClient {
 public:
  BasicWsClient(uint16_t port, const std::string& target, const std::string& ca_pem = "") {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      tls_.emplace(client_tls_context(ca_pem));
      ws_.emplace(ioc_, *tls_);
    } else {
      ws_.emplace(ioc_);
    }
    connect(ws_->next_layer(), port);
    ws_->handshake(kTlsHost, target);
    // The server attaches the connection to its streams before it reads the first frame, so an
    // answer to LIST_SUBSCRIPTIONS proves every later event will reach this client.
    send(R"({"method":"LIST_SUBSCRIPTIONS","id":1})");
    ready_reply = read();
  }
  void send(const std::string& text) { ws_->write(net::buffer(text)); }
  /// The next text frame; throws beast::system_error when the connection fails or the safety
  /// deadline passes.
  std::string read() {
    beast::flat_buffer buf;
    beast::error_code result = net::error::timed_out;
    bool done = false;
    ws_->async_read(buf, [&](beast::error_code ec, size_t) {
      result = ec;
      done = true;
    });
    ioc_.restart();
    ioc_.run_for(std::chrono::seconds(10));
    if (!done) {
      beast::get_lowest_layer(*ws_).cancel();
      ioc_.restart();
      ioc_.run();
    }
    if (result) throw beast::system_error(result);
    return beast::buffers_to_string(buf.data());
  }
  /// The error that ends the next read (for a dropped connection).
  beast::error_code read_error() {
    try {
      read();
    } catch (const beast::system_error& e) {
      return e.code();
    }
    return {};
  }
  std::string ready_reply;

 private:
  net::io_context ioc_;
  std::optional<ssl::context> tls_;
  std::optional<websocket::stream<Stream>> ws_;
};

using WsClient = BasicWsClient<beast::tcp_stream>;
using WssClient = BasicWsClient<TlsStream>;

inline rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

/// A string member, or "<missing>" when there is none.
inline std::string str(const rapidjson::Value& v, const char* name) {
  return v.IsObject() && v.HasMember(name) && v[name].IsString() ? v[name].GetString() : std::string("<missing>");
}
/// An integer member, or INT64_MIN when there is none.
inline int64_t num(const rapidjson::Value& v, const char* name) {
  return v.IsObject() && v.HasMember(name) && v[name].IsInt64() ? v[name].GetInt64() : INT64_MIN;
}

}  // namespace sim_test

#endif
