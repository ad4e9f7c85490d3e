// Account messages: Binance's documented example payloads parsed to fixed-point values worked out
// by hand. Sources: rest-api.md (2023-06-07) "New order (TRADE)" Response ACK / RESULT / FULL,
// "Query order", "Cancel order", "Current open orders", "Account information", "Account trade
// list", "Start user data stream"; user-data-stream.md (2022-12-05) "Order Update" and "Account
// Update". The doc payloads are JavaScript with comments; they are quoted here with the comments
// removed (and, where the doc forgets a comma, with it added), values unchanged.
#include <binance_common/account_messages.hpp>

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

namespace binance = tradehost::binance;
using binance::OrderStatus;
using binance::Scales;

// Scales for the doc's symbols, chosen so every documented value is exact and the raw numbers
// are easy to check: BTCUSDT tick 0.01 / step 0.00001; LTCBTC tick 0.000001 / step 0.01; ETHBTC
// 8 price decimals (the executionReport's "0.10264410") / step 0.001; BNBBTC 8 / 0.01.
const std::map<std::string, Scales, std::less<>> kScales = {
    {"BTCUSDT", {2, 5}}, {"LTCBTC", {6, 2}}, {"ETHBTC", {8, 3}}, {"BNBBTC", {8, 2}}};

const binance::ScalesLookup kLookup = [](std::string_view symbol) -> const Scales* {
  auto it = kScales.find(symbol);
  return it == kScales.end() ? nullptr : &it->second;
};

binance::OrderReport report(std::string_view body) {
  binance::OrderReport r;
  std::string error;
  EXPECT_TRUE(binance::parse_order_report(body, kLookup, r, error)) << error;
  return r;
}

TEST(BinanceAccountMessages, NewOrderAckCarriesNoState) {
  const auto r = report(R"({
  "symbol": "BTCUSDT",
  "orderId": 28,
  "orderListId": -1,
  "clientOrderId": "6gCrw2kRUAF9CvJDGP16IP",
  "transactTime": 1507725176595
})");
  EXPECT_EQ(r.symbol, "BTCUSDT");
  EXPECT_EQ(r.order_id, 28);
  EXPECT_EQ(r.client_order_id, "6gCrw2kRUAF9CvJDGP16IP");
  EXPECT_EQ(r.placed_client_order_id(), "6gCrw2kRUAF9CvJDGP16IP");
  EXPECT_EQ(r.time_ms, 1507725176595);
  EXPECT_FALSE(r.has_state);
  EXPECT_EQ(r.executed_qty, 0);
}

TEST(BinanceAccountMessages, NewOrderResult) {
  const auto r = report(R"({
  "symbol": "BTCUSDT",
  "orderId": 28,
  "orderListId": -1,
  "clientOrderId": "6gCrw2kRUAF9CvJDGP16IP",
  "transactTime": 1507725176595,
  "price": "0.00000000",
  "origQty": "10.00000000",
  "executedQty": "10.00000000",
  "cummulativeQuoteQty": "10.00000000",
  "status": "FILLED",
  "timeInForce": "GTC",
  "type": "MARKET",
  "side": "SELL",
  "workingTime": 1507725176595,
  "selfTradePreventionMode": "NONE"
})");
  EXPECT_TRUE(r.has_state);
  EXPECT_EQ(r.status, OrderStatus::Filled);
  EXPECT_EQ(r.type, "MARKET");
  EXPECT_EQ(r.side, "SELL");
  EXPECT_EQ(r.time_in_force, "GTC");
  EXPECT_EQ(r.price, 0);
  EXPECT_EQ(r.orig_qty, 1'000'000);              // 10 at qty_scale 5
  EXPECT_EQ(r.executed_qty, 1'000'000);
  EXPECT_EQ(r.cumulative_quote_qty, 1'000'000'000);  // 10 at TH_MONEY_SCALE 8
  EXPECT_TRUE(r.fills.empty());
}

TEST(BinanceAccountMessages, NewOrderFull) {
  const auto r = report(R"({
  "symbol": "BTCUSDT",
  "orderId": 28,
  "orderListId": -1,
  "clientOrderId": "6gCrw2kRUAF9CvJDGP16IP",
  "transactTime": 1507725176595,
  "price": "0.00000000",
  "origQty": "10.00000000",
  "executedQty": "10.00000000",
  "cummulativeQuoteQty": "10.00000000",
  "status": "FILLED",
  "timeInForce": "GTC",
  "type": "MARKET",
  "side": "SELL",
  "workingTime": 1507725176595,
  "selfTradePreventionMode": "NONE",
  "fills": [
    {
      "price": "4000.00000000",
      "qty": "1.00000000",
      "commission": "4.00000000",
      "commissionAsset": "USDT",
      "tradeId": 56
    },
    {
      "price": "3999.00000000",
      "qty": "5.00000000",
      "commission": "19.99500000",
      "commissionAsset": "USDT",
      "tradeId": 57
    },
    {
      "price": "3998.00000000",
      "qty": "2.00000000",
      "commission": "7.99600000",
      "commissionAsset": "USDT",
      "tradeId": 58
    },
    {
      "price": "3997.00000000",
      "qty": "1.00000000",
      "commission": "3.99700000",
      "commissionAsset": "USDT",
      "tradeId": 59
    },
    {
      "price": "3995.00000000",
      "qty": "1.00000000",
      "commission": "3.99500000",
      "commissionAsset": "USDT",
      "tradeId": 60
    }
  ]
})");
  ASSERT_EQ(r.fills.size(), 5u);
  struct Expected {
    int64_t trade_id, price, qty, commission;
  };
  // price at scale 2, qty at scale 5, commission at scale 8.
  const Expected expected[] = {{56, 400000, 100000, 400000000},
                               {57, 399900, 500000, 1999500000},
                               {58, 399800, 200000, 799600000},
                               {59, 399700, 100000, 399700000},
                               {60, 399500, 100000, 399500000}};
  for (size_t i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(r.fills[i].trade_id, expected[i].trade_id);
    EXPECT_EQ(r.fills[i].price, expected[i].price);
    EXPECT_EQ(r.fills[i].qty, expected[i].qty);
    EXPECT_EQ(r.fills[i].commission, expected[i].commission);
    EXPECT_EQ(r.fills[i].commission_asset, "USDT");
  }
}

TEST(BinanceAccountMessages, QueryOrder) {
  const auto r = report(R"({
  "symbol": "LTCBTC",
  "orderId": 1,
  "orderListId": -1,
  "clientOrderId": "myOrder1",
  "price": "0.1",
  "origQty": "1.0",
  "executedQty": "0.0",
  "cummulativeQuoteQty": "0.0",
  "status": "NEW",
  "timeInForce": "GTC",
  "type": "LIMIT",
  "side": "BUY",
  "stopPrice": "0.0",
  "icebergQty": "0.0",
  "time": 1499827319559,
  "updateTime": 1499827319559,
  "isWorking": true,
  "workingTime":1499827319559,
  "origQuoteOrderQty": "0.000000",
  "selfTradePreventionMode": "NONE"
})");
  EXPECT_EQ(r.order_id, 1);
  EXPECT_EQ(r.client_order_id, "myOrder1");
  EXPECT_EQ(r.status, OrderStatus::New);
  EXPECT_EQ(r.price, 100000);  // 0.1 at scale 6
  EXPECT_EQ(r.orig_qty, 100);  // 1.0 at scale 2
  EXPECT_EQ(r.executed_qty, 0);
  EXPECT_EQ(r.stop_price, 0);
  EXPECT_EQ(r.time_ms, 1499827319559);  // updateTime
}

TEST(BinanceAccountMessages, CancelOrderNamesThePlacedOrderByOrigClientOrderId) {
  const auto r = report(R"({
  "symbol": "LTCBTC",
  "origClientOrderId": "myOrder1",
  "orderId": 4,
  "orderListId": -1,
  "clientOrderId": "cancelMyOrder1",
  "price": "2.00000000",
  "origQty": "1.00000000",
  "executedQty": "0.00000000",
  "cummulativeQuoteQty": "0.00000000",
  "status": "CANCELED",
  "timeInForce": "GTC",
  "type": "LIMIT",
  "side": "BUY",
  "selfTradePreventionMode": "NONE"
})");
  EXPECT_EQ(r.status, OrderStatus::Canceled);
  EXPECT_EQ(r.client_order_id, "cancelMyOrder1");
  EXPECT_EQ(r.placed_client_order_id(), "myOrder1");
  EXPECT_EQ(r.price, 2'000'000);  // 2 at scale 6
  EXPECT_EQ(r.time_ms, 0);        // a cancel answer has no time
}

TEST(BinanceAccountMessages, OpenOrdersSkipsSymbolsWithoutScales) {
  // The doc's one LTCBTC order, and a second one on a symbol this connector does not trade.
  const char* body = R"([
  {
    "symbol": "LTCBTC", "orderId": 1, "orderListId": -1, "clientOrderId": "myOrder1", "price": "0.1",
    "origQty": "1.0", "executedQty": "0.0", "cummulativeQuoteQty": "0.0", "status": "NEW",
    "timeInForce": "GTC", "type": "LIMIT", "side": "BUY", "stopPrice": "0.0", "icebergQty": "0.0",
    "time": 1499827319559, "updateTime": 1499827319559, "isWorking": true, "origQuoteOrderQty": "0.000000",
    "workingTime": 1499827319559, "selfTradePreventionMode": "NONE"
  },
  {
    "symbol": "DOGEEUR", "orderId": 2, "orderListId": -1, "clientOrderId": "x", "price": "0.07",
    "origQty": "100", "executedQty": "0", "cummulativeQuoteQty": "0", "status": "NEW",
    "timeInForce": "GTC", "type": "LIMIT", "side": "SELL"
  }
])";
  std::vector<binance::OrderReport> out;
  size_t skipped = 0;
  std::string error;
  ASSERT_TRUE(binance::parse_open_orders(body, kLookup, out, skipped, error)) << error;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(out[0].client_order_id, "myOrder1");
  EXPECT_EQ(out[0].price, 100000);
}

TEST(BinanceAccountMessages, OrderErrorsNameTheField) {
  binance::OrderReport r;
  std::string error;
  EXPECT_FALSE(binance::parse_order_report(R"({"symbol":"XYZ","orderId":1})", kLookup, r, error));
  EXPECT_EQ(error, "order: field 'symbol' names symbol 'XYZ', which has no known scales");
  EXPECT_FALSE(binance::parse_order_report(
      R"({"symbol":"LTCBTC","orderId":1,"clientOrderId":"a","price":"0.1234567","origQty":"1","executedQty":"0",)"
      R"("cummulativeQuoteQty":"0","status":"NEW","timeInForce":"GTC","type":"LIMIT","side":"BUY"})",
      kLookup, r, error));
  EXPECT_NE(error.find("order LTCBTC: field 'price'"), std::string::npos) << error;  // 7 decimals at scale 6
  EXPECT_FALSE(binance::parse_order_report(
      R"({"symbol":"LTCBTC","orderId":1,"clientOrderId":"a","price":"0.1","origQty":"1","executedQty":"0",)"
      R"("cummulativeQuoteQty":"0","status":"WORKING","timeInForce":"GTC","type":"LIMIT","side":"BUY"})",
      kLookup, r, error));
  EXPECT_EQ(error, "order LTCBTC: field 'status' is not an order status (\"WORKING\")");
}

TEST(BinanceAccountMessages, StatusesMapToOrderStates) {
  const std::pair<const char*, int32_t> table[] = {
      {"NEW", TH_ORDER_NEW},           {"PARTIALLY_FILLED", TH_ORDER_PARTIALLY_FILLED},
      {"FILLED", TH_ORDER_FILLED},     {"CANCELED", TH_ORDER_CANCELED},
      {"PENDING_CANCEL", TH_ORDER_NEW}, {"REJECTED", TH_ORDER_REJECTED},
      {"EXPIRED", TH_ORDER_EXPIRED},   {"EXPIRED_IN_MATCH", TH_ORDER_EXPIRED}};
  for (const auto& [text, state] : table) {
    OrderStatus s;
    ASSERT_TRUE(binance::parse_order_status(text, s)) << text;
    EXPECT_EQ(binance::th_order_state(s), state) << text;
  }
  OrderStatus s;
  EXPECT_FALSE(binance::parse_order_status("new", s));
}

TEST(BinanceAccountMessages, AveragePriceIsQuoteOverQuantityRoundedHalfUp) {
  // The FULL example's fills: 4000*1 + 3999*5 + 3998*2 + 3997*1 + 3995*1 = 39983 USDT for 10 BTC,
  // average 3998.3 -> 399830 at price_scale 2. Quote 39983 is raw 3998300000000 at scale 8, qty 10
  // raw 1000000 at scale 5.
  EXPECT_EQ(binance::average_price(3'998'300'000'000, 1'000'000, Scales{2, 5}), 399830);
  // 1 quote unit for 3 base units at scales {2, 0}: 0.333.. -> 0.33 (33); 2 for 3: 0.666.. -> 0.67.
  EXPECT_EQ(binance::average_price(100'000'000, 3, Scales{2, 0}), 33);
  EXPECT_EQ(binance::average_price(200'000'000, 3, Scales{2, 0}), 67);
  // Exponent >= 0: scales {8, 8}; 48.000012 quote (4800001200) for 12 base (1200000000):
  // 4.000001 -> raw 400000100 at scale 8.
  EXPECT_EQ(binance::average_price(4'800'001'200, 1'200'000'000, Scales{8, 8}), 400'000'100);
  EXPECT_EQ(binance::average_price(100, 0, Scales{2, 5}), 0);   // nothing filled
  EXPECT_EQ(binance::average_price(-1, 10, Scales{2, 5}), 0);   // "not available"
}

TEST(BinanceAccountMessages, AccountInformationBalances) {
  std::vector<binance::Balance> out;
  std::string error;
  ASSERT_TRUE(binance::parse_account_balances(R"({
  "makerCommission": 15,
  "takerCommission": 15,
  "buyerCommission": 0,
  "sellerCommission": 0,
  "commissionRates": {
    "maker": "0.00150000",
    "taker": "0.00150000",
    "buyer": "0.00000000",
    "seller": "0.00000000"
  },
  "canTrade": true,
  "canWithdraw": true,
  "canDeposit": true,
  "brokered":false,
  "requireSelfTradePrevention": false,
  "updateTime": 123456789,
  "accountType": "SPOT",
  "balances": [
    {
      "asset": "BTC",
      "free": "4723846.89208129",
      "locked": "0.00000000"
    },
    {
      "asset": "LTC",
      "free": "4763368.68006011",
      "locked": "0.00000000"
    }
  ],
    "permissions": [
    "SPOT"
  ]
})",
                                              out, error))
      << error;
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].asset, "BTC");
  EXPECT_EQ(out[0].free, 472'384'689'208'129);  // 4723846.89208129 at scale 8
  EXPECT_EQ(out[0].locked, 0);
  EXPECT_EQ(out[1].asset, "LTC");
  EXPECT_EQ(out[1].free, 476'336'868'006'011);
}

TEST(BinanceAccountMessages, AccountTradeList) {
  std::vector<binance::AccountTrade> out;
  std::string error;
  ASSERT_TRUE(binance::parse_account_trades(R"([
  {
    "symbol": "BNBBTC",
    "id": 28457,
    "orderId": 100234,
    "orderListId": -1,
    "price": "4.00000100",
    "qty": "12.00000000",
    "quoteQty": "48.000012",
    "commission": "10.10000000",
    "commissionAsset": "BNB",
    "time": 1499865549590,
    "isBuyer": true,
    "isMaker": false,
    "isBestMatch": true
  }
])",
                                            kScales.at("BNBBTC"), out, error))
      << error;
  ASSERT_EQ(out.size(), 1u);
  const auto& t = out[0];
  EXPECT_EQ(t.symbol, "BNBBTC");
  EXPECT_EQ(t.id, 28457);
  EXPECT_EQ(t.order_id, 100234);
  EXPECT_EQ(t.price, 400'000'100);      // 4.00000100 at scale 8
  EXPECT_EQ(t.qty, 1200);               // 12 at scale 2
  EXPECT_EQ(t.quote_qty, 4'800'001'200);  // 48.000012 at scale 8
  EXPECT_EQ(t.commission, 1'010'000'000); // 10.1 at scale 8
  EXPECT_EQ(t.commission_asset, "BNB");
  EXPECT_EQ(t.time_ms, 1499865549590);
  EXPECT_TRUE(t.is_buyer);
  EXPECT_FALSE(t.is_maker);
}

TEST(BinanceAccountMessages, ListenKey) {
  std::string key, error;
  ASSERT_TRUE(binance::parse_listen_key(
      R"({"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"})", key, error));
  EXPECT_EQ(key, "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1");
  EXPECT_FALSE(binance::parse_listen_key(R"({"listenKey": ""})", key, error));
}

// user-data-stream.md "Order Update". The doc lacks the comma after "J": 1000000; added.
constexpr char kExecutionReportDoc[] = R"({
  "e": "executionReport",
  "E": 1499405658658,
  "s": "ETHBTC",
  "c": "mUvoqJxFIILMdfAW5iGSOW",
  "S": "BUY",
  "o": "LIMIT",
  "f": "GTC",
  "q": "1.00000000",
  "p": "0.10264410",
  "P": "0.00000000",
  "d": 4,
  "F": "0.00000000",
  "g": -1,
  "C": "",
  "x": "NEW",
  "X": "NEW",
  "r": "NONE",
  "i": 4293153,
  "l": "0.00000000",
  "z": "0.00000000",
  "L": "0.00000000",
  "n": "0",
  "N": null,
  "T": 1499405658657,
  "t": -1,
  "I": 8641984,
  "w": true,
  "m": false,
  "M": false,
  "O": 1499405658657,
  "Z": "0.00000000",
  "Y": "0.00000000",
  "Q": "0.00000000",
  "D": 1668680518494,
  "j": 1,
  "J": 1000000,
  "W": 1499405658657,
  "V": "NONE"
})";

TEST(BinanceAccountMessages, ExecutionReportDocExample) {
  binance::UserEvent ev;
  std::string error;
  ASSERT_TRUE(binance::parse_user_event(kExecutionReportDoc, kLookup, ev, error)) << error;
  ASSERT_EQ(ev.kind, binance::UserEventKind::ExecutionReport);
  const binance::ExecutionReport& e = ev.execution;
  EXPECT_EQ(e.event_time_ms, 1499405658658);
  EXPECT_EQ(e.symbol, "ETHBTC");
  EXPECT_EQ(e.client_order_id, "mUvoqJxFIILMdfAW5iGSOW");
  EXPECT_EQ(e.placed_client_order_id(), "mUvoqJxFIILMdfAW5iGSOW");  // "C" is empty
  EXPECT_EQ(e.side, "BUY");
  EXPECT_EQ(e.order_type, "LIMIT");
  EXPECT_EQ(e.time_in_force, "GTC");
  EXPECT_EQ(e.qty, 1000);             // 1 at qty_scale 3
  EXPECT_EQ(e.price, 10'264'410);     // 0.10264410 at price_scale 8
  EXPECT_EQ(e.stop_price, 0);
  EXPECT_EQ(e.execution_type, "NEW");
  EXPECT_EQ(e.status, OrderStatus::New);
  EXPECT_EQ(e.reject_reason, "NONE");
  EXPECT_EQ(e.order_id, 4293153);
  EXPECT_EQ(e.last_qty, 0);
  EXPECT_EQ(e.cumulative_qty, 0);
  EXPECT_EQ(e.last_price, 0);
  EXPECT_EQ(e.commission, 0);
  EXPECT_EQ(e.commission_asset, "");  // null
  EXPECT_EQ(e.transaction_time_ms, 1499405658657);
  EXPECT_EQ(e.trade_id, -1);
  EXPECT_FALSE(e.maker);
  EXPECT_EQ(e.cumulative_quote_qty, 0);
}

TEST(BinanceAccountMessages, ExecutionReportOfATradeAndOfACancel) {
  // A hand-written TRADE report in the documented shape (combined-stream envelope around it): a
  // second partial fill of 0.001 BTC at 16500.01 after 0.002 at 16500.00, so z = 0.003 and
  // Z = 33.00 + 16.50001 = 49.50001 USDT; commission 0.000001 BNB.
  const char* trade = R"({"stream":"k","data":{"e":"executionReport","E":1672531200100,"s":"BTCUSDT","c":"bot-1-7",)"
                      R"("S":"SELL","o":"LIMIT","f":"GTC","q":"0.01000000","p":"16500.00000000","P":"0.00000000",)"
                      R"("F":"0.00000000","g":-1,"C":"","x":"TRADE","X":"PARTIALLY_FILLED","r":"NONE","i":99,)"
                      R"("l":"0.00100000","z":"0.00300000","L":"16500.01000000","n":"0.00000100","N":"BNB",)"
                      R"("T":1672531200099,"t":12345,"I":1,"w":true,"m":true,"M":false,"O":1672531100000,)"
                      R"("Z":"49.50001000","Y":"16.50001000","Q":"0.00000000","W":1672531100000,"V":"NONE"}})";
  binance::UserEvent ev;
  std::string error;
  ASSERT_TRUE(binance::parse_user_event(trade, kLookup, ev, error)) << error;
  const binance::ExecutionReport& e = ev.execution;
  EXPECT_EQ(e.execution_type, "TRADE");
  EXPECT_EQ(e.status, OrderStatus::PartiallyFilled);
  EXPECT_EQ(e.qty, 1000);               // 0.01 at scale 5
  EXPECT_EQ(e.price, 1'650'000);        // 16500.00 at scale 2
  EXPECT_EQ(e.last_qty, 100);           // 0.001
  EXPECT_EQ(e.cumulative_qty, 300);     // 0.003
  EXPECT_EQ(e.last_price, 1'650'001);   // 16500.01
  EXPECT_EQ(e.commission, 100);         // 0.000001 at scale 8
  EXPECT_EQ(e.commission_asset, "BNB");
  EXPECT_EQ(e.trade_id, 12345);
  EXPECT_TRUE(e.maker);
  EXPECT_EQ(e.cumulative_quote_qty, 4'950'001'000);  // 49.50001 at scale 8
  EXPECT_EQ(e.last_quote_qty, 1'650'001'000);
  // avg = 49.50001 / 0.003 = 16500.00333.. -> 16500.00 at scale 2
  EXPECT_EQ(binance::average_price(e.cumulative_quote_qty, e.cumulative_qty, kScales.at("BTCUSDT")), 1'650'000);

  // A cancel: "c" is the cancel request's own id, "C" the order's.
  std::string cancel = kExecutionReportDoc;
  cancel.replace(cancel.find(R"("C": "")"), 7, R"("C": "myOrder1")");
  cancel.replace(cancel.find(R"("x": "NEW")"), 10, R"("x": "CANCELED")");
  cancel.replace(cancel.find(R"("X": "NEW")"), 10, R"("X": "CANCELED")");
  ASSERT_TRUE(binance::parse_user_event(cancel, kLookup, ev, error)) << error;
  EXPECT_EQ(ev.execution.status, OrderStatus::Canceled);
  EXPECT_EQ(ev.execution.placed_client_order_id(), "myOrder1");
}

TEST(BinanceAccountMessages, OutboundAccountPositionDocExample) {
  binance::UserEvent ev;
  std::string error;
  ASSERT_TRUE(binance::parse_user_event(R"({
  "e": "outboundAccountPosition",
  "E": 1564034571105,
  "u": 1564034571073,
  "B": [
    {
      "a": "ETH",
      "f": "10000.000000",
      "l": "0.000000"
    }
  ]
})",
                                        kLookup, ev, error))
      << error;
  ASSERT_EQ(ev.kind, binance::UserEventKind::AccountPosition);
  EXPECT_EQ(ev.account.event_time_ms, 1564034571105);
  EXPECT_EQ(ev.account.last_update_ms, 1564034571073);
  ASSERT_EQ(ev.account.balances.size(), 1u);
  EXPECT_EQ(ev.account.balances[0].asset, "ETH");
  EXPECT_EQ(ev.account.balances[0].free, 1'000'000'000'000);  // 10000 at scale 8
  EXPECT_EQ(ev.account.balances[0].locked, 0);
}

TEST(BinanceAccountMessages, OtherUserEventsAreNamedNotParsed) {
  binance::UserEvent ev;
  std::string error;
  ASSERT_TRUE(binance::parse_user_event(
      R"({"e":"balanceUpdate","E":1573200697110,"a":"BTC","d":"100.00000000","T":1573200697068})", kLookup, ev, error));
  EXPECT_EQ(ev.kind, binance::UserEventKind::Other);
  EXPECT_EQ(ev.event_type, "balanceUpdate");
  std::string unknown = kExecutionReportDoc;
  unknown.replace(unknown.find("ETHBTC"), 6, "ETHEUR");
  EXPECT_FALSE(binance::parse_user_event(unknown, kLookup, ev, error));
  EXPECT_EQ(error, "executionReport ETHEUR: field 's' names symbol 'ETHEUR', which has no known scales");
}

}  // namespace
