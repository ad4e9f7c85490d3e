// candle_market.hpp -- the candle mode's market: the clock points at one candle of a candle file,
// the last one that has "happened", and its close sets a synthetic book (best bid = close, best ask
// = close + one tick, then `book_levels` levels each side one tick apart holding `level_qty` each).
// The book is regenerated on every request, so takers never deplete it. Each step offers resting
// orders the next candle's range: its low to BUY orders, its high to SELL orders, each side capped
// at floor(volume * fill_volume_bps / 10000) to the lot step (README.md "Market model and matching
// rules").
#ifndef TRADEHOST_EXCHANGE_SIM_CANDLE_MARKET_HPP
#define TRADEHOST_EXCHANGE_SIM_CANDLE_MARKET_HPP

#include <cstdint>
#include <string>

#include "candle_series.hpp"
#include "market_source.hpp"

namespace tradehost::exchange_sim {

/// The synthetic book's shape and the share of a candle resting orders may fill.
struct CandleBookShape {
  int64_t tick_size = kTickSize;    ///< distance between levels, at kScale
  int64_t step_size = 1000;         ///< lot step the fill pool is floored to, at kScale
  int64_t level_qty = 200000000;    ///< quantity at each level, at kScale
  int book_levels = 100;            ///< levels each side
  int64_t fill_volume_bps = 10000;  ///< share of a candle's volume resting orders may fill, per side
};

class CandleMarket : public MarketSource {
 public:
  /// `symbol`: the one symbol the file stands for. `start_index`: the candle that has "already
  /// happened" (its close makes the first book). `foreign_updates_per_step`: book update ids each
  /// step skips before its own one, standing for other symbols' updates where ids are global
  /// across symbols (USDⓈ-M). Throws std::out_of_range when `start_index` is past the file.
  CandleMarket(CandleSeries series, std::string symbol, CandleBookShape shape, size_t start_index,
               int64_t foreign_updates_per_step = 0);

  size_t position() const override { return index_; }
  size_t length() const override { return series_.candles.size(); }
  bool step(int64_t now_ms, MarketStep& out) override;
  std::vector<BookLevel> book(const std::string& symbol, BookSide side, size_t depth) const override;
  int64_t last_price(const std::string&) const override { return current().close; }
  int64_t book_update_id(const std::string&) const override { return book_update_id_; }
  size_t max_depth() const override { return static_cast<size_t>(shape_.book_levels); }

  const Candle& current() const { return series_.candles[index_]; }
  size_t index() const { return index_; }
  const CandleSeries& series() const { return series_; }

 private:
  CandleSeries series_;
  std::string symbol_;
  CandleBookShape shape_;
  size_t index_ = 0;
  int64_t foreign_updates_per_step_ = 0;
  int64_t book_update_id_ = 1;
};

}  // namespace tradehost::exchange_sim

#endif
