// sim_config.hpp -- everything exchange-sim is started with (command line or TOML file, see
// main.cpp and README.md), shared by the Simulator, its venue APIs and the Server.
#ifndef TRADEHOST_EXCHANGE_SIM_SIM_CONFIG_HPP
#define TRADEHOST_EXCHANGE_SIM_SIM_CONFIG_HPP

#include "matching_engine.hpp"
#include "rate_limits.hpp"
#include "venue.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace tradehost::exchange_sim {

struct SimConfig {
  Venue venue = Venue::Spot;
  /// Candle mode: the candle CSV (see load_candle_csv()).
  std::string candle_file;
  /// Capture mode, instead of a candle file: the prefix of a recorded capture
  /// ("data/binance/cryptofeed/BINANCE"; see capture_recording.hpp). Not with `candle_file`.
  std::string capture;
  /// Candle mode: the candle whose close makes the first book. Capture mode: how many recorded
  /// frames are replayed before the server starts.
  size_t start_index = 0;
  /// API key -> secret. Each key is its own account.
  std::map<std::string, std::string> keys;
  /// Starting balances of every account, asset -> amount at kScale. USDⓈ-M accounts start with
  /// the USDT one as their wallet balance and ignore the others.
  std::map<std::string, int64_t> balances = {{"BTC", 100000000}, {"USDT", 1000000000000}};
  RateLimitConfig limits;  ///< zeros are filled with the venue's published defaults
  MarketModel model;
  /// Candle mode: the symbol's trading rules; empty: the venue's BTCUSDT rules (SymbolRules{} on
  /// spot, usdm_symbol_rules() on USDⓈ-M). Capture mode reads them from the recording.
  std::optional<SymbolRules> rules;
  int pace_ms = 0;  ///< step the clock every pace_ms of wall time; 0 = only on POST /_sim/advance
  /// PEM files that make the port speak HTTPS and WSS only; both empty: plain HTTP and WS.
  std::string tls_cert_file;
  std::string tls_key_file;
  /// Server time in ms UTC (serverTime, timestamp checks, rate-limit windows, event times).
  /// Defaults to the system clock; tests pin it.
  std::function<int64_t()> clock;
};

}  // namespace tradehost::exchange_sim

#endif
