// The real exchange-sim server, in-process, over loopback. Expected values come from the Binance
// docs (quoted where used) and from hand calculations on the first rows of the candle file:
//   [0] 1672677900000,16727.3,16728.8,16726.0,16726.1,691.508
//   [1] 1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173
//   [2] 1672678500000,16707.4,16711.8,16704.0,16704.1,566.041
#include "sim_client.hpp"

#include <gtest/gtest.h>

using namespace sim_test;

namespace {

const std::string kKey = "alice";
const std::string kSecret = "alice-secret";

class ServerTest : public ::testing::Test {
 protected:
  void start() {
    sim.config.keys[kKey] = kSecret;
    sim.config.balances = {{"BTC", 100000000}, {"USDT", 1000000000000}};  // 1 BTC, 10000 USDT
    sim.start();
  }
  Reply order(const std::string& params) { return sim.signed_request(http::verb::post, "/api/v3/order", params, kKey, kSecret); }
  Reply signed_get(const std::string& path, const std::string& params) {
    return sim.signed_request(http::verb::get, path, params, kKey, kSecret);
  }
  SimHarness sim;
};

}  // namespace

TEST_F(ServerTest, DocumentedHmacExampleIsAcceptedAndOneCharacterChangeIsNot) {
  // rest-api.md, "SIGNED Endpoint Examples for POST /api/v3/order", HMAC Keys, Example 1:
  // apiKey vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A, secretKey
  // NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j, requestBody
  // symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559
  // signature c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71
  const std::string doc_key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
  sim.config.keys[doc_key] = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
  sim.now = 1499827319559 + 100;  // the server clock at the example's time, inside recvWindow
  sim.start();
  const std::string body =
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
  Reply ok = sim.request(http::verb::post, "/api/v3/order",
                         body + "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71", doc_key);
  // Past the key, the signature and the timing checks; the simulator lists BTCUSDT only, so the
  // request stops at the symbol.
  EXPECT_EQ(ok.status, 400);
  EXPECT_EQ(num(ok.json, "code"), -1121) << ok.body;
  EXPECT_EQ(str(ok.json, "msg"), "Invalid symbol.");
  // Example 3: mixed query string and body, signature 0fd168b8...
  Reply mixed = sim.request(http::verb::post, "/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
                            "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature="
                            "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77",
                            doc_key);
  EXPECT_EQ(num(mixed.json, "code"), -1121) << mixed.body;

  Reply bad = sim.request(http::verb::post, "/api/v3/order",
                          body + "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b70", doc_key);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(num(bad.json, "code"), -1022) << bad.body;
  EXPECT_EQ(str(bad.json, "msg"), "Signature for this request is not valid.");

  Reply no_key = sim.request(http::verb::post, "/api/v3/order", body + "&signature=c8db", "");
  EXPECT_EQ(no_key.status, 401);
  EXPECT_EQ(num(no_key.json, "code"), -2014);
  Reply unknown_key = sim.request(http::verb::post, "/api/v3/order", body + "&signature=c8db", "someoneelse");
  EXPECT_EQ(unknown_key.status, 401);
  EXPECT_EQ(num(unknown_key.json, "code"), -2015);
}

TEST_F(ServerTest, TimestampOutsideRecvWindowIsRejected) {
  start();
  // Signed 6000 ms ago with the default recvWindow of 5000: serverTime - timestamp > recvWindow.
  const std::string params = "timestamp=" + std::to_string(sim.now - 6000);
  Reply late = sim.request(http::verb::get, "/api/v3/account?" + params + "&signature=" + sign(kSecret, params), "", kKey);
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(num(late.json, "code"), -1021) << late.body;
  EXPECT_EQ(str(late.json, "msg"), "Timestamp for this request is outside of the recvWindow.");
  const std::string wide = "recvWindow=10000&timestamp=" + std::to_string(sim.now - 6000);
  Reply ok = sim.request(http::verb::get, "/api/v3/account?" + wide + "&signature=" + sign(kSecret, wide), "", kKey);
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(ServerTest, LimitOrderRestsThenFillsWhenACandleTradesThroughIt) {
  start();
  Reply key = sim.request(http::verb::post, "/api/v3/userDataStream", "", kKey);
  ASSERT_EQ(key.status, 200) << key.body;
  const std::string listen_key = str(key.json, "listenKey");
  EXPECT_EQ(listen_key.size(), 64u);  // as long as the docs' example key
  WsClient user(sim.port(), "/ws/" + listen_key);

  // Book after [0]: bid 16726.10, ask 16726.11. A BUY at 16704.50 rests.
  Reply placed = order("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=16704.50"
                       "&newClientOrderId=dip-1");
  ASSERT_EQ(placed.status, 200) << placed.body;
  EXPECT_EQ(str(placed.json, "status"), "NEW");
  EXPECT_EQ(str(placed.json, "clientOrderId"), "dip-1");
  EXPECT_EQ(str(placed.json, "price"), "16704.50000000");
  EXPECT_EQ(str(placed.json, "origQty"), "0.01000000");
  EXPECT_TRUE(placed.json["fills"].IsArray() && placed.json["fills"].Empty());
  const int64_t order_id = num(placed.json, "orderId");

  auto er_new = parse(user.read());
  EXPECT_EQ(str(er_new, "e"), "executionReport");
  EXPECT_EQ(str(er_new, "x"), "NEW");
  EXPECT_EQ(str(er_new, "X"), "NEW");
  EXPECT_EQ(str(er_new, "c"), "dip-1");
  EXPECT_EQ(num(er_new, "i"), order_id);
  auto pos = parse(user.read());
  EXPECT_EQ(str(pos, "e"), "outboundAccountPosition");
  EXPECT_EQ(str(pos["B"][1], "a"), "USDT");
  EXPECT_EQ(str(pos["B"][1], "f"), "9832.95500000");  // 10000 - 16704.50 * 0.01 locked
  EXPECT_EQ(str(pos["B"][1], "l"), "167.04500000");

  Reply open = signed_get("/api/v3/openOrders", "symbol=BTCUSDT");
  ASSERT_TRUE(open.json.IsArray());
  ASSERT_EQ(open.json.Size(), 1u);
  EXPECT_EQ(num(open.json[0], "orderId"), order_id);

  sim.now += 1000;
  sim.advance(1);  // [1] low 16705.0: not through 16704.50
  EXPECT_EQ(str(signed_get("/api/v3/order", "symbol=BTCUSDT&orderId=" + std::to_string(order_id)).json, "status"),
            "NEW");
  sim.now += 1000;
  sim.advance(1);  // [2] low 16704.0 < 16704.50: maker fill at 16704.50

  // The first user event after both steps is the fill: nothing was sent for [1].
  auto er_fill = parse(user.read());
  EXPECT_EQ(str(er_fill, "x"), "TRADE");
  EXPECT_EQ(str(er_fill, "X"), "FILLED");
  EXPECT_EQ(str(er_fill, "l"), "0.01000000");
  EXPECT_EQ(str(er_fill, "z"), "0.01000000");
  EXPECT_EQ(str(er_fill, "L"), "16704.50000000");
  EXPECT_EQ(str(er_fill, "n"), "0.00001000");  // maker 10 bps of 0.01 BTC, in BTC
  EXPECT_EQ(str(er_fill, "N"), "BTC");
  EXPECT_EQ(str(er_fill, "Z"), "167.04500000");
  EXPECT_TRUE(er_fill["m"].GetBool());
  auto pos2 = parse(user.read());
  EXPECT_EQ(str(pos2["B"][0], "a"), "BTC");
  EXPECT_EQ(str(pos2["B"][0], "f"), "1.00999000");  // 1 + 0.01 - 0.00001
  EXPECT_EQ(str(pos2["B"][1], "l"), "0.00000000");

  Reply q = signed_get("/api/v3/order", "symbol=BTCUSDT&origClientOrderId=dip-1");
  EXPECT_EQ(str(q.json, "status"), "FILLED");
  EXPECT_EQ(str(q.json, "executedQty"), "0.01000000");
  EXPECT_EQ(str(q.json, "cummulativeQuoteQty"), "167.04500000");
  EXPECT_EQ(signed_get("/api/v3/openOrders", "symbol=BTCUSDT").json.Size(), 0u);
  Reply trades = signed_get("/api/v3/myTrades", "symbol=BTCUSDT");
  ASSERT_EQ(trades.json.Size(), 1u);
  EXPECT_EQ(num(trades.json[0], "id"), num(er_fill, "t"));
  EXPECT_EQ(str(trades.json[0], "quoteQty"), "167.04500000");
  EXPECT_TRUE(trades.json[0]["isMaker"].GetBool());
  EXPECT_TRUE(trades.json[0]["isBuyer"].GetBool());
}

TEST_F(ServerTest, CancelAndDuplicateClientOrderId) {
  start();
  // SELL 0.01 at 17000.00, far above the bid: rests and locks 0.01 BTC.
  const std::string sell = "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.01&price=17000&newClientOrderId=s-1";
  ASSERT_EQ(order(sell).status, 200);
  Reply dup = order(sell);
  EXPECT_EQ(dup.status, 400);
  EXPECT_EQ(num(dup.json, "code"), -2010);
  EXPECT_EQ(str(dup.json, "msg"), "Duplicate order sent.");

  Reply cancel = sim.signed_request(http::verb::delete_, "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=s-1", kKey,
                                    kSecret);
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_EQ(str(cancel.json, "status"), "CANCELED");
  EXPECT_EQ(str(cancel.json, "origClientOrderId"), "s-1");
  Reply account = signed_get("/api/v3/account", "");
  EXPECT_EQ(str(account.json["balances"][0], "asset"), "BTC");
  EXPECT_EQ(str(account.json["balances"][0], "free"), "1.00000000");
  EXPECT_EQ(str(account.json["balances"][0], "locked"), "0.00000000");

  Reply again = sim.signed_request(http::verb::delete_, "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=s-1", kKey,
                                   kSecret);
  EXPECT_EQ(num(again.json, "code"), -2011);
  EXPECT_EQ(str(again.json, "msg"), "Unknown order sent.");
  // "Orders with the same newClientOrderID can be accepted only when the previous one is filled":
  // the first s-1 is no longer open, so the id is free again.
  EXPECT_EQ(order(sell).status, 200);
  Reply missing = signed_get("/api/v3/order", "symbol=BTCUSDT&orderId=999999");
  EXPECT_EQ(num(missing.json, "code"), -2013);
  EXPECT_EQ(str(missing.json, "msg"), "Order does not exist.");
}

TEST_F(ServerTest, WeightHeaderAnd429WithRetryAfter) {
  sim.config.limits.request_weight_per_minute = 20;
  // 28333333 * 60000 = 1699999980000 is a minute boundary; 15.5 s into that minute.
  sim.now = 1699999980000 + 15500;
  start();
  EXPECT_EQ(sim.get("/api/v3/ping").header("X-MBX-USED-WEIGHT-1m"), "1");                         // weight 1
  EXPECT_EQ(sim.get("/api/v3/exchangeInfo").header("X-MBX-USED-WEIGHT-1m"), "11");                // weight 10
  EXPECT_EQ(sim.get("/api/v3/depth?symbol=BTCUSDT&limit=500").header("X-MBX-USED-WEIGHT-1m"), "16");  // 101-500: 5
  Reply o = order("symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.01&price=17000");  // weight 1
  EXPECT_EQ(o.header("X-MBX-USED-WEIGHT-1m"), "17");
  EXPECT_EQ(o.header("X-MBX-ORDER-COUNT-10s"), "1");
  EXPECT_EQ(o.header("X-MBX-ORDER-COUNT-1d"), "1");
  Reply over = signed_get("/api/v3/account", "");  // weight 10: 27 > 20
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(num(over.json, "code"), -1003);
  EXPECT_EQ(over.header("Retry-After"), "45");  // 60 s - 15.5 s = 44.5 s, rounded up
  EXPECT_EQ(over.header("X-MBX-USED-WEIGHT-1m"), "27");
  sim.now = 1699999980000 + 60000;  // the next minute starts from zero
  EXPECT_EQ(sim.get("/api/v3/ping").header("X-MBX-USED-WEIGHT-1m"), "1");
}

TEST_F(ServerTest, MarketStreamsInCombinedEnvelopes) {
  start();
  WsClient ws(sim.port(), "/stream?streams=btcusdt@kline_5m/btcusdt@bookTicker");
  sim.advance(1);
  auto kline = parse(ws.read());
  EXPECT_EQ(str(kline, "stream"), "btcusdt@kline_5m");
  const auto& k = kline["data"]["k"];
  EXPECT_EQ(num(k, "t"), 1672678200000);  // row [1]
  EXPECT_EQ(num(k, "T"), 1672678499999);  // + 5 min - 1 ms
  EXPECT_EQ(str(k, "i"), "5m");
  EXPECT_EQ(str(k, "o"), "16726.00000000");
  EXPECT_EQ(str(k, "h"), "16726.80000000");
  EXPECT_EQ(str(k, "l"), "16705.00000000");
  EXPECT_EQ(str(k, "c"), "16707.50000000");
  EXPECT_EQ(str(k, "v"), "1301.17300000");
  EXPECT_TRUE(k["x"].GetBool());
  auto book = parse(ws.read());
  EXPECT_EQ(str(book, "stream"), "btcusdt@bookTicker");
  EXPECT_EQ(str(book["data"], "b"), "16707.50000000");  // close of [1]
  EXPECT_EQ(str(book["data"], "a"), "16707.51000000");  // one tick above
}

TEST_F(ServerTest, DepthGapFaultSkipsAnUpdateId) {
  start();
  EXPECT_EQ(num(sim.get("/api/v3/depth?symbol=BTCUSDT&limit=5").json, "lastUpdateId"), 1);
  WsClient ws(sim.port(), "/ws/btcusdt@depth");
  sim.advance(1);
  auto first = parse(ws.read());
  EXPECT_EQ(num(first, "U"), 2);
  EXPECT_EQ(num(first, "u"), 2);
  sim.control("/_sim/fault", R"({"depth_gap":1})");
  sim.advance(2);
  auto next = parse(ws.read());
  // Update 3 was never sent: U is prev u + 2, the gap a connector must detect and resync on.
  EXPECT_EQ(num(next, "U"), 4);
}

TEST_F(ServerTest, DepthGapFaultAlsoHitsTheFasterDepthStream) {
  start();
  WsClient ws(sim.port(), "/ws/btcusdt@depth@100ms");
  sim.control("/_sim/fault", R"({"depth_gap":1})");
  sim.advance(2);
  // The first step's update (id 2) is swallowed on every depth stream, so the first diff this
  // client sees is the second step's, update 3. (Counted per stream name, the fault used to be
  // spent on btcusdt@depth and this client got update 2.)
  auto next = parse(ws.read());
  EXPECT_EQ(num(next, "U"), 3);
  EXPECT_EQ(num(next, "u"), 3);
}

TEST_F(ServerTest, FaultSwitches) {
  start();
  // 5xx, then back to normal.
  sim.control("/_sim/fault", R"({"http_5xx":1,"http_5xx_status":503})");
  Reply down = sim.get("/api/v3/ping");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(num(down.json, "code"), -1001);
  EXPECT_EQ(sim.get("/api/v3/ping").status, 200);
  // Forced 429 carries Retry-After.
  sim.control("/_sim/fault", R"({"force_429":1})");
  Reply limited = sim.get("/api/v3/time");
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.header("Retry-After").empty());
  // Duplicate delivery: one advance, two identical bookTicker frames.
  {
    WsClient ws(sim.port(), "/ws/btcusdt@bookTicker");
    sim.control("/_sim/fault", R"({"ws_duplicate":1})");
    sim.advance(1);
    std::string a = ws.read(), b = ws.read();
    EXPECT_EQ(a, b);
    EXPECT_EQ(str(parse(a), "b"), "16707.50000000");
  }
  // A dropped socket ends without a close frame.
  WsClient market(sim.port(), "/ws/btcusdt@aggTrade");
  EXPECT_EQ(num(sim.control("/_sim/fault", R"({"ws_drop":"market"})").json, "ws_dropped"), 1);
  beast::error_code ec = market.read_error();
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, websocket::error::closed);
}

TEST_F(ServerTest, OrderTimeoutFaultPlacesTheOrderButNeverAnswers) {
  start();
  sim.control("/_sim/fault", R"({"order_timeout":1})");
  auto lost = sim.signed_post_unread("/api/v3/order",
                                     "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.01&price=17000"
                                     "&newClientOrderId=lost-1",
                                     kKey, kSecret);
  // The server handles requests one at a time on one thread, so once this query is answered the
  // order request was processed too: the order exists, and no byte came back for it.
  Reply q = signed_get("/api/v3/order", "symbol=BTCUSDT&origClientOrderId=lost-1");
  EXPECT_EQ(str(q.json, "status"), "NEW") << q.body;
  EXPECT_EQ(lost->answer_bytes(), 0u);
  // Only one request was hit: the next order gets its answer.
  EXPECT_EQ(order("symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.01&price=17001").status, 200);
}

TEST_F(ServerTest, KlinesPageOverCandlesThatHaveHappened) {
  sim.config.start_index = 10;
  start();
  // Candles [0]..[10] have happened. startTime = open of [2], limit 3 -> [2], [3], [4].
  Reply page = sim.get("/api/v3/klines?symbol=BTCUSDT&interval=5m&startTime=1672678500000&limit=3");
  ASSERT_TRUE(page.json.IsArray());
  ASSERT_EQ(page.json.Size(), 3u);
  EXPECT_EQ(page.json[0][0].GetInt64(), 1672678500000);
  EXPECT_EQ(std::string(page.json[0][4].GetString()), "16704.10000000");  // close of [2]
  EXPECT_EQ(page.json[2][0].GetInt64(), 1672678500000 + 2 * 300000);
  // No startTime: the most recent candles, ending at the clock's candle [10].
  Reply recent = sim.get("/api/v3/klines?symbol=BTCUSDT&interval=5m&limit=2");
  ASSERT_EQ(recent.json.Size(), 2u);
  EXPECT_EQ(recent.json[1][0].GetInt64(), 1672677900000 + 10 * 300000);
  // Future candles are not served.
  Reply future = sim.get("/api/v3/klines?symbol=BTCUSDT&interval=5m&startTime=1672681200000");
  EXPECT_EQ(future.json.Size(), 0u);
  EXPECT_EQ(num(sim.get("/api/v3/klines?symbol=BTCUSDT&interval=1m").json, "code"), -1120);
}
