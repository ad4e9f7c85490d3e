// UsdmExchange's algo orders (usdm_algo_orders.cpp): placement rules, triggering on the last
// price after each clock step, the order placed on triggering and the status sequence, on the real
// candle file. Rows of data/BTCUSDT-5m-20230102-20230209.csv (open_time_ms,open,high,low,close,volume):
//   [0] 1672677900000,16727.3,16728.8,16726.0,16726.1,691.508
//   [1] 1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173
//   [2] 1672678500000,16707.4,16711.8,16704.0,16704.1,566.041
//   [3] 1672678800000,16704.1,16709.9,16702.6,16709.9,800.432
//   [38] 1672689300000,16729.4,16730.5,16725.9,16730.5,...   the highest close of [2]..[38]
//   [39] 1672689600000,16730.5,16732.0,16702.7,16703.0,1383.388
// The last price is the clock candle's close; the book is bid = close, ask = close + 0.10. Fees:
// maker 2 bps, taker 5 bps. Every expected number is worked out by hand in the comments.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "amounts.hpp"
#include "usdm_exchange.hpp"

using namespace tradehost::exchange_sim;
using sim_test::amt;
using sim_test::fmt;

namespace {

struct UsdmAlgoOrdersTest : ::testing::Test {
  UsdmExchange make() {
    MarketModel m;
    m.maker_bps = 2;
    m.taker_bps = 5;
    UsdmExchange ex(
        load_candle_csv(TH_SOURCE_DIR "/data/BTCUSDT-5m-20230102-20230209.csv", usdm_symbol_rules().tick_size),
        usdm_symbol_rules(), m, 0);
    ex.add_account("alice", amt("10000"));
    // One log of everything the user data stream would carry, in order.
    ex.on_user_event([this](const UserEvent& e) {
      log.push_back("order " + std::to_string(e.order.order_id) + " " + to_string(e.exec) + " " +
                    to_string(e.order.status));
    });
    ex.on_account_update([this](const AccountUpdate&) { log.push_back("account"); });
    ex.on_algo_update(
        [this](const AlgoOrder& a, int64_t) { log.push_back(std::string("algo ") + to_string(a.status)); });
    return ex;
  }
  static NewOrder market(Side side, const char* qty) {
    NewOrder o;
    o.account = "alice";
    o.type = OrderType::Market;
    o.side = side;
    o.qty = amt(qty);
    return o;
  }
  static NewAlgoOrder algo(AlgoOrderType type, Side side, const char* qty, const char* trigger) {
    NewAlgoOrder a;
    a.account = "alice";
    a.type = type;
    a.side = side;
    a.qty = amt(qty);
    a.trigger_price = amt(trigger);
    a.reduce_only = true;
    return a;
  }
  std::vector<std::string> log;
};

}  // namespace

TEST_F(UsdmAlgoOrdersTest, StopMarketTriggersOnTheLastPriceAndPlacesAMarketOrder) {
  auto ex = make();
  Placement p;
  ASSERT_FALSE(ex.place_order(market(Side::Buy, "0.010"), 1000, p));  // long 0.010 at the ask 16726.20
  AlgoOrder a;
  NewAlgoOrder stop = algo(AlgoOrderType::StopMarket, Side::Sell, "0.010", "16730.0");
  stop.client_algo_id = "stop-1";
  // "SELL: latest price <= triggerPrice": 16726.1 is already below 16730.0.
  auto e = ex.place_algo_order(stop, 1000, a);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, -2021);
  EXPECT_EQ(e->msg, "Order would immediately trigger.");
  stop.trigger_price = amt("16705.1");
  ASSERT_FALSE(ex.place_algo_order(stop, 1000, a));
  EXPECT_EQ(a.status, AlgoStatus::New);
  EXPECT_EQ(a.client_algo_id, "stop-1");
  EXPECT_EQ(a.actual_order_id, -1);
  log.clear();

  ex.advance(1, 2000);  // [1]: its low 16705.0 passed 16705.1, its close 16707.5 did not
  EXPECT_EQ(ex.find_algo_order("alice", a.algo_id, "")->status, AlgoStatus::New);
  EXPECT_TRUE(log.empty());
  ex.advance(1, 3000);  // [2]: close 16704.1 <= 16705.1
  const AlgoOrder* done = ex.find_algo_order("alice", std::nullopt, "stop-1");
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->status, AlgoStatus::Finished);
  EXPECT_EQ(done->trigger_time_ms, 3000);
  EXPECT_EQ(done->actual_order_id, 2);  // order 1 opened the position
  EXPECT_EQ(done->actual_order_type, OrderType::Market);
  EXPECT_EQ(fmt(done->actual_executed_qty), "0.01000000");
  EXPECT_EQ(fmt(done->actual_avg_price), "16704.10000000");  // the bid after [2]
  // The placed order's own events come between TRIGGERING and the TRIGGERED that names it.
  EXPECT_EQ(log, (std::vector<std::string>{"algo TRIGGERING", "order 2 NEW NEW", "order 2 TRADE FILLED", "account",
                                           "algo TRIGGERED", "algo FINISHED"}));
  const Order* placed = ex.find_order("alice", 2, "");
  EXPECT_EQ(placed->side, Side::Sell);
  EXPECT_TRUE(placed->reduce_only);
  // Realized 0.010 x (16704.1 - 16726.2) = -0.221; taker fees 167.262 x 0.0005 = 0.083631 and
  // 167.041 x 0.0005 = 0.0835205: wallet 10000 - 0.083631 - 0.0835205 - 0.221 = 9999.6118485.
  EXPECT_EQ(fmt(ex.trades("alice").back().realized_pnl), "-0.22100000");
  EXPECT_EQ(ex.position("alice").amount, 0);
  EXPECT_EQ(fmt(ex.wallet_balance("alice")), "9999.61184850");
  EXPECT_TRUE(ex.open_algo_orders("alice").empty());
}

TEST_F(UsdmAlgoOrdersTest, TakeProfitPlacesALimitOrderThatRestsUntilACandleTradesThroughIt) {
  auto ex = make();
  Placement p;
  ASSERT_FALSE(ex.place_order(market(Side::Sell, "0.010"), 1000, p));  // short 0.010 at the bid 16726.10
  NewAlgoOrder tp = algo(AlgoOrderType::TakeProfit, Side::Buy, "0.010", "16705.0");
  tp.price = amt("16703.0");
  AlgoOrder a;
  ASSERT_FALSE(ex.place_algo_order(tp, 1000, a));
  EXPECT_EQ(a.client_algo_id.size(), 22u);  // generated, like Binance's
  ex.advance(1, 2000);                      // [1] close 16707.5 > 16705.0: "BUY: latest price <= triggerPrice" not met
  EXPECT_EQ(ex.find_algo_order("alice", a.algo_id, "")->status, AlgoStatus::New);
  ex.advance(1, 3000);  // [2] close 16704.1 <= 16705.0: a LIMIT BUY at 16703.0, below the ask 16704.20: it rests
  const AlgoOrder* now = ex.find_algo_order("alice", a.algo_id, "");
  EXPECT_EQ(now->status, AlgoStatus::Triggered);
  EXPECT_EQ(now->actual_order_type, OrderType::Limit);
  const Order* placed = ex.find_order("alice", now->actual_order_id, "");
  ASSERT_NE(placed, nullptr);
  EXPECT_EQ(placed->status, OrderStatus::New);
  EXPECT_EQ(fmt(placed->price), "16703.00000000");
  EXPECT_EQ(ex.open_algo_orders("alice").size(), 1u);  // still working, through its order
  // A triggered algo order is no longer the algo service's to cancel.
  AlgoOrder out;
  EXPECT_EQ(ex.cancel_algo_order("alice", a.algo_id, "", 3000, out)->code, -2011);
  ex.advance(1, 4000);  // [3] low 16702.6 < 16703.0: maker fill at 16703.0
  now = ex.find_algo_order("alice", a.algo_id, "");
  EXPECT_EQ(now->status, AlgoStatus::Finished);
  EXPECT_EQ(fmt(now->actual_avg_price), "16703.00000000");
  EXPECT_TRUE(ex.trades("alice").back().is_maker);
  // Short closed: realized -1 x 0.010 x (16703.0 - 16726.1) = 0.231; fees 167.261 x 0.0005 =
  // 0.0836305 (taker) and 167.03 x 0.0002 = 0.033406 (maker): 10000 - 0.0836305 + 0.231 - 0.033406.
  EXPECT_EQ(ex.position("alice").amount, 0);
  EXPECT_EQ(fmt(ex.wallet_balance("alice")), "10000.11396350");
}

TEST_F(UsdmAlgoOrdersTest, TrailingStopFollowsTheHighestLastPriceSinceItWasPlaced) {
  auto ex = make();
  Placement p;
  ASSERT_FALSE(ex.place_order(market(Side::Buy, "0.020"), 1000, p));  // long 0.020 at 16726.20
  ex.advance(2, 2000);                                                // last price 16704.1
  NewAlgoOrder trailing = algo(AlgoOrderType::TrailingStopMarket, Side::Sell, "0.010", "0");
  trailing.callback_rate = amt("0.1");  // percent
  AlgoOrder a;
  ASSERT_FALSE(ex.place_algo_order(trailing, 2000, a));  // no activatePrice: active from 16704.1
  EXPECT_TRUE(a.activated);
  EXPECT_EQ(fmt(a.activate_price), "16704.10000000");
  // "SELL: activatePrice should be larger than latest price".
  NewAlgoOrder waiting = trailing;
  waiting.activate_price = amt("16704.1");
  EXPECT_EQ(ex.place_algo_order(waiting, 2000, a)->code, -2021);
  waiting.activate_price = amt("16740.0");
  AlgoOrder w;
  ASSERT_FALSE(ex.place_algo_order(waiting, 2000, w));
  EXPECT_FALSE(w.activated);

  ex.advance(36, 3000);  // to [38]: the highest close so far is [38]'s 16730.5
  const AlgoOrder* now = ex.find_algo_order("alice", a.algo_id, "");
  EXPECT_EQ(now->status, AlgoStatus::New);
  EXPECT_EQ(fmt(now->extreme_price), "16730.50000000");
  ex.advance(1, 4000);  // [39] close 16703.0 <= 16730.5 x (1 - 0.1%) = 16713.7695
  now = ex.find_algo_order("alice", a.algo_id, "");
  EXPECT_EQ(now->status, AlgoStatus::Finished);
  EXPECT_EQ(fmt(now->actual_avg_price), "16703.00000000");  // MARKET SELL at the bid after [39]
  // 0.010 x (16703.0 - 16726.2) = -0.232 realized; 0.010 stays long.
  EXPECT_EQ(fmt(ex.trades("alice").back().realized_pnl), "-0.23200000");
  EXPECT_EQ(fmt(ex.position("alice").amount), "0.01000000");
  // The other never reached its activation price (no close up to [39] is 16740.0 or more).
  const AlgoOrder* other = ex.find_algo_order("alice", w.algo_id, "");
  EXPECT_EQ(other->status, AlgoStatus::New);
  EXPECT_FALSE(other->activated);
}

TEST_F(UsdmAlgoOrdersTest, AnOrderTheMatchingEngineRefusesOnTriggeringRejectsTheAlgoOrderWithItsReason) {
  auto ex = make();
  Placement p;
  ASSERT_FALSE(ex.place_order(market(Side::Buy, "0.010"), 1000, p));
  AlgoOrder a;
  ASSERT_FALSE(ex.place_algo_order(algo(AlgoOrderType::StopMarket, Side::Sell, "0.010", "16705.1"), 1000, a));
  ASSERT_FALSE(ex.place_order(market(Side::Sell, "0.010"), 1000, p));  // the position is closed by hand
  log.clear();
  ex.advance(2, 3000);  // [2] close 16704.1 triggers it: a reduce-only SELL with nothing to reduce
  const AlgoOrder* now = ex.find_algo_order("alice", a.algo_id, "");
  EXPECT_EQ(now->status, AlgoStatus::Rejected);
  EXPECT_EQ(now->reason, "ReduceOnly Order is rejected.");
  EXPECT_EQ(now->actual_order_id, -1);
  EXPECT_EQ(log, (std::vector<std::string>{"algo TRIGGERING", "algo REJECTED"}));
}

TEST_F(UsdmAlgoOrdersTest, CancelAndTheFiltersOfAnAlgoOrder) {
  auto ex = make();
  Placement p;
  ASSERT_FALSE(ex.place_order(market(Side::Buy, "0.010"), 1000, p));
  AlgoOrder a;
  auto code = [&](const NewAlgoOrder& o) {
    auto e = ex.place_algo_order(o, 1000, a);
    return e ? e->code : 0;
  };
  EXPECT_EQ(code(algo(AlgoOrderType::StopMarket, Side::Sell, "0.010", "16700.05")), -4014);  // off the 0.10 tick
  EXPECT_EQ(code(algo(AlgoOrderType::StopMarket, Side::Sell, "0.0015", "16700")), -4023);    // off the 0.001 step
  EXPECT_EQ(code(algo(AlgoOrderType::StopMarket, Side::Buy, "0.010", "16800")), -2022);      // a BUY adds to the long
  NewAlgoOrder opening = algo(AlgoOrderType::StopMarket, Side::Buy, "0.0002", "16800");
  opening.reduce_only = false;
  EXPECT_EQ(code(opening), -4004);  // below MARKET_LOT_SIZE minQty 0.001
  opening.qty = amt("0.001");       // 0.001 x 16800 = 16.8 USDT >= 5: fine, and it rises to its trigger
  EXPECT_EQ(code(opening), 0);
  NewAlgoOrder stop = algo(AlgoOrderType::StopMarket, Side::Sell, "0.010", "16700");
  stop.client_algo_id = "same";
  EXPECT_EQ(code(stop), 0);
  EXPECT_EQ(code(stop), -4116);  // an open algo order uses "same"
  AlgoOrder canceled;
  ASSERT_FALSE(ex.cancel_algo_order("alice", std::nullopt, "same", 2000, canceled));
  EXPECT_EQ(canceled.status, AlgoStatus::Canceled);
  EXPECT_EQ(ex.cancel_algo_order("alice", std::nullopt, "same", 2000, canceled)->code, -2011);
  EXPECT_EQ(code(stop), 0);  // a canceled one frees its client algo id
  EXPECT_EQ(ex.open_algo_orders("alice").size(), 2u);
}
