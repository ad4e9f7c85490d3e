// Candle (OHLCV) file readers for the replay connector: exact decimal -> fixed-point parsing of
// Binance kline CSV, plain OHLCV CSV and freqtrade JSON, with file:line errors.
// Depends only on the C++17 standard library and RapidJSON (JSON formats).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tradehost::replay {

/// One bar. `open_time_ns`: candle OPEN time, ns since the Unix epoch, UTC.
/// `open`/`high`/`low`/`close`: raw integers at ReadOptions::price_scale (price = raw / 10^scale).
/// `volume`: raw at ReadOptions::qty_scale, in whatever unit the file uses (base asset for Binance
/// klines and freqtrade files).
struct Candle {
  int64_t open_time_ns;
  int64_t open, high, low, close, volume;
  friend bool operator==(const Candle&, const Candle&) = default;
};

enum class CandleFormat {
  Auto,             ///< by first bytes ('[' / '{' = JSON) and, for CSV, the column count (12 / 6)
  BinanceKlineCsv,  ///< data.binance.vision klines: 12 columns, header optional, ms or µs times
  OhlcvCsv,         ///< open_time_ms,open,high,low,close,volume (or a 'YYYY-MM-DD HH:MM:SS' first column)
  FreqtradeJson,    ///< [[ms,o,h,l,c,v],...] or pandas "columns" {"date":{"0":ms,..},"open":{..},..}
};

struct ReadOptions {
  int price_scale = -1;        ///< 0..18, required; a price with more significant decimals is an error
  int qty_scale = -1;          ///< 0..18, required; same rule for volume
  int64_t tick_size_raw = 1;   ///< at price_scale; every price must be a multiple (Binance PRICE_FILTER)
  CandleFormat format = CandleFormat::Auto;
};

struct ReadResult {
  std::vector<Candle> candles;  ///< strictly increasing open_time_ns
  int64_t interval_ns;          ///< most common step between open times; 0 when fewer than 2 candles
  CandleFormat format;          ///< the format actually read (never Auto)
  size_t gaps;                  ///< missing intervals (sum over steps of step/interval - 1); never filled
};

/// A file that cannot be read as candles. what() = "path:line: problem; how to fix it"
/// ("path:line:col: ..." for JSON, "path: ..." when no line applies, e.g. a missing file).
class CandleError : public std::runtime_error {
 public:
  CandleError(std::string path, size_t line, size_t column, const std::string& message);
  const std::string& path() const noexcept { return path_; }
  size_t line() const noexcept { return line_; }      ///< 1-based; 0 = not about a line
  size_t column() const noexcept { return column_; }  ///< 1-based byte column (JSON); 0 = none

 private:
  std::string path_;
  size_t line_;
  size_t column_;
};

/// Reads a candle file and converts every value exactly (no floating point anywhere); CSV is
/// streamed in 4 MiB chunks, JSON is read whole. Integer open times are ms, or µs when the first
/// row is >= 1e14 (data.binance.vision spot files from 2025 on); every row must use that unit.
/// Rules: open times strictly increasing; every step a whole multiple of the interval (gaps are
/// counted, not filled); low <= open, close <= high; volume >= 0; each price a multiple of
/// `tick_size_raw`; no significant digit below the scale. Blank lines only at the end; CRLF and a
/// UTF-8 BOM are accepted. Throws CandleError on any violation, naming the position and the fix.
ReadResult read_candles(const std::string& path, const ReadOptions& options);

}  // namespace tradehost::replay
