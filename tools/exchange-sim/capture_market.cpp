#include "capture_market.hpp"

#include <algorithm>
#include <stdexcept>

namespace tradehost::exchange_sim {

CaptureMarket::CaptureMarket(std::shared_ptr<const CaptureRecording> recording) : recording_(std::move(recording)) {
  for (const RecordedSnapshot& snap : recording_->snapshots) {
    Book& b = books_[snap.symbol];
    b = Book{};
    for (const BookLevel& l : snap.bids) set_level(b.bids, l.price, l.qty);
    for (const BookLevel& l : snap.asks) set_level(b.asks, l.price, l.qty);
    b.update_id = snap.last_update_id;
    b.last_price = b.bids.levels.empty() ? 0 : b.bids.levels.rbegin()->first;
  }
}

const CaptureMarket::Book* CaptureMarket::find(const std::string& symbol) const {
  auto it = books_.find(symbol);
  return it == books_.end() ? nullptr : &it->second;
}

CaptureMarket::Book* CaptureMarket::find(const std::string& symbol) {
  auto it = books_.find(symbol);
  return it == books_.end() ? nullptr : &it->second;
}

void CaptureMarket::set_level(Side& side, int64_t price, int64_t qty) {
  auto it = side.levels.find(price);
  const int64_t before = it == side.levels.end() ? 0 : it->second;
  if (qty <= 0) {
    if (it != side.levels.end()) side.levels.erase(it);
    side.taken.erase(price);
    return;
  }
  side.levels[price] = qty;
  // What left the level is taken to be what our orders took first: those orders were only ever
  // ours to take once.
  auto t = side.taken.find(price);
  if (t != side.taken.end() && qty < before) {
    t->second -= before - qty;
    if (t->second <= 0) side.taken.erase(t);
  }
}

bool CaptureMarket::step(int64_t now_ms, MarketStep& out) {
  if (next_ >= recording_->frames.size()) return false;
  const RecordedFrame& f = recording_->frames[next_++];
  MarketEvent& m = out.event;
  m.time_ms = now_ms;
  m.stream = f.stream;
  m.payload = f.payload;
  m.depth = f.kind == FrameKind::Depth;
  Book* b = find(f.symbol);
  if (b == nullptr) return true;  // a symbol without a snapshot: published, not traded
  switch (f.kind) {
    case FrameKind::Depth: {
      const bool newer =
          recording_->venue == Venue::UsdM ? f.last_update_id >= b->update_id : f.last_update_id > b->update_id;
      m.first_update_id = f.first_update_id;
      m.last_update_id = f.last_update_id;
      m.prev_last_update_id = b->update_id;
      if (!newer) break;
      for (const BookLevel& l : f.bids) set_level(b->bids, l.price, l.qty);
      for (const BookLevel& l : f.asks) set_level(b->asks, l.price, l.qty);
      b->update_id = f.last_update_id;
      out.books_moved.push_back(f.symbol);
      break;
    }
    case FrameKind::AggTrade:
      b->last_price = f.price;
      out.trades.push_back({f.symbol, f.price});
      out.liquidity.push_back({f.symbol, BookSide::Ask, {{f.price, f.qty}}});
      out.liquidity.push_back({f.symbol, BookSide::Bid, {{f.price, f.qty}}});
      break;
    case FrameKind::Kline: {
      b->last_price = f.price;
      auto& ks = b->klines;
      auto at = std::lower_bound(ks.begin(), ks.end(), f.kline.open_time_ms,
                                 [](const RecordedKline& k, int64_t t) { return k.open_time_ms < t; });
      if (at != ks.end() && at->open_time_ms == f.kline.open_time_ms)
        *at = f.kline;
      else
        ks.insert(at, f.kline);
      break;
    }
    case FrameKind::BookTicker:
    case FrameKind::Other:
      break;
  }
  return true;
}

std::vector<BookLevel> CaptureMarket::levels(const std::string& symbol, BookSide side, size_t depth,
                                             bool less_taken) const {
  std::vector<BookLevel> out;
  const Book* b = find(symbol);
  if (b == nullptr) return out;
  const Side& s = side == BookSide::Bid ? b->bids : b->asks;
  auto add = [&](int64_t price, int64_t qty) {
    if (less_taken) {
      auto t = s.taken.find(price);
      if (t != s.taken.end()) qty -= t->second;
    }
    if (qty > 0) out.push_back({price, qty});
    return out.size() < depth;
  };
  if (side == BookSide::Bid) {
    for (auto it = s.levels.rbegin(); it != s.levels.rend() && out.size() < depth; ++it)
      if (!add(it->first, it->second)) break;
  } else {
    for (auto it = s.levels.begin(); it != s.levels.end() && out.size() < depth; ++it)
      if (!add(it->first, it->second)) break;
  }
  return out;
}

std::vector<BookLevel> CaptureMarket::book(const std::string& symbol, BookSide side, size_t depth) const {
  return levels(symbol, side, depth, false);
}

std::vector<BookLevel> CaptureMarket::liquidity(const std::string& symbol, BookSide side, size_t depth) const {
  return levels(symbol, side, depth, true);
}

void CaptureMarket::consume(const std::string& symbol, BookSide side, int64_t price, int64_t qty) {
  Book* b = find(symbol);
  if (b == nullptr || qty <= 0) return;
  Side& s = side == BookSide::Bid ? b->bids : b->asks;
  auto it = s.levels.find(price);
  if (it == s.levels.end()) return;
  int64_t& taken = s.taken[price];
  taken = std::min(it->second, taken + qty);
}

int64_t CaptureMarket::last_price(const std::string& symbol) const {
  const Book* b = find(symbol);
  return b ? b->last_price : 0;
}

int64_t CaptureMarket::book_update_id(const std::string& symbol) const {
  const Book* b = find(symbol);
  return b ? b->update_id : 0;
}

const std::vector<RecordedKline>& CaptureMarket::klines(const std::string& symbol) const {
  static const std::vector<RecordedKline> kNone;
  const Book* b = find(symbol);
  return b ? b->klines : kNone;
}

CaptureSetup open_capture(const std::string& prefix, Venue venue) {
  auto recording = std::make_shared<const CaptureRecording>(load_capture(prefix, venue));
  CaptureSetup setup;
  for (const RecordedSymbol& s : recording->symbols) setup.symbols.push_back(s.rules);
  setup.market = std::make_unique<CaptureMarket>(std::move(recording));
  return setup;
}

}  // namespace tradehost::exchange_sim
