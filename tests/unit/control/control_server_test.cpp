// The control API server (host/control) without an engine: authentication, the loopback rule,
// and that a handler sees nothing of an unauthenticated request. A real client (curl) drives it;
// the server runs on its own io_context thread here.
#include "control/control_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

namespace {

using namespace tradehost::control;

const std::string kToken = "0123456789abcdef0123456789abcdef";

TEST(ControlToken, MatchesOnlyTheExactToken) {
  EXPECT_TRUE(token_matches(kToken, kToken));
  EXPECT_FALSE(token_matches(kToken + "0", kToken));
  EXPECT_FALSE(token_matches(kToken.substr(1), kToken));
  EXPECT_FALSE(token_matches("", kToken));
  EXPECT_FALSE(token_matches("", ""));  // no configured token never authenticates
  std::string one_off = kToken;
  one_off.back() = 'e';
  EXPECT_FALSE(token_matches(one_off, kToken));
}

TEST(ControlServer, RefusesANonLoopbackAddressWithoutTlsAndAnEmptyToken) {
  boost::asio::io_context io;
  ServerOptions o;
  o.host = "0.0.0.0";
  o.token = kToken;
  try {
    ControlServer s(io, o, [](const Request&) { return Response{}; });
    FAIL() << "listened on 0.0.0.0 without TLS";
  } catch (const ControlError& e) {
    EXPECT_NE(std::string(e.what()).find("without TLS"), std::string::npos) << e.what();
  }
  o.host = "127.0.0.1";
  o.token = "";
  EXPECT_THROW(ControlServer(io, o, [](const Request&) { return Response{}; }), ControlError);
  o.token = kToken;
  o.host = "example.com";
  EXPECT_THROW(ControlServer(io, o, [](const Request&) { return Response{}; }), ControlError);
}

/// curl's status code and body for one request.
std::pair<int, std::string> curl(const std::string& args) {
  std::string cmd = "/usr/bin/curl -sS -o - -w '\\n%{http_code}' --max-time 20 " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  const size_t nl = out.rfind('\n');
  return {std::atoi(out.c_str() + nl + 1), out.substr(0, nl)};
}

TEST(ControlServer, EveryRequestNeedsTheBearerTokenAndTheHandlerSeesOnlyAuthenticatedOnes) {
  boost::asio::io_context io;
  std::atomic<int> handled{0};
  std::string seen_path, seen_query, seen_body;
  ServerOptions o;
  o.token = kToken;
  ControlServer server(io, o, [&](const Request& r) {
    ++handled;
    seen_path = r.path;
    seen_query = r.query;
    seen_body = r.body;
    return Response{200, "application/json", R"({"ok":true})"};
  });
  auto guard = boost::asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  const std::string url = server.url();
  EXPECT_EQ(url.rfind("http://127.0.0.1:", 0), 0u);

  auto [s1, b1] = curl(url + "/v1/status");
  EXPECT_EQ(s1, 401);
  auto [s2, b2] = curl("-H 'Authorization: Bearer " + kToken + "x' " + url + "/v1/status");
  EXPECT_EQ(s2, 401);
  auto [s3, b3] = curl("-H 'Authorization: Basic " + kToken + "' " + url + "/v1/status");
  EXPECT_EQ(s3, 401);
  EXPECT_EQ(handled, 0);
  auto [s4, b4] = curl("-H 'Authorization: Bearer " + kToken + "' -X POST --data '{\"a\":1}' '" + url + "/v1/kill?x=1'");
  EXPECT_EQ(s4, 200);
  EXPECT_EQ(b4, R"({"ok":true})");
  EXPECT_EQ(handled, 1);
  boost::asio::post(io, [&] {
    EXPECT_EQ(seen_path, "/v1/kill");
    EXPECT_EQ(seen_query, "x=1");
    EXPECT_EQ(seen_body, R"({"a":1})");
    server.stop();
    guard.reset();
  });
  loop.join();
}

}  // namespace
