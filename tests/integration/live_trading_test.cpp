// Live mode end to end: the real `tradehost` executable trading through the real `binance_spot`
// connector against the real exchange simulator (build/exchange-sim, a Binance-spot-compatible
// server replaying the bundled real candles), both as child processes. The test moves the
// simulator's clock (POST /_sim/advance) and synchronises on the bot's log lines: no sleeps.
//
// Expected values are worked out here from the candle file and the simulator's documented
// matching rules (tools/exchange-sim/README.md "Market model and matching rules"): the clock
// starts at candle 0; each advance publishes the next candle's closed kline; a resting LIMIT BUY
// at p fills at p on a later candle whose low < p, at most floor(volume x fill-volume-bps /
// 10000) to the 0.00001 step per candle; BUY commission = 10 bp of the quantity, in BTC.
// Candles 1-3 of data/BTCUSDT-5m-20230102-20230209.csv:
//   1: close 16707.5
//   2: low 16704.0, volume 566.041  -> at 1 bp: 0.0566041 -> 0.05660 BTC
//   3: low 16702.6, volume 800.432  -> at 1 bp: 0.0800432 -> 0.08004 BTC
// So a 0.1 BTC buy at 16707.5 - 3 = 16704.50 (placed on bar 1) fills 0.0566 on candle 2 and the
// remaining 0.0434 on candle 3.
#include "live_bot.hpp"
#include "tests/unit/net/test_pki.hpp"

namespace {

using namespace tradehost_it;

const std::string kFirstOrder = "live-it-1-1";  // <bot>-<run>-<seq>: the first order of run 1

TEST(LiveTrading, LimitOrderRestsFillsPartlyThenFullyAndMatchesTheVenue) {
  TempDir d;
  SimProcess sim(d.path(), {"--fill-volume-bps", "1"});
  LiveBot bot(d, sim);
  bot.write_config("qty = \"0.1\"\nprice_offset = \"3\"");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe bar 1 close=16707.5");
  bot.await("probe order " + kFirstOrder + " NEW filled=0");
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe order " + kFirstOrder + " PARTIALLY_FILLED filled=0.0566");
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe order " + kFirstOrder + " FILLED filled=0.1");
  EXPECT_EQ(bot.stop(), 0) << bot.log();

  Db db(bot.state());
  EXPECT_EQ(db.text("SELECT mode FROM runs"), "live");
  EXPECT_EQ(db.text("SELECT state || ' ' || filled_qty || ' ' || avg_fill_price || ' ' || price FROM orders"),
            "FILLED 0.1 16704.5 16704.5");
  const auto journal = db.rows("SELECT to_state FROM order_events ORDER BY event_id");
  std::vector<std::string> states;
  for (const auto& r : journal) states.push_back(col(r, 0));
  EXPECT_EQ(states, (std::vector<std::string>{"PENDING_NEW", "NEW", "PARTIALLY_FILLED", "FILLED"}));
  const auto fills = db.rows("SELECT qty, price, fee, fee_asset, liquidity, trade_id FROM fills ORDER BY fill_id");
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(col(fills[0], 0), "0.0566");
  EXPECT_EQ(col(fills[1], 0), "0.0434");
  for (const auto& f : fills) {
    EXPECT_EQ(col(f, 1), "16704.5");
    EXPECT_EQ(col(f, 3), "BTC");
    EXPECT_EQ(col(f, 4), "maker");
  }
  EXPECT_EQ(col(fills[0], 2), "0.0000566");  // 10 bp of 0.0566 BTC
  EXPECT_EQ(col(fills[1], 2), "0.0000434");
  EXPECT_EQ(db.text("SELECT qty || ' ' || avg_entry_price FROM positions"), "0.1 16704.5");

  // The venue's own record agrees: one order, filled, with exactly these two trades.
  const SimReply order = sim.signed_get("/api/v3/order", "symbol=BTCUSDT&origClientOrderId=" + kFirstOrder);
  ASSERT_EQ(order.status, 200) << order.body;
  EXPECT_STREQ(order.json["status"].GetString(), "FILLED");
  const SimReply trades = sim.signed_get("/api/v3/myTrades", "symbol=BTCUSDT");
  ASSERT_EQ(trades.status, 200) << trades.body;
  ASSERT_EQ(trades.json.Size(), 2u);
  EXPECT_EQ(std::to_string(trades.json[0]["id"].GetInt64()), col(fills[0], 5));
  EXPECT_EQ(std::to_string(trades.json[1]["id"].GetInt64()), col(fills[1], 5));
}

TEST(LiveTrading, CancelReachesTheVenueAndReleasesTheLockedBalance) {
  TempDir d;
  SimProcess sim(d.path());
  LiveBot bot(d, sim);
  // 16707.5 - 50 = 16657.50: no candle of the next few goes that low, so the order rests.
  bot.write_config("qty = \"0.1\"\nprice_offset = \"50\"\ncancel_on_bar = 2");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe order " + kFirstOrder + " NEW");
  // 0.1 x 16657.50 = 1665.75 USDT locked of the simulator's starting 10000.
  bot.await("probe balance USDT free=8334.25 locked=1665.75");
  ASSERT_EQ(sim.advance().status, 200);
  const size_t at = bot.await("probe order " + kFirstOrder + " CANCELED filled=0");
  bot.await("probe balance USDT free=10000 locked=0", at);
  EXPECT_EQ(bot.stop(), 0) << bot.log();

  Db db(bot.state());
  EXPECT_EQ(db.text("SELECT state FROM orders"), "CANCELED");
  EXPECT_EQ(db.num("SELECT count(*) FROM fills"), 0);
  const SimReply order = sim.signed_get("/api/v3/order", "symbol=BTCUSDT&origClientOrderId=" + kFirstOrder);
  ASSERT_EQ(order.status, 200) << order.body;
  EXPECT_STREQ(order.json["status"].GetString(), "CANCELED");
}

// The order rests; the bot stops (orders stay at the venue); the venue fills part of it while the
// bot is down; the restarted bot adopts it from the journal, takes the missed fill from the venue,
// carries the position, and follows the rest of the order live. Nothing is sent twice.
TEST(LiveTrading, RestartReconcilesFillsMissedWhileDownAndFollowsTheOrderOn) {
  TempDir d;
  SimProcess sim(d.path(), {"--fill-volume-bps", "1"});
  LiveBot bot(d, sim);
  bot.write_config("qty = \"0.1\"\nprice_offset = \"3\"");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe order " + kFirstOrder + " NEW");
  EXPECT_EQ(bot.stop(), 0) << bot.log();
  ASSERT_TRUE(contains(bot.log(), "1 order(s) stay open at the venue")) << bot.log();

  ASSERT_EQ(sim.advance().status, 200);  // candle 2: 0.0566 fills while the bot is down

  bot.write_config("qty = \"0.1\"\nprice_offset = \"3\"\nsubmit_on_bar = 0");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  EXPECT_TRUE(contains(bot.log(), "adopted open order " + kFirstOrder + " of run 1")) << bot.log();
  ASSERT_EQ(sim.advance().status, 200);  // candle 3: the remaining 0.0434, live
  bot.await("probe order " + kFirstOrder + " FILLED filled=0.1");
  EXPECT_EQ(bot.stop(), 0) << bot.log();

  Db db(bot.state());
  EXPECT_EQ(db.num("SELECT count(*) FROM runs"), 2);
  EXPECT_EQ(db.num("SELECT count(*) FROM orders"), 1);  // run 2 sent nothing
  EXPECT_EQ(db.text("SELECT state || ' ' || filled_qty FROM orders"), "FILLED 0.1");
  const auto fills = db.rows("SELECT run_id, qty FROM fills ORDER BY fill_id");
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(col(fills[0], 0) + " " + col(fills[0], 1), "1 0.0566");  // under the order's own run
  EXPECT_EQ(col(fills[1], 0) + " " + col(fills[1], 1), "1 0.0434");
  EXPECT_EQ(db.text("SELECT qty FROM positions WHERE run_id = 2"), "0.1");
  const SimReply trades = sim.signed_get("/api/v3/myTrades", "symbol=BTCUSDT");
  ASSERT_EQ(trades.status, 200) << trades.body;
  EXPECT_EQ(trades.json.Size(), 2u);
  const SimReply none = sim.signed_get("/api/v3/order", "symbol=BTCUSDT&origClientOrderId=live-it-2-1");
  EXPECT_EQ(none.status, 400) << none.body;  // -2013: the restarted bot placed nothing
}

// The order POST reaches the venue, which places the order but never answers. The connector must
// not send it again: it asks the venue by client order id and reports what the venue has.
TEST(LiveTrading, OrderPostThatTimesOutIsResolvedByItsClientOrderIdNotResent) {
  TempDir d;
  SimProcess sim(d.path());
  LiveBot bot(d, sim);
  bot.write_config("qty = \"0.1\"\nprice_offset = \"50\"", "request_timeout = \"1s\"");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  ASSERT_EQ(sim.fault("{\"order_timeout\":1}").status, 200);
  ASSERT_EQ(sim.advance().status, 200);
  // NEW may come first from the user data stream (the simulator streams the placed order); the
  // unanswered POST must still end in a lookup, never in a second POST.
  bot.await("probe order " + kFirstOrder + " NEW");
  bot.await("binance_spot order outcome unknown order=" + kFirstOrder);
  EXPECT_EQ(bot.stop(), 0) << bot.log();

  const SimReply open = sim.signed_get("/api/v3/openOrders", "symbol=BTCUSDT");
  ASSERT_EQ(open.status, 200) << open.body;
  ASSERT_EQ(open.json.Size(), 1u) << open.body;  // one order at the venue, not two
  EXPECT_STREQ(open.json[0]["clientOrderId"].GetString(), kFirstOrder.c_str());
  Db db(bot.state());
  EXPECT_EQ(db.text("SELECT state FROM orders"), "NEW");
}

// HTTP 429 on the order POST: the request was refused before it was processed, so it is sent
// again after Retry-After, once; the order is neither lost nor doubled.
TEST(LiveTrading, RateLimitedOrderIsDelayedNotLost) {
  TempDir d;
  SimProcess sim(d.path());
  LiveBot bot(d, sim);
  bot.write_config("qty = \"0.1\"\nprice_offset = \"50\"");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  ASSERT_EQ(sim.fault("{\"force_429\":1,\"retry_after_s\":1}").status, 200);
  ASSERT_EQ(sim.advance().status, 200);
  const size_t at = bot.await("rate limited venue=binance-spot status=429 retry_after_s=1");
  bot.await("probe order " + kFirstOrder + " NEW", at);
  EXPECT_EQ(bot.stop(), 0) << bot.log();
  const SimReply open = sim.signed_get("/api/v3/openOrders", "symbol=BTCUSDT");
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_EQ(open.json.Size(), 1u) << open.body;
  Db db(bot.state());
  EXPECT_EQ(db.text("SELECT state FROM orders"), "NEW");
}

// The user data stream drops (TCP closed, no close frame) while the order rests; the venue fills
// it before the stream is back. The reconnected connector asks for the orders it knew as open.
TEST(LiveTrading, FillDuringAUserStreamDropIsRecoveredAfterTheReconnect) {
  TempDir d;
  SimProcess sim(d.path());
  LiveBot bot(d, sim);
  bot.write_config("qty = \"0.01\"\nprice_offset = \"3\"");  // 0.01 BTC: candle 2 fills it whole
  ASSERT_NO_FATAL_FAILURE(bot.start());
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe order " + kFirstOrder + " NEW");
  ASSERT_EQ(sim.fault("{\"ws_drop\":\"user\",\"ws_stall\":true}").status, 200);
  ASSERT_EQ(sim.advance().status, 200);
  ASSERT_EQ(sim.fault("{\"clear\":true}").status, 200);
  bot.await("probe order " + kFirstOrder + " FILLED filled=0.01");
  EXPECT_EQ(bot.stop(), 0) << bot.log();
  Db db(bot.state());
  EXPECT_EQ(db.num("SELECT count(*) FROM fills"), 1);
  EXPECT_EQ(db.text("SELECT qty || ' ' || price FROM fills"), "0.01 16704.5");
}

// Trades and quotes reach a strategy that asks for them (`events`), as the simulator documents
// them: each candle is one aggregate trade of its whole volume at its close, and the book's best
// bid is the close with the ask one tick (0.01) above, --level-qty (default 2) BTC on each.
// Candle 1: close 16707.5, volume 1301.173.
TEST(LiveTrading, TradesAndQuotesReachAStrategyThatAsksForThem) {
  TempDir d;
  SimProcess sim(d.path());
  LiveBot bot(d, sim);
  bot.write_config("submit_on_bar = 0\nevents = [\"bar\", \"trade\", \"quote\"]");
  ASSERT_NO_FATAL_FAILURE(bot.start(4));  // klines, aggTrade, bookTicker, user data
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe trade 16707.5 1301.173");
  bot.await("probe quote 16707.5/16707.51 2/2");
  bot.await("probe bar 1 close=16707.5");
  EXPECT_EQ(bot.stop(), 0) << bot.log();
}

// history_bars: before the live klines, the connector pages GET /api/v3/klines back from the
// venue's newest closed candle. The simulator starts at candle 50 (--start-index 50), so 20 bars of
// history are candles 31..50 of the file (closes 16712.3 ... 16722.8; file lines 33 and 52), and
// the first live bar, after one advance, is candle 51 (close 16720.4, line 53).
TEST(LiveTrading, HistoryBarsComeBeforeTheLiveOnesInOrder) {
  TempDir d;
  SimProcess sim(d.path(), {"--start-index", "50"});
  LiveBot bot(d, sim);
  bot.write_config("submit_on_bar = 0", "history_bars = 20");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  bot.await("bar history for BTCUSDT: 20 closed bars");
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe bar 21 close=16720.4");
  EXPECT_EQ(bot.stop(), 0) << bot.log();
  EXPECT_TRUE(contains(bot.log(), "probe bar 1 close=16712.3\n")) << bot.log();
  EXPECT_TRUE(contains(bot.log(), "probe bar 20 close=16722.8\n")) << bot.log();
  EXPECT_FALSE(contains(bot.log(), "probe bar 22 ")) << bot.log();
}

// Over TLS: the simulator serves HTTPS and WSS only, with a certificate for "localhost" signed by a
// CA made in this test; the bot trusts that CA through [bot] tls_ca_file. Starting live needs
// exchangeInfo, the server time, the listenKey, the open orders and the account over HTTPS and
// both streams over WSS, all verified against the CA.
TEST(LiveTrading, StartsOverTlsWithTheTestCa) {
  namespace pki = tradehost::net::test;
  TempDir d;
  const pki::TestCa ca = pki::make_test_ca("tradehost live test CA");
  const pki::ServerCert cert = pki::make_server_cert(ca, {"localhost"});
  write_file(d / "ca.pem", ca.cert_pem);
  write_file(d / "server.pem", cert.cert_pem);
  write_file(d / "server.key", cert.key_pem);
  SimProcess sim(d.path(), {"--tls-cert", (d / "server.pem").string(), "--tls-key", (d / "server.key").string()});
  ASSERT_EQ(sim.http_url().rfind("https://localhost:", 0), 0u);
  LiveBot bot(d, sim);
  bot.write_config("submit_on_bar = 0", "", "tls_ca_file = \"" + (d / "ca.pem").string() + "\"");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  EXPECT_TRUE(contains(bot.log(), "websocket open url=localhost:")) << bot.log();
  EXPECT_EQ(bot.stop(), 0) << bot.log();
}

// In live mode the first order book a strategy gets is a SNAPSHOT, although the connector
// synchronises it while the host is still reconciling (before any strategy starts): the host holds
// market events until then. The book at candle 0 (close 16726.1) per the simulator README: best
// bid = the close, ask one tick above, then one tick apart, 2 BTC a level; three levels a side.
TEST(LiveTrading, TheFirstBookALiveStrategyGetsIsASnapshot) {
  TempDir d;
  SimProcess sim(d.path());
  LiveBot bot(d, sim);
  bot.write_config("submit_on_bar = 0\nevents = [\"bar\", \"book\"]", "book_depth = 3");
  ASSERT_NO_FATAL_FAILURE(bot.start(3));  // klines, depth, user data
  const size_t at = bot.await("probe book ");
  EXPECT_EQ(bot.log().substr(at, bot.log().find('\n', at) - at),
            "1 snapshot bids=3 asks=3 best=16726.1/16726.11 top=16726.1:2,16726.09:2,16726.08:2|16726.11:2,16726.12:2,16726.13:2");
  EXPECT_EQ(bot.stop(), 0) << bot.log();
}

}  // namespace
