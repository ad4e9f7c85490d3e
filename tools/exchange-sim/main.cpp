// exchange-sim: a Binance-compatible simulator (spot, or a USDⓈ-M futures subset) on 127.0.0.1
// for connector tests. See README.md next to this file for the options, endpoints and fault
// switches.
#include "server.hpp"
#include "simulator.hpp"

#include <tradehost/fixed.hpp>

#include <boost/program_options.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <csignal>
#include <iostream>
#include <thread>

namespace po = boost::program_options;
using namespace tradehost::exchange_sim;

namespace {

int64_t parse_amount(const std::string& text, const std::string& what) {
  int64_t raw = 0;
  std::string error;
  if (!tradehost::parse_fixed(text, kScale, raw, &error) || raw < 0)
    throw std::runtime_error(what + ": " + (error.empty() ? "must not be negative" : error));
  return raw;
}

// "NAME:VALUE" -> {NAME, VALUE}; NAME must not be empty.
std::pair<std::string, std::string> split_pair(const std::string& text, const std::string& option) {
  size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0)
    throw std::runtime_error("--" + option + " expects NAME:VALUE, got '" + text + "'");
  return {text.substr(0, colon), text.substr(colon + 1)};
}

// A TOML number or string as an amount ("1.5" keeps exact decimals; 1.5 goes through a double).
int64_t toml_amount(const toml::node& node, const std::string& what) {
  if (auto s = node.value<std::string>()) return parse_amount(*s, what);
  if (auto i = node.value<int64_t>()) return parse_amount(std::to_string(*i), what);
  throw std::runtime_error(what + ": expected a decimal string or an integer");
}

Venue parse_venue(const std::string& text) {
  if (text == "spot") return Venue::Spot;
  if (text == "usdm") return Venue::UsdM;
  throw std::runtime_error("venue must be spot or usdm, got '" + text + "'");
}

void read_config_file(const std::string& path, SimConfig& c, uint16_t& port) {
  toml::table t = toml::parse_file(path);
  if (auto v = t["venue"].value<std::string>()) c.venue = parse_venue(*v);
  if (auto v = t["tls_cert"].value<std::string>()) c.tls_cert_file = *v;
  if (auto v = t["tls_key"].value<std::string>()) c.tls_key_file = *v;
  if (auto v = t["candles"].value<std::string>()) c.candle_file = *v;
  if (auto v = t["capture"].value<std::string>()) c.capture = *v;
  if (auto v = t["start_index"].value<int64_t>()) c.start_index = static_cast<size_t>(*v);
  if (auto v = t["port"].value<int64_t>()) port = static_cast<uint16_t>(*v);
  if (auto v = t["pace_ms"].value<int64_t>()) c.pace_ms = static_cast<int>(*v);
  if (auto keys = t["keys"].as_table())
    for (const auto& [k, v] : *keys)
      if (auto s = v.value<std::string>()) c.keys[std::string(k.str())] = *s;
  if (auto bal = t["balances"].as_table()) {
    c.balances.clear();
    for (const auto& [k, v] : *bal) c.balances[std::string(k.str())] = toml_amount(v, "balances." + std::string(k.str()));
  }
  if (auto l = t["limits"].as_table()) {
    // 0 (absent) keeps the venue's published default.
    c.limits.request_weight_per_minute = static_cast<int>((*l)["request_weight_per_minute"].value_or(0));
    c.limits.orders_per_10s = static_cast<int>((*l)["orders_per_10s"].value_or(0));
    c.limits.orders_per_minute = static_cast<int>((*l)["orders_per_minute"].value_or(0));
    c.limits.orders_per_day = static_cast<int>((*l)["orders_per_day"].value_or(0));
  }
  if (auto m = t["market"].as_table()) {
    c.model.maker_bps = (*m)["maker_bps"].value_or(c.model.maker_bps);
    c.model.taker_bps = (*m)["taker_bps"].value_or(c.model.taker_bps);
    c.model.book_levels = static_cast<int>((*m)["book_levels"].value_or(int64_t{c.model.book_levels}));
    c.model.fill_volume_bps = (*m)["fill_volume_bps"].value_or(c.model.fill_volume_bps);
    if (auto q = (*m)["level_qty"].node()) c.model.level_qty = toml_amount(*q, "market.level_qty");
  }
}

}  // namespace

int main(int argc, char** argv) {
  SimConfig config;
  std::string address = "127.0.0.1";
  uint16_t port = 0;
  po::options_description opts("exchange-sim options");
  // clang-format off
  opts.add_options()
    ("help,h", "show this help")
    ("config", po::value<std::string>(), "TOML file with the same settings (command line wins)")
    ("venue", po::value<std::string>(), "API to serve: spot (default) or usdm (USD-M futures subset)")
    ("tls-cert", po::value<std::string>(), "PEM certificate (chain): the port speaks HTTPS and WSS only")
    ("tls-key", po::value<std::string>(), "PEM private key of --tls-cert")
    ("port", po::value<uint16_t>(), "TCP port on 127.0.0.1; 0 = ephemeral (default)")
    ("candles", po::value<std::string>(), "candle CSV (open_time_ms,open,high,low,close,volume)")
    ("capture", po::value<std::string>(),
     "recorded Binance capture to replay instead of candles: file prefix, e.g. data/binance/cryptofeed/BINANCE")
    ("start-index", po::value<size_t>(),
     "candle whose close makes the first book; with --capture, frames replayed before start (default 0)")
    ("key", po::value<std::vector<std::string>>()->composing(), "API key and secret, KEY:SECRET (repeatable)")
    ("balance", po::value<std::vector<std::string>>()->composing(),
     "starting balance of every account, ASSET:AMOUNT (repeatable; default BTC:1 USDT:10000)")
    ("weight-limit", po::value<int>(), "REQUEST_WEIGHT per minute per IP (default spot 1200, usdm 2400)")
    ("orders-per-10s", po::value<int>(), "ORDERS per 10 s per account (default spot 50, usdm 300)")
    ("orders-per-minute", po::value<int>(), "usdm: ORDERS per minute per account (default 1200)")
    ("orders-per-day", po::value<int>(), "spot: ORDERS per day per account (default 160000)")
    ("maker-bps", po::value<int64_t>(), "maker fee in basis points (default 10)")
    ("taker-bps", po::value<int64_t>(), "taker fee in basis points (default 10)")
    ("level-qty", po::value<std::string>(), "base quantity at each synthetic book level (default 2)")
    ("book-levels", po::value<int>(), "synthetic book levels each side (default 100)")
    ("fill-volume-bps", po::value<int64_t>(), "share of a candle's volume resting orders may fill (default 10000)")
    ("pace-ms", po::value<int>(), "step the clock every N ms of wall time; 0 = only on POST /_sim/advance")
    ("log-level", po::value<std::string>()->default_value("warn"), "spdlog level: trace debug info warn error off");
  // clang-format on
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << opts << "\n";
      return 0;
    }
    spdlog::set_level(spdlog::level::from_str(vm["log-level"].as<std::string>()));
    // spdlog's default logger writes to stdout; the "listening" line must be the only stdout
    // output a script has to parse, so logs go to stderr.
    spdlog::set_default_logger(spdlog::stderr_color_mt("exchange-sim"));
    spdlog::set_level(spdlog::level::from_str(vm["log-level"].as<std::string>()));
    if (vm.count("config")) read_config_file(vm["config"].as<std::string>(), config, port);
    if (vm.count("venue")) config.venue = parse_venue(vm["venue"].as<std::string>());
    if (vm.count("tls-cert")) config.tls_cert_file = vm["tls-cert"].as<std::string>();
    if (vm.count("tls-key")) config.tls_key_file = vm["tls-key"].as<std::string>();
    if (vm.count("port")) port = vm["port"].as<uint16_t>();
    if (vm.count("candles")) config.candle_file = vm["candles"].as<std::string>();
    if (vm.count("capture")) config.capture = vm["capture"].as<std::string>();
    // The command line wins over the file: a market given there replaces the file's other one.
    if (vm.count("candles") && !vm.count("capture")) config.capture.clear();
    if (vm.count("capture") && !vm.count("candles")) config.candle_file.clear();
    if (vm.count("start-index")) config.start_index = vm["start-index"].as<size_t>();
    if (vm.count("key"))
      for (const auto& k : vm["key"].as<std::vector<std::string>>()) {
        auto [key, secret] = split_pair(k, "key");
        config.keys[key] = secret;
      }
    if (vm.count("balance")) {
      config.balances.clear();
      for (const auto& b : vm["balance"].as<std::vector<std::string>>()) {
        auto [asset, amount] = split_pair(b, "balance");
        config.balances[asset] = parse_amount(amount, "--balance " + asset);
      }
    }
    if (vm.count("weight-limit")) config.limits.request_weight_per_minute = vm["weight-limit"].as<int>();
    if (vm.count("orders-per-10s")) config.limits.orders_per_10s = vm["orders-per-10s"].as<int>();
    if (vm.count("orders-per-minute")) config.limits.orders_per_minute = vm["orders-per-minute"].as<int>();
    if (vm.count("orders-per-day")) config.limits.orders_per_day = vm["orders-per-day"].as<int>();
    if (vm.count("maker-bps")) config.model.maker_bps = vm["maker-bps"].as<int64_t>();
    if (vm.count("taker-bps")) config.model.taker_bps = vm["taker-bps"].as<int64_t>();
    if (vm.count("level-qty")) config.model.level_qty = parse_amount(vm["level-qty"].as<std::string>(), "--level-qty");
    if (vm.count("book-levels")) config.model.book_levels = vm["book-levels"].as<int>();
    if (vm.count("fill-volume-bps")) config.model.fill_volume_bps = vm["fill-volume-bps"].as<int64_t>();
    if (vm.count("pace-ms")) config.pace_ms = vm["pace-ms"].as<int>();
    if (config.candle_file.empty() == config.capture.empty())
      throw std::runtime_error("give one market: --candles FILE or --capture PREFIX");
    const bool tls = tls_enabled(config);  // throws when only one of --tls-cert / --tls-key is set
    if (config.keys.empty()) spdlog::warn("no --key given: SIGNED and USER_STREAM endpoints will answer -2015");

    // Block the stop signals before any thread starts, then wait for them on a thread of ours:
    // Server::stop() is not async-signal-safe, so it must not run inside a signal handler.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    Simulator sim(config);
    Server server(sim, address, port);
    std::thread waiter([&] {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      server.stop();
    });
    std::cout << "listening " << (tls ? "https://" : "http://") << address << ":" << server.port() << std::endl;
    server.run();  // returns only after the waiter's stop()
    waiter.join();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "exchange-sim: " << e.what() << "\n";
    return 1;
  }
}
