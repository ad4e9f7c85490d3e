// Fuzz target: the local order book of one symbol kept by binance_common's DepthSynchroniser from
// REST depth snapshots (MarketDataParser::parse_depth_snapshot) and diff depth frames
// (parse_stream), the whole documented snapshot + diff procedure.
// Input: lines. The first byte picks the venue (odd: USD-M); every later line is a message: a
// line starting with "{\"lastUpdateId\"" is a REST snapshot of the first symbol seen (NKNUSDT
// when none), any other line a stream frame.
// Invariants, after every message: each side of the book is strictly ordered best first with
// positive quantities; the book is empty whenever a snapshot is awaited; a stale diff changes
// nothing; an applied diff leaves exactly its levels' quantities at its prices and moves
// last_update_id to its `u`; and the book equals a std::map model of it fed the same diffs
// (reset from the book after each snapshot).
#include "fuzz_check.hpp"
#include "fuzz_symbols.hpp"

#include <binance_common/depth_sync.hpp>
#include <binance_common/market_data.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

using namespace tradehost;
using namespace tradehost::binance;

namespace {

struct Model {
  std::map<int64_t, int64_t, std::greater<>> bids;  // best (highest) first
  std::map<int64_t, int64_t> asks;                  // best (lowest) first
};

std::vector<BookLevel> side_of(const OrderBook& book, BookSide side) {
  return book.depth(side, book.level_count(side));
}

void check_book(const OrderBook& book) {
  for (BookSide side : {BookSide::Bid, BookSide::Ask}) {
    const std::vector<BookLevel> levels = side_of(book, side);
    for (size_t i = 0; i < levels.size(); ++i) {
      FUZZ_CHECK(levels[i].qty > 0, "a level with qty %lld is in the book", static_cast<long long>(levels[i].qty));
      FUZZ_CHECK(book.qty_at(side, levels[i].price) == levels[i].qty, "qty_at disagrees with depth()");
      if (i > 0)
        FUZZ_CHECK(side == BookSide::Bid ? levels[i - 1].price > levels[i].price : levels[i - 1].price < levels[i].price,
                   "side %d is not strictly ordered best first", static_cast<int>(side));
    }
  }
}

Model model_of(const OrderBook& book) {
  Model m;
  for (const BookLevel& l : side_of(book, BookSide::Bid)) m.bids[l.price] = l.qty;
  for (const BookLevel& l : side_of(book, BookSide::Ask)) m.asks[l.price] = l.qty;
  return m;
}

template <class Map>
void apply_levels(Map& side, const std::vector<BookLevel>& levels) {
  for (const BookLevel& l : levels) {
    if (l.qty == 0)
      side.erase(l.price);
    else
      side[l.price] = l.qty;
  }
}

template <class Map>
bool equal(const Map& side, const std::vector<BookLevel>& levels) {
  if (side.size() != levels.size()) return false;
  size_t i = 0;
  for (const auto& [price, qty] : side)
    if (levels[i].price != price || levels[i++].qty != qty) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Venue venue = (data[0] & 1) != 0 ? Venue::UsdM : Venue::Spot;
  MarketDataParser parser(venue);
  for (const auto& [symbol, scales] : fuzz::fuzz_symbols()) parser.set_scales(symbol, scales);
  DepthSynchroniser sync(venue, 64);
  std::string symbol;
  Model model;
  StreamMessage msg;
  DepthSnapshot snapshot;
  std::string error;

  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty()) continue;

    const std::vector<BookLevel> bids_before = side_of(sync.book(), BookSide::Bid);
    const std::vector<BookLevel> asks_before = side_of(sync.book(), BookSide::Ask);
    const int64_t id_before = sync.last_update_id();
    if (line.starts_with("{\"lastUpdateId\"")) {
      const Scales* sc = fuzz::fuzz_scales(symbol.empty() ? "NKNUSDT" : symbol);
      if (!parser.parse_depth_snapshot(line, *sc, snapshot, error)) continue;
      for (const BookLevel& l : snapshot.bids) FUZZ_CHECK(l.price >= 0 && l.qty >= 0, "negative snapshot level");
      for (const BookLevel& l : snapshot.asks) FUZZ_CHECK(l.price >= 0 && l.qty >= 0, "negative snapshot level");
      const DepthSynchroniser::Outcome o = sync.on_snapshot(snapshot);
      if (o == DepthSynchroniser::Outcome::Applied)
        FUZZ_CHECK(sync.state() != DepthSynchroniser::State::AwaitingSnapshot, "applied, still awaiting a snapshot");
      else
        FUZZ_CHECK(o == DepthSynchroniser::Outcome::ResyncNeeded && sync.needs_snapshot(), "snapshot outcome %d",
                   static_cast<int>(o));
      model = model_of(sync.book());
    } else {
      if (!parser.parse_stream(line, msg, error) || msg.kind != StreamKind::DepthDiff) continue;
      if (symbol.empty()) symbol = msg.depth.symbol;
      if (msg.depth.symbol != symbol) continue;  // the connector routes by symbol
      const DepthSynchroniser::State state_before = sync.state();
      const DepthSynchroniser::Outcome o = sync.on_diff(msg.depth);
      switch (o) {
        case DepthSynchroniser::Outcome::Buffered:
          FUZZ_CHECK(state_before == DepthSynchroniser::State::AwaitingSnapshot, "buffered outside AwaitingSnapshot");
          break;
        case DepthSynchroniser::Outcome::Stale:
          FUZZ_CHECK(side_of(sync.book(), BookSide::Bid) == bids_before &&
                         side_of(sync.book(), BookSide::Ask) == asks_before && sync.last_update_id() == id_before,
                     "a stale diff changed the book");
          break;
        case DepthSynchroniser::Outcome::Applied:
          FUZZ_CHECK(sync.state() == DepthSynchroniser::State::Live, "applied but not live");
          FUZZ_CHECK(sync.last_update_id() == msg.depth.final_update_id, "last_update_id %lld after a diff to u %lld",
                     static_cast<long long>(sync.last_update_id()), static_cast<long long>(msg.depth.final_update_id));
          apply_levels(model.bids, msg.depth.bids);
          apply_levels(model.asks, msg.depth.asks);
          break;
        case DepthSynchroniser::Outcome::ResyncNeeded:
          FUZZ_CHECK(sync.needs_snapshot(), "resync needed but no snapshot asked for");
          model = Model{};
          break;
      }
    }
    if (sync.needs_snapshot()) FUZZ_CHECK(sync.book().empty(), "levels in the book while awaiting a snapshot");
    check_book(sync.book());
    FUZZ_CHECK(equal(model.bids, side_of(sync.book(), BookSide::Bid)) &&
                   equal(model.asks, side_of(sync.book(), BookSide::Ask)),
               "the book differs from the model fed the same levels");
  }
  return 0;
}
