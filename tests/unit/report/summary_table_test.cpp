#include "report/summary_table.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace tradehost::report {
namespace {

constexpr int64_t kQ = 100'000'000;
constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kDayNs = 86'400 * kS;
constexpr int64_t k20230101 = 1'672'531'200 * kS;

RunInfo run_info() {
  RunInfo run;
  run.bot = "sma_cross";
  run.run_id = "bt-0001";
  run.mode = "backtest";
  run.instruments = {"BTC/USDT", "ETH/USDT"};
  run.quote_asset = "USDT";
  run.from_ns = k20230101;
  run.to_ns = k20230101 + 3 * kDayNs;
  run.bar_interval = "1d";
  run.config_path = "config/sma_cross.toml";
  return run;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string line_with(const std::string& text, const std::string& label) {
  for (const auto& l : lines(text)) {
    if (l.rfind("  " + label, 0) == 0) return l;
  }
  ADD_FAILURE() << "no line " << label << " in\n" << text;
  return {};
}

TEST(FormatSummary, ShowsPercentRatiosAndMoney) {
  MetricsAccumulator m(100 * kQ, kDayNs);
  m.on_bar(k20230101 + 1 * kDayNs, 110 * kQ, true);
  m.on_bar(k20230101 + 2 * kDayNs, 99 * kQ, false);
  m.on_bar(k20230101 + 3 * kDayNs, 120 * kQ, true);
  RoundTrip win, loss;
  win.pnl_raw = 30 * kQ;
  win.return_pct = 3.0;
  loss.pnl_raw = -10 * kQ;
  loss.return_pct = -1.0;
  m.on_round_trip(win);
  m.on_round_trip(loss);
  m.set_fees_paid(150'000'000);  // 1.5 USDT
  m.set_buy_and_hold(20000.0, 23000.0);
  const std::string t = format_summary(m.summary(0.5), run_info());

  EXPECT_EQ(t.rfind("Backtest sma_cross (run bt-0001)\n", 0), 0u) << t;
  EXPECT_NE(t.find("BTC/USDT, ETH/USDT"), std::string::npos);
  EXPECT_NE(t.find("2023-01-01T00:00:00Z -> 2023-01-04T00:00:00Z, 1d bars"), std::string::npos);
  EXPECT_NE(line_with(t, "Total return").find("+20.00%"), std::string::npos);  // 0.2
  EXPECT_NE(line_with(t, "Buy & hold").find("+15.00%"), std::string::npos);    // 0.15
  EXPECT_NE(line_with(t, "Max drawdown").find(" 10.00%"), std::string::npos);  // 0.1
  EXPECT_NE(line_with(t, "Sharpe").find(" 8.54"), std::string::npos);          // 8.5438
  EXPECT_NE(line_with(t, "Sortino").find(" 23.40"), std::string::npos);        // 23.3975
  EXPECT_NE(line_with(t, "Profit factor").find(" 3.00"), std::string::npos);   // 30 / 10
  EXPECT_NE(line_with(t, "Win rate").find(" 50.00%"), std::string::npos);      // 1 of 2
  EXPECT_NE(line_with(t, "Trades").find("1 won, 1 lost"), std::string::npos);
  EXPECT_NE(line_with(t, "Avg trade").find("+1.00%"), std::string::npos);  // (3 - 1) / 2
  EXPECT_NE(line_with(t, "Exposure").find("66.67%"), std::string::npos);   // 2 of 3
  EXPECT_NE(line_with(t, "Fees paid").find(" 1.50  USDT"), std::string::npos);
  EXPECT_NE(line_with(t, "End equity").find(" 120.00  USDT"), std::string::npos);
  EXPECT_NE(line_with(t, "Bars").find("in 0.50 s, 6 bars/s"), std::string::npos);  // 3 / 0.5

  // Values right-aligned in one column: every metric line has its value ending at the same
  // column, i.e. the text before any note has the same length.
  size_t value_end = 0;
  for (const char* label :
       {"Total return", "Max drawdown", "Sharpe", "Win rate", "Trades", "Fees paid", "Bars"}) {
    const std::string l = line_with(t, label);
    const size_t note = l.find("  ", l.find_first_not_of(' ', 2 + std::string(label).size()));
    const size_t end = note == std::string::npos ? l.size() : note;
    if (value_end == 0) value_end = end;
    EXPECT_EQ(end, value_end) << l;
  }
}

TEST(FormatSummary, UndefinedValues) {
  MetricsAccumulator none(100 * kQ, kDayNs);
  const std::string t = format_summary(none.summary(0.0), run_info());
  EXPECT_NE(line_with(t, "Profit factor").find("n/a  no trades"), std::string::npos) << t;
  EXPECT_NE(line_with(t, "Buy & hold").find("n/a"), std::string::npos);

  MetricsAccumulator wins(100 * kQ, kDayNs);
  RoundTrip win;
  win.pnl_raw = kQ;
  wins.on_round_trip(win);
  const std::string t2 = format_summary(wins.summary(1.0), run_info());
  EXPECT_NE(line_with(t2, "Profit factor").find("inf  no losing trades"), std::string::npos) << t2;
}

}  // namespace
}  // namespace tradehost::report
