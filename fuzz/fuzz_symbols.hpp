// Instrument scales the Binance fuzz targets parse at: the symbols of the recorded captures in
// data/binance/cryptofeed/ with their real PRICE_FILTER / LOT_SIZE scales (the seed corpus is cut
// from those captures), and synthetic symbols X0..X18 with price scale n and quantity scale
// (7n mod 19), so that a mutated symbol reaches every scale. Any other symbol has no scales.
#ifndef TRADEHOST_FUZZ_SYMBOLS_HPP
#define TRADEHOST_FUZZ_SYMBOLS_HPP

#include <binance_common/market_data.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tradehost::fuzz {

inline const std::vector<std::pair<std::string, binance::Scales>>& fuzz_symbols() {
  static const std::vector<std::pair<std::string, binance::Scales>> table = [] {
    std::vector<std::pair<std::string, binance::Scales>> t = {
        // spot exchangeInfo of 2021-10-12 (BINANCE.0)
        {"NKNUSDT", {4, 0}}, {"BLZETH", {8, 0}}, {"LRCBTC", {8, 0}}, {"RUNEEUR", {3, 1}},
        // USD-M exchangeInfo of 2021-07-22 (BINANCE_FUTURES.0)
        {"SUSHIUSDT", {3, 0}}, {"AKROUSDT", {5, 0}}, {"KEEPUSDT", {4, 0}}, {"CTKUSDT", {3, 0}},
        {"BTCUSDT", {2, 5}},
        // the account documents' examples (tests/unit/binance/account_messages_test.cpp)
        {"LTCBTC", {6, 2}}, {"ETHBTC", {8, 3}}, {"BNBBTC", {8, 2}}};
    for (int n = 0; n <= 18; ++n) t.push_back({"X" + std::to_string(n), {n, (7 * n) % 19}});
    return t;
  }();
  return table;
}

inline const binance::Scales* fuzz_scales(std::string_view symbol) {
  for (const auto& [name, scales] : fuzz_symbols())
    if (name == symbol) return &scales;
  return nullptr;
}

}  // namespace tradehost::fuzz

#endif  // TRADEHOST_FUZZ_SYMBOLS_HPP
