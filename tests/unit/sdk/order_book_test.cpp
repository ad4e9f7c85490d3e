// Unit tests for tradehost/order_book.hpp on small hand-made books. Prices are raw at an assumed
// price_scale 2 (10050 = 100.50) and quantities raw at qty_scale 3 (1500 = 1.500); every
// expected book is written out by hand in the test.
#include <tradehost/order_book.hpp>

#include <gtest/gtest.h>

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
// linearly): the sorted-vector fast paths (back() shortcut, binary search) must agree with it.
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

}  // namespace
