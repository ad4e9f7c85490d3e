// Matching rules of SpotExchange on the real candle file. First candles of
// data/BTCUSDT-5m-20230102-20230209.csv (open_time_ms,open,high,low,close,volume):
//   [0] 1672677900000,16727.3,16728.8,16726.0,16726.1,691.508
//   [1] 1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173
//   [2] 1672678500000,16707.4,16711.8,16704.0,16704.1,566.041
//   [3] 1672678800000,16704.1,16709.9,16702.6,16709.9,800.432
// Every expected number below is worked out by hand from these rows in the comments.
#include "spot_exchange.hpp"

#include "amounts.hpp"

#include <gtest/gtest.h>

using namespace tradehost::exchange_sim;
using sim_test::amt;
using sim_test::fmt;

namespace {

struct ExchangeTest : ::testing::Test {
  SpotExchange make(MarketModel model = {}) {
    SpotExchange ex(load_candle_csv(TH_SOURCE_DIR "/data/BTCUSDT-5m-20230102-20230209.csv"), SymbolRules{}, model, 0);
    ex.add_account("alice", {{"BTC", amt("1")}, {"USDT", amt("10000")}});
    ex.on_user_event([this](const UserEvent& e) { events.push_back(e); });
    return ex;
  }
  NewOrder limit(Side side, const char* price, const char* qty, TimeInForce tif = TimeInForce::GTC) {
    NewOrder o;
    o.account = "alice";
    o.side = side;
    o.type = OrderType::Limit;
    o.tif = tif;
    o.price = amt(price);
    o.qty = amt(qty);
    return o;
  }
  std::vector<UserEvent> events;
};

}  // namespace

TEST_F(ExchangeTest, BookIsTheCandleCloseWithAOneTickSpread) {
  auto ex = make();
  EXPECT_EQ(fmt(ex.best_bid()), "16726.10000000");  // close of [0]
  EXPECT_EQ(fmt(ex.best_ask()), "16726.11000000");  // + 0.01
}

TEST_F(ExchangeTest, MarketBuyWalksTheSyntheticBook) {
  MarketModel m;
  m.level_qty = amt("0.2");
  auto ex = make(m);
  NewOrder o;
  o.account = "alice";
  o.side = Side::Buy;
  o.type = OrderType::Market;
  o.qty = amt("0.5");
  Placement p;
  ASSERT_FALSE(ex.place_order(o, 1000, p));
  // 0.2 @ 16726.11 + 0.2 @ 16726.12 + 0.1 @ 16726.13 = 3345.222 + 3345.224 + 1672.613 = 8363.059
  ASSERT_EQ(p.fills.size(), 3u);
  EXPECT_EQ(fmt(p.fills[2].price), "16726.13000000");
  EXPECT_EQ(fmt(p.fills[2].qty), "0.10000000");
  EXPECT_EQ(p.order.status, OrderStatus::Filled);
  EXPECT_EQ(fmt(p.order.cumm_quote_qty), "8363.05900000");
  // Taker fee 10 bps in BTC: 0.2*0.001 = 0.0002, 0.0002, 0.1*0.001 = 0.0001 -> 0.0005 in total.
  EXPECT_EQ(fmt(p.fills[0].commission), "0.00020000");
  const auto& b = ex.balances("alice");
  EXPECT_EQ(fmt(b.at("USDT").free), "1636.94100000");  // 10000 - 8363.059
  EXPECT_EQ(fmt(b.at("BTC").free), "1.49950000");      // 1 + 0.5 - 0.0005
  // Events: NEW, three TRADEs, then the account position.
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].exec, ExecutionType::New);
  EXPECT_EQ(events[3].exec, ExecutionType::Trade);
  EXPECT_EQ(events[3].order.status, OrderStatus::Filled);
  EXPECT_EQ(events[4].kind, UserEvent::Kind::AccountPosition);
}

TEST_F(ExchangeTest, RestingBuyFillsOnlyWhenACandleTradesThroughItsPrice) {
  auto ex = make();
  Placement p;
  ASSERT_FALSE(ex.place_order(limit(Side::Buy, "16704.50", "0.01"), 1000, p));
  EXPECT_EQ(p.order.status, OrderStatus::New);
  EXPECT_EQ(fmt(ex.balances("alice").at("USDT").locked), "167.04500000");  // 16704.50 * 0.01
  ASSERT_EQ(ex.advance(1, 2000), 1u);  // [1] low 16705.0 is not below 16704.50
  EXPECT_EQ(ex.find_order("alice", p.order.order_id, "")->status, OrderStatus::New);
  ASSERT_EQ(ex.advance(1, 3000), 1u);  // [2] low 16704.0 < 16704.50: filled at the order's price
  const Order* o = ex.find_order("alice", p.order.order_id, "");
  EXPECT_EQ(o->status, OrderStatus::Filled);
  EXPECT_EQ(fmt(o->cumm_quote_qty), "167.04500000");
  const auto& b = ex.balances("alice");
  EXPECT_EQ(fmt(b.at("USDT").free), "9832.95500000");  // 10000 - 167.045
  EXPECT_EQ(fmt(b.at("USDT").locked), "0.00000000");
  EXPECT_EQ(fmt(b.at("BTC").free), "1.00999000");  // 1 + 0.01 - maker fee 0.00001
  ASSERT_EQ(ex.trades("alice").size(), 1u);
  EXPECT_TRUE(ex.trades("alice")[0].is_maker);
}

TEST_F(ExchangeTest, ACandleLowThatOnlyTouchesTheBuyPriceFillsNothing) {
  auto ex = make();
  Placement p;
  ASSERT_FALSE(ex.place_order(limit(Side::Buy, "16704.00", "0.01"), 1000, p));
  ASSERT_EQ(ex.advance(2, 2000), 2u);  // [2] low 16704.0 = the price: a touch
  EXPECT_EQ(ex.find_order("alice", p.order.order_id, "")->status, OrderStatus::New);
  ASSERT_EQ(ex.advance(1, 3000), 1u);  // [3] low 16702.6 < 16704.00
  EXPECT_EQ(ex.find_order("alice", p.order.order_id, "")->status, OrderStatus::Filled);
}

TEST_F(ExchangeTest, CandleVolumeCapsMakerFills) {
  MarketModel m;
  m.fill_volume_bps = 1;  // 0.01% of each candle's volume
  auto ex = make(m);
  Placement p;
  ASSERT_FALSE(ex.place_order(limit(Side::Buy, "16704.50", "0.1"), 1000, p));
  ex.advance(2, 2000);
  // [2]: 566.041 * 0.0001 = 0.0566041 -> floored to the 0.00001 step = 0.05660
  const Order* o = ex.find_order("alice", p.order.order_id, "");
  EXPECT_EQ(o->status, OrderStatus::PartiallyFilled);
  EXPECT_EQ(fmt(o->executed_qty), "0.05660000");
  ex.advance(1, 3000);
  // [3]: low 16702.6 < 16704.50, pool 800.432 * 0.0001 = 0.08004 >= the 0.04340 left
  EXPECT_EQ(o->status, OrderStatus::Filled);
  ASSERT_EQ(ex.trades("alice").size(), 2u);
  EXPECT_EQ(fmt(ex.trades("alice")[1].qty), "0.04340000");
}

TEST_F(ExchangeTest, RejectionsUseTheDocumentedMessages) {
  auto ex = make();
  Placement p;
  auto e = ex.place_order(limit(Side::Buy, "16700.001", "0.01"), 1000, p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, -1013);
  EXPECT_EQ(e->msg, "Filter failure: PRICE_FILTER");
  e = ex.place_order(limit(Side::Buy, "16700", "0.000015"), 1000, p);
  EXPECT_EQ(e->msg, "Filter failure: LOT_SIZE");
  e = ex.place_order(limit(Side::Buy, "16700", "0.0002"), 1000, p);  // 3.34 USDT < 5
  EXPECT_EQ(e->msg, "Filter failure: NOTIONAL");
  e = ex.place_order(limit(Side::Buy, "16700", "1"), 1000, p);  // 16700 USDT > 10000
  EXPECT_EQ(e->code, -2010);
  EXPECT_EQ(e->msg, "Account has insufficient balance for requested action.");
  NewOrder maker = limit(Side::Buy, "16726.11", "0.01");  // at the ask: would take
  maker.type = OrderType::LimitMaker;
  e = ex.place_order(maker, 1000, p);
  EXPECT_EQ(e->msg, "Order would immediately match and take.");
  EXPECT_TRUE(events.empty());  // rejected orders never reach the user data stream
}

TEST_F(ExchangeTest, FokThatCannotFillExpiresWithoutTrading) {
  MarketModel m;
  m.level_qty = amt("0.01");
  m.book_levels = 2;  // 0.02 BTC on the asks in total
  auto ex = make(m);
  Placement p;
  ASSERT_FALSE(ex.place_order(limit(Side::Buy, "16727", "0.03", TimeInForce::FOK), 1000, p));
  EXPECT_EQ(p.order.status, OrderStatus::Expired);
  EXPECT_TRUE(p.fills.empty());
  EXPECT_EQ(fmt(ex.balances("alice").at("USDT").free), "10000.00000000");
  // IOC takes what is there (0.01 @ 16726.11 + 0.01 @ 16726.12) and expires the rest.
  ASSERT_FALSE(ex.place_order(limit(Side::Buy, "16727", "0.03", TimeInForce::IOC), 1000, p));
  EXPECT_EQ(p.order.status, OrderStatus::Expired);
  EXPECT_EQ(fmt(p.order.executed_qty), "0.02000000");
  EXPECT_EQ(fmt(p.order.cumm_quote_qty), "334.52230000");  // 167.2611 + 167.2612
  EXPECT_EQ(fmt(ex.balances("alice").at("USDT").locked), "0.00000000");
}
