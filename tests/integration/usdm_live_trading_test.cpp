// Live mode end to end on USD-M futures: the real `tradehost` executable trading through the real
// `binance_usdm` connector against the real exchange simulator serving its USD-M subset
// (build/exchange-sim --venue usdm), both as child processes; the test moves the simulator's clock
// (POST /_sim/advance) and synchronises on the bot's log lines (fixtures/live_probe.cpp): no sleeps.
//
// Expected values are worked out here from the candle file and the simulator's documented rules
// (tools/exchange-sim/README.md "Market model and matching rules" and "USDⓈ-M futures"): the
// clock starts at candle 0; each advance publishes the next candle's closed kline; a resting LIMIT
// BUY at p fills at p on a later candle whose low < p, up to the candle's volume (fill-volume-bps
// 10000, floored to the 0.001 step); maker commission = price x qty x maker bps, in USDT, out of
// the USDT wallet; one-way positions, entry price = the fill price of an opening fill.
// Candles 1-2 of data/BTCUSDT-5m-20230102-20230209.csv:
//   1: close 16707.5
//   2: low 16704.0, volume 566.041
// So a 0.01 BTC buy at 16707.5 - 3 = 16704.5 (on the 0.10 tick; placed on bar 1) fills whole on
// candle 2 at 16704.5 as maker: commission 0.01 x 16704.5 x 2 / 10000 = 0.033409 USDT, wallet
// 10000 - 0.033409 = 9999.966591 USDT, position +0.01 at 16704.5.
#include "live_bot.hpp"

namespace {

using namespace tradehost_it;

const std::string kFirstOrder = "live-it-1-1";  // <bot>-<run>-<seq>: the first order of run 1
const LiveVenue kUsdm{"binance_usdm", "BTC/USDT:USDT"};

std::vector<std::string> usdm_sim() { return {"--venue", "usdm", "--maker-bps", "2", "--taker-bps", "5"}; }

TEST(UsdmLiveTrading, LimitOrderRestsThenFillsAndThePositionMatches) {
  TempDir d;
  SimProcess sim(d.path(), usdm_sim());
  LiveBot bot(d, sim, kUsdm);
  bot.write_config("qty = \"0.01\"\nprice_offset = \"3\"", "leverage = 5\nmargin_type = \"ISOLATED\"");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  // Applied before the reconcile finished (the bot waits for it before trading).
  EXPECT_TRUE(contains(bot.log(), "binance_usdm account settings applied instruments=1")) << bot.log();
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe bar 1 close=16707.5");
  bot.await("probe order " + kFirstOrder + " NEW filled=0");
  ASSERT_EQ(sim.advance().status, 200);
  const size_t filled = bot.await("probe order " + kFirstOrder + " FILLED filled=0.01");
  // Twice: the host's own position after the fill, and the venue's (ACCOUNT_UPDATE) from the connector.
  bot.await_count("probe position BTC/USDT:USDT qty=0.01 entry=16704.5", 2);
  bot.await("probe balance USDT free=9999.966591 locked=0");
  EXPECT_NE(filled, std::string::npos);
  EXPECT_EQ(bot.stop(), 0) << bot.log();

  Db db(bot.state());
  EXPECT_EQ(db.text("SELECT state || ' ' || filled_qty || ' ' || avg_fill_price || ' ' || price FROM orders"),
            "FILLED 0.01 16704.5 16704.5");
  const auto fills = db.rows("SELECT qty, price, fee, fee_asset, liquidity FROM fills");
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(col(fills[0], 0) + " " + col(fills[0], 1) + " " + col(fills[0], 2) + " " + col(fills[0], 3) + " " +
                col(fills[0], 4),
            "0.01 16704.5 0.033409 USDT maker");

  // The venue's own record: the leverage and margin type the connector set, and the position.
  const SimReply risk = sim.signed_get("/fapi/v2/positionRisk", "symbol=BTCUSDT");
  ASSERT_EQ(risk.status, 200) << risk.body;
  ASSERT_EQ(risk.json.Size(), 1u) << risk.body;
  EXPECT_STREQ(risk.json[0]["leverage"].GetString(), "5") << risk.body;
  EXPECT_STREQ(risk.json[0]["marginType"].GetString(), "isolated") << risk.body;
  EXPECT_STREQ(risk.json[0]["positionAmt"].GetString(), "0.010") << risk.body;
  const SimReply order = sim.signed_get("/fapi/v1/order", "symbol=BTCUSDT&origClientOrderId=" + kFirstOrder);
  ASSERT_EQ(order.status, 200) << order.body;
  EXPECT_STREQ(order.json["status"].GetString(), "FILLED");
}

// A reduce-only SELL with no position to reduce: the venue refuses it (-2022) and the probe sees
// REJECTED with the venue's own words.
TEST(UsdmLiveTrading, ReduceOnlyOrderWithNothingToReduceIsRejectedWithTheVenuesReason) {
  TempDir d;
  SimProcess sim(d.path(), usdm_sim());
  LiveBot bot(d, sim, kUsdm);
  bot.write_config("side = \"sell\"\nqty = \"0.01\"\nprice_offset = \"3\"\nreduce_only = true");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe order " + kFirstOrder + " REJECTED filled=0 reason=ReduceOnly Order is rejected.");
  EXPECT_EQ(bot.stop(), 0) << bot.log();
  Db db(bot.state());
  EXPECT_EQ(db.text("SELECT state FROM orders"), "REJECTED");
  const SimReply open = sim.signed_get("/fapi/v1/openOrders", "symbol=BTCUSDT");
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_EQ(open.json.Size(), 0u) << open.body;
}

}  // namespace
