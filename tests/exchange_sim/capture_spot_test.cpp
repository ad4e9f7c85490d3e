// exchange-sim in capture mode on the recorded spot traffic (--capture data/binance/cryptofeed/
// BINANCE), in-process over loopback. Every expected value is read off the capture lines quoted
// below and worked out by hand with the rules of tools/exchange-sim/README.md "Capture mode":
// one recorded frame per clock step; the book = the snapshot plus the diffs replayed so far; takers
// walk it; a resting order fills at its own price on a recorded trade (or a replayed book) strictly
// through its price, never on a touch.
//
// BINANCE.http.0.0 line 1, NKNUSDT (GET api/v3/depth?limit=1000), lastUpdateId 499869752:
//   bids 0.35210000 672, 0.35200000 1144, 0.35190000 3260, 0.35180000 3052, 0.35160000 15356
//   asks 0.35250000 3959, 0.35260000 3199, 0.35270000 4201, 0.35280000 703, 0.35290000 6718
// BINANCE.ws.1.0 (line 1 is the connection URL, so clock step k replays line k + 1):
//   2: nknusdt@depth@100ms U 499869750 u 499869752 b [0.3513 6195, 0.3475 5548, 0.3464 6222]
//      (u <= lastUpdateId: older than the snapshot, not applied)
//   3: U 499869753 u 499869754 b [0.35170000 4265] a [0.35290000 10968]
//   4: U 499869755 u 499869757 b [0.35200000 1290, 0.34730000 106, 0.34690000 14009]
//   110: nknusdt@aggTrade p 0.35280000 q 58 (the capture's only NKNUSDT trade)
//   111: nknusdt@kline_1m t 1633998480000 o 0.35270000 c 0.35280000 h 0.35280000 l 0.35220000 ...
//   200: U 499870075 u 499870076 b [0.35260000 2357, 0.35240000 0]   (best bid now 0.3526)
//   223: U 499870094 u 499870101 b [0.35270000 4253, 0.35260000 5186, 0.35230000 2345] ...
//        (best bid now 0.3527; no NKNUSDT bid is ever higher in the capture)
// NKNUSDT filters (BINANCE.0): PRICE_FILTER tick 0.0001; LOT_SIZE min 1 step 1 max 9000000;
// MIN_NOTIONAL 10 (applyToMarket true); MARKET_LOT_SIZE maxQty 691026.07991660.
#include <gtest/gtest.h>

#include <map>

#include "amounts.hpp"
#include "capture_files.hpp"
#include "sim_client.hpp"

using namespace sim_test;

namespace {

const std::string kKey = "alice";
const std::string kSecret = "alice-secret";
const std::string kWs = kSpotCapture + ".ws.1.0";

class CaptureSpotTest : public ::testing::Test {
 protected:
  void start(std::map<std::string, int64_t> balances) {
    sim.config.capture = kSpotCapture;
    sim.config.keys[kKey] = kSecret;
    sim.config.balances = std::move(balances);
    sim.start();
  }
  Reply order(const std::string& params) {
    return sim.signed_request(http::verb::post, "/api/v3/order", params, kKey, kSecret);
  }
  Reply signed_get(const std::string& path, const std::string& params) {
    return sim.signed_request(http::verb::get, path, params, kKey, kSecret);
  }
  std::string status_of(const std::string& client_id) {
    Reply r = signed_get("/api/v3/order", "symbol=NKNUSDT&origClientOrderId=" + client_id);
    return str(r.json, "status") + " " + str(r.json, "executedQty");
  }
  /// The levels of one side of a depth answer as "price qty" lines.
  static std::vector<std::string> levels(const rapidjson::Value& side) {
    std::vector<std::string> out;
    for (const auto& l : side.GetArray()) out.push_back(std::string(l[0].GetString()) + " " + l[1].GetString());
    return out;
  }
  SimHarness sim;
};

}  // namespace

TEST_F(CaptureSpotTest, ExchangeInfoServesTheRecordedSymbolsAndTheirFilters) {
  start({{"USDT", amt("100")}});
  Reply info = sim.get("/api/v3/exchangeInfo");
  ASSERT_EQ(info.status, 200) << info.body;
  // The captured symbols are the four with a depth snapshot, in BINANCE.http.0.0's order.
  std::vector<std::string> symbols;
  for (const auto& s : info.json["symbols"].GetArray()) symbols.push_back(s["symbol"].GetString());
  EXPECT_EQ(symbols, (std::vector<std::string>{"NKNUSDT", "BLZETH", "LRCBTC", "RUNEEUR"}));
  for (const auto& s : info.json["symbols"].GetArray()) {
    rapidjson::Document recorded = recorded_symbol(kSpotCapture, s["symbol"].GetString());
    ASSERT_TRUE(recorded.IsObject());
    EXPECT_TRUE(s["filters"] == recorded["filters"]) << s["symbol"].GetString();
    EXPECT_TRUE(s == recorded) << s["symbol"].GetString();  // the whole entry, as recorded
  }
  Reply one = sim.get("/api/v3/exchangeInfo?symbol=BLZETH");
  ASSERT_EQ(one.json["symbols"].Size(), 1u);
  EXPECT_EQ(sim.get("/api/v3/exchangeInfo?symbol=BTCUSDT").status, 400);
}

TEST_F(CaptureSpotTest, OrdersAreCheckedAgainstTheRecordedFilters) {
  start({{"NKN", amt("1000")}, {"USDT", amt("1000")}, {"ETH", amt("1")}});
  auto code_msg = [](const Reply& r) { return std::to_string(num(r.json, "code")) + " " + str(r.json, "msg"); };
  // 0.35215 is not on the 0.0001 tick.
  EXPECT_EQ(code_msg(order("symbol=NKNUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=100&price=0.35215")),
            "-1013 Filter failure: PRICE_FILTER");
  // 100.5 is not on the step 1.
  EXPECT_EQ(code_msg(order("symbol=NKNUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=100.5&price=0.3530")),
            "-1013 Filter failure: LOT_SIZE");
  // 20 x 0.3500 = 7 < minNotional 10; the recording's filter is MIN_NOTIONAL, not NOTIONAL.
  EXPECT_EQ(code_msg(order("symbol=NKNUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=20&price=0.3500")),
            "-1013 Filter failure: MIN_NOTIONAL");
  // 700000 passes LOT_SIZE (max 9000000) and MIN_NOTIONAL, not MARKET_LOT_SIZE (max 691026.0799...).
  EXPECT_EQ(code_msg(order("symbol=NKNUSDT&side=BUY&type=MARKET&quantity=700000")),
            "-1013 Filter failure: MARKET_LOT_SIZE");
  EXPECT_EQ(code_msg(order("symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1")), "-1121 Invalid symbol.");
  // 29 x 0.3500 = 10.15 >= 10: accepted and resting (the best ask is 0.3525).
  Reply ok = order("symbol=NKNUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=29&price=0.3500");
  EXPECT_EQ(str(ok.json, "status"), "NEW") << ok.body;
  // Another captured symbol at once, in its own assets: BLZETH min notional 0.005 ETH; 100 x
  // 0.00006500 = 0.0065 ETH locked.
  Reply blz = order("symbol=BLZETH&side=BUY&type=LIMIT&timeInForce=GTC&quantity=100&price=0.00006500");
  EXPECT_EQ(str(blz.json, "status"), "NEW") << blz.body;
  Reply account = signed_get("/api/v3/account", "");
  std::map<std::string, std::string> balances;
  for (const auto& b : account.json["balances"].GetArray())
    balances[b["asset"].GetString()] = std::string(b["free"].GetString()) + "/" + b["locked"].GetString();
  // Every captured symbol's assets are listed; 29 x 0.35 = 10.15 USDT and 0.0065 ETH are locked.
  EXPECT_EQ(balances["USDT"], "989.85000000/10.15000000");
  EXPECT_EQ(balances["ETH"], "0.99350000/0.00650000");
  EXPECT_EQ(balances["NKN"], "1000.00000000/0.00000000");
  for (const char* asset : {"BLZ", "LRC", "BTC", "RUNE", "EUR"})
    EXPECT_EQ(balances[asset], "0.00000000/0.00000000") << asset;
  Reply open_nkn = signed_get("/api/v3/openOrders", "symbol=NKNUSDT");
  ASSERT_EQ(open_nkn.json.Size(), 1u);
  EXPECT_EQ(str(open_nkn.json[0], "symbol"), "NKNUSDT");
  EXPECT_EQ(signed_get("/api/v3/openOrders", "").json.Size(), 2u);
}

TEST_F(CaptureSpotTest, DepthIsTheSnapshotWithTheReplayedDiffsAndTheirLastUpdateId) {
  start({{"USDT", amt("100")}});
  Reply before = sim.get("/api/v3/depth?symbol=NKNUSDT&limit=5");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(num(before.json, "lastUpdateId"), 499869752);
  EXPECT_EQ(levels(before.json["bids"]),
            (std::vector<std::string>{"0.35210000 672.00000000", "0.35200000 1144.00000000", "0.35190000 3260.00000000",
                                      "0.35180000 3052.00000000", "0.35160000 15356.00000000"}));
  ASSERT_EQ(num(sim.advance(3).json, "advanced"), 3);  // lines 2, 3, 4
  Reply after = sim.get("/api/v3/depth?symbol=NKNUSDT&limit=5");
  // Line 2 is older than the snapshot; line 3 adds bid 0.3517 4265 and sets ask 0.3529 to 10968;
  // line 4 sets bid 0.3520 to 1290 (0.3473 and 0.3469 are deeper than 5 levels).
  EXPECT_EQ(num(after.json, "lastUpdateId"), 499869757);
  EXPECT_EQ(levels(after.json["bids"]),
            (std::vector<std::string>{"0.35210000 672.00000000", "0.35200000 1290.00000000", "0.35190000 3260.00000000",
                                      "0.35180000 3052.00000000", "0.35170000 4265.00000000"}));
  EXPECT_EQ(
      levels(after.json["asks"]),
      (std::vector<std::string>{"0.35250000 3959.00000000", "0.35260000 3199.00000000", "0.35270000 4201.00000000",
                                "0.35280000 703.00000000", "0.35290000 10968.00000000"}));
  // The other symbols' books have their own ids: BLZETH's first diff (line 15) is not replayed yet.
  EXPECT_EQ(num(sim.get("/api/v3/depth?symbol=BLZETH&limit=5").json, "lastUpdateId"), 281916627);
  EXPECT_EQ(sim.get("/api/v3/depth?symbol=BTCUSDT").status, 400);
}

TEST_F(CaptureSpotTest, StreamsReplayTheRecordedFramesByteForByteOneFramePerStep) {
  start({{"USDT", amt("100")}});
  WsClient combined(sim.port(), "/stream?streams=nknusdt@depth@100ms/nknusdt@bookTicker");
  WsClient raw(sim.port(), "/ws/nknusdt@bookTicker");
  ASSERT_EQ(num(sim.advance(10).json, "advanced"), 10);  // lines 2..11
  // Lines 2-8 and 11 are nknusdt@depth@100ms, 9-10 nknusdt@bookTicker: the combined stream gets
  // each recorded frame exactly as it was recorded, the raw stream the bare payloads.
  for (size_t line : {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}) EXPECT_EQ(combined.read(), recorded_text(kWs, line)) << line;
  for (size_t line : {9, 10}) {
    const std::string frame = recorded_text(kWs, line);
    const std::string payload = frame.substr(frame.find("\"data\":") + 7, frame.size() - frame.find("\"data\":") - 8);
    EXPECT_EQ(raw.read(), payload) << line;
  }
  // A stream the recording does not carry is refused at the upgrade.
  EXPECT_THROW(WsClient(sim.port(), "/ws/nknusdt@depth"), beast::system_error);
}

TEST_F(CaptureSpotTest, DepthGapFaultSwallowsTheNextRecordedDiff) {
  start({{"USDT", amt("100")}});
  WsClient ws(sim.port(), "/ws/nknusdt@depth@100ms");
  ASSERT_EQ(sim.control("/_sim/fault", R"({"depth_gap":1})").status, 200);
  sim.advance(2);  // lines 2 (swallowed) and 3
  const std::string line3 = recorded_text(kWs, 3);
  EXPECT_EQ(ws.read(), line3.substr(line3.find("\"data\":") + 7, line3.size() - line3.find("\"data\":") - 8));
  // The book moved all the same.
  EXPECT_EQ(num(sim.get("/api/v3/depth?symbol=NKNUSDT&limit=5").json, "lastUpdateId"), 499869754);
}

TEST_F(CaptureSpotTest, MarketBuyWalksTheRecordedAsksAndTakesThemOffTheBook) {
  start({{"USDT", amt("10000")}});
  Reply r = order("symbol=NKNUSDT&side=BUY&type=MARKET&quantity=5000");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(r.json, "status"), "FILLED");
  // 3959 @ 0.3525 + 1041 @ 0.3526 = 1395.5475 + 367.0566 = 1762.6041 USDT; commission 10 bps of
  // each quantity, in NKN.
  const auto& fills = r.json["fills"];
  ASSERT_EQ(fills.Size(), 2u) << r.body;
  EXPECT_EQ(str(fills[0], "price") + " " + str(fills[0], "qty") + " " + str(fills[0], "commission"),
            "0.35250000 3959.00000000 3.95900000");
  EXPECT_EQ(str(fills[1], "price") + " " + str(fills[1], "qty") + " " + str(fills[1], "commission"),
            "0.35260000 1041.00000000 1.04100000");
  EXPECT_EQ(str(r.json, "cummulativeQuoteQty"), "1762.60410000");
  // The walk took 1041 of the 3199 at 0.3526: the next buy finds 2158 there, then 0.3527.
  Reply next = order("symbol=NKNUSDT&side=BUY&type=MARKET&quantity=2200");
  ASSERT_EQ(next.json["fills"].Size(), 2u) << next.body;
  EXPECT_EQ(str(next.json["fills"][0], "price") + " " + str(next.json["fills"][0], "qty"), "0.35260000 2158.00000000");
  EXPECT_EQ(str(next.json["fills"][1], "price") + " " + str(next.json["fills"][1], "qty"), "0.35270000 42.00000000");
  // REST depth still shows the recording.
  Reply depth = sim.get("/api/v3/depth?symbol=NKNUSDT&limit=1");
  EXPECT_EQ(levels(depth.json["asks"]), (std::vector<std::string>{"0.35250000 3959.00000000"}));
}

TEST_F(CaptureSpotTest, RestingSellFillsOnTheRecordedTradeThroughItNotOnATouch) {
  start({{"NKN", amt("1000")}, {"USDT", amt("100")}});
  // Both rest: the best bid is 0.3521.
  ASSERT_EQ(str(order("symbol=NKNUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=100&price=0.3527&"
                      "newClientOrderId=through")
                    .json,
                "status"),
            "NEW");
  ASSERT_EQ(str(order("symbol=NKNUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=30&price=0.3528&"
                      "newClientOrderId=touch")
                    .json,
                "status"),
            "NEW");
  Reply key = sim.request(http::verb::post, "/api/v3/userDataStream", "", kKey);
  WsClient user(sim.port(), "/ws/" + str(key.json, "listenKey"));

  sim.advance(108);  // lines 2..109: no trade yet, and no bid above 0.3523
  EXPECT_EQ(status_of("through"), "NEW 0.00000000");
  sim.advance(1);  // line 110: aggTrade p 0.35280000 q 58
  // 0.3528 > 0.3527: through the first order, which gets all 58 (less than its 100), at its own
  // price as maker: 58 x 0.3527 = 20.4566 USDT, commission 10 bps = 0.0204566 USDT. The second
  // order's 0.3528 is only touched.
  EXPECT_EQ(status_of("through"), "PARTIALLY_FILLED 58.00000000");
  EXPECT_EQ(status_of("touch"), "NEW 0.00000000");
  rapidjson::Document report = parse(user.read());
  EXPECT_EQ(str(report, "e") + " " + str(report, "s") + " " + str(report, "x") + " " + str(report, "X"),
            "executionReport NKNUSDT TRADE PARTIALLY_FILLED");
  EXPECT_EQ(str(report, "L") + " " + str(report, "l") + " " + str(report, "n") + " " + str(report, "N"),
            "0.35270000 58.00000000 0.02045660 USDT");
  EXPECT_TRUE(report["m"].GetBool());
  // 130 NKN were locked by the two orders; 58 of them are sold. USDT: 100 + 20.4566 - 0.0204566.
  rapidjson::Document position = parse(user.read());
  ASSERT_EQ(str(position, "e"), "outboundAccountPosition");
  EXPECT_EQ(str(position["B"][0], "a") + " " + str(position["B"][0], "f") + " " + str(position["B"][0], "l"),
            "NKN 870.00000000 72.00000000");
  EXPECT_EQ(str(position["B"][1], "a") + " " + str(position["B"][1], "f") + " " + str(position["B"][1], "l"),
            "USDT 120.43614340 0.00000000");

  // Lines 111..266, the rest of the 265 frames: the best bid reaches 0.3527 (line 223) -- a touch
  // of the first order -- and no trade follows: nothing more fills.
  EXPECT_EQ(num(sim.advance(1000).json, "advanced"), 156);
  EXPECT_EQ(status_of("through"), "PARTIALLY_FILLED 58.00000000");
  EXPECT_EQ(status_of("touch"), "NEW 0.00000000");
  Reply trades = signed_get("/api/v3/myTrades", "symbol=NKNUSDT");
  ASSERT_EQ(trades.json.Size(), 1u);
  EXPECT_EQ(str(trades.json[0], "price") + " " + str(trades.json[0], "qty"), "0.35270000 58.00000000");
  EXPECT_TRUE(trades.json[0]["isMaker"].GetBool());
}

TEST_F(CaptureSpotTest, RestingSellFillsWhenTheReplayedBookCrossesIt) {
  start({{"NKN", amt("5000")}, {"USDT", amt("100")}});
  ASSERT_EQ(str(order("symbol=NKNUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=4300&price=0.3526&"
                      "newClientOrderId=cross")
                    .json,
                "status"),
            "NEW");
  sim.advance(109);  // line 110: the trade at 0.3528 is through 0.3526 too: 58 fill
  EXPECT_EQ(status_of("cross"), "PARTIALLY_FILLED 58.00000000");
  sim.advance(90);  // line 200: the best bid becomes 0.3526 -- only a touch
  EXPECT_EQ(status_of("cross"), "PARTIALLY_FILLED 58.00000000");
  sim.advance(22);  // lines 201..222: no bid above 0.3526
  EXPECT_EQ(status_of("cross"), "PARTIALLY_FILLED 58.00000000");
  sim.advance(1);  // line 223: bid 0.3527 4253 is through 0.3526; the 4242 left fill from it
  EXPECT_EQ(status_of("cross"), "FILLED 4300.00000000");
  Reply trades = signed_get("/api/v3/myTrades", "symbol=NKNUSDT");
  ASSERT_EQ(trades.json.Size(), 2u);
  EXPECT_EQ(str(trades.json[1], "price") + " " + str(trades.json[1], "qty"), "0.35260000 4242.00000000");
  EXPECT_TRUE(trades.json[1]["isMaker"].GetBool());
}

TEST_F(CaptureSpotTest, KlinesComeFromTheRecordedKlineFramesReplayedSoFar) {
  start({{"USDT", amt("100")}});
  Reply none = sim.get("/api/v3/klines?symbol=NKNUSDT&interval=1m");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.body, "[]");
  sim.advance(110);  // through line 111, the NKNUSDT kline_1m frame
  Reply one = sim.get("/api/v3/klines?symbol=NKNUSDT&interval=1m");
  // Line 111's "k": t 1633998480000, o/h/l/c, v 25877, T 1633998539999, q 9116.046, n 30,
  // V 58, Q 20.4624, B "0".
  EXPECT_EQ(one.body,
            "[[1633998480000,\"0.35270000\",\"0.35280000\",\"0.35220000\",\"0.35280000\",\"25877.00000000\","
            "1633998539999,\"9116.04600000\",30,\"58.00000000\",\"20.46240000\",\"0\"]]");
  EXPECT_EQ(num(sim.get("/api/v3/klines?symbol=NKNUSDT&interval=5m").json, "code"), -1120);
}
