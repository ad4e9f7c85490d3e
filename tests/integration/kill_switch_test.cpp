// The kill switch and the control API end to end: the real `tradehost` in live mode through the
// real binance_spot connector against the real exchange simulator (live_bot.hpp), and the real
// curl as the operator's HTTP client. The simulator's clock is moved by the test; the test waits
// on the bot's log lines and the API's answers, never on time.
//
// Prices come from data/BTCUSDT-5m-20230102-20230209.csv: candle 1 closes at 16707.5, so the
// probe's limit buy 500 below rests at 16207.5 (no later candle in these tests reaches it); candle 2
// closes at 16704.1, so the alternating sell on bar 2 is priced 16704.1 + 500 = 17204.1.
#include "live_bot.hpp"

#include <csignal>

namespace {

using namespace tradehost_it;

const std::string kToken = "tok-0123456789abcdef0123456789abcdef";
const std::string kControl = "\n[control]\nlisten = \"127.0.0.1:0\"\ntoken_credential = \"control\"\n";

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

TEST(KillSwitch, ControlApiHaltCancelsRefusesSurvivesARestartAndOnlyAnAuthenticatedResumeLiftsIt) {
  TempDir d;
  SimProcess sim(d.path());
  LiveBot bot(d, sim);
  bot.add_token("control", kToken);
  bot.write_config("qty = \"0.001\"\nprice_offset = \"500\"\nevery_bar = true", "", kControl);
  ASSERT_NO_FATAL_FAILURE(bot.start());
  const std::string url = bot.control_url();
  ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;

  // Every route wants the token; without it, or with another, nothing about the bot is said.
  for (const std::string path : {"/v1/status", "/healthz", "/metrics", "/v1/orders"}) {
    const HttpAnswer none = curl("GET", url + path);
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_FALSE(has(none.body, "live-it")) << none.body;
    EXPECT_EQ(curl("GET", url + path, kToken + "x").status, 401) << path;
  }
  EXPECT_EQ(curl("POST", url + "/v1/kill", "wrong-token-wrong-token-wrong").status, 401);
  const HttpAnswer status = curl("GET", url + "/v1/status", kToken);
  EXPECT_EQ(status.status, 200);
  EXPECT_TRUE(has(status.body, R"("bot":"live-it","mode":"live","run_id":1,"state":"trading")")) << status.body;
  EXPECT_TRUE(has(status.body, R"("kill_switch":{"state":"ACTIVE")")) << status.body;
  EXPECT_EQ(curl("GET", url + "/healthz", kToken).status, 200);
  EXPECT_EQ(curl("GET", url + "/readyz", kToken).status, 200);

  // Bar 1: a resting buy at 16707.5 - 500.
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe order live-it-1-1 NEW filled=0");
  const HttpAnswer orders = curl("GET", url + "/v1/orders", kToken);
  EXPECT_TRUE(has(orders.body, R"("client_order_id":"live-it-1-1","strategy":"probe","instrument":"BTC/USDT","side":"buy","type":"limit","qty":"0.001","price":"16207.5","state":"NEW")"))
      << orders.body;
  const HttpAnswer metrics = curl("GET", url + "/metrics", kToken);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_TRUE(has(metrics.body, "tradehost_orders{bot=\"live-it\",state=\"NEW\"} 1\n")) << metrics.body;
  EXPECT_TRUE(has(metrics.body, "tradehost_order_latency_seconds_count{bot=\"live-it\"} 1\n")) << metrics.body;
  EXPECT_TRUE(has(metrics.body, "# TYPE tradehost_order_latency_seconds histogram\n")) << metrics.body;
  EXPECT_TRUE(has(metrics.body, "tradehost_rate_limit_used{bot=\"live-it\",budget=\"")) << metrics.body;
  EXPECT_TRUE(has(metrics.body, "tradehost_kill_switch_state{bot=\"live-it\"} 0\n")) << metrics.body;
  EXPECT_EQ(curl("GET", url + "/v1/decisions?since=abc", kToken).status, 400);
  EXPECT_EQ(curl("GET", url + "/v1/decisions?since=0", kToken).status, 200);
  // A command nested deeper than the host's stack could recurse (inside the 64 KiB body limit):
  // parsed iteratively, refused as a bad request, and the host answers on.
  EXPECT_EQ(curl("POST", url + "/v1/kill", kToken, R"({"state":)" + std::string(65'500, '[')).status, 400);
  EXPECT_EQ(curl("GET", url + "/healthz", kToken).status, 200);

  // Halt: the open order is cancelled at the venue, the next order refused.
  const HttpAnswer kill = curl("POST", url + "/v1/kill", kToken, R"({"reason":"operator test"})");
  EXPECT_EQ(kill.status, 200);
  EXPECT_EQ(kill.body, R"({"state":"HALTED","changed":true})");
  bot.await("probe order live-it-1-1 CANCELED");
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe submitted id=0 price=17204.1 refused: kill_switch: the kill switch is HALTED (source api: operator test)");
  // A resume without the token changes nothing.
  EXPECT_EQ(curl("POST", url + "/v1/resume", "").status, 401);
  EXPECT_TRUE(has(curl("GET", url + "/v1/status", kToken).body, R"("kill_switch":{"state":"HALTED","source":"api","reason":"operator test")"));
  EXPECT_EQ(bot.stop(), 0) << bot.log();

  // The restarted bot comes back HALTED, refuses again, and trades once resumed.
  ASSERT_NO_FATAL_FAILURE(bot.start());
  bot.await("the kill switch of bot 'live-it' is HALTED since a previous run (source api: operator test)");
  const std::string url2 = bot.control_url();
  EXPECT_TRUE(has(curl("GET", url2 + "/v1/status", kToken).body, R"("run_id":2,"state":"trading","kill_switch":{"state":"HALTED")"));
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("refused: kill_switch: the kill switch is HALTED");
  EXPECT_EQ(curl("POST", url2 + "/v1/resume", kToken, R"({"state":"halted"})").status, 400);
  const HttpAnswer resume = curl("POST", url2 + "/v1/resume", kToken, R"({"reason":"checked"})");
  EXPECT_EQ(resume.status, 200);
  EXPECT_EQ(resume.body, R"({"state":"ACTIVE","changed":true})");
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe order live-it-2-1 NEW filled=0");
  EXPECT_EQ(bot.stop(), 0) << bot.log();

  Db db(bot.state());
  const auto events = db.rows("SELECT run_id, from_state, to_state, source, reason FROM kill_switch_events ORDER BY event_id");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(col(events[0], 0) + " " + col(events[0], 1) + " " + col(events[0], 2) + " " + col(events[0], 3) + " " + col(events[0], 4),
            "1 ACTIVE HALTED api operator test");
  EXPECT_EQ(col(events[1], 0) + " " + col(events[1], 1) + " " + col(events[1], 2) + " " + col(events[1], 3) + " " + col(events[1], 4),
            "2 HALTED ACTIVE api checked");
  EXPECT_EQ(db.text("SELECT state FROM kill_switch WHERE bot = 'live-it' AND mode = 'live'"), "ACTIVE");
  EXPECT_EQ(db.text("SELECT count(*) FROM rejections WHERE rule = 'kill_switch'"), "2");
  EXPECT_EQ(db.text("SELECT state FROM orders WHERE client_order_id = 'live-it-1-1'"), "CANCELED");

  // Neither the venue secret nor the control token is in the log, the database or its WAL.
  for (const std::string& secret : {std::string(SimProcess::kSecret), kToken}) {
    EXPECT_FALSE(has(bot.log(), secret));
    for (const fs::path& f : {bot.state(), fs::path(bot.state().string() + "-wal"), fs::path(bot.state().string() + ".control")}) {
      if (!fs::exists(f)) continue;
      std::ifstream in(f, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_FALSE(has(bytes, secret)) << f;
    }
  }
}

// REDUCING lets a position shrink and nothing else; the flag file halts; the API refuses to resume
// while the file is there. Market orders fill at once (taker at the ask, close + 0.01).
TEST(KillSwitch, SignalReducesKillFileHaltsAndResumeWaitsForTheFileToGo) {
  TempDir d;
  SimProcess sim(d.path());
  LiveBot bot(d, sim);
  bot.add_token("control", kToken);
  bot.write_config("order_type = \"market\"\nqty = \"0.001\"\nevery_bar = true", "", "kill_file = \"KILL\"\n" + kControl);
  ASSERT_NO_FATAL_FAILURE(bot.start());
  const std::string url = bot.control_url();
  ASSERT_EQ(sim.advance().status, 200);  // bar 1: buy 0.001
  bot.await("probe order live-it-1-1 FILLED filled=0.001");
  bot.signal(SIGUSR2);
  bot.await("kill switch ACTIVE -> REDUCING (source signal: SIGUSR2 received)");
  ASSERT_EQ(sim.advance().status, 200);  // bar 2: sell 0.001 shrinks the long: it passes
  bot.await("probe order live-it-1-2 FILLED filled=0.001");
  ASSERT_EQ(sim.advance().status, 200);  // bar 3: buy from flat would open a position
  bot.await("refused: kill_switch: the kill switch is REDUCING (source signal: SIGUSR2 received); only orders that shrink a position");

  write_file(d / "KILL", "\n");
  bot.await("kill switch REDUCING -> HALTED (source file: kill file");
  const HttpAnswer refused = curl("POST", url + "/v1/resume", kToken);
  EXPECT_EQ(refused.status, 409);
  EXPECT_TRUE(has(refused.body, "remove it first")) << refused.body;
  fs::remove(d / "KILL");
  EXPECT_EQ(curl("POST", url + "/v1/resume", kToken, R"({"state":"reducing","reason":"step down"})").body,
            R"({"state":"REDUCING","changed":true})");
  EXPECT_EQ(curl("POST", url + "/v1/resume", kToken, R"({"reason":"all clear"})").body, R"({"state":"ACTIVE","changed":true})");
  EXPECT_EQ(bot.stop(), 0) << bot.log();

  Db db(bot.state());
  std::vector<std::string> trail;
  for (const auto& r : db.rows("SELECT from_state, to_state, source FROM kill_switch_events ORDER BY event_id"))
    trail.push_back(col(r, 0) + ">" + col(r, 1) + ":" + col(r, 2));
  EXPECT_EQ(trail, (std::vector<std::string>{"ACTIVE>REDUCING:signal", "REDUCING>HALTED:file", "HALTED>REDUCING:api",
                                             "REDUCING>ACTIVE:api"}));
}

// A risk rule's breach halts the bot through th_host_api.kill_switch, and flatten_on_halt closes
// the position: max_daily_loss with max_loss 0.00000001 is breached by the first fill's fee.
TEST(KillSwitch, RiskRuleBreachHaltsAndFlattensThePosition) {
  TempDir d;
  SimProcess sim(d.path());
  LiveBot bot(d, sim);
  bot.write_config("order_type = \"market\"\nqty = \"0.002\"\n\n[[risk]]\ntype = \"max_daily_loss\"\nmax_loss = \"0.00000001\"\n"
                   "kill_switch = \"halted\"",
                   "", "flatten_on_halt = true");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  ASSERT_EQ(sim.advance().status, 200);  // bar 1: buy 0.002 at the ask
  bot.await("probe order live-it-1-1 FILLED filled=0.002");
  bot.await("kill switch ACTIVE -> HALTED (source risk:max_daily_loss: daily loss");
  bot.await("flattening sell 0.002 BTC/USDT with market order live-it-1-2");
  bot.await("order=live-it-1-2 strategy=kill_switch");  // the log notifier's line for its fill
  EXPECT_EQ(bot.stop(), 0) << bot.log();
  Db db(bot.state());
  EXPECT_EQ(db.text("SELECT strategy || ' ' || side || ' ' || type || ' ' || qty || ' ' || tag FROM orders WHERE client_order_id = 'live-it-1-2'"),
            "kill_switch sell market 0.002 kill_switch:flatten");
  EXPECT_EQ(db.text("SELECT state FROM orders WHERE client_order_id = 'live-it-1-2'"), "FILLED");
  EXPECT_EQ(db.text("SELECT qty FROM positions"), "0");
  EXPECT_EQ(db.text("SELECT to_state || ' ' || source FROM kill_switch_events"), "HALTED risk:max_daily_loss");
}

}  // namespace
