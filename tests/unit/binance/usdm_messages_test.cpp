// USD-M futures messages: Binance's documented example payloads parsed to
// fixed-point values worked out by hand. Sources (developers.binance.com/docs/derivatives/
// usds-margined-futures, as stored 2026-05): "Event: Order Update" (ORDER_TRADE_UPDATE), "Event:
// Balance and Position Update" (ACCOUNT_UPDATE), "Position Information V2" (GET
// /fapi/v2/positionRisk), "Account Information V2" (GET /fapi/v2/account), "Account Trade
// List" (GET /fapi/v1/userTrades), "Query Order" (GET /fapi/v1/order), "Exchange Information".
// The USD-M order parameters are tested in order_params_test.cpp, beside spot's.
// The doc payloads are quoted with their comments removed; where the doc's JSON is broken (a
// full-width comma "，" between ACCOUNT_UPDATE positions, ",," in positionRisk, missing commas in
// Account Information V2) it is mended and
// the values are left unchanged. The ORDER_TRADE_UPDATE of a trade is written here in the doc's
// shape (the doc's only example is a NEW trailing stop).
#include <gtest/gtest.h>

#include <binance_common/account_messages.hpp>
#include <binance_common/exchange_info.hpp>
#include <binance_common/order_params.hpp>
#include <map>
#include <string>

namespace {

namespace binance = tradehost::binance;
using binance::OrderStatus;
using binance::Scales;

// BTCUSDT perpetual: tick 0.10 would do for the market, but the docs' prices have two decimals
// ("7103.04", "7819.01"), so price_scale 2; step 0.001 (qty_scale 3), as the docs' quantities.
const std::map<std::string, Scales, std::less<>> kScales = {{"BTCUSDT", {2, 3}}};

const binance::ScalesLookup kLookup = [](std::string_view symbol) -> const Scales* {
  auto it = kScales.find(symbol);
  return it == kScales.end() ? nullptr : &it->second;
};

binance::UserEvent user_event(std::string_view frame) {
  binance::UserEvent ev;
  std::string error;
  EXPECT_TRUE(binance::parse_user_event(frame, kLookup, ev, error)) << error;
  return ev;
}

TEST(BinanceUsdmMessages, OrderTradeUpdateDocExample) {
  const binance::UserEvent ev = user_event(
      R"({"e":"ORDER_TRADE_UPDATE","E":1568879465651,"T":1568879465650,"o":{"s":"BTCUSDT","c":"TEST","S":"SELL",)"
      R"("o":"TRAILING_STOP_MARKET","f":"GTC","q":"0.001","p":"0","ap":"0","sp":"7103.04","x":"NEW","X":"NEW",)"
      R"("i":8886774,"l":"0","z":"0","L":"0","N":"USDT","n":"0","T":1568879465650,"t":0,"b":"0","a":"9.91",)"
      R"("m":false,"R":false,"wt":"CONTRACT_PRICE","ot":"TRAILING_STOP_MARKET","ps":"LONG","cp":false,)"
      R"("AP":"7476.89","cr":"5.0","pP":false,"si":0,"ss":0,"rp":"0","V":"EXPIRE_TAKER","pm":"OPPONENT",)"
      R"("gtd":0,"er":"0"}})");
  ASSERT_EQ(ev.kind, binance::UserEventKind::ExecutionReport);
  const binance::ExecutionReport& e = ev.execution;
  EXPECT_EQ(e.event_time_ms, 1568879465651);
  EXPECT_EQ(e.symbol, "BTCUSDT");
  EXPECT_EQ(e.client_order_id, "TEST");
  EXPECT_EQ(e.placed_client_order_id(), "TEST");
  EXPECT_EQ(e.side, "SELL");
  EXPECT_EQ(e.order_type, "TRAILING_STOP_MARKET");
  EXPECT_EQ(e.time_in_force, "GTC");
  EXPECT_EQ(e.qty, 1);  // 0.001 at qty_scale 3
  EXPECT_EQ(e.price, 0);
  EXPECT_EQ(e.stop_price, 710304);  // 7103.04 at price_scale 2
  EXPECT_EQ(e.execution_type, "NEW");
  EXPECT_EQ(e.status, OrderStatus::New);
  EXPECT_EQ(e.order_id, 8886774);
  EXPECT_EQ(e.last_qty, 0);
  EXPECT_EQ(e.cumulative_qty, 0);
  EXPECT_EQ(e.last_price, 0);
  EXPECT_EQ(e.commission_asset, "USDT");
  EXPECT_EQ(e.commission, 0);
  EXPECT_EQ(e.transaction_time_ms, 1568879465650);
  EXPECT_EQ(e.trade_id, 0);
  EXPECT_FALSE(e.maker);
  EXPECT_FALSE(e.reduce_only);
  EXPECT_EQ(e.avg_price, 0);
  EXPECT_EQ(e.realized_pnl, 0);
  EXPECT_EQ(e.reject_reason, "");
}

TEST(BinanceUsdmMessages, OrderTradeUpdateOfATradeWithAnAveragePriceOffTheTick) {
  // A BUY 0.003 filled 0.001 at 16704.50 and now 0.002 at 16704.55: average
  // (16704.50 x 1 + 16704.55 x 2) / 3 = 16704.5333.. -> "ap":"16704.53333", half up at 2 decimals
  // = 16704.53. Commission 0.002 x 16704.55 x 0.0002 (maker) = 0.00668182 USDT.
  const binance::UserEvent ev = user_event(
      R"({"e":"ORDER_TRADE_UPDATE","E":1672531300001,"T":1672531300000,"o":{"s":"BTCUSDT","c":"bot-1-1","S":"BUY",)"
      R"("o":"LIMIT","f":"GTC","q":"0.003","p":"16704.60","ap":"16704.53333","sp":"0","x":"TRADE",)"
      R"("X":"FILLED","i":42,"l":"0.002","z":"0.003","L":"16704.55","N":"USDT","n":"0.00668182",)"
      R"("T":1672531300000,"t":9001,"b":"0","a":"0","m":true,"R":true,"wt":"CONTRACT_PRICE","ot":"LIMIT",)"
      R"("ps":"BOTH","cp":false,"rp":"-0.12000000","V":"EXPIRE_MAKER","pm":"NONE","gtd":0}})");
  const binance::ExecutionReport& e = ev.execution;
  EXPECT_EQ(e.execution_type, "TRADE");
  EXPECT_EQ(e.status, OrderStatus::Filled);
  EXPECT_EQ(e.qty, 3);
  EXPECT_EQ(e.price, 1670460);
  EXPECT_EQ(e.last_qty, 2);
  EXPECT_EQ(e.cumulative_qty, 3);
  EXPECT_EQ(e.last_price, 1670455);
  EXPECT_EQ(e.avg_price, 1670453);
  EXPECT_EQ(e.commission, 668182);
  EXPECT_EQ(e.trade_id, 9001);
  EXPECT_TRUE(e.maker);
  EXPECT_TRUE(e.reduce_only);
  EXPECT_EQ(e.realized_pnl, -12'000'000);
}

TEST(BinanceUsdmMessages, OrderTradeUpdateWithoutCommissionFields) {
  // "N" / "n": "will not push if no commission".
  const binance::UserEvent ev =
      user_event(R"({"e":"ORDER_TRADE_UPDATE","E":1,"T":1,"o":{"s":"BTCUSDT","c":"x","S":"BUY","o":"LIMIT","f":"GTX",)"
                 R"("q":"1","p":"1.5","ap":"0","sp":"0","x":"NEW","X":"NEW","i":1,"l":"0","z":"0","L":"0","T":1,"t":0,)"
                 R"("m":false,"R":false,"rp":"0"}})");
  EXPECT_EQ(ev.execution.commission, 0);
  EXPECT_EQ(ev.execution.commission_asset, "");
  EXPECT_EQ(ev.execution.qty, 1000);
  EXPECT_EQ(ev.execution.price, 150);
}

TEST(BinanceUsdmMessages, AccountUpdateDocExample) {
  const binance::UserEvent ev = user_event(
      R"({"e":"ACCOUNT_UPDATE","E":1564745798939,"T":1564745798938,"a":{"m":"ORDER","B":[)"
      R"({"a":"USDT","wb":"122624.12345678","cw":"100.12345678","bc":"50.12345678"},)"
      R"({"a":"BUSD","wb":"1.00000000","cw":"0.00000000","bc":"-49.12345678"}],"P":[)"
      R"({"s":"BTCUSDT","pa":"0","ep":"0.00000","bep":"0","cr":"200","up":"0","mt":"isolated","iw":"0.00000000","ps":"BOTH"},)"
      R"({"s":"BTCUSDT","pa":"20","ep":"6563.66500","bep":"0","cr":"0","up":"2850.21200","mt":"isolated",)"
      R"("iw":"13200.70726908","ps":"LONG"},)"
      R"({"s":"BTCUSDT","pa":"-10","ep":"6563.86000","bep":"6563.6","cr":"-45.04000000","up":"-1423.15600",)"
      R"("mt":"isolated","iw":"6570.42511771","ps":"SHORT"}]}})");
  ASSERT_EQ(ev.kind, binance::UserEventKind::AccountUpdate);
  const binance::AccountUpdate& a = ev.account_update;
  EXPECT_EQ(a.event_time_ms, 1564745798939);
  EXPECT_EQ(a.transaction_time_ms, 1564745798938);
  EXPECT_EQ(a.reason, "ORDER");
  ASSERT_EQ(a.balances.size(), 2u);
  EXPECT_EQ(a.balances[0].asset, "USDT");
  EXPECT_EQ(a.balances[0].free, 12'262'412'345'678);  // 122624.12345678 at 8 decimals
  EXPECT_EQ(a.balances[0].locked, 0);
  EXPECT_EQ(a.balances[1].asset, "BUSD");
  EXPECT_EQ(a.balances[1].free, 100'000'000);
  ASSERT_EQ(a.positions.size(), 3u);
  EXPECT_EQ(a.positions[0].position_side, "BOTH");
  EXPECT_EQ(a.positions[0].amount, 0);
  EXPECT_EQ(a.positions[0].entry_price, 0);
  EXPECT_EQ(a.positions[1].position_side, "LONG");
  EXPECT_EQ(a.positions[1].amount, 20'000);        // 20 at qty_scale 3
  EXPECT_EQ(a.positions[1].entry_price, 656'367);  // 6563.665 -> 6563.67 (half up at 2)
  EXPECT_EQ(a.positions[1].unrealized_pnl, 285'021'200'000);
  EXPECT_EQ(a.positions[2].position_side, "SHORT");
  EXPECT_EQ(a.positions[2].amount, -10'000);
  EXPECT_EQ(a.positions[2].entry_price, 656'386);
  EXPECT_EQ(a.positions[2].unrealized_pnl, -142'315'600'000);
  EXPECT_EQ(a.skipped_positions, 0u);
}

TEST(BinanceUsdmMessages, AccountUpdateSkipsPositionsOfUnknownSymbols) {
  const binance::UserEvent ev =
      user_event(R"({"e":"ACCOUNT_UPDATE","E":2,"T":1,"a":{"m":"FUNDING_FEE","B":[{"a":"USDT","wb":"-0.5","cw":"0"}],)"
                 R"("P":[{"s":"ETHUSDT","pa":"1","ep":"1","up":"0","ps":"BOTH"}]}})");
  EXPECT_EQ(ev.account_update.balances[0].free, -50'000'000);  // a wallet can go below zero
  EXPECT_TRUE(ev.account_update.positions.empty());
  EXPECT_EQ(ev.account_update.skipped_positions, 1u);
}

TEST(BinanceUsdmMessages, PositionRiskDocExamples) {
  std::vector<binance::FuturesPosition> out;
  size_t skipped = 9;
  std::string error;
  // One-way mode example.
  ASSERT_TRUE(binance::parse_position_risk(
      R"([{"entryPrice":"0.00000","breakEvenPrice":"0.0","marginType":"isolated","isAutoAddMargin":"false",)"
      R"("isolatedMargin":"0.00000000","leverage":"10","liquidationPrice":"0","markPrice":"6679.50671178",)"
      R"("maxNotionalValue":"20000000","positionAmt":"0.000","notional":"0","isolatedWallet":"0",)"
      R"("symbol":"BTCUSDT","unRealizedProfit":"0.00000000","positionSide":"BOTH","updateTime":0}])",
      kLookup, out, skipped, error))
      << error;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(skipped, 0u);
  EXPECT_EQ(out[0].symbol, "BTCUSDT");
  EXPECT_EQ(out[0].position_side, "BOTH");
  EXPECT_EQ(out[0].amount, 0);
  EXPECT_EQ(out[0].entry_price, 0);
  // Hedge mode example, plus a symbol without scales.
  ASSERT_TRUE(binance::parse_position_risk(
      R"([{"symbol":"BTCUSDT","positionAmt":"0.001","entryPrice":"22185.2","breakEvenPrice":"0.0",)"
      R"("markPrice":"21123.05052574","unRealizedProfit":"-1.06214947","liquidationPrice":"19731.45529116",)"
      R"("leverage":"4","maxNotionalValue":"100000000","marginType":"cross","isolatedMargin":"0.00000000",)"
      R"("isAutoAddMargin":"false","positionSide":"LONG","notional":"21.12305052","isolatedWallet":"0",)"
      R"("updateTime":1655217461579},)"
      R"({"symbol":"ETHUSDT","positionAmt":"1","entryPrice":"1","unRealizedProfit":"0","positionSide":"BOTH"}])",
      kLookup, out, skipped, error))
      << error;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(out[0].position_side, "LONG");
  EXPECT_EQ(out[0].amount, 1);               // 0.001 at qty_scale 3
  EXPECT_EQ(out[0].entry_price, 2'218'520);  // 22185.2 at price_scale 2
  EXPECT_EQ(out[0].unrealized_pnl, -106'214'947);
}

TEST(BinanceUsdmMessages, AccountInformationDocExample) {
  // Single-asset mode example.
  std::vector<binance::Balance> out;
  std::string error;
  ASSERT_TRUE(binance::parse_futures_account(
      R"({"feeTier":0,"feeBurn":true,"canTrade":true,"canDeposit":true,"canWithdraw":true,"updateTime":0,)"
      R"("multiAssetsMargin":false,"tradeGroupId":-1,"totalInitialMargin":"0.00000000","totalMaintMargin":"0.00000000",)"
      R"("totalWalletBalance":"23.72469206","totalUnrealizedProfit":"0.00000000","totalMarginBalance":"23.72469206",)"
      R"("totalPositionInitialMargin":"0.00000000","totalOpenOrderInitialMargin":"0.00000000",)"
      R"("totalCrossWalletBalance":"23.72469206","totalCrossUnPnl":"0.00000000","availableBalance":"23.72469206",)"
      R"("maxWithdrawAmount":"23.72469206","assets":[)"
      R"({"asset":"USDT","walletBalance":"23.72469206","unrealizedProfit":"0.00000000","marginBalance":"23.72469206",)"
      R"("maintMargin":"0.00000000","initialMargin":"0.00000000","positionInitialMargin":"0.00000000",)"
      R"("openOrderInitialMargin":"0.00000000","crossWalletBalance":"23.72469206","crossUnPnl":"0.00000000",)"
      R"("availableBalance":"23.72469206","maxWithdrawAmount":"23.72469206","marginAvailable":true,)"
      R"("updateTime":1625474304765},)"
      R"({"asset":"BUSD","walletBalance":"103.12345678","unrealizedProfit":"0.00000000","marginBalance":"103.12345678",)"
      R"("maintMargin":"0.00000000","initialMargin":"0.00000000","positionInitialMargin":"0.00000000",)"
      R"("openOrderInitialMargin":"0.00000000","crossWalletBalance":"103.12345678","crossUnPnl":"0.00000000",)"
      R"("availableBalance":"103.12345678","maxWithdrawAmount":"103.12345678","marginAvailable":true,)"
      R"("updateTime":1625474304765}],)"
      R"("positions":[{"symbol":"BTCUSDT","initialMargin":"0","maintMargin":"0","unrealizedProfit":"0.00000000",)"
      R"("positionInitialMargin":"0","openOrderInitialMargin":"0","leverage":"100","isolated":true,)"
      R"("entryPrice":"0.00000","maxNotional":"250000","bidNotional":"0","askNotional":"0","positionSide":"BOTH",)"
      R"("positionAmt":"0","updateTime":0}]})",
      out, error))
      << error;
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].asset, "USDT");
  EXPECT_EQ(out[0].free, 2'372'469'206);  // the wallet balance, 23.72469206
  EXPECT_EQ(out[0].locked, 0);
  EXPECT_EQ(out[1].asset, "BUSD");
  EXPECT_EQ(out[1].free, 10'312'345'678);
}

TEST(BinanceUsdmMessages, UserTradesDocExample) {
  std::vector<binance::AccountTrade> out;
  std::string error;
  ASSERT_TRUE(binance::parse_account_trades(
      R"([{"buyer":false,"commission":"0.07819010","commissionAsset":"USDT","id":698759,"maker":false,)"
      R"("orderId":25851813,"price":"7819.01","qty":"0.002","quoteQty":"15.63802","realizedPnl":"-0.91539999",)"
      R"("side":"SELL","positionSide":"SHORT","symbol":"BTCUSDT","time":1569514978020}])",
      kScales.at("BTCUSDT"), out, error))
      << error;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, 698759);
  EXPECT_EQ(out[0].order_id, 25851813);
  EXPECT_EQ(out[0].price, 781'901);
  EXPECT_EQ(out[0].qty, 2);
  EXPECT_EQ(out[0].quote_qty, 1'563'802'000);
  EXPECT_EQ(out[0].commission, 7'819'010);
  EXPECT_EQ(out[0].commission_asset, "USDT");
  EXPECT_EQ(out[0].time_ms, 1569514978020);
  EXPECT_FALSE(out[0].is_buyer);
  EXPECT_FALSE(out[0].is_maker);
}

TEST(BinanceUsdmMessages, QueryOrderDocExample) {
  binance::OrderReport r;
  std::string error;
  ASSERT_TRUE(binance::parse_order_report(
      R"({"avgPrice":"0.00000","clientOrderId":"abc","cumQuote":"0","executedQty":"0","orderId":1917641,)"
      R"("origQty":"0.40","origType":"TRAILING_STOP_MARKET","price":"0","reduceOnly":false,"side":"BUY",)"
      R"("positionSide":"SHORT","status":"NEW","stopPrice":"9300","closePosition":false,"symbol":"BTCUSDT",)"
      R"("time":1579276756075,"timeInForce":"GTC","type":"TRAILING_STOP_MARKET","activatePrice":"9020",)"
      R"("priceRate":"0.3","updateTime":1579276756075,"workingType":"CONTRACT_PRICE","priceProtect":false})",
      kLookup, r, error))
      << error;
  EXPECT_TRUE(r.has_state);
  EXPECT_EQ(r.order_id, 1917641);
  EXPECT_EQ(r.client_order_id, "abc");
  EXPECT_EQ(r.status, OrderStatus::New);
  EXPECT_EQ(r.type, "TRAILING_STOP_MARKET");
  EXPECT_EQ(r.orig_qty, 400);  // 0.40 at qty_scale 3
  EXPECT_EQ(r.executed_qty, 0);
  EXPECT_EQ(r.cumulative_quote_qty, 0);
  EXPECT_EQ(r.stop_price, 930'000);
  EXPECT_EQ(r.time_ms, 1579276756075);  // updateTime: futures answers have no transactTime
  EXPECT_EQ(binance::th_order_type(r.type, binance::Venue::UsdM), TH_ORD_TRAILING_STOP);
}

TEST(BinanceUsdmMessages, ExchangeInfoReadsContractTypeAndMarginAsset) {
  binance::ExchangeInfo info;
  std::string error;
  ASSERT_TRUE(binance::parse_exchange_info(
      R"({"timezone":"UTC","serverTime":1672531200000,"rateLimits":[],"exchangeFilters":[],"assets":[],"symbols":[)"
      R"({"symbol":"BTCUSDT","pair":"BTCUSDT","contractType":"PERPETUAL","deliveryDate":4133404800000,)"
      R"("onboardDate":1569398400000,"status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","marginAsset":"USDT",)"
      R"("pricePrecision":2,"quantityPrecision":3,"filters":[)"
      R"({"filterType":"PRICE_FILTER","maxPrice":"4529764","minPrice":"556.80","tickSize":"0.10"},)"
      R"({"filterType":"LOT_SIZE","maxQty":"1000","minQty":"0.001","stepSize":"0.001"},)"
      R"({"filterType":"MIN_NOTIONAL","notional":"100"}]}]})",
      info, error))
      << error;
  ASSERT_EQ(info.symbols.size(), 1u);
  EXPECT_EQ(info.symbols[0].contract_type, "PERPETUAL");
  EXPECT_EQ(info.symbols[0].margin_asset, "USDT");
  EXPECT_EQ(info.symbols[0].scales.price_scale, 1);  // tickSize "0.10"
  EXPECT_EQ(info.symbols[0].scales.qty_scale, 3);
  EXPECT_EQ(info.symbols[0].min_notional, 10'000'000'000);  // 100 USDT at 8 decimals
}

}  // namespace
