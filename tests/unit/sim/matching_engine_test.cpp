// The simulated matching engine, against the fill rules stated in sim/matching_engine.hpp. Every
// expected price and fee is worked out by hand in the comments.
//
// Units: instruments at price_scale 2 and qty_scale 5 (100.00 USDT = 10000 raw, 0.5 BTC = 50000
// raw); money at TH_MONEY_SCALE 8 (1 USDT = 100'000'000 raw).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "oms/order.hpp"
#include "portfolio/portfolio.hpp"
#include "sim/matching_engine.hpp"

namespace tradehost::sim {
namespace {

using ::testing::HasSubstr;
using oms::Order;
using oms::OrderState;
using portfolio::Portfolio;

constexpr th_instrument_id kBtc = 1;  // tick 0.01
constexpr th_instrument_id kEth = 2;  // tick 0.50
constexpr int64_t kUsdt = 100'000'000;  // 1 USDT in money raw units
constexpr int64_t kMinute = 60'000'000'000;
constexpr th_time_ns kT0 = 1'700'000'040'000'000'000;  // open time of the "decision" bar k
constexpr th_time_ns kDecided = kT0 + kMinute;         // bar k's close: when strategies decide

th_str s(const char* text) { return th_str{text, std::char_traits<char>::length(text)}; }

th_instrument spot(th_instrument_id id, int64_t tick, const char* base, const char* symbol) {
  th_instrument i{};
  i.struct_size = sizeof i;
  i.id = id;
  i.venue = s("binance");
  i.symbol = s(symbol);
  i.native_symbol = s(symbol);
  i.base = s(base);
  i.quote = s("USDT");
  i.settle = s("");
  i.price_scale = 2;
  i.qty_scale = 5;
  i.tick_size = tick;
  i.lot_size = 1;
  i.kind = TH_INST_SPOT;
  return i;
}

/// The n-th bar after bar k (n = 0 is bar k itself, which opened at kT0).
th_ev_bar bar(int n, int64_t open, int64_t high, int64_t low, int64_t close,
              th_instrument_id id = kBtc) {
  th_ev_bar b{};
  b.h.struct_size = sizeof b;
  b.h.type = TH_EV_BAR;
  b.open_time = kT0 + n * kMinute;
  b.interval_ns = kMinute;
  b.h.ts_event = b.h.ts_recv = b.open_time + kMinute;
  b.h.instrument = id;
  b.open = open;
  b.high = high;
  b.low = low;
  b.close = close;
  b.volume = 100'000;
  return b;
}

SimConfig config(double maker, double taker, double slippage) {
  SimConfig c;
  c.maker_fee_bps = maker;
  c.taker_fee_bps = taker;
  c.slippage_bps = slippage;
  return c;
}

/// A portfolio holding `cash`, the engine on top of it, and what the engine reports.
struct Sim {
  Sim(int64_t cash, SimConfig cfg) : pf(cash), me(cfg, pf) {
    pf.add_instrument(kBtc, 2, 5);
    pf.add_instrument(kEth, 2, 5);
    me.add_instrument(spot(kBtc, 1, "BTC", "BTC/USDT"));
    me.add_instrument(spot(kEth, 50, "ETH", "ETH/USDT"));
  }

  /// An order accepted at `eligible` (default: the close of bar k).
  Order& order(int32_t side, int32_t type, int64_t qty, int64_t price = 0, int64_t trigger = 0,
               int32_t tif = TH_TIF_GTC, uint32_t flags = 0, th_instrument_id id = kBtc,
               th_time_ns eligible = kDecided) {
    Order& o = orders.emplace_back();
    o.id = orders.size();
    o.client_order_id = "t-1-" + std::to_string(o.id);
    o.req.struct_size = sizeof o.req;
    o.req.instrument = id;
    o.req.side = side;
    o.req.type = type;
    o.req.tif = tif;
    o.req.flags = flags;
    o.req.qty = qty;
    o.req.price = price;
    o.req.trigger_price = trigger;
    o.state = OrderState::New;
    o.created_ns = o.updated_ns = o.eligible_from_ns = eligible;
    return o;
  }

  void run(const th_ev_bar& b) {
    me.on_bar(
        b, [&](const SimFill& f) { fills.push_back(f); },
        [&](const SimExpiry& x) { expiries.push_back(x); });
  }

  /// Gives the portfolio a long position without going through the engine.
  void hold(th_instrument_id id, int64_t qty, int64_t price) {
    pf.apply_fill(id, TH_SIDE_BUY, price, qty, 0, kT0 - kMinute);
  }

  Portfolio pf;
  MatchingEngine me;
  std::deque<Order> orders;
  std::vector<SimFill> fills;
  std::vector<SimExpiry> expiries;
};

// ---- market orders -------------------------------------------------------------------------

TEST(SimMarket, BuyDecidedOnBarKFillsAtBarKPlus1OpenWithSlippageAndTakerFee) {
  Sim sim(1000 * kUsdt, config(10, 10, 10));
  Order& o = sim.order(TH_SIDE_BUY, TH_ORD_MARKET, 50'000);  // 0.5 BTC
  // Reserved at accept, valued at the last close 100.00 moved by 10 bps: 100.00 * 1.001 = 100.10;
  // 0.5 * 100.10 = 50.05 USDT, fee 50.05 * 10 / 10000 = 0.05005; 50.05 + 0.05005 = 50.10005.
  ASSERT_EQ(sim.me.accept(o, 10'000), "");
  EXPECT_EQ(o.reserved_cash, 5'010'005'000);
  EXPECT_EQ(sim.me.reserved_cash(), 5'010'005'000);

  // Bar k itself (opened at kT0, before the order existed) must not fill it.
  sim.run(bar(0, 9'900, 10'100, 9'800, 10'000));
  EXPECT_TRUE(sim.fills.empty());
  EXPECT_TRUE(sim.expiries.empty());
  EXPECT_TRUE(sim.me.has_resting(kBtc));

  // Bar k+1 opens at 100.00: 100.00 * (1 + 10/10000) = 100.10 -> 10010 raw (already on tick).
  sim.run(bar(1, 10'000, 10'200, 9'900, 10'100));
  ASSERT_EQ(sim.fills.size(), 1u);
  const SimFill& f = sim.fills[0];
  EXPECT_EQ(f.order, &o);
  EXPECT_EQ(f.price, 10'010);
  EXPECT_EQ(f.qty, 50'000);
  EXPECT_EQ(f.liquidity, TH_LIQ_TAKER);
  // Notional 100.10 * 0.5 = 50.05 USDT; fee 50.05 * 10 / 10000 = 0.05005 USDT = 5'005'000 raw.
  EXPECT_EQ(f.fee, 5'005'000);
  EXPECT_TRUE(sim.expiries.empty());
  EXPECT_FALSE(sim.me.has_resting(kBtc));
  EXPECT_EQ(sim.me.reserved_cash(), 0);
}

TEST(SimMarket, OrderIsNotMatchedAgainstABarThatOpenedBeforeItWasAccepted) {
  Sim sim(1000 * kUsdt, config(10, 10, 0));
  // Accepted 1 ns after bar k+1 opened: k+1 is not eligible, k+2 is.
  Order& o = sim.order(TH_SIDE_BUY, TH_ORD_MARKET, 10'000, 0, 0, TH_TIF_GTC, 0, kBtc,
                       kDecided + 1);
  ASSERT_EQ(sim.me.accept(o, 10'000), "");
  sim.run(bar(1, 10'000, 10'100, 9'900, 10'050));
  EXPECT_TRUE(sim.fills.empty());
  EXPECT_FALSE(o.sim_seen_bar);
  // Bar k+2 opens at 100.50: no slippage, fill at 100.50.
  sim.run(bar(2, 10'050, 10'100, 10'000, 10'080));
  ASSERT_EQ(sim.fills.size(), 1u);
  EXPECT_EQ(sim.fills[0].price, 10'050);
}

TEST(SimMarket, SellFillsAtOpenMinusSlippage) {
  Sim sim(0, config(10, 10, 10));
  sim.hold(kBtc, 50'000, 10'000);  // 0.5 BTC
  Order& o = sim.order(TH_SIDE_SELL, TH_ORD_MARKET, 50'000);
  ASSERT_EQ(sim.me.accept(o, 10'000), "");
  EXPECT_EQ(sim.me.reserved_cash(), 0);  // sells reserve base, not cash
  sim.run(bar(1, 10'000, 10'100, 9'900, 10'000));
  ASSERT_EQ(sim.fills.size(), 1u);
  // 100.00 * (1 - 10/10000) = 99.90 -> 9990 raw.
  EXPECT_EQ(sim.fills[0].price, 9'990);
  // 99.90 * 0.5 = 49.95 USDT; fee 49.95 * 0.001 = 0.04995 USDT = 4'995'000 raw.
  EXPECT_EQ(sim.fills[0].fee, 4'995'000);
  EXPECT_EQ(sim.fills[0].liquidity, TH_LIQ_TAKER);
}

TEST(SimMarket, SlippedPriceIsRoundedToTheTickAgainstTheTrader) {
  Sim sim(1000 * kUsdt, config(10, 10, 10));
  sim.hold(kEth, 100'000, 10'000);  // 1 ETH, to be able to sell
  // Tick 0.50. Buy: 100.00 * 1.001 = 100.10, up to the next 0.50 -> 100.50.
  Order& buy = sim.order(TH_SIDE_BUY, TH_ORD_MARKET, 100'000, 0, 0, TH_TIF_GTC, 0, kEth);
  // Sell: 100.00 * 0.999 = 99.90, down to 0.50 -> 99.50.
  Order& sell = sim.order(TH_SIDE_SELL, TH_ORD_MARKET, 100'000, 0, 0, TH_TIF_GTC, 0, kEth);
  ASSERT_EQ(sim.me.accept(buy, 10'000), "");
  ASSERT_EQ(sim.me.accept(sell, 10'000), "");
  sim.run(bar(1, 10'000, 10'100, 9'900, 10'000, kEth));
  ASSERT_EQ(sim.fills.size(), 2u);
  EXPECT_EQ(sim.fills[0].order, &buy);  // acceptance order
  EXPECT_EQ(sim.fills[0].price, 10'050);
  EXPECT_EQ(sim.fills[1].order, &sell);
  EXPECT_EQ(sim.fills[1].price, 9'950);

  const th_instrument btc = spot(kBtc, 1, "BTC", "BTC/USDT");
  const th_instrument eth = spot(kEth, 50, "ETH", "ETH/USDT");
  // Tick 0.01, price 100.01: buy 100.01 * 1.001 = 100.11001 -> up to 100.12;
  // sell 100.01 * 0.999 = 99.90999 -> down to 99.90.
  EXPECT_EQ(sim.me.slipped(btc, TH_SIDE_BUY, 10'001), 10'012);
  EXPECT_EQ(sim.me.slipped(btc, TH_SIDE_SELL, 10'001), 9'990);
  EXPECT_EQ(sim.me.slipped(eth, TH_SIDE_BUY, 10'000), 10'050);
  EXPECT_EQ(sim.me.slipped(eth, TH_SIDE_SELL, 10'000), 9'950);
  // 100.50 * 1.001 = 100.6005 -> 101.00; 100.50 * 0.999 = 100.3995 -> 100.00.
  EXPECT_EQ(sim.me.slipped(eth, TH_SIDE_BUY, 10'050), 10'100);
  EXPECT_EQ(sim.me.slipped(eth, TH_SIDE_SELL, 10'050), 10'000);
}

TEST(SimFees, TakerFeeIsNotionalTimesBpsRoundedUpAt1e8) {
  Sim sim(1000 * kUsdt, config(10, 10, 0));
  Order& o = sim.order(TH_SIDE_BUY, TH_ORD_MARKET, 12'345);  // 0.12345 BTC
  ASSERT_EQ(sim.me.accept(o, 10'001), "");
  sim.run(bar(1, 10'001, 10'100, 9'900, 10'000));
  ASSERT_EQ(sim.fills.size(), 1u);
  EXPECT_EQ(sim.fills[0].price, 10'001);  // no slippage: the open, 100.01
  // 100.01 * 0.12345 = 12.3462345 USDT; * 10 / 10000 = 0.0123462345 -> up to 0.01234624.
  EXPECT_EQ(sim.fills[0].fee, 1'234'624);

  // fee_for directly (money raw in, money raw out).
  EXPECT_EQ(MatchingEngine::fee_for(1'234'623'450, 10), 1'234'624);  // as above
  EXPECT_EQ(MatchingEngine::fee_for(5'005'000'000, 10), 5'005'000);  // 50.05 -> 0.05005 exact
  EXPECT_EQ(MatchingEngine::fee_for(100 * kUsdt, 7.5), 7'500'000);   // 100 * 0.00075 = 0.075
  EXPECT_EQ(MatchingEngine::fee_for(1, 10), 1);  // 1e-8 * 0.001 = 1e-11 -> up to 1e-8
  EXPECT_EQ(MatchingEngine::fee_for(0, 10), 0);
  EXPECT_EQ(MatchingEngine::fee_for(100 * kUsdt, 0), 0);
}

// ---- limit orders --------------------------------------------------------------------------

TEST(SimLimit, BuyFillsAtItsPriceAsMakerOnlyWhenLowTradesThrough) {
  Sim sim(1000 * kUsdt, config(2, 10, 0));
  Order& o = sim.order(TH_SIDE_BUY, TH_ORD_LIMIT, 50'000, 9'900);  // 0.5 @ 99.00
  ASSERT_EQ(sim.me.accept(o, 10'000), "");
  // Reserved at its limit with the taker fee: 0.5 * 99.00 = 49.50, fee 0.0495; 49.5495 USDT.
  EXPECT_EQ(sim.me.reserved_cash(), 4'954'950'000);

  // First eligible bar: opens 100.00 (above the limit), low exactly 99.00: a touch, no fill.
  sim.run(bar(1, 10'000, 10'100, 9'900, 9'950));
  EXPECT_TRUE(sim.fills.empty());
  EXPECT_TRUE(sim.expiries.empty());
  EXPECT_TRUE(sim.me.has_resting(kBtc));
  // Next bar: low 98.99 < 99.00, fill at 99.00 as maker.
  sim.run(bar(2, 9'950, 10'000, 9'899, 9'920));
  ASSERT_EQ(sim.fills.size(), 1u);
  EXPECT_EQ(sim.fills[0].price, 9'900);
  EXPECT_EQ(sim.fills[0].qty, 50'000);
  EXPECT_EQ(sim.fills[0].liquidity, TH_LIQ_MAKER);
  // 49.50 USDT * 2 / 10000 = 0.0099 USDT = 990'000 raw (maker rate, not taker).
  EXPECT_EQ(sim.fills[0].fee, 990'000);
  EXPECT_EQ(sim.me.reserved_cash(), 0);
  EXPECT_FALSE(sim.me.has_resting(kBtc));
}

TEST(SimLimit, BuyAlreadyCrossedAtFirstEligibleOpenFillsAtTheOpenAsTaker) {
  Sim sim(1000 * kUsdt, config(2, 10, 25));
  Order& o = sim.order(TH_SIDE_BUY, TH_ORD_LIMIT, 50'000, 10'100);  // 0.5 @ 101.00
  ASSERT_EQ(sim.me.accept(o, 10'050), "");
  sim.run(bar(1, 10'000, 10'200, 9'950, 10'150));  // opens at 100.00 <= 101.00
  ASSERT_EQ(sim.fills.size(), 1u);
  // At the open, not the limit, and limits take no slippage.
  EXPECT_EQ(sim.fills[0].price, 10'000);
  EXPECT_EQ(sim.fills[0].liquidity, TH_LIQ_TAKER);
  // 0.5 * 100.00 = 50.00 USDT; taker 50 * 10 / 10000 = 0.05 USDT = 5'000'000 raw.
  EXPECT_EQ(sim.fills[0].fee, 5'000'000);
}

TEST(SimLimit, SellCrossedAtOpenTakesAndSellRestingFillsOnlyWhenHighTradesThrough) {
  Sim sim(0, config(2, 10, 0));
  sim.hold(kBtc, 100'000, 10'000);  // 1 BTC
  Order& crossed = sim.order(TH_SIDE_SELL, TH_ORD_LIMIT, 50'000, 9'900);   // 0.5 @ 99.00
  Order& resting = sim.order(TH_SIDE_SELL, TH_ORD_LIMIT, 50'000, 10'500);  // 0.5 @ 105.00
  ASSERT_EQ(sim.me.accept(crossed, 10'000), "");
  ASSERT_EQ(sim.me.accept(resting, 10'000), "");
  // Opens 100.00 >= 99.00: `crossed` fills at 100.00 (taker); high exactly 105.00: `resting`
  // is only touched.
  sim.run(bar(1, 10'000, 10'500, 9'950, 10'400));
  ASSERT_EQ(sim.fills.size(), 1u);
  EXPECT_EQ(sim.fills[0].order, &crossed);
  EXPECT_EQ(sim.fills[0].price, 10'000);
  EXPECT_EQ(sim.fills[0].liquidity, TH_LIQ_TAKER);
  // 50.00 USDT * 0.001 = 0.05 USDT.
  EXPECT_EQ(sim.fills[0].fee, 5'000'000);
  // High 105.01 > 105.00: fills at 105.00 as maker.
  sim.run(bar(2, 10'400, 10'501, 10'300, 10'450));
  ASSERT_EQ(sim.fills.size(), 2u);
  EXPECT_EQ(sim.fills[1].order, &resting);
  EXPECT_EQ(sim.fills[1].price, 10'500);
  EXPECT_EQ(sim.fills[1].liquidity, TH_LIQ_MAKER);
  // 0.5 * 105.00 = 52.50 USDT; maker 52.50 * 2 / 10000 = 0.0105 USDT = 1'050'000 raw.
  EXPECT_EQ(sim.fills[1].fee, 1'050'000);
}

TEST(SimLimit, IocExpiresAfterItsFirstEligibleBar) {
  Sim sim(1000 * kUsdt, config(2, 10, 0));
  Order& o = sim.order(TH_SIDE_BUY, TH_ORD_LIMIT, 50'000, 9'900, 0, TH_TIF_IOC);
  ASSERT_EQ(sim.me.accept(o, 10'000), "");
  ASSERT_GT(sim.me.reserved_cash(), 0);
  // The decision bar does not count as its first bar.
  sim.run(bar(0, 9'800, 9'900, 9'700, 10'000));
  EXPECT_TRUE(sim.expiries.empty());
  EXPECT_TRUE(sim.fills.empty());
  // First eligible bar only touches 99.00: expired, reservation released.
  sim.run(bar(1, 10'000, 10'100, 9'900, 10'000));
  EXPECT_TRUE(sim.fills.empty());
  ASSERT_EQ(sim.expiries.size(), 1u);
  EXPECT_EQ(sim.expiries[0].order, &o);
  EXPECT_THAT(sim.expiries[0].reason, HasSubstr("IOC"));
  EXPECT_EQ(sim.me.reserved_cash(), 0);
  EXPECT_FALSE(sim.me.has_resting(kBtc));
  // Gone from the book: a later bar trading through 99.00 changes nothing.
  sim.run(bar(2, 9'800, 9'850, 9'700, 9'800));
  EXPECT_TRUE(sim.fills.empty());
  EXPECT_EQ(sim.expiries.size(), 1u);
}

TEST(SimLimit, IocCrossedAtOpenFills) {
  Sim sim(1000 * kUsdt, config(2, 10, 0));
  Order& o = sim.order(TH_SIDE_BUY, TH_ORD_LIMIT, 50'000, 10'100, 0, TH_TIF_IOC);
  ASSERT_EQ(sim.me.accept(o, 10'000), "");
  sim.run(bar(1, 10'000, 10'100, 9'900, 10'000));
  ASSERT_EQ(sim.fills.size(), 1u);
  EXPECT_EQ(sim.fills[0].price, 10'000);
  EXPECT_TRUE(sim.expiries.empty());
}

TEST(SimLimit, PostOnlyThatWouldTakeExpiresAndOneThatRestsFillsAsMaker) {
  Sim sim(1000 * kUsdt, config(2, 10, 0));
  // GTX buy at 101.00 while the next bar opens at 100.00: would take.
  Order& gtx = sim.order(TH_SIDE_BUY, TH_ORD_LIMIT, 50'000, 10'100, 0, TH_TIF_GTX);
  // The same through the POST_ONLY flag on a GTC order.
  Order& flag = sim.order(TH_SIDE_BUY, TH_ORD_LIMIT, 50'000, 10'100, 0, TH_TIF_GTC,
                          TH_OF_POST_ONLY);
  // A GTX buy at 99.00 does not cross the 100.00 open: rests, fills at 99.00 when low < 99.00.
  Order& rests = sim.order(TH_SIDE_BUY, TH_ORD_LIMIT, 50'000, 9'900, 0, TH_TIF_GTX);
  ASSERT_EQ(sim.me.accept(gtx, 10'000), "");
  ASSERT_EQ(sim.me.accept(flag, 10'000), "");
  ASSERT_EQ(sim.me.accept(rests, 10'000), "");
  sim.run(bar(1, 10'000, 10'050, 9'850, 9'900));
  ASSERT_EQ(sim.expiries.size(), 2u);
  EXPECT_EQ(sim.expiries[0].order, &gtx);
  EXPECT_EQ(sim.expiries[1].order, &flag);
  EXPECT_THAT(sim.expiries[0].reason, HasSubstr("post-only"));
  ASSERT_EQ(sim.fills.size(), 1u);
  EXPECT_EQ(sim.fills[0].order, &rests);
  EXPECT_EQ(sim.fills[0].price, 9'900);
  EXPECT_EQ(sim.fills[0].liquidity, TH_LIQ_MAKER);
  EXPECT_EQ(sim.me.reserved_cash(), 0);
}

// ---- stop-market ---------------------------------------------------------------------------

TEST(SimStop, SellTriggersWhenLowReachesTriggerAndFillsAtWorseOfOpenAndTrigger) {
  Sim sim(0, config(10, 10, 10));
  sim.hold(kBtc, 200'000, 10'000);  // 2 BTC
  Order& stop = sim.order(TH_SIDE_SELL, TH_ORD_STOP_MARKET, 100'000, 0, 9'500);  // 1 @ 95.00
  ASSERT_EQ(sim.me.accept(stop, 10'000), "");
  // Low 95.01 > 95.00: not triggered.
  sim.run(bar(1, 9'700, 9'800, 9'501, 9'600));
  EXPECT_TRUE(sim.fills.empty());
  EXPECT_TRUE(sim.me.has_resting(kBtc));
  // Low exactly 95.00 <= 95.00: triggered; min(open 96.00, 95.00) = 95.00;
  // 95.00 * (1 - 0.001) = 94.905 -> down to the tick: 94.90.
  sim.run(bar(2, 9'600, 9'650, 9'500, 9'550));
  ASSERT_EQ(sim.fills.size(), 1u);
  EXPECT_EQ(sim.fills[0].price, 9'490);
  EXPECT_EQ(sim.fills[0].qty, 100'000);
  EXPECT_EQ(sim.fills[0].liquidity, TH_LIQ_TAKER);
  // 94.90 * 1 = 94.90 USDT; fee 94.90 * 0.001 = 0.0949 USDT = 9'490'000 raw.
  EXPECT_EQ(sim.fills[0].fee, 9'490'000);

  // A gap below the trigger fills at the (worse) open: min(93.00, 95.00) = 93.00;
  // 93.00 * 0.999 = 92.907 -> 92.90; fee 92.90 * 0.001 = 0.0929 USDT.
  Order& gap = sim.order(TH_SIDE_SELL, TH_ORD_STOP_MARKET, 100'000, 0, 9'500);
  ASSERT_EQ(sim.me.accept(gap, 9'550), "");
  sim.run(bar(3, 9'300, 9'400, 9'200, 9'350));
  ASSERT_EQ(sim.fills.size(), 2u);
  EXPECT_EQ(sim.fills[1].order, &gap);
  EXPECT_EQ(sim.fills[1].price, 9'290);
  EXPECT_EQ(sim.fills[1].fee, 9'290'000);
}

TEST(SimStop, BuyTriggersWhenHighReachesTriggerAndFillsAtWorseOfOpenAndTrigger) {
  Sim sim(1000 * kUsdt, config(10, 10, 10));
  Order& stop = sim.order(TH_SIDE_BUY, TH_ORD_STOP_MARKET, 100'000, 0, 10'500);  // 1 @ 105.00
  ASSERT_EQ(sim.me.accept(stop, 10'000), "");
  // Reserved at max(trigger, last) = 105.00 slipped: 105.105 -> 105.11; fee 0.10511;
  // 105.11 + 0.10511 = 105.21511 USDT.
  EXPECT_EQ(sim.me.reserved_cash(), 10'521'511'000);
  sim.run(bar(1, 10'300, 10'499, 10'200, 10'400));  // high 104.99: not triggered
  EXPECT_TRUE(sim.fills.empty());
  // High 105.00 >= 105.00; max(open 103.00, 105.00) = 105.00; * 1.001 = 105.105 -> 105.11.
  sim.run(bar(2, 10'300, 10'500, 10'250, 10'450));
  ASSERT_EQ(sim.fills.size(), 1u);
  EXPECT_EQ(sim.fills[0].price, 10'511);
  // 105.11 * 0.001 = 0.10511 USDT.
  EXPECT_EQ(sim.fills[0].fee, 10'511'000);
  EXPECT_EQ(sim.me.reserved_cash(), 0);
}

// ---- balances ------------------------------------------------------------------------------

TEST(SimBalance, BuyBeyondAvailableCashIsRejectedAtAcceptNamingTheAsset) {
  // 100.00 USDT; a market buy of 1 BTC at 100.00 needs 100.00 + 0.10 fee = 100.10.
  Sim poor(100 * kUsdt, config(10, 10, 0));
  Order& o = poor.order(TH_SIDE_BUY, TH_ORD_MARKET, 100'000);
  const std::string why = poor.me.accept(o, 10'000);
  EXPECT_THAT(why, HasSubstr("insufficient"));
  EXPECT_THAT(why, HasSubstr("USDT"));
  EXPECT_FALSE(poor.me.has_resting(kBtc));
  EXPECT_EQ(poor.me.reserved_cash(), 0);
  EXPECT_EQ(o.reserved_cash, 0);

  // Exactly 100.10 USDT is enough.
  Sim exact(10'010'000'000, config(10, 10, 0));
  Order& ok = exact.order(TH_SIDE_BUY, TH_ORD_MARKET, 100'000);
  EXPECT_EQ(exact.me.accept(ok, 10'000), "");
  EXPECT_EQ(exact.me.reserved_cash(), 10'010'000'000);
  // Everything is now reserved: even 0.00001 BTC (0.001 USDT + 0.00000100 fee) is refused.
  Order& more = exact.order(TH_SIDE_BUY, TH_ORD_MARKET, 1);
  EXPECT_THAT(exact.me.accept(more, 10'000), HasSubstr("USDT"));
}

TEST(SimBalance, SpotSellAboveTheFreePositionIsRejected) {
  Sim sim(0, config(10, 10, 0));
  sim.hold(kBtc, 50'000, 10'000);  // 0.5 BTC
  Order& too_much = sim.order(TH_SIDE_SELL, TH_ORD_MARKET, 50'001);  // 0.50001
  const std::string why = sim.me.accept(too_much, 10'000);
  EXPECT_THAT(why, HasSubstr("insufficient"));
  EXPECT_THAT(why, HasSubstr("BTC"));
  // Open sells lock what they sell: 0.3 leaves 0.2 free.
  Order& first = sim.order(TH_SIDE_SELL, TH_ORD_LIMIT, 30'000, 11'000);
  EXPECT_EQ(sim.me.accept(first, 10'000), "");
  Order& second = sim.order(TH_SIDE_SELL, TH_ORD_LIMIT, 30'000, 11'000);
  EXPECT_THAT(sim.me.accept(second, 10'000), HasSubstr("BTC"));
  Order& rest = sim.order(TH_SIDE_SELL, TH_ORD_LIMIT, 20'000, 11'000);
  EXPECT_EQ(sim.me.accept(rest, 10'000), "");
  // Selling without any position is refused too (spot cannot go short).
  Sim flat(1000 * kUsdt, config(10, 10, 0));
  Order& short_sell = flat.order(TH_SIDE_SELL, TH_ORD_MARKET, 1);
  EXPECT_THAT(flat.me.accept(short_sell, 10'000), HasSubstr("BTC"));
}

TEST(SimBalance, RemoveReleasesReservedCashAndBase) {
  Sim sim(15'010'000'000, config(10, 10, 0));  // 150.10 USDT
  sim.hold(kBtc, 50'000, 10'000);  // 0.5 BTC for 50.00 USDT: 100.10 USDT left
  Order& buy = sim.order(TH_SIDE_BUY, TH_ORD_LIMIT, 100'000, 10'000);  // 1 @ 100.00: 100.10
  ASSERT_EQ(sim.me.accept(buy, 10'000), "");
  EXPECT_EQ(sim.me.reserved_cash(), 10'010'000'000);
  Order& buy2 = sim.order(TH_SIDE_BUY, TH_ORD_LIMIT, 100'000, 10'000);
  EXPECT_NE(sim.me.accept(buy2, 10'000), "");
  Order& sell = sim.order(TH_SIDE_SELL, TH_ORD_LIMIT, 50'000, 12'000);
  ASSERT_EQ(sim.me.accept(sell, 10'000), "");
  Order& sell2 = sim.order(TH_SIDE_SELL, TH_ORD_LIMIT, 50'000, 12'000);
  EXPECT_NE(sim.me.accept(sell2, 10'000), "");

  EXPECT_TRUE(sim.me.remove(buy));
  EXPECT_EQ(sim.me.reserved_cash(), 0);
  EXPECT_EQ(buy.reserved_cash, 0);
  EXPECT_FALSE(sim.me.remove(buy));  // no longer resting
  EXPECT_TRUE(sim.me.remove(sell));
  EXPECT_FALSE(sim.me.has_resting(kBtc));
  // Both freed amounts can be used again.
  EXPECT_EQ(sim.me.accept(buy2, 10'000), "");
  EXPECT_EQ(sim.me.accept(sell2, 10'000), "");
  // A removed order no longer trades.
  sim.me.remove(buy2);
  sim.me.remove(sell2);
  sim.run(bar(1, 9'000, 13'000, 8'000, 10'000));
  EXPECT_TRUE(sim.fills.empty());
}

TEST(SimBalance, BuyThatGappedBeyondCashAtFillExpires) {
  // 100.20 USDT. Market buy 1 BTC valued at 100.00: needs 100.10, accepted.
  Sim sim(10'020'000'000, config(10, 10, 0));
  Order& o = sim.order(TH_SIDE_BUY, TH_ORD_MARKET, 100'000);
  ASSERT_EQ(sim.me.accept(o, 10'000), "");
  // Opens at 101.00: 101.00 + 0.101 fee = 101.101 > 100.20.
  sim.run(bar(1, 10'100, 10'200, 10'000, 10'150));
  EXPECT_TRUE(sim.fills.empty());
  ASSERT_EQ(sim.expiries.size(), 1u);
  EXPECT_EQ(sim.expiries[0].order, &o);
  EXPECT_THAT(sim.expiries[0].reason, HasSubstr("insufficient balance at fill"));
  EXPECT_EQ(sim.me.reserved_cash(), 0);
  EXPECT_FALSE(sim.me.has_resting(kBtc));
  EXPECT_EQ(sim.pf.cash(), 10'020'000'000);

  // Opening at 100.09 instead: 100.09 + 0.10009 = 100.19009 <= 100.20: fills.
  Sim fits(10'020'000'000, config(10, 10, 0));
  Order& p = fits.order(TH_SIDE_BUY, TH_ORD_MARKET, 100'000);
  ASSERT_EQ(fits.me.accept(p, 10'000), "");
  fits.run(bar(1, 10'009, 10'200, 10'000, 10'150));
  ASSERT_EQ(fits.fills.size(), 1u);
  EXPECT_EQ(fits.fills[0].price, 10'009);
  EXPECT_EQ(fits.fills[0].fee, 10'009'000);  // 100.09 * 0.001 = 0.10009 USDT
}

TEST(SimAccept, UnsupportedTypesUnknownInstrumentsAndUnpricedMarketBuysAreRejected) {
  Sim sim(1000 * kUsdt, config(10, 10, 0));
  Order& stop_limit = sim.order(TH_SIDE_BUY, TH_ORD_STOP_LIMIT, 1'000, 10'000, 10'000);
  EXPECT_THAT(sim.me.accept(stop_limit, 10'000), HasSubstr("STOP_LIMIT"));
  Order& unknown = sim.order(TH_SIDE_BUY, TH_ORD_MARKET, 1'000, 0, 0, TH_TIF_GTC, 0, 9);
  EXPECT_NE(sim.me.accept(unknown, 10'000), "");
  Order& unpriced = sim.order(TH_SIDE_BUY, TH_ORD_MARKET, 1'000);
  EXPECT_NE(sim.me.accept(unpriced, 0), "");
  EXPECT_FALSE(sim.me.has_resting(kBtc));
  EXPECT_EQ(sim.me.reserved_cash(), 0);
}

}  // namespace
}  // namespace tradehost::sim
