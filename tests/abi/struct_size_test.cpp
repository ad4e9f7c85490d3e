// Test 6: struct-size compatibility. A reader copies min(struct_size, its own sizeof) into a zeroed
// local (plugin.h COMPATIBILITY), so a member the writer did not declare reads as 0/NULL even
// when the bytes behind the writer's struct are not zero, and a newer writer's appended members
// are ignored. Both directions: plugin -> host (registration) and host -> plugin (out-params).
#include "backtest_harness.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>

namespace {

using tradehost::loader::PluginRegistry;
namespace abi = tradehost::abi_test;

class StructSize : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(reg_.load_file(TH_ABI_FIXTURE_OLDER_WRITER), ""); }
  PluginRegistry reg_{tradehost::engine::host_api()};
};

TEST_F(StructSize, OlderStrategyOpsLoadAndLaterCallbacksReadAsNull) {
  const auto* c = reg_.find("fx_old_strategy");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->comp.kind, TH_KIND_STRATEGY);
  EXPECT_NE(c->strategy.on_event, nullptr);
  // The fixture's static th_strategy_ops HAS snapshot and restore set, past its struct_size 16.
  EXPECT_EQ(c->strategy.snapshot, nullptr);
  EXPECT_EQ(c->strategy.restore, nullptr);
}

TEST_F(StructSize, OlderRiskOpsLoadAndOnEventReadsAsNull) {
  const auto* c = reg_.find("fx_old_risk");
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->risk.check, nullptr);
  EXPECT_EQ(c->risk.on_event, nullptr);  // set in memory past struct_size 16
}

TEST_F(StructSize, OlderConfigFieldFlagsReadAsZero) {
  const auto* c = reg_.find("fx_old_risk");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->schema.fields.size(), 1u);
  const auto& f = c->schema.fields[0];
  EXPECT_EQ(f.key, "label");
  EXPECT_EQ(f.default_value, "\"x\"");
  EXPECT_EQ(f.description, "a label");
  // flags = REQUIRED|SECRET lies at offset 56, exactly where the writer's struct_size 56 ends;
  // unit = "bps" at 64, further past it.
  EXPECT_FALSE(f.required);
  EXPECT_FALSE(f.secret);
  EXPECT_EQ(f.unit, "");
}

TEST_F(StructSize, NewerComponentWithAppendedMembersLoads) {
  const auto* c = reg_.find("fx_new_strategy");
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->strategy.on_event, nullptr);
  EXPECT_EQ(c->comp.struct_size, sizeof(th_component));  // the host's copy is the host's size
  EXPECT_EQ(c->description, "newer writer");
}

// Host -> plugin: host->position / host->account write at most the struct_size the plugin
// declared (an older, shorter layout inside a larger buffer of 0xAB), and the values inside it
// are right: flat position, all 10000 USDT cash on the first bar.
TEST(StructSizeHostWrites, PositionAndAccountRespectTheCallersStructSize) {
  abi::Backtest bt(
      "[[strategy]]\nname = \"views\"\ntype = \"abi_short_views\"\nconnector = \"history\"\n"
      "instruments = [\"BTC/USDT\"]\ntimeframe = \"5m\"\n",
      {TH_ABI_FIXTURE_CPP_CONTAINMENT});
  const auto r = bt.run();
  ASSERT_EQ(r.status, "completed") << r.error;
  abi::StateDb db(bt.state_path());
  const auto rows = db.rows("SELECT inputs_json FROM decisions WHERE strategy = 'views'");
  ASSERT_EQ(rows.size(), 1u);
  // cash: 10000 USDT at TH_MONEY_SCALE 8 = 10000 * 10^8.
  EXPECT_EQ(rows[0][0],
            "{\"position_status\":0,\"account_status\":0,\"position_tail_intact\":true,"
            "\"account_tail_intact\":true,\"qty\":0,\"cash\":1000000000000}");
}

// Plugin -> host, events: a connector whose bars declare a struct_size ending before `close`
// (72 = offsetof(th_ev_bar, close), abi_layout_pins.h) stops the run with a message naming it,
// although the bytes past that size hold a usable close and volume: the host reads an event only
// as far as its writer declared it.
TEST(StructSizeEvents, ABarShorterThanAbi1_0IsRefused) {
  abi::Backtest bt(
      "[[connector]]\nname = \"short\"\ntype = \"fx_short_bars\"\n\n"
      "[[strategy]]\nname = \"buyer\"\ntype = \"c_buy_once\"\nconnector = \"short\"\n"
      "instruments = [\"ETH/USDT\"]\ntimeframe = \"5m\"\n",
      {TH_ABI_FIXTURE_SHORT_BAR_CONNECTOR, TH_ABI_FIXTURE_C_BUY_ONCE});
  const auto r = bt.run();
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.error.find("connector 'short' yielded an event of type 5 with struct_size 72, smaller than the 88 bytes"),
            std::string::npos)
      << r.error;
  abi::StateDb db(bt.state_path());
  EXPECT_EQ(db.integer("SELECT count(*) FROM orders"), 0);  // no bar reached the strategy
}

}  // namespace
