// The real `binance_usdm` plugin (build/plugins/libth_binance_usdm.so) driven through its C ABI by
// the scripted host (scripted_host.hpp): the /fapi endpoints and weights, perpetual instruments,
// reduce-only refusal, leverage and margin type before trading (-4046 is success), reconcile with
// balances and positions, ORDER_TRADE_UPDATE and ACCOUNT_UPDATE on the user data stream, and the
// unknown-outcome lookup shared with binance_spot. Bodies follow the shapes of
// developers.binance.com/docs/derivatives/usds-margined-futures (stored 2026-05); expected values
// are worked out by hand in the comments.
#include "scripted_host.hpp"

namespace {

using namespace tradehost::binance::scripted;

// BTCUSDT perpetual (tick 0.10 -> price_scale 1, step 0.001 -> qty_scale 3) and a quarterly
// contract, which the connector leaves out.
const char kExchangeInfo[] =
    R"({"timezone":"UTC","serverTime":1672531200000,"rateLimits":[],"exchangeFilters":[],"assets":[],"symbols":[)"
    R"({"symbol":"BTCUSDT","pair":"BTCUSDT","contractType":"PERPETUAL","status":"TRADING","baseAsset":"BTC",)"
    R"("quoteAsset":"USDT","marginAsset":"USDT","filters":[)"
    R"({"filterType":"PRICE_FILTER","maxPrice":"4529764","minPrice":"556.80","tickSize":"0.10"},)"
    R"({"filterType":"LOT_SIZE","maxQty":"1000","minQty":"0.001","stepSize":"0.001"},)"
    R"({"filterType":"MIN_NOTIONAL","notional":"100"}]},)"
    R"({"symbol":"BTCUSDT_230331","pair":"BTCUSDT","contractType":"CURRENT_QUARTER","status":"TRADING","baseAsset":"BTC",)"
    R"("quoteAsset":"USDT","marginAsset":"USDT","filters":[)"
    R"({"filterType":"PRICE_FILTER","maxPrice":"4529764","minPrice":"556.80","tickSize":"0.10"},)"
    R"({"filterType":"LOT_SIZE","maxQty":"1000","minQty":"0.001","stepSize":"0.001"}]}]})";

// A New Order / Query Order answer ("New Order(TRADE)" response shape) for a LIMIT BUY 0.002 at 16704.5.
std::string order_json(const std::string& cid, const std::string& status, const std::string& executed,
                       const std::string& cum_quote) {
  return R"({"clientOrderId":")" + cid + R"(","cumQty":")" + executed + R"(","cumQuote":")" + cum_quote +
         R"(","executedQty":")" + executed +
         R"(","orderId":4000,"avgPrice":"0.00000","origQty":"0.002",)"
         R"("price":"16704.5","reduceOnly":false,"side":"BUY","positionSide":"BOTH","status":")" +
         status +
         R"(","stopPrice":"0","closePosition":false,"symbol":"BTCUSDT","timeInForce":"GTC","type":"LIMIT",)"
         R"("origType":"LIMIT","updateTime":1672531200500,"workingType":"CONTRACT_PRICE","priceProtect":false,)"
         R"("priceMatch":"NONE","selfTradePreventionMode":"NONE","goodTillDate":0})";
}

// A New / Query Algo Order answer in the shape of "Query Algo Order"'s response example, for the
// STOP_MARKET SELL 0.002 reduce-only trigger 16705.1 the tests place (algoId 3000).
std::string algo_json(const std::string& cid, const std::string& status, const std::string& actual_order_id = "") {
  return R"({"algoId":3000,"clientAlgoId":")" + cid +
         R"(","algoType":"CONDITIONAL","orderType":"STOP_MARKET","symbol":"BTCUSDT","side":"SELL",)"
         R"("positionSide":"BOTH","timeInForce":"GTC","quantity":"0.002","algoStatus":")" +
         status + R"(","actualOrderId":")" + actual_order_id +
         R"(","actualPrice":"0.00000","triggerPrice":"16705.1","price":"0.0","icebergQuantity":null,)"
         R"("tpTriggerPrice":"0.0","tpPrice":"0.0","slTriggerPrice":"0.0","slPrice":"0.0","tpOrderType":"",)"
         R"("selfTradePreventionMode":"EXPIRE_MAKER","workingType":"CONTRACT_PRICE","priceMatch":"NONE",)"
         R"("closePosition":false,"priceProtect":false,"reduceOnly":true,"createTime":1672531200000,)"
         R"("updateTime":1672531200000,"triggerTime":0,"goodTillDate":0})";
}

// An ALGO_UPDATE ("Event: Algo Order Update" example's fields) of that algo order.
std::string algo_update(const std::string& status, const std::string& ai, const std::string& act = "0") {
  return R"({"e":"ALGO_UPDATE","T":1672531300000,"E":1672531300001,"o":{"caid":"bot-1-2","aid":3000,)"
         R"("at":"CONDITIONAL","o":"STOP_MARKET","s":"BTCUSDT","S":"SELL","ps":"BOTH","f":"GTC","q":"0.002","X":")" +
         status + R"(","ai":")" + ai + R"(","ap":"0.00000","aq":"0.00000","act":")" + act +
         R"(","tp":"16705.1","p":"0","V":"EXPIRE_MAKER","wt":"CONTRACT_PRICE","pm":"NONE","cp":false,"pP":false,)"
         R"("R":true,"tt":1672531300000,"gtd":0}})";
}

// ORDER_TRADE_UPDATEs of the MARKET SELL 0.002 the algo order placed (orderId 5000, a client id of
// its own): NEW, then the trade of all of it at 16705.0 as taker, fee 0.05% of 33.41 = 0.016705.
const char kPlacedNew[] =
    R"({"e":"ORDER_TRADE_UPDATE","E":1672531300002,"T":1672531300000,"o":{"s":"BTCUSDT","c":"x7Kq2mN9pQ4rS1tU3vW5yZ",)"
    R"("S":"SELL","o":"MARKET","f":"GTC","q":"0.002","p":"0","ap":"0","sp":"0","x":"NEW","X":"NEW","i":5000,)"
    R"("l":"0","z":"0","L":"0","T":1672531300000,"t":0,"b":"0","a":"0","m":false,"R":true,"wt":"CONTRACT_PRICE",)"
    R"("ot":"MARKET","ps":"BOTH","cp":false,"rp":"0"}})";
const char kPlacedTrade[] =
    R"({"e":"ORDER_TRADE_UPDATE","E":1672531300003,"T":1672531300000,"o":{"s":"BTCUSDT","c":"x7Kq2mN9pQ4rS1tU3vW5yZ",)"
    R"("S":"SELL","o":"MARKET","f":"GTC","q":"0.002","p":"0","ap":"16705.00000","sp":"0","x":"TRADE","X":"FILLED",)"
    R"("i":5000,"l":"0.002","z":"0.002","L":"16705.0","N":"USDT","n":"0.01670500","T":1672531300000,"t":901,)"
    R"("b":"0","a":"0","m":false,"R":true,"wt":"CONTRACT_PRICE","ot":"MARKET","ps":"BOTH","cp":false,"rp":"0"}})";

class BinanceUsdmConnector : public ConnectorTest {
 protected:
  BinanceUsdmConnector() : ConnectorTest("libth_binance_usdm.so", kExchangeInfo) {
    host_.config_i64["request_weight_limit"] = 2400;
    host_.config_i64["orders_per_minute"] = 1200;
    host_.config_i64["leverage"] = 5;
    host_.config_str["margin_type"] = "isolated";
    host_.config_str["callback_rate"] = "";
    host_.config_str["working_type"] = "CONTRACT_PRICE";
  }
  /// LIMIT BUY 0.002 BTC (qty_scale 3) at 16704.5 (price_scale 1).
  th_order limit(const char* cid = "bot-1-1", uint32_t flags = 0) {
    th_order o = ConnectorTest::order(TH_ORD_LIMIT, cid, 2, 167045);
    o.req.flags = flags;
    return o;
  }
  /// subscribe bars of instrument 1, then reconcile up to the open user stream (connection 102)
  /// and answer its open algo orders with `algo_open_orders`; the next request is openOrders.
  void reconcile_to_stream_open(const std::string& algo_open_orders = "[]") {
    ASSERT_EQ(ops_->subscribe(state_, 1, TH_EV_MASK(TH_EV_BAR), 300'000'000'000), TH_OK);
    ASSERT_EQ(ops_->reconcile(state_), TH_OK);
    respond_last(200, R"({"serverTime":)" + std::to_string(kT0Ms) + "}");
    respond_last(400, R"({"code":-4046,"msg":"No need to change margin type."})");
    respond_last(200, R"({"leverage":5,"maxNotionalValue":"1000000","symbol":"BTCUSDT"})");
    respond_last(200, R"({"listenKey":"LK1"})");
    ws(102, TH_WS_OPENED);
    ASSERT_TRUE(host_.requests.back().has("/fapi/v1/openAlgoOrders?"));
    respond_last(200, algo_open_orders);
    ASSERT_TRUE(host_.requests.back().has("/fapi/v1/openOrders?"));
  }
  /// reconcile_to_stream_open(), then no open orders, balances or positions: RECONCILED.
  void reconciled() {
    ASSERT_NO_FATAL_FAILURE(reconcile_to_stream_open());
    respond_last(200, "[]");                               // openOrders
    respond_last(200, R"({"assets":[],"positions":[]})");  // account
    respond_last(200, "[]");                               // positionRisk
    ASSERT_EQ(host_.events.back().code, TH_STATUS_RECONCILED);
    host_.events.clear();
  }
  /// STOP_MARKET SELL 0.002 reduce-only, trigger 16705.1: an algo order.
  th_order stop(const char* cid = "bot-1-2") {
    th_order o = ConnectorTest::order(TH_ORD_STOP_MARKET, cid, 2, 0);
    o.req.side = TH_SIDE_SELL;
    o.req.trigger_price = 167051;
    o.req.flags = TH_OF_REDUCE_ONLY;
    return o;
  }
};

TEST_F(BinanceUsdmConnector, DefinesPerpetualsOnly) {
  ASSERT_EQ(host_.instruments.size(), 1u);
  const Defined& d = host_.instruments[0];
  EXPECT_EQ(d.symbol, "BTC/USDT:USDT");
  EXPECT_EQ(d.native_symbol, "BTCUSDT");
  EXPECT_EQ(d.settle, "USDT");
  EXPECT_EQ(d.kind, TH_INST_PERPETUAL);
  EXPECT_EQ(d.price_scale, 1);
  EXPECT_EQ(d.qty_scale, 3);
  EXPECT_EQ(host_.requests[0].url, "http://venue/fapi/v1/exchangeInfo");
  EXPECT_EQ(host_.requests[0].budgets, "binance-usdm:REQUEST_WEIGHT:1m=1");
  EXPECT_EQ(host_.budgets, (std::vector<std::string>{"binance-usdm:REQUEST_WEIGHT:1m", "binance-usdm:ORDERS:1m:acct"}));
}

TEST_F(BinanceUsdmConnector, ReduceOnlyOrderRefusedByTheVenueIsRejectedWithItsWords) {
  const th_order o = limit("bot-1-1", TH_OF_REDUCE_ONLY);
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  ASSERT_EQ(host_.requests.size(), 2u);
  const Request& post = host_.requests[1];
  EXPECT_EQ(post.method, TH_HTTP_POST);
  EXPECT_EQ(post.url,
            "http://venue/fapi/v1/order?symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.002"
            "&reduceOnly=true&price=16704.5&newClientOrderId=bot-1-1&newOrderRespType=RESULT&recvWindow=5000"
            "&timestamp=" +
                std::to_string(kT0Ms) + "&signature=SIG");
  EXPECT_EQ(post.headers, "X-MBX-APIKEY: KEY");
  // "New Order": 0 on the IP weight, 1 on the order count.
  EXPECT_EQ(post.budgets, "binance-usdm:ORDERS:1m:acct=1");
  EXPECT_EQ(post.flags, uint32_t{TH_HTTP_NOT_IDEMPOTENT});
  respond(1, 400, R"({"code":-2022,"msg":"ReduceOnly Order is rejected."})");
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].state, TH_ORDER_REJECTED);
  EXPECT_EQ(host_.events[0].reason, "ReduceOnly Order is rejected.");
  EXPECT_EQ(host_.requests.size(), 2u);
}

TEST_F(BinanceUsdmConnector, AcceptedOrderIsNewWithTheVenueOrderId) {
  const th_order o = limit();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond(1, 200, order_json("bot-1-1", "NEW", "0", "0"));
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].state, TH_ORDER_NEW);
  EXPECT_EQ(host_.events[0].venue_order_id, "4000");
  EXPECT_EQ(host_.events[0].order_id, 11u);
}

TEST_F(BinanceUsdmConnector, TrailingStopWithoutCallbackRateIsRefusedWithoutARequest) {
  const th_order o = ConnectorTest::order(TH_ORD_TRAILING_STOP, "bot-1-2", 2, 0);
  EXPECT_EQ(ops_->submit(state_, &o), TH_ERR_REJECTED);
  EXPECT_EQ(host_.requests.size(), 1u);
  ASSERT_FALSE(host_.logs.empty());
  EXPECT_NE(host_.logs.back().find("callback_rate"), std::string::npos) << host_.logs.back();
}

TEST_F(BinanceUsdmConnector, LostAnswerIsLookedUpByClientOrderIdAndItsFillsReported) {
  const th_order o = limit();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond(1, 0, "", TH_ERR_IO, TH_HTTP_MAYBE_SENT, "connection reset");
  ASSERT_EQ(host_.requests.size(), 3u);
  EXPECT_EQ(host_.requests[2].method, TH_HTTP_GET);
  EXPECT_TRUE(host_.requests[2].has("/fapi/v1/order?symbol=BTCUSDT&origClientOrderId=bot-1-1&recvWindow=5000"));
  EXPECT_EQ(host_.requests[2].budgets, "binance-usdm:REQUEST_WEIGHT:1m=1");
  // Filled: 0.002 at 16704.5 -> cumQuote 33.409.
  respond(2, 200, order_json("bot-1-1", "FILLED", "0.002", "33.409"));
  ASSERT_EQ(host_.requests.size(), 4u);
  EXPECT_TRUE(host_.requests[3].has("/fapi/v1/userTrades?symbol=BTCUSDT&orderId=4000&limit=1000&recvWindow=5000"));
  EXPECT_EQ(host_.requests[3].budgets, "binance-usdm:REQUEST_WEIGHT:1m=5");
  // "Account Trade List" shape; commission 0.02% of 33.409 = 0.0066818 USDT.
  respond(3, 200,
          R"([{"buyer":true,"commission":"0.00668180","commissionAsset":"USDT","id":777,"maker":true,"orderId":4000,)"
          R"("price":"16704.5","qty":"0.002","quoteQty":"33.409","realizedPnl":"0","side":"BUY","positionSide":"BOTH",)"
          R"("symbol":"BTCUSDT","time":1672531201000}])");
  ASSERT_EQ(host_.events.size(), 3u);
  EXPECT_EQ(host_.events[0].state, TH_ORDER_NEW);
  const Event& fill = host_.events[1];
  EXPECT_EQ(fill.type, uint32_t{TH_EV_FILL});
  EXPECT_EQ(fill.trade_id, "777");
  EXPECT_EQ(fill.qty, 2);
  EXPECT_EQ(fill.price, 167045);
  EXPECT_EQ(fill.fee, 668180);
  EXPECT_EQ(fill.asset, "USDT");
  EXPECT_EQ(fill.liquidity, TH_LIQ_MAKER);
  EXPECT_EQ(fill.side, TH_SIDE_BUY);
  EXPECT_EQ(host_.events[2].state, TH_ORDER_FILLED);
  EXPECT_EQ(host_.events[2].avg, 167045);  // 33.409 / 0.002 = 16704.5
  EXPECT_EQ(count(TH_HTTP_POST, "/fapi/v1/order"), 1u);
}

TEST_F(BinanceUsdmConnector, ReconcileAppliesMarginTypeAndLeverageThenReportsBalancesAndPositions) {
  ASSERT_EQ(ops_->subscribe(state_, 1, TH_EV_MASK(TH_EV_BAR), 300'000'000'000), TH_OK);
  ASSERT_EQ(host_.ws_urls.size(), 1u);
  EXPECT_EQ(host_.ws_urls[0], "ws://venue/ws/btcusdt@kline_5m");
  ASSERT_EQ(ops_->reconcile(state_), TH_OK);
  ASSERT_EQ(host_.requests.size(), 2u);
  EXPECT_EQ(host_.requests[1].url, "http://venue/fapi/v1/time");
  respond(1, 200, R"({"serverTime":)" + std::to_string(kT0Ms) + "}");
  ASSERT_EQ(host_.requests.size(), 3u);
  EXPECT_EQ(host_.requests[2].method, TH_HTTP_POST);
  EXPECT_TRUE(
      host_.requests[2].has("/fapi/v1/marginType?symbol=BTCUSDT&marginType=ISOLATED&recvWindow=5000&timestamp="));
  // "No need to change margin type." is success.
  respond(2, 400, R"({"code":-4046,"msg":"No need to change margin type."})");
  ASSERT_EQ(host_.requests.size(), 4u);
  EXPECT_EQ(host_.requests[3].method, TH_HTTP_POST);
  EXPECT_TRUE(host_.requests[3].has("/fapi/v1/leverage?symbol=BTCUSDT&leverage=5&recvWindow=5000&timestamp="));
  respond(3, 200, R"({"leverage":5,"maxNotionalValue":"1000000","symbol":"BTCUSDT"})");
  ASSERT_EQ(host_.requests.size(), 5u);
  EXPECT_EQ(host_.requests[4].method, TH_HTTP_POST);
  EXPECT_EQ(host_.requests[4].url, "http://venue/fapi/v1/listenKey");
  EXPECT_EQ(host_.requests[4].headers, "X-MBX-APIKEY: KEY");
  respond(4, 200, R"({"listenKey":"LK1"})");
  ASSERT_EQ(host_.ws_urls.size(), 2u);
  EXPECT_EQ(host_.ws_urls[1], "ws://venue/ws/LK1");
  ws(102, TH_WS_OPENED);
  // The open algo orders first ("Current All Algo Open Orders": 40 without a symbol), then the
  // ordinary ones.
  ASSERT_EQ(host_.requests.size(), 6u);
  EXPECT_TRUE(host_.requests[5].has("/fapi/v1/openAlgoOrders?recvWindow=5000"));
  EXPECT_EQ(host_.requests[5].budgets, "binance-usdm:REQUEST_WEIGHT:1m=40");
  respond(5, 200, "[]");
  ASSERT_EQ(host_.requests.size(), 7u);
  EXPECT_TRUE(host_.requests[6].has("/fapi/v1/openOrders?recvWindow=5000"));
  EXPECT_EQ(host_.requests[6].budgets, "binance-usdm:REQUEST_WEIGHT:1m=40");
  respond(6, 200, "[" + order_json("old-1", "PARTIALLY_FILLED", "0.001", "16.7045") + "]");
  ASSERT_EQ(host_.requests.size(), 8u);
  EXPECT_EQ(host_.requests[7].path(), "/fapi/v2/account");
  EXPECT_EQ(host_.requests[7].budgets, "binance-usdm:REQUEST_WEIGHT:1m=5");
  respond(
      7, 200,
      R"({"feeTier":0,"canTrade":true,"multiAssetsMargin":false,"totalWalletBalance":"1000.50000000",)"
      R"("assets":[{"asset":"USDT","walletBalance":"1000.50000000","unrealizedProfit":"0.00562345",)"
      R"("availableBalance":"900","updateTime":1},)"
      R"({"asset":"BNB","walletBalance":"0.00000000","unrealizedProfit":"0","availableBalance":"0","updateTime":0}],)"
      R"("positions":[]})");
  ASSERT_EQ(host_.requests.size(), 9u);
  EXPECT_EQ(host_.requests[8].path(), "/fapi/v2/positionRisk");
  EXPECT_EQ(host_.requests[8].budgets, "binance-usdm:REQUEST_WEIGHT:1m=5");
  respond(8, 200,
          R"([{"entryPrice":"16704.5","breakEvenPrice":"0.0","marginType":"isolated","isAutoAddMargin":"false",)"
          R"("isolatedMargin":"3.34","leverage":"5","liquidationPrice":"0","markPrice":"16710.12345678",)"
          R"("maxNotionalValue":"20000000","positionAmt":"0.001","notional":"16.71","isolatedWallet":"0",)"
          R"("symbol":"BTCUSDT","unRealizedProfit":"0.00562345","positionSide":"BOTH","updateTime":1}])");
  const auto orders = of_type(TH_EV_ORDER);
  ASSERT_EQ(orders.size(), 2u);  // NEW, then PARTIALLY_FILLED: the venue's open order
  EXPECT_EQ(orders[1].client_order_id, "old-1");
  EXPECT_EQ(orders[1].filled_qty, 1);
  EXPECT_EQ(orders[1].avg, 167045);  // 16.7045 / 0.001
  const auto balances = of_type(TH_EV_BALANCE);
  ASSERT_EQ(balances.size(), 1u);  // BNB at zero is left out
  EXPECT_EQ(balances[0].asset, "USDT");
  EXPECT_EQ(balances[0].free, 100'050'000'000);  // wallet balance 1000.5
  EXPECT_EQ(balances[0].locked, 0);
  const auto positions = of_type(TH_EV_POSITION);
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].instrument, 1u);
  EXPECT_EQ(positions[0].qty, 1);       // 0.001 at qty_scale 3
  EXPECT_EQ(positions[0].avg, 167045);  // 16704.5 at price_scale 1
  EXPECT_EQ(positions[0].unrealized, 562345);
  EXPECT_EQ(host_.events.back().code, TH_STATUS_RECONCILED);
  EXPECT_EQ(host_.events.back().message, "1 open orders, 1 assets held");
}

// USD-M TAKE_PROFIT is the limit variant (spot's TAKE_PROFIT is a market order): an open order the
// connector learns of from the venue is reported with the venue's meaning of its type.
TEST_F(BinanceUsdmConnector, VenueOrdersAreTypedTheUsdmWay) {
  ASSERT_NO_FATAL_FAILURE(reconcile_to_stream_open());
  std::string tp = order_json("old-2", "NEW", "0", "0");
  const std::string limit = R"("type":"LIMIT")";
  tp.replace(tp.find(limit), limit.size(), R"("type":"TAKE_PROFIT")");
  respond_last(200, "[" + tp + "]");
  const auto orders = of_type(TH_EV_ORDER);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].client_order_id, "old-2");
  EXPECT_EQ(orders[0].order_type, TH_ORD_TAKE_PROFIT_LIMIT);
}

// Market data in USD-M's stream shapes ("Kline/Candlestick Streams", "Aggregate Trade Streams",
// "Individual Symbol Book Ticker Streams": bookTicker carries e, E and T): closed klines are bars,
// aggTrades trades, bookTickers quotes stamped with their transaction time. Candle 1 of
// data/BTCUSDT-5m-20230102-20230209.csv: 16726.0 / 16726.8 / 16705.0 / 16707.5, volume 1301.173.
TEST_F(BinanceUsdmConnector, MarketStreamsGiveBarsTradesAndQuotes) {
  const uint32_t mask = TH_EV_MASK(TH_EV_BAR) | TH_EV_MASK(TH_EV_TRADE) | TH_EV_MASK(TH_EV_QUOTE);
  ASSERT_EQ(ops_->subscribe(state_, 1, mask, 300'000'000'000), TH_OK);
  EXPECT_EQ(host_.ws_urls, (std::vector<std::string>{"ws://venue/ws/btcusdt@kline_5m", "ws://venue/ws/btcusdt@aggTrade",
                                                     "ws://venue/ws/btcusdt@bookTicker"}));
  auto market = [&](const std::string& frame) {
    ASSERT_EQ(comp_->on_ws(state_, 101, 1, TH_WS_MESSAGE, th(frame)), TH_OK);
  };
  // An open candle is no bar yet.
  market(R"({"e":"kline","E":1672678300000,"s":"BTCUSDT","k":{"t":1672678200000,"T":1672678499999,"s":"BTCUSDT",)"
         R"("i":"5m","f":1,"L":1,"o":"16726.0","c":"16710.0","h":"16726.8","l":"16709.0","v":"100.000","n":1,)"
         R"("x":false,"q":"1671000.00000","V":"0","Q":"0","B":"0"}})");
  EXPECT_TRUE(host_.events.empty());
  market(R"({"e":"kline","E":1672678500000,"s":"BTCUSDT","k":{"t":1672678200000,"T":1672678499999,"s":"BTCUSDT",)"
         R"("i":"5m","f":1,"L":2,"o":"16726.0","c":"16707.5","h":"16726.8","l":"16705.0","v":"1301.173","n":2,)"
         R"("x":true,"q":"21739597.97500","V":"0","Q":"0","B":"0"}})");
  market(R"({"e":"aggTrade","E":1672678499100,"a":5933014,"s":"BTCUSDT","p":"16707.5","q":"0.010","f":100,"l":105,)"
         R"("T":1672678499000,"m":true})");
  market(R"({"e":"bookTicker","u":400900217,"E":1672678499200,"T":1672678499150,"s":"BTCUSDT","b":"16707.5",)"
         R"("B":"31.210","a":"16707.6","A":"40.660"})");
  ASSERT_EQ(host_.events.size(), 3u);
  const Event& bar = host_.events[0];
  EXPECT_EQ(bar.type, uint32_t{TH_EV_BAR});
  EXPECT_EQ(bar.open_time, 1672678200000LL * 1'000'000);
  EXPECT_EQ(bar.ts_event, (1672678200000LL + 300'000) * 1'000'000);  // known when it closes
  EXPECT_EQ(bar.open, 167260);
  EXPECT_EQ(bar.high, 167268);
  EXPECT_EQ(bar.low, 167050);
  EXPECT_EQ(bar.close, 167075);
  EXPECT_EQ(bar.volume, 1301173);
  const Event& trade = host_.events[1];
  EXPECT_EQ(trade.type, uint32_t{TH_EV_TRADE});
  EXPECT_EQ(trade.price, 167075);
  EXPECT_EQ(trade.qty, 10);
  EXPECT_EQ(trade.aggressor, TH_SIDE_SELL);  // the buyer was the maker
  EXPECT_EQ(trade.ts_event, 1672678499000LL * 1'000'000);
  const Event& quote = host_.events[2];
  EXPECT_EQ(quote.type, uint32_t{TH_EV_QUOTE});
  EXPECT_EQ(quote.bid, 167075);
  EXPECT_EQ(quote.bid_qty, 31210);
  EXPECT_EQ(quote.ask, 167076);
  EXPECT_EQ(quote.ask_qty, 40660);
  EXPECT_EQ(quote.ts_event, 1672678499150LL * 1'000'000);
}

TEST_F(BinanceUsdmConnector, MarginTypeRefusalFailsTheReconcileWithTheVenuesWords) {
  ASSERT_EQ(ops_->subscribe(state_, 1, TH_EV_MASK(TH_EV_BAR), 300'000'000'000), TH_OK);
  ASSERT_EQ(ops_->reconcile(state_), TH_OK);
  respond(1, 200, R"({"serverTime":)" + std::to_string(kT0Ms) + "}");
  respond(2, 400, R"({"code":-4048,"msg":"Margin type cannot be changed if there exists position."})");
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].code, TH_STATUS_ERROR);
  EXPECT_EQ(
      host_.events[0].message,
      "reconcile failed: marginType ISOLATED for BTCUSDT refused: HTTP 400 -4048 Margin type cannot be changed if "
      "there exists position.");
  EXPECT_EQ(host_.requests.size(), 3u);  // no leverage, no listenKey
}

TEST_F(BinanceUsdmConnector, UserStreamTradesPositionsAndKeepAlive) {
  ASSERT_NO_FATAL_FAILURE(reconcile_to_stream_open());
  respond_last(200, "[]");                               // openOrders
  respond_last(200, R"({"assets":[],"positions":[]})");  // account
  respond_last(200, "[]");                               // positionRisk
  ASSERT_EQ(host_.events.back().code, TH_STATUS_RECONCILED);
  const th_order o = limit();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond_last(200, order_json("bot-1-1", "NEW", "0", "0"));
  host_.events.clear();

  // A trade on the stream: 0.002 at 16704.5, maker, fee 0.0066818 USDT.
  ws(102, TH_WS_MESSAGE,
     R"({"e":"ORDER_TRADE_UPDATE","E":1672531300001,"T":1672531300000,"o":{"s":"BTCUSDT","c":"bot-1-1","S":"BUY",)"
     R"("o":"LIMIT","f":"GTC","q":"0.002","p":"16704.5","ap":"16704.50000","sp":"0","x":"TRADE","X":"FILLED",)"
     R"("i":4000,"l":"0.002","z":"0.002","L":"16704.5","N":"USDT","n":"0.00668180","T":1672531300000,"t":778,)"
     R"("b":"0","a":"0","m":true,"R":false,"wt":"CONTRACT_PRICE","ot":"LIMIT","ps":"BOTH","cp":false,"rp":"0"}})");
  // Then the account: wallet 1000.5 - 0.0066818 = 1000.4933182; position +0.002 at 16704.5.
  ws(102, TH_WS_MESSAGE,
     R"({"e":"ACCOUNT_UPDATE","E":1672531300002,"T":1672531300000,"a":{"m":"ORDER",)"
     R"("B":[{"a":"USDT","wb":"1000.49331820","cw":"1000.49331820","bc":"0"}],)"
     R"("P":[{"s":"BTCUSDT","pa":"0.002","ep":"16704.5","bep":"16707.8","cr":"0","up":"0","mt":"isolated",)"
     R"("iw":"6.68","ps":"BOTH"}]}})");
  ASSERT_EQ(host_.events.size(), 4u);
  EXPECT_EQ(host_.events[0].type, uint32_t{TH_EV_FILL});
  EXPECT_EQ(host_.events[0].trade_id, "778");
  EXPECT_EQ(host_.events[0].liquidity, TH_LIQ_MAKER);
  EXPECT_EQ(host_.events[0].fee, 668180);
  EXPECT_EQ(host_.events[0].ts_event, 1672531300000LL * 1'000'000);
  EXPECT_EQ(host_.events[1].state, TH_ORDER_FILLED);
  EXPECT_EQ(host_.events[1].filled_qty, 2);
  EXPECT_EQ(host_.events[1].avg, 167045);
  EXPECT_EQ(host_.events[2].type, uint32_t{TH_EV_BALANCE});
  EXPECT_EQ(host_.events[2].free, 100'049'331'820);
  EXPECT_EQ(host_.events[3].type, uint32_t{TH_EV_POSITION});
  EXPECT_EQ(host_.events[3].qty, 2);
  EXPECT_EQ(host_.events[3].avg, 167045);

  // The keep-alive PUT names no listenKey ("Keepalive User Data Stream": no parameters).
  const Timer keep_alive = host_.timers.at(0);
  EXPECT_EQ(keep_alive.period, 30LL * 60 * 1'000'000'000);
  const size_t before = host_.requests.size();
  fire(keep_alive);
  ASSERT_EQ(host_.requests.size(), before + 2);
  EXPECT_EQ(host_.requests[before].method, TH_HTTP_PUT);
  EXPECT_EQ(host_.requests[before].url, "http://venue/fapi/v1/listenKey");
  EXPECT_EQ(host_.requests[before + 1].url, "http://venue/fapi/v1/time");

  // A drop: DISCONNECTED; back: open orders looked up, balances and positions read again, READY.
  ws(102, TH_WS_CLOSED, "eof");
  EXPECT_EQ(host_.events.back().code, TH_STATUS_DISCONNECTED);
  respond_last(200, R"({"listenKey":"LK1"})");
  const size_t at = host_.requests.size();
  ws(102, TH_WS_OPENED);
  ASSERT_EQ(host_.requests.size(), at + 2);  // bot-1-1 is filled: nothing to look up
  EXPECT_EQ(host_.requests[at].path(), "/fapi/v2/account");
  EXPECT_EQ(host_.requests[at + 1].path(), "/fapi/v2/positionRisk");
  EXPECT_EQ(host_.events.back().code, TH_STATUS_READY);
}

// Conditional types go to "New Algo Order" (POST /fapi/v1/algoOrder): algoType CONDITIONAL, the
// host's client order id as clientAlgoId, triggerPrice and workingType, in the page's parameter
// order; "0 on IP rate limit", 1 on the order count. The answer's algoId is the venue order id.
TEST_F(BinanceUsdmConnector, ConditionalOrderGoesToTheAlgoOrderApi) {
  const th_order o = stop();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  ASSERT_EQ(host_.requests.size(), 2u);
  const Request& post = host_.requests[1];
  EXPECT_EQ(post.method, TH_HTTP_POST);
  EXPECT_EQ(post.url,
            "http://venue/fapi/v1/algoOrder?algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=STOP_MARKET"
            "&quantity=0.002&triggerPrice=16705.1&workingType=CONTRACT_PRICE&reduceOnly=true&clientAlgoId=bot-1-2"
            "&newOrderRespType=RESULT&recvWindow=5000&timestamp=" +
                std::to_string(kT0Ms) + "&signature=SIG");
  EXPECT_EQ(post.budgets, "binance-usdm:ORDERS:1m:acct=1");
  EXPECT_EQ(post.flags, uint32_t{TH_HTTP_NOT_IDEMPOTENT});
  respond(1, 200, algo_json("bot-1-2", "NEW"));
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].state, TH_ORDER_NEW);
  EXPECT_EQ(host_.events[0].venue_order_id, "3000");
  EXPECT_EQ(host_.events[0].order_type, TH_ORD_STOP_MARKET);
  EXPECT_EQ(count(TH_HTTP_POST, "/fapi/v1/order"), 0u);
}

// The order the algo order places trades under an orderId and client id nobody has seen; its
// events may come before the ALGO_UPDATE that names it ("ai"). They are held, the algo order is
// asked for, and once it is named they are the host's one order: one fill, FILLED.
TEST_F(BinanceUsdmConnector, ExecutionsOfTheTriggeredOrderAreHeldUntilTheAlgoOrderNamesIt) {
  ASSERT_NO_FATAL_FAILURE(reconciled());
  const th_order o = stop();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond_last(200, algo_json("bot-1-2", "NEW"));
  host_.events.clear();
  const size_t before = host_.requests.size();
  ws(102, TH_WS_MESSAGE, algo_update("TRIGGERING", ""));
  ws(102, TH_WS_MESSAGE, kPlacedNew);
  ws(102, TH_WS_MESSAGE, kPlacedTrade);
  EXPECT_TRUE(host_.events.empty());  // nothing yet: not a foreign order, not a fill of nobody
  ASSERT_EQ(host_.requests.size(), before + 1);
  EXPECT_EQ(host_.requests[before].method, TH_HTTP_GET);
  EXPECT_TRUE(host_.requests[before].has("/fapi/v1/algoOrder?clientAlgoId=bot-1-2&recvWindow=5000"));
  EXPECT_EQ(host_.requests[before].budgets, "binance-usdm:REQUEST_WEIGHT:1m=1");

  ws(102, TH_WS_MESSAGE, algo_update("TRIGGERED", "5000", "MARKET"));
  ASSERT_EQ(host_.events.size(), 2u);
  const Event& fill = host_.events[0];
  EXPECT_EQ(fill.type, uint32_t{TH_EV_FILL});
  EXPECT_EQ(fill.order_id, 11u);
  EXPECT_EQ(fill.client_order_id, "bot-1-2");
  EXPECT_EQ(fill.trade_id, "901");
  EXPECT_EQ(fill.side, TH_SIDE_SELL);
  EXPECT_EQ(fill.liquidity, TH_LIQ_TAKER);
  EXPECT_EQ(fill.qty, 2);
  EXPECT_EQ(fill.price, 167050);
  EXPECT_EQ(fill.fee, 1670500);
  const Event& done = host_.events[1];
  EXPECT_EQ(done.state, TH_ORDER_FILLED);
  EXPECT_EQ(done.order_id, 11u);
  EXPECT_EQ(done.client_order_id, "bot-1-2");
  EXPECT_EQ(done.venue_order_id, "3000");        // still the algo order's id
  EXPECT_EQ(done.order_type, TH_ORD_STOP_MARKET);  // still the host's order
  EXPECT_EQ(done.filled_qty, 2);
  EXPECT_EQ(done.avg, 167050);

  // The rest changes nothing: FINISHED and the held lookup's answer.
  ws(102, TH_WS_MESSAGE, algo_update("FINISHED", "5000", "MARKET"));
  respond(before, 200, algo_json("bot-1-2", "FINISHED", "5000"));
  EXPECT_EQ(host_.events.size(), 2u);
  EXPECT_EQ(count(TH_HTTP_GET, "/fapi/v1/order"), 0u);
}

// Without the ALGO_UPDATE, the answer of the lookup links them (its actualOrderId).
TEST_F(BinanceUsdmConnector, QueryAlgoOrderAnswerLinksTheHeldExecutions) {
  ASSERT_NO_FATAL_FAILURE(reconciled());
  const th_order o = stop();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond_last(200, algo_json("bot-1-2", "NEW"));
  host_.events.clear();
  ws(102, TH_WS_MESSAGE, kPlacedTrade);
  ASSERT_TRUE(host_.requests.back().has("/fapi/v1/algoOrder?clientAlgoId=bot-1-2"));
  respond_last(200, algo_json("bot-1-2", "FINISHED", "5000"));
  ASSERT_EQ(host_.events.size(), 2u);
  EXPECT_EQ(host_.events[0].type, uint32_t{TH_EV_FILL});
  EXPECT_EQ(host_.events[0].client_order_id, "bot-1-2");
  EXPECT_EQ(host_.events[1].state, TH_ORDER_FILLED);
  EXPECT_EQ(count(TH_HTTP_GET, "/fapi/v1/order"), 0u);  // the held trade says it all
}

// An order of someone else's while an algo order of ours waits: held until the algo order's
// answer shows it did not place it (still NEW), then reported as what it is, a foreign order.
TEST_F(BinanceUsdmConnector, AHeldExecutionNoAlgoOrderPlacedGoesOnAsTheOrderItIs) {
  ASSERT_NO_FATAL_FAILURE(reconciled());
  const th_order o = stop();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond_last(200, algo_json("bot-1-2", "NEW"));
  host_.events.clear();
  ws(102, TH_WS_MESSAGE, kPlacedNew);
  EXPECT_TRUE(host_.events.empty());
  respond_last(200, algo_json("bot-1-2", "NEW"));
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].client_order_id, "x7Kq2mN9pQ4rS1tU3vW5yZ");
  EXPECT_EQ(host_.events[0].order_id, 0u);
  EXPECT_EQ(host_.events[0].venue_order_id, "5000");
  EXPECT_EQ(host_.events[0].state, TH_ORDER_NEW);
}

// "Cancel Algo Order": DELETE by clientAlgoId, no symbol; {"code":"200","msg":"success"}.
TEST_F(BinanceUsdmConnector, CancelOfAnAlgoOrderUsesTheAlgoOrderApi) {
  const th_order o = stop();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond(1, 200, algo_json("bot-1-2", "NEW"));
  ASSERT_EQ(ops_->cancel(state_, &o), TH_OK);
  ASSERT_EQ(host_.requests.size(), 3u);
  EXPECT_EQ(host_.requests[2].method, TH_HTTP_DELETE);
  EXPECT_TRUE(host_.requests[2].has("/fapi/v1/algoOrder?clientAlgoId=bot-1-2&recvWindow=5000&timestamp="));
  EXPECT_EQ(host_.requests[2].budgets, "binance-usdm:REQUEST_WEIGHT:1m=1");
  // The "Cancel Algo Order" response example, with this order's ids.
  respond(2, 200, R"({"algoId":3000,"clientAlgoId":"bot-1-2","code":"200","msg":"success"})");
  ASSERT_EQ(host_.events.size(), 2u);
  EXPECT_EQ(host_.events[1].state, TH_ORDER_CANCELED);
  EXPECT_EQ(host_.events[1].venue_order_id, "3000");
}

// Once triggered, an algo order is no longer the algo service's to cancel: a cancel goes to the
// order it placed (DELETE /fapi/v1/order by orderId), whose answer is the host order's end.
TEST_F(BinanceUsdmConnector, CancelAfterTheTriggerCancelsTheOrderItPlaced) {
  ASSERT_NO_FATAL_FAILURE(reconciled());
  const th_order o = stop();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond_last(200, algo_json("bot-1-2", "NEW"));
  ws(102, TH_WS_MESSAGE, algo_update("TRIGGERED", "5000", "MARKET"));
  host_.events.clear();
  ASSERT_EQ(ops_->cancel(state_, &o), TH_OK);
  const Request& del = host_.requests.back();
  EXPECT_EQ(del.method, TH_HTTP_DELETE);
  EXPECT_TRUE(del.has("/fapi/v1/order?symbol=BTCUSDT&orderId=5000&recvWindow=5000")) << del.url;
  std::string canceled = order_json("x7Kq2mN9pQ4rS1tU3vW5yZ", "CANCELED", "0", "0");
  canceled.replace(canceled.find(R"("orderId":4000)"), 14, R"("orderId":5000)");
  respond_last(200, canceled);
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].state, TH_ORDER_CANCELED);
  EXPECT_EQ(host_.events[0].client_order_id, "bot-1-2");
  EXPECT_EQ(host_.events[0].venue_order_id, "3000");
  EXPECT_EQ(count(TH_HTTP_DELETE, "/fapi/v1/algoOrder"), 0u);
}

// The unknown-outcome rule for algo orders: never sent again; looked up by clientAlgoId. The
// venue says it triggered: its order is asked for by orderId, then its trades.
TEST_F(BinanceUsdmConnector, LostAlgoOrderAnswerIsLookedUpAndTheTriggeredOrderFollowed) {
  const th_order o = stop();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond(1, 0, "", TH_ERR_IO, TH_HTTP_MAYBE_SENT, "connection reset");
  ASSERT_EQ(host_.requests.size(), 3u);
  EXPECT_EQ(host_.requests[2].method, TH_HTTP_GET);
  EXPECT_TRUE(host_.requests[2].has("/fapi/v1/algoOrder?clientAlgoId=bot-1-2&recvWindow=5000"));
  respond(2, 200, algo_json("bot-1-2", "FINISHED", "5000"));
  ASSERT_EQ(host_.requests.size(), 4u);
  EXPECT_TRUE(host_.requests[3].has("/fapi/v1/order?symbol=BTCUSDT&orderId=5000&recvWindow=5000"));
  EXPECT_EQ(host_.requests[3].budgets, "binance-usdm:REQUEST_WEIGHT:1m=1");
  // "Query Order" of the MARKET SELL it placed: 0.002 at 16705.0 -> cumQuote 33.41.
  std::string placed = order_json("x7Kq2mN9pQ4rS1tU3vW5yZ", "FILLED", "0.002", "33.41");
  for (auto [from, to] : {std::pair<std::string, std::string>{R"("orderId":4000)", R"("orderId":5000)"},
                          {R"("side":"BUY")", R"("side":"SELL")"}, {R"("type":"LIMIT")", R"("type":"MARKET")"}})
    placed.replace(placed.find(from), from.size(), to);
  respond(3, 200, placed);
  ASSERT_EQ(host_.requests.size(), 5u);
  EXPECT_TRUE(host_.requests[4].has("/fapi/v1/userTrades?symbol=BTCUSDT&orderId=5000&limit=1000"));
  respond(4, 200,
          R"([{"buyer":false,"commission":"0.01670500","commissionAsset":"USDT","id":901,"maker":false,"orderId":5000,)"
          R"("price":"16705.0","qty":"0.002","quoteQty":"33.41","realizedPnl":"0","side":"SELL","positionSide":"BOTH",)"
          R"("symbol":"BTCUSDT","time":1672531300000}])");
  ASSERT_EQ(host_.events.size(), 3u);
  EXPECT_EQ(host_.events[0].state, TH_ORDER_NEW);
  EXPECT_EQ(host_.events[1].type, uint32_t{TH_EV_FILL});
  EXPECT_EQ(host_.events[1].trade_id, "901");
  EXPECT_EQ(host_.events[1].side, TH_SIDE_SELL);
  EXPECT_EQ(host_.events[2].state, TH_ORDER_FILLED);
  EXPECT_EQ(host_.events[2].avg, 167050);  // 33.41 / 0.002
  EXPECT_EQ(host_.events[2].venue_order_id, "3000");
  EXPECT_EQ(count(TH_HTTP_POST, "/fapi/v1/algoOrder"), 1u);
}

// Reconcile reports the open algo orders (typed by their orderType) before the ordinary ones.
TEST_F(BinanceUsdmConnector, ReconcileReportsOpenAlgoOrders) {
  ASSERT_NO_FATAL_FAILURE(reconcile_to_stream_open("[" + algo_json("old-algo", "NEW") + "]"));
  respond_last(200, "[]");                               // openOrders
  respond_last(200, R"({"assets":[],"positions":[]})");  // account
  respond_last(200, "[]");                               // positionRisk
  const auto orders = of_type(TH_EV_ORDER);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].client_order_id, "old-algo");
  EXPECT_EQ(orders[0].state, TH_ORDER_NEW);
  EXPECT_EQ(orders[0].order_type, TH_ORD_STOP_MARKET);
  EXPECT_EQ(orders[0].venue_order_id, "3000");
  EXPECT_EQ(host_.events.back().code, TH_STATUS_RECONCILED);
  EXPECT_EQ(host_.events.back().message, "1 open orders, 0 assets held");
}

}  // namespace
