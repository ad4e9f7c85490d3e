// The kill switch's rules (engine/kill_switch.hpp), case by case.
#include "engine/kill_switch.hpp"

#include <gtest/gtest.h>

namespace {

using tradehost::engine::judge_kill_request;
using tradehost::engine::KillState;
using tradehost::engine::KillVerdict;
using tradehost::engine::parse_kill_state;
using tradehost::engine::reduces_position;

TEST(KillSwitchRules, AnyoneMayEscalateOnlyAnAuthenticatedOperatorMayResume) {
  EXPECT_EQ(judge_kill_request(KillState::Active, KillState::Reducing, false), KillVerdict::Move);
  EXPECT_EQ(judge_kill_request(KillState::Active, KillState::Halted, false), KillVerdict::Move);
  EXPECT_EQ(judge_kill_request(KillState::Reducing, KillState::Halted, false), KillVerdict::Move);
  // Repeats are no-ops, so a flag file polled every second is audited once.
  EXPECT_EQ(judge_kill_request(KillState::Halted, KillState::Halted, false), KillVerdict::Unchanged);
  EXPECT_EQ(judge_kill_request(KillState::Reducing, KillState::Reducing, true), KillVerdict::Unchanged);
  // Less strict: refused without authentication, allowed with it.
  EXPECT_EQ(judge_kill_request(KillState::Halted, KillState::Reducing, false), KillVerdict::Refused);
  EXPECT_EQ(judge_kill_request(KillState::Halted, KillState::Active, false), KillVerdict::Refused);
  EXPECT_EQ(judge_kill_request(KillState::Reducing, KillState::Active, false), KillVerdict::Refused);
  EXPECT_EQ(judge_kill_request(KillState::Halted, KillState::Active, true), KillVerdict::Move);
  EXPECT_EQ(judge_kill_request(KillState::Halted, KillState::Reducing, true), KillVerdict::Move);
}

TEST(KillSwitchRules, StatesParseInEitherCase) {
  EXPECT_EQ(parse_kill_state("HALTED"), KillState::Halted);
  EXPECT_EQ(parse_kill_state("halt"), KillState::Halted);
  EXPECT_EQ(parse_kill_state("Reducing"), KillState::Reducing);
  EXPECT_EQ(parse_kill_state("active"), KillState::Active);
  EXPECT_FALSE(parse_kill_state("stop").has_value());
  EXPECT_FALSE(parse_kill_state("").has_value());
}

// Quantities in raw units. A long of 100: selling up to 100 shrinks it, 101 would flip it short.
TEST(KillSwitchRules, ReducingMeansShrinkingWithoutFlippingCountingOpenOrders) {
  EXPECT_TRUE(reduces_position(100, 0, TH_SIDE_SELL, 100));
  EXPECT_TRUE(reduces_position(100, 0, TH_SIDE_SELL, 1));
  EXPECT_FALSE(reduces_position(100, 0, TH_SIDE_SELL, 101));  // flips
  EXPECT_FALSE(reduces_position(100, 0, TH_SIDE_BUY, 1));     // adds
  // An open sell of 60 already takes 60 off: 40 more is the most that still reduces.
  EXPECT_TRUE(reduces_position(100, 60, TH_SIDE_SELL, 40));
  EXPECT_FALSE(reduces_position(100, 60, TH_SIDE_SELL, 41));
  // A short of 50: buys up to 50 reduce.
  EXPECT_TRUE(reduces_position(-50, 0, TH_SIDE_BUY, 50));
  EXPECT_FALSE(reduces_position(-50, 0, TH_SIDE_BUY, 51));
  EXPECT_FALSE(reduces_position(-50, 0, TH_SIDE_SELL, 1));
  // Flat: nothing to reduce.
  EXPECT_FALSE(reduces_position(0, 0, TH_SIDE_BUY, 1));
  EXPECT_FALSE(reduces_position(0, 0, TH_SIDE_SELL, 1));
  EXPECT_FALSE(reduces_position(100, 0, TH_SIDE_SELL, 0));
}

}  // namespace
