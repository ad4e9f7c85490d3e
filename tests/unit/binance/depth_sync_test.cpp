// DepthSynchroniser: hand-made sequences for each rule of "How to manage a local order book
// correctly" (spot and USD-M), then the recorded captures replayed in arrival order for every
// symbol that has a snapshot, a deliberately removed diff, and the book checked against the
// recorded bookTicker stream.
#include <binance_common/depth_sync.hpp>
#include <binance_common/exchange_info.hpp>
#include <binance_common/market_data.hpp>

#include "capture.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace {

using tradehost::BookLevel;
using tradehost::BookSide;
using tradehost::binance::BookTicker;
using tradehost::binance::DepthDiff;
using tradehost::binance::DepthSnapshot;
using tradehost::binance::DepthSynchroniser;
using tradehost::binance::MarketDataParser;
using tradehost::binance::StreamKind;
using tradehost::binance::StreamMessage;
using tradehost::binance::Venue;
using Outcome = DepthSynchroniser::Outcome;
using State = DepthSynchroniser::State;
using Levels = std::vector<BookLevel>;
namespace capture = tradehost::binance::capture;

DepthDiff diff(int64_t U, int64_t u, int64_t pu, Levels bids = {}, Levels asks = {}) {
  DepthDiff d;
  d.symbol = "TEST";
  d.first_update_id = U;
  d.final_update_id = u;
  d.prev_final_update_id = pu;
  d.bids = std::move(bids);
  d.asks = std::move(asks);
  return d;
}

DepthSnapshot snapshot(int64_t last_update_id, Levels bids, Levels asks) {
  DepthSnapshot s;
  s.last_update_id = last_update_id;
  s.bids = std::move(bids);
  s.asks = std::move(asks);
  return s;
}

// ---- spot rules ----

TEST(DepthSync, SpotBuffersDropsStaleBridgesAndChains) {
  DepthSynchroniser sync(Venue::Spot);
  EXPECT_TRUE(sync.needs_snapshot());
  EXPECT_EQ(sync.on_diff(diff(90, 95, -1, {{100, 9}})), Outcome::Buffered);
  EXPECT_EQ(sync.on_diff(diff(96, 100, -1, {{100, 8}})), Outcome::Buffered);
  EXPECT_EQ(sync.on_diff(diff(99, 102, -1, {{101, 5}}, {{103, 0}})), Outcome::Buffered);
  EXPECT_EQ(sync.buffered(), 3u);
  EXPECT_TRUE(sync.book().empty());  // nothing is shown before a snapshot

  // Snapshot at 100: bids 100 x 7, asks 103 x 2, 104 x 4. The first two diffs end at or before
  // 100 (u <= lastUpdateId: stale); 99..102 spans 101 (U <= 101 <= u) and is applied.
  EXPECT_EQ(sync.on_snapshot(snapshot(100, {{100, 7}}, {{103, 2}, {104, 4}})), Outcome::Applied);
  EXPECT_EQ(sync.state(), State::Live);
  EXPECT_EQ(sync.last_update_id(), 102);
  EXPECT_EQ(sync.stale(), 2u);
  EXPECT_EQ(sync.applied(), 1u);
  EXPECT_EQ(sync.book().depth(BookSide::Bid, 10), (Levels{{101, 5}, {100, 7}}));  // 100 x 7 kept
  EXPECT_EQ(sync.book().depth(BookSide::Ask, 10), (Levels{{104, 4}}));            // 103 removed

  EXPECT_EQ(sync.on_diff(diff(103, 105, -1, {}, {{104, 1}})), Outcome::Applied);  // U == 102+1
  EXPECT_EQ(sync.book().best_ask(), (BookLevel{104, 1}));
  EXPECT_EQ(sync.last_update_id(), 105);
  EXPECT_EQ(sync.gaps(), 0u);
}

TEST(DepthSync, SpotSnapshotWithOnlyStaleDiffsWaitsForTheBridge) {
  DepthSynchroniser sync(Venue::Spot);
  sync.on_diff(diff(96, 100, -1));
  EXPECT_EQ(sync.on_snapshot(snapshot(100, {{100, 7}}, {{103, 2}})), Outcome::Applied);
  EXPECT_EQ(sync.state(), State::Bridging);  // the snapshot is shown, no diff applied yet
  EXPECT_EQ(sync.book().best_bid(), (BookLevel{100, 7}));
  // Exactly lastUpdateId (u == 100) is still stale on spot: "Drop any event where u is <=".
  EXPECT_EQ(sync.on_diff(diff(98, 100, -1, {{100, 1}})), Outcome::Stale);
  EXPECT_EQ(sync.on_diff(diff(101, 101, -1, {{100, 6}})), Outcome::Applied);
  EXPECT_EQ(sync.book().best_bid(), (BookLevel{100, 6}));
}

TEST(DepthSync, SpotFirstDiffAfterTheSnapshotMustBridgeIt) {
  DepthSynchroniser sync(Venue::Spot);
  EXPECT_EQ(sync.on_snapshot(snapshot(100, {{100, 7}}, {{103, 2}})), Outcome::Applied);
  // 102..105 starts after 101: update 101 was missed.
  EXPECT_EQ(sync.on_diff(diff(102, 105, -1, {{100, 1}})), Outcome::ResyncNeeded);
  EXPECT_TRUE(sync.needs_snapshot());
  EXPECT_TRUE(sync.book().empty());
  EXPECT_EQ(sync.buffered(), 1u);  // the diff that showed the gap waits for the next snapshot
  EXPECT_EQ(sync.gaps(), 1u);
  // A fresh snapshot at 103 is bridged by that very diff (102 <= 104 <= 105).
  EXPECT_EQ(sync.on_snapshot(snapshot(103, {{100, 9}}, {{103, 2}})), Outcome::Applied);
  EXPECT_EQ(sync.book().best_bid(), (BookLevel{100, 1}));
  EXPECT_EQ(sync.last_update_id(), 105);
}

TEST(DepthSync, SpotChainBreakClearsTheBookAtOnce) {
  DepthSynchroniser sync(Venue::Spot);
  ASSERT_EQ(sync.on_snapshot(snapshot(100, {{100, 7}, {99, 1}}, {{103, 2}})), Outcome::Applied);
  ASSERT_EQ(sync.on_diff(diff(101, 102, -1, {{101, 3}})), Outcome::Applied);
  // 104 does not follow 102 (103 is missing).
  EXPECT_EQ(sync.on_diff(diff(104, 104, -1, {{102, 1}})), Outcome::ResyncNeeded);
  EXPECT_EQ(sync.book().level_count(BookSide::Bid), 0u);  // no stale level survives
  EXPECT_EQ(sync.book().level_count(BookSide::Ask), 0u);
  // While awaiting the snapshot, diffs are buffered, never applied.
  EXPECT_EQ(sync.on_diff(diff(105, 106, -1, {{102, 2}})), Outcome::Buffered);
  EXPECT_TRUE(sync.book().empty());
}

TEST(DepthSync, SnapshotOlderThanTheBufferAsksForAnother) {
  DepthSynchroniser sync(Venue::Spot);
  sync.on_diff(diff(120, 125, -1, {{100, 1}}));
  sync.on_diff(diff(126, 126, -1, {{100, 2}}));
  // Updates 101..119 are in neither the snapshot nor the buffer.
  EXPECT_EQ(sync.on_snapshot(snapshot(100, {{100, 7}}, {{103, 2}})), Outcome::ResyncNeeded);
  EXPECT_TRUE(sync.needs_snapshot());
  EXPECT_TRUE(sync.book().empty());
  EXPECT_EQ(sync.buffered(), 2u);  // both kept for the next snapshot
  EXPECT_EQ(sync.on_snapshot(snapshot(122, {{100, 7}}, {{103, 2}})), Outcome::Applied);
  EXPECT_EQ(sync.book().best_bid(), (BookLevel{100, 2}));  // 120..125 then 126 applied
  EXPECT_EQ(sync.last_update_id(), 126);
}

TEST(DepthSync, CorruptSnapshotAsksForAnother) {
  DepthSynchroniser sync(Venue::Spot);
  EXPECT_EQ(sync.on_snapshot(snapshot(100, {{100, 7}, {100, 8}}, {})), Outcome::ResyncNeeded);
  EXPECT_TRUE(sync.needs_snapshot());
  EXPECT_TRUE(sync.book().empty());
}

TEST(DepthSync, BufferKeepsTheNewestDiffsWithinItsBound) {
  DepthSynchroniser sync(Venue::Spot, 2);
  sync.on_diff(diff(101, 101, -1, {{100, 1}}));
  sync.on_diff(diff(102, 102, -1, {{100, 2}}));
  sync.on_diff(diff(103, 103, -1, {{100, 3}}));
  EXPECT_EQ(sync.buffered(), 2u);
  // 101 was dropped from the buffer, so a snapshot at 100 cannot be bridged...
  EXPECT_EQ(sync.on_snapshot(snapshot(100, {}, {})), Outcome::ResyncNeeded);
  // ...but one at 101 can.
  EXPECT_EQ(sync.on_snapshot(snapshot(101, {}, {})), Outcome::Applied);
  EXPECT_EQ(sync.book().best_bid(), (BookLevel{100, 3}));
}

TEST(DepthSync, ResetDropsBookAndBuffer) {
  DepthSynchroniser sync(Venue::Spot);
  ASSERT_EQ(sync.on_snapshot(snapshot(100, {{100, 7}}, {{103, 2}})), Outcome::Applied);
  sync.reset();
  EXPECT_TRUE(sync.needs_snapshot());
  EXPECT_TRUE(sync.book().empty());
  EXPECT_EQ(sync.buffered(), 0u);
}

// ---- USD-M rules ----

TEST(DepthSync, UsdMDropsOnlyStrictlyOlderDiffsAndChainsOnPu) {
  DepthSynchroniser sync(Venue::UsdM);
  sync.on_diff(diff(90, 99, 85, {{100, 9}}));
  sync.on_diff(diff(95, 100, 99, {{100, 8}}));  // u == lastUpdateId: kept on USD-M ("u <")
  ASSERT_EQ(sync.on_snapshot(snapshot(100, {{100, 7}}, {{103, 2}})), Outcome::Applied);
  EXPECT_EQ(sync.stale(), 1u);
  EXPECT_EQ(sync.applied(), 1u);  // 95..100 spans 100: U <= lastUpdateId <= u
  EXPECT_EQ(sync.book().best_bid(), (BookLevel{100, 8}));
  // The chain is on pu, not on U: ids are global across symbols, so U jumps.
  EXPECT_EQ(sync.on_diff(diff(180, 190, 100, {}, {{103, 5}})), Outcome::Applied);
  EXPECT_EQ(sync.book().best_ask(), (BookLevel{103, 5}));
  EXPECT_EQ(sync.on_diff(diff(191, 200, 195, {{100, 1}})), Outcome::ResyncNeeded);  // pu != 190
  EXPECT_TRUE(sync.book().empty());
  EXPECT_EQ(sync.gaps(), 1u);
}

TEST(DepthSync, UsdMAcceptsAFirstDiffThatBridgesThroughPu) {
  // No diff spans lastUpdateId 100: the symbol's previous event ended at 97 (inside the
  // snapshot) and the next one covers 103..108, so nothing of this symbol happened in 98..102.
  DepthSynchroniser sync(Venue::UsdM);
  ASSERT_EQ(sync.on_snapshot(snapshot(100, {{100, 7}}, {{103, 2}})), Outcome::Applied);
  EXPECT_EQ(sync.on_diff(diff(103, 108, 97, {{101, 4}})), Outcome::Applied);
  EXPECT_EQ(sync.book().best_bid(), (BookLevel{101, 4}));
}

TEST(DepthSync, UsdMRefusesAFirstDiffWhosePredecessorWasMissed) {
  // pu 101 > lastUpdateId 100: an event ending at 101 came after the snapshot and was missed.
  DepthSynchroniser sync(Venue::UsdM);
  ASSERT_EQ(sync.on_snapshot(snapshot(100, {{100, 7}}, {{103, 2}})), Outcome::Applied);
  EXPECT_EQ(sync.on_diff(diff(103, 108, 101, {{101, 4}})), Outcome::ResyncNeeded);
  EXPECT_TRUE(sync.book().empty());
}

// ---- the recorded captures ----

// One symbol's recorded traffic in arrival order: its depth diffs and bookTickers from the
// WebSocket file and its REST snapshot placed before the first frame received after it.
struct Step {
  enum Kind { Diff, Ticker, Snapshot } kind;
  DepthDiff diff;
  BookTicker ticker;
  DepthSnapshot snapshot;
};

std::map<std::string, std::vector<Step>> recorded_steps(Venue venue, const char* info_file,
                                                        const char* http_file,
                                                        const char* ws_file) {
  tradehost::binance::ExchangeInfo info;
  std::string error;
  EXPECT_TRUE(tradehost::binance::parse_exchange_info(capture::read_rest(info_file).at(0).body,
                                                      info, error))
      << error;
  MarketDataParser parser(venue);
  for (const auto& s : info.symbols) parser.set_scales(s.symbol, s.scales);

  struct Snap {
    int64_t receive_us;
    DepthSnapshot snapshot;
    bool placed = false;
  };
  std::map<std::string, Snap> snaps;
  for (const capture::Record& r : capture::read_rest(http_file)) {
    const std::string sym = capture::symbol_of_url(r.url);
    Snap s{r.receive_us, {}};
    EXPECT_TRUE(parser.parse_depth_snapshot(r.body, *parser.scales(sym), s.snapshot, error))
        << error;
    snaps.emplace(sym, std::move(s));
  }

  std::map<std::string, std::vector<Step>> steps;
  StreamMessage m;
  for (const capture::Record& r : capture::read_ws(ws_file)) {
    for (auto& [sym, s] : snaps)
      if (!s.placed && s.receive_us < r.receive_us) {
        steps[sym].push_back(Step{Step::Snapshot, {}, {}, s.snapshot});
        s.placed = true;
      }
    EXPECT_TRUE(parser.parse_stream(r.body, m, error)) << error;
    if (m.kind == StreamKind::DepthDiff && snaps.count(m.depth.symbol) != 0)
      steps[m.depth.symbol].push_back(Step{Step::Diff, m.depth, {}, {}});
    else if (m.kind == StreamKind::BookTicker && snaps.count(m.book_ticker.symbol) != 0)
      steps[m.book_ticker.symbol].push_back(Step{Step::Ticker, {}, m.book_ticker, {}});
  }
  for (auto& [sym, s] : snaps) EXPECT_TRUE(s.placed) << sym << ": snapshot after the last frame";
  return steps;
}

struct Expected {
  const char* symbol;
  uint64_t applied, stale;
  int64_t final_update_id;
  int ticker_matches;  // bookTickers whose u equals an applied diff's u
};

// Replays every symbol's steps; checks the counts, that the book is never crossed, and that at
// every update id where both a diff and a bookTicker exist the book's top equals the ticker.
//
// Tolerance: none, and only at equal ids. A bookTicker with u = X reports the best levels right
// after update X; the diff with u = X leaves the book exactly at update X; so the two describe the
// same state and must agree to the last unit. bookTickers whose id falls strictly between two
// diffs show intermediate states the 100 ms diff stream folds away, and are not compared: no
// tolerance in price or time would make such a comparison sound.
void replay_and_check(Venue venue, const std::map<std::string, std::vector<Step>>& all,
                      const std::vector<Expected>& expected) {
  ASSERT_EQ(all.size(), expected.size());
  for (const Expected& e : expected) {
    SCOPED_TRACE(e.symbol);
    const std::vector<Step>& steps = all.at(e.symbol);
    DepthSynchroniser sync(venue);
    std::map<int64_t, std::pair<BookLevel, BookLevel>> top_at;  // after each applied diff
    std::vector<BookTicker> tickers;
    for (const Step& s : steps) {
      if (s.kind == Step::Snapshot) {
        ASSERT_EQ(sync.on_snapshot(s.snapshot), Outcome::Applied);
      } else if (s.kind == Step::Diff) {
        ASSERT_NE(sync.on_diff(s.diff), Outcome::ResyncNeeded)
            << "U=" << s.diff.first_update_id << " u=" << s.diff.final_update_id;
      } else {
        tickers.push_back(s.ticker);
      }
      if (sync.state() == State::Live) {
        ASSERT_FALSE(sync.book().crossed()) << "at update id " << sync.last_update_id();
        top_at[sync.last_update_id()] = {*sync.book().best_bid(), *sync.book().best_ask()};
      }
    }
    EXPECT_EQ(sync.applied(), e.applied);
    EXPECT_EQ(sync.stale(), e.stale);
    EXPECT_EQ(sync.gaps(), 0u);
    EXPECT_EQ(sync.last_update_id(), e.final_update_id);
    int matches = 0;
    for (const BookTicker& t : tickers) {
      auto it = top_at.find(t.update_id);
      if (it == top_at.end()) continue;
      ++matches;
      EXPECT_EQ(it->second.first, (BookLevel{t.bid_price, t.bid_qty})) << "u=" << t.update_id;
      EXPECT_EQ(it->second.second, (BookLevel{t.ask_price, t.ask_qty})) << "u=" << t.update_id;
    }
    EXPECT_EQ(matches, e.ticker_matches);
  }
}

// Expected counts were read from the capture files (a script over the raw JSON, not this code):
// diffs per symbol minus those with u <= lastUpdateId (spot) / u < lastUpdateId (USD-M), the last
// diff's u, and the bookTickers whose u equals the u of a diff after the snapshot.
TEST(DepthSyncRecorded, SpotEverySymbolSyncsAndMatchesBookTicker) {
  const auto steps = recorded_steps(Venue::Spot, "BINANCE.0", "BINANCE.http.0.0", "BINANCE.ws.1.0");
  replay_and_check(Venue::Spot, steps,
                   {// 150 diffs; the first (U 499869750, u 499869752 = lastUpdateId) is stale.
                    {"NKNUSDT", 149, 1, 499870179, 19},
                    {"BLZETH", 9, 1, 281916638, 1},
                    {"LRCBTC", 13, 2, 259345563, 6},
                    {"RUNEEUR", 1, 1, 15602513, 0}});  // no RUNEEUR bookTicker in the capture
}

TEST(DepthSyncRecorded, UsdMEverySymbolSyncsThroughThePuChain) {
  const auto steps = recorded_steps(Venue::UsdM, "BINANCE_FUTURES.0", "BINANCE_FUTURES.http.0.0",
                                    "BINANCE_FUTURES.ws.1.0");
  replay_and_check(Venue::UsdM, steps,
                   {// SUSHIUSDT bridges with U 600859605926 == lastUpdateId < u.
                    {"SUSHIUSDT", 252, 3, 600860425198, 12},
                    // AKRO, KEEP and CTK: the first diff kept ends exactly at lastUpdateId
                    // (e.g. AKRO U 600859603597, u 600859605486 = lastUpdateId, line 11).
                    {"AKROUSDT", 188, 1, 600860423964, 7},
                    {"KEEPUSDT", 132, 3, 600860420312, 13},
                    {"CTKUSDT", 180, 5, 600860423222, 18}});
}

// Removes one diff from a recorded sequence: the synchroniser must clear the book at the next
// diff and ask for a snapshot; resynced from a snapshot of the uninterrupted book (taken from a
// reference run at a later update id), it must end level for level where the reference ends.
void gap_and_resync(Venue venue, const std::vector<Step>& steps, size_t remove_nth_diff) {
  // Reference run, recording the full book after every applied diff.
  DepthSynchroniser ref(venue);
  std::map<int64_t, DepthSnapshot> ref_books;
  std::vector<const Step*> diffs;
  for (const Step& s : steps) {
    if (s.kind == Step::Snapshot) ref.on_snapshot(s.snapshot);
    if (s.kind != Step::Diff) continue;
    diffs.push_back(&s);
    if (ref.on_diff(s.diff) == Outcome::Applied)
      ref_books[ref.last_update_id()] =
          snapshot(ref.last_update_id(), ref.book().depth(BookSide::Bid, 100000),
                   ref.book().depth(BookSide::Ask, 100000));
  }
  ASSERT_EQ(ref.gaps(), 0u);
  ASSERT_LT(remove_nth_diff + 10, diffs.size());
  const int64_t removed_u = diffs[remove_nth_diff]->diff.final_update_id;
  ASSERT_TRUE(ref_books.count(removed_u)) << "the removed diff must be one the reference applied";
  // The resync snapshot: the reference book 5 diffs after the gap.
  const int64_t resync_at = diffs[remove_nth_diff + 5]->diff.final_update_id;

  DepthSynchroniser sync(venue);
  size_t nth = 0;
  bool resynced = false;
  for (const Step& s : steps) {
    if (s.kind == Step::Snapshot) {
      ASSERT_EQ(sync.on_snapshot(s.snapshot), Outcome::Applied);
      continue;
    }
    if (s.kind != Step::Diff) continue;
    const size_t i = nth++;
    if (i == remove_nth_diff) continue;
    const Outcome o = sync.on_diff(s.diff);
    if (i == remove_nth_diff + 1) {
      EXPECT_EQ(o, Outcome::ResyncNeeded);
      EXPECT_TRUE(sync.needs_snapshot());
      EXPECT_EQ(sync.book().level_count(BookSide::Bid), 0u);
      EXPECT_EQ(sync.book().level_count(BookSide::Ask), 0u);
    } else if (i > remove_nth_diff + 1 && i <= remove_nth_diff + 5) {
      EXPECT_EQ(o, Outcome::Buffered);
      EXPECT_TRUE(sync.book().empty());
    }
    if (i == remove_nth_diff + 5) {
      EXPECT_EQ(sync.on_snapshot(ref_books.at(resync_at)), Outcome::Applied);
      resynced = true;
    }
  }
  ASSERT_TRUE(resynced);
  EXPECT_EQ(sync.gaps(), 1u);
  EXPECT_EQ(sync.last_update_id(), ref.last_update_id());
  EXPECT_EQ(sync.book().depth(BookSide::Bid, 100000), ref.book().depth(BookSide::Bid, 100000));
  EXPECT_EQ(sync.book().depth(BookSide::Ask, 100000), ref.book().depth(BookSide::Ask, 100000));
}

TEST(DepthSyncRecorded, SpotRemovedDiffForcesResyncWithoutStaleLevels) {
  const auto steps = recorded_steps(Venue::Spot, "BINANCE.0", "BINANCE.http.0.0", "BINANCE.ws.1.0");
  gap_and_resync(Venue::Spot, steps.at("NKNUSDT"), 50);
}

TEST(DepthSyncRecorded, UsdMRemovedDiffForcesResyncWithoutStaleLevels) {
  const auto steps = recorded_steps(Venue::UsdM, "BINANCE_FUTURES.0", "BINANCE_FUTURES.http.0.0",
                                    "BINANCE_FUTURES.ws.1.0");
  gap_and_resync(Venue::UsdM, steps.at("SUSHIUSDT"), 100);
  gap_and_resync(Venue::UsdM, steps.at("CTKUSDT"), 60);
}

}  // namespace
