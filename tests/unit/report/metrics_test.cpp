// Expected values are hand calculations; the arithmetic is in the comments.
#include "report/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace tradehost::report {
namespace {

constexpr int64_t kQ = 100'000'000;  // one quote unit at TH_MONEY_SCALE = 8
constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kDayNs = 86'400 * kSecondNs;
constexpr int64_t kT0 = 1'672'531'200 * kSecondNs;  // 2023-01-01T00:00:00Z

RoundTrip trip(int64_t pnl_raw, int64_t fees_raw, double return_pct) {
  RoundTrip t;
  t.instrument = "BTC/USDT";
  t.side = "long";
  t.pnl_raw = pnl_raw;
  t.fees_raw = fees_raw;
  t.return_pct = return_pct;
  return t;
}

// Equity 100 -> 110 -> 99 -> 120 on daily bars (initial 100 before the first bar).
MetricsAccumulator three_bar_run() {
  MetricsAccumulator m(100 * kQ, kDayNs);
  m.on_bar(kT0 + 1 * kDayNs, 110 * kQ, true);
  m.on_bar(kT0 + 2 * kDayNs, 99 * kQ, false);
  m.on_bar(kT0 + 3 * kDayNs, 120 * kQ, true);
  return m;
}

TEST(MetricsAccumulator, EquitySeriesReturnsDrawdownExposure) {
  const Summary s = three_bar_run().summary(2.0);
  EXPECT_EQ(s.bars, 3);
  EXPECT_EQ(s.first_bar_ns, kT0 + kDayNs);
  EXPECT_EQ(s.last_bar_ns, kT0 + 3 * kDayNs);
  EXPECT_EQ(s.initial_equity_raw, 100 * kQ);
  EXPECT_EQ(s.final_equity_raw, 120 * kQ);
  // 120 / 100 - 1
  EXPECT_NEAR(s.total_return, 0.2, 1e-15);
  // running peak 100, 110, 110, 120; worst (110 - 99) / 110 = 11 / 110 = 0.1
  EXPECT_NEAR(s.max_drawdown, 0.1, 1e-15);
  // exposed flags true, false, true: 2 of 3 bars
  EXPECT_NEAR(s.exposure_time, 2.0 / 3.0, 1e-15);
  // 3 bars in 2 s
  EXPECT_DOUBLE_EQ(s.elapsed_s, 2.0);
  EXPECT_DOUBLE_EQ(s.bars_per_second, 1.5);
}

TEST(MetricsAccumulator, SharpeAndSortinoByHand) {
  const Summary s = three_bar_run().summary(1.0);
  // r1 = 110/100 - 1 = 0.1; r2 = 99/110 - 1 = -0.1; r3 = 120/99 - 1 = 21/99 = 0.212121...
  // mean = (0.1 - 0.1 + 21/99) / 3 = 7/99 = 0.070707...
  // deviations: 0.1 - 7/99 = 2.9/99; -0.1 - 7/99 = -16.9/99; 21/99 - 7/99 = 14/99
  // sum of squares = (8.41 + 285.61 + 196) / 99^2 = 490.02 / 9801
  // sample variance = 490.02 / 9801 / (3 - 1) = 245.01 / 9801; stdev = sqrt(245.01) / 99
  // daily bars: P = 365 * 86400 s / 86400 s = 365
  // sharpe = (7/99) / (sqrt(245.01)/99) * sqrt(365) = 7 / sqrt(245.01) * sqrt(365)
  //        = 7 / 15.652795 * 19.104973 = 8.54384...
  const double sharpe = 7.0 / std::sqrt(245.01) * std::sqrt(365.0);
  EXPECT_NEAR(s.sharpe, sharpe, 1e-12 * sharpe);
  EXPECT_NEAR(s.sharpe, 8.5438, 1e-4);
  // downside: min(r, 0) = 0, -0.1, 0; DD = sqrt(0.01 / 3) = 0.1 / sqrt(3) = 0.0577350
  // sortino = (7/99) / (0.1/sqrt(3)) * sqrt(365) = 70 sqrt(3) / 99 * sqrt(365) = 23.3975...
  const double sortino = 70.0 * std::sqrt(3.0) / 99.0 * std::sqrt(365.0);
  EXPECT_NEAR(s.sortino, sortino, 1e-12 * sortino);
  EXPECT_NEAR(s.sortino, 23.3975, 1e-4);
}

TEST(MetricsAccumulator, AnnualizationFromBarInterval) {
  // P = 365 * 86400 s / interval
  EXPECT_DOUBLE_EQ(MetricsAccumulator(kQ, kDayNs).summary(0).periods_per_year, 365.0);
  EXPECT_DOUBLE_EQ(MetricsAccumulator(kQ, kDayNs).summary(0).annualization_factor,
                   std::sqrt(365.0));
  // 5m: 365 * 24 * 12 = 105120
  EXPECT_DOUBLE_EQ(MetricsAccumulator(kQ, 300 * kSecondNs).summary(0).periods_per_year, 105120.0);
  // 1h: 365 * 24 = 8760
  EXPECT_DOUBLE_EQ(MetricsAccumulator(kQ, 3600 * kSecondNs).summary(0).periods_per_year, 8760.0);
  // 1m: 365 * 24 * 60 = 525600
  EXPECT_DOUBLE_EQ(MetricsAccumulator(kQ, 60 * kSecondNs).summary(0).periods_per_year, 525600.0);
}

TEST(MetricsAccumulator, WelfordMatchesClosedFormOverAMillionBars) {
  // Equity alternates 101, 100, 101, 100, ... from 100: returns alternate a = 1/100 and
  // -b = -1/101, n = 1,000,000 bars (500,000 of each).
  // mean = (a - b) / 2 = (1/100 - 1/101) / 2 = (1/10100) / 2 = 1/20200
  // population variance = ((a + b) / 2)^2, a + b = 201/10100 -> ((201/20200))^2
  // sample stdev = 201/20200 * sqrt(n / (n - 1))
  // sharpe = mean / stdev * sqrt(365) = 1/201 * sqrt((n - 1) / n) * sqrt(365)
  // downside: sum min(r,0)^2 / n = (n/2) b^2 / n = b^2 / 2 -> DD = 1 / (101 sqrt(2))
  // sortino = (1/20200) * 101 sqrt(2) * sqrt(365) = sqrt(2) / 200 * sqrt(365)
  constexpr int64_t n = 1'000'000;
  MetricsAccumulator m(100 * kQ, kDayNs);
  for (int64_t i = 0; i < n; ++i)
    m.on_bar(kT0 + i * kSecondNs, (i % 2 == 0 ? 101 : 100) * kQ, true);
  const Summary s = m.summary(1.0);
  const double nd = static_cast<double>(n);
  const double sharpe = 1.0 / 201.0 * std::sqrt((nd - 1) / nd) * std::sqrt(365.0);
  const double sortino = std::sqrt(2.0) / 200.0 * std::sqrt(365.0);
  EXPECT_NEAR(s.sharpe, sharpe, 1e-9 * sharpe);
  EXPECT_NEAR(s.sortino, sortino, 1e-9 * sortino);
  // peak 101, trough 100: 1/101
  EXPECT_NEAR(s.max_drawdown, 1.0 / 101.0, 1e-15);
  EXPECT_DOUBLE_EQ(s.total_return, 0.0);  // ends on 100
}

TEST(MetricsAccumulator, DrawdownPeakIncludesInitialEquity) {
  // initial 100: 90 -> dd 10/100 = 0.1; 95 -> 0.05; 100 -> 0; 80 -> 20/100 = 0.2
  MetricsAccumulator a(100 * kQ, kDayNs);
  for (int64_t e : {90, 95, 100, 80}) a.on_bar(kT0, e * kQ, false);
  EXPECT_NEAR(a.summary(0).max_drawdown, 0.2, 1e-15);

  // a higher later peak is measured from itself: 150 -> 120 is 30/150 = 0.2; 200 -> 170 is
  // 30/200 = 0.15; the max stays 0.2
  MetricsAccumulator b(100 * kQ, kDayNs);
  for (int64_t e : {150, 120, 200, 170}) b.on_bar(kT0, e * kQ, false);
  EXPECT_NEAR(b.summary(0).max_drawdown, 0.2, 1e-15);

  // only rising: no drawdown
  MetricsAccumulator c(100 * kQ, kDayNs);
  for (int64_t e : {101, 102, 103}) c.on_bar(kT0, e * kQ, false);
  EXPECT_EQ(c.summary(0).max_drawdown, 0.0);
}

TEST(MetricsAccumulator, TradeStatsProfitFactorWinRate) {
  MetricsAccumulator m(100 * kQ, kDayNs);
  m.on_round_trip(trip(30 * kQ, 1 * kQ, 3.0));
  m.on_round_trip(trip(-10 * kQ, 1 * kQ, -1.0));
  m.on_round_trip(trip(5 * kQ, 1 * kQ, 0.5));
  const Summary s = m.summary(1.0);
  EXPECT_EQ(s.trades, 3);
  EXPECT_EQ(s.winning_trades, 2);
  EXPECT_EQ(s.losing_trades, 1);
  EXPECT_NEAR(s.win_rate, 2.0 / 3.0, 1e-15);
  // (30 + 5) / |-10| = 3.5
  EXPECT_DOUBLE_EQ(s.profit_factor, 3.5);
  EXPECT_TRUE(profit_factor_note(s).empty());
  EXPECT_EQ(s.gross_profit_raw, 35 * kQ);
  EXPECT_EQ(s.gross_loss_raw, 10 * kQ);
  // sum of the trips' fees when not overridden: 1 + 1 + 1
  EXPECT_EQ(s.fees_paid_raw, 3 * kQ);
  // (3.0 - 1.0 + 0.5) / 3 = 0.8333 % -> 0.008333 as a fraction
  EXPECT_NEAR(s.avg_trade_return, 2.5 / 3.0 / 100.0, 1e-15);

  m.set_fees_paid(4 * kQ);  // includes the entry fee of a still-open position
  EXPECT_EQ(m.summary(1.0).fees_paid_raw, 4 * kQ);
}

TEST(MetricsAccumulator, BreakEvenTradeCountsButIsNeitherWinNorLoss) {
  MetricsAccumulator m(100 * kQ, kDayNs);
  m.on_round_trip(trip(10 * kQ, 0, 1.0));
  m.on_round_trip(trip(0, 0, 0.0));
  m.on_round_trip(trip(-5 * kQ, 0, -0.5));
  const Summary s = m.summary(1.0);
  EXPECT_EQ(s.trades, 3);
  EXPECT_EQ(s.winning_trades, 1);
  EXPECT_EQ(s.losing_trades, 1);
  EXPECT_NEAR(s.win_rate, 1.0 / 3.0, 1e-15);  // 1 win of 3 trades
  EXPECT_DOUBLE_EQ(s.profit_factor, 2.0);     // 10 / 5
}

TEST(MetricsAccumulator, ProfitFactorUndefinedCases) {
  {
    MetricsAccumulator m(100 * kQ, kDayNs);
    const Summary s = m.summary(1.0);
    EXPECT_EQ(s.trades, 0);
    EXPECT_EQ(s.win_rate, 0.0);
    EXPECT_EQ(s.avg_trade_return, 0.0);
    EXPECT_TRUE(std::isnan(s.profit_factor));
    EXPECT_EQ(profit_factor_note(s), "no trades");
  }
  {
    MetricsAccumulator m(100 * kQ, kDayNs);
    m.on_round_trip(trip(3 * kQ, 0, 1.0));
    m.on_round_trip(trip(0, 0, 0.0));
    const Summary s = m.summary(1.0);
    EXPECT_TRUE(std::isinf(s.profit_factor) && s.profit_factor > 0);
    EXPECT_EQ(profit_factor_note(s), "no losing trades");
    EXPECT_EQ(s.win_rate, 0.5);
  }
  {
    MetricsAccumulator m(100 * kQ, kDayNs);
    m.on_round_trip(trip(0, 0, 0.0));
    const Summary s = m.summary(1.0);
    EXPECT_TRUE(std::isnan(s.profit_factor));
    EXPECT_EQ(profit_factor_note(s), "only break-even trades");
  }
  {
    MetricsAccumulator m(100 * kQ, kDayNs);
    m.on_round_trip(trip(-2 * kQ, 0, -1.0));
    const Summary s = m.summary(1.0);
    EXPECT_EQ(s.profit_factor, 0.0);  // 0 / 2
    EXPECT_TRUE(profit_factor_note(s).empty());
  }
}

TEST(MetricsAccumulator, BuyAndHold) {
  MetricsAccumulator m(100 * kQ, kDayNs);
  EXPECT_TRUE(std::isnan(m.summary(1.0).buy_and_hold_return));  // never set
  m.set_buy_and_hold(20000.0, 23000.0);
  EXPECT_NEAR(m.summary(1.0).buy_and_hold_return, 0.15, 1e-15);  // 23000 / 20000 - 1
  m.set_buy_and_hold(0.0, 23000.0);
  EXPECT_TRUE(std::isnan(m.summary(1.0).buy_and_hold_return));
}

TEST(MetricsAccumulator, ZeroBars) {
  const Summary s = MetricsAccumulator(100 * kQ, kDayNs).summary(0.0);
  EXPECT_EQ(s.bars, 0);
  EXPECT_EQ(s.final_equity_raw, 100 * kQ);
  EXPECT_EQ(s.total_return, 0.0);
  EXPECT_EQ(s.max_drawdown, 0.0);
  EXPECT_EQ(s.sharpe, 0.0);
  EXPECT_EQ(s.sortino, 0.0);
  EXPECT_EQ(s.exposure_time, 0.0);
  EXPECT_EQ(s.first_bar_ns, 0);
  EXPECT_EQ(s.last_bar_ns, 0);
  EXPECT_TRUE(std::isnan(s.bars_per_second));  // 0 bars / 0 s
}

TEST(MetricsAccumulator, SingleBar) {
  {
    MetricsAccumulator m(100 * kQ, kDayNs);
    m.on_bar(kT0, 105 * kQ, true);
    const Summary s = m.summary(1.0);
    EXPECT_EQ(s.bars, 1);
    EXPECT_EQ(s.first_bar_ns, kT0);
    EXPECT_EQ(s.last_bar_ns, kT0);
    EXPECT_NEAR(s.total_return, 0.05, 1e-15);  // 105 / 100 - 1
    EXPECT_EQ(s.sharpe, 0.0);                  // fewer than 2 bars
    EXPECT_EQ(s.sortino, 0.0);                 // no negative return: DD = 0
    EXPECT_EQ(s.exposure_time, 1.0);
  }
  {
    // r = 95/100 - 1 = -0.05; DD = sqrt(0.05^2 / 1) = 0.05; sortino = -0.05 / 0.05 * sqrt(365)
    // (the formula is defined for one bar even though sharpe is not)
    MetricsAccumulator m(100 * kQ, kDayNs);
    m.on_bar(kT0, 95 * kQ, false);
    const Summary s = m.summary(1.0);
    EXPECT_EQ(s.sharpe, 0.0);
    EXPECT_NEAR(s.sortino, -std::sqrt(365.0), 1e-12);
    EXPECT_NEAR(s.max_drawdown, 0.05, 1e-15);  // (100 - 95) / 100
  }
}

TEST(MetricsAccumulator, FlatEquityHasZeroSharpeAndSortino) {
  MetricsAccumulator m(100 * kQ, kDayNs);
  for (int i = 0; i < 10; ++i) m.on_bar(kT0 + i, 100 * kQ, false);
  const Summary s = m.summary(1.0);
  EXPECT_EQ(s.sharpe, 0.0);   // stdev 0
  EXPECT_EQ(s.sortino, 0.0);  // DD 0
  EXPECT_EQ(s.max_drawdown, 0.0);
}

TEST(MetricsAccumulator, RejectsNonPositiveInputs) {
  EXPECT_THROW(MetricsAccumulator(0, kDayNs), std::invalid_argument);
  EXPECT_THROW(MetricsAccumulator(-kQ, kDayNs), std::invalid_argument);
  EXPECT_THROW(MetricsAccumulator(kQ, 0), std::invalid_argument);
}

}  // namespace
}  // namespace tradehost::report
