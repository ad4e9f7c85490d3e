// UsdmExchange's futures accounting and order rules on the real candle file. First candles of
// data/BTCUSDT-5m-20230102-20230209.csv (open_time_ms,open,high,low,close,volume):
//   [0] 1672677900000,16727.3,16728.8,16726.0,16726.1,691.508
//   [1] 1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173
//   [2] 1672678500000,16707.4,16711.8,16704.0,16704.1,566.041
// Book after [0]: bid 16726.10, ask 16726.20 (the 0.10 tick). Fees in these tests: maker 2 bps,
// taker 5 bps. Every expected number is worked out by hand in the comments.
#include "usdm_exchange.hpp"

#include "amounts.hpp"

#include <gtest/gtest.h>

using namespace tradehost::exchange_sim;
using sim_test::amt;
using sim_test::fmt;

namespace {

struct UsdmExchangeTest : ::testing::Test {
  UsdmExchange make(const char* wallet = "10000", MarketModel model = fees()) {
    UsdmExchange ex(load_candle_csv(TH_SOURCE_DIR "/data/BTCUSDT-5m-20230102-20230209.csv", usdm_symbol_rules().tick_size),
                    usdm_symbol_rules(), model, 0);
    ex.add_account("alice", amt(wallet));
    ex.on_user_event([this](const UserEvent& e) { events.push_back(e); });
    return ex;
  }
  static MarketModel fees() {
    MarketModel m;
    m.maker_bps = 2;
    m.taker_bps = 5;
    return m;
  }
  static NewOrder order(OrderType type, Side side, const char* qty, const char* price = "0") {
    NewOrder o;
    o.account = "alice";
    o.type = type;
    o.side = side;
    o.qty = amt(qty);
    o.price = amt(price);
    return o;
  }
  std::vector<UserEvent> events;
};

}  // namespace

TEST_F(UsdmExchangeTest, FlipRealizesTheClosedPartAndReopensAtTheFillPrice) {
  auto ex = make();
  Placement p;
  ASSERT_FALSE(ex.place_order(order(OrderType::Market, Side::Buy, "0.010"), 1000, p));
  EXPECT_EQ(fmt(p.fills.at(0).price), "16726.20000000");  // the ask
  EXPECT_EQ(fmt(ex.position("alice").amount), "0.01000000");
  EXPECT_EQ(fmt(ex.position("alice").entry_price), "16726.20000000");
  // SELL 0.030 at the bid 16726.10: closes the 0.010 long, realizing 0.010 * (16726.10 - 16726.20)
  // = -0.001, and opens a 0.020 short at 16726.10.
  ASSERT_FALSE(ex.place_order(order(OrderType::Market, Side::Sell, "0.030"), 2000, p));
  EXPECT_EQ(fmt(p.fills.at(0).realized_pnl), "-0.00100000");
  EXPECT_EQ(fmt(ex.position("alice").amount), "-0.02000000");
  EXPECT_EQ(fmt(ex.position("alice").entry_price), "16726.10000000");
  EXPECT_EQ(fmt(ex.position("alice").realized_pnl), "-0.00100000");
  // Wallet: 10000 - taker fees (167.262 * 0.0005 = 0.083631; 501.783 * 0.0005 = 0.2508915)
  // + realized -0.001 = 10000 - 0.3355225 = 9999.6644775.
  EXPECT_EQ(fmt(ex.wallet_balance("alice")), "9999.66447750");
}

TEST_F(UsdmExchangeTest, EntryPriceIsTheQuantityWeightedAverage) {
  auto ex = make();
  Placement p;
  ASSERT_FALSE(ex.place_order(order(OrderType::Market, Side::Buy, "0.010"), 1000, p));  // 16726.20
  NewOrder bid = order(OrderType::Limit, Side::Buy, "0.030", "16706.20");
  ASSERT_FALSE(ex.place_order(bid, 1000, p));
  ex.advance(1, 2000);  // [1] low 16705.0 < 16706.20: filled at 16706.20
  // (0.010 * 16726.20 + 0.030 * 16706.20) / 0.040 = (167.262 + 501.186) / 0.04 = 16711.20
  EXPECT_EQ(fmt(ex.position("alice").amount), "0.04000000");
  EXPECT_EQ(fmt(ex.position("alice").entry_price), "16711.20000000");
  // Mark = close of [1], 16707.5: unrealized 0.040 * (16707.5 - 16711.2) = -0.148.
  EXPECT_EQ(fmt(ex.unrealized_pnl("alice")), "-0.14800000");
}

// The ordinary path takes LIMIT and MARKET only. Conditional types are algo orders
// (usdm_algo_orders_test.cpp; /fapi/v1/order answers them -4120, usdm_algo_server_test.cpp), and
// spot's LIMIT_MAKER is not a USDⓈ-M type ("Invalid orderType.", as the REST layer answers it).
TEST_F(UsdmExchangeTest, LimitMakerIsNotAFuturesOrderType) {
  auto ex = make();
  Placement p;
  auto e = ex.place_order(order(OrderType::LimitMaker, Side::Buy, "0.010", "16700.00"), 1000, p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, -1116);
  EXPECT_EQ(e->msg, "Invalid orderType.");
  EXPECT_TRUE(ex.open_orders("alice").empty());
}

TEST_F(UsdmExchangeTest, RestingReduceOnlyOrderFillsOnlyThePositionThenExpires) {
  auto ex = make();
  Placement p;
  ASSERT_FALSE(ex.place_order(order(OrderType::Market, Side::Buy, "0.010"), 1000, p));
  NewOrder take_profit = order(OrderType::Limit, Side::Sell, "0.020", "16726.50");
  take_profit.reduce_only = true;
  ASSERT_FALSE(ex.place_order(take_profit, 1000, p));
  EXPECT_EQ(p.order.status, OrderStatus::New);  // above the bid: rests
  ex.advance(1, 2000);  // [1] high 16726.8 > 16726.50
  const Order* o = ex.find_order("alice", p.order.order_id, "");
  EXPECT_EQ(fmt(o->executed_qty), "0.01000000");  // only the 0.010 position
  EXPECT_EQ(o->status, OrderStatus::Expired);     // nothing left to reduce
  EXPECT_EQ(ex.position("alice").amount, 0);
  EXPECT_EQ(events.back().exec, ExecutionType::Expired);
}

TEST_F(UsdmExchangeTest, ReduceOnlyThatWouldIncreaseThePositionIsRejected) {
  auto ex = make();
  Placement p;
  NewOrder sell = order(OrderType::Limit, Side::Sell, "0.010", "17000");
  sell.reduce_only = true;
  auto e = ex.place_order(sell, 1000, p);  // flat: nothing to reduce
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, -2022);
  EXPECT_EQ(e->msg, "ReduceOnly Order is rejected.");
  ASSERT_FALSE(ex.place_order(order(OrderType::Market, Side::Buy, "0.010"), 1000, p));
  NewOrder buy = order(OrderType::Limit, Side::Buy, "0.005", "16000");
  buy.reduce_only = true;
  e = ex.place_order(buy, 1000, p);  // long: a BUY adds to it
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, -2022);
  EXPECT_FALSE(ex.place_order(sell, 1000, p));  // a SELL reduces it
}

TEST_F(UsdmExchangeTest, FiltersAndPostOnlyUseTheFuturesErrorCodes) {
  auto ex = make();
  Placement p;
  auto code = [&](const NewOrder& o) {
    auto e = ex.place_order(o, 1000, p);
    return e ? e->code : 0;
  };
  EXPECT_EQ(code(order(OrderType::Limit, Side::Buy, "0.010", "16700.05")), -4014);  // off the 0.10 tick
  EXPECT_EQ(code(order(OrderType::Limit, Side::Buy, "0.0005", "16700")), -4004);    // below 0.001
  EXPECT_EQ(code(order(OrderType::Limit, Side::Buy, "0.0015", "16700")), -4023);    // off the 0.001 step
  auto e = ex.place_order(order(OrderType::Limit, Side::Buy, "0.001", "1000"), 1000, p);  // 1 USDT < 5
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, -4164);
  EXPECT_EQ(e->msg, "Order's notional must be no smaller than 5 (unless you choose reduce only).");
  NewOrder post_only = order(OrderType::Limit, Side::Buy, "0.010", "16726.20");  // at the ask
  post_only.tif = TimeInForce::GTX;
  EXPECT_EQ(code(post_only), -5022);
  post_only.price = amt("16726.10");  // at the bid: rests as a maker
  EXPECT_EQ(code(post_only), 0);
  EXPECT_EQ(p.order.status, OrderStatus::New);
}

TEST_F(UsdmExchangeTest, OrdersNeedInitialMarginAtTheLeverage) {
  auto ex = make("100");
  Placement p;
  // Leverage 20: 0.2 @ 16000 = 3200 USDT needs 160 > 100.
  auto e = ex.place_order(order(OrderType::Limit, Side::Buy, "0.200", "16000"), 1000, p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, -2019);
  EXPECT_EQ(e->msg, "Margin is insufficient.");
  // 0.1 @ 16000 needs 80; it rests and holds 80 of the 100.
  ASSERT_FALSE(ex.place_order(order(OrderType::Limit, Side::Buy, "0.100", "16000"), 1000, p));
  EXPECT_EQ(fmt(ex.open_order_initial_margin("alice")), "80.00000000");
  EXPECT_EQ(fmt(ex.available_balance("alice")), "20.00000000");
  EXPECT_EQ(ex.place_order(order(OrderType::Limit, Side::Buy, "0.100", "16000"), 1000, p)->code, -2019);
  // At leverage 100 the same order needs 16; both now fit (the first one's 16 + 16 <= 100).
  ASSERT_FALSE(ex.set_leverage("alice", 100, 1000));
  EXPECT_FALSE(ex.place_order(order(OrderType::Limit, Side::Buy, "0.100", "16000"), 1000, p));
  EXPECT_EQ(fmt(ex.open_order_initial_margin("alice")), "32.00000000");
}
