// tradehost: the command line.
//
//   tradehost backtest CONFIG [--from ISO8601] [--to ISO8601] [--out DIR]
//   tradehost run CONFIG                 the mode the config names (backtest | paper)
//   tradehost check CONFIG               validate the graph (and its data) without running it
//   tradehost plugins [--json] [--path DIR]...
//   tradehost plugins inspect FILE [--json]
//   tradehost plugins schema TYPE [--path DIR]...
//   tradehost reload CONFIG              ask the running paper bot of CONFIG to reload strategies
//   tradehost credentials add NAME --type hmac|ed25519|token [--api-key KEY] [--store FILE]
//   tradehost credentials list [--store FILE]
//   tradehost credentials remove NAME [--store FILE]
//
// Exit codes: 0 success (a run stopped by Ctrl-C included), 1 the run failed, 2 bad usage or a
// bad config, plugin or data file (nothing was written).
#include "cli/commands.hpp"

#include <tradehost/plugin.h>

#include <boost/program_options.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

namespace po = boost::program_options;
using namespace tradehost::cli;

namespace {

const char* kUsage =
    "usage: tradehost <command> [options]\n"
    "\n"
    "commands:\n"
    "  backtest CONFIG [--from ISO8601] [--to ISO8601] [--out DIR]\n"
    "                     run the bot graph on historical data as fast as possible and write\n"
    "                     DIR/report.json, DIR/trades.csv and DIR/state.sqlite\n"
    "  run CONFIG         run the mode the config names (backtest or paper); Ctrl-C stops cleanly\n"
    "  check CONFIG       validate the graph, its plugins and its data without running it\n"
    "  plugins [--json] [--path DIR]...\n"
    "                     list every component type on the plugin paths\n"
    "  plugins inspect FILE [--json]\n"
    "                     load one plugin library and describe it: name, version, ABI, build id,\n"
    "                     SHA-256, components and their config keys (exit 2 when refused)\n"
    "  plugins schema TYPE [--path DIR]...\n"
    "                     print the TOML table of a component type, ready to paste into a config\n"
    "  reload CONFIG      ask the running paper bot of CONFIG to hot-reload the strategies whose\n"
    "                     library changed (same as sending it SIGHUP)\n"
    "  credentials add NAME --type hmac|ed25519|token [--api-key KEY] [--store FILE]\n"
    "                     store an API key; the secret is read from stdin (hmac: one line;\n"
    "                     ed25519: the private key PEM; token: the control API's bearer token,\n"
    "                     one line of 24+ characters), hidden when stdin is a terminal\n"
    "  credentials list [--store FILE]\n"
    "                     name, type and the first 4 characters of each API key (never a secret)\n"
    "  credentials remove NAME [--store FILE]\n"
    "\n"
    "common options: -v/--verbose (debug log), -q/--quiet (warnings only), --version, --help\n"
    "plugin paths: [plugins] paths in the config, else $TRADEHOST_PLUGIN_PATH (':'-separated), else\n"
    "the plugins/ folder next to the executable\n"
    "credential store: --store FILE, else $TRADEHOST_CREDENTIALS, else\n"
    "$XDG_CONFIG_HOME/tradehost/credentials.enc, else ~/.config/tradehost/credentials.enc; encrypted\n"
    "with $TRADEHOST_MASTER_KEY (64 hex characters, the raw 32-byte key), else $TRADEHOST_PASSPHRASE\n"
    "(for automation only), else a passphrase asked on the terminal; credentials exits 1 when the\n"
    "store cannot be opened or written (wrong passphrase, modified file, mode wider than 0600)\n";

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("tradehost");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%^%l%$ %v");
  spdlog::set_level(spdlog::level::info);

  po::options_description common("options");
  common.add_options()("help,h", "show help")("version", "show the version")("verbose,v", "debug logging")(
      "quiet,q", "warnings and errors only")("json", "plugins: machine-readable output")(
      "path", po::value<std::vector<std::string>>()->composing(), "plugins: a plugin directory (repeatable)")(
      "from", po::value<std::string>(), "backtest: first bar open time, ISO 8601 UTC")(
      "to", po::value<std::string>(), "backtest: end (exclusive), ISO 8601 UTC")(
      "out", po::value<std::string>(), "backtest: output directory")(
      "speed", po::value<double>(), "run (paper): replay pacing factor, overrides [bot].speed")(
      "type", po::value<std::string>(), "credentials add: hmac or ed25519")(
      "api-key", po::value<std::string>(), "credentials add: the public API key id")(
      "store", po::value<std::string>(), "credentials: the credential store file")(
      "command", po::value<std::string>(), "")("config", po::value<std::string>(), "")(
      "target", po::value<std::string>(), "");
  po::positional_options_description pos;
  // The second word is CONFIG, or the plugins subcommand; the third the subcommand's FILE/TYPE.
  pos.add("command", 1).add("config", 1).add("target", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(common).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n\n%s", e.what(), kUsage);
    return 2;
  }
  if (vm.count("version")) {
    std::printf("tradehost %s (plugin ABI %u.%u)\n", TRADEHOST_VERSION, TH_ABI_MAJOR, TH_ABI_MINOR);
    return 0;
  }
  if (vm.count("help") || !vm.count("command")) {
    std::fputs(kUsage, vm.count("help") ? stdout : stderr);
    return vm.count("help") ? 0 : 2;
  }
  if (vm.count("verbose")) spdlog::set_level(spdlog::level::debug);
  if (vm.count("quiet")) spdlog::set_level(spdlog::level::warn);

  Options opt;
  opt.exe = argv[0];
  opt.json = vm.count("json") > 0;
  if (vm.count("path")) opt.paths = vm["path"].as<std::vector<std::string>>();
  if (vm.count("config")) opt.config = vm["config"].as<std::string>();
  if (vm.count("from")) opt.from = vm["from"].as<std::string>();
  if (vm.count("to")) opt.to = vm["to"].as<std::string>();
  if (vm.count("out")) opt.out = vm["out"].as<std::string>();
  if (vm.count("speed")) opt.speed = vm["speed"].as<double>();
  if (vm.count("target")) opt.target = vm["target"].as<std::string>();
  if (vm.count("type")) opt.type = vm["type"].as<std::string>();
  if (vm.count("api-key")) opt.api_key = vm["api-key"].as<std::string>();
  if (vm.count("store")) opt.store = vm["store"].as<std::string>();

  const std::string cmd = vm["command"].as<std::string>();
  const bool needs_config = cmd == "backtest" || cmd == "run" || cmd == "check" || cmd == "reload";
  if (cmd != "plugins" && cmd != "credentials" && !opt.target.empty()) {
    std::fprintf(stderr, "error: unexpected argument '%s'\n\n%s", opt.target.c_str(), kUsage);
    return 2;
  }
  if (needs_config && opt.config.empty()) {
    std::fprintf(stderr, "error: %s needs a CONFIG file\n\n%s", cmd.c_str(), kUsage);
    return 2;
  }
  if (cmd == "backtest") return cmd_run(opt, /*force_backtest=*/true);
  if (cmd == "run") return cmd_run(opt, false);
  if (cmd == "check") return cmd_check(opt);
  if (cmd == "plugins") {
    const std::string sub = opt.config;
    if (sub.empty()) return cmd_plugins(opt);
    if ((sub == "inspect" || sub == "schema") && opt.target.empty()) {
      std::fprintf(stderr, "error: plugins %s needs %s\n\n%s", sub.c_str(), sub == "inspect" ? "a plugin FILE" : "a component TYPE",
                   kUsage);
      return 2;
    }
    if (sub == "inspect") return cmd_plugins_inspect(opt);
    if (sub == "schema") return cmd_plugins_schema(opt);
    std::fprintf(stderr, "error: unknown plugins subcommand '%s' (inspect or schema)\n\n%s", sub.c_str(), kUsage);
    return 2;
  }
  if (cmd == "reload") return cmd_reload(opt);
  if (cmd == "credentials") return cmd_credentials(opt);
  std::fprintf(stderr, "error: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
