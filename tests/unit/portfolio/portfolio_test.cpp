// The portfolio: cash, positions, PnL, round trips, in exact integers. Every expected value is
// worked out by hand in the comments.
//
// Units: money at TH_MONEY_SCALE 8 (1 USDT = 100'000'000 raw). Unless stated otherwise the
// instrument is at price_scale 2, qty_scale 5 (20000.00 = 2'000'000 raw, 0.5 BTC = 50'000 raw),
// so price_raw * qty_raw is at scale 7 and money = price_raw * qty_raw * 10.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

#include "portfolio/portfolio.hpp"

namespace tradehost::portfolio {
namespace {

constexpr int64_t kUsdt = 100'000'000;
constexpr int64_t kCent = 1'000'000;  // 0.01 USDT
constexpr th_instrument_id kBtc = 1;
constexpr th_time_ns kT1 = 1'700'000'000'000'000'000, kT2 = kT1 + 60'000'000'000,
                     kT3 = kT2 + 60'000'000'000;

Portfolio with_btc(int64_t cash) {
  Portfolio p(cash);
  p.add_instrument(kBtc, 2, 5);
  return p;
}

TEST(Portfolio, BuyThenSellIsOneRoundTripWithFeesOnBothLegs) {
  Portfolio p = with_btc(100'000 * kUsdt);
  // Buy 0.5 BTC @ 20000.00, fee 10 USDT.
  auto none = p.apply_fill(kBtc, TH_SIDE_BUY, 2'000'000, 50'000, 10 * kUsdt, kT1);
  EXPECT_FALSE(none.has_value());
  // Notional 0.5 * 20000 = 10000; cash 100000 - 10000 - 10 = 89990.
  EXPECT_EQ(p.cash(), 89'990 * kUsdt);
  // Equity 89990 + 0.5 * 20000 = 99990.
  EXPECT_EQ(p.equity(), 99'990 * kUsdt);
  EXPECT_EQ(p.position(kBtc).qty, 50'000);
  EXPECT_EQ(p.position(kBtc).cost, 10'000 * kUsdt);  // fees are not part of the cost basis
  EXPECT_EQ(p.avg_entry_price(kBtc), 2'000'000);
  EXPECT_EQ(p.unrealized(kBtc), 0);
  EXPECT_EQ(p.fees(), 10 * kUsdt);
  EXPECT_EQ(p.realized_after_fees(), -10 * kUsdt);
  EXPECT_TRUE(p.any_open());

  // Sell 0.5 @ 21000.00, fee 10.5 USDT.
  auto trip = p.apply_fill(kBtc, TH_SIDE_SELL, 2'100'000, 50'000, 1'050'000'000, kT2);
  ASSERT_TRUE(trip.has_value());
  // Realized gross: 0.5 * (21000 - 20000) = 500; the trip after both fees: 500 - 10 - 10.5 = 479.5.
  EXPECT_EQ(p.position(kBtc).realized, 500 * kUsdt);
  EXPECT_EQ(trip->pnl, 47'950'000'000);
  EXPECT_EQ(trip->fees, 2'050'000'000);  // 20.5
  EXPECT_TRUE(trip->long_side);
  EXPECT_EQ(trip->instrument, kBtc);
  EXPECT_EQ(trip->qty, 50'000);
  EXPECT_EQ(trip->entry_price, 2'000'000);
  EXPECT_EQ(trip->exit_price, 2'100'000);
  EXPECT_EQ(trip->entry_notional, 10'000 * kUsdt);
  EXPECT_EQ(trip->entry_time, kT1);
  EXPECT_EQ(trip->exit_time, kT2);
  // Cash 89990 + 0.5 * 21000 - 10.5 = 89990 + 10500 - 10.5 = 100479.5; flat, so equity = cash.
  EXPECT_EQ(p.cash(), 10'047'950'000'000);
  EXPECT_EQ(p.equity(), 10'047'950'000'000);
  EXPECT_EQ(p.realized_after_fees(), 47'950'000'000);
  EXPECT_EQ(p.fees(), 2'050'000'000);
  EXPECT_EQ(p.position(kBtc).qty, 0);
  EXPECT_EQ(p.position(kBtc).cost, 0);
  EXPECT_EQ(p.avg_entry_price(kBtc), 0);
  EXPECT_EQ(p.unrealized(kBtc), 0);
  EXPECT_FALSE(p.any_open());
  EXPECT_EQ(p.initial_cash(), 100'000 * kUsdt);
}

TEST(Portfolio, PartialCloseRemovesCostBasisProRata) {
  Portfolio p = with_btc(1'000 * kUsdt);
  p.apply_fill(kBtc, TH_SIDE_BUY, 10'000, 100'000, 0, kT1);  // 1 @ 100.00
  p.apply_fill(kBtc, TH_SIDE_BUY, 10'100, 200'000, 0, kT1);  // 2 @ 101.00
  // Cost 100 + 202 = 302 USDT for 3 BTC.
  EXPECT_EQ(p.position(kBtc).cost, 302 * kUsdt);
  EXPECT_EQ(p.position(kBtc).qty, 300'000);

  // Sell 1 @ 102.00: a third of the cost leaves, 302 / 3 = 100.666666666... -> 100.66666667
  // (money raw 10'066'666'666.67 -> 10'066'666'667); realized 102 - 100.66666667 = 1.33333333.
  auto trip = p.apply_fill(kBtc, TH_SIDE_SELL, 10'200, 100'000, 0, kT2);
  EXPECT_FALSE(trip.has_value());
  EXPECT_EQ(p.position(kBtc).qty, 200'000);
  EXPECT_EQ(p.position(kBtc).cost, 30'200'000'000 - 10'066'666'667);  // 20'133'333'333
  EXPECT_EQ(p.position(kBtc).realized, 10'200'000'000 - 10'066'666'667);  // 133'333'333
  // The average entry of what is left: 201.33333333 / 2 = 100.666666665 -> 100.67.
  EXPECT_EQ(p.avg_entry_price(kBtc), 10'067);
  EXPECT_TRUE(p.any_open());

  // Sell the other 2 @ 103.00: the whole remaining cost leaves;
  // realized 206 - 201.33333333 = 4.66666667.
  trip = p.apply_fill(kBtc, TH_SIDE_SELL, 10'300, 200'000, 0, kT3);
  ASSERT_TRUE(trip.has_value());
  // Total realized 102 + 206 - 302 = 6 exactly: the pro-rata rounding does not leak.
  EXPECT_EQ(p.position(kBtc).realized, 6 * kUsdt);
  EXPECT_EQ(trip->pnl, 6 * kUsdt);
  EXPECT_EQ(trip->qty, 300'000);
  // Entry VWAP (100 * 1 + 101 * 2) / 3 = 100.666... -> 100.67; exit (102 + 206) / 3 = 102.666...
  // -> 102.67.
  EXPECT_EQ(trip->entry_price, 10'067);
  EXPECT_EQ(trip->exit_price, 10'267);
  EXPECT_EQ(trip->entry_notional, 302 * kUsdt);
  EXPECT_EQ(trip->entry_time, kT1);
  EXPECT_EQ(trip->exit_time, kT3);
  // Cash 1000 - 302 + 102 + 206 = 1006.
  EXPECT_EQ(p.cash(), 1'006 * kUsdt);
  EXPECT_EQ(p.equity(), 1'006 * kUsdt);
}

TEST(Portfolio, MarkChangesEquityByQtyTimesPriceMove) {
  Portfolio p = with_btc(1'000 * kUsdt);
  p.apply_fill(kBtc, TH_SIDE_BUY, 10'000, 200'000, 0, kT1);  // 2 @ 100.00
  EXPECT_EQ(p.cash(), 800 * kUsdt);
  EXPECT_EQ(p.equity(), 1'000 * kUsdt);
  p.mark(kBtc, 10'500);  // +2 * 5.00 = +10
  EXPECT_EQ(p.equity(), 1'010 * kUsdt);
  EXPECT_EQ(p.unrealized(kBtc), 10 * kUsdt);
  EXPECT_EQ(p.position(kBtc).value, 210 * kUsdt);
  p.mark(kBtc, 9'950);  // 2 * (99.50 - 105.00) = -11
  EXPECT_EQ(p.equity(), 999 * kUsdt);
  EXPECT_EQ(p.unrealized(kBtc), -1 * kUsdt);
  EXPECT_EQ(p.cash(), 800 * kUsdt);  // marks never touch cash

  // A short loses when the price rises: sell 1 @ 100.00, mark 104.00: -1 * 4.00 = -4.
  Portfolio s = with_btc(1'000 * kUsdt);
  s.apply_fill(kBtc, TH_SIDE_SELL, 10'000, 100'000, 0, kT1);
  EXPECT_EQ(s.cash(), 1'100 * kUsdt);
  EXPECT_EQ(s.equity(), 1'000 * kUsdt);
  s.mark(kBtc, 10'400);
  EXPECT_EQ(s.equity(), 996 * kUsdt);
  EXPECT_EQ(s.unrealized(kBtc), -4 * kUsdt);
  // Marking a flat instrument changes nothing.
  Portfolio f = with_btc(1'000 * kUsdt);
  f.mark(kBtc, 12'345);
  EXPECT_EQ(f.equity(), 1'000 * kUsdt);
}

TEST(Portfolio, AverageEntryAfterTwoBuysIsVolumeWeightedHalfEven) {
  Portfolio p(10'000 * kUsdt);
  p.add_instrument(1, 2, 5);
  p.add_instrument(2, 2, 5);
  p.add_instrument(3, 2, 5);
  // 1 @ 100.00 + 1 @ 100.01: 200.01 / 2 = 100.005, a tie: even neighbour 100.00.
  p.apply_fill(1, TH_SIDE_BUY, 10'000, 100'000, 0, kT1);
  p.apply_fill(1, TH_SIDE_BUY, 10'001, 100'000, 0, kT2);
  EXPECT_EQ(p.avg_entry_price(1), 10'000);
  // 1 @ 100.01 + 1 @ 100.02: 200.03 / 2 = 100.015, a tie: even neighbour 100.02.
  p.apply_fill(2, TH_SIDE_BUY, 10'001, 100'000, 0, kT1);
  p.apply_fill(2, TH_SIDE_BUY, 10'002, 100'000, 0, kT2);
  EXPECT_EQ(p.avg_entry_price(2), 10'002);
  // 0.5 @ 20000.00 + 1.5 @ 20400.00 (with fees, which stay out of the average):
  // (10000 + 30600) / 2 = 20300.00.
  p.apply_fill(3, TH_SIDE_BUY, 2'000'000, 50'000, 10 * kUsdt, kT1);
  p.apply_fill(3, TH_SIDE_BUY, 2'040'000, 150'000, 30 * kUsdt, kT2);
  EXPECT_EQ(p.avg_entry_price(3), 2'030'000);
  EXPECT_EQ(p.position(3).cost, 40'600 * kUsdt);
}

TEST(Portfolio, FlipFromLongToShortClosesOneTripAndOpensAnother) {
  Portfolio p = with_btc(1'000 * kUsdt);
  p.apply_fill(kBtc, TH_SIDE_BUY, 10'000, 100'000, 10 * kCent, kT1);  // +1 @ 100.00, fee 0.10
  // Sell 3 @ 110.00, fee 0.30: 1 closes the long, 2 open a short. The fee splits 1/3 : 2/3, so
  // 0.10 goes to the closing part and 0.20 to the new short.
  auto long_trip = p.apply_fill(kBtc, TH_SIDE_SELL, 11'000, 300'000, 30 * kCent, kT2);
  ASSERT_TRUE(long_trip.has_value());
  EXPECT_TRUE(long_trip->long_side);
  EXPECT_EQ(long_trip->qty, 100'000);
  EXPECT_EQ(long_trip->entry_price, 10'000);
  EXPECT_EQ(long_trip->exit_price, 11'000);
  EXPECT_EQ(long_trip->entry_time, kT1);
  EXPECT_EQ(long_trip->exit_time, kT2);
  EXPECT_EQ(long_trip->entry_notional, 100 * kUsdt);
  // 1 * (110 - 100) = 10, minus fees 0.10 + 0.10 = 9.80.
  EXPECT_EQ(long_trip->fees, 20 * kCent);
  EXPECT_EQ(long_trip->pnl, 980 * kCent);
  // Now short 2 @ 110.00.
  EXPECT_EQ(p.position(kBtc).qty, -200'000);
  EXPECT_EQ(p.position(kBtc).cost, -220 * kUsdt);
  EXPECT_EQ(p.avg_entry_price(kBtc), 11'000);
  EXPECT_TRUE(p.any_open());
  // Cash 1000 - 100 - 0.10 + 330 - 0.30 = 1229.60.
  EXPECT_EQ(p.cash(), 122'960 * kCent);

  // Buy 2 @ 105.00, fee 0.21: closes the short. 2 * (110 - 105) = 10, fees 0.20 + 0.21 = 0.41.
  auto short_trip = p.apply_fill(kBtc, TH_SIDE_BUY, 10'500, 200'000, 21 * kCent, kT3);
  ASSERT_TRUE(short_trip.has_value());
  EXPECT_FALSE(short_trip->long_side);
  EXPECT_EQ(short_trip->qty, 200'000);
  EXPECT_EQ(short_trip->entry_price, 11'000);
  EXPECT_EQ(short_trip->exit_price, 10'500);
  EXPECT_EQ(short_trip->entry_time, kT2);
  EXPECT_EQ(short_trip->exit_time, kT3);
  EXPECT_EQ(short_trip->entry_notional, 220 * kUsdt);
  EXPECT_EQ(short_trip->fees, 41 * kCent);
  EXPECT_EQ(short_trip->pnl, 959 * kCent);
  EXPECT_FALSE(p.any_open());
  // Cash 1229.60 - 210 - 0.21 = 1019.39; realized gross 10 + 10 = 20; fees 0.10 + 0.30 + 0.21 =
  // 0.61; after fees 19.39 = cash - initial cash.
  EXPECT_EQ(p.cash(), 101'939 * kCent);
  EXPECT_EQ(p.equity(), 101'939 * kCent);
  EXPECT_EQ(p.position(kBtc).realized, 20 * kUsdt);
  EXPECT_EQ(p.fees(), 61 * kCent);
  EXPECT_EQ(p.realized_after_fees(), 1'939 * kCent);
}

TEST(Portfolio, EquityAfterAFillValuesThePositionAtTheFillPriceWhenNoMarkIsNewer) {
  // portfolio.cpp, apply_fill: "Re-mark at the fill price (or the last mark when there is one
  // newer)". No mark() is ever called here, so both fills are newer than any mark.
  Portfolio p = with_btc(1'000 * kUsdt);
  p.apply_fill(kBtc, TH_SIDE_BUY, 10'000, 100'000, 0, kT1);  // 1 @ 100.00: cash 900
  EXPECT_EQ(p.equity(), 1'000 * kUsdt);
  p.apply_fill(kBtc, TH_SIDE_BUY, 11'000, 100'000, 0, kT2);  // 1 @ 110.00: cash 790
  EXPECT_EQ(p.cash(), 790 * kUsdt);
  // The newest price is the 110.00 fill: 2 BTC are worth 220; equity 790 + 220 = 1010, and the
  // position bought for 210 shows 10 unrealized.
  EXPECT_EQ(p.position(kBtc).value, 220 * kUsdt);
  EXPECT_EQ(p.equity(), 1'010 * kUsdt);
  EXPECT_EQ(p.unrealized(kBtc), 10 * kUsdt);
}

// ---- scales --------------------------------------------------------------------------------

TEST(PortfolioScales, MoneyIsExactOrRoundedHalfToEven) {
  Portfolio p;
  p.add_instrument(1, 2, 5);  // 2 + 5 = 7 < 8: exact, * 10
  p.add_instrument(2, 2, 8);  // 2 + 8 = 10 > 8: / 100, half to even
  p.add_instrument(3, 8, 8);  // / 10^8
  p.add_instrument(4, 0, 0);  // * 10^8
  const Position& a = p.position(1);
  const Position& b = p.position(2);
  const Position& c = p.position(3);
  const Position& d = p.position(4);
  // 100.01 * 0.12345 = 12.3462345 USDT.
  EXPECT_EQ(Portfolio::money(a, 10'001, 12'345), 1'234'623'450);
  // 100.01 * 0.00000050 = 0.000050005 = 5000.5e-8: tie, even -> 5000e-8.
  EXPECT_EQ(Portfolio::money(b, 10'001, 50), 5'000);
  // 100.03 * 0.00000050 = 0.000050015 = 5001.5e-8: tie, even -> 5002e-8.
  EXPECT_EQ(Portfolio::money(b, 10'003, 50), 5'002);
  // 100.01 * 0.00000150 = 15001.5e-8 -> 15002e-8.
  EXPECT_EQ(Portfolio::money(b, 10'001, 150), 15'002);
  // 100.01 * 0.00000005 = 500.05e-8 -> 500e-8 (below the half).
  EXPECT_EQ(Portfolio::money(b, 10'001, 5), 500);
  // 100.01 * 0.00000099 = 9900.99e-8 -> 9901e-8 (above the half).
  EXPECT_EQ(Portfolio::money(b, 10'001, 99), 9'901);
  // Short side: -5000.5e-8 -> -5000e-8; -5001.5e-8 -> -5002e-8 (ties to even, symmetric).
  EXPECT_EQ(Portfolio::money(b, 10'001, -50), -5'000);
  EXPECT_EQ(Portfolio::money(b, 10'003, -50), -5'002);
  // 1.23456789 * 1.5 = 1.851851835: tie at the 8th decimal, 3 is odd -> 1.85185184.
  EXPECT_EQ(Portfolio::money(c, 123'456'789, 150'000'000), 185'185'184);
  // 3 * 2 = 6 USDT.
  EXPECT_EQ(Portfolio::money(d, 3, 2), 6 * kUsdt);
}

TEST(PortfolioScales, FillsAtPriceScale2QtyScale8MoveCashByRoundedMoney) {
  Portfolio p(1'000 * kUsdt);
  p.add_instrument(1, 2, 8);
  p.apply_fill(1, TH_SIDE_BUY, 10'001, 50, 0, kT1);   // 5000.5e-8 -> 5000e-8
  EXPECT_EQ(p.cash(), 1'000 * kUsdt - 5'000);
  p.apply_fill(1, TH_SIDE_BUY, 10'001, 150, 0, kT2);  // 15001.5e-8 -> 15002e-8
  EXPECT_EQ(p.cash(), 1'000 * kUsdt - 5'000 - 15'002);
  EXPECT_EQ(p.position(1).cost, 20'002);
  // 20002e-8 USDT / 0.000002 BTC = 100.01 -> 10001.
  EXPECT_EQ(p.avg_entry_price(1), 10'001);
}

TEST(PortfolioScales, DivRoundHalfEven) {
  EXPECT_EQ(div_round_half_even(5, 2), 2);    // 2.5 -> 2
  EXPECT_EQ(div_round_half_even(7, 2), 4);    // 3.5 -> 4
  EXPECT_EQ(div_round_half_even(-5, 2), -2);  // -2.5 -> -2
  EXPECT_EQ(div_round_half_even(-7, 2), -4);  // -3.5 -> -4
  EXPECT_EQ(div_round_half_even(1, 3), 0);    // 0.33 -> 0
  EXPECT_EQ(div_round_half_even(2, 3), 1);    // 0.67 -> 1
  EXPECT_EQ(div_round_half_even(-2, 3), -1);  // -0.67 -> -1
  EXPECT_EQ(div_round_half_even(6, 3), 2);
}

TEST(PortfolioScales, OutOfRangeScalesAndBadFillsAreRefusedWithoutEffect) {
  Portfolio p(1'000 * kUsdt);
  EXPECT_THROW(p.add_instrument(1, -1, 5), std::invalid_argument);
  EXPECT_THROW(p.add_instrument(1, 19, 0), std::invalid_argument);
  EXPECT_THROW(p.add_instrument(1, 18, 9), std::invalid_argument);  // 27 > 26
  EXPECT_FALSE(p.has(1));
  p.add_instrument(1, 2, 5);
  EXPECT_TRUE(p.has(1));
  EXPECT_THROW(p.apply_fill(2, TH_SIDE_BUY, 10'000, 1, 0, kT1), std::invalid_argument);
  EXPECT_THROW(p.apply_fill(1, TH_SIDE_BUY, 10'000, 0, 0, kT1), std::invalid_argument);
  EXPECT_THROW(p.apply_fill(1, TH_SIDE_BUY, 0, 1, 0, kT1), std::invalid_argument);
  EXPECT_THROW(p.apply_fill(1, TH_SIDE_BUY, 10'000, 1, -1, kT1), std::invalid_argument);
  EXPECT_EQ(p.cash(), 1'000 * kUsdt);
  EXPECT_EQ(p.fees(), 0);
  EXPECT_EQ(p.position(1).qty, 0);
}

}  // namespace
}  // namespace tradehost::portfolio
