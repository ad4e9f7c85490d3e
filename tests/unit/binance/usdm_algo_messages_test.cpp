// USD-M Algo Order API messages (algo_orders.hpp): Binance's documented examples parsed to
// fixed-point values worked out by hand. Sources (developers.binance.com/docs/derivatives/
// usds-margined-futures, stored 2026-05): "Query Algo Order (USER_DATA)" and "Current All Algo Open
// Orders (USER_DATA)" response examples, "Cancel Algo Order (TRADE)" response example, "Event:
// Algo Order Update" response example (its comments removed; the English page cuts the example
// off after "act", the Chinese page has it whole and the keys are the same). The one TRIGGERED
// ALGO_UPDATE with an "ai" is a live frame (DOGEUSDT, 2025-12-11) quoted in nautilus_trader issue
// #3287: the documents show "ai" only empty.
#include <gtest/gtest.h>

#include <binance_common/account_messages.hpp>
#include <binance_common/algo_orders.hpp>
#include <map>
#include <string>

namespace {

namespace binance = tradehost::binance;
using binance::AlgoStatus;
using binance::Scales;

// BNBUSDT as the examples print it: prices "750.000" (price_scale 3), quantity "0.01" (qty_scale
// 2); DOGEUSDT: tick 0.00001 (price_scale 5), whole quantities.
const std::map<std::string, Scales, std::less<>> kScales = {{"BNBUSDT", {3, 2}}, {"DOGEUSDT", {5, 0}}};

const binance::ScalesLookup kLookup = [](std::string_view symbol) -> const Scales* {
  auto it = kScales.find(symbol);
  return it == kScales.end() ? nullptr : &it->second;
};

// "Query Algo Order" response example.
const char kQueryExample[] =
    R"({"algoId":2146760,"clientAlgoId":"6B2I9XVcJpCjqPAJ4YoFX7","algoType":"CONDITIONAL","orderType":"TAKE_PROFIT",)"
    R"("symbol":"BNBUSDT","side":"SELL","positionSide":"BOTH","timeInForce":"GTC","quantity":"0.01",)"
    R"("algoStatus":"CANCELED","actualOrderId":"","actualPrice":"0.00000","triggerPrice":"750.000",)"
    R"("price":"750.000","icebergQuantity":null,"tpTriggerPrice":"0.000","tpPrice":"0.000","slTriggerPrice":"0.000",)"
    R"("slPrice":"0.000","tpOrderType":"","selfTradePreventionMode":"EXPIRE_MAKER","workingType":"CONTRACT_PRICE",)"
    R"("priceMatch":"NONE","closePosition":false,"priceProtect":false,"reduceOnly":false,"createTime":1750485492076,)"
    R"("updateTime":1750514545091,"triggerTime":0,"goodTillDate":0})";

TEST(BinanceUsdmAlgoMessages, QueryAlgoOrderDocExample) {
  binance::AlgoOrderReport r;
  std::string error;
  ASSERT_TRUE(binance::parse_algo_order(kQueryExample, kLookup, r, error)) << error;
  EXPECT_EQ(r.symbol, "BNBUSDT");
  EXPECT_EQ(r.algo_id, 2146760);
  EXPECT_EQ(r.client_algo_id, "6B2I9XVcJpCjqPAJ4YoFX7");
  EXPECT_EQ(r.algo_type, "CONDITIONAL");
  EXPECT_EQ(r.order_type, "TAKE_PROFIT");
  EXPECT_EQ(r.side, "SELL");
  EXPECT_EQ(r.time_in_force, "GTC");
  EXPECT_EQ(r.qty, 1);  // 0.01 at qty_scale 2
  EXPECT_EQ(r.status, AlgoStatus::Canceled);
  EXPECT_EQ(r.actual_order_id, -1);  // "": it never triggered
  EXPECT_EQ(r.actual_avg_price, 0);
  EXPECT_EQ(r.trigger_price, 750000);  // 750.000 at price_scale 3
  EXPECT_EQ(r.price, 750000);
  EXPECT_FALSE(r.reduce_only);
  EXPECT_EQ(r.time_ms, 1750514545091);  // updateTime
  EXPECT_EQ(r.trigger_time_ms, 0);
}

TEST(BinanceUsdmAlgoMessages, CurrentAllAlgoOpenOrdersDocExampleAndOtherSymbolsSkipped) {
  const std::string body =
      R"([{"algoId":2148627,"clientAlgoId":"MRumok0dkhrP4kCm12AHaB","algoType":"CONDITIONAL","orderType":"TAKE_PROFIT",)"
      R"("symbol":"BNBUSDT","side":"SELL","positionSide":"BOTH","timeInForce":"GTC","quantity":"0.01","algoStatus":"NEW",)"
      R"("actualOrderId":"","actualPrice":"0.00000","triggerPrice":"750.000","price":"750.000","icebergQuantity":null,)"
      R"("tpTriggerPrice":"0.000","tpPrice":"0.000","slTriggerPrice":"0.000","slPrice":"0.000","tpOrderType":"",)"
      R"("selfTradePreventionMode":"EXPIRE_MAKER","workingType":"CONTRACT_PRICE","priceMatch":"NONE",)"
      R"("closePosition":false,"priceProtect":false,"reduceOnly":false,"createTime":1750514941540,)"
      R"("updateTime":1750514941540,"triggerTime":0,"goodTillDate":0},)"
      R"({"algoId":1,"clientAlgoId":"x","orderType":"STOP","symbol":"ETHUSDT","side":"BUY","algoStatus":"NEW"}])";
  std::vector<binance::AlgoOrderReport> out;
  size_t skipped = 0;
  std::string error;
  ASSERT_TRUE(binance::parse_algo_open_orders(body, kLookup, out, skipped, error)) << error;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(skipped, 1u);  // ETHUSDT has no instrument here
  EXPECT_EQ(out[0].algo_id, 2148627);
  EXPECT_EQ(out[0].client_algo_id, "MRumok0dkhrP4kCm12AHaB");
  EXPECT_EQ(out[0].status, AlgoStatus::New);
  EXPECT_EQ(out[0].time_ms, 1750514941540);
}

TEST(BinanceUsdmAlgoMessages, CancelAlgoOrderDocExample) {
  binance::AlgoCancelAnswer a;
  std::string error;
  ASSERT_TRUE(binance::parse_algo_cancel(
      R"({"algoId":2146760,"clientAlgoId":"6B2I9XVcJpCjqPAJ4YoFX7","code":"200","msg":"success"})", a, error))
      << error;
  EXPECT_EQ(a.algo_id, 2146760);
  EXPECT_EQ(a.client_algo_id, "6B2I9XVcJpCjqPAJ4YoFX7");
  EXPECT_TRUE(a.success());
  EXPECT_EQ(a.msg, "success");
}

TEST(BinanceUsdmAlgoMessages, AlgoUpdateDocExample) {
  binance::UserEvent ev;
  std::string error;
  ASSERT_TRUE(binance::parse_user_event(
      R"({"e":"ALGO_UPDATE","T":1750515742297,"E":1750515742303,"o":{"caid":"Q5xaq5EGKgXXa0fD7fs0Ip","aid":2148719,)"
      R"("at":"CONDITIONAL","o":"TAKE_PROFIT","s":"BNBUSDT","S":"SELL","ps":"BOTH","f":"GTC","q":"0.01",)"
      R"("X":"CANCELED","ai":"","ap":"0.00000","aq":"0.00000","act":"0","tp":"750","p":"750","V":"EXPIRE_MAKER",)"
      R"("wt":"CONTRACT_PRICE","pm":"NONE","cp":false,"pP":false,"R":false,"tt":0,"gtd":0,"rm":"Reduce Only reject"}})",
      kLookup, ev, error))
      << error;
  ASSERT_EQ(ev.kind, binance::UserEventKind::AlgoUpdate);
  EXPECT_EQ(ev.event_type, "ALGO_UPDATE");
  const binance::AlgoOrderReport& r = ev.algo;
  EXPECT_EQ(r.time_ms, 1750515742303);  // "E"
  EXPECT_EQ(r.client_algo_id, "Q5xaq5EGKgXXa0fD7fs0Ip");
  EXPECT_EQ(r.algo_id, 2148719);
  EXPECT_EQ(r.algo_type, "CONDITIONAL");
  EXPECT_EQ(r.order_type, "TAKE_PROFIT");
  EXPECT_EQ(r.symbol, "BNBUSDT");
  EXPECT_EQ(r.side, "SELL");
  EXPECT_EQ(r.qty, 1);
  EXPECT_EQ(r.status, AlgoStatus::Canceled);
  EXPECT_EQ(r.actual_order_id, -1);
  EXPECT_EQ(r.actual_executed_qty, 0);
  EXPECT_EQ(r.actual_order_type, "0");
  EXPECT_EQ(r.trigger_price, 750000);
  EXPECT_EQ(r.price, 750000);
  EXPECT_EQ(r.reason, "Reduce Only reject");
}

TEST(BinanceUsdmAlgoMessages, TriggeredAlgoUpdateNamesThePlacedOrder) {
  binance::UserEvent ev;
  std::string error;
  ASSERT_TRUE(binance::parse_user_event(
      R"({"stream":"QuwZkuPX0yPW7hN7l2UXUkq25xM0e5clh7Byeea1c6XzX5EoYvGok48HJ2FCbDur","data":{"e":"ALGO_UPDATE",)"
      R"("T":1765431097030,"E":1765431097037,"o":{"caid":"O-20251211-053131-ZYWR-000-9","aid":1000000033225453,)"
      R"("at":"CONDITIONAL","o":"STOP_MARKET","s":"DOGEUSDT","S":"BUY","ps":"BOTH","f":"GTC","q":"38",)"
      R"("X":"TRIGGERED","ai":"88937381063","ap":"0","aq":"0","act":"MARKET","tp":"0.13855","p":"0",)"
      R"("V":"EXPIRE_MAKER","wt":"CONTRACT_PRICE","pm":"NONE","cp":false,"pP":false,"R":false,)"
      R"("tt":1765431097019,"gtd":0}}})",
      kLookup, ev, error))
      << error;
  ASSERT_EQ(ev.kind, binance::UserEventKind::AlgoUpdate);
  const binance::AlgoOrderReport& r = ev.algo;
  EXPECT_EQ(r.status, AlgoStatus::Triggered);
  EXPECT_EQ(r.algo_id, 1000000033225453);
  EXPECT_EQ(r.actual_order_id, 88937381063);  // the string "ai" as an orderId
  EXPECT_EQ(r.actual_order_type, "MARKET");
  EXPECT_EQ(r.qty, 38);
  EXPECT_EQ(r.trigger_price, 13855);  // 0.13855 at price_scale 5
  EXPECT_EQ(r.price, 0);
  EXPECT_EQ(r.trigger_time_ms, 1765431097019);
}

TEST(BinanceUsdmAlgoMessages, MalformedAnswersNameTheField) {
  binance::AlgoOrderReport r;
  std::string error;
  std::string body = kQueryExample;
  body.replace(body.find("\"CANCELED\""), 10, "\"PENDING\"");
  EXPECT_FALSE(binance::parse_algo_order(body, kLookup, r, error));
  EXPECT_EQ(error, "algo order BNBUSDT: field 'algoStatus' is not an algo status (\"PENDING\")");
  body = kQueryExample;
  body.replace(body.find(R"("actualOrderId":"")"), 18, R"("actualOrderId":"12x")");
  EXPECT_FALSE(binance::parse_algo_order(body, kLookup, r, error));
  EXPECT_EQ(error, "algo order BNBUSDT: field 'actualOrderId' is not an order id (\"12x\")");
  body = kQueryExample;
  body.replace(body.find("\"quantity\":\"0.01\""), 17, "\"quantity\":\"0.015\"");
  EXPECT_FALSE(binance::parse_algo_order(body, kLookup, r, error));
  EXPECT_NE(error.find("field 'quantity'"), std::string::npos) << error;
}

}  // namespace
