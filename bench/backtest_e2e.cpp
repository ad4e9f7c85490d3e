// End-to-end backtest throughput: the default bot graph (replay connector -> ema_crossover
// strategy -> max_position + max_daily_loss risk chain -> simulated matching engine -> portfolio,
// orders, fills and decisions persisted to SQLite) over a long series, and the same EMA/RSI
// crossover signals computed by a bare loop over the same in-memory bars with no framework.
//
// The series tiles the real bundled BTC/USDT 5m candles (data/BTCUSDT-5m-*.csv) end to end,
// alternating the file forwards and time-reversed (a reversed bar swaps its open and close), so
// prices stay continuous and bounded and indicators and trades behave like the real data
// throughout. The graph is the default bot's with one change: entries use 1% of equity instead of
// 95%, because the strategy loses to fees on this data and would otherwise drain the account
// within a few hundred tiles and stop trading, which would flatter the figure.
//
// usage: bench_backtest_e2e [BARS=10000000] [REPEAT=3] [signals-only]
// Prints bars/s of each run and the median; load time (reading the CSV) is reported apart.
// `signals-only` sets rsi_max so low that every entry is filtered: the same per-bar path
// (replay, risk rules' on_event, strategy, marking, metrics) with one decision row per cross and
// no orders, which separates the per-bar framework cost from the per-order journal cost.
#include "engine/engine.hpp"
#include "graph/graph.hpp"
#include "loader/plugin_registry.hpp"

#include "plugins/connector/replay/candle_reader.hpp"

#include <tradehost/ta.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace tradehost;

namespace {

std::vector<replay::Candle> real_candles() {
  replay::ReadOptions o;
  o.price_scale = 2;
  o.qty_scale = 8;
  return replay::read_candles(TH_SOURCE_DIR "/data/BTCUSDT-5m-20230102-20230209.csv", o).candles;
}

/// Writes `bars` tiled candles as open_time_ms,open,high,low,close,volume (prices at 0.01).
void write_series(const fs::path& path, int64_t bars) {
  const auto base = real_candles();
  const int64_t step_ms = 300'000;
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("open_time_ms,open,high,low,close,volume\n", f);
  const int64_t n = static_cast<int64_t>(base.size());
  int64_t t0 = base.front().open_time_ns / 1'000'000;
  for (int64_t i = 0; i < bars; ++i) {
    const bool reversed = (i / n) % 2 == 1;
    const auto& c = base[static_cast<size_t>(reversed ? n - 1 - i % n : i % n)];
    int64_t o = reversed ? c.close : c.open, h = c.high, l = c.low, cl = reversed ? c.open : c.close;
    std::fprintf(f, "%lld,%lld.%02lld,%lld.%02lld,%lld.%02lld,%lld.%02lld,%lld.%08lld\n",
                 static_cast<long long>(t0 + i * step_ms), (long long)(o / 100), (long long)(o % 100), (long long)(h / 100),
                 (long long)(h % 100), (long long)(l / 100), (long long)(l % 100), (long long)(cl / 100),
                 (long long)(cl % 100), (long long)(c.volume / 100000000), (long long)(c.volume % 100000000));
  }
  std::fclose(f);
}

/// The same signals as the ema_crossover strategy, with no framework: returns crosses seen.
int64_t bare_loop(const std::vector<replay::Candle>& bars, double& seconds) {
  auto t0 = std::chrono::steady_clock::now();
  ta::Ema fast(12), slow(26);
  ta::Rsi rsi(14);
  double prev = 0;
  bool has_prev = false;
  int64_t ups = 0, downs = 0;
  for (const auto& b : bars) {
    const double close = static_cast<double>(b.close) / 100.0;
    fast.update(close);
    slow.update(close);
    rsi.update(close);
    if (!fast.ready() || !slow.ready()) continue;
    const double d = fast.value() - slow.value();
    if (has_prev) {
      if (prev <= 0 && d > 0 && rsi.ready() && rsi.value() < 70) ++ups;
      if (prev >= 0 && d < 0) ++downs;
    }
    prev = d;
    has_prev = true;
  }
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return ups + downs;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t bars = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
  const int repeat = argc > 2 ? std::atoi(argv[2]) : 3;
  const bool signals_only = argc > 3 && std::string(argv[3]) == "signals-only";
  spdlog::set_level(spdlog::level::warn);
  const fs::path dir = fs::temp_directory_path() / "tradehost-bench";
  fs::create_directories(dir);
  const fs::path data = dir / ("series-" + std::to_string(bars) + ".csv");
  if (!fs::exists(data)) {
    std::printf("writing %lld tiled bars to %s\n", static_cast<long long>(bars), data.c_str());
    write_series(data, bars);
  }
  const fs::path cfg = dir / "bench.toml";
  {
    std::ifstream in(TH_SOURCE_DIR "/config/bots/ema_crossover.toml");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto replace = [&](const std::string& from, const std::string& to) {
      auto p = text.find(from);
      if (p != std::string::npos) text.replace(p, from.size(), to);
    };
    replace("\"../../data/BTCUSDT-5m-20230102-20230209.csv\"", "\"" + data.string() + "\"");
    replace("type = \"log\"\non = [\"fill\", \"rejected\", \"error\", \"summary\"]", "type = \"log\"\non = [\"error\", \"summary\"]");
    replace("fraction = 0.95", "fraction = 0.01");
    if (signals_only) replace("rsi_max = 70", "rsi_max = 0.0001");
    text += "\n[plugins]\npaths = [\"" TH_PLUGIN_DIR "\"]\n";
    std::ofstream(cfg) << text;
  }
  std::vector<double> rates;
  for (int r = 0; r < repeat; ++r) {
    loader::PluginRegistry reg(engine::host_api());
    graph::Graph g = graph::parse_graph(cfg);
    reg.load_directories(g.plugin_paths);
    graph::validate_graph(g, reg.schema_lookup());
    engine::RunOptions ro;
    ro.out_dir = dir / "out";
    fs::remove_all(ro.out_dir);
    ro.state_path = ro.out_dir / "state.sqlite";
    ro.progress = false;
    ro.print_summary = false;
    engine::Engine eng(g, reg, ro);
    auto t0 = std::chrono::steady_clock::now();
    eng.prepare();
    double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    engine::RunResult res = eng.run();
    std::printf("run %d: %lld bars, %lld trades, load %.2f s, run %.3f s, %.2fM bars/s\n", r + 1,
                static_cast<long long>(res.summary.bars), static_cast<long long>(res.summary.trades), load_s,
                res.summary.elapsed_s, res.summary.bars_per_second / 1e6);
    rates.push_back(res.summary.bars_per_second);
  }
  std::sort(rates.begin(), rates.end());
  const double median = rates[rates.size() / 2];
  replay::ReadOptions o;
  o.price_scale = 2;
  o.qty_scale = 8;
  auto series = replay::read_candles(data.string(), o).candles;
  std::vector<double> bare;
  int64_t signals = 0;
  for (int r = 0; r < repeat; ++r) {
    double s = 0;
    signals = bare_loop(series, s);
    bare.push_back(static_cast<double>(series.size()) / s);
  }
  std::sort(bare.begin(), bare.end());
  const double bare_median = bare[bare.size() / 2];
  std::printf("\nframework median: %.2fM bars/s\nbare loop median: %.2fM bars/s (%lld signals)\nratio framework/bare: %.2f\n",
              median / 1e6, bare_median / 1e6, static_cast<long long>(signals), median / bare_median);
  return 0;
}
