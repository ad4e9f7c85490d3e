// exchange-sim in capture mode on the recorded USD-M traffic (--venue usdm --capture
// data/binance/cryptofeed/BINANCE_FUTURES), in-process over loopback. Expected values come from
// the capture lines quoted here and hand arithmetic with the rules of tools/exchange-sim/README.md
// "Capture mode" and "USDⓈ-M futures". Fees here: maker 2 bps, taker 5 bps; wallets 10000 USDT.
//
// BINANCE_FUTURES.http.0.0 (GET fapi/v1/depth?limit=1000):
//   line 1 SUSHIUSDT lastUpdateId 600859605926: bids 7.6110 6, 7.6080 161, 7.6070 285;
//          asks 7.6120 297, 7.6130 177
//   line 2 AKROUSDT lastUpdateId 600859605486: bids ... 0.01725 919534, 0.01724 678101, ...
//          0.01714 1515737 (the 18th bid level)
// BINANCE_FUTURES.ws.1.0 (clock step k replays line k + 1):
//   4:  akrousdt@depth@100ms U 600859599831 u 600859599831 (older than the snapshot: dropped)
//   11: akrousdt U 600859603597 u 600859605486 pu 600859599831 -- ends exactly at the snapshot's
//       lastUpdateId (no AKROUSDT diff straddles it): the first one applied
//   20: akrousdt U 600859609657 u 600859609902 pu 600859605486 b [0.01714 1474950]
//   23: akrousdt U 600859611301 u 600859611654 pu 600859609902 b [0.01724 641929, 0.01725 955685]
//   166: sushiusdt@aggTrade p 7.6120 q 1; 396: sushiusdt@aggTrade p 7.6100 q 58 (the first SUSHIUSDT
//        trade below 7.6110); 439: sushiusdt@aggTrade p 7.6110 q 24. No SUSHIUSDT ask is ever
//        below 7.6110 in the capture.
//   113: sushiusdt@aggTrade p 7.6120 (the first SUSHIUSDT trade); 38, 435, 481: akrousdt@aggTrade
//        p 0.01731; 708: akrousdt@aggTrade p 0.01732 (the first AKROUSDT trade above 0.01731)
//   392: sushiusdt depth b [7.6110 1] (the best bid until line 396 and past it)
//   664: akrousdt@kline_1m c 0.01732 (before any AKROUSDT trade at that price)
//   689: akrousdt depth a [0.01732 0, 0.01733 340832] (the best ask from there to line 708)
// AKROUSDT rules: tick 0.00001, pricePrecision 5, LOT_SIZE / MARKET_LOT_SIZE step 1, MIN_NOTIONAL 5.
// SUSHIUSDT rules (BINANCE_FUTURES.0): tick 0.0010, pricePrecision 4, LOT_SIZE step 1,
// quantityPrecision 0, MIN_NOTIONAL 5.
#include <gtest/gtest.h>

#include <map>

#include "amounts.hpp"
#include "capture_files.hpp"
#include "sim_client.hpp"

using namespace sim_test;

namespace {

const std::string kKey = "alice";
const std::string kSecret = "alice-secret";

class CaptureUsdmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim.config.venue = Venue::UsdM;
    sim.config.capture = kUsdmCapture;
    sim.config.keys[kKey] = kSecret;
    sim.config.balances = {{"USDT", amt("10000")}};
    sim.config.model.maker_bps = 2;
    sim.config.model.taker_bps = 5;
    sim.start();
  }
  Reply order(const std::string& params) {
    return sim.signed_request(http::verb::post, "/fapi/v1/order", params, kKey, kSecret);
  }
  Reply signed_get(const std::string& path, const std::string& params) {
    return sim.signed_request(http::verb::get, path, params, kKey, kSecret);
  }
  Reply algo_order(const std::string& params) {
    return sim.signed_request(http::verb::post, "/fapi/v1/algoOrder", "algoType=CONDITIONAL&" + params, kKey, kSecret);
  }
  std::string algo_status(const std::string& client_algo_id) {
    return str(signed_get("/fapi/v1/algoOrder", "clientAlgoId=" + client_algo_id).json, "algoStatus");
  }
  std::map<std::string, std::string> bids(const std::string& symbol, int limit) {
    Reply r = sim.get("/fapi/v1/depth?symbol=" + symbol + "&limit=" + std::to_string(limit));
    std::map<std::string, std::string> out;
    for (const auto& l : r.json["bids"].GetArray()) out[l[0].GetString()] = l[1].GetString();
    return out;
  }
  int64_t last_update_id(const std::string& symbol) {
    return num(sim.get("/fapi/v1/depth?symbol=" + symbol + "&limit=5").json, "lastUpdateId");
  }
  SimHarness sim;
};

}  // namespace

TEST_F(CaptureUsdmTest, ExchangeInfoServesTheRecordedPerpetualsAndOrdersMeetTheirFilters) {
  Reply info = sim.get("/fapi/v1/exchangeInfo");
  ASSERT_EQ(info.status, 200) << info.body;
  std::vector<std::string> symbols;
  for (const auto& s : info.json["symbols"].GetArray()) {
    symbols.push_back(s["symbol"].GetString());
    rapidjson::Document recorded = recorded_symbol(kUsdmCapture, s["symbol"].GetString());
    ASSERT_TRUE(recorded.IsObject());
    EXPECT_TRUE(s["filters"] == recorded["filters"]) << s["symbol"].GetString();
    EXPECT_TRUE(s == recorded) << s["symbol"].GetString();
  }
  EXPECT_EQ(symbols, (std::vector<std::string>{"SUSHIUSDT", "AKROUSDT", "KEEPUSDT", "CTKUSDT"}));
  // USD-M error codes against SUSHIUSDT's recorded filters.
  EXPECT_EQ(num(order("symbol=SUSHIUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=10&price=7.6005").json, "code"),
            -4014);  // off the 0.001 tick
  EXPECT_EQ(num(order("symbol=SUSHIUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.5&price=7.6000").json, "code"),
            -4004);  // below minQty 1
  // 1 x 3.0000 = 3 < MIN_NOTIONAL 5.
  EXPECT_EQ(num(order("symbol=SUSHIUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=3.0000").json, "code"),
            -4164);
  EXPECT_EQ(num(order("symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1").json, "code"), -1121);
}

TEST_F(CaptureUsdmTest, DepthFollowsThePuChainFromTheDiffThatEndsAtTheSnapshot) {
  EXPECT_EQ(last_update_id("AKROUSDT"), 600859605486);
  sim.advance(10);  // lines 2..11: line 4 is older than the snapshot, line 11 ends at it
  EXPECT_EQ(last_update_id("AKROUSDT"), 600859605486);
  EXPECT_EQ(bids("AKROUSDT", 20)["0.01714"], "1515737");
  sim.advance(9);  // through line 20
  EXPECT_EQ(last_update_id("AKROUSDT"), 600859609902);
  EXPECT_EQ(bids("AKROUSDT", 20)["0.01714"], "1474950");
  sim.advance(3);  // through line 23
  EXPECT_EQ(last_update_id("AKROUSDT"), 600859611654);
  auto b = bids("AKROUSDT", 20);
  EXPECT_EQ(b["0.01724"], "641929");
  EXPECT_EQ(b["0.01725"], "955685");
  EXPECT_EQ(b["0.01731"], "57618");  // untouched since the snapshot
  EXPECT_EQ(b.size(), 20u);
}

TEST_F(CaptureUsdmTest, MarketSellWalksTheRecordedBidsIntoAShortPosition) {
  Reply r = order("symbol=SUSHIUSDT&side=SELL&type=MARKET&quantity=100&newOrderRespType=RESULT");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(r.json, "status"), "FILLED");
  // 6 @ 7.6110 + 94 @ 7.6080 = 45.666 + 715.152 = 760.818 USDT; average 7.60818.
  EXPECT_EQ(str(r.json, "cumQuote"), "760.81800");
  EXPECT_EQ(str(r.json, "avgPrice"), "7.60818");
  Reply trades = signed_get("/fapi/v1/userTrades", "symbol=SUSHIUSDT");
  ASSERT_EQ(trades.json.Size(), 2u) << trades.body;
  // Taker 5 bps of each fill's quote: 0.022833 and 0.357576.
  EXPECT_EQ(str(trades.json[0], "price") + " " + str(trades.json[0], "qty") + " " + str(trades.json[0], "commission"),
            "7.6110 6 0.02283300");
  EXPECT_EQ(str(trades.json[1], "price") + " " + str(trades.json[1], "qty") + " " + str(trades.json[1], "commission"),
            "7.6080 94 0.35757600");
  Reply risk = signed_get("/fapi/v2/positionRisk", "symbol=SUSHIUSDT");
  ASSERT_EQ(risk.json.Size(), 1u) << risk.body;
  // Entry: 7.611 after the first fill, then (6 x 7.611 + 94 x 7.608) / 100 = 7.60818.
  EXPECT_EQ(str(risk.json[0], "positionAmt") + " " + str(risk.json[0], "entryPrice"), "-100 7.60818000");
  // The other perpetuals have their own, flat positions.
  EXPECT_EQ(signed_get("/fapi/v2/positionRisk", "").json.Size(), 4u);
  Reply account = signed_get("/fapi/v2/account", "");
  // Wallet 10000 - 0.022833 - 0.357576 = 9999.619591.
  EXPECT_EQ(str(account.json, "totalWalletBalance"), "9999.61959100");
}

TEST_F(CaptureUsdmTest, RestingBuyFillsOnTheFirstRecordedTradeBelowItAndNotOnATouch) {
  Reply placed = order("symbol=SUSHIUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=100&price=7.6110");
  ASSERT_EQ(str(placed.json, "status"), "NEW") << placed.body;  // the best ask is 7.6120
  const std::string id = std::to_string(num(placed.json, "orderId"));
  auto executed = [&] {
    return str(signed_get("/fapi/v1/order", "symbol=SUSHIUSDT&orderId=" + id).json, "executedQty");
  };
  sim.advance(394);  // lines 2..395: SUSHIUSDT trades at 7.6120 and above only
  EXPECT_EQ(executed(), "0");
  sim.advance(1);  // line 396: 58 at 7.6100, below 7.6110
  EXPECT_EQ(executed(), "58");
  sim.advance(43);  // through line 439: a trade at 7.6110 only touches the order
  EXPECT_EQ(executed(), "58");
  Reply risk = signed_get("/fapi/v2/positionRisk", "symbol=SUSHIUSDT");
  EXPECT_EQ(str(risk.json[0], "positionAmt") + " " + str(risk.json[0], "entryPrice"), "58 7.61100000");
  // Maker 2 bps of 58 x 7.6110 = 441.438: 0.0882876.
  Reply trades = signed_get("/fapi/v1/userTrades", "symbol=SUSHIUSDT");
  ASSERT_EQ(trades.json.Size(), 1u);
  EXPECT_EQ(str(trades.json[0], "commission"), "0.08828760");
  EXPECT_TRUE(trades.json[0]["maker"].GetBool());
}

// Algo orders in capture mode: each on its own symbol, triggered by that symbol's recorded trades
// only (README.md "Capture mode"), the order it places walking the replayed book.
TEST_F(CaptureUsdmTest, AlgoOrdersTriggerOnTheirOwnSymbolsRecordedTradesOnly) {
  // Short 1000 AKROUSDT at the snapshot's best bid, 0.01731 (57618 there).
  Reply opened = order("symbol=AKROUSDT&side=SELL&type=MARKET&quantity=1000&newOrderRespType=RESULT");
  ASSERT_EQ(str(opened.json, "status"), "FILLED") << opened.body;
  EXPECT_EQ(str(opened.json, "avgPrice"), "0.01731");
  // Last prices before any trade: the snapshots' best bids, 0.01731 and 7.6110.
  Reply akro = algo_order("symbol=AKROUSDT&side=BUY&type=STOP_MARKET&quantity=1000&triggerPrice=0.01732"
                          "&reduceOnly=true&clientAlgoId=akro-stop");
  ASSERT_EQ(akro.status, 200) << akro.body;
  EXPECT_EQ(str(akro.json, "symbol"), "AKROUSDT");
  EXPECT_EQ(str(akro.json, "triggerPrice"), "0.01732");
  EXPECT_EQ(str(akro.json, "quantity"), "1000");
  // Opens a short of 1 when SUSHIUSDT trades at 7.6100 or below (notional 7.61 >= 5).
  Reply sushi = algo_order("symbol=SUSHIUSDT&side=SELL&type=STOP_MARKET&quantity=1&triggerPrice=7.6100"
                           "&clientAlgoId=sushi-stop");
  ASSERT_EQ(sushi.status, 200) << sushi.body;
  EXPECT_EQ(str(sushi.json, "triggerPrice"), "7.6100");
  EXPECT_EQ(num(algo_order("symbol=BTCUSDT&side=SELL&type=STOP_MARKET&quantity=1&triggerPrice=1").json, "code"), -1121);

  Reply open_akro = signed_get("/fapi/v1/openAlgoOrders", "symbol=AKROUSDT");
  ASSERT_EQ(open_akro.json.Size(), 1u) << open_akro.body;
  EXPECT_EQ(str(open_akro.json[0], "clientAlgoId"), "akro-stop");
  EXPECT_EQ(signed_get("/fapi/v1/openAlgoOrders", "").json.Size(), 2u);

  // Lines 2..395: AKROUSDT trades at 0.01731 (<= 7.6100) and SUSHIUSDT from 7.6120 up (>= 0.01732):
  // each would trigger the other symbol's order, neither reaches its own.
  sim.advance(394);
  EXPECT_EQ(algo_status("akro-stop"), "NEW");
  EXPECT_EQ(algo_status("sushi-stop"), "NEW");

  sim.advance(1);  // line 396: SUSHIUSDT trades 58 at 7.6100
  Reply sushi_done = signed_get("/fapi/v1/algoOrder", "clientAlgoId=sushi-stop");
  EXPECT_EQ(str(sushi_done.json, "algoStatus"), "FINISHED") << sushi_done.body;
  // The MARKET SELL it placed took the replayed book's best bid, 1 at 7.6110 (line 392).
  EXPECT_EQ(str(sushi_done.json, "actualPrice"), "7.61100");
  Reply sushi_placed =
      signed_get("/fapi/v1/order", "symbol=SUSHIUSDT&orderId=" + str(sushi_done.json, "actualOrderId"));
  EXPECT_EQ(str(sushi_placed.json, "status") + " " + str(sushi_placed.json, "type") + " " +
                str(sushi_placed.json, "executedQty"),
            "FILLED MARKET 1")
      << sushi_placed.body;
  EXPECT_EQ(algo_status("akro-stop"), "NEW");

  sim.advance(268);  // through line 664: AKROUSDT's kline closes at 0.01732, which is a last price
  EXPECT_EQ(algo_status("akro-stop"), "NEW");
  EXPECT_EQ(num(algo_order("symbol=AKROUSDT&side=BUY&type=STOP_MARKET&quantity=1000&triggerPrice=0.01732"
                           "&reduceOnly=true")
                    .json,
                "code"),
            -2021);  // ... as placement sees it, but no trade
  sim.advance(43);  // through line 707
  EXPECT_EQ(algo_status("akro-stop"), "NEW");

  sim.advance(1);  // line 708: AKROUSDT trades at 0.01732
  Reply akro_done = signed_get("/fapi/v1/algoOrder", "clientAlgoId=akro-stop");
  EXPECT_EQ(str(akro_done.json, "algoStatus"), "FINISHED") << akro_done.body;
  // The reduce-only MARKET BUY took 1000 of the best ask, 0.01733 (line 689).
  EXPECT_EQ(str(akro_done.json, "actualPrice"), "0.01733");
  Reply trades = signed_get("/fapi/v1/userTrades", "symbol=AKROUSDT");
  ASSERT_EQ(trades.json.Size(), 2u) << trades.body;
  // Closing the short: 1000 x (0.01733 - 0.01731) = 0.02 lost; taker 5 bps of 17.33 = 0.008665.
  EXPECT_EQ(str(trades.json[1], "side") + " " + str(trades.json[1], "price") + " " + str(trades.json[1], "qty") + " " +
                str(trades.json[1], "realizedPnl") + " " + str(trades.json[1], "commission"),
            "BUY 0.01733 1000 -0.02000000 0.00866500");
  EXPECT_EQ(str(signed_get("/fapi/v2/positionRisk", "symbol=AKROUSDT").json[0], "positionAmt"), "0");
  EXPECT_EQ(str(signed_get("/fapi/v2/positionRisk", "symbol=SUSHIUSDT").json[0], "positionAmt"), "-1");
  EXPECT_EQ(signed_get("/fapi/v1/openAlgoOrders", "").json.Size(), 0u);
  // Wallet: 10000 - 0.008655 (17.31 opening AKRO) - 0.0038055 (7.611 SUSHI) - 0.008665 - 0.02.
  EXPECT_EQ(str(signed_get("/fapi/v2/account", "").json, "totalWalletBalance"), "9999.95887450");
}
