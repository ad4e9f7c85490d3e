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
/// "klines[<i>]: <problem>" in `error` on anything else than the documented array shape, on a
/// negative open or close time (Unix ms) and on a negative price or volume.
bool parse_rest_klines(std::string_view body, const Scales& scales, std::vector<RestKline>& out, std::string& error);

/// Pages BACKWARD through the last `bars` closed candles of one interval. The first page asks for
/// the most recent candles (no startTime/endTime: "the most recent klines are returned"), one more
/// than wanted because the newest is usually still open; each next page ends just before the
/// oldest open time received (endTime = that - 1). A candle whose close time is not before
/// `server_now_ms` is still open and never kept. Working from the venue's newest candle rather than
/// from a computed window keeps it right on a venue whose market clock differs from its server
/// clock (the exchange simulator replays 2023 candles with today's serverTime). One per subscription.
class KlineHistory {
 public:
  KlineHistory(int64_t bars, int64_t server_now_ms, int64_t page_limit);
  /// The query parameters of the next page ("limit=<n>" or "endTime=<ms>&limit=<n>"); "" when done().
  std::string next_query() const;
  /// The `limit` of next_query()'s page (its request weight depends on it); 0 when done().
  int64_t next_limit() const;
  /// Takes the answer to next_query(): keeps its closed candles, moves on.
  void take(const std::vector<RestKline>& page);
  bool done() const noexcept { return done_; }
  /// The closed candles received, oldest first, without repeats; at most `bars`.
  const std::vector<RestKline>& candles() const noexcept { return candles_; }

 private:
  int64_t wanted_, server_now_ms_, limit_;
  bool first_ = true, done_ = false;
  std::vector<RestKline> candles_;
};

}  // namespace tradehost::binance

#endif
