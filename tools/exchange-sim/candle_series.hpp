// candle_series.hpp -- the recorded candles the simulator replays as its market.
#ifndef TRADEHOST_EXCHANGE_SIM_CANDLE_SERIES_HPP
#define TRADEHOST_EXCHANGE_SIM_CANDLE_SERIES_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace tradehost::exchange_sim {

/// Scale of every number in the simulator (prices, quantities, balances, commissions, quote
/// amounts): Binance prints them all with 8 decimals ("16727.30000000", "0.00100000"), so one
/// scale keeps arithmetic and printing exact.
constexpr int kScale = 8;
/// BTCUSDT's PRICE_FILTER tickSize, 0.01, at kScale.
constexpr int64_t kTickSize = 1000000;

/// One OHLCV candle: prices and base-asset volume at kScale, times in ms UTC.
struct Candle {
  int64_t open_time_ms = 0;
  int64_t close_time_ms = 0;  ///< open_time_ms + interval - 1, as Binance's kline close time
  int64_t open = 0;
  int64_t high = 0;
  int64_t low = 0;
  int64_t close = 0;
  int64_t volume = 0;
};

/// The candle file, in time order, with its interval (every gap between consecutive open times
/// must equal it: the simulator's clock steps one candle at a time).
struct CandleSeries {
  std::vector<Candle> candles;
  int64_t interval_ms = 0;
  std::string interval;  ///< Binance interval name of interval_ms ("5m"); empty when it has none
};

/// Reads a CSV with the header `open_time_ms,open,high,low,close,volume` (the format of
/// data/BTCUSDT-5m-20230102-20230209.csv). Prices must be multiples of `tick_size` (at kScale; the
/// synthetic book is built one tick apart from the close) and volumes have at most 8 decimals.
/// Throws std::runtime_error naming the file and line on any malformed row, on fewer than two
/// rows, or on uneven spacing between open times.
CandleSeries load_candle_csv(const std::string& path, int64_t tick_size = kTickSize);

/// Binance kline interval name for a duration ("1m", "5m", "1h", "1d"...) or "" when Binance has
/// no interval of that length (spot REST docs, ENUM definitions, "Kline/Candlestick chart
/// intervals").
std::string interval_name(int64_t interval_ms);

}  // namespace tradehost::exchange_sim

#endif
