// The `telegram` and `webhook` notifiers end to end: the real executable backtests the bundled
// BTC/USDT candles with the ema_crossover strategy, and the notifiers POST, through the host's
// HTTP, to real Beast servers on 127.0.0.1 (tests/unit/net/loopback_server.hpp) running on a
// thread of this test. Each test waits for the bot to exit: after the run, the host keeps the
// loop going while notifiers deliver ([bot] notifier_drain), so every request and retry has
// happened by then. Nothing sleeps; no request leaves the machine.
//
// The rejection texts come from the `reject_first` fixture rule (fixtures/reject_first.c), which
// rejects the first order with the reason configured in the test, so the expected payloads below
// are written out by hand from the services' documented formats: Telegram Bot API sendMessage,
// Slack incoming webhooks, Discord Execute Webhook (see the plugins' header comments).
#include "cli_harness.hpp"

#include "tests/unit/net/loopback_server.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include <mutex>
#include <thread>

namespace {

using namespace tradehost_it;
namespace nt = tradehost::net::test;

const std::string kToken = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11";  // the Bot API docs' example token shape
const std::string kTokenPath = "/bot" + kToken + "/sendMessage";

// TOML text of the rejection reason, and the string it stands for.
const std::string kReasonToml = R"(say \"hi\"\nnext line\ttab \u00fc \u20ac \U0001F600 back\\slash \u0001 <b>&amp; @everyone)";
const std::string kPrefix = "strategy=ema instrument=BTC/USDT side=buy reason=";

/// A loopback HTTP server on its own io_context and thread, answering with `handler` (called on
/// that thread). Read requests() only after stop().
struct Server {
  explicit Server(nt::LoopbackHttpServer::Handler handler) : http(io, std::move(handler)) {}
  boost::asio::io_context io;
  nt::LoopbackHttpServer http;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};

  std::string url() const { return "http://127.0.0.1:" + std::to_string(http.port()); }
  void stop() {
    work.reset();
    io.stop();
    if (thread.joinable()) thread.join();
  }
  ~Server() { stop(); }
};

nt::Reply ok_reply() {
  nt::Reply r;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = R"({"ok":true,"result":{"message_id":1}})";
  return r;
}

/// A backtest of ema_crossover on the bundled data, with `extra` appended (risk rules and
/// notifiers). The `reject_first` rule, when used, comes before the others.
std::string bot_config(const std::string& name, const std::string& extra, const std::string& bot_extra = "") {
  return "[bot]\nname = \"" + name + "\"\nmode = \"backtest\"\ninitial_cash = \"10000\"\nstate = \"state.sqlite\"\nout = \"out\"\n" +
         bot_extra + "\n[plugins]\npaths = [\"" + kPluginDir + "\", \"" + std::string(TH_BINARY_DIR) + "/net_fixtures\"]\n\n" +
         "[[connector]]\nname = \"history\"\ntype = \"replay\"\nfiles = [\"" + kDataFile + "\"]\n"
         "symbol = \"BTC/USDT\"\nvenue = \"binance\"\ntick_size = \"0.01\"\nlot_size = \"0.00001\"\nmin_qty = \"0.00001\"\n"
         "min_notional = \"5\"\n\n"
         "[[strategy]]\nname = \"ema\"\ntype = \"ema_crossover\"\nconnector = \"history\"\ninstruments = [\"BTC/USDT\"]\n"
         "timeframe = \"5m\"\nfast = 12\nslow = 26\nrsi_period = 14\nrsi_max = 70\nfraction = 0.95\n\n" +
         extra;
}

std::string reject_rule() { return "[[risk]]\ntype = \"reject_first\"\nreason = \"" + kReasonToml + "\"\n\n"; }

TEST(HttpNotifiers, TelegramSendsTheDocumentedRequestWithEscapedTextAndNeverLogsTheToken) {
  TempDir d;
  Server server([](const nt::ReceivedRequest&) { return ok_reply(); });
  write_file(d / "bot.toml",
             bot_config("tg-bot", reject_rule() +
                                      "[[notifier]]\nname = \"plain\"\ntype = \"telegram\"\non = [\"rejected\", \"summary\"]\n"
                                      "token = \"${TG_TOKEN}\"\nchat_id = \"-1001234567890\"\napi_url = \"" + server.url() + "/\"\n\n"
                                      "[[notifier]]\nname = \"html\"\ntype = \"telegram\"\non = [\"rejected\"]\n"
                                      "token = \"${TG_TOKEN}\"\nchat_id = \"@th_alerts\"\nparse_mode = \"HTML\"\napi_url = \"" +
                                      server.url() + "\"\n"));
  const Result r = run({"run", (d / "bot.toml").string()}, d.path(), {{"TG_TOKEN", kToken}});
  server.stop();
  ASSERT_EQ(r.rc, 0) << r.both();

  const auto& reqs = server.http.requests();
  ASSERT_EQ(reqs.size(), 3u) << r.err;  // the rejection twice (plain, html), the run summary once
  for (const auto& q : reqs) {
    EXPECT_EQ(q.method, "POST");
    EXPECT_EQ(q.target, kTokenPath);
    EXPECT_EQ(q.header("Content-Type"), "application/json");
  }
  // The notifiers are called in file order for one notification: plain first, then html.
  EXPECT_EQ(reqs[0].body,
            R"({"chat_id":-1001234567890,"text":"[WARN] order rejected by reject_first\nstrategy=ema instrument=BTC/USDT side=buy )"
            R"(reason=say \"hi\"\nnext line\ttab ü € 😀 back\\slash \u0001 <b>&amp; @everyone"})");
  EXPECT_EQ(reqs[1].body,
            R"({"chat_id":"@th_alerts","text":"<b>[WARN] order rejected by reject_first</b>\nstrategy=ema instrument=BTC/USDT side=buy )"
            R"(reason=say \"hi\"\nnext line\ttab ü € 😀 back\\slash \u0001 &lt;b&gt;&amp;amp; @everyone","parse_mode":"HTML"})");
  EXPECT_EQ(reqs[2].body.rfind(R"({"chat_id":-1001234567890,"text":"run 1 of tg-bot completed\ntrades=)", 0), 0u) << reqs[2].body;
  EXPECT_FALSE(contains(r.out + r.err, kToken)) << r.err;
  EXPECT_FALSE(contains(r.out + r.err, "ABC-DEF1234ghIkl")) << r.err;
}

TEST(HttpNotifiers, SlackAndDiscordPayloadShapes) {
  TempDir d;
  Server server([](const nt::ReceivedRequest&) { return nt::Reply{204, {}, "", nt::ReplyAction::respond}; });
  // A reason long enough to pass Discord's 2000-character content limit.
  const std::string filler(2100, 'x');
  write_file(d / "bot.toml",
             bot_config("hook-bot", "[[risk]]\ntype = \"reject_first\"\nreason = \"" + kReasonToml + " " + filler + "\"\n\n"
                                    "[[notifier]]\nname = \"slack\"\ntype = \"webhook\"\nformat = \"slack\"\non = [\"rejected\"]\n"
                                    "url = \"" + server.url() + "/services/T000/B000/XXXX\"\n\n"
                                    "[[notifier]]\nname = \"discord\"\ntype = \"webhook\"\nformat = \"discord\"\non = [\"rejected\"]\n"
                                    "url = \"" + server.url() + "/api/webhooks/1/secret-token\"\n"));
  const Result r = run({"run", (d / "bot.toml").string()}, d.path());
  server.stop();
  ASSERT_EQ(r.rc, 0) << r.both();
  const auto& reqs = server.http.requests();
  ASSERT_EQ(reqs.size(), 2u) << r.err;
  EXPECT_EQ(reqs[0].target, "/services/T000/B000/XXXX");
  EXPECT_EQ(reqs[0].header("Content-Type"), "application/json");
  EXPECT_EQ(reqs[0].body, R"({"text":"*order rejected by reject_first*\nstrategy=ema instrument=BTC/USDT side=buy )"
                          R"(reason=say \"hi\"\nnext line\ttab ü € 😀 back\\slash \u0001 &lt;b&gt;&amp;amp; @everyone )" +
                              filler + R"("})");
  EXPECT_EQ(reqs[1].target, "/api/webhooks/1/secret-token");
  // Discord: 2000 UTF-16 units at most. Up to the filler the content is
  // "**order rejected by reject_first**\n" (35) + kPrefix (49) + the reason's text before the
  // filler: "say "hi"\nnext line\ttab ü € " (27) + the emoji (2 units) +
  // " back\slash \x01 <b>&amp; @everyone " (33) = 146 units; then 1999 - 146 = 1853 'x' and "…".
  const std::string content_json = R"(**order rejected by reject_first**\n)" + std::string("strategy=ema instrument=BTC/USDT side=buy ") +
                                   R"(reason=say \"hi\"\nnext line\ttab ü € 😀 back\\slash \u0001 <b>&amp; @everyone )" +
                                   std::string(1853, 'x') + "…";
  EXPECT_EQ(reqs[1].body, R"({"content":")" + content_json + R"(","allowed_mentions":{"parse":[]}})");
  // The webhook URLs hold tokens: the log names only the origin.
  EXPECT_FALSE(contains(r.out + r.err, "secret-token")) << r.err;
  EXPECT_FALSE(contains(r.out + r.err, "B000/XXXX")) << r.err;
}

TEST(HttpNotifiers, RetriesAfterTwo500sDeliverOnceAndInOrder) {
  TempDir d;
  int answered = 0;  // server thread only
  Server server([&answered](const nt::ReceivedRequest&) {
    if (++answered <= 2) return nt::Reply{500, {}, "upstream broke", nt::ReplyAction::respond};
    return nt::Reply{200, {}, "ok", nt::ReplyAction::respond};
  });
  write_file(d / "bot.toml",
             bot_config("wh-bot", "[[notifier]]\nname = \"hook\"\ntype = \"webhook\"\nbot = \"wh-bot\"\non = [\"fill\", \"summary\"]\n"
                                  "url = \"" + server.url() + "/hook\"\nretry_initial = \"50ms\"\nmax_queue = 10000\n\n"
                                  "[[notifier]]\ntype = \"log\"\non = [\"fill\", \"summary\"]\nprefix = \"SEEN\"\n"));
  const Result r = run({"run", (d / "bot.toml").string()}, d.path());
  server.stop();
  ASSERT_EQ(r.rc, 0) << r.both();

  // What was notified, in order, from the log notifier's lines "SEEN topic=T TITLE | BODY".
  std::vector<std::string> seen;
  for (const auto& line : lines_of(r.err))
    if (auto at = line.find("SEEN topic="); at != std::string::npos) seen.push_back(line.substr(at + 5));
  ASSERT_GT(seen.size(), 3u);
  ASSERT_EQ(seen.back().rfind("topic=summary run 1 of wh-bot completed", 0), 0u) << seen.back();

  const auto& reqs = server.http.requests();
  ASSERT_EQ(reqs.size(), seen.size() + 2) << r.err;  // the first one three times, every other once
  EXPECT_EQ(reqs[0].body, reqs[1].body);
  EXPECT_EQ(reqs[1].body, reqs[2].body);
  // Requests 2.. are the notifications in order, each once, in the json shape.
  for (size_t i = 0; i < seen.size(); ++i) {
    const std::string& body = reqs[i + 2].body;
    const std::string topic = seen[i].substr(6, seen[i].find(' ') - 6);
    const std::string title = seen[i].substr(seen[i].find(' ') + 1, seen[i].find(" | ") - seen[i].find(' ') - 1);
    const std::string text = seen[i].substr(seen[i].find(" | ") + 3);
    const std::string sev = topic == "fill" || topic == "summary" ? "info" : "?";
    const std::string head = R"({"severity":")" + sev + R"(","topic":")" + topic + R"(","title":")" + title + R"(","body":")" + text +
                             R"(","bot":"wh-bot","ts":")";
    EXPECT_EQ(body.rfind(head, 0), 0u) << "request " << i + 2 << ": " << body << "\nexpected to start with " << head;
    // ts: ISO 8601 UTC with milliseconds, inside the data's span (2023-01-02 .. 2023-02-10).
    ASSERT_EQ(body.size(), head.size() + 26) << body;
    const std::string ts = body.substr(head.size(), 24);
    EXPECT_TRUE(ts.rfind("2023-01-", 0) == 0 || ts.rfind("2023-02-", 0) == 0) << ts;
    EXPECT_EQ(ts.substr(10, 1) + ts.substr(19), "T.000Z") << ts;
    EXPECT_EQ(body.substr(head.size() + 24), "\"}");
  }
  EXPECT_TRUE(contains(r.err, "try 1/5 of topic=fill to http://127.0.0.1:" + std::to_string(server.http.port()) +
                                  "/*** failed: HTTP 500 upstream broke; retrying in 50 ms"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "try 2/5 of topic=fill")) << r.err;
  EXPECT_TRUE(contains(r.err, "retrying in 100 ms")) << r.err;  // the backoff doubled
  EXPECT_TRUE(contains(r.err, "delivered topic=fill to http://127.0.0.1:" + std::to_string(server.http.port()) + "/*** after 3 tries"))
      << r.err;
  // The wait is on the loop clock, which follows the wall clock after the run: at least 50 ms,
  // then 100 ms, between the tries.
  EXPECT_GE(reqs[1].at - reqs[0].at, std::chrono::milliseconds(50));
  EXPECT_GE(reqs[2].at - reqs[1].at, std::chrono::milliseconds(100));
}

TEST(HttpNotifiers, A429WaitsForTheRetryAfterTheServerGives) {
  TempDir d;
  int hook_answers = 0, tg_answers = 0;  // server thread only
  Server server([&](const nt::ReceivedRequest& q) {
    if (q.target == "/hook" && ++hook_answers == 1) {  // Slack-style: only the header says how long
      nt::Reply r{429, {{"Retry-After", "1"}}, "rate_limited", nt::ReplyAction::respond};
      return r;
    }
    if (q.target != "/hook" && ++tg_answers == 1) {  // Telegram: the JSON body's parameters.retry_after
      nt::Reply r{429, {{"Content-Type", "application/json"}},
                  R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}})",
                  nt::ReplyAction::respond};
      return r;
    }
    return ok_reply();
  });
  write_file(d / "bot.toml",
             bot_config("rl-bot", "[[notifier]]\ntype = \"telegram\"\non = [\"summary\"]\ntoken = \"${TG_TOKEN}"
                                      "\"\nchat_id = \"42\"\napi_url = \"" + server.url() + "\"\nretry_initial = \"10ms\"\n\n"
                                      "[[notifier]]\ntype = \"webhook\"\non = [\"summary\"]\nurl = \"" + server.url() +
                                      "/hook\"\nretry_initial = \"10ms\"\n"));
  const Result r = run({"run", (d / "bot.toml").string()}, d.path(), {{"TG_TOKEN", kToken}});
  server.stop();
  ASSERT_EQ(r.rc, 0) << r.both();
  const auto& reqs = server.http.requests();
  ASSERT_EQ(reqs.size(), 4u) << r.err;  // each notifier: a 429, then the same message again, delivered
  std::vector<const nt::ReceivedRequest*> tg, hook;
  for (const auto& q : reqs) (q.target == "/hook" ? hook : tg).push_back(&q);
  ASSERT_EQ(tg.size(), 2u);
  ASSERT_EQ(hook.size(), 2u);
  EXPECT_EQ(tg[0]->body, tg[1]->body);
  EXPECT_EQ(hook[0]->body, hook[1]->body);
  // Both asked for 1 s, not the 10 ms backoff.
  EXPECT_GE(tg[1]->at - tg[0]->at, std::chrono::seconds(1));
  EXPECT_GE(hook[1]->at - hook[0]->at, std::chrono::seconds(1));
  EXPECT_TRUE(contains(r.err, "failed: HTTP 429 Too Many Requests: retry after 1; retrying in 1000 ms (as the server asked)")) << r.err;
  EXPECT_TRUE(contains(r.err, "failed: HTTP 429 rate_limited; retrying in 1000 ms (as the server asked)")) << r.err;
  EXPECT_FALSE(contains(r.out + r.err, kToken)) << r.err;
}

TEST(HttpNotifiers, AServerThatIsDownChangesNoTradeAndDropsAreCounted) {
  // A port nothing listens on: bind a server, note its port, close it.
  uint16_t port = 0;
  {
    Server gone([](const nt::ReceivedRequest&) { return ok_reply(); });
    port = gone.http.port();
  }
  TempDir without, with;
  write_file(without / "bot.toml", bot_config("down-bot", ""));
  write_file(with / "bot.toml",
             bot_config("down-bot",
                        "[[notifier]]\ntype = \"telegram\"\non = [\"fill\", \"summary\"]\ntoken = \"${TG_TOKEN}\"\nchat_id = \"42\"\n"
                        "api_url = \"http://127.0.0.1:" + std::to_string(port) + "\"\nmax_attempts = 3\nretry_initial = \"10ms\"\n"
                        "max_queue = 2\n",
                        "notifier_drain = \"20s\"\n"));
  const Result a = run({"run", (without / "bot.toml").string()}, without.path());
  const Result b = run({"run", (with / "bot.toml").string()}, with.path(), {{"TG_TOKEN", kToken}});
  ASSERT_EQ(a.rc, 0) << a.both();
  ASSERT_EQ(b.rc, 0) << b.both();

  // Same trades, to the byte, with and without the failing notifier.
  const std::string trades = read_file(without / "out/trades.csv");
  ASSERT_GT(lines_of(trades).size(), 2u);
  EXPECT_EQ(read_file(with / "out/trades.csv"), trades);
  // report.json from "bars" (trade count, returns, fees, final equity) up to the timing fields.
  const auto results = [](const std::string& report) {
    const size_t from = report.find("\"bars\""), to = report.find("\"elapsed_s\"");
    return from == std::string::npos || to == std::string::npos ? std::string("<no results>") : report.substr(from, to - from);
  };
  const std::string ra = results(read_file(without / "out/report.json"));
  EXPECT_TRUE(contains(ra, "\"trades\": ")) << ra;
  EXPECT_EQ(results(read_file(with / "out/report.json")), ra);

  // Every notification failed and was logged, none stopped anything. In a backtest the loop
  // first runs after the last bar, so: the first fill went out at once (and failed 3 times),
  // two waited, every other one was dropped from the full queue: fills + summary - 3.
  Db db(with / "out/state.sqlite");
  const int64_t fills = db.num("SELECT COUNT(*) FROM fills");
  ASSERT_GT(fills, 3);
  const int64_t dropped = fills + 1 - 3;
  EXPECT_TRUE(contains(b.err, "queue full (max_queue=2): dropping the oldest waiting notification topic=fill")) << b.err;
  EXPECT_TRUE(contains(b.err, "dropped " + std::to_string(dropped) + " notification(s) while the queue was full (" +
                                  std::to_string(dropped) + " in all)"))
      << b.err;
  const std::string target = "http://127.0.0.1:" + std::to_string(port) + "/bot***/sendMessage";
  EXPECT_TRUE(contains(b.err, "try 1/3 of topic=fill to " + target + " failed: cannot connect to")) << b.err;
  EXPECT_TRUE(contains(b.err, "gave up topic=fill to " + target + " after 3 tries")) << b.err;
  EXPECT_TRUE(contains(b.err, "gave up topic=summary to " + target + " after 3 tries")) << b.err;
  EXPECT_FALSE(contains(b.out + b.err, kToken)) << b.err;
}

}  // namespace
