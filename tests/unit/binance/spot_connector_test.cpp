// The real `binance_spot` plugin (build/plugins/libth_binance_spot.so) driven through its C ABI by a
// scripted host (scripted_host.hpp): every HTTP request it makes is recorded and answered here with
// Binance-shaped bodies (rest-api.md 2023-06-07, user-data-stream.md), timers fire when the test
// says, and the events it emits are recorded. This checks plugin.h's LIVE VENUES contract where it matters most:
// an order whose outcome is unknown is looked up by client order id and never sent twice, and
// "Order does not exist." is believed only after timestamp + recvWindow + 2 s. No sockets and no
// sleeps: the clock is the test's.
#include "scripted_host.hpp"

namespace {

using namespace tradehost::binance::scripted;

const char kExchangeInfo[] =
    R"({"timezone":"UTC","serverTime":1672531200000,"rateLimits":[],"exchangeFilters":[],"symbols":[)"
    R"({"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","filters":[)"
    R"({"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"},)"
    R"({"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000","stepSize":"0.00001000"}]}]})";

// An order answer / query answer for bot-1-1 (LIMIT BUY 0.001 at 16000) in `status`.
std::string order_json(const std::string& status, const std::string& executed, const std::string& quote,
                       const std::string& cid = "bot-1-1") {
  return R"({"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":")" + cid +
         R"(","transactTime":1672531200500,"price":"16000.00000000","origQty":"0.00100000","executedQty":")" + executed +
         R"(","cummulativeQuoteQty":")" + quote + R"(","status":")" + status +
         R"(","timeInForce":"GTC","type":"LIMIT","side":"BUY","workingTime":1672531200500,"selfTradePreventionMode":"NONE"})";
}

class BinanceSpotConnector : public ConnectorTest {
 protected:
  BinanceSpotConnector() : ConnectorTest("libth_binance_spot.so", kExchangeInfo) {
    host_.config_i64["request_weight_limit"] = 1200;
    host_.config_i64["orders_per_10s"] = 50;
  }
  /// LIMIT BUY 0.001 BTC (qty_scale 5) at 16000.00 (price_scale 2).
  th_order order(int32_t type = TH_ORD_LIMIT, const char* cid = "bot-1-1") {
    return ConnectorTest::order(type, cid, 100, 1'600'000);
  }
};

TEST_F(BinanceSpotConnector, SubmitSendsOneSignedPostAndReportsTheAcknowledgement) {
  const th_order o = order();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  ASSERT_EQ(host_.requests.size(), 2u);
  const Request& post = host_.requests[1];
  EXPECT_EQ(post.method, TH_HTTP_POST);
  // No server time measured yet: the timestamp is the host clock.
  EXPECT_EQ(post.url, "http://venue/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001"
                      "&price=16000&newClientOrderId=bot-1-1&newOrderRespType=RESULT&recvWindow=5000&timestamp=" +
                          std::to_string(kT0Ms) + "&signature=SIG");
  EXPECT_EQ(post.headers, "X-MBX-APIKEY: KEY");
  EXPECT_EQ(post.budgets, "binance-spot:REQUEST_WEIGHT:1m=1,binance-spot:ORDERS:10s:acct=1");
  EXPECT_EQ(post.flags, uint32_t{TH_HTTP_NOT_IDEMPOTENT});
  respond(1, 200, order_json("NEW", "0.00000000", "0.00000000"));
  ASSERT_EQ(host_.events.size(), 1u);
  const Event& e = host_.events[0];
  EXPECT_EQ(e.type, uint32_t{TH_EV_ORDER});
  EXPECT_EQ(e.state, TH_ORDER_NEW);
  EXPECT_EQ(e.order_id, 11u);
  EXPECT_EQ(e.client_order_id, "bot-1-1");
  EXPECT_EQ(e.venue_order_id, "28");
  EXPECT_EQ(e.instrument, 1u);
  EXPECT_EQ(e.qty, 100);
  EXPECT_EQ(e.price, 1'600'000);
}

TEST_F(BinanceSpotConnector, LostAnswerIsLookedUpNeverResentAndBelievedAbsentOnlyAfterRecvWindow) {
  const th_order o = order();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  host_.now = kT0 + 1'000'000'000;
  respond(1, 0, "", TH_ERR_IO, TH_HTTP_MAYBE_SENT, "connection reset");
  ASSERT_EQ(host_.requests.size(), 3u);
  EXPECT_EQ(host_.requests[2].method, TH_HTTP_GET);
  EXPECT_TRUE(host_.requests[2].has("/api/v3/order?symbol=BTCUSDT&origClientOrderId=bot-1-1&recvWindow=5000"));
  EXPECT_EQ(host_.requests[2].budgets, "binance-spot:REQUEST_WEIGHT:1m=2");
  // 1.1 s after the POST's timestamp the POST might still arrive: "does not exist" is not final.
  host_.now = kT0 + 1'100'000'000;
  respond(2, 400, R"({"code":-2013,"msg":"Order does not exist."})");
  EXPECT_TRUE(host_.events.empty());
  ASSERT_EQ(host_.timers.size(), 1u);
  // settle = timestamp + recvWindow 5000 ms + 2000 ms = T0 + 7 s; now T0 + 1.1 s -> 5.9 s.
  EXPECT_EQ(host_.timers[0].period, 5'900'000'000);
  host_.now = kT0 + 7'000'000'000;
  fire(host_.timers[0]);
  ASSERT_EQ(host_.requests.size(), 4u);
  EXPECT_TRUE(host_.requests[3].has("origClientOrderId=bot-1-1"));
  respond(3, 400, R"({"code":-2013,"msg":"Order does not exist."})");
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].state, TH_ORDER_REJECTED);
  EXPECT_EQ(host_.events[0].reason,
            "not at the venue after the order request broke after it was written (connection reset)");
  EXPECT_EQ(count(TH_HTTP_POST, "/api/v3/order"), 1u);
}

TEST_F(BinanceSpotConnector, ServerErrorIsLookedUpAndTheFoundOrdersFillsAreReported) {
  const th_order o = order();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond(1, 503, R"({"code":-1001,"msg":"Internal error; unable to process your request. Please try again."})");
  ASSERT_EQ(host_.requests.size(), 3u);
  EXPECT_EQ(host_.requests[2].path(), "/api/v3/order");
  EXPECT_EQ(host_.requests[2].method, TH_HTTP_GET);
  respond(2, 200, order_json("FILLED", "0.00100000", "15.99000000"));
  ASSERT_EQ(host_.requests.size(), 4u);
  EXPECT_TRUE(host_.requests[3].has("/api/v3/myTrades?symbol=BTCUSDT&orderId=28&limit=1000&recvWindow=5000"));
  respond(3, 200,
          R"([{"symbol":"BTCUSDT","id":501,"orderId":28,"orderListId":-1,"price":"15990.00000000","qty":"0.00100000",)"
          R"("quoteQty":"15.99000000","commission":"0.00000100","commissionAsset":"BTC","time":1672531201000,)"
          R"("isBuyer":true,"isMaker":false,"isBestMatch":true}])");
  ASSERT_EQ(host_.events.size(), 3u);
  EXPECT_EQ(host_.events[0].state, TH_ORDER_NEW);  // PENDING_NEW -> NEW before any fill, then FILLED
  EXPECT_EQ(host_.events[0].venue_order_id, "28");
  const Event& fill = host_.events[1];
  EXPECT_EQ(fill.type, uint32_t{TH_EV_FILL});
  EXPECT_EQ(fill.trade_id, "501");
  EXPECT_EQ(fill.order_id, 11u);
  EXPECT_EQ(fill.price, 1'599'000);  // 15990.00
  EXPECT_EQ(fill.qty, 100);          // 0.001
  EXPECT_EQ(fill.fee, 100);          // 0.000001 BTC at scale 8
  EXPECT_EQ(fill.asset, "BTC");
  EXPECT_EQ(fill.liquidity, TH_LIQ_TAKER);
  EXPECT_EQ(fill.side, TH_SIDE_BUY);
  EXPECT_EQ(host_.events[2].state, TH_ORDER_FILLED);
  EXPECT_EQ(host_.events[2].filled_qty, 100);
  EXPECT_EQ(host_.events[2].avg, 1'599'000);  // 15.99 USDT / 0.001 BTC = 15990.00
  EXPECT_EQ(count(TH_HTTP_POST, "/api/v3/order"), 1u);
}

TEST_F(BinanceSpotConnector, DefiniteRefusalRejectsWithTheVenuesWords) {
  const th_order o = order();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond(1, 400, R"({"code":-2010,"msg":"Account has insufficient balance for requested action."})");
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].state, TH_ORDER_REJECTED);
  EXPECT_EQ(host_.events[0].reason, "Account has insufficient balance for requested action.");
  EXPECT_EQ(host_.requests.size(), 2u);
}

TEST_F(BinanceSpotConnector, RequestThatNeverLeftIsRejectedAsNotSent) {
  const th_order o = order();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond(1, 0, "", TH_ERR_IO, 0, "connect failed: connection refused");
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].state, TH_ORDER_REJECTED);
  EXPECT_EQ(host_.events[0].reason, "not sent: connect failed: connection refused");
  EXPECT_EQ(host_.requests.size(), 2u);
}

TEST_F(BinanceSpotConnector, RateLimitedOrderIsSentAgainLaterAndClockErrorAfterAResync) {
  const th_order o = order();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond(1, 429, R"({"code":-1015,"msg":"Too many new orders; current limit is 50 orders per 10 SECOND."})", TH_OK, 0,
          "", "Retry-After: 3\r\n");
  EXPECT_TRUE(host_.events.empty());
  ASSERT_EQ(host_.timers.size(), 1u);
  EXPECT_EQ(host_.timers[0].period, 3'000'000'000);  // Retry-After beats the 0.5 s backoff
  fire(host_.timers[0]);
  ASSERT_EQ(host_.requests.size(), 3u);
  EXPECT_EQ(host_.requests[2].path(), "/api/v3/order");
  EXPECT_EQ(host_.requests[2].method, TH_HTTP_POST);  // refused before execution: not a duplicate
  respond(2, 400, R"({"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."})");
  ASSERT_EQ(host_.requests.size(), 4u);
  EXPECT_EQ(host_.requests[3].url, "http://venue/api/v3/time");
  // Queued at T0, answered at T0 + 200 ms: midpoint T0 + 100 ms; server says T0 + 2100 ms.
  host_.now = kT0 + 200'000'000;
  respond(3, 200, R"({"serverTime":)" + std::to_string(kT0Ms + 2100) + "}");
  ASSERT_EQ(host_.requests.size(), 5u);
  EXPECT_TRUE(host_.requests[4].has("&timestamp=" + std::to_string(kT0Ms + 200 + 2000) + "&signature=SIG"));
  respond(4, 400, R"({"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."})");
  ASSERT_EQ(host_.events.size(), 1u);  // once resynced, a second clock error is final
  EXPECT_EQ(host_.events[0].state, TH_ORDER_REJECTED);
  EXPECT_EQ(host_.events[0].reason, "Timestamp for this request is outside of the recvWindow.");
}

TEST_F(BinanceSpotConnector, CancelRefusedAsUnknownFindsTheFinalState) {
  const th_order o = order();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond(1, 200, order_json("NEW", "0.00000000", "0.00000000"));
  ASSERT_EQ(ops_->cancel(state_, &o), TH_OK);
  ASSERT_EQ(host_.requests.size(), 3u);
  EXPECT_EQ(host_.requests[2].method, TH_HTTP_DELETE);
  EXPECT_TRUE(host_.requests[2].has("/api/v3/order?symbol=BTCUSDT&origClientOrderId=bot-1-1&recvWindow="));
  respond(2, 400, R"({"code":-2011,"msg":"Unknown order sent."})");
  ASSERT_EQ(host_.requests.size(), 4u);
  EXPECT_EQ(host_.requests[3].method, TH_HTTP_GET);
  respond(3, 200, order_json("FILLED", "0.00100000", "16.00000000"));
  respond(4, 200, "[]");  // myTrades (the fills came on the stream, say)
  const auto orders = of_type(TH_EV_ORDER);
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[1].state, TH_ORDER_FILLED);
  EXPECT_EQ(orders[1].avg, 1'600'000);
}

TEST_F(BinanceSpotConnector, CancelConfirmedIsCanceled) {
  const th_order o = order();
  ASSERT_EQ(ops_->submit(state_, &o), TH_OK);
  respond(1, 200, order_json("NEW", "0.00000000", "0.00000000"));
  ASSERT_EQ(ops_->cancel(state_, &o), TH_OK);
  respond(2, 200,
          R"({"symbol":"BTCUSDT","origClientOrderId":"bot-1-1","orderId":28,"orderListId":-1,"clientOrderId":"c9",)"
          R"("price":"16000.00000000","origQty":"0.00100000","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000",)"
          R"("status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"BUY","selfTradePreventionMode":"NONE"})");
  ASSERT_EQ(host_.events.size(), 2u);
  EXPECT_EQ(host_.events[1].state, TH_ORDER_CANCELED);
  EXPECT_EQ(host_.events[1].client_order_id, "bot-1-1");
}

TEST_F(BinanceSpotConnector, TrailingStopIsRefusedWithoutARequest) {
  const th_order o = order(TH_ORD_TRAILING_STOP);
  EXPECT_EQ(ops_->submit(state_, &o), TH_ERR_REJECTED);
  EXPECT_EQ(host_.requests.size(), 1u);
  ASSERT_FALSE(host_.logs.empty());
  EXPECT_NE(host_.logs.back().find("no trailing-stop order type"), std::string::npos) << host_.logs.back();
}

TEST_F(BinanceSpotConnector, ReconcileThenTheUserDataStream) {
  ASSERT_EQ(ops_->reconcile(state_), TH_OK);
  ASSERT_EQ(host_.requests.size(), 2u);
  EXPECT_EQ(host_.requests[1].url, "http://venue/api/v3/time");
  EXPECT_EQ(host_.requests[1].headers, "");
  host_.now = kT0 + 100'000'000;
  respond(1, 200, R"({"serverTime":)" + std::to_string(kT0Ms + 500) + "}");  // midpoint T0+50ms: offset 450 ms
  ASSERT_EQ(host_.requests.size(), 3u);
  EXPECT_EQ(host_.requests[2].method, TH_HTTP_POST);
  EXPECT_EQ(host_.requests[2].url, "http://venue/api/v3/userDataStream");
  EXPECT_EQ(host_.requests[2].headers, "X-MBX-APIKEY: KEY");
  respond(2, 200, R"({"listenKey":"LK1"})");
  ASSERT_EQ(host_.ws_urls.size(), 1u);
  EXPECT_EQ(host_.ws_urls[0], "ws://venue/ws/LK1");
  const uint64_t conn = 101;
  ASSERT_EQ(host_.timers.size(), 1u);  // the keep-alive
  EXPECT_EQ(host_.timers[0].period, 30LL * 60 * 1'000'000'000);
  EXPECT_NE(host_.timers[0].repeat, 0);
  ws(conn, TH_WS_OPENED);
  ASSERT_EQ(host_.requests.size(), 4u);
  EXPECT_EQ(host_.requests[3].url, "http://venue/api/v3/openOrders?recvWindow=5000&timestamp=" +
                                       std::to_string(kT0Ms + 100 + 450) + "&signature=SIG");
  EXPECT_EQ(host_.requests[3].budgets, "binance-spot:REQUEST_WEIGHT:1m=40");
  respond(3, 200, "[" + order_json("PARTIALLY_FILLED", "0.00040000", "6.40000000", "old-1") + "]");
  ASSERT_EQ(host_.requests.size(), 5u);
  EXPECT_EQ(host_.requests[4].path(), "/api/v3/account");
  respond(4, 200,
          R"({"makerCommission":10,"balances":[{"asset":"BTC","free":"1.00000000","locked":"0.00000000"},)"
          R"({"asset":"ETH","free":"0.00000000","locked":"0.00000000"},{"asset":"USDT","free":"9000.00000000","locked":"6.40000000"}]})");
  ASSERT_EQ(host_.events.size(), 5u);
  // The venue's open order, named by client order id only (order_id 0: not from this run).
  EXPECT_EQ(host_.events[0].state, TH_ORDER_NEW);
  EXPECT_EQ(host_.events[1].state, TH_ORDER_PARTIALLY_FILLED);
  EXPECT_EQ(host_.events[1].client_order_id, "old-1");
  EXPECT_EQ(host_.events[1].order_id, 0u);
  EXPECT_EQ(host_.events[1].filled_qty, 40);
  EXPECT_EQ(host_.events[1].avg, 1'600'000);  // 6.4 / 0.0004 = 16000.00
  EXPECT_EQ(host_.events[2].asset, "BTC");
  EXPECT_EQ(host_.events[2].free, 100'000'000);
  EXPECT_EQ(host_.events[3].asset, "USDT");  // ETH at zero is left out
  EXPECT_EQ(host_.events[3].locked, 640'000'000);
  EXPECT_EQ(host_.events[4].code, TH_STATUS_RECONCILED);
  host_.events.clear();

  // A trade on the stream: the fill, then the order with its cumulative quantity.
  ws(conn, TH_WS_MESSAGE,
     R"({"e":"executionReport","E":1672531300001,"s":"BTCUSDT","c":"old-1","S":"BUY","o":"LIMIT","f":"GTC",)"
     R"("q":"0.00100000","p":"16000.00000000","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"TRADE",)"
     R"("X":"PARTIALLY_FILLED","r":"NONE","i":28,"l":"0.00020000","z":"0.00060000","L":"16000.00000000",)"
     R"("n":"0.00000020","N":"BTC","T":1672531300000,"t":777,"I":5,"w":true,"m":true,"M":false,)"
     R"("O":1672531200500,"Z":"9.60000000","Y":"3.20000000","Q":"0.00000000","W":1672531200500,"V":"NONE"})");
  ws(conn, TH_WS_MESSAGE,
     R"({"e":"outboundAccountPosition","E":1672531300002,"u":1672531300000,"B":[{"a":"BTC","f":"1.00020000","l":"0.00000000"}]})");
  ASSERT_EQ(host_.events.size(), 3u);
  EXPECT_EQ(host_.events[0].type, uint32_t{TH_EV_FILL});
  EXPECT_EQ(host_.events[0].trade_id, "777");
  EXPECT_EQ(host_.events[0].liquidity, TH_LIQ_MAKER);
  EXPECT_EQ(host_.events[0].qty, 20);
  EXPECT_EQ(host_.events[0].fee, 20);
  EXPECT_EQ(host_.events[1].state, TH_ORDER_PARTIALLY_FILLED);
  EXPECT_EQ(host_.events[1].filled_qty, 60);
  EXPECT_EQ(host_.events[2].type, uint32_t{TH_EV_BALANCE});
  EXPECT_EQ(host_.events[2].free, 100'020'000);
  host_.events.clear();

  // The stream drops: DISCONNECTED, and the listenKey is asked for again.
  ws(conn, TH_WS_CLOSED, "eof");
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].code, TH_STATUS_DISCONNECTED);
  ASSERT_EQ(host_.requests.size(), 6u);
  EXPECT_EQ(host_.requests[5].path(), "/api/v3/userDataStream");
  respond(5, 200, R"({"listenKey":"LK1"})");  // still valid: the same stream reconnects
  EXPECT_EQ(host_.ws_urls.size(), 1u);
  ws(conn, TH_WS_OPENED);
  // Back: the order known open is looked up, balances are read again, READY.
  ASSERT_EQ(host_.requests.size(), 8u);
  EXPECT_TRUE(host_.requests[6].has("/api/v3/order?symbol=BTCUSDT&origClientOrderId=old-1"));
  EXPECT_EQ(host_.requests[7].path(), "/api/v3/account");
  EXPECT_EQ(host_.events.back().code, TH_STATUS_READY);

  // An expired key gets a new one and a new stream.
  ws(conn, TH_WS_CLOSED, "eof");
  respond(8, 200, R"({"listenKey":"LK2"})");
  ASSERT_EQ(host_.ws_urls.size(), 2u);
  EXPECT_EQ(host_.ws_urls[1], "ws://venue/ws/LK2");
  ASSERT_EQ(host_.ws_closed.size(), 1u);
  EXPECT_EQ(host_.ws_closed[0], conn);
}

TEST_F(BinanceSpotConnector, ReconcileWithoutCredentialIsAnError) {
  host_.config_str["credential"] = "";
  api_.credential_api_key = [](th_instance*, th_str*) -> th_status { return TH_ERR_NOT_FOUND; };
  ASSERT_EQ(ops_->reconcile(state_), TH_OK);
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].code, TH_STATUS_ERROR);
  EXPECT_NE(host_.events[0].message.find("no credential"), std::string::npos);
  EXPECT_EQ(host_.requests.size(), 1u);
}

TEST_F(BinanceSpotConnector, QueryReportsFillsThenStateAndAbsenceAsRejected) {
  const th_order o = order(TH_ORD_LIMIT, "bot-0-9");
  ASSERT_EQ(ops_->query(state_, &o), TH_OK);
  ASSERT_EQ(host_.requests.size(), 2u);
  EXPECT_TRUE(host_.requests[1].has("origClientOrderId=bot-0-9"));
  // Taken over from a host that died: its POST, if any, was timestamped before this session began
  // (at T0), so "does not exist" is final only at T0 + recvWindow 5000 ms + 2000 ms = T0 + 7 s.
  respond(1, 400, R"({"code":-2013,"msg":"Order does not exist."})");
  EXPECT_TRUE(host_.events.empty());
  ASSERT_EQ(host_.timers.size(), 1u);
  EXPECT_EQ(host_.timers[0].period, 7'000'000'000);
  host_.now = kT0 + 7'000'000'000;
  fire(host_.timers[0]);
  ASSERT_EQ(host_.requests.size(), 3u);
  EXPECT_TRUE(host_.requests[2].has("origClientOrderId=bot-0-9"));
  respond(2, 400, R"({"code":-2013,"msg":"Order does not exist."})");
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].state, TH_ORDER_REJECTED);
  EXPECT_EQ(host_.events[0].reason, "not at the venue after a query by client order id");
  EXPECT_EQ(host_.events[0].order_id, 11u);
}

}  // namespace
