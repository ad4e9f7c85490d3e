// sim_process.hpp -- the real exchange simulator (build/exchange-sim) as a child process, and a
// small synchronous Beast HTTP client the tests use to drive it (/_sim/advance, /_sim/fault) and
// to read its own records through Binance's signed endpoints, signed here with OpenSSL's HMAC
// (independent of the host's signer and of the simulator's verifier).
#pragma once

#include "cli_harness.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace tradehost_it {

struct SimReply {
  int status = 0;
  std::string body;
  rapidjson::Document json;
};

class SimProcess {
 public:
  static constexpr const char* kKey = "simkey";
  static constexpr const char* kSecret = "simsecret";

  /// Starts build/exchange-sim on an ephemeral port with the bundled candles and the test key;
  /// `extra` adds options (e.g. {"--fill-volume-bps", "1"}; {"--venue", "usdm"} serves USD-M;
  /// {"--capture", PREFIX} replays a recorded capture instead of the candles).
  SimProcess(const std::filesystem::path& cwd, std::vector<std::string> extra = {})
      : time_path_(usdm(extra) ? "/fapi/v1/time" : "/api/v3/time"), child_(args(std::move(extra)), cwd) {
    const bool up = child_.read_until([&] { return contains(child_.out, "\n"); }, std::chrono::seconds(60));
    // "listening http://127.0.0.1:PORT", or https:// when started with --tls-cert/--tls-key
    tls_ = child_.out.rfind("listening https://", 0) == 0;
    const std::string prefix = tls_ ? "listening https://" : "listening http://";
    if (!up || child_.out.rfind(prefix, 0) != 0) throw std::runtime_error("exchange-sim did not start: " + child_.out + child_.err);
    host_port_ = child_.out.substr(prefix.size(), child_.out.find('\n') - prefix.size());
    port_ = host_port_.substr(host_port_.find(':') + 1);
  }
  ~SimProcess() {
    child_.signal(SIGTERM);
    child_.wait(std::chrono::seconds(30));
  }

  /// The URLs a bot uses (https:// and wss:// for a TLS simulator, whose certificate names
  /// "localhost"). request() and the helpers below speak plain HTTP only.
  std::string http_url() const { return tls_ ? "https://localhost:" + port_ : "http://" + host_port_; }
  std::string ws_url() const { return tls_ ? "wss://localhost:" + port_ : "ws://" + host_port_; }
  Child& child() { return child_; }

  SimReply request(const std::string& method, const std::string& target, const std::string& body = "",
                   bool api_key = false) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(resolver.resolve("127.0.0.1", port_));
    http::request<http::string_body> req(method == "POST" ? http::verb::post : method == "DELETE" ? http::verb::delete_ : http::verb::get,
                                         target, 11);
    req.set(http::field::host, host_port_);
    if (api_key) req.set("X-MBX-APIKEY", kKey);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    SimReply r;
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
    r.json.Parse(r.body.c_str());
    return r;
  }

  /// POST /_sim/advance by `candles` steps.
  SimReply advance(int candles = 1) { return request("POST", "/_sim/advance", "{\"candles\":" + std::to_string(candles) + "}"); }
  SimReply fault(const std::string& json) { return request("POST", "/_sim/fault", json); }
  SimReply state() { return request("GET", "/_sim/state"); }

  /// A SIGNED GET (rest-api.md "SIGNED (TRADE and USER_DATA) Endpoint security"; USD-M signs the
  /// same way): the query with
  /// timestamp = the simulator's server time, signed with HMAC-SHA256 of the test secret.
  SimReply signed_get(const std::string& path, const std::string& query) {
    const SimReply t = request("GET", time_path_);
    const std::string q = query + (query.empty() ? "" : "&") + "timestamp=" + std::to_string(t.json["serverTime"].GetInt64());
    return request("GET", path + "?" + q + "&signature=" + hmac_hex(kSecret, q), "", true);
  }

  static std::string hmac_hex(const std::string& secret, const std::string& data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(), md,
         &len);
    std::string hex;
    char b[3];
    for (unsigned int i = 0; i < len; ++i) {
      std::snprintf(b, sizeof b, "%02x", md[i]);
      hex += b;
    }
    return hex;
  }

 private:
  static bool usdm(const std::vector<std::string>& extra) {
    for (size_t i = 0; i + 1 < extra.size(); ++i)
      if (extra[i] == "--venue" && extra[i + 1] == "usdm") return true;
    return false;
  }
  static std::vector<std::string> args(std::vector<std::string> extra) {
    std::vector<std::string> a{std::string(TH_BINARY_DIR) + "/exchange-sim", "--key", std::string(kKey) + ":" + kSecret};
    if (std::find(extra.begin(), extra.end(), "--capture") == extra.end()) a.insert(a.end(), {"--candles", kDataFile});
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  std::string time_path_;  // the venue's server time, for signed_get's timestamp
  Child child_;
  bool tls_ = false;
  std::string host_port_, port_;
};

}  // namespace tradehost_it
