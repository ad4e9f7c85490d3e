// The tradehost subcommands (main.cpp parses the arguments).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tradehost::cli {

struct Options {
  std::string exe;                 // argv[0], to find the default plugins/ folder
  std::string config;
  std::vector<std::string> paths;  // plugins --path
  bool json = false;
  std::string from, to, out;       // backtest window and output directory
  std::optional<double> speed;
};

/// backtest (force_backtest) or run: returns the process exit code.
int cmd_run(const Options& opt, bool force_backtest);
int cmd_check(const Options& opt);
int cmd_plugins(const Options& opt);
/// reload CONFIG: signals the running paper bot of CONFIG (pid from `<state>.pid`) to reload
/// its changed strategies (SIGHUP). Exit 2 when the bot is not paper or not running.
int cmd_reload(const Options& opt);

}  // namespace tradehost::cli
