// Kline history by paging REST klines: GET /api/v3/klines (spot; rest-api.md "Kline/Candlestick
// data") and GET /fapi/v1/klines (USDⓈ-M futures, "Kline/Candlestick Data"). Both answer an array
// of arrays, oldest first: [open time ms, "open", "high", "low", "close", "volume", close time ms,
// quote volume, trades, taker buy base, taker buy quote, ignore]. A connector warms a strategy up
// with the last N closed candles before the live kline stream takes over.
#ifndef TRADEHOST_BINANCE_KLINE_HISTORY_HPP
#define TRADEHOST_BINANCE_KLINE_HISTORY_HPP

#include "market_data.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tradehost::binance {

/// One candle of a REST klines answer. Prices at price_scale, volume (base asset) at qty_scale.
struct RestKline {
  int64_t open_time_ms = 0, close_time_ms = 0;
  int64_t open = 0, high = 0, low = 0, close = 0, volume = 0;
};

/// Parses a klines answer at `scales` into `out` (appended, in the answer's order). False with
/// "klines[<i>]: <problem>" in `error` on anything else than the documented array shape.
bool parse_rest_klines(std::string_view body, const Scales& scales, std::vector<RestKline>& out, std::string& error);

/// Pages forward through the last `bars` CLOSED candles of one interval, from the venue's clock:
/// the first page starts at the open time `bars` intervals before the candle open at
/// `server_now_ms`, each page asks for at most `page_limit` (spot 1000, futures 1500), and the
/// next one starts one interval after the last open time received. The still-open candle is never
/// kept. Not thread-safe; one per subscription.
class KlineHistory {
 public:
  KlineHistory(int64_t interval_ms, int64_t bars, int64_t server_now_ms, int64_t page_limit);
  /// The query parameters of the next page ("startTime=<ms>&limit=<n>"); "" when done().
  std::string next_query() const;
  /// Takes the answer to next_query(): keeps its closed candles, moves on.
  void take(const std::vector<RestKline>& page);
  bool done() const noexcept { return done_; }
  /// The closed candles received so far, oldest first, without repeats.
  const std::vector<RestKline>& candles() const noexcept { return candles_; }

 private:
  int64_t interval_ms_, limit_, current_open_ms_, cursor_ms_;
  int64_t wanted_;
  bool done_ = false;
  std::vector<RestKline> candles_;
};

}  // namespace tradehost::binance

#endif
