// The live engine's handling of what a venue reports, with a venue that answers from a script
// (fixtures/scripted_venue.cpp) and the real `tradehost` executable in live mode: a fill repeated
// by the venue counts once; a fill the order cannot hold stops the run (fail closed) instead of
// being guessed at; an order the bot never issued is reported and left alone; the venue's
// rejection reason reaches the strategy and the journal word for word.
#include "cli_harness.hpp"

namespace {

using namespace tradehost_it;

/// Runs a live bot of the scripted venue and the live_probe strategy (qty 1 at 100.00 less
/// nothing: a limit buy at the bar's close) until `until` appears in its log; then stops it
/// unless it already ended. Returns the exit code.
struct ScriptedRun {
  TempDir d;
  std::unique_ptr<Child> bot;
  void start(const std::string& venue_keys) {
    write_file(d / "bot.toml",
               "[bot]\nname = \"scripted\"\nmode = \"live\"\nstate = \"state.sqlite\"\nout = \"out\"\n\n"
               "[plugins]\npaths = [\"" + kPluginDir + "\", \"" + std::string(TH_BINARY_DIR) + "/live_fixtures\"]\n\n"
               "[[connector]]\nname = \"venue\"\ntype = \"scripted_venue\"\n" + venue_keys + "\n\n"
               "[[strategy]]\nname = \"probe\"\ntype = \"live_probe\"\nconnector = \"venue\"\ninstruments = [\"BTC/USDT\"]\n"
               "timeframe = \"1m\"\nqty = \"1\"\n\n"
               "[[notifier]]\ntype = \"log\"\n");
    bot = std::make_unique<Child>(std::vector<std::string>{kExe, "run", (d / "bot.toml").string()}, d.path());
  }
  bool await(const std::string& needle) {
    const bool seen = bot->read_until([&] { return contains(bot->err, needle); }, std::chrono::seconds(60));
    EXPECT_TRUE(seen) << "no '" << needle << "' in:\n" << bot->err;
    return seen;
  }
  int stop() {
    bot->signal(SIGINT);
    return bot->wait(std::chrono::seconds(60));
  }
};

TEST(LiveEngine, AFillTheVenueRepeatsCountsOnce) {
  ScriptedRun r;
  r.start(R"(on_submit = ["ack", "fill 0.4 100 t1", "fill 0.4 100 t1", "fill 0.6 100 t2"])");
  ASSERT_TRUE(r.await("probe order scripted-1-1 FILLED filled=1 "));
  EXPECT_EQ(r.stop(), 0) << r.bot->err;
  Db db(r.d / "state.sqlite");
  EXPECT_EQ(db.text("SELECT group_concat(trade_id || ':' || qty, ' ') FROM fills"), "t1:0.4 t2:0.6");
  EXPECT_EQ(db.text("SELECT state || ' ' || filled_qty FROM orders"), "FILLED 1");
  EXPECT_EQ(db.text("SELECT qty || ' ' || avg_entry_price FROM positions"), "1 100");
}

TEST(LiveEngine, AFillBeyondTheOrderStopsTheRunInsteadOfGuessing) {
  ScriptedRun r;
  r.start(R"(on_submit = ["ack", "fill 1 100 t1", "fill 0.5 100 t2"])");
  const int rc = r.bot->wait(std::chrono::seconds(60));  // the run ends by itself
  EXPECT_NE(rc, 0) << r.bot->err;
  EXPECT_TRUE(contains(r.bot->err, "fill t2 of order scripted-1-1 (buy 0.5 BTC/USDT @ 100) cannot be applied: the order is already FILLED"))
      << r.bot->err;
  EXPECT_TRUE(contains(r.bot->err, "notify topic=error")) << r.bot->err;
  Db db(r.d / "state.sqlite");
  EXPECT_EQ(db.text("SELECT status FROM runs"), "failed");
  EXPECT_EQ(db.text("SELECT group_concat(trade_id, ' ') FROM fills"), "t1");
  // The kill switch is left HALTED, so a restart does not trade until an operator resumes.
  EXPECT_EQ(db.text("SELECT state || ' ' || source FROM kill_switch WHERE bot = 'scripted'"), "HALTED host");
  EXPECT_EQ(db.text("SELECT from_state || '>' || to_state FROM kill_switch_events"), "ACTIVE>HALTED");
}

TEST(LiveEngine, AnOrderTheBotNeverIssuedIsReportedAndLeftAlone) {
  ScriptedRun r;
  r.start(R"(on_reconcile = ["manual-order-7"])");
  ASSERT_TRUE(r.await("probe order scripted-1-1 NEW"));
  EXPECT_EQ(r.stop(), 0) << r.bot->err;
  EXPECT_TRUE(contains(r.bot->err, "reports an order update of order manual-order-7, which this bot did not issue")) << r.bot->err;
  EXPECT_TRUE(contains(r.bot->err, "foreign=1")) << r.bot->err;  // the reconcile notification counts it
  Db db(r.d / "state.sqlite");
  EXPECT_EQ(db.num("SELECT count(*) FROM orders"), 1);
}

TEST(LiveEngine, TheVenuesRejectionReasonReachesTheStrategyAndTheJournal) {
  ScriptedRun r;
  r.start(R"(on_submit = ["reject Account has insufficient balance for requested action."])");
  ASSERT_TRUE(r.await("probe order scripted-1-1 REJECTED filled=0 reason=Account has insufficient balance for requested action."));
  EXPECT_EQ(r.stop(), 0) << r.bot->err;
  Db db(r.d / "state.sqlite");
  EXPECT_EQ(db.text("SELECT state || ': ' || reason FROM orders"), "REJECTED: Account has insufficient balance for requested action.");
}

}  // namespace
