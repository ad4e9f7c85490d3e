// Live mode end to end on recorded Binance traffic: the real `tradehost` executable trading NKN/USDT
// through the real `binance_spot` connector against the real exchange simulator replaying the spot
// capture (build/exchange-sim --capture data/binance/cryptofeed/BINANCE), both child processes. The
// connector synchronises its order book from the replay (REST snapshot + recorded diffs, as
// "How to manage a local order book correctly" says), the live_probe strategy sends a MARKET BUY on
// its first book event, and the fills and the position are checked against the capture by hand.
// The test moves the simulator's clock (POST /_sim/advance) and waits on the bot's log: no sleeps.
//
// The recording (data/binance/cryptofeed/):
//   BINANCE.http.0.0 line 1, NKNUSDT depth snapshot, lastUpdateId 499869752:
//     bids 0.3521 672, 0.3520 1144, 0.3519 3260, 0.3518 3052, 0.3516 15356
//     asks 0.3525 3959, 0.3526 3199, 0.3527 4201, 0.3528 703, 0.3529 6718
//   BINANCE.ws.1.0 line 2 (clock step 1): nknusdt@depth@100ms U 499869750 u 499869752 -- not newer
//     than the snapshot, dropped by the connector
//   line 3 (step 2): U 499869753 u 499869754 b [0.3517 4265] a [0.3529 10968]
//   BINANCE.0: NKNUSDT tickSize 0.0001 (the instrument's price scale: 4), stepSize 1.
// The connector asks for book_depth = 5; the probe logs its top 5 levels per side.
//
// By hand: a MARKET BUY of 5000 NKN at the snapshot walks the asks: 3959 @ 0.3525 + 1041 @ 0.3526 =
// 1395.5475 + 367.0566 = 1762.6041 USDT. The simulator's taker fee, 10 bps, is charged in the asset
// received: 3.959 + 1.041 = 5 NKN. Balances from NKN 0 / USDT 10000: NKN 4995, USDT 8237.3959.
// Position: 5000 at 1762.6041 / 5000 = 0.35252082, which the host keeps at the instrument's price
// scale (4 decimals, half-even): 0.3525.
#include "live_bot.hpp"

namespace {

using namespace tradehost_it;

const std::string kFirstOrder = "live-it-1-1";

TEST(CaptureLive, ConnectorSyncsTheReplayedBookAndAMarketBuyFillsAgainstTheRecordedAsks) {
  TempDir d;
  SimProcess sim(d.path(), {"--capture", kSourceDir + "/data/binance/cryptofeed/BINANCE", "--balance", "USDT:10000"});
  LiveBot bot(d, sim, LiveVenue{"binance_spot", "NKN/USDT"});
  bot.write_config(
      "events = [\"book\"]\nsubmit_on_bar = 0\nsubmit_on_book = 1\norder_type = \"market\"\nqty = \"5000\"",
      "book_depth = 5");
  ASSERT_NO_FATAL_FAILURE(bot.start());  // the depth stream and the user data stream

  // The first book is the recorded snapshot.
  const size_t synced = bot.await(
      "probe book 499869752 snapshot bids=5 asks=5 best=0.3521/0.3525 "
      "top=0.3521:672,0.352:1144,0.3519:3260,0.3518:3052,0.3516:15356|0.3525:3959,0.3526:3199,0.3527:4201,0.3528:703,"
      "0.3529:6718");
  bot.await("probe fill " + kFirstOrder + " trade=1 3959 @ 0.3525 fee=3.959 NKN", synced);
  bot.await("probe fill " + kFirstOrder + " trade=2 1041 @ 0.3526 fee=1.041 NKN", synced);
  const size_t filled = bot.await("probe order " + kFirstOrder + " FILLED filled=5000", synced);
  bot.await("probe balance USDT free=8237.3959 locked=0", synced);
  bot.await("probe balance NKN free=4995 locked=0", synced);

  // Steps 1 and 2: line 2 is stale, line 3 reaches the probe as a delta on the synced book (the
  // replayed book shows the recording; the taker's fills do not change it).
  ASSERT_EQ(sim.advance(2).status, 200);
  bot.await(
      "probe book 499869754 delta bids=5 asks=5 best=0.3521/0.3525 "
      "top=0.3521:672,0.352:1144,0.3519:3260,0.3518:3052,0.3517:4265|0.3525:3959,0.3526:3199,0.3527:4201,0.3528:703,"
      "0.3529:10968",
      filled);
  EXPECT_EQ(bot.stop(), 0) << bot.log();

  Db db(bot.state());
  EXPECT_EQ(db.text("SELECT state || ' ' || filled_qty FROM orders"), "FILLED 5000");
  const auto fills = db.rows("SELECT qty, price, fee, fee_asset, liquidity, trade_id FROM fills ORDER BY fill_id");
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(col(fills[0], 0) + " " + col(fills[0], 1) + " " + col(fills[0], 2) + " " + col(fills[0], 3) + " " +
                col(fills[0], 4),
            "3959 0.3525 3.959 NKN taker");
  EXPECT_EQ(col(fills[1], 0) + " " + col(fills[1], 1) + " " + col(fills[1], 2) + " " + col(fills[1], 3) + " " +
                col(fills[1], 4),
            "1041 0.3526 1.041 NKN taker");
  EXPECT_EQ(db.text("SELECT qty || ' ' || avg_entry_price FROM positions"), "5000 0.3525");

  // The venue's own record agrees.
  const SimReply trades = sim.signed_get("/api/v3/myTrades", "symbol=NKNUSDT");
  ASSERT_EQ(trades.status, 200) << trades.body;
  ASSERT_EQ(trades.json.Size(), 2u);
  EXPECT_EQ(std::to_string(trades.json[0]["id"].GetInt64()), col(fills[0], 5));
  EXPECT_EQ(std::to_string(trades.json[1]["id"].GetInt64()), col(fills[1], 5));
  const SimReply account = sim.signed_get("/api/v3/account", "");
  ASSERT_EQ(account.status, 200) << account.body;
  std::string nkn, usdt;
  for (const auto& b : account.json["balances"].GetArray()) {
    if (std::string(b["asset"].GetString()) == "NKN") nkn = b["free"].GetString();
    if (std::string(b["asset"].GetString()) == "USDT") usdt = b["free"].GetString();
  }
  EXPECT_EQ(nkn, "4995.00000000");
  EXPECT_EQ(usdt, "8237.39590000");
}

}  // namespace
