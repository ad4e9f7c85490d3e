#pragma once
// What was run: the context printed with every report.

#include <cstdint>
#include <string>
#include <vector>

namespace tradehost::report {

/// Identifies a run in report.json ("run" object) and in the terminal summary.
struct RunInfo {
  std::string bot;                       ///< bot name from the config ("sma_cross")
  std::string run_id;                    ///< unique id of this run
  std::string mode;                      ///< "backtest" or "paper"
  std::vector<std::string> instruments;  ///< unified symbols, "BTC/USDT"
  std::string quote_asset;               ///< currency of every money field ("USDT")
  int64_t from_ns = 0;                   ///< start of the data range, ns UTC (inclusive)
  int64_t to_ns = 0;                     ///< end of the data range, ns UTC (exclusive)
  std::string bar_interval;              ///< bar interval as configured ("5m", "1h", "1d")
  std::string config_path;               ///< the bot config file the run used
};

}  // namespace tradehost::report
