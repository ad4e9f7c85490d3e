// tradehost/order_book.hpp -- an L2 (price-aggregated) order book of one instrument, keyed by
// fixed-point price. Header-only, C++17, standard library only.
//
// Units: every price is an int64 raw value at the instrument's price_scale (price = raw /
// 10^price_scale) and every quantity a raw value at its qty_scale, base asset -- the convention of
// th_fixed in plugin.h and of tradehost/fixed.hpp. The book never converts or rounds: feeding it
// values at mixed scales is the caller's bug.
//
// Semantics follow the exchanges' "absolute quantity per level" depth feeds (Binance diff depth:
// "The data in each event is the absolute quantity for a price level. If the quantity is 0,
// remove the price level"): a delta sets a level's quantity, it does not add to it.
//
// Data structure: per side, one std::vector<BookLevel> sorted so that the BEST price is at the
// BACK (bids ascending, asks descending). Why: nearly all depth traffic touches the first few
// levels, and inserting or erasing at position i of a vector moves only the levels behind i --
// here the handful of better levels, not the hundreds of deep ones. Best price is back(), O(1).
// A lookup binary-searches, without branches, the 32 levels nearest the best when the price lies
// among them, else the rest: in the recorded Binance USD-M stream 88% of the updates land within
// 32 levels of the best, while a snapshot side holds up to 1000. A snapshot that comes best
// first, as exchanges send them, is loaded in one pass; any other order is sorted. A node-based
// std::map costs an allocation per new level and a pointer chase per probe; a flat map with
// best-first order would shift the whole side on every top-of-book insert; an array indexed by
// tick offset needs the tick size and a bounded price range, which this header does not know.
// bench/depth_apply.cpp measures the result.
//
// Not thread-safe: one owner (the connector's loop thread) mutates and reads it.
#ifndef TRADEHOST_ORDER_BOOK_HPP
#define TRADEHOST_ORDER_BOOK_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace tradehost {

/// One price level: `price` raw at price_scale (quote currency per base unit), `qty` raw at
/// qty_scale (base asset), the total resting quantity at that price.
struct BookLevel {
  int64_t price = 0;
  int64_t qty = 0;

  friend bool operator==(const BookLevel& a, const BookLevel& b) noexcept {
    return a.price == b.price && a.qty == b.qty;
  }
  friend bool operator!=(const BookLevel& a, const BookLevel& b) noexcept { return !(a == b); }
};

enum class BookSide : uint8_t { Bid, Ask };

/// L2 book of one instrument. See the file comment for units and the data structure.
class OrderBook {
 public:
  /// Removes every level of both sides (keeps the capacity for the next snapshot).
  void clear() noexcept {
    bids_.clear();
    asks_.clear();
  }

  /// Replaces the whole book with a snapshot. The levels may come in any order (Binance sends
  /// bids best-first, i.e. descending, and asks ascending); levels with qty 0 are skipped, as a
  /// zero level means "no level". Returns false and leaves the book EMPTY when a quantity is
  /// negative or a price appears twice on one side: such a snapshot is corrupt, and an empty book
  /// is safer than a half-applied one. A snapshot may be crossed (check crossed()); the book
  /// stores what it is given.
  bool apply_snapshot(const BookLevel* bids, size_t bid_count, const BookLevel* asks,
                      size_t ask_count) {
    clear();
    if (!load_side<true>(bids_, bids, bid_count) || !load_side<false>(asks_, asks, ask_count)) {
      clear();
      return false;
    }
    return true;
  }

  /// apply_snapshot() from two vectors.
  bool apply_snapshot(const std::vector<BookLevel>& bids, const std::vector<BookLevel>& asks) {
    return apply_snapshot(bids.data(), bids.size(), asks.data(), asks.size());
  }

  /// Applies one level of a delta: sets the quantity at `price` on `side` to `qty`; qty 0
  /// removes the level (removing a level that is not there is a no-op: Binance documents that
  /// such deletes "can happen and [are] normal"). Returns false, changing nothing, when qty < 0.
  bool set_level(BookSide side, int64_t price, int64_t qty) {
    if (qty < 0) return false;
    if (side == BookSide::Bid)
      set_in<true>(bids_, price, qty);
    else
      set_in<false>(asks_, price, qty);
    return true;
  }

  /// Highest bid, or nullopt when the bid side is empty.
  std::optional<BookLevel> best_bid() const noexcept {
    if (bids_.empty()) return std::nullopt;
    return bids_.back();
  }

  /// Lowest ask, or nullopt when the ask side is empty.
  std::optional<BookLevel> best_ask() const noexcept {
    if (asks_.empty()) return std::nullopt;
    return asks_.back();
  }

  /// Quantity resting at `price` on `side` (raw at qty_scale), 0 when there is no such level.
  int64_t qty_at(BookSide side, int64_t price) const noexcept {
    const std::vector<BookLevel>& v = side == BookSide::Bid ? bids_ : asks_;
    const size_t i = side == BookSide::Bid ? position<true>(v, price) : position<false>(v, price);
    return i != v.size() && v[i].price == price ? v[i].qty : 0;
  }

  /// Number of price levels on one side.
  size_t level_count(BookSide side) const noexcept {
    return side == BookSide::Bid ? bids_.size() : asks_.size();
  }

  /// True when neither side has a level.
  bool empty() const noexcept { return bids_.empty() && asks_.empty(); }

  /// Copies the best min(n, level_count(side)) levels of `side` into out[0..], best first
  /// (bids descending, asks ascending); returns how many were written. `out` must hold n levels.
  size_t depth(BookSide side, size_t n, BookLevel* out) const noexcept {
    const std::vector<BookLevel>& v = side == BookSide::Bid ? bids_ : asks_;
    const size_t k = n < v.size() ? n : v.size();
    for (size_t i = 0; i < k; ++i) out[i] = v[v.size() - 1 - i];
    return k;
  }

  /// The best min(n, level_count(side)) levels of `side`, best first.
  std::vector<BookLevel> depth(BookSide side, size_t n) const {
    std::vector<BookLevel> out(std::min(n, level_count(side)));
    depth(side, out.size(), out.data());
    return out;
  }

  /// True when both sides are non-empty and best bid >= best ask. A locked book (bid == ask)
  /// counts: a price-time matching engine would have traded those orders, so a local book that
  /// shows it has missed an update (or was fed a bad one).
  bool crossed() const noexcept {
    return !bids_.empty() && !asks_.empty() && bids_.back().price >= asks_.back().price;
  }

 private:
  using Levels = std::vector<BookLevel>;

  // True when price `a` sorts before `b` in the side's storage order (is worse than b): bids are
  // stored ascending (Ascending = true), asks descending.
  template <bool Ascending>
  static bool before(int64_t a, int64_t b) noexcept {
    return Ascending ? a < b : a > b;
  }

  /// How many levels next to the best a lookup searches on their own (see position()).
  static constexpr size_t kNearBest = 32;

  // The first index whose price does not sort before `price` (std::lower_bound in storage
  // order): the level at `price` when there is one, else where it would be inserted.
  //
  // One comparison with the level kNearBest below the best tells whether `price` lies among the
  // kNearBest levels nearest the best -- 88% of the recorded Binance USD-M updates do, so that
  // branch is well predicted -- and a binary search then runs over those levels alone (6 probes)
  // or over the rest. The search moves its bounds with conditional moves, not branches: where a
  // level falls is unpredictable, and a mispredicted branch costs more than a probe. (Galloping
  // from the best -- probes 1, 2, 4, ... levels down, then a binary search of the last gap -- took
  // 2 log2(k) probes and one mispredicted exit per lookup; counting the 16 nearest levels
  // without branches took more instructions than either.)
  template <bool Ascending>
  static size_t position(const Levels& v, int64_t price) noexcept {
    const BookLevel* const d = v.data();
    const size_t size = v.size();
    // Invariant: the answer is in [lo, lo + n].
    size_t lo = 0, n = size;
    if (size >= kNearBest) {
      if (before<Ascending>(d[size - kNearBest].price, price)) {
        lo = size - kNearBest + 1;
        n = kNearBest - 1;
      } else {
        n = size - kNearBest;
      }
    }
    while (n > 1) {
      const size_t half = n / 2;
      lo = before<Ascending>(d[lo + half - 1].price, price) ? lo + half : lo;
      n -= half;
    }
    if (n == 1) lo += before<Ascending>(d[lo].price, price) ? 1 : 0;
    return lo;
  }

  template <bool Ascending>
  static void set_in(Levels& v, int64_t price, int64_t qty) {
    const size_t i = position<Ascending>(v, price);
    if (i != v.size() && v[i].price == price) {
      if (qty == 0)
        v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
      else
        v[i].qty = qty;
    } else if (qty != 0) {
      v.insert(v.begin() + static_cast<std::ptrdiff_t>(i), BookLevel{price, qty});
    }
  }

  // Loads one side, which may come in any order. Exchanges send a side best first, the reverse
  // of the storage order, so the levels are read from the last to the first; when that turns out
  // strictly in storage order (which also proves the prices distinct) the load is done in that
  // one pass, else the side is sorted and checked for a repeated price.
  template <bool Ascending>
  static bool load_side(Levels& v, const BookLevel* levels, size_t count) {
    v.reserve(count);
    bool ordered = true;
    for (size_t i = count; i-- > 0;) {
      const BookLevel& l = levels[i];
      if (l.qty < 0) return false;
      if (l.qty == 0) continue;
      if (!v.empty() && !before<Ascending>(v.back().price, l.price)) ordered = false;
      v.push_back(l);
    }
    if (ordered) return true;
    std::sort(v.begin(), v.end(),
              [](const BookLevel& a, const BookLevel& b) { return before<Ascending>(a.price, b.price); });
    for (size_t i = 1; i < v.size(); ++i)
      if (v[i].price == v[i - 1].price) return false;
    return true;
  }

  Levels bids_;  // ascending: best (highest) bid at back()
  Levels asks_;  // descending: best (lowest) ask at back()
};

}  // namespace tradehost

#endif  // TRADEHOST_ORDER_BOOK_HPP
