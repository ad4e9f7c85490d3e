#include "market_json.hpp"

#include "json_writer.hpp"

#include <algorithm>

namespace tradehost::exchange_sim {

namespace {

// Number formats of the symbol: a price and a quantity field.
struct Format {
  int price;
  int qty;
  explicit Format(const MatchingEngine& ex) : price(ex.rules().price_precision), qty(ex.rules().qty_precision) {}
};

int64_t quote_volume(const Candle& c) {
  int64_t out = 0;
  mul_div(c.close, c.volume, 100000000, Rounding::Down, out);
  return out;
}

}  // namespace

std::string depth_json(const MatchingEngine& ex, Venue venue, int count, int64_t now_ms) {
  return depth_json(ex, venue, ex.rules().symbol, count, now_ms);
}

std::string depth_json(const MatchingEngine& ex, Venue venue, const std::string& symbol, int count, int64_t now_ms) {
  const SymbolRules& r = ex.rules(symbol);
  const size_t n = static_cast<size_t>(std::max(count, 0));
  auto side = [&](Json& j, BookSide s) {
    j.arr();
    for (const BookLevel& l : ex.book(r.symbol, s, n))
      j.arr().fixed(l.price, r.price_precision).fixed(l.qty, r.qty_precision).end_arr();
    j.end_arr();
  };
  Json j;
  j.obj().n("lastUpdateId", ex.book_update_id(r.symbol));
  if (venue == Venue::UsdM) j.n("E", now_ms).n("T", now_ms);
  j.key("bids");
  side(j, BookSide::Bid);
  j.key("asks");
  side(j, BookSide::Ask);
  j.end_obj();
  return j.text();
}

std::string recorded_klines_json(const std::vector<RecordedKline>& klines, size_t first, size_t last) {
  Json j;
  j.arr();
  for (size_t i = first; i < last && i < klines.size(); ++i) {
    const RecordedKline& k = klines[i];
    j.arr().num(k.open_time_ms).str(k.open).str(k.high).str(k.low).str(k.close).str(k.volume).num(k.close_time_ms)
        .str(k.quote_volume).num(k.trades).str(k.taker_base_volume).str(k.taker_quote_volume).str(k.ignore).end_arr();
  }
  j.end_arr();
  return j.text();
}

std::string klines_json(const MatchingEngine& ex, size_t first, size_t last) {
  const Format fmt(ex);
  Json j;
  j.arr();
  for (size_t i = first; i < last; ++i) {
    const Candle& c = ex.series().candles[i];
    // Each candle stands for one aggregate trade of its whole volume at its close (see
    // MarketEvent), so trades = 1 and the taker-buy volume is all or nothing.
    bool taker_buy = !buyer_is_maker(c);
    j.arr().num(c.open_time_ms).fixed(c.open, fmt.price).fixed(c.high, fmt.price).fixed(c.low, fmt.price)
        .fixed(c.close, fmt.price).fixed(c.volume, fmt.qty).num(c.close_time_ms).fixed(quote_volume(c)).num(1)
        .fixed(taker_buy ? c.volume : 0, fmt.qty).fixed(taker_buy ? quote_volume(c) : 0).str("0").end_arr();
  }
  j.end_arr();
  return j.text();
}

std::string kline_event_json(const MatchingEngine& ex, const MarketEvent& m) {
  const Format fmt(ex);
  const Candle& c = m.candle;
  const std::string& symbol = ex.rules().symbol;
  bool taker_buy = !buyer_is_maker(c);
  Json j;
  j.obj().f("e", "kline").n("E", m.time_ms).f("s", symbol);
  j.key("k").obj().n("t", c.open_time_ms).n("T", c.close_time_ms).f("s", symbol).f("i", ex.series().interval)
      .n("f", m.trade_id).n("L", m.trade_id).x("o", c.open, fmt.price).x("c", c.close, fmt.price)
      .x("h", c.high, fmt.price).x("l", c.low, fmt.price).x("v", c.volume, fmt.qty).n("n", 1).b("x", true)
      .x("q", quote_volume(c)).x("V", taker_buy ? c.volume : 0, fmt.qty).x("Q", taker_buy ? quote_volume(c) : 0)
      .f("B", "0").end_obj();
  j.end_obj();
  return j.text();
}

std::string book_ticker_json(const MatchingEngine& ex, Venue venue, const MarketEvent& m) {
  const Format fmt(ex);
  Json j;
  j.obj();
  // Field order of each venue's recording: USD-M {"e","u","s","b","B","a","A","T","E"}.
  if (venue == Venue::UsdM) j.f("e", "bookTicker");
  j.n("u", ex.book_update_id()).f("s", ex.rules().symbol).x("b", ex.best_bid(), fmt.price)
      .x("B", ex.model().level_qty, fmt.qty).x("a", ex.best_ask(), fmt.price).x("A", ex.model().level_qty, fmt.qty);
  if (venue == Venue::UsdM) j.n("T", m.time_ms).n("E", m.time_ms);
  j.end_obj();
  return j.text();
}

std::string agg_trade_json(const MatchingEngine& ex, Venue venue, const MarketEvent& m) {
  const Format fmt(ex);
  Json j;
  j.obj().f("e", "aggTrade").n("E", m.time_ms);
  // Spot names the symbol before the trade id, USD-M after it (as recorded).
  if (venue == Venue::Spot) j.f("s", ex.rules().symbol).n("a", m.agg_trade_id);
  else j.n("a", m.agg_trade_id).f("s", ex.rules().symbol);
  j.x("p", m.candle.close, fmt.price).x("q", m.candle.volume, fmt.qty).n("f", m.trade_id).n("l", m.trade_id)
      .n("T", m.time_ms).b("m", buyer_is_maker(m.candle));
  if (venue == Venue::Spot) j.b("M", true);
  j.end_obj();
  return j.text();
}

std::string depth_update_json(const MatchingEngine& ex, Venue venue, const MarketEvent& m) {
  const Format fmt(ex);
  const int64_t tick = ex.rules().tick_size, qty = ex.model().level_qty;
  const int count = ex.model().book_levels;
  Json j;
  j.obj().f("e", "depthUpdate").n("E", m.time_ms);
  if (venue == Venue::UsdM) j.n("T", m.time_ms);
  j.f("s", ex.rules().symbol).n("U", m.first_update_id).n("u", m.last_update_id);
  if (venue == Venue::UsdM) j.n("pu", m.prev_last_update_id);
  // One side at a time: every level of the new book, then the old book's levels the new one lacks.
  auto side = [&](int64_t new_best, int64_t old_best, int64_t dir) {
    j.arr();
    for (int k = 0; k < count; ++k)
      if (new_best + dir * k * tick > 0) j.arr().fixed(new_best + dir * k * tick, fmt.price).fixed(qty, fmt.qty).end_arr();
    for (int k = 0; k < count; ++k) {
      int64_t p = old_best + dir * k * tick;
      int64_t offset = (p - new_best) * dir;  // >= 0 and < count*tick while inside the new book
      if (p > 0 && (offset < 0 || offset >= count * tick)) j.arr().fixed(p, fmt.price).fixed(0, fmt.qty).end_arr();
    }
    j.end_arr();
  };
  j.key("b");
  side(ex.best_bid(), m.prev_best_bid, -1);
  j.key("a");
  side(ex.best_ask(), m.prev_best_ask, 1);
  j.end_obj();
  return j.text();
}

}  // namespace tradehost::exchange_sim
