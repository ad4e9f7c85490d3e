// Order parameters: the TH_ORD_* -> Binance type tables, spot (rest-api.md 2023-06-07 "New order
// (TRADE)": which parameters each type takes) and USD-M ("New Order(TRADE)" for LIMIT and MARKET;
// "New Algo Order(TRADE)" for STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET,
// TRAILING_STOP_MARKET: algoType, triggerPrice, workingType, activatePrice, callbackRate,
// clientAlgoId, in that page's parameter order), what each venue cannot do, and the decimal text of
// fixed-point prices and quantities. Expected strings are worked out by hand from the raw values.
#include <binance_common/order_params.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

namespace binance = tradehost::binance;

// BTCUSDT: tick 0.01 (price_scale 2), step 0.00001 (qty_scale 5).
constexpr binance::Scales kBtcUsdt{2, 5};

th_order_request request(int32_t side, int32_t type, int64_t qty, int64_t price = 0, int64_t trigger = 0,
                         int32_t tif = 0, uint32_t flags = 0) {
  th_order_request r{};
  r.struct_size = sizeof r;
  r.instrument = 1;
  r.side = side;
  r.type = type;
  r.tif = tif;
  r.flags = flags;
  r.qty = qty;
  r.price = price;
  r.trigger_price = trigger;
  return r;
}

enum class Market { Spot, UsdM };

// `callback_rate`: the USD-M connector's key ("" = not configured).
bool build(const th_order_request& req, Market m, std::string_view callback_rate, binance::OrderParams& p,
           std::string& why) {
  return m == Market::Spot ? binance::spot_order_params(req, "BTCUSDT", kBtcUsdt, "bot-7-42", p, why)
                           : binance::usdm_order_params(req, "BTCUSDT", kBtcUsdt, "bot-7-42",
                                                        binance::UsdmOrderOptions{callback_rate}, p, why);
}

std::string query_of(const th_order_request& req, Market m = Market::Spot, std::string_view callback_rate = "") {
  binance::OrderParams p;
  std::string why;
  EXPECT_TRUE(build(req, m, callback_rate, p, why)) << why;
  binance::QueryString q;
  binance::append_order_params(p, q);
  return q.text();
}

std::string refusal(const th_order_request& req, Market m = Market::Spot) {
  binance::OrderParams p;
  std::string why;
  EXPECT_FALSE(build(req, m, "", p, why));
  return why;
}

TEST(BinanceOrderParams, Market) {
  // qty raw 123 at scale 5 = 0.00123; a market order takes no price and no timeInForce.
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_MARKET, 123, 999, 0, TH_TIF_IOC)),
            "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.00123&newClientOrderId=bot-7-42");
}

TEST(BinanceOrderParams, LimitWithEachTimeInForce) {
  // price raw 1672730 at scale 2 = 16727.30 -> "16727.3"; qty raw 100000 = 1.00000 -> "1".
  EXPECT_EQ(query_of(request(TH_SIDE_BUY, TH_ORD_LIMIT, 100000, 1672730)),
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=16727.3&newClientOrderId=bot-7-42");
  EXPECT_EQ(query_of(request(TH_SIDE_BUY, TH_ORD_LIMIT, 250, 1600000, 0, TH_TIF_IOC)),
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.0025&price=16000&newClientOrderId=bot-7-42");
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_LIMIT, 1, 1, 0, TH_TIF_FOK)),
            "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=FOK&quantity=0.00001&price=0.01&newClientOrderId=bot-7-42");
}

TEST(BinanceOrderParams, PostOnlyLimitIsLimitMaker) {
  const std::string maker =
      "symbol=BTCUSDT&side=BUY&type=LIMIT_MAKER&quantity=0.5&price=16500.05&newClientOrderId=bot-7-42";
  EXPECT_EQ(query_of(request(TH_SIDE_BUY, TH_ORD_LIMIT, 50000, 1650005, 0, 0, TH_OF_POST_ONLY)), maker);
  EXPECT_EQ(query_of(request(TH_SIDE_BUY, TH_ORD_LIMIT, 50000, 1650005, 0, TH_TIF_GTX)), maker);
}

TEST(BinanceOrderParams, StopAndTakeProfitTypes) {
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_STOP_MARKET, 100, 0, 1550000)),
            "symbol=BTCUSDT&side=SELL&type=STOP_LOSS&quantity=0.001&stopPrice=15500&newClientOrderId=bot-7-42");
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_STOP_LIMIT, 100, 1549990, 1550000)),
            "symbol=BTCUSDT&side=SELL&type=STOP_LOSS_LIMIT&timeInForce=GTC&quantity=0.001&price=15499.9"
            "&stopPrice=15500&newClientOrderId=bot-7-42");
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_TAKE_PROFIT_MARKET, 100, 0, 1800001)),
            "symbol=BTCUSDT&side=SELL&type=TAKE_PROFIT&quantity=0.001&stopPrice=18000.01&newClientOrderId=bot-7-42");
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_TAKE_PROFIT_LIMIT, 100, 1800000, 1800001, TH_TIF_IOC)),
            "symbol=BTCUSDT&side=SELL&type=TAKE_PROFIT_LIMIT&timeInForce=IOC&quantity=0.001&price=18000"
            "&stopPrice=18000.01&newClientOrderId=bot-7-42");
}

TEST(BinanceOrderParams, ResponseTypeGoesLast) {
  binance::OrderParams p;
  std::string why;
  ASSERT_TRUE(binance::spot_order_params(request(TH_SIDE_BUY, TH_ORD_MARKET, 1), "BTCUSDT", kBtcUsdt, "c1", p, why));
  p.response_type = "RESULT";
  binance::QueryString q;
  binance::append_order_params(p, q);
  EXPECT_EQ(q.text(), "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.00001&newClientOrderId=c1&newOrderRespType=RESULT");
}

TEST(BinanceOrderParams, WhatSpotCannotDoIsRefusedWithAReason) {
  EXPECT_NE(refusal(request(TH_SIDE_BUY, TH_ORD_TRAILING_STOP, 100, 0, 1550000)).find("no trailing-stop order type"),
            std::string::npos);
  EXPECT_EQ(refusal(request(TH_SIDE_BUY, TH_ORD_LIMIT, 100, 100, 0, 0, TH_OF_REDUCE_ONLY)),
            "Binance spot has no reduce-only orders");
  EXPECT_NE(refusal(request(TH_SIDE_BUY, TH_ORD_MARKET, 100, 0, 0, TH_TIF_GTX)).find("only for limit orders"),
            std::string::npos);
  EXPECT_NE(refusal(request(TH_SIDE_BUY, TH_ORD_STOP_LIMIT, 100, 100, 100, 0, TH_OF_POST_ONLY)).find("only for limit"),
            std::string::npos);
  EXPECT_EQ(refusal(request(0, TH_ORD_MARKET, 100)), "side must be TH_SIDE_BUY or TH_SIDE_SELL");
  EXPECT_EQ(refusal(request(TH_SIDE_BUY, TH_ORD_MARKET, 0)), "quantity must be positive");
  EXPECT_EQ(refusal(request(TH_SIDE_BUY, TH_ORD_LIMIT, 100, 0)), "a LIMIT order needs a positive limit price");
  EXPECT_EQ(refusal(request(TH_SIDE_BUY, TH_ORD_STOP_MARKET, 100)), "a STOP_LOSS order needs a positive trigger price");
  EXPECT_EQ(refusal(request(TH_SIDE_BUY, 99, 100)), "unknown order type 99");
  EXPECT_EQ(refusal(request(TH_SIDE_BUY, TH_ORD_LIMIT, 100, 100, 0, 9)), "unknown time in force 9");
}

// USD-M: qty 200 = 0.002 BTC, price 1670450 = 16704.5, trigger 1680000 = 16800.
TEST(BinanceOrderParams, UsdmEveryTypeWithTheParametersItTakes) {
  const Market u = Market::UsdM;
  EXPECT_EQ(query_of(request(TH_SIDE_BUY, TH_ORD_LIMIT, 200, 1670450), u),
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.002&price=16704.5&newClientOrderId=bot-7-42");
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_MARKET, 200, 0, 0, TH_TIF_IOC), u),
            "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.002&newClientOrderId=bot-7-42");
  // The conditional types are algo orders: "New Algo Order"'s names and order.
  EXPECT_EQ(query_of(request(TH_SIDE_BUY, TH_ORD_STOP_LIMIT, 200, 1670450, 1680000), u),
            "algoType=CONDITIONAL&symbol=BTCUSDT&side=BUY&type=STOP&timeInForce=GTC&quantity=0.002&price=16704.5"
            "&triggerPrice=16800&workingType=CONTRACT_PRICE&clientAlgoId=bot-7-42");
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_STOP_MARKET, 200, 0, 1680000), u),
            "algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=STOP_MARKET&quantity=0.002&triggerPrice=16800"
            "&workingType=CONTRACT_PRICE&clientAlgoId=bot-7-42");
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_TAKE_PROFIT_LIMIT, 200, 1670450, 1680000, TH_TIF_FOK), u),
            "algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=TAKE_PROFIT&timeInForce=FOK&quantity=0.002"
            "&price=16704.5&triggerPrice=16800&workingType=CONTRACT_PRICE&clientAlgoId=bot-7-42");
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_TAKE_PROFIT_MARKET, 200, 0, 1680000), u),
            "algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=TAKE_PROFIT_MARKET&quantity=0.002&triggerPrice=16800"
            "&workingType=CONTRACT_PRICE&clientAlgoId=bot-7-42");
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_TRAILING_STOP, 200, 0, 1680000), u, "0.5"),
            "algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=TRAILING_STOP_MARKET&quantity=0.002"
            "&workingType=CONTRACT_PRICE&activatePrice=16800&callbackRate=0.5&clientAlgoId=bot-7-42");
}

TEST(BinanceOrderParams, UsdmAlgoOrderWithReduceOnlyMarkPriceAndResponseType) {
  binance::OrderParams p;
  std::string why;
  const th_order_request req = request(TH_SIDE_SELL, TH_ORD_STOP_MARKET, 200, 0, 1680000, 0, TH_OF_REDUCE_ONLY);
  ASSERT_TRUE(binance::usdm_order_params(req, "BTCUSDT", kBtcUsdt, "bot-7-42",
                                         binance::UsdmOrderOptions{"", "MARK_PRICE"}, p, why))
      << why;
  p.response_type = "RESULT";
  binance::QueryString q;
  binance::append_order_params(p, q);
  EXPECT_EQ(q.text(),
            "algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=STOP_MARKET&quantity=0.002&triggerPrice=16800"
            "&workingType=MARK_PRICE&reduceOnly=true&clientAlgoId=bot-7-42&newOrderRespType=RESULT");
  EXPECT_TRUE(binance::usdm_algo_type(TH_ORD_TRAILING_STOP));
  EXPECT_FALSE(binance::usdm_algo_type(TH_ORD_LIMIT));
  EXPECT_FALSE(binance::usdm_algo_type(TH_ORD_MARKET));
}

TEST(BinanceOrderParams, UsdmReduceOnlyAndPostOnly) {
  const Market u = Market::UsdM;
  EXPECT_EQ(query_of(request(TH_SIDE_SELL, TH_ORD_LIMIT, 200, 1670450, 0, 0, TH_OF_REDUCE_ONLY), u),
            "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.002&reduceOnly=true&price=16704.5"
            "&newClientOrderId=bot-7-42");
  // Post-only is GTX ("Good Till Crossing"), whether asked by flag or by time in force.
  const std::string gtx =
      "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTX&quantity=0.002&price=16704.5&newClientOrderId=bot-7-42";
  EXPECT_EQ(query_of(request(TH_SIDE_BUY, TH_ORD_LIMIT, 200, 1670450, 0, 0, TH_OF_POST_ONLY), u), gtx);
  EXPECT_EQ(query_of(request(TH_SIDE_BUY, TH_ORD_LIMIT, 200, 1670450, 0, TH_TIF_GTX), u), gtx);
}

TEST(BinanceOrderParams, WhatUsdmCannotDoIsRefusedWithAReason) {
  const Market u = Market::UsdM;
  EXPECT_NE(refusal(request(TH_SIDE_SELL, TH_ORD_TRAILING_STOP, 200), u).find("callback_rate"), std::string::npos);
  EXPECT_NE(refusal(request(TH_SIDE_BUY, TH_ORD_MARKET, 200, 0, 0, TH_TIF_GTX), u).find("post-only"), std::string::npos);
  EXPECT_EQ(refusal(request(TH_SIDE_BUY, TH_ORD_STOP_MARKET, 200), u), "a STOP_MARKET order needs a positive trigger price");
  EXPECT_EQ(refusal(request(TH_SIDE_BUY, TH_ORD_LIMIT, 0, 100), u), "quantity must be positive");
}

TEST(BinanceOrderParams, ReportTypesMapBack) {
  using binance::Venue;
  EXPECT_EQ(binance::th_order_type("LIMIT_MAKER", Venue::Spot), TH_ORD_LIMIT);
  EXPECT_EQ(binance::th_order_type("STOP_LOSS", Venue::Spot), TH_ORD_STOP_MARKET);
  EXPECT_EQ(binance::th_order_type("STOP_LOSS_LIMIT", Venue::Spot), TH_ORD_STOP_LIMIT);
  EXPECT_EQ(binance::th_order_type("TAKE_PROFIT", Venue::Spot), TH_ORD_TAKE_PROFIT_MARKET);
  EXPECT_EQ(binance::th_order_type("TAKE_PROFIT", Venue::UsdM), TH_ORD_TAKE_PROFIT_LIMIT);
  EXPECT_EQ(binance::th_order_type("STOP", Venue::UsdM), TH_ORD_STOP_LIMIT);
  EXPECT_EQ(binance::th_order_type("TRAILING_STOP_MARKET", Venue::UsdM), TH_ORD_TRAILING_STOP);
  EXPECT_EQ(binance::th_order_type("OCO", Venue::Spot), 0);
  EXPECT_EQ(binance::th_side("SELL"), TH_SIDE_SELL);
  EXPECT_EQ(binance::th_side("sell"), 0);
}

}  // namespace
