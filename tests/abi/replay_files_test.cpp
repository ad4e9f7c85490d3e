// The replay connector reading a series split over several files: the files join into one series,
// a hole at the join is a gap (never filled), and a join off the bar grid is refused.
#include "backtest_harness.hpp"

#include <gtest/gtest.h>

namespace tradehost::abi_test {
namespace {

/// Writes header + rows[begin, end) of the bundled CSV, with `shift_ms` added to each open time.
fs::path write_part(const fs::path& dir, const std::string& name, const std::vector<std::string>& rows, size_t begin,
                    size_t end, int64_t shift_ms = 0) {
  const fs::path p = dir / name;
  std::ofstream out(p);
  out << "open_time_ms,open,high,low,close,volume\n";
  for (size_t i = begin; i < end; ++i) {
    const std::string& r = rows[i];
    const size_t comma = r.find(',');
    out << std::stoll(r.substr(0, comma)) + shift_ms << r.substr(comma) << "\n";
  }
  return p;
}

/// Runs the EMA crossover bot over `files` and returns the result.
engine::RunResult run_files(const fs::path& dir, const std::vector<fs::path>& files) {
  loader::PluginRegistry registry(engine::host_api());
  for (const auto& problem : registry.load_directories({TH_PLUGIN_DIR})) throw std::runtime_error(problem);
  std::string list;
  for (const auto& f : files) list += (list.empty() ? "\"" : ", \"") + f.string() + "\"";
  const fs::path config = dir / "bot.toml";
  std::ofstream(config) << "[bot]\nname = \"split\"\nmode = \"backtest\"\n\n"
                           "[[connector]]\nname = \"history\"\ntype = \"replay\"\nfiles = ["
                        << list
                        << "]\ntick_size = \"0.01\"\nlot_size = \"0.00001\"\n\n"
                           "[[strategy]]\nname = \"ema\"\ntype = \"ema_crossover\"\nconnector = \"history\"\n"
                           "instruments = [\"BTC/USDT\"]\ntimeframe = \"5m\"\n";
  graph::Graph g = graph::parse_graph(config);
  graph::validate_graph(g, registry.schema_lookup());
  engine::RunOptions ro;
  ro.out_dir = dir / "out";
  ro.state_path = dir / "out" / "state.sqlite";
  ro.progress = false;
  ro.print_summary = false;
  engine::Engine eng(g, registry, ro);
  return eng.run();
}

TEST(ReplayFiles, TwoContiguousFilesReadAsOneSeries) {
  const auto rows = csv_rows(candle_file());
  ASSERT_EQ(rows.size(), 10999u);  // data/SOURCES.md
  ScratchDir dir;
  const auto whole = run_files(dir.path(), {candle_file()});
  ScratchDir split_dir;
  const auto split = run_files(split_dir.path(), {write_part(split_dir.path(), "a.csv", rows, 0, 5000),
                                                   write_part(split_dir.path(), "b.csv", rows, 5000, rows.size())});
  EXPECT_EQ(split.status, "completed");
  EXPECT_EQ(split.summary.bars, 10999);
  EXPECT_EQ(split.summary.trades, whole.summary.trades);
  EXPECT_EQ(split.summary.final_equity_raw, whole.summary.final_equity_raw);
}

TEST(ReplayFiles, HoleAtTheJoinIsAGapNotFilled) {
  const auto rows = csv_rows(candle_file());
  ScratchDir dir;
  LogCapture log;
  // Rows 5000..5009 missing: ten 5-minute bars absent between the two files.
  const auto r = run_files(dir.path(), {write_part(dir.path(), "a.csv", rows, 0, 5000),
                                        write_part(dir.path(), "b.csv", rows, 5010, rows.size())});
  EXPECT_EQ(r.status, "completed");
  EXPECT_EQ(r.summary.bars, 10999 - 10);
  EXPECT_NE(log.text().find("b.csv: 5989 bars of 5m, 10 gaps"), std::string::npos) << log.text();
}

TEST(ReplayFiles, JoinOffTheBarGridIsRefused) {
  const auto rows = csv_rows(candle_file());
  ScratchDir dir;
  LogCapture log;
  // The second file is shifted by one minute: its bars open 1m off the first file's 5m grid.
  const std::vector<fs::path> files = {write_part(dir.path(), "a.csv", rows, 0, 5000),
                                       write_part(dir.path(), "b.csv", rows, 5000, rows.size(), 60'000)};
  EXPECT_THROW(run_files(dir.path(), files), engine::EngineError);
  EXPECT_NE(log.text().find("b.csv: its first bar is not a whole number of 5m bars after the previous file's last bar"),
            std::string::npos)
      << log.text();
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "state.sqlite"));
}

}  // namespace
}  // namespace tradehost::abi_test
