// Test 7: a plugin built for ABI 1.0 keeps working on this host. fixtures/v1_0_plugin.c is compiled
// against the FROZEN 1.0 header (v1_0/tradehost/plugin.h) and nothing else, so its structs have
// 1.0's sizes (th_config_field: 64 bytes, without 1.1's `unit`). The current host must load it,
// read the members 1.0 did not have as empty, and run it: its strategy sees every bar and trades,
// and its risk rule refuses what it should.
#include "backtest_harness.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

namespace abi = tradehost::abi_test;
using tradehost::loader::PluginRegistry;

/// The SHA-256 of `file` as the coreutils `sha256sum` tool prints it (independent of the host).
std::string sha256sum(const std::string& file) {
  const std::string cmd = "sha256sum '" + file + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + cmd);
  char buf[256] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  if (::pclose(p) != 0 || n < 64) throw std::runtime_error(cmd + " failed");
  return std::string(buf, 64);
}

TEST(V1_0Compat, LoadsAsA1_0PluginWithEmptyUnits) {
  PluginRegistry reg(tradehost::engine::host_api());
  ASSERT_EQ(reg.load_file(TH_ABI_FIXTURE_V1_0_PLUGIN), "");
  ASSERT_EQ(reg.plugins().size(), 1u);
  const auto& p = *reg.plugins()[0];
  EXPECT_EQ(p.name, "v1_0_plugin");
  EXPECT_EQ(p.version, "1.0.3");
  EXPECT_EQ(p.build_id, "frozen-abi-1.0");
  EXPECT_EQ(p.abi_version, 0x00010000u);  // declared 1.0
  EXPECT_EQ(tradehost::loader::negotiated_abi(p.abi_version), 0x00010000u);
  EXPECT_EQ(p.file_hash, sha256sum(TH_ABI_FIXTURE_V1_0_PLUGIN));

  const auto* s = reg.find("v10_round_trip");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->comp.kind, TH_KIND_STRATEGY);
  EXPECT_EQ(s->description, "Buys on the first bar, sells hold_bars later (an ABI 1.0 plugin)");
  // As declared in fixtures/v1_0_plugin.c.
  struct Want {
    const char* key;
    tradehost::graph::FieldType type;
    const char* default_value;
  };
  const std::vector<Want> want = {{"lots", tradehost::graph::FieldType::I64, "20"},
                                  {"hold_bars", tradehost::graph::FieldType::I64, "6"},
                                  {"oversize_lots", tradehost::graph::FieldType::I64, "0"},
                                  {"tag", tradehost::graph::FieldType::Str, "\"v1.0\""}};
  ASSERT_EQ(s->schema.fields.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& f = s->schema.fields[i];
    SCOPED_TRACE(want[i].key);
    EXPECT_EQ(f.key, want[i].key);
    EXPECT_EQ(f.type, want[i].type);
    EXPECT_EQ(f.default_value, want[i].default_value);
    EXPECT_FALSE(f.description.empty());
    EXPECT_EQ(f.unit, "");  // past the 64 bytes a 1.0 writer declares
    EXPECT_FALSE(f.required);
    EXPECT_FALSE(f.secret);
  }

  const auto* r = reg.find("v10_lot_cap");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->comp.kind, TH_KIND_RISK);
  EXPECT_NE(r->risk.check, nullptr);
  EXPECT_EQ(r->risk.on_event, nullptr);
  ASSERT_EQ(r->schema.fields.size(), 1u);
  EXPECT_EQ(r->schema.fields[0].key, "max_lots");
  EXPECT_TRUE(r->schema.fields[0].required);
  EXPECT_EQ(r->schema.fields[0].unit, "");
}

TEST(V1_0Compat, StrategyAndRiskRuleRunInABacktest) {
  abi::Backtest bt(
      "[[strategy]]\n"
      "name = \"old\"\n"
      "type = \"v10_round_trip\"\n"
      "connector = \"history\"\n"
      "instruments = [\"BTC/USDT\"]\n"
      "timeframe = \"5m\"\n"
      "lots = 20\n"
      "oversize_lots = 500\n"  // hold_bars and tag: the 1.0 schema's defaults, 6 and "v1.0"
      "\n"
      "[[risk]]\n"
      "type = \"v10_lot_cap\"\n"
      "max_lots = 100\n",
      {TH_ABI_FIXTURE_V1_0_PLUGIN});
  abi::LogCapture log;
  const auto result = bt.run();
  ASSERT_EQ(result.status, "completed") << result.error;
  const auto csv = abi::csv_rows(abi::candle_file());
  ASSERT_GT(csv.size(), 8u);

  // The plugin's own count, logged from its stop(): every bar of the file reached it, and both
  // of its fills; one order was refused by the rule.
  const std::string counts = "v10 bars_seen=" + std::to_string(csv.size()) + " fills_seen=2 refused=1";
  EXPECT_NE(log.text().find(counts), std::string::npos) << "missing \"" << counts << "\" in:\n" << log.text();

  abi::StateDb db(bt.state_path());
  EXPECT_EQ(db.integer("SELECT count(*) FROM plugins WHERE name = 'v1_0_plugin' AND abi = '1.0' AND build_id = 'frozen-abi-1.0/" +
                       sha256sum(TH_ABI_FIXTURE_V1_0_PLUGIN) + "'"),
            1);

  // Two orders went through: 20 lots of 0.00001 BTC = 0.0002 BTC bought on the first bar, sold
  // on the 7th (1 + hold_bars 6), both filled in full with the default tag.
  const auto orders = db.rows("SELECT order_id, strategy, side, type, qty, state, filled_qty, tag FROM orders ORDER BY order_id");
  ASSERT_EQ(orders.size(), 2u);
  const char* sides[] = {"buy", "sell"};
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(orders[i][1], "old");
    EXPECT_EQ(orders[i][2], sides[i]);
    EXPECT_EQ(orders[i][3], "market");
    EXPECT_EQ(orders[i][4], "0.0002");
    EXPECT_EQ(orders[i][5], "FILLED");
    EXPECT_EQ(orders[i][6], "0.0002");
    EXPECT_EQ(orders[i][7], "v1.0");
  }
  // Each fills at the open of the bar after its decision (no slippage): the buy at CSV row 2's
  // open, the sell (decided on row 7's close) at row 8's open.
  ASSERT_EQ(csv[1].rfind("1672678200000,16726.0,", 0), 0u) << csv[1];
  ASSERT_EQ(csv[7].rfind("1672680000000,16705.3,", 0), 0u) << csv[7];
  const auto fills = db.rows("SELECT order_id, side, price, qty, ts_ns FROM fills ORDER BY fill_id");
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0][0], orders[0][0]);
  EXPECT_DOUBLE_EQ(std::stod(fills[0][2]), 16726.0);
  EXPECT_EQ(fills[0][4], "1672678200000000000");
  EXPECT_EQ(fills[1][0], orders[1][0]);
  EXPECT_EQ(fills[1][1], "sell");
  EXPECT_DOUBLE_EQ(std::stod(fills[1][2]), 16705.3);
  EXPECT_EQ(fills[1][4], "1672680000000000000");

  // The 500-lot buy was refused by the 1.0 risk rule, with its reason.
  const auto rejections = db.rows("SELECT strategy, rule, reason FROM rejections");
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_EQ(rejections[0][0], "old");
  EXPECT_EQ(rejections[0][1], "v10_lot_cap");
  EXPECT_EQ(rejections[0][2], "order of 500 lots is above max_lots 100");

  // Decisions carry the bar the plugin counted and that bar's close (price_scale 2): row 1 close
  // 16726.1, row 7 close 16705.2.
  ASSERT_EQ(csv[0], "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508");
  ASSERT_EQ(csv[6].rfind("1672679700000,16705.3,16707.2,16703.4,16705.2,", 0), 0u) << csv[6];
  const auto decisions = db.rows("SELECT action, inputs_json, risk_verdict FROM decisions ORDER BY decision_id");
  ASSERT_EQ(decisions.size(), 3u);
  EXPECT_EQ(decisions[0][0], "buy");
  EXPECT_EQ(decisions[0][1], "{\"bar\":1,\"close_raw\":1672610,\"lots\":20}");
  EXPECT_EQ(decisions[0][2], "approved");
  EXPECT_EQ(decisions[1][1], "{\"bar\":1,\"close_raw\":1672610,\"lots\":500}");
  EXPECT_EQ(decisions[1][2].rfind("rejected: ", 0), 0u) << decisions[1][2];
  EXPECT_EQ(decisions[2][0], "sell");
  EXPECT_EQ(decisions[2][1], "{\"bar\":7,\"close_raw\":1670520,\"lots\":20}");
  EXPECT_EQ(decisions[2][2], "approved");
}

}  // namespace
