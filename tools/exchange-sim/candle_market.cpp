#include "candle_market.hpp"

#include <algorithm>
#include <stdexcept>
#include <tradehost/fixed.hpp>

namespace tradehost::exchange_sim {

CandleMarket::CandleMarket(CandleSeries series, std::string symbol, CandleBookShape shape, size_t start_index,
                           int64_t foreign_updates_per_step)
    : series_(std::move(series)),
      symbol_(std::move(symbol)),
      shape_(shape),
      index_(start_index),
      foreign_updates_per_step_(foreign_updates_per_step) {
  if (index_ >= series_.candles.size()) throw std::out_of_range("start candle index past the candle file");
}

std::vector<BookLevel> CandleMarket::book(const std::string&, BookSide side, size_t depth) const {
  std::vector<BookLevel> out;
  const int64_t close = current().close;
  const int64_t best = side == BookSide::Bid ? close : close + shape_.tick_size;
  const int64_t dir = side == BookSide::Bid ? -1 : 1;
  const size_t n = std::min(depth, static_cast<size_t>(std::max(shape_.book_levels, 0)));
  for (size_t k = 0; k < n; ++k) {
    const int64_t price = best + dir * static_cast<int64_t>(k) * shape_.tick_size;
    if (price <= 0) break;
    out.push_back({price, shape_.level_qty});
  }
  return out;
}

bool CandleMarket::step(int64_t now_ms, MarketStep& out) {
  if (index_ + 1 >= series_.candles.size()) return false;
  MarketEvent& m = out.event;
  m.prev_best_bid = current().close;
  m.prev_best_ask = current().close + shape_.tick_size;
  m.prev_last_update_id = book_update_id_;
  ++index_;
  const Candle& c = current();
  m.candle = c;
  m.time_ms = now_ms;
  book_update_id_ += foreign_updates_per_step_ + 1;
  m.first_update_id = m.last_update_id = book_update_id_;
  out.candle = true;
  out.trades.push_back({symbol_, c.close});
  // A resting BUY at p fills when low < p, a SELL when high > p: the candle's range as one level of
  // liquidity on each side, holding the share of its volume resting orders may fill.
  int64_t pool = 0;
  mul_div(c.volume, shape_.fill_volume_bps, 10000, Rounding::Down, pool);
  if (shape_.step_size > 0) pool -= pool % shape_.step_size;
  out.liquidity.push_back({symbol_, BookSide::Ask, {{c.low, pool}}});
  out.liquidity.push_back({symbol_, BookSide::Bid, {{c.high, pool}}});
  return true;
}

}  // namespace tradehost::exchange_sim
