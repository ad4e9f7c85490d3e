// exchange-sim --venue usdm's Algo Order API over loopback, in-process: POST / DELETE / GET
// /fapi/v1/algoOrder, GET /fapi/v1/openAlgoOrders, the -4120 answer of /fapi/v1/order for the
// conditional types, and the ALGO_UPDATE / ORDER_TRADE_UPDATE / ACCOUNT_UPDATE frames of a
// trigger on the user data stream. Shapes are held against the examples of
// developers.binance.com/docs/derivatives/usds-margined-futures (stored 2026-05): "Query Algo
// Order", "Cancel Algo Order", "Event: Algo Order Update". Values are worked out by hand from the
// candle file:
//   [0] 1672677900000,16727.3,16728.8,16726.0,16726.1,691.508
//   [1] 1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173
//   [2] 1672678500000,16707.4,16711.8,16704.0,16704.1,566.041
// Book: bid = close, ask = close + 0.10. Fees maker 2 bps, taker 5 bps; 10000 USDT.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim_client.hpp"

using namespace sim_test;

namespace {

const std::string kKey = "alice";
const std::string kSecret = "alice-secret";

// "Query Algo Order" response example, key for key.
const std::vector<std::string> kQueryAlgoOrderKeys = {"algoId",         "clientAlgoId",  "algoType",
                                                      "orderType",      "symbol",        "side",
                                                      "positionSide",   "timeInForce",   "quantity",
                                                      "algoStatus",     "actualOrderId", "actualPrice",
                                                      "triggerPrice",   "price",         "icebergQuantity",
                                                      "tpTriggerPrice", "tpPrice",       "slTriggerPrice",
                                                      "slPrice",        "tpOrderType",   "selfTradePreventionMode",
                                                      "workingType",    "priceMatch",    "closePosition",
                                                      "priceProtect",   "reduceOnly",    "createTime",
                                                      "updateTime",     "triggerTime",   "goodTillDate"};
// "Event: Algo Order Update" response example's "o", key for key ("rm", the failure reason, only
// when there is one).
const std::vector<std::string> kAlgoUpdateKeys = {"caid", "aid", "at", "o",  "s",  "S",   "ps", "f",
                                                  "q",    "X",   "ai", "ap", "aq", "act", "tp", "p",
                                                  "V",    "wt",  "pm", "cp", "pP", "R",   "tt", "gtd"};

class UsdmAlgoServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim.config.venue = Venue::UsdM;
    sim.config.keys[kKey] = kSecret;
    sim.config.balances = {{"USDT", 1000000000000}};  // 10000 USDT
    sim.config.model.maker_bps = 2;
    sim.config.model.taker_bps = 5;
    sim.start();
    Reply key = sim.request(http::verb::post, "/fapi/v1/listenKey", "", kKey);
    ASSERT_EQ(key.status, 200) << key.body;
    user = std::make_unique<WsClient>(sim.port(), "/ws/" + str(key.json, "listenKey"));
  }
  Reply call(http::verb verb, const std::string& path, const std::string& params) {
    return sim.signed_request(verb, path, params, kKey, kSecret);
  }
  rapidjson::Document next() { return parse(user->read()); }
  SimHarness sim;
  std::unique_ptr<WsClient> user;
};

}  // namespace

TEST_F(UsdmAlgoServerTest, ConditionalTypesOnTheOrderEndpointAreRefusedWith4120) {
  for (const char* type : {"STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT", "TRAILING_STOP_MARKET"}) {
    Reply r = call(http::verb::post, "/fapi/v1/order",
                   std::string("symbol=BTCUSDT&side=SELL&type=") + type + "&quantity=0.010&stopPrice=16705.1");
    EXPECT_EQ(r.status, 400) << type;
    EXPECT_EQ(num(r.json, "code"), -4120) << r.body;
    EXPECT_EQ(str(r.json, "msg"),
              "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.");
  }
  EXPECT_EQ(call(http::verb::get, "/fapi/v1/openOrders", "symbol=BTCUSDT").json.Size(), 0u);
}

TEST_F(UsdmAlgoServerTest, StopMarketAlgoOrderTriggersAndItsOrderFillsOnTheUserStream) {
  Reply opened = call(http::verb::post, "/fapi/v1/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.010");
  ASSERT_EQ(opened.status, 200) << opened.body;  // long 0.010 at the ask 16726.20
  for (int i = 0; i < 3; ++i) next();            // its NEW, TRADE and ACCOUNT_UPDATE

  Reply placed = call(http::verb::post, "/fapi/v1/algoOrder",
                      "algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=STOP_MARKET&quantity=0.010"
                      "&triggerPrice=16705.1&workingType=CONTRACT_PRICE&reduceOnly=true&clientAlgoId=stop-1"
                      "&newOrderRespType=RESULT");
  ASSERT_EQ(placed.status, 200) << placed.body;
  // "0 on IP rate limit"; one more on the ORDERS windows (the MARKET order was the first).
  EXPECT_EQ(placed.header("X-MBX-USED-WEIGHT-1M"), "1");  // the listenKey's 1
  EXPECT_EQ(placed.header("X-MBX-ORDER-COUNT-1M"), "2");
  EXPECT_EQ(keys_of(placed.json), (std::vector<std::string>{"algoId",          "clientAlgoId",
                                                            "algoType",        "orderType",
                                                            "symbol",          "side",
                                                            "positionSide",    "timeInForce",
                                                            "quantity",        "algoStatus",
                                                            "triggerPrice",    "price",
                                                            "icebergQuantity", "selfTradePreventionMode",
                                                            "workingType",     "priceMatch",
                                                            "closePosition",   "priceProtect",
                                                            "reduceOnly",      "createTime",
                                                            "updateTime",      "triggerTime",
                                                            "goodTillDate"}));
  EXPECT_EQ(str(placed.json, "algoStatus"), "NEW");
  EXPECT_EQ(str(placed.json, "clientAlgoId"), "stop-1");
  EXPECT_EQ(str(placed.json, "algoType"), "CONDITIONAL");
  EXPECT_EQ(str(placed.json, "orderType"), "STOP_MARKET");
  EXPECT_EQ(str(placed.json, "quantity"), "0.010");
  EXPECT_EQ(str(placed.json, "triggerPrice"), "16705.10");
  EXPECT_TRUE(placed.json["reduceOnly"].GetBool());
  const int64_t algo_id = num(placed.json, "algoId");

  auto created = next();
  EXPECT_EQ(str(created, "e"), "ALGO_UPDATE");
  EXPECT_EQ(keys_of(created["o"]), kAlgoUpdateKeys);
  EXPECT_EQ(str(created["o"], "caid"), "stop-1");
  EXPECT_EQ(num(created["o"], "aid"), algo_id);
  EXPECT_EQ(str(created["o"], "X"), "NEW");
  EXPECT_EQ(str(created["o"], "ai"), "");
  EXPECT_EQ(str(created["o"], "act"), "0");
  EXPECT_EQ(str(created["o"], "tp"), "16705.1");
  EXPECT_EQ(str(created["o"], "q"), "0.010");

  Reply query = call(http::verb::get, "/fapi/v1/algoOrder", "clientAlgoId=stop-1");
  ASSERT_EQ(query.status, 200) << query.body;
  EXPECT_EQ(query.header("X-MBX-USED-WEIGHT-1M"), "2");  // "Request Weight 1"
  EXPECT_EQ(keys_of(query.json), kQueryAlgoOrderKeys);
  EXPECT_EQ(str(query.json, "algoStatus"), "NEW");
  EXPECT_EQ(str(query.json, "actualOrderId"), "");
  Reply open = call(http::verb::get, "/fapi/v1/openAlgoOrders", "");
  EXPECT_EQ(open.header("X-MBX-USED-WEIGHT-1M"), "42");  // "40 when the symbol parameter is omitted"
  ASSERT_EQ(open.json.Size(), 1u);
  EXPECT_EQ(num(open.json[0], "algoId"), algo_id);

  sim.now += 1000;
  sim.advance(1);  // [1] close 16707.5: not at 16705.1 (its low 16705.0 passed it; only last prices count)
  sim.now += 1000;
  sim.advance(1);  // [2] close 16704.1 <= 16705.1: "SELL: latest price <= triggerPrice"
  auto triggering = next();
  EXPECT_EQ(str(triggering["o"], "X"), "TRIGGERING");
  EXPECT_EQ(num(triggering["o"], "tt"), sim.now.load());
  auto order_new = next();
  ASSERT_EQ(str(order_new, "e"), "ORDER_TRADE_UPDATE");
  EXPECT_EQ(str(order_new["o"], "x"), "NEW");
  EXPECT_EQ(str(order_new["o"], "o"), "MARKET");
  EXPECT_EQ(str(order_new["o"], "S"), "SELL");
  EXPECT_TRUE(order_new["o"]["R"].GetBool());
  EXPECT_NE(str(order_new["o"], "c"), "stop-1");  // an id of its own: only the orderId links them
  const int64_t placed_id = num(order_new["o"], "i");
  auto traded = next();
  EXPECT_EQ(num(traded["o"], "i"), placed_id);
  EXPECT_EQ(str(traded["o"], "X"), "FILLED");
  EXPECT_EQ(str(traded["o"], "L"), "16704.10");      // the bid after [2]
  EXPECT_EQ(str(traded["o"], "n"), "0.08352050");    // taker 5 bps of 167.041
  EXPECT_EQ(str(traded["o"], "rp"), "-0.22100000");  // 0.010 x (16704.1 - 16726.2)
  auto account = next();
  EXPECT_EQ(str(account, "e"), "ACCOUNT_UPDATE");
  EXPECT_EQ(str(account["a"]["P"][0], "pa"), "0.000");
  auto triggered = next();
  EXPECT_EQ(str(triggered["o"], "X"), "TRIGGERED");
  EXPECT_EQ(str(triggered["o"], "ai"), std::to_string(placed_id));
  EXPECT_EQ(str(triggered["o"], "act"), "MARKET");
  auto finished = next();
  EXPECT_EQ(str(finished["o"], "X"), "FINISHED");
  EXPECT_EQ(str(finished["o"], "ai"), std::to_string(placed_id));
  EXPECT_EQ(str(finished["o"], "aq"), "0.01000");
  EXPECT_EQ(str(finished["o"], "ap"), "16704.10000");

  query = call(http::verb::get, "/fapi/v1/algoOrder", "algoId=" + std::to_string(algo_id));
  EXPECT_EQ(str(query.json, "algoStatus"), "FINISHED");
  EXPECT_EQ(str(query.json, "actualOrderId"), std::to_string(placed_id));
  EXPECT_EQ(str(query.json, "actualPrice"), "16704.10000");
  EXPECT_EQ(num(query.json, "triggerTime"), sim.now.load());
  Reply order = call(http::verb::get, "/fapi/v1/order", "symbol=BTCUSDT&orderId=" + std::to_string(placed_id));
  EXPECT_EQ(str(order.json, "status"), "FILLED");
  EXPECT_EQ(str(order.json, "avgPrice"), "16704.10000");
  EXPECT_EQ(call(http::verb::get, "/fapi/v1/openAlgoOrders", "symbol=BTCUSDT").json.Size(), 0u);
}

TEST_F(UsdmAlgoServerTest, CancelByEitherSpellingOfClientAlgoIdThenItIsGone) {
  // Flat, so not reduce-only: a STOP BUY rises to 16800 (last 16726.1); 0.010 x 16800 = 168 USDT.
  Reply placed = call(http::verb::post, "/fapi/v1/algoOrder",
                      "algoType=CONDITIONAL&symbol=BTCUSDT&side=BUY&type=STOP_MARKET&quantity=0.010&triggerPrice=16800"
                      "&clientAlgoId=stop-2");
  ASSERT_EQ(placed.status, 200) << placed.body;
  EXPECT_EQ(str(next()["o"], "X"), "NEW");
  // The Cancel page's table spells the parameter "clientalgoid".
  Reply canceled = call(http::verb::delete_, "/fapi/v1/algoOrder", "clientalgoid=stop-2");
  ASSERT_EQ(canceled.status, 200) << canceled.body;
  EXPECT_EQ(keys_of(canceled.json), (std::vector<std::string>{"algoId", "clientAlgoId", "code", "msg"}));
  EXPECT_EQ(num(canceled.json, "algoId"), num(placed.json, "algoId"));
  EXPECT_EQ(str(canceled.json, "code"), "200");  // a string, as in the example
  EXPECT_EQ(str(canceled.json, "msg"), "success");
  auto update = next();
  EXPECT_EQ(str(update["o"], "X"), "CANCELED");
  EXPECT_EQ(str(update["o"], "caid"), "stop-2");
  Reply again = call(http::verb::delete_, "/fapi/v1/algoOrder", "clientAlgoId=stop-2");
  EXPECT_EQ(num(again.json, "code"), -2011) << again.body;
  EXPECT_EQ(str(call(http::verb::get, "/fapi/v1/algoOrder", "clientAlgoId=stop-2").json, "algoStatus"), "CANCELED");
  Reply unknown = call(http::verb::get, "/fapi/v1/algoOrder", "clientAlgoId=nope");
  EXPECT_EQ(num(unknown.json, "code"), -2013);
  EXPECT_EQ(str(unknown.json, "msg"), "Order does not exist.");
  Reply neither = call(http::verb::get, "/fapi/v1/algoOrder", "");
  EXPECT_EQ(num(neither.json, "code"), -1102);
  // "algoType: Only support CONDITIONAL".
  Reply twap = call(http::verb::post, "/fapi/v1/algoOrder",
                    "algoType=TWAP&symbol=BTCUSDT&side=BUY&type=STOP_MARKET&quantity=0.010&triggerPrice=16800");
  EXPECT_EQ(num(twap.json, "code"), -1130) << twap.body;
}
