// Test 5: a plugin's failure stays inside it. A C++ exception thrown by a component is caught by
// the plugin.hpp barrier and becomes a status; the Engine then applies its containment policy
// (Engine::instance_failed): a failing strategy is stopped, a failing risk rule fails closed,
// and the run itself goes on to the end of the data.
#include "backtest_harness.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

namespace abi = tradehost::abi_test;

const char* const kStrategyHeader = "connector = \"history\"\ninstruments = [\"BTC/USDT\"]\ntimeframe = \"5m\"\n";

std::string strategy(const std::string& name, const std::string& type, const std::string& keys = "") {
  return "[[strategy]]\nname = \"" + name + "\"\ntype = \"" + type + "\"\n" + kStrategyHeader + keys + "\n";
}

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << "missing \"" << (part) << "\""

TEST(Containment, StrategyThatThrowsIsStoppedAndTheRunCompletes) {
  abi::LogCapture log;
  abi::Backtest bt(strategy("boom", "abi_throw_on_bar", "throw_on_bar = 5\nbuy_bars = 1000\n") +
                       strategy("counter", "abi_bar_counter") +
                       "[[notifier]]\ntype = \"log\"\non = [\"error\"]\n",
                   {TH_ABI_FIXTURE_CPP_CONTAINMENT});
  const auto result = bt.run();
  const std::string text = log.text();

  ASSERT_EQ(result.status, "completed") << result.error;
  EXPECT_EQ(result.error, "");
  const auto bars = static_cast<int64_t>(abi::csv_rows(abi::candle_file()).size());
  EXPECT_EQ(result.summary.bars, bars);

  abi::StateDb db(bt.state_path());
  EXPECT_EQ(db.rows("SELECT status FROM runs")[0][0], "completed");
  // on_event ran for bars 1..5 only (one decision each, the 5th just before the throw) ...
  EXPECT_EQ(db.integer("SELECT count(*) FROM decisions WHERE strategy = 'boom'"), 5);
  EXPECT_EQ(db.rows("SELECT reason FROM decisions WHERE strategy = 'boom' ORDER BY decision_id DESC LIMIT 1")[0][0],
            "bar 5");
  // ... and bought on bars 1..4; nothing was ordered at or after the failing bar.
  EXPECT_EQ(db.integer("SELECT count(*) FROM orders WHERE strategy = 'boom'"), 4);
  EXPECT_EQ(db.integer("SELECT count(*) FROM orders WHERE strategy = 'boom' AND created_ns >= "
                       "(SELECT ts_ns FROM decisions WHERE strategy = 'boom' AND reason = 'bar 5')"),
            0);
  // The other strategy kept receiving every bar until the end of the data.
  EXPECT_EQ(db.integer("SELECT count(*) FROM decisions WHERE strategy = 'counter'"), bars);

  // Reported: the barrier's line (with the exception text), the engine's policy line, and the
  // `error` notification through the real log notifier.
  EXPECT_HAS(text, "[boom] on_event: exception: abi_throw_on_bar: planned failure on bar 5");
  EXPECT_HAS(text, "strategy 'boom' failed: on_event returned status 7; the strategy is stopped");
  EXPECT_HAS(text, "notify topic=error strategy 'boom' failed");
}

TEST(Containment, RiskCheckThatThrowsRejectsTheOrderWithAReason) {
  abi::LogCapture log;
  abi::Backtest bt(strategy("buyer", "c_buy_once") + "[[risk]]\ntype = \"abi_throwing_check\"\n",
                   {TH_ABI_FIXTURE_CPP_CONTAINMENT, TH_ABI_FIXTURE_C_BUY_ONCE});
  const auto result = bt.run();
  ASSERT_EQ(result.status, "completed") << result.error;

  abi::StateDb db(bt.state_path());
  EXPECT_EQ(db.integer("SELECT count(*) FROM orders"), 0);  // fail closed: nothing reached the venue
  EXPECT_EQ(db.integer("SELECT count(*) FROM fills"), 0);
  const auto rej = db.rows("SELECT strategy, instrument, rule, reason, order_json FROM rejections");
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0][0], "buyer");
  EXPECT_EQ(rej[0][1], "BTC/USDT");
  EXPECT_EQ(rej[0][2], "abi_throwing_check");
  EXPECT_EQ(rej[0][3], "risk rule failed (see log); failing closed");
  EXPECT_HAS(rej[0][4], "\"side\":\"buy\"");
  EXPECT_HAS(rej[0][4], "\"qty\":\"0.001\"");
  EXPECT_EQ(db.rows("SELECT risk_verdict FROM decisions WHERE strategy = 'buyer'")[0][0],
            "rejected: abi_throwing_check: risk rule failed (see log); failing closed");
  EXPECT_HAS(log.text(), "check: exception: abi_throwing_check: planned failure");
}

TEST(Containment, RiskRuleWhoseOnEventThrowsRejectsEveryLaterOrder) {
  abi::LogCapture log;
  abi::Backtest bt(strategy("buyer", "abi_throw_on_bar", "buy_bars = 10\n") +
                       "[[risk]]\ntype = \"abi_event_throws\"\nfail_on_bar = 3\n",
                   {TH_ABI_FIXTURE_CPP_CONTAINMENT});
  const auto result = bt.run();
  ASSERT_EQ(result.status, "completed") << result.error;

  abi::StateDb db(bt.state_path());
  // The rule sees each bar before the strategy: bars 1 and 2 pass, from bar 3 on it has failed.
  EXPECT_EQ(db.integer("SELECT count(*) FROM orders"), 2);
  EXPECT_EQ(db.integer("SELECT count(*) FROM rejections"), 8);
  EXPECT_EQ(db.integer("SELECT count(*) FROM rejections WHERE rule = 'abi_event_throws' AND "
                       "reason LIKE 'rule failed earlier (on_event returned status 7)%failing closed'"),
            8);
  // The strategy itself is fine and saw every bar.
  EXPECT_EQ(db.integer("SELECT count(*) FROM decisions WHERE strategy = 'buyer'"),
            static_cast<int64_t>(abi::csv_rows(abi::candle_file()).size()));
  EXPECT_HAS(log.text(), "risk 'abi_event_throws' failed: on_event returned status 7; the rule fails closed");
}

}  // namespace
