// report.json and trades.csv: written atomically, re-read, checked against hand-made values.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "report/metrics.hpp"
#include "report/report_json.hpp"
#include "report/trades_csv.hpp"

namespace tradehost::report {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kQ = 100'000'000;
constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kDayNs = 86'400 * kS;
constexpr int64_t k20230101 = 1'672'531'200 * kS;  // 2023-01-01T00:00:00Z

// A fresh empty directory per test, removed afterwards.
class ReportFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           (std::string("th_report_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_))
      names.push_back(e.path().filename().string());
    return names;
  }

  fs::path dir_;
};

RunInfo run_info() {
  RunInfo run;
  run.bot = "sma_cross";
  run.run_id = "bt-0001";
  run.mode = "backtest";
  run.instruments = {"BTC/USDT"};
  run.quote_asset = "USDT";
  run.from_ns = k20230101;
  run.to_ns = k20230101 + 3 * kDayNs;
  run.bar_interval = "1d";
  run.config_path = "config/sma_cross.toml";
  return run;
}

RoundTrip trip(int64_t pnl_raw, int64_t fees_raw, double return_pct) {
  RoundTrip t;
  t.pnl_raw = pnl_raw;
  t.fees_raw = fees_raw;
  t.return_pct = return_pct;
  return t;
}

// Equity 100 -> 110 -> 99 -> 120 (see metrics_test.cpp), trips +30, -10, +5 with 1 fee each.
Summary example_summary() {
  MetricsAccumulator m(100 * kQ, kDayNs);
  m.on_bar(k20230101 + 1 * kDayNs, 110 * kQ, true);
  m.on_bar(k20230101 + 2 * kDayNs, 99 * kQ, false);
  m.on_bar(k20230101 + 3 * kDayNs, 120 * kQ, true);
  m.on_round_trip(trip(30 * kQ, kQ, 3.0));
  m.on_round_trip(trip(-10 * kQ, kQ, -1.0));
  m.on_round_trip(trip(5 * kQ, kQ, 0.5));
  m.set_fees_paid(3 * kQ + 12'345'678);
  m.set_buy_and_hold(20000.0, 23000.0);
  return m.summary(2.0);
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  EXPECT_TRUE(doc.IsObject());
  return doc;
}

TEST_F(ReportFiles, ReportJsonHasEveryFieldWithHandValues) {
  const fs::path path = dir_ / "report.json";
  write_report_json(path, example_summary(), run_info());
  EXPECT_EQ(entries(), std::vector<std::string>{"report.json"});  // no temp file left behind

  const std::string text = slurp(path);
  const rapidjson::Document doc = parse(text);
  for (const char* k : {"bars",
                        "trades",
                        "win_rate",
                        "total_return",
                        "buy_and_hold_return",
                        "max_drawdown",
                        "sharpe",
                        "sortino",
                        "profit_factor",
                        "profit_factor_note",
                        "fees_paid",
                        "exposure_time",
                        "elapsed_s",
                        "bars_per_second",
                        "initial_equity",
                        "final_equity",
                        "winning_trades",
                        "losing_trades",
                        "annualization_factor",
                        "periods_per_year",
                        "avg_trade_return",
                        "gross_profit",
                        "gross_loss",
                        "first_bar",
                        "last_bar",
                        "run",
                        "units"}) {
    EXPECT_TRUE(doc.HasMember(k)) << k;
  }
  EXPECT_EQ(doc["bars"].GetInt64(), 3);
  EXPECT_EQ(doc["trades"].GetInt64(), 3);
  EXPECT_EQ(doc["winning_trades"].GetInt64(), 2);
  EXPECT_EQ(doc["losing_trades"].GetInt64(), 1);
  EXPECT_NEAR(doc["win_rate"].GetDouble(), 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(doc["total_return"].GetDouble(), 0.2, 1e-15);          // 120/100 - 1: a fraction
  EXPECT_NEAR(doc["buy_and_hold_return"].GetDouble(), 0.15, 1e-15);  // 23000/20000 - 1
  EXPECT_NEAR(doc["max_drawdown"].GetDouble(), 0.1, 1e-15);          // (110 - 99) / 110
  EXPECT_NEAR(doc["sharpe"].GetDouble(), 8.5438, 1e-4);              // metrics_test.cpp
  EXPECT_NEAR(doc["sortino"].GetDouble(), 23.3975, 1e-4);
  EXPECT_DOUBLE_EQ(doc["profit_factor"].GetDouble(), 3.5);  // 35 / 10
  EXPECT_TRUE(doc["profit_factor_note"].IsNull());
  EXPECT_NEAR(doc["exposure_time"].GetDouble(), 2.0 / 3.0, 1e-15);
  EXPECT_DOUBLE_EQ(doc["elapsed_s"].GetDouble(), 2.0);
  EXPECT_DOUBLE_EQ(doc["bars_per_second"].GetDouble(), 1.5);  // 3 bars / 2 s
  EXPECT_DOUBLE_EQ(doc["periods_per_year"].GetDouble(), 365.0);
  EXPECT_NEAR(doc["annualization_factor"].GetDouble(), 19.104973, 1e-6);  // sqrt(365)
  // Money: exact decimals in quote units, 3 + 0.12345678 fees
  EXPECT_NE(text.find("\"fees_paid\": 3.12345678,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"initial_equity\": 100.00000000,"), std::string::npos);
  EXPECT_NE(text.find("\"final_equity\": 120.00000000,"), std::string::npos);
  EXPECT_DOUBLE_EQ(doc["gross_profit"].GetDouble(), 35.0);
  EXPECT_DOUBLE_EQ(doc["gross_loss"].GetDouble(), 10.0);
  EXPECT_STREQ(doc["first_bar"].GetString(), "2023-01-02T00:00:00Z");
  EXPECT_STREQ(doc["last_bar"].GetString(), "2023-01-04T00:00:00Z");

  const auto& run = doc["run"];
  EXPECT_STREQ(run["bot"].GetString(), "sma_cross");
  EXPECT_STREQ(run["run_id"].GetString(), "bt-0001");
  EXPECT_STREQ(run["mode"].GetString(), "backtest");
  ASSERT_TRUE(run["instruments"].IsArray());
  ASSERT_EQ(run["instruments"].Size(), 1u);
  EXPECT_STREQ(run["instruments"][0].GetString(), "BTC/USDT");
  EXPECT_STREQ(run["from"].GetString(), "2023-01-01T00:00:00Z");
  EXPECT_STREQ(run["to"].GetString(), "2023-01-04T00:00:00Z");
  EXPECT_STREQ(run["bar_interval"].GetString(), "1d");
  EXPECT_STREQ(run["config_path"].GetString(), "config/sma_cross.toml");

  const auto& units = doc["units"];
  EXPECT_STREQ(units["ratios"].GetString(), "fraction");
  EXPECT_STREQ(units["money"].GetString(), "USDT");
  EXPECT_STREQ(units["annualization"].GetString(), "sqrt(periods per year), 365-day year, 24/7");

  EXPECT_EQ(text.substr(0, 4), "{\n  ");  // pretty-printed, 2-space indent
  EXPECT_EQ(text.back(), '\n');
}

TEST_F(ReportFiles, ReportJsonNullsForUndefinedMetrics) {
  MetricsAccumulator none(100 * kQ, kDayNs);  // no bars, no trades, no buy-and-hold
  const rapidjson::Document doc = parse(report_json(none.summary(0.0), run_info()));
  EXPECT_TRUE(doc["profit_factor"].IsNull());
  EXPECT_STREQ(doc["profit_factor_note"].GetString(), "no trades");
  EXPECT_TRUE(doc["buy_and_hold_return"].IsNull());
  EXPECT_TRUE(doc["bars_per_second"].IsNull());  // 0 bars in 0 s
  EXPECT_TRUE(doc["first_bar"].IsNull());
  EXPECT_EQ(doc["win_rate"].GetDouble(), 0.0);
  EXPECT_EQ(doc["trades"].GetInt64(), 0);

  MetricsAccumulator wins_only(100 * kQ, kDayNs);
  wins_only.on_round_trip(trip(2 * kQ, 0, 2.0));
  const rapidjson::Document doc2 = parse(report_json(wins_only.summary(1.0), run_info()));
  EXPECT_TRUE(doc2["profit_factor"].IsNull());  // +inf has no JSON spelling
  EXPECT_STREQ(doc2["profit_factor_note"].GetString(), "no losing trades");
}

TEST_F(ReportFiles, AtomicWriteReplacesAndFailsCleanly) {
  const fs::path path = dir_ / "report.json";
  { std::ofstream(path) << "old"; }
  write_report_json(path, example_summary(), run_info());
  EXPECT_NE(slurp(path).find("\"bars\": 3"), std::string::npos);
  EXPECT_EQ(entries(), std::vector<std::string>{"report.json"});

  EXPECT_THROW(write_report_json(dir_ / "missing" / "report.json", example_summary(), run_info()),
               std::system_error);
  EXPECT_EQ(entries(), std::vector<std::string>{"report.json"});
}

TEST_F(ReportFiles, TradesCsvHeaderAndRows) {
  // Long 0.56810 BTC at 16650.10, out at 16800.00, 0.1 % fee per leg:
  //   entry notional 16650.10 * 0.5681 = 9458.92181; exit notional 16800 * 0.5681 = 9544.08
  //   fees 9.45892181 + 9.54408 = 19.00300181
  //   net pnl 9544.08 - 9458.92181 - 19.00300181 = 66.15518819
  //   return 66.15518819 / 9458.92181 * 100 = 0.6993946 %
  RoundTrip a;
  a.instrument = "BTC/USDT";
  a.side = "long";
  a.entry_time_ns = 1'672'677'900 * kS;  // 2023-01-02T16:45:00Z
  a.exit_time_ns = 1'672'704'000 * kS;   // 2023-01-03T00:00:00Z (2023-01-02 + 86400 s)
  a.qty = "0.56810";
  a.entry_price = "16650.10";
  a.exit_price = "16800.00";
  a.pnl_raw = 6'615'518'819;
  a.fees_raw = 1'900'300'181;
  a.return_pct = 0.6993946;

  RoundTrip b;
  b.instrument = "ETH/USDT,weird\"name";
  b.side = "short";
  b.entry_time_ns = 1'672'677'900 * kS + 250'000'000;
  b.exit_time_ns = 1'672'677'900 * kS + 60 * kS;
  b.qty = "1";
  b.entry_price = "1200";
  b.exit_price = "1200.05";
  b.pnl_raw = -5'000'000;  // -0.05
  b.fees_raw = 1;          // 0.00000001
  b.return_pct = -0.0041667;

  const fs::path path = dir_ / "trades.csv";
  write_trades_csv(path, {a, b});
  EXPECT_EQ(entries(), std::vector<std::string>{"trades.csv"});
  EXPECT_EQ(slurp(path),
            "instrument,side,entry_time,exit_time,qty,entry_price,exit_price,pnl,fees,return_pct\n"
            "BTC/USDT,long,2023-01-02T16:45:00Z,2023-01-03T00:00:00Z,0.56810,16650.10,16800.00,"
            "66.15518819,19.00300181,0.6994\n"
            "\"ETH/USDT,weird\"\"name\",short,2023-01-02T16:45:00.25Z,2023-01-02T16:46:00Z,1,1200,"
            "1200.05,-0.05000000,0.00000001,-0.0042\n");

  write_trades_csv(path, {});
  EXPECT_EQ(
      slurp(path),
      "instrument,side,entry_time,exit_time,qty,entry_price,exit_price,pnl,fees,return_pct\n");
}

}  // namespace
}  // namespace tradehost::report
