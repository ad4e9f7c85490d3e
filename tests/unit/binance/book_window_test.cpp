// BookWindow: the top-N view a connector publishes. Hand-written books where levels enter and
// leave the window, with the expected deltas written out; then a long random walk of level
// changes, where a consumer applying SNAPSHOT + DELTAs must hold exactly OrderBook::depth(N) of
// the connector's book after every step (the reference is the book itself, not the window).
#include <binance_common/book_window.hpp>

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace {

using tradehost::BookLevel;
using tradehost::BookSide;
using tradehost::OrderBook;
using tradehost::binance::BookWindow;
using Levels = std::vector<BookLevel>;

OrderBook book_of(const Levels& bids, const Levels& asks) {
  OrderBook b;
  EXPECT_TRUE(b.apply_snapshot(bids, asks));
  return b;
}

TEST(BookWindow, SnapshotIsTheBestLevelsOfEachSideBestFirst) {
  const OrderBook book = book_of({{98, 3}, {100, 1}, {99, 2}, {97, 4}}, {{103, 3}, {101, 1}, {102, 2}, {104, 4}});
  BookWindow w(3);
  Levels bids, asks;
  w.snapshot(book, bids, asks);
  EXPECT_EQ(bids, (Levels{{100, 1}, {99, 2}, {98, 3}}));
  EXPECT_EQ(asks, (Levels{{101, 1}, {102, 2}, {103, 3}}));
  EXPECT_EQ(w.bids(), bids);
  EXPECT_EQ(w.asks(), asks);
}

TEST(BookWindow, DeltaCarriesLevelsEnteringAndLeavingTheWindow) {
  OrderBook book = book_of({{100, 1}, {99, 2}, {98, 3}, {97, 4}, {96, 5}}, {{101, 1}, {102, 2}, {103, 3}, {104, 4}});
  BookWindow w(3);
  Levels bids, asks;
  w.snapshot(book, bids, asks);

  // The best bid goes: 97 (unchanged itself) moves up into the window.
  book.set_level(BookSide::Bid, 100, 0);
  ASSERT_TRUE(w.delta(book, bids, asks));
  EXPECT_EQ(bids, (Levels{{100, 0}, {97, 4}}));
  EXPECT_TRUE(asks.empty());

  // A better ask arrives: 103 is pushed out although it still rests in the book.
  book.set_level(BookSide::Ask, 100, 7);  // raw prices: a lower ask than 101
  ASSERT_TRUE(w.delta(book, bids, asks));
  EXPECT_TRUE(bids.empty());
  EXPECT_EQ(asks, (Levels{{100, 7}, {103, 0}}));

  // Below the window nothing is published.
  book.set_level(BookSide::Bid, 96, 50);
  book.set_level(BookSide::Ask, 104, 0);
  EXPECT_FALSE(w.delta(book, bids, asks));
  EXPECT_TRUE(bids.empty());
  EXPECT_TRUE(asks.empty());

  // A quantity change inside the window is that level alone; setting the same qty is no change.
  book.set_level(BookSide::Bid, 98, 9);
  book.set_level(BookSide::Ask, 101, 1);
  ASSERT_TRUE(w.delta(book, bids, asks));
  EXPECT_EQ(bids, (Levels{{98, 9}}));
  EXPECT_TRUE(asks.empty());
  EXPECT_EQ(w.bids(), (Levels{{99, 2}, {98, 9}, {97, 4}}));
  EXPECT_EQ(w.asks(), (Levels{{100, 7}, {101, 1}, {102, 2}}));
}

TEST(BookWindow, ASideThatEmptiesSendsEveryLevelAsGoneAndRefillsFromTheBook) {
  OrderBook book = book_of({{100, 1}, {99, 2}}, {{101, 1}});
  BookWindow w(5);
  Levels bids, asks;
  w.snapshot(book, bids, asks);
  EXPECT_EQ(bids.size(), 2u);  // a window deeper than the book holds what there is
  book.set_level(BookSide::Bid, 100, 0);
  book.set_level(BookSide::Bid, 99, 0);
  ASSERT_TRUE(w.delta(book, bids, asks));
  EXPECT_EQ(bids, (Levels{{100, 0}, {99, 0}}));
  book.set_level(BookSide::Bid, 95, 3);
  ASSERT_TRUE(w.delta(book, bids, asks));
  EXPECT_EQ(bids, (Levels{{95, 3}}));
}

TEST(BookWindow, ClearForgetsWhatWasPublished) {
  OrderBook book = book_of({{100, 1}}, {{101, 1}});
  BookWindow w(2);
  Levels bids, asks;
  w.snapshot(book, bids, asks);
  w.clear();
  EXPECT_TRUE(w.bids().empty());
  // Against an empty view every level of the book is new.
  ASSERT_TRUE(w.delta(book, bids, asks));
  EXPECT_EQ(bids, (Levels{{100, 1}}));
  EXPECT_EQ(asks, (Levels{{101, 1}}));
}

TEST(BookWindow, ConsumerApplyingTheDeltasAlwaysHoldsTheTopLevels) {
  constexpr size_t kDepth = 4;
  std::mt19937 rng(20230102);
  std::uniform_int_distribution<int> offset(0, 11), qty(0, 3), coin(0, 1);
  OrderBook venue, consumer;
  BookWindow w(kDepth);
  Levels bids, asks;
  // Bids 1000-1011 and asks 1012-1023 never cross: the window logic, not the book, is under test.
  for (int i = 0; i < 12; ++i) {
    venue.set_level(BookSide::Bid, 1000 + i, 1 + i % 3);
    venue.set_level(BookSide::Ask, 1012 + i, 1 + i % 3);
  }
  w.snapshot(venue, bids, asks);
  ASSERT_TRUE(consumer.apply_snapshot(bids, asks));
  size_t published = 0;
  for (int step = 0; step < 5000; ++step) {
    const bool bid = coin(rng) == 0;
    venue.set_level(bid ? BookSide::Bid : BookSide::Ask, (bid ? 1000 : 1012) + offset(rng), qty(rng));
    if (w.delta(venue, bids, asks)) {
      ++published;
      for (const BookLevel& l : bids) consumer.set_level(BookSide::Bid, l.price, l.qty);
      for (const BookLevel& l : asks) consumer.set_level(BookSide::Ask, l.price, l.qty);
    }
    ASSERT_EQ(consumer.depth(BookSide::Bid, 100), venue.depth(BookSide::Bid, kDepth)) << "step " << step;
    ASSERT_EQ(consumer.depth(BookSide::Ask, 100), venue.depth(BookSide::Ask, kDepth)) << "step " << step;
  }
  // Changes below the window were many and sent nothing.
  EXPECT_GT(published, 1000u);
  EXPECT_LT(published, 5000u);
}

}  // namespace
