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

// A reduce-only STOP_MARKET exit on an open position, through the Algo Order API, end to end.
// Worked out from the candle file and the simulator's rules (README "USDⓈ-M futures", "Algo
// orders"): a MARKET order takes the ask = close + 0.10 (a BUY) or the bid = close (a SELL) at 5 bps;
// an algo order triggers on the first clock step whose close -- the last price -- reaches its
// trigger ("SELL: latest price <= triggerPrice") and then places a MARKET order. Candles:
//   1: close 16707.5                      bar 1: MARKET BUY 0.01 fills at 16707.6
//   3: close 16709.9                      bar 3: STOP_MARKET SELL 0.01 reduce-only, trigger 16705.1
//   4: close 16709.9
//   5: low 16702.6, close 16705.2         the low passes 16705.1, the close does not: no trigger
//   6: close 16705.2
//   7: close 16705.0 <= 16705.1           triggers: MARKET SELL 0.01 at the bid 16705.0
// Fees 0.01 x 16707.6 x 0.0005 = 0.083538 and 0.01 x 16705.0 x 0.0005 = 0.083525; realized
// 0.01 x (16705.0 - 16707.6) = -0.026; wallet 10000 - 0.083538 - 0.083525 - 0.026 = 9999.806937.
TEST(UsdmLiveTrading, StopMarketExitTriggersThroughTheAlgoOrderApiAndFlattensThePosition) {
  TempDir d;
  SimProcess sim(d.path(), usdm_sim());
  LiveBot bot(d, sim, kUsdm);
  const std::string kStop = "live-it-1-2";  // the run's second order
  bot.write_config("order_type = \"market\"\nqty = \"0.01\"\nstop_on_bar = 3\nstop_type = \"stop_market\"\n"
                   "stop_price = \"16705.1\"");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe order " + kFirstOrder + " FILLED filled=0.01");
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe bar 2 close=16704.1");
  ASSERT_EQ(sim.advance().status, 200);
  bot.await("probe bar 3 close=16709.9");
  bot.await("probe order " + kStop + " NEW filled=0");
  for (int bar = 4; bar <= 6; ++bar) {
    ASSERT_EQ(sim.advance().status, 200);
    bot.await("probe bar " + std::to_string(bar) + " close=");
  }
  // The venue still holds it, untriggered, after candle 6 (its answer comes after the step).
  const SimReply waiting = sim.signed_get("/fapi/v1/openAlgoOrders", "symbol=BTCUSDT");
  ASSERT_EQ(waiting.status, 200) << waiting.body;
  ASSERT_EQ(waiting.json.Size(), 1u) << waiting.body;
  EXPECT_STREQ(waiting.json[0]["clientAlgoId"].GetString(), kStop.c_str());
  EXPECT_STREQ(waiting.json[0]["algoStatus"].GetString(), "NEW");
  EXPECT_FALSE(contains(bot.log(), "probe fill " + kStop)) << bot.log();

  ASSERT_EQ(sim.advance().status, 200);  // candle 7
  const size_t filled = bot.await("probe order " + kStop + " FILLED filled=0.01");
  bot.await("probe balance USDT free=9999.806937 locked=0");
  bot.await("probe position BTC/USDT:USDT qty=0 entry=0");
  EXPECT_NE(filled, std::string::npos);
  EXPECT_EQ(bot.stop(), 0) << bot.log();
  // The order the algo order placed was the bot's own, not someone else's: its executions came
  // before the ALGO_UPDATE that named it (the simulator's order), were held, then booked on it.
  EXPECT_FALSE(contains(bot.log(), "which this bot did not issue")) << bot.log();
  EXPECT_TRUE(contains(bot.log(), "binance_usdm holding order_id=")) << bot.log();
  EXPECT_TRUE(contains(bot.log(), "binance_usdm algo order triggered order=" + kStop)) << bot.log();

  Db db(bot.state());
  // One order for the exit, journaled NEW then FILLED, with its one fill.
  EXPECT_EQ(db.text("SELECT type || ' ' || side || ' ' || trigger_price || ' ' || state || ' ' || filled_qty || ' ' || "
                    "avg_fill_price FROM orders WHERE client_order_id = '" + kStop + "'"),
            "stop_market sell 16705.1 FILLED 0.01 16705");
  EXPECT_EQ(db.num("SELECT count(*) FROM orders"), 2);
  const auto journal = db.rows("SELECT e.to_state FROM order_events e JOIN orders o ON o.order_id = e.order_id AND "
                               "o.run_id = e.run_id WHERE o.client_order_id = '" + kStop + "' ORDER BY e.event_id");
  std::vector<std::string> states;
  for (const auto& r : journal) states.push_back(col(r, 0));
  EXPECT_EQ(states, (std::vector<std::string>{"PENDING_NEW", "NEW", "FILLED"}));
  const auto fills = db.rows("SELECT side, qty, price, fee, fee_asset, liquidity, trade_id FROM fills WHERE client_order_id = '" +
                             kStop + "'");
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(col(fills[0], 0) + " " + col(fills[0], 1) + " " + col(fills[0], 2) + " " + col(fills[0], 3) + " " +
                col(fills[0], 4) + " " + col(fills[0], 5),
            "sell 0.01 16705 0.083525 USDT taker");
  EXPECT_EQ(db.text("SELECT qty FROM positions"), "0");

  // The venue's record: the algo order FINISHED, the order it placed FILLED by the trade the bot
  // journaled, and no position.
  const SimReply algo = sim.signed_get("/fapi/v1/algoOrder", "clientAlgoId=" + kStop);
  ASSERT_EQ(algo.status, 200) << algo.body;
  EXPECT_STREQ(algo.json["algoStatus"].GetString(), "FINISHED");
  const std::string placed = algo.json["actualOrderId"].GetString();
  const SimReply order = sim.signed_get("/fapi/v1/order", "symbol=BTCUSDT&orderId=" + placed);
  ASSERT_EQ(order.status, 200) << order.body;
  EXPECT_STREQ(order.json["status"].GetString(), "FILLED");
  const SimReply trades = sim.signed_get("/fapi/v1/userTrades", "symbol=BTCUSDT&orderId=" + placed);
  ASSERT_EQ(trades.status, 200) << trades.body;
  ASSERT_EQ(trades.json.Size(), 1u) << trades.body;
  EXPECT_EQ(std::to_string(trades.json[0]["id"].GetInt64()), col(fills[0], 6));
  EXPECT_STREQ(trades.json[0]["realizedPnl"].GetString(), "-0.02600000");
  const SimReply risk = sim.signed_get("/fapi/v2/positionRisk", "symbol=BTCUSDT");
  ASSERT_EQ(risk.status, 200) << risk.body;
  EXPECT_STREQ(risk.json[0]["positionAmt"].GetString(), "0.000") << risk.body;
}

}  // namespace
