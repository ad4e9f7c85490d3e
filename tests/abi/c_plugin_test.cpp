// Test 2: a plugin written in plain C99 (fixtures/c_buy_once.c, built -std=c99 -pedantic
// -Werror) is loaded by the host and trades in a backtest through the real `replay` connector.
#include "backtest_harness.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

namespace abi = tradehost::abi_test;
using tradehost::loader::PluginRegistry;

TEST(CPlugin, LoadsWithItsDeclaredSchema) {
  PluginRegistry reg(tradehost::engine::host_api());
  ASSERT_EQ(reg.load_file(TH_ABI_FIXTURE_C_BUY_ONCE), "");
  ASSERT_EQ(reg.plugins().size(), 1u);
  const auto& p = *reg.plugins()[0];
  EXPECT_EQ(p.name, "c_buy_once");
  EXPECT_EQ(p.version, "1.0.0");
  EXPECT_EQ(p.build_id, "abi-fixture");
  EXPECT_EQ(p.abi_version, TH_ABI_VERSION);
  const auto* c = reg.find("c_buy_once");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->comp.kind, TH_KIND_STRATEGY);
  EXPECT_NE(c->strategy.on_event, nullptr);
  EXPECT_EQ(c->comp.start, nullptr);
  ASSERT_EQ(c->schema.fields.size(), 1u);
  EXPECT_EQ(c->schema.fields[0].key, "lots");
  EXPECT_EQ(c->schema.fields[0].type, tradehost::graph::FieldType::I64);
  EXPECT_EQ(c->schema.fields[0].default_value, "100");
  EXPECT_EQ(c->schema.fields[0].unit, "lot sizes");  // ABI 1.1's appended member, from a C writer
}

TEST(CPlugin, BuysOnceInABacktestAndTheOrderIsFilled) {
  abi::Backtest bt(
      "[[strategy]]\n"
      "name = \"buyer\"\n"
      "type = \"c_buy_once\"\n"
      "connector = \"history\"\n"
      "instruments = [\"BTC/USDT\"]\n"
      "timeframe = \"5m\"\n"
      "lots = 100\n",
      {TH_ABI_FIXTURE_C_BUY_ONCE});
  const auto result = bt.run();
  ASSERT_EQ(result.status, "completed") << result.error;
  const auto csv = abi::csv_rows(abi::candle_file());
  EXPECT_EQ(result.summary.bars, static_cast<int64_t>(csv.size()));

  abi::StateDb db(bt.state_path());
  EXPECT_EQ(db.rows("SELECT status FROM runs")[0][0], "completed");
  EXPECT_EQ(db.integer("SELECT count(*) FROM plugins WHERE name = 'c_buy_once' AND abi = '1.4'"), 1);

  // One order: a market buy of 100 lots of 0.00001 BTC = 0.001 BTC, filled in full.
  const auto orders = db.rows("SELECT order_id, strategy, side, type, qty, state, filled_qty, tag FROM orders");
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0][1], "buyer");
  EXPECT_EQ(orders[0][2], "buy");
  EXPECT_EQ(orders[0][3], "market");
  EXPECT_EQ(orders[0][4], "0.001");
  EXPECT_EQ(orders[0][5], "FILLED");
  EXPECT_EQ(orders[0][6], "0.001");
  EXPECT_EQ(orders[0][7], "c_buy_once");

  // Decided on the close of the first bar, it fills at the open of the second (no slippage):
  // CSV row 2 is "1672678200000,16726.0,...". Taker fee 10 bps: 16726.0 * 0.001 * 0.001 =
  // 0.016726 USDT.
  ASSERT_EQ(csv[1].rfind("1672678200000,16726.0,", 0), 0u) << csv[1];
  const auto fills = db.rows("SELECT order_id, side, price, qty, fee, fee_asset, liquidity, ts_ns FROM fills");
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0][0], orders[0][0]);
  EXPECT_EQ(fills[0][1], "buy");
  EXPECT_DOUBLE_EQ(std::stod(fills[0][2]), 16726.0);
  EXPECT_EQ(fills[0][3], "0.001");
  EXPECT_EQ(fills[0][4], "0.016726");
  EXPECT_EQ(fills[0][5], "USDT");
  EXPECT_EQ(fills[0][6], "taker");
  EXPECT_EQ(fills[0][7], "1672678200000000000");  // the second bar's open time, ns

  // The decision it recorded through host->record_decision, linked to the approved order. The
  // inputs carry the first bar's close: CSV row 1 close 16726.1 at price_scale 2 (tick 0.01).
  ASSERT_EQ(csv[0], "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508");
  const auto decisions = db.rows("SELECT strategy, action, reason, inputs_json, order_id, risk_verdict, ts_ns FROM decisions");
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0][0], "buyer");
  EXPECT_EQ(decisions[0][1], "buy");
  EXPECT_EQ(decisions[0][2], "first bar");
  EXPECT_EQ(decisions[0][3], "{\"close_raw\":1672610,\"lots\":100}");
  EXPECT_EQ(decisions[0][4], orders[0][0]);
  EXPECT_EQ(decisions[0][5], "approved");
  EXPECT_EQ(decisions[0][6], "1672678200000000000");  // the first bar closes when the second opens
  EXPECT_EQ(db.integer("SELECT count(*) FROM rejections"), 0);
}

}  // namespace
