// The ABI 1.2 networking and signing services end to end: a paper bot (the real executable)
// runs the `net_probe` strategy (fixtures/net_probe.c, plain C99 against plugin.h), which asks
// the host to sign Binance's documented order example with a credential from the encrypted
// store, POST it through a rate-limit budget, and open a WebSocket. The servers are real Beast
// servers on 127.0.0.1 (tests/unit/net/loopback_server.hpp) on a thread of this test; the bot
// is synchronised with by reading its log, never by sleeping.
//
// Expected values are Binance's own: the spot REST docs, "SIGNED Endpoint Examples for POST
// /api/v3/order", Example 1 (apiKey vmPUZE6m..., secretKey NhqPtmdS..., the query string and its
// HMAC SHA256 signature c8db5682...).
#include "cli_harness.hpp"

#include "tests/unit/net/loopback_server.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include <thread>

namespace {

using namespace tradehost_it;
namespace nt = tradehost::net::test;

const std::string kDocApiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const std::string kDocSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const std::string kDocQuery =
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
const std::string kDocSignature = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
const std::string kMasterKey(64, 'a');  // TRADEHOST_MASTER_KEY: any 32 bytes, as hex

/// Servers on their own io_context and thread; read their records only after stop().
struct Servers {
  boost::asio::io_context io;
  nt::LoopbackHttpServer http{io, [](const nt::ReceivedRequest&) {
                                nt::Reply r;
                                r.headers = {{"Content-Type", "application/json"}, {"X-MBX-USED-WEIGHT-1M", "1"}};
                                r.body = R"({"symbol":"LTCBTC","orderId":28,"status":"NEW"})";
                                return r;
                              }};
  nt::LoopbackWsServer ws{io, nt::LoopbackWsServer::Options{}};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};

  void stop() {
    work.reset();
    io.stop();
    if (thread.joinable()) thread.join();
  }
  ~Servers() { stop(); }
};

size_t await(Child& child, const std::string& needle, size_t from = 0) {
  size_t at = std::string::npos;
  const bool seen = child.read_until(
      [&] {
        at = child.err.find(needle, from);
        return at != std::string::npos;
      },
      std::chrono::seconds(60));
  EXPECT_TRUE(seen) << "no '" << needle << "' in the bot's log\nstdout:\n" << child.out << "\nstderr:\n" << child.err;
  return seen ? at + needle.size() : std::string::npos;
}

std::string bot_config(const std::string& http_url, const std::string& ws_url, const std::string& credential) {
  return "[bot]\nname = \"net-bot\"\nmode = \"paper\"\nspeed = 20000\nstate = \"state.sqlite\"\nout = \"out\"\n\n"
         "[plugins]\npaths = [\"" + kPluginDir + "\", \"" + std::string(TH_BINARY_DIR) + "/net_fixtures\"]\n\n"
         "[[connector]]\nname = \"history\"\ntype = \"replay\"\nfiles = [\"" + kDataFile + "\"]\n"
         "symbol = \"BTC/USDT\"\nvenue = \"binance\"\ntick_size = \"0.01\"\nlot_size = \"0.00001\"\n\n"
         "[[strategy]]\nname = \"probe\"\ntype = \"net_probe\"\nconnector = \"history\"\ninstruments = [\"BTC/USDT\"]\n"
         "timeframe = \"5m\"\nhttp_url = \"" + http_url + "\"\nws_url = \"" + ws_url + "\"\ncredentials = \"" + credential + "\"\n";
}

TEST(NetServices, SignedRequestAndWebSocketThroughTheHost) {
  TempDir d;
  const std::map<std::string, std::string> env{{"TRADEHOST_MASTER_KEY", kMasterKey},
                                               {"TRADEHOST_CREDENTIALS", (d / "creds.enc").string()}};
  write_file(d / "secret.txt", kDocSecret + "\n");
  Result add = run({"credentials", "add", "binance-doc", "--type", "hmac", "--api-key", kDocApiKey}, d.path(), env,
                   std::chrono::seconds(60), d / "secret.txt");
  ASSERT_EQ(add.rc, 0) << add.both();
  fs::remove(d / "secret.txt");

  Servers servers;
  const std::string http_url = "http://127.0.0.1:" + std::to_string(servers.http.port());
  const std::string ws_url = "ws://127.0.0.1:" + std::to_string(servers.ws.port()) + "/ws";
  write_file(d / "bot.toml", bot_config(http_url, ws_url, "binance-doc"));
  Child child({kExe, "run", (d / "bot.toml").string()}, d.path(), env);
  await(child, R"(net_probe http status=200 body={"symbol":"LTCBTC","orderId":28,"status":"NEW"})");
  await(child, "net_probe http cookie=7000 error=");  // cookie 7 came back; error TH_OK (0)
  await(child, "net_probe ws message 20:hello from net_probe");  // the server echoes
  child.signal(SIGINT);
  EXPECT_EQ(child.wait(std::chrono::seconds(60)), 0) << child.err;
  servers.stop();

  ASSERT_EQ(servers.http.requests().size(), 1u);
  const nt::ReceivedRequest& r = servers.http.requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/v3/order?" + kDocQuery + "&signature=" + kDocSignature);
  EXPECT_EQ(r.header("X-MBX-APIKEY"), kDocApiKey);
  ASSERT_EQ(servers.ws.messages().size(), 1u);
  EXPECT_EQ(servers.ws.messages()[0], "hello from net_probe");
  // The secret stays in the store: not in the log, the output or the state database.
  EXPECT_FALSE(contains(child.err + child.out, kDocSecret));
  EXPECT_FALSE(contains(read_file(d / "state.sqlite"), kDocSecret));
  EXPECT_FALSE(contains(read_file(d / "creds.enc"), kDocSecret));
}

// A request naming a budget nobody declared is refused at once, with the reason, rather than
// reaching the plugin later looking like a venue ban (TH_ERR_REJECTED); the probe's start()
// then fails, which stops the bot before it runs.
TEST(NetServices, ARequestSpendingAnUndeclaredBudgetIsRefused) {
  TempDir d;
  const std::map<std::string, std::string> env{{"TRADEHOST_MASTER_KEY", kMasterKey},
                                               {"TRADEHOST_CREDENTIALS", (d / "creds.enc").string()}};
  write_file(d / "secret.txt", kDocSecret + "\n");
  ASSERT_EQ(run({"credentials", "add", "binance-doc", "--type", "hmac", "--api-key", kDocApiKey}, d.path(), env,
                std::chrono::seconds(60), d / "secret.txt").rc, 0);
  Servers servers;
  write_file(d / "bot.toml", bot_config("http://127.0.0.1:" + std::to_string(servers.http.port()),
                                        "ws://127.0.0.1:" + std::to_string(servers.ws.port()) + "/ws", "binance-doc") +
                                 "budgets = \"probe:ORDERS:10s=1\"\n");
  const Result r = run({"run", (d / "bot.toml").string()}, d.path(), env);
  EXPECT_NE(r.rc, 0) << r.both();
  EXPECT_TRUE(contains(r.err, "http_request refused: budget 'probe:ORDERS:10s' was never declared with rate_budget")) << r.err;
  servers.stop();
  EXPECT_TRUE(servers.http.requests().empty()) << "the refused request reached the server";
}

TEST(NetServices, AMissingCredentialIsRefusedBeforeTheRunWithTheFix) {
  TempDir d;
  const std::map<std::string, std::string> env{{"TRADEHOST_MASTER_KEY", kMasterKey},
                                               {"TRADEHOST_CREDENTIALS", (d / "creds.enc").string()}};
  write_file(d / "bot.toml", bot_config("http://127.0.0.1:9", "ws://127.0.0.1:9/ws", "nobody"));
  const Result r = run({"run", (d / "bot.toml").string()}, d.path(), env);
  EXPECT_EQ(r.rc, 2) << r.both();
  EXPECT_TRUE(contains(r.err, "bot.toml:28:15:")) << r.err;  // the value of `credentials` (line 28 of bot_config)
  EXPECT_TRUE(contains(r.err, "needs credential 'nobody'")) << r.err;
  EXPECT_TRUE(contains(r.err, "tradehost credentials add nobody")) << r.err;
  EXPECT_FALSE(fs::exists(d / "state.sqlite")) << "a refused run wrote state";
}

}  // namespace
