// exchange-sim started as the USDⓈ-M futures venue (--venue usdm), in-process over loopback.
// Expected values come from the recorded USD-M exchangeInfo (data/binance/cryptofeed/
// BINANCE_FUTURES.0), the futures docs (quoted where used) and hand calculations on the first
// rows of the candle file:
//   [0] 1672677900000,16727.3,16728.8,16726.0,16726.1,691.508
//   [1] 1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173
//   [2] 1672678500000,16707.4,16711.8,16704.0,16704.1,566.041
//   [3] 1672678800000,16704.1,16709.9,16702.6,16709.9,800.432
// The futures book is one 0.10 tick wide: after [0], bid 16726.10 and ask 16726.20. Fees here:
// maker 2 bps, taker 5 bps. Accounts start with 10000 USDT.
#include "sim_client.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

using namespace sim_test;

namespace {

const std::string kKey = "alice";
const std::string kSecret = "alice-secret";

class UsdmServerTest : public ::testing::Test {
 protected:
  void start() {
    sim.config.venue = Venue::UsdM;
    sim.config.keys[kKey] = kSecret;
    sim.config.balances = {{"USDT", 1000000000000}};  // 10000 USDT
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
  Reply signed_post(const std::string& path, const std::string& params) {
    return sim.signed_request(http::verb::post, path, params, kKey, kSecret);
  }
  /// A user data stream for the account, ready to receive.
  std::unique_ptr<WsClient> user_stream() {
    Reply key = sim.request(http::verb::post, "/fapi/v1/listenKey", "", kKey);
    EXPECT_EQ(key.status, 200) << key.body;
    return std::make_unique<WsClient>(sim.port(), "/ws/" + str(key.json, "listenKey"));
  }
  SimHarness sim;
};

}  // namespace

TEST_F(UsdmServerTest, ExchangeInfoHasTheShapeOfTheRecordedUsdmResponse) {
  start();
  // The recording: "<URL> -> <receive time>: <body>" on its first line.
  std::ifstream in(TH_SOURCE_DIR "/data/binance/cryptofeed/BINANCE_FUTURES.0");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  ASSERT_NE(line.find("fapi/v1/exchangeInfo"), std::string::npos);
  rapidjson::Document recorded = parse(line.substr(line.find(": ") + 2));
  ASSERT_TRUE(recorded.IsObject());
  const rapidjson::Value* recorded_btc = nullptr;
  for (const auto& s : recorded["symbols"].GetArray())
    if (str(s, "symbol") == "BTCUSDT") recorded_btc = &s;
  ASSERT_NE(recorded_btc, nullptr);

  Reply info = sim.get("/fapi/v1/exchangeInfo");
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(keys_of(info.json), keys_of(recorded));
  ASSERT_EQ(info.json["symbols"].Size(), 1u);
  const auto& btc = info.json["symbols"][0];
  EXPECT_EQ(keys_of(btc), keys_of(*recorded_btc));
  // Same filters, in the same order, each with the recorded keys.
  ASSERT_EQ(btc["filters"].Size(), (*recorded_btc)["filters"].Size());
  for (rapidjson::SizeType i = 0; i < btc["filters"].Size(); ++i) {
    EXPECT_EQ(str(btc["filters"][i], "filterType"), str((*recorded_btc)["filters"][i], "filterType"));
    EXPECT_EQ(keys_of(btc["filters"][i]), keys_of((*recorded_btc)["filters"][i]));
  }
  // Values the recording and the sim share.
  for (const char* k : {"contractType", "status", "baseAsset", "quoteAsset", "marginAsset"})
    EXPECT_EQ(str(btc, k), str(*recorded_btc, k)) << k;
  // Every order type of the recording is taken (the conditional ones as algo orders).
  std::vector<std::string> types, recorded_types;
  for (const auto& t : btc["orderTypes"].GetArray()) types.emplace_back(t.GetString());
  for (const auto& t : (*recorded_btc)["orderTypes"].GetArray()) recorded_types.emplace_back(t.GetString());
  EXPECT_EQ(types, recorded_types);
  EXPECT_EQ(btc["pricePrecision"].GetInt(), 2);
  EXPECT_EQ(btc["quantityPrecision"].GetInt(), 3);
  EXPECT_EQ(str(btc["filters"][0], "tickSize"), "0.10");
  EXPECT_EQ(str(btc["filters"][1], "stepSize"), "0.001");
  EXPECT_EQ(str(btc["filters"][1], "stepSize"), str((*recorded_btc)["filters"][1], "stepSize"));
  EXPECT_EQ(str(btc["filters"][2], "filterType"), "MARKET_LOT_SIZE");
  EXPECT_EQ(str(btc["filters"][5], "notional"), "5");
  for (rapidjson::SizeType i = 0; i < 3; ++i)  // 2400 weight/min, 1200 orders/min, 300 orders/10 s
    EXPECT_EQ(info.json["rateLimits"][i]["limit"].GetInt(), recorded["rateLimits"][i]["limit"].GetInt());
}

TEST_F(UsdmServerTest, SignedLimitOrderRestsThenFillsWithOrderTradeUpdate) {
  start();
  auto user = user_stream();
  // BUY 0.010 at 16704.50, below the bid: rests.
  Reply placed = order("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.010&price=16704.50"
                       "&newClientOrderId=dip-1");
  ASSERT_EQ(placed.status, 200) << placed.body;
  EXPECT_EQ(str(placed.json, "status"), "NEW");
  EXPECT_EQ(str(placed.json, "clientOrderId"), "dip-1");
  EXPECT_EQ(str(placed.json, "price"), "16704.50");
  EXPECT_EQ(str(placed.json, "origQty"), "0.010");
  EXPECT_EQ(str(placed.json, "executedQty"), "0.000");
  EXPECT_EQ(str(placed.json, "positionSide"), "BOTH");
  EXPECT_FALSE(placed.json["reduceOnly"].GetBool());
  // "X-MBX-ORDER-COUNT-**" headers on accepted orders; POST /fapi/v1/order weighs 0 on the IP
  // limit, so the used weight stays at the listenKey's 1.
  EXPECT_EQ(placed.header("X-MBX-ORDER-COUNT-1M"), "1");
  EXPECT_EQ(placed.header("X-MBX-ORDER-COUNT-10S"), "1");
  EXPECT_EQ(placed.header("X-MBX-USED-WEIGHT-1M"), "1");
  const int64_t order_id = num(placed.json, "orderId");

  auto created = parse(user->read());
  EXPECT_EQ(str(created, "e"), "ORDER_TRADE_UPDATE");
  EXPECT_EQ(str(created["o"], "x"), "NEW");
  EXPECT_EQ(str(created["o"], "X"), "NEW");
  EXPECT_EQ(str(created["o"], "c"), "dip-1");
  EXPECT_EQ(str(created["o"], "p"), "16704.50");
  EXPECT_EQ(num(created["o"], "i"), order_id);

  sim.now += 1000;
  sim.advance(1);  // [1] low 16705.0: not through 16704.50
  EXPECT_EQ(str(signed_get("/fapi/v1/order", "symbol=BTCUSDT&orderId=" + std::to_string(order_id)).json, "status"),
            "NEW");
  sim.now += 1000;
  sim.advance(1);  // [2] low 16704.0 < 16704.50: maker fill at 16704.50

  // Nothing was pushed for [1] (no change), so the next frame is the fill.
  auto traded = parse(user->read());
  const auto& o = traded["o"];
  EXPECT_EQ(str(o, "x"), "TRADE");
  EXPECT_EQ(str(o, "X"), "FILLED");
  EXPECT_EQ(str(o, "l"), "0.010");
  EXPECT_EQ(str(o, "z"), "0.010");
  EXPECT_EQ(str(o, "L"), "16704.50");
  EXPECT_EQ(str(o, "n"), "0.03340900");  // maker 2 bps of 167.045 USDT
  EXPECT_EQ(str(o, "N"), "USDT");
  EXPECT_EQ(str(o, "rp"), "0.00000000");  // opening a position realizes nothing
  EXPECT_TRUE(o["m"].GetBool());
  EXPECT_EQ(num(traded, "T"), sim.now.load());
  // ACCOUNT_UPDATE follows: wallet 10000 - 0.033409; position 0.010 at 16704.50, marked at the
  // close of [2], 16704.1: 0.010 * (16704.1 - 16704.5) = -0.004.
  auto account = parse(user->read());
  EXPECT_EQ(str(account, "e"), "ACCOUNT_UPDATE");
  EXPECT_EQ(str(account["a"], "m"), "ORDER");
  EXPECT_EQ(str(account["a"]["B"][0], "a"), "USDT");
  EXPECT_EQ(str(account["a"]["B"][0], "wb"), "9999.96659100");
  const auto& pos = account["a"]["P"][0];
  EXPECT_EQ(str(pos, "pa"), "0.010");
  EXPECT_EQ(str(pos, "ep"), "16704.50000000");
  EXPECT_EQ(str(pos, "up"), "-0.00400000");
  EXPECT_EQ(str(pos, "mt"), "cross");
  EXPECT_EQ(str(pos, "ps"), "BOTH");

  Reply trades = signed_get("/fapi/v1/userTrades", "symbol=BTCUSDT");
  ASSERT_EQ(trades.json.Size(), 1u);
  EXPECT_EQ(num(trades.json[0], "id"), num(o, "t"));
  EXPECT_EQ(str(trades.json[0], "quoteQty"), "167.04500");
  EXPECT_EQ(str(trades.json[0], "commission"), "0.03340900");
  EXPECT_TRUE(trades.json[0]["maker"].GetBool());
  EXPECT_TRUE(trades.json[0]["buyer"].GetBool());
  EXPECT_EQ(signed_get("/fapi/v1/openOrders", "symbol=BTCUSDT").json.Size(), 0u);
}

TEST_F(UsdmServerTest, ReduceOnlyIsRefusedWhenItWouldIncreaseThePosition) {
  start();
  // USDⓈ-M "Error Codes": -2022 REDUCE_ONLY_REJECT "ReduceOnly Order is rejected."
  Reply flat = order("symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.010&price=17000&reduceOnly=true");
  EXPECT_EQ(flat.status, 400);
  EXPECT_EQ(num(flat.json, "code"), -2022) << flat.body;
  EXPECT_EQ(str(flat.json, "msg"), "ReduceOnly Order is rejected.");

  Reply opened = order("symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.010&newOrderRespType=RESULT");
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(str(opened.json, "status"), "FILLED");
  EXPECT_EQ(str(opened.json, "avgPrice"), "16726.20000");  // the ask
  Reply adds = order("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.005&price=16000&reduceOnly=true");
  EXPECT_EQ(num(adds.json, "code"), -2022) << adds.body;
  Reply reduces = order("symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.010&price=17000&reduceOnly=true");
  ASSERT_EQ(reduces.status, 200) << reduces.body;
  EXPECT_TRUE(reduces.json["reduceOnly"].GetBool());
  Reply open = signed_get("/fapi/v1/openOrders", "symbol=BTCUSDT");
  ASSERT_EQ(open.json.Size(), 1u);  // the two refused orders were never recorded
  EXPECT_EQ(num(open.json[0], "orderId"), num(reduces.json, "orderId"));
}

TEST_F(UsdmServerTest, LeverageAndMarginTypeEndpoints) {
  start();
  auto user = user_stream();
  Reply lev = signed_post("/fapi/v1/leverage", "symbol=BTCUSDT&leverage=10");
  ASSERT_EQ(lev.status, 200) << lev.body;
  EXPECT_EQ(lev.json["leverage"].GetInt(), 10);
  EXPECT_EQ(str(lev.json, "symbol"), "BTCUSDT");
  EXPECT_EQ(str(lev.json, "maxNotionalValue"), "1000000");
  auto config = parse(user->read());
  EXPECT_EQ(str(config, "e"), "ACCOUNT_CONFIG_UPDATE");
  EXPECT_EQ(str(config["ac"], "s"), "BTCUSDT");
  EXPECT_EQ(config["ac"]["l"].GetInt(), 10);
  // "target initial leverage: int from 1 to 125"; -4028 INVALID_LEVERAGE "Leverage %s is not valid".
  for (const char* bad : {"0", "126"}) {
    Reply r = signed_post("/fapi/v1/leverage", std::string("symbol=BTCUSDT&leverage=") + bad);
    EXPECT_EQ(num(r.json, "code"), -4028) << r.body;
    EXPECT_EQ(str(r.json, "msg"), std::string("Leverage ") + bad + " is not valid");
  }

  Reply isolated = signed_post("/fapi/v1/marginType", "symbol=BTCUSDT&marginType=ISOLATED");
  ASSERT_EQ(isolated.status, 200) << isolated.body;
  EXPECT_EQ(num(isolated.json, "code"), 200);
  EXPECT_EQ(str(isolated.json, "msg"), "success");
  auto change = parse(user->read());
  EXPECT_EQ(str(change, "e"), "ACCOUNT_UPDATE");
  EXPECT_EQ(str(change["a"], "m"), "MARGIN_TYPE_CHANGE");
  EXPECT_EQ(str(change["a"]["P"][0], "mt"), "isolated");
  Reply again = signed_post("/fapi/v1/marginType", "symbol=BTCUSDT&marginType=ISOLATED");
  EXPECT_EQ(num(again.json, "code"), -4046);
  EXPECT_EQ(str(again.json, "msg"), "No need to change margin type.");

  Reply risk = signed_get("/fapi/v2/positionRisk", "symbol=BTCUSDT");
  ASSERT_EQ(risk.json.Size(), 1u);
  EXPECT_EQ(str(risk.json[0], "leverage"), "10");
  EXPECT_EQ(str(risk.json[0], "marginType"), "isolated");

  // -4047: not with an open order.
  ASSERT_EQ(order("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.010&price=16000").status, 200);
  Reply blocked = signed_post("/fapi/v1/marginType", "symbol=BTCUSDT&marginType=CROSSED");
  EXPECT_EQ(num(blocked.json, "code"), -4047);
  EXPECT_EQ(str(blocked.json, "msg"), "Margin type cannot be changed if there exists open orders.");
}

TEST_F(UsdmServerTest, PositionRiskAfterFillsHasHandComputedEntryAndUnrealizedPnl) {
  start();
  ASSERT_EQ(order("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.010&price=16704.50").status, 200);
  ASSERT_EQ(order("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.020&price=16703.00").status, 200);
  sim.advance(3);  // [2] low 16704.0 fills the first, [3] low 16702.6 the second
  // Entry (0.010 * 16704.50 + 0.020 * 16703.00) / 0.030 = (167.045 + 334.06) / 0.03 = 16703.50.
  // Mark = close of [3] = 16709.9; unrealized 0.030 * (16709.9 - 16703.5) = 0.192;
  // notional 0.030 * 16709.9 = 501.297.
  Reply risk = signed_get("/fapi/v2/positionRisk", "symbol=BTCUSDT");
  ASSERT_EQ(risk.status, 200) << risk.body;
  ASSERT_EQ(risk.json.Size(), 1u);
  const auto& p = risk.json[0];
  EXPECT_EQ(str(p, "symbol"), "BTCUSDT");
  EXPECT_EQ(str(p, "positionAmt"), "0.030");
  EXPECT_EQ(str(p, "entryPrice"), "16703.50000000");
  EXPECT_EQ(str(p, "markPrice"), "16709.90000000");
  EXPECT_EQ(str(p, "unRealizedProfit"), "0.19200000");
  EXPECT_EQ(str(p, "notional"), "501.29700000");
  EXPECT_EQ(str(p, "leverage"), "20");
  EXPECT_EQ(str(p, "marginType"), "cross");
  EXPECT_EQ(str(p, "positionSide"), "BOTH");
  EXPECT_EQ(str(p, "liquidationPrice"), "0");

  // Close at the bid after [3], 16709.90: realizes 0.030 * (16709.9 - 16703.5) = 0.192.
  Reply close = order("symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.030&reduceOnly=true&newOrderRespType=RESULT");
  ASSERT_EQ(close.status, 200) << close.body;
  EXPECT_EQ(str(close.json, "avgPrice"), "16709.90000");
  Reply trades = signed_get("/fapi/v1/userTrades", "symbol=BTCUSDT");
  ASSERT_EQ(trades.json.Size(), 3u);
  EXPECT_EQ(str(trades.json[2], "realizedPnl"), "0.19200000");
  EXPECT_EQ(str(trades.json[2], "side"), "SELL");
  EXPECT_EQ(str(trades.json[2], "commission"), "0.25064850");  // taker 5 bps of 501.297
  Reply flat = signed_get("/fapi/v2/positionRisk", "symbol=BTCUSDT");
  EXPECT_EQ(str(flat.json[0], "positionAmt"), "0.000");
  EXPECT_EQ(str(flat.json[0], "unRealizedProfit"), "0.00000000");
  // Wallet: 10000 - 0.033409 - 0.066812 (maker fees on 167.045 and 334.06) - 0.2506485 + 0.192
  // = 9999.8411305.
  Reply account = signed_get("/fapi/v2/account", "");
  ASSERT_EQ(account.status, 200) << account.body;
  EXPECT_EQ(str(account.json, "totalWalletBalance"), "9999.84113050");
  EXPECT_EQ(str(account.json["assets"][0], "walletBalance"), "9999.84113050");
  EXPECT_EQ(str(account.json, "availableBalance"), "9999.84113050");  // nothing held any more
}

TEST_F(UsdmServerTest, DepthStreamChainsPuAcrossUpdateIdsOtherSymbolsUsed) {
  start();
  Reply snapshot = sim.get("/fapi/v1/depth?symbol=BTCUSDT&limit=5");
  ASSERT_EQ(snapshot.status, 200) << snapshot.body;
  const int64_t last_update_id = num(snapshot.json, "lastUpdateId");
  EXPECT_EQ(std::string(snapshot.json["bids"][0][0].GetString()), "16726.10");  // close of [0]
  EXPECT_EQ(std::string(snapshot.json["asks"][0][0].GetString()), "16726.20");  // one tick up

  WsClient ws(sim.port(), "/ws/btcusdt@depth");
  sim.advance(3);
  std::vector<rapidjson::Document> diffs;
  for (int i = 0; i < 3; ++i) diffs.push_back(parse(ws.read()));
  // "pu": "Final update Id in last stream (ie `u` in last stream)" (USDⓈ-M Diff. Book Depth
  // Streams). The first diff after the snapshot continues from it.
  EXPECT_EQ(num(diffs[0], "pu"), last_update_id);
  for (int i = 1; i < 3; ++i) EXPECT_EQ(num(diffs[i], "pu"), num(diffs[i - 1], "u"));
  for (const auto& d : diffs) {
    EXPECT_EQ(str(d, "e"), "depthUpdate");
    EXPECT_NE(num(d, "T"), INT64_MIN);
    // Update ids are shared with other symbols, so U skips past pu + 1: the spot rule
    // "U == previous u + 1" would see a gap on every diff; pu is what chains.
    EXPECT_EQ(num(d, "U"), num(d, "pu") + 2);
  }
  EXPECT_EQ(std::string(diffs[0]["b"][0][0].GetString()), "16707.50");  // close of [1]

  // A swallowed diff: the next one's pu is the u this client never saw.
  sim.control("/_sim/fault", R"({"depth_gap":1})");
  sim.advance(2);
  auto after_gap = parse(ws.read());
  EXPECT_NE(num(after_gap, "pu"), num(diffs[2], "u"));
  EXPECT_EQ(num(after_gap, "pu"), num(diffs[2], "u") + 2);  // the swallowed diff's u
  EXPECT_EQ(num(sim.get("/fapi/v1/depth?symbol=BTCUSDT&limit=5").json, "lastUpdateId"), num(after_gap, "u"));
}

TEST_F(UsdmServerTest, MarketStreamsHaveTheRecordedUsdmFieldsAndFuturesPrecisions) {
  start();
  WsClient ws(sim.port(), "/stream?streams=btcusdt@kline_5m/btcusdt@aggTrade/btcusdt@bookTicker/btcusdt@depth");
  sim.advance(1);  // to row [1]
  std::map<std::string, rapidjson::Document> got;
  for (int i = 0; i < 4; ++i) {
    auto frame = parse(ws.read());
    got[str(frame["data"], "e")].CopyFrom(frame["data"], got[str(frame["data"], "e")].GetAllocator());
  }
  // The field names, in order, of the first recorded frame of each type (fstream.binance.com,
  // data/binance/cryptofeed/BINANCE_FUTURES.ws.1.0: "<receive time>: {"stream":..,"data":..}").
  std::ifstream in(TH_SOURCE_DIR "/data/binance/cryptofeed/BINANCE_FUTURES.ws.1.0");
  std::map<std::string, std::vector<std::string>> recorded;
  for (std::string line; std::getline(in, line) && recorded.size() < 4;) {
    size_t brace = line.find(": {");
    if (brace == std::string::npos) continue;
    auto frame = parse(line.substr(brace + 2));
    if (frame.IsObject() && frame.HasMember("data")) recorded.try_emplace(str(frame["data"], "e"), keys_of(frame["data"]));
  }
  for (const char* type : {"kline", "aggTrade", "bookTicker", "depthUpdate"}) {
    ASSERT_TRUE(got.count(type) && recorded.count(type)) << type;
    EXPECT_EQ(keys_of(got[type]), recorded[type]) << type;
  }
  // Prices with pricePrecision 2, quantities with quantityPrecision 3; row [1]'s values.
  const auto& k = got["kline"]["k"];
  EXPECT_EQ(num(k, "t"), 1672678200000);
  EXPECT_EQ(str(k, "o"), "16726.00");
  EXPECT_EQ(str(k, "h"), "16726.80");
  EXPECT_EQ(str(k, "l"), "16705.00");
  EXPECT_EQ(str(k, "c"), "16707.50");
  EXPECT_EQ(str(k, "v"), "1301.173");
  EXPECT_TRUE(k["x"].GetBool());
  EXPECT_EQ(str(got["aggTrade"], "p"), "16707.50");
  EXPECT_EQ(str(got["aggTrade"], "q"), "1301.173");
  EXPECT_TRUE(got["aggTrade"]["m"].GetBool());  // [1] closed below its open
  EXPECT_EQ(str(got["bookTicker"], "b"), "16707.50");
  EXPECT_EQ(str(got["bookTicker"], "a"), "16707.60");  // one 0.10 tick above
}

TEST_F(UsdmServerTest, WeightsAndFaultSwitchesApplyToFapi) {
  sim.config.limits.request_weight_per_minute = 12;
  // 28333333 * 60000 = 1699999980000 is a minute boundary; 15.5 s into that minute.
  sim.now = 1699999980000 + 15500;
  start();
  // Weights of the futures docs: ping 1, depth limit 100 -> 5, klines default limit 500 -> 5.
  EXPECT_EQ(sim.get("/fapi/v1/ping").header("X-MBX-USED-WEIGHT-1M"), "1");
  EXPECT_EQ(sim.get("/fapi/v1/depth?symbol=BTCUSDT&limit=100").header("X-MBX-USED-WEIGHT-1M"), "6");
  Reply klines = sim.get("/fapi/v1/klines?symbol=BTCUSDT&interval=5m");
  EXPECT_EQ(klines.header("X-MBX-USED-WEIGHT-1M"), "11");
  ASSERT_TRUE(klines.json.IsArray());
  EXPECT_EQ(std::string(klines.json[0][4].GetString()), "16726.10");  // close of [0], 2 decimals
  Reply over = sim.get("/fapi/v1/ping");
  EXPECT_EQ(over.status, 200);  // 12: at the limit, not over it
  over = sim.get("/fapi/v1/ping");
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(num(over.json, "code"), -1003);
  EXPECT_EQ(over.header("Retry-After"), "45");  // 60 s - 15.5 s = 44.5 s, rounded up
  sim.now = 1699999980000 + 60000;  // a new minute

  sim.control("/_sim/fault", R"({"http_5xx":1,"http_5xx_status":502})");
  Reply down = sim.get("/fapi/v1/time");
  EXPECT_EQ(down.status, 502);
  EXPECT_EQ(num(down.json, "code"), -1001);
  sim.control("/_sim/fault", R"({"force_429":1})");
  EXPECT_EQ(sim.get("/fapi/v1/time").status, 429);
  EXPECT_EQ(sim.get("/fapi/v1/time").status, 200);

  // order_timeout: the order is placed but its response never comes.
  sim.control("/_sim/fault", R"({"order_timeout":1})");
  auto lost = sim.signed_post_unread("/fapi/v1/order",
                                     "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.010&price=16000"
                                     "&newClientOrderId=lost-1",
                                     kKey, kSecret);
  // One thread serves all requests in order: once this query is answered the order was handled.
  EXPECT_EQ(str(signed_get("/fapi/v1/order", "symbol=BTCUSDT&origClientOrderId=lost-1").json, "status"), "NEW");
  EXPECT_EQ(lost->answer_bytes(), 0u);

  // Stream faults: a duplicated futures bookTicker, then a dropped user stream.
  auto user = user_stream();
  {
    WsClient book(sim.port(), "/ws/btcusdt@bookTicker");
    sim.control("/_sim/fault", R"({"ws_duplicate":1})");
    sim.advance(1);
    std::string a = book.read(), b = book.read();
    EXPECT_EQ(a, b);
    EXPECT_EQ(str(parse(a), "e"), "bookTicker");
    EXPECT_EQ(str(parse(a), "b"), "16707.50");  // close of [1]
    EXPECT_EQ(str(parse(a), "a"), "16707.60");  // one 0.10 tick above
  }
  EXPECT_EQ(num(sim.control("/_sim/fault", R"({"ws_drop":"user"})").json, "ws_dropped"), 1);
  EXPECT_TRUE(user->read_error());
}
