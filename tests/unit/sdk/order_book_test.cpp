// Unit tests for tradehost/order_book.hpp on small hand-made books. Prices are raw at an assumed
// price_scale 2 (10050 = 100.50) and quantities raw at qty_scale 3 (1500 = 1.500); every
// expected book is written out by hand in the test.
#include <tradehost/order_book.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace {

using tradehost::BookLevel;
using tradehost::BookSide;
using tradehost::OrderBook;
using Levels = std::vector<BookLevel>;

// A book with bids 100.50 x 1.500, 100.40 x 2.000, 100.00 x 0.250 and asks 100.60 x 0.700,
// 100.80 x 3.000, given in the exchange's order (bids descending, asks ascending).
OrderBook sample_book() {
  OrderBook book;
  EXPECT_TRUE(book.apply_snapshot(Levels{{10050, 1500}, {10040, 2000}, {10000, 250}},
                                  Levels{{10060, 700}, {10080, 3000}}));
  return book;
}

TEST(OrderBook, EmptyBookHasNoBestPricesAndIsNotCrossed) {
  OrderBook book;
  EXPECT_TRUE(book.empty());
  EXPECT_FALSE(book.best_bid().has_value());
  EXPECT_FALSE(book.best_ask().has_value());
  EXPECT_FALSE(book.crossed());
  EXPECT_EQ(book.level_count(BookSide::Bid), 0u);
  EXPECT_TRUE(book.depth(BookSide::Ask, 5).empty());
}

TEST(OrderBook, SnapshotGivesBestPricesAndDepthBestFirst) {
  OrderBook book = sample_book();
  EXPECT_EQ(book.best_bid(), (BookLevel{10050, 1500}));
  EXPECT_EQ(book.best_ask(), (BookLevel{10060, 700}));
  EXPECT_EQ(book.level_count(BookSide::Bid), 3u);
  EXPECT_EQ(book.level_count(BookSide::Ask), 2u);
  EXPECT_EQ(book.depth(BookSide::Bid, 2), (Levels{{10050, 1500}, {10040, 2000}}));
  EXPECT_EQ(book.depth(BookSide::Ask, 10), (Levels{{10060, 700}, {10080, 3000}}));
  EXPECT_FALSE(book.crossed());
}

TEST(OrderBook, SnapshotInAnyOrderIsSortedAndSkipsZeroLevels) {
  OrderBook book;
  // Bids given ascending, asks shuffled, one zero-qty level on each side.
  ASSERT_TRUE(book.apply_snapshot(Levels{{9900, 1}, {10000, 0}, {10100, 2}, {10000, 3}},
                                  Levels{{10300, 5}, {10200, 4}, {10250, 0}, {10400, 6}}));
  EXPECT_EQ(book.depth(BookSide::Bid, 10), (Levels{{10100, 2}, {10000, 3}, {9900, 1}}));
  EXPECT_EQ(book.depth(BookSide::Ask, 10), (Levels{{10200, 4}, {10300, 5}, {10400, 6}}));
}

TEST(OrderBook, SnapshotReplacesEveryOldLevel) {
  OrderBook book = sample_book();
  ASSERT_TRUE(book.apply_snapshot(Levels{{9000, 1}}, Levels{{9100, 2}}));
  EXPECT_EQ(book.depth(BookSide::Bid, 10), (Levels{{9000, 1}}));
  EXPECT_EQ(book.depth(BookSide::Ask, 10), (Levels{{9100, 2}}));
  EXPECT_EQ(book.qty_at(BookSide::Bid, 10050), 0);  // the old best bid is gone
}

TEST(OrderBook, CorruptSnapshotLeavesAnEmptyBook) {
  OrderBook book = sample_book();
  EXPECT_FALSE(book.apply_snapshot(Levels{{10000, 1}, {10000, 2}}, Levels{}));  // duplicate price
  EXPECT_TRUE(book.empty());
  book = sample_book();
  EXPECT_FALSE(book.apply_snapshot(Levels{{10000, 1}}, Levels{{10100, -1}}));  // negative qty
  EXPECT_TRUE(book.empty());
}

TEST(OrderBook, DeltaSetsAbsoluteQuantityNotAnIncrement) {
  OrderBook book = sample_book();
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10040, 500));  // 2.000 -> 0.500, not 2.500
  EXPECT_EQ(book.qty_at(BookSide::Bid, 10040), 500);
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10050, 1700));  // the best level, updated in place
  EXPECT_EQ(book.best_bid(), (BookLevel{10050, 1700}));
  EXPECT_EQ(book.level_count(BookSide::Bid), 3u);
}

TEST(OrderBook, DeltaInsertsNewLevelsInPriceOrder) {
  OrderBook book = sample_book();
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10055, 10));  // new best bid 100.55
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10020, 20));  // between 100.40 and 100.00
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10070, 30));  // between 100.60 and 100.80
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10090, 40));  // new worst ask
  EXPECT_EQ(book.depth(BookSide::Bid, 10),
            (Levels{{10055, 10}, {10050, 1500}, {10040, 2000}, {10020, 20}, {10000, 250}}));
  EXPECT_EQ(book.depth(BookSide::Ask, 10),
            (Levels{{10060, 700}, {10070, 30}, {10080, 3000}, {10090, 40}}));
}

TEST(OrderBook, ZeroQuantityDeletesAndDeletingAMissingLevelIsANoOp) {
  OrderBook book = sample_book();
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10060, 0));  // best ask removed
  EXPECT_EQ(book.best_ask(), (BookLevel{10080, 3000}));
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10040, 0));  // a middle bid removed
  EXPECT_EQ(book.depth(BookSide::Bid, 10), (Levels{{10050, 1500}, {10000, 250}}));
  ASSERT_TRUE(book.set_level(BookSide::Bid, 12345, 0));  // never existed
  EXPECT_EQ(book.level_count(BookSide::Bid), 2u);
  EXPECT_EQ(book.level_count(BookSide::Ask), 1u);
}

TEST(OrderBook, NegativeQuantityIsRefusedWithoutChange) {
  OrderBook book = sample_book();
  EXPECT_FALSE(book.set_level(BookSide::Bid, 10050, -1));
  EXPECT_EQ(book.best_bid(), (BookLevel{10050, 1500}));
}

TEST(OrderBook, SidesAreIndependentAtTheSamePrice) {
  OrderBook book;
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10000, 1));
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10000, 2));
  EXPECT_EQ(book.qty_at(BookSide::Bid, 10000), 1);
  EXPECT_EQ(book.qty_at(BookSide::Ask, 10000), 2);
}

TEST(OrderBook, CrossedAndLockedBooksAreDetected) {
  OrderBook book = sample_book();  // 100.50 / 100.60
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10060, 1));  // bid == best ask: locked
  EXPECT_TRUE(book.crossed());
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10060, 0));
  EXPECT_FALSE(book.crossed());
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10045, 1));  // ask below best bid 100.50: crossed
  EXPECT_TRUE(book.crossed());
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10045, 0));
  EXPECT_FALSE(book.crossed());
}

TEST(OrderBook, ClearEmptiesBothSides) {
  OrderBook book = sample_book();
  book.clear();
  EXPECT_TRUE(book.empty());
  EXPECT_FALSE(book.best_bid().has_value());
  EXPECT_FALSE(book.best_ask().has_value());
}

TEST(OrderBook, DepthIntoCallerBufferWritesAtMostN) {
  OrderBook book = sample_book();
  BookLevel out[2] = {{-1, -1}, {-1, -1}};
  EXPECT_EQ(book.depth(BookSide::Bid, 1, out), 1u);
  EXPECT_EQ(out[0], (BookLevel{10050, 1500}));
  EXPECT_EQ(out[1], (BookLevel{-1, -1}));  // untouched
}

// Many random-looking operations against a trivially correct model (a plain list searched
// linearly): the sorted vector and its branch-free binary search must agree with it.
TEST(OrderBook, AgreesWithANaiveModelOverManyUpdates) {
  OrderBook book;
  Levels bids, asks;  // the model: unsorted, linear
  auto model_set = [](Levels& side, int64_t price, int64_t qty) {
    for (size_t i = 0; i < side.size(); ++i)
      if (side[i].price == price) {
        if (qty == 0)
          side.erase(side.begin() + static_cast<long>(i));
        else
          side[i].qty = qty;
        return;
      }
    if (qty != 0) side.push_back({price, qty});
  };
  uint32_t x = 12345;  // xorshift32: deterministic sequence
  for (int step = 0; step < 20000; ++step) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    const bool bid = (x & 1) != 0;
    const int64_t price = bid ? 1000 - static_cast<int64_t>((x >> 1) % 40)
                              : 1001 + static_cast<int64_t>((x >> 1) % 40);
    const int64_t qty = (x >> 8) % 3 == 0 ? 0 : static_cast<int64_t>((x >> 10) % 100);
    ASSERT_TRUE(book.set_level(bid ? BookSide::Bid : BookSide::Ask, price, qty));
    model_set(bid ? bids : asks, price, qty);
  }
  auto best_first = [](Levels side, bool bid) {
    std::sort(side.begin(), side.end(), [bid](const BookLevel& a, const BookLevel& b) {
      return bid ? a.price > b.price : a.price < b.price;
    });
    return side;
  };
  EXPECT_EQ(book.depth(BookSide::Bid, 1000), best_first(bids, true));
  EXPECT_EQ(book.depth(BookSide::Ask, 1000), best_first(asks, false));
  EXPECT_FALSE(book.crossed());  // bids <= 1000 < 1001 <= asks by construction
}

// ---- edge cases of the search (the 32 levels nearest the best, or the rest) ----

// The expected books below are written out by hand: bids 100.00, 99.90, 99.80, ... (step 0.10,
// raw step 10) with qty 1, 2, 3, ... from the best down; asks 100.10, 100.20, ... likewise.
Levels bid_ladder(int n) {
  Levels v;
  for (int i = 0; i < n; ++i) v.push_back({10000 - 10 * i, 1 + i});
  return v;
}
Levels ask_ladder(int n) {
  Levels v;
  for (int i = 0; i < n; ++i) v.push_back({10010 + 10 * i, 1 + i});
  return v;
}

TEST(OrderBook, InsertUpdateDeleteAtTheBestOfEachSide) {
  OrderBook book = sample_book();  // bids 100.50 100.40 100.00 / asks 100.60 100.80
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10055, 5));  // insert a new best bid
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10058, 6));  // insert a new best ask
  EXPECT_EQ(book.depth(BookSide::Bid, 10), (Levels{{10055, 5}, {10050, 1500}, {10040, 2000}, {10000, 250}}));
  EXPECT_EQ(book.depth(BookSide::Ask, 10), (Levels{{10058, 6}, {10060, 700}, {10080, 3000}}));
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10055, 7));  // update the best in place
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10058, 8));
  EXPECT_EQ(book.best_bid(), (BookLevel{10055, 7}));
  EXPECT_EQ(book.best_ask(), (BookLevel{10058, 8}));
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10055, 0));  // delete the best: the old best is back
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10058, 0));
  EXPECT_EQ(book.depth(BookSide::Bid, 10), (Levels{{10050, 1500}, {10040, 2000}, {10000, 250}}));
  EXPECT_EQ(book.depth(BookSide::Ask, 10), (Levels{{10060, 700}, {10080, 3000}}));
  // Emptying a side level by level from the best, then refilling it.
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10060, 0));
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10080, 0));
  EXPECT_FALSE(book.best_ask().has_value());
  ASSERT_TRUE(book.set_level(BookSide::Ask, 10090, 9));
  EXPECT_EQ(book.depth(BookSide::Ask, 10), (Levels{{10090, 9}}));
}

TEST(OrderBook, ZeroQuantityForAnAbsentLevelChangesNothingAnywhere) {
  OrderBook book = sample_book();
  const Levels bids = book.depth(BookSide::Bid, 10), asks = book.depth(BookSide::Ask, 10);
  for (int64_t price : {10056, 10045, 10020, 9000}) ASSERT_TRUE(book.set_level(BookSide::Bid, price, 0));
  for (int64_t price : {10055, 10070, 20000}) ASSERT_TRUE(book.set_level(BookSide::Ask, price, 0));
  EXPECT_EQ(book.depth(BookSide::Bid, 10), bids);  // better than the best, between, beyond the deepest
  EXPECT_EQ(book.depth(BookSide::Ask, 10), asks);
  OrderBook empty;
  ASSERT_TRUE(empty.set_level(BookSide::Bid, 10000, 0));
  ASSERT_TRUE(empty.set_level(BookSide::Ask, 10000, 0));
  EXPECT_TRUE(empty.empty());
}

TEST(OrderBook, LevelsBeyondTheDeepestAreInsertedAndDeletedAtTheEnd) {
  OrderBook book = sample_book();
  ASSERT_TRUE(book.set_level(BookSide::Bid, 9000, 11));   // below the lowest bid 100.00
  ASSERT_TRUE(book.set_level(BookSide::Ask, 11000, 12));  // above the highest ask 100.80
  EXPECT_EQ(book.depth(BookSide::Bid, 10), (Levels{{10050, 1500}, {10040, 2000}, {10000, 250}, {9000, 11}}));
  EXPECT_EQ(book.depth(BookSide::Ask, 10), (Levels{{10060, 700}, {10080, 3000}, {11000, 12}}));
  ASSERT_TRUE(book.set_level(BookSide::Bid, 9000, 13));  // update the deepest
  EXPECT_EQ(book.qty_at(BookSide::Bid, 9000), 13);
  ASSERT_TRUE(book.set_level(BookSide::Bid, 9000, 0));  // delete the deepest
  ASSERT_TRUE(book.set_level(BookSide::Ask, 11000, 0));
  EXPECT_EQ(book.depth(BookSide::Bid, 10), (Levels{{10050, 1500}, {10040, 2000}, {10000, 250}}));
  EXPECT_EQ(book.depth(BookSide::Ask, 10), (Levels{{10060, 700}, {10080, 3000}}));
}

// Every position of a 40-level side -- inside the 32 levels nearest the best that a lookup
// searches on their own, at the boundary, and beyond it -- for each of update, delete, zero for
// an absent price and insert.
TEST(OrderBook, EveryPositionOfADeepSideIsFoundUpdatedInsertedAndDeleted) {
  constexpr int kLevels = 40;
  for (int k = 0; k < kLevels; ++k) {
    OrderBook book;
    ASSERT_TRUE(book.apply_snapshot(bid_ladder(kLevels), ask_ladder(kLevels)));
    const int64_t bid_price = 10000 - 10 * k, ask_price = 10010 + 10 * k;
    EXPECT_EQ(book.qty_at(BookSide::Bid, bid_price), 1 + k) << k;
    EXPECT_EQ(book.qty_at(BookSide::Ask, ask_price), 1 + k) << k;
    EXPECT_EQ(book.qty_at(BookSide::Bid, bid_price - 5), 0) << k;  // between two levels
    EXPECT_EQ(book.qty_at(BookSide::Ask, ask_price + 5), 0) << k;

    // Update level k: the ladder with that one quantity changed.
    Levels bids = bid_ladder(kLevels), asks = ask_ladder(kLevels);
    ASSERT_TRUE(book.set_level(BookSide::Bid, bid_price, 1000));
    ASSERT_TRUE(book.set_level(BookSide::Ask, ask_price, 2000));
    bids[k].qty = 1000;
    asks[k].qty = 2000;
    ASSERT_EQ(book.depth(BookSide::Bid, 100), bids) << k;
    ASSERT_EQ(book.depth(BookSide::Ask, 100), asks) << k;

    // Zero for an absent price just below level k: nothing changes.
    ASSERT_TRUE(book.set_level(BookSide::Bid, bid_price - 5, 0));
    ASSERT_TRUE(book.set_level(BookSide::Ask, ask_price + 5, 0));
    ASSERT_EQ(book.depth(BookSide::Bid, 100), bids) << k;
    ASSERT_EQ(book.depth(BookSide::Ask, 100), asks) << k;

    // Insert just below level k (a new level k + 1), then delete level k.
    ASSERT_TRUE(book.set_level(BookSide::Bid, bid_price - 5, 3000));
    ASSERT_TRUE(book.set_level(BookSide::Ask, ask_price + 5, 4000));
    bids.insert(bids.begin() + k + 1, BookLevel{bid_price - 5, 3000});
    asks.insert(asks.begin() + k + 1, BookLevel{ask_price + 5, 4000});
    ASSERT_EQ(book.depth(BookSide::Bid, 100), bids) << k;
    ASSERT_EQ(book.depth(BookSide::Ask, 100), asks) << k;
    ASSERT_TRUE(book.set_level(BookSide::Bid, bid_price, 0));
    ASSERT_TRUE(book.set_level(BookSide::Ask, ask_price, 0));
    bids.erase(bids.begin() + k);
    asks.erase(asks.begin() + k);
    ASSERT_EQ(book.depth(BookSide::Bid, 100), bids) << k;
    ASSERT_EQ(book.depth(BookSide::Ask, 100), asks) << k;
    EXPECT_EQ(book.level_count(BookSide::Bid), static_cast<size_t>(kLevels)) << k;
  }
}

TEST(OrderBook, LevelsThatCrossTheOtherSideAreStoredAsGiven) {
  OrderBook book = sample_book();  // 100.50 / 100.60, 100.80
  // A bid above both asks: the book keeps it (crossed() reports it), each side stays sorted.
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10090, 4));
  EXPECT_TRUE(book.crossed());
  EXPECT_EQ(book.depth(BookSide::Bid, 2), (Levels{{10090, 4}, {10050, 1500}}));
  EXPECT_EQ(book.depth(BookSide::Ask, 10), (Levels{{10060, 700}, {10080, 3000}}));
  // An ask below every bid, too.
  ASSERT_TRUE(book.set_level(BookSide::Ask, 9000, 5));
  EXPECT_EQ(book.best_ask(), (BookLevel{9000, 5}));
  ASSERT_TRUE(book.set_level(BookSide::Bid, 10090, 0));
  ASSERT_TRUE(book.set_level(BookSide::Ask, 9000, 0));
  EXPECT_FALSE(book.crossed());
  EXPECT_EQ(book.depth(BookSide::Bid, 10), (Levels{{10050, 1500}, {10040, 2000}, {10000, 250}}));
  EXPECT_EQ(book.depth(BookSide::Ask, 10), (Levels{{10060, 700}, {10080, 3000}}));
}

// A snapshot best first (as exchanges send it) loads in one pass; other orders are sorted. Both
// must give the same book and refuse the same corrupt input.
TEST(OrderBook, SnapshotsBestFirstAndInOtherOrdersGiveTheSameBook) {
  const Levels bids_best_first{{10050, 1}, {10040, 0}, {10030, 3}, {10020, 4}};
  const Levels asks_best_first{{10060, 5}, {10070, 6}, {10080, 0}, {10090, 8}};
  const Levels bids_expected{{10050, 1}, {10030, 3}, {10020, 4}};  // the zero level skipped
  const Levels asks_expected{{10060, 5}, {10070, 6}, {10090, 8}};
  OrderBook book;
  ASSERT_TRUE(book.apply_snapshot(bids_best_first, asks_best_first));
  EXPECT_EQ(book.depth(BookSide::Bid, 10), bids_expected);
  EXPECT_EQ(book.depth(BookSide::Ask, 10), asks_expected);
  Levels bids_worst_first(bids_best_first.rbegin(), bids_best_first.rend());
  Levels asks_worst_first(asks_best_first.rbegin(), asks_best_first.rend());
  ASSERT_TRUE(book.apply_snapshot(bids_worst_first, asks_worst_first));
  EXPECT_EQ(book.depth(BookSide::Bid, 10), bids_expected);
  EXPECT_EQ(book.depth(BookSide::Ask, 10), asks_expected);
  // Best first but for one swapped pair.
  ASSERT_TRUE(book.apply_snapshot(Levels{{10050, 1}, {10020, 4}, {10030, 3}}, Levels{{10070, 6}, {10060, 5}, {10090, 8}}));
  EXPECT_EQ(book.depth(BookSide::Bid, 10), bids_expected);
  EXPECT_EQ(book.depth(BookSide::Ask, 10), asks_expected);
  // A price twice, next to each other in a best-first side, and apart in a shuffled one.
  EXPECT_FALSE(book.apply_snapshot(Levels{{10050, 1}, {10050, 2}, {10040, 3}}, Levels{}));
  EXPECT_TRUE(book.empty());
  EXPECT_FALSE(book.apply_snapshot(Levels{}, Levels{{10060, 1}, {10090, 2}, {10060, 3}}));
  EXPECT_TRUE(book.empty());
  // A repeated price whose first copy has qty 0 is not a repeat: qty 0 means no level.
  ASSERT_TRUE(book.apply_snapshot(Levels{{10050, 0}, {10050, 2}}, Levels{}));
  EXPECT_EQ(book.depth(BookSide::Bid, 10), (Levels{{10050, 2}}));
  // A negative quantity anywhere, even after a valid best-first run, refuses the snapshot.
  EXPECT_FALSE(book.apply_snapshot(Levels{{10050, 1}, {10040, 2}, {10030, -1}}, Levels{}));
  EXPECT_TRUE(book.empty());
}

// A 1000-level book (a full Binance snapshot) under updates at every depth, against the naive
// model: most near the best, a quarter anywhere down to the deepest level and beyond.
TEST(OrderBook, AgreesWithANaiveModelOnAThousandLevelBook) {
  OrderBook book;
  Levels bids = bid_ladder(1000), asks = ask_ladder(1000);  // the model, best first
  ASSERT_TRUE(book.apply_snapshot(bids, asks));
  auto model_set = [](Levels& side, bool bid, int64_t price, int64_t qty) {
    auto it = std::find_if(side.begin(), side.end(), [&](const BookLevel& l) {
      return bid ? l.price <= price : l.price >= price;
    });
    if (it != side.end() && it->price == price) {
      if (qty == 0)
        side.erase(it);
      else
        it->qty = qty;
    } else if (qty != 0) {
      side.insert(it, BookLevel{price, qty});
    }
  };
  uint32_t x = 987654321;  // xorshift32
  for (int step = 0; step < 20000; ++step) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    const bool bid = (x & 1) != 0;
    // Depth in raw price steps of 5 (half the ladder's step: existing and new prices alike),
    // most near the best, some as deep as the ladder goes.
    const int64_t steps = (x >> 1) % 4 == 0 ? static_cast<int64_t>((x >> 3) % 2100) : static_cast<int64_t>((x >> 3) % 40);
    const int64_t price = bid ? 10000 - 5 * steps : 10010 + 5 * steps;
    const int64_t qty = (x >> 20) % 4 == 0 ? 0 : static_cast<int64_t>((x >> 22) % 1000);
    ASSERT_TRUE(book.set_level(bid ? BookSide::Bid : BookSide::Ask, price, qty));
    model_set(bid ? bids : asks, bid, price, qty);
    if (step % 1000 == 0) {
      ASSERT_EQ(book.depth(BookSide::Bid, 5000), bids) << "step " << step;
      ASSERT_EQ(book.depth(BookSide::Ask, 5000), asks) << "step " << step;
    }
  }
  EXPECT_EQ(book.depth(BookSide::Bid, 5000), bids);
  EXPECT_EQ(book.depth(BookSide::Ask, 5000), asks);
  for (int64_t steps = 0; steps < 2100; ++steps) {  // every price, present or not
    const auto in = [](const Levels& side, int64_t price) {
      for (const BookLevel& l : side)
        if (l.price == price) return l.qty;
      return int64_t{0};
    };
    ASSERT_EQ(book.qty_at(BookSide::Bid, 10000 - 5 * steps), in(bids, 10000 - 5 * steps)) << steps;
    ASSERT_EQ(book.qty_at(BookSide::Ask, 10010 + 5 * steps), in(asks, 10010 + 5 * steps)) << steps;
  }
}

}  // namespace
