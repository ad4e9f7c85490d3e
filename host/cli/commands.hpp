// The tradehost subcommands (main.cpp parses the arguments).
#pragma once

#include "credentials/master_secret.hpp"

#include <filesystem>

#include <optional>
#include <string>
#include <vector>

namespace tradehost::cli {

struct Options {
  std::string exe;                 // argv[0], to find the default plugins/ folder
  std::string config;
  std::vector<std::string> paths;  // plugins --path
  std::string target;              // plugins inspect FILE / plugins schema TYPE
  bool json = false;
  std::string from, to, out;       // backtest window and output directory
  std::optional<double> speed;
  std::string type, api_key;       // credentials add --type / --api-key
  std::string store;               // credentials --store: the store file instead of the default
};

/// backtest (force_backtest) or run: returns the process exit code.
int cmd_run(const Options& opt, bool force_backtest);
int cmd_check(const Options& opt);
int cmd_plugins(const Options& opt);
/// reload CONFIG: signals the running paper bot of CONFIG (pid from `<state>.pid`) to reload
/// its changed strategies (SIGHUP). Exit 2 when the bot is not paper or not running.
int cmd_reload(const Options& opt);

/// What unlocks the credential store at `store`: TRADEHOST_MASTER_KEY, else TRADEHOST_PASSPHRASE,
/// else the terminal (asked twice when `creating`). Throws credentials::CredentialsError when
/// none is available or the two entries differ. The bots' runs use it too (RunOptions).
credentials::MasterSecret master_secret(const std::filesystem::path& store, bool creating);
/// `plugins inspect FILE [--json]`: loads opt.target alone (no clash with the plugin paths) and
/// prints its name, version, ABI (declared, host, negotiated), build ids (declared, SHA-256 of
/// the file, the audit id runs record) and each component with its config schema. 0 on success;
/// 2 with the loader's one-line refusal on stderr when the library is refused.
int cmd_plugins_inspect(const Options& opt);
/// `plugins schema TYPE`: prints the TOML table component type opt.target accepts (see
/// toml_snippet). 2 with one error line listing the known types when no plugin on the plugin
/// paths registers it.
int cmd_plugins_schema(const Options& opt);
/// `credentials add|list|remove` (opt.config is the subcommand, opt.target the NAME): manages the
/// encrypted credential store (host/credentials). 0 on success; 2 on bad usage or bad input (an
/// invalid name, type, API key or secret, a duplicate or missing name, a malformed
/// TRADEHOST_MASTER_KEY); 1 when the store cannot be opened or written (wrong passphrase or key,
/// a modified file, a mode wider than 0600, I/O). No secret is ever printed.
int cmd_credentials(const Options& opt);

}  // namespace tradehost::cli
