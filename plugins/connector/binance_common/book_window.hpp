// The part of a synchronised local book that a connector publishes as order book events
// (plugin.h th_ev_book): the best `depth` levels of each side, and what changed in them.
//
// Why a window: the local book holds the REST snapshot's levels plus every level later diffs
// touched, which can be thousands deep; a strategy asks for `book_depth`. Publishing only the
// window makes a DELTA relative to the window the consumer holds, not to the local book: a level
// that ENTERS the window (because a better one left, or it is new) is sent with its quantity even
// when its own quantity did not change, and a level pushed OUT of the window (a better one
// arrived) is sent with qty 0 although it still rests at the venue. Applying SNAPSHOT then every
// DELTA in order therefore leaves the consumer holding exactly the connector's top `depth` levels
// of each side -- never a level deeper than that and never a hole inside it -- so no extra
// SNAPSHOT is needed when the window's composition changes.
#ifndef TRADEHOST_BINANCE_BOOK_WINDOW_HPP
#define TRADEHOST_BINANCE_BOOK_WINDOW_HPP

#include <tradehost/order_book.hpp>

#include <cstddef>
#include <vector>

namespace tradehost::binance {

/// The published top-`depth` view of one instrument's book. Levels are raw at the instrument's
/// price_scale / qty_scale (OrderBook's units). Not thread-safe; owned by the connector's loop.
class BookWindow {
 public:
  /// `depth` >= 1: levels per side.
  explicit BookWindow(size_t depth);

  size_t depth() const noexcept { return depth_; }

  /// Publishes the book's best `depth` levels per side as a whole: writes them to `bids` / `asks`
  /// best first (bids descending, asks ascending) and remembers them as what the consumer holds.
  void snapshot(const OrderBook& book, std::vector<BookLevel>& bids, std::vector<BookLevel>& asks);

  /// The changes between what the consumer holds and the book's best `depth` levels now: a level
  /// new to the window or with another quantity, with its quantity; a level that left the window,
  /// with qty 0. Written best first per side into `bids` / `asks` (replacing their contents); the
  /// new view is remembered. Returns false (both empty) when nothing in the window changed.
  bool delta(const OrderBook& book, std::vector<BookLevel>& bids, std::vector<BookLevel>& asks);

  /// Forgets the published view (the consumer's book no longer counts; the next publication must
  /// be a snapshot).
  void clear() noexcept;

  /// What the consumer holds, best first.
  const std::vector<BookLevel>& bids() const noexcept { return bids_; }
  const std::vector<BookLevel>& asks() const noexcept { return asks_; }

 private:
  void side_delta(const OrderBook& book, BookSide side, std::vector<BookLevel>& held, std::vector<BookLevel>& out);

  size_t depth_;
  std::vector<BookLevel> bids_, asks_;  // the published view, best first
  std::vector<BookLevel> scratch_;      // the book's window now, reused across calls
};

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_BOOK_WINDOW_HPP
