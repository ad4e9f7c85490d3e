// WebSocketClient against real loopback WebSocket servers on the same loop.
#include "net/websocket_client.hpp"

#include <gtest/gtest.h>

#include "tests/unit/net/loopback_server.hpp"
#include "tests/unit/net/test_pki.hpp"

namespace tradehost::net {
namespace {

using namespace std::chrono_literals;
using test::LoopbackWsServer;
using test::run_until;
using Clock = std::chrono::steady_clock;

// Everything the owner saw, in order.
struct Recorder {
  struct Event {
    std::string kind;  // "opened", "message", "closed"
    std::string text;
    WsClosed closed;
    Clock::time_point at;
  };
  std::vector<Event> events;

  WebSocketHandlers handlers() {
    return {
        [this] { events.push_back({"opened", {}, {}, Clock::now()}); },
        [this](std::string_view m, bool) { events.push_back({"message", std::string(m), {}, Clock::now()}); },
        [this](const WsClosed& c) { events.push_back({"closed", c.message, c, Clock::now()}); },
    };
  }
  int count(const std::string& kind) const {
    return static_cast<int>(std::count_if(events.begin(), events.end(), [&](const Event& e) { return e.kind == kind; }));
  }
  std::vector<const Event*> of(const std::string& kind) const {
    std::vector<const Event*> out;
    for (const auto& e : events)
      if (e.kind == kind) out.push_back(&e);
    return out;
  }
};

std::string ws_url(const LoopbackWsServer& server, const char* scheme = "ws", const char* host = "127.0.0.1") {
  return std::string(scheme) + "://" + host + ":" + std::to_string(server.port()) + "/ws/btcusdt@trade";
}

WebSocketOptions quick_options() {
  WebSocketOptions o;
  o.connect_timeout = 2s;
  o.ping_interval = 0ms;  // off unless a test is about pings
  o.backoff = {.base = 40ms, .cap = 100ms, .jitter = 0.5};
  o.stable_after = 1h;
  o.close_timeout = 1s;
  return o;
}

TEST(WebSocketClient, EchoesTextAndSendsTheUpgradeHeaders) {
  boost::asio::io_context io;
  LoopbackWsServer server(io, {});
  Recorder rec;
  WebSocketOptions options = quick_options();
  options.headers = {{"X-MBX-APIKEY", "key-1"}};
  WebSocketClient client(io, ws_url(server), options, rec.handlers());
  EXPECT_FALSE(client.send("too early"));
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return rec.count("opened") == 1; }));
  EXPECT_EQ(client.state(), WsState::open);
  EXPECT_TRUE(client.send(R"({"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1})"));
  EXPECT_TRUE(client.send("second"));
  ASSERT_TRUE(run_until(io, [&] { return rec.count("message") == 2; }));
  const auto messages = rec.of("message");
  EXPECT_EQ(messages[0]->text, R"({"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1})");
  EXPECT_EQ(messages[1]->text, "second");
  bool saw_key = false;
  for (const auto& [n, v] : server.last_upgrade_headers()) saw_key |= (n == "X-MBX-APIKEY" && v == "key-1");
  EXPECT_TRUE(saw_key);
}

TEST(WebSocketClient, SecureEchoVerifiesTheServer) {
  boost::asio::io_context io;
  const auto ca = test::make_test_ca("ws test CA");
  test::TempFile ca_file(ca.cert_pem);
  LoopbackWsServer server(io, {}, test::server_tls_context(test::make_server_cert(ca, {"localhost"})));
  Recorder rec;
  WebSocketOptions options = quick_options();
  options.tls.ca_file = ca_file.path().string();
  WebSocketClient client(io, ws_url(server, "wss", "localhost"), options, rec.handlers());
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return rec.count("opened") == 1; }));
  client.send("over tls");
  ASSERT_TRUE(run_until(io, [&] { return rec.count("message") == 1; }));
  EXPECT_EQ(rec.of("message")[0]->text, "over tls");
}

TEST(WebSocketClient, UntrustedServerIsAConnectFailureThatIsRetried) {
  boost::asio::io_context io;
  const auto stranger = test::make_test_ca("not trusted");
  LoopbackWsServer server(io, {}, test::server_tls_context(test::make_server_cert(stranger, {"localhost"})));
  Recorder rec;
  WebSocketClient client(io, ws_url(server, "wss", "localhost"), quick_options(), rec.handlers(), [] { return 0.0; });
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return rec.count("closed") == 2; }));
  const auto closed = rec.of("closed");
  EXPECT_EQ(closed[0]->closed.reason, WsCloseReason::connect_failed);
  EXPECT_FALSE(closed[0]->closed.was_open);
  EXPECT_NE(closed[0]->text.find("certificate verify failed"), std::string::npos) << closed[0]->text;
  EXPECT_EQ(closed[0]->closed.reconnect_in, 40ms);  // r = 0: the undiminished first step
  EXPECT_EQ(closed[1]->closed.reconnect_in, 80ms);
  EXPECT_EQ(rec.count("opened"), 0);
  EXPECT_EQ(server.upgrades(), 0);
}

TEST(WebSocketClient, AnswersTheServersPing) {
  boost::asio::io_context io;
  LoopbackWsServer server(io, {});
  Recorder rec;
  WebSocketClient client(io, ws_url(server), quick_options(), rec.handlers());
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return rec.count("opened") == 1 && server.upgrades() == 1; }));
  server.ping_all();
  ASSERT_TRUE(run_until(io, [&] { return server.pongs() == 1; }));
  EXPECT_EQ(rec.count("closed"), 0);
}

TEST(WebSocketClient, MissingPongMeansDeadConnectionAndReconnects) {
  boost::asio::io_context io;
  LoopbackWsServer server(io, {.read = false, .drop_after_upgrade = false});  // never reads, so never answers our pings
  Recorder rec;
  WebSocketOptions options = quick_options();
  options.ping_interval = 50ms;
  options.pong_timeout = 100ms;
  WebSocketClient client(io, ws_url(server), options, rec.handlers(), [] { return 0.5; });
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return rec.count("opened") == 2; }));
  const auto closed = rec.of("closed");
  ASSERT_GE(closed.size(), 1u);
  EXPECT_EQ(closed[0]->closed.reason, WsCloseReason::ping_timeout);
  EXPECT_TRUE(closed[0]->closed.was_open);
  EXPECT_EQ(closed[0]->text, "no pong within 100 ms");
  // Opened at T, ping at T + 50 ms, declared dead at T + 150 ms at the earliest.
  const auto opened = rec.of("opened");
  EXPECT_GE(closed[0]->at - opened[0]->at, 150ms);
  EXPECT_EQ(server.accepted(), 2);
}

TEST(WebSocketClient, ServerDropGivesClosedBeforeEachReconnectWithBackoffAndJitter) {
  boost::asio::io_context io;
  LoopbackWsServer server(io, {.read = true, .drop_after_upgrade = true});
  Recorder rec;
  int random_calls = 0;
  // base 40 ms, cap 100 ms, jitter 0.5, r = 0.5 (each step x 0.75):
  //   attempt 1: 40 x 0.75 = 30 ms; attempt 2: 80 x 0.75 = 60 ms; attempt 3: min(160, 100) x 0.75 = 75 ms.
  WebSocketClient client(io, ws_url(server), quick_options(), rec.handlers(), [&] {
    ++random_calls;
    return 0.5;
  });
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return rec.count("closed") == 3; }));
  client.close();
  ASSERT_TRUE(run_until(io, [&] { return rec.count("closed") == 4; }));

  std::vector<std::string> kinds;
  for (const auto& e : rec.events) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"opened", "closed", "opened", "closed", "opened", "closed", "closed"}))
      << "the 4th closed is close() while waiting to reconnect";
  const auto closed = rec.of("closed");
  const std::vector<std::chrono::milliseconds> expected{30ms, 60ms, 75ms};
  const auto opened = rec.of("opened");
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(closed[i]->closed.reason, WsCloseReason::connection_lost) << closed[i]->text;
    EXPECT_TRUE(closed[i]->closed.will_reconnect);
    EXPECT_EQ(closed[i]->closed.attempt, i + 1);
    EXPECT_EQ(closed[i]->closed.reconnect_in, expected[i]);
  }
  // The loop's timer really waited: each reopen comes at least the announced delay later.
  EXPECT_GE(opened[1]->at - closed[0]->at, 30ms);
  EXPECT_GE(opened[2]->at - closed[1]->at, 60ms);
  EXPECT_EQ(random_calls, 3);
  EXPECT_EQ(closed[3]->closed.reason, WsCloseReason::client_closed);
  EXPECT_FALSE(closed[3]->closed.will_reconnect);
  EXPECT_EQ(client.state(), WsState::closed);
}

TEST(WebSocketClient, AConnectionThatStayedOpenLongEnoughResetsTheBackoff) {
  boost::asio::io_context io;
  LoopbackWsServer server(io, {.read = true, .drop_after_upgrade = true});
  Recorder rec;
  WebSocketOptions options = quick_options();
  options.stable_after = 0ms;  // every connection counts as stable: each drop starts the ladder again
  WebSocketClient client(io, ws_url(server), options, rec.handlers(), [] { return 0.5; });
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return rec.count("closed") == 3; }));
  for (const auto* e : rec.of("closed")) {
    EXPECT_EQ(e->closed.reconnect_in, 30ms);  // 40 x 0.75 every time
    EXPECT_EQ(e->closed.attempt, 1u);
  }
}

TEST(WebSocketClient, ServerCloseFrameIsReportedWithItsCodeAndReason) {
  boost::asio::io_context io;
  LoopbackWsServer server(io, {});
  Recorder rec;
  WebSocketClient client(io, ws_url(server), quick_options(), rec.handlers(), [] { return 0.0; });
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return rec.count("opened") == 1 && server.upgrades() == 1; }));
  server.close_all(1001, "restart");
  ASSERT_TRUE(run_until(io, [&] { return rec.count("opened") == 2; }));
  const auto closed = rec.of("closed");
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0]->closed.reason, WsCloseReason::server_closed);
  EXPECT_EQ(closed[0]->text, "close frame 1001: restart");
}

TEST(WebSocketClient, CloseSendsACloseFrameAndDoesNotReconnect) {
  boost::asio::io_context io;
  LoopbackWsServer server(io, {});
  Recorder rec;
  WebSocketClient client(io, ws_url(server), quick_options(), rec.handlers());
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return rec.count("opened") == 1; }));
  client.close();
  EXPECT_EQ(client.state(), WsState::closing);
  EXPECT_FALSE(client.send("after close"));
  ASSERT_TRUE(run_until(io, [&] { return rec.count("closed") == 1 && server.close_frames() == 1; }));
  const auto closed = rec.of("closed");
  EXPECT_EQ(closed[0]->closed.reason, WsCloseReason::client_closed);
  EXPECT_FALSE(closed[0]->closed.will_reconnect);
  EXPECT_EQ(closed[0]->text, "closed by the client");
  // Run the loop past the first backoff step: nothing reconnects.
  io.restart();
  io.run_for(150ms);
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(rec.count("closed"), 1);
  EXPECT_EQ(client.state(), WsState::closed);
}

}  // namespace
}  // namespace tradehost::net
