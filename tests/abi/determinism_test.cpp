// A backtest is a pure function of its graph and its data: the default bot
// (config/bots/ema_crossover.toml, the shipped file itself, with the real plugins) run twice, each
// into its own state file, journals the same fills, decisions, orders and equity row for row and
// ends with the same equity.
#include "backtest_harness.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

namespace abi = tradehost::abi_test;
namespace fs = std::filesystem;

using Rows = std::vector<std::vector<std::string>>;

struct Outcome {
  tradehost::engine::RunResult result;
  Rows fills, decisions, orders, equity, rejections;
};

/// One run of the shipped default config with fresh plugin registry, engine and state file.
Outcome run_default_bot(const abi::ScratchDir& dir) {
  tradehost::loader::PluginRegistry registry(tradehost::engine::host_api());
  for (const auto& problem : registry.load_directories({TH_PLUGIN_DIR}))
    throw std::runtime_error("real plugin refused: " + problem);
  auto graph = tradehost::graph::parse_graph(fs::path(TH_SOURCE_DIR) / "config" / "bots" / "ema_crossover.toml");
  tradehost::graph::validate_graph(graph, registry.schema_lookup());
  tradehost::engine::RunOptions ro;
  ro.out_dir = dir.path() / "out";
  ro.state_path = dir.path() / "state.sqlite";
  ro.progress = false;
  ro.print_summary = false;
  Outcome o;
  {
    tradehost::engine::Engine eng(graph, registry, ro);
    o.result = eng.run();
  }
  abi::StateDb db(dir.path() / "state.sqlite");
  o.fills = db.rows("SELECT price, qty, fee, ts_ns, side, client_order_id, liquidity FROM fills ORDER BY fill_id");
  o.decisions = db.rows(
      "SELECT ts_ns, strategy, action, reason, inputs_json, order_id, risk_verdict FROM decisions ORDER BY decision_id");
  o.orders = db.rows(
      "SELECT client_order_id, side, type, qty, price, trigger_price, state FROM orders ORDER BY order_id");
  o.equity = db.rows("SELECT ts_ns, equity, cash FROM equity ORDER BY ts_ns");
  o.rejections = db.rows("SELECT ts_ns, rule, reason, order_json FROM rejections ORDER BY rejection_id");
  return o;
}

void expect_same_rows(const Rows& a, const Rows& b, const char* table) {
  SCOPED_TRACE(table);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "first difference at row " << i;
}

TEST(Determinism, DefaultBotTwiceGivesIdenticalJournals) {
  abi::ScratchDir dir1, dir2;
  const Outcome one = run_default_bot(dir1);
  const Outcome two = run_default_bot(dir2);
  ASSERT_EQ(one.result.status, "completed") << one.result.error;
  ASSERT_EQ(two.result.status, "completed") << two.result.error;

  // The run trades: otherwise identical journals prove nothing.
  ASSERT_GT(one.fills.size(), 0u);
  ASSERT_GT(one.decisions.size(), 0u);

  expect_same_rows(one.fills, two.fills, "fills (price, qty, fee, ts, side, client_order_id, liquidity)");
  expect_same_rows(one.decisions, two.decisions, "decisions (ts, strategy, action, reason, inputs_json, order, verdict)");
  expect_same_rows(one.orders, two.orders, "orders");
  expect_same_rows(one.equity, two.equity, "equity");
  expect_same_rows(one.rejections, two.rejections, "rejections");

  EXPECT_EQ(one.result.summary.final_equity_raw, two.result.summary.final_equity_raw);
  EXPECT_EQ(one.result.summary.fees_paid_raw, two.result.summary.fees_paid_raw);
  EXPECT_EQ(one.result.summary.trades, two.result.summary.trades);
  EXPECT_EQ(one.result.summary.bars, two.result.summary.bars);
  // The final equity moved away from the initial cash (fees alone see to that when it trades).
  EXPECT_NE(one.result.summary.final_equity_raw, one.result.summary.initial_equity_raw);
}

}  // namespace
