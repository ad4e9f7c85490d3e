// The write-ahead order journal: orders, their transitions, and the readers crash recovery uses.
#include <gtest/gtest.h>

#include <string>

#include "store/store.hpp"
#include "temp_state_dir.hpp"

namespace tradehost::store {
namespace {

using testing_support::make_order;
using testing_support::make_run;
using testing_support::RawConnection;
using testing_support::TempStateDir;

class Journal : public ::testing::TestWithParam<Durability> {
 protected:
  TempStateDir dir_;
  std::filesystem::path file_ = dir_.file("bot.sqlite");
  Store store_ = Store::open(file_, GetParam());
  int64_t run_ = store_.begin_run(make_run("btc-ema"));
};

INSTANTIATE_TEST_SUITE_P(BothDurabilities, Journal,
                         ::testing::Values(Durability::Batched, Durability::Synchronous),
                         [](const auto& info) {
                           return info.param == Durability::Batched ? "Batched" : "Synchronous";
                         });

TEST_P(Journal, InsertOrderWritesPendingNewRowAndFirstJournalEntry) {
  store_.insert_order(make_order(run_, 1, "btc-ema-1-1"));
  store_.flush();
  RawConnection raw(file_);
  EXPECT_EQ(raw.query_text("SELECT state FROM orders WHERE client_order_id = 'btc-ema-1-1'"),
            "PENDING_NEW");
  EXPECT_EQ(raw.query_text("SELECT price FROM orders WHERE order_id = 1"), "16727.3");
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM order_events WHERE order_id = 1"), 1);
  EXPECT_EQ(raw.query_text("SELECT from_state FROM order_events WHERE order_id = 1"), "<NULL>");
  EXPECT_EQ(raw.query_text("SELECT to_state FROM order_events WHERE order_id = 1"), "PENDING_NEW");
}

TEST_P(Journal, EveryTransitionWritesAnEventAndUpdatesTheOrder) {
  store_.insert_order(make_order(run_, 7, "btc-ema-1-7"));
  store_.record_transition(run_, 7, 2'000, TH_ORDER_PENDING_NEW, TH_ORDER_NEW, "0");
  store_.record_transition(run_, 7, 3'000, TH_ORDER_NEW, TH_ORDER_PARTIALLY_FILLED, "0.0005",
                           "16727.3");
  store_.record_transition(run_, 7, 4'000, TH_ORDER_PARTIALLY_FILLED, TH_ORDER_FILLED, "0.0015",
                           "16727.1");
  store_.flush();

  RawConnection raw(file_);
  const std::string where =
      " FROM orders WHERE run_id = " + std::to_string(run_) + " AND order_id = 7";
  EXPECT_EQ(raw.query_text("SELECT state" + where), "FILLED");
  EXPECT_EQ(raw.query_text("SELECT filled_qty" + where), "0.0015");
  EXPECT_EQ(raw.query_text("SELECT avg_fill_price" + where), "16727.1");
  EXPECT_EQ(raw.query_int("SELECT updated_ns" + where), 4'000);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM order_events WHERE order_id = 7"), 4);
  EXPECT_EQ(
      raw.query_text("SELECT group_concat(coalesce(from_state, '-') || '>' || to_state, ' ') "
                     "FROM (SELECT * FROM order_events WHERE order_id = 7 ORDER BY event_id)"),
      "->PENDING_NEW PENDING_NEW>NEW NEW>PARTIALLY_FILLED PARTIALLY_FILLED>FILLED");
  EXPECT_EQ(raw.query_text("SELECT group_concat(filled_qty, ' ') FROM (SELECT * FROM order_events "
                           "WHERE order_id = 7 ORDER BY event_id)"),
            "0 0 0.0005 0.0015");

  // The reader gives the same journal, with states as TH_ORDER_* codes.
  const auto events = store_.order_events(run_, 7);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_FALSE(events[0].from_state.has_value());
  EXPECT_EQ(events[0].to_state, TH_ORDER_PENDING_NEW);
  EXPECT_EQ(events[3].from_state, TH_ORDER_PARTIALLY_FILLED);
  EXPECT_EQ(events[3].to_state, TH_ORDER_FILLED);
  EXPECT_EQ(events[3].ts_ns, 4'000);
  EXPECT_LT(events[0].event_id, events[3].event_id);
}

TEST_P(Journal, RejectionReasonIsKeptOnOrderAndEvent) {
  store_.insert_order(make_order(run_, 2, "btc-ema-1-2"));
  store_.record_transition(run_, 2, 2'000, TH_ORDER_PENDING_NEW, TH_ORDER_REJECTED, "0",
                           std::nullopt, "venue: -2010 insufficient balance");
  const auto orders = store_.load_orders(run_);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].state, TH_ORDER_REJECTED);
  EXPECT_EQ(orders[0].reason, "venue: -2010 insufficient balance");
  EXPECT_FALSE(orders[0].avg_fill_price.has_value());
  EXPECT_EQ(store_.order_events(run_, 2).back().reason, "venue: -2010 insufficient balance");
}

TEST_P(Journal, DuplicateClientOrderIdThrowsAndKeepsEarlierWrites) {
  store_.insert_order(make_order(run_, 1, "btc-ema-1-1"));
  try {
    store_.insert_order(make_order(run_, 2, "btc-ema-1-1"));
    FAIL() << "duplicate client_order_id accepted";
  } catch (const StoreError& e) {
    EXPECT_TRUE(e.is_constraint_violation()) << e.what();
    EXPECT_NE(std::string(e.what()).find("client_order_id"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(file_.string()), std::string::npos) << e.what();
  }
  // Unique across runs too: a restart must never reuse an id the venue may have seen.
  const int64_t next_run = store_.begin_run(make_run("btc-ema"));
  EXPECT_THROW(store_.insert_order(make_order(next_run, 1, "btc-ema-1-1")), StoreError);
  store_.flush();

  RawConnection raw(file_);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM orders"), 1);
  EXPECT_EQ(raw.query_int("SELECT order_id FROM orders"), 1);
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM order_events"), 1);
}

TEST_P(Journal, TransitionFromWrongStateThrowsAndWritesNothing) {
  store_.insert_order(make_order(run_, 3, "btc-ema-1-3"));
  store_.record_transition(run_, 3, 2'000, TH_ORDER_PENDING_NEW, TH_ORDER_NEW, "0");
  try {
    store_.record_transition(run_, 3, 3'000, TH_ORDER_PENDING_NEW, TH_ORDER_REJECTED, "0");
    FAIL() << "transition from a state the order is not in was journaled";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("state NEW, not PENDING_NEW"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(store_.record_transition(run_, 99, 3'000, TH_ORDER_NEW, TH_ORDER_FILLED, "1"),
               StoreError);
  EXPECT_THROW(store_.record_transition(run_, 3, 3'000, TH_ORDER_NEW, 42, "1"), StoreError);
  store_.flush();

  RawConnection raw(file_);
  EXPECT_EQ(raw.query_text("SELECT state FROM orders WHERE order_id = 3"), "NEW");
  EXPECT_EQ(raw.query_int("SELECT count(*) FROM order_events"), 2);
}

TEST_P(Journal, LoadOpenOrdersReturnsOnlyNonFinalStatesAcrossRuns) {
  // Run 1: one order in every state.
  const int32_t states[] = {TH_ORDER_PENDING_NEW, TH_ORDER_NEW,      TH_ORDER_PARTIALLY_FILLED,
                            TH_ORDER_FILLED,      TH_ORDER_CANCELED, TH_ORDER_REJECTED,
                            TH_ORDER_EXPIRED};
  int64_t id = 0;
  for (const int32_t state : states) {
    ++id;
    OrderRow order = make_order(run_, id, "btc-ema-1-" + std::to_string(id));
    order.state = state;
    store_.insert_order(order);
  }
  // Run 2 of the same bot: one open order. Another bot: an open order that is not ours.
  const int64_t run2 = store_.begin_run(make_run("btc-ema", "live"));
  store_.insert_order(make_order(run2, 1, "btc-ema-2-1"));
  const int64_t other = store_.begin_run(make_run("eth-grid"));
  store_.insert_order(make_order(other, 1, "eth-grid-3-1"));

  const auto open = store_.load_open_orders("btc-ema");
  ASSERT_EQ(open.size(), 4u);
  EXPECT_EQ(open[0].client_order_id, "btc-ema-1-1");
  EXPECT_EQ(open[0].state, TH_ORDER_PENDING_NEW);
  EXPECT_EQ(open[1].client_order_id, "btc-ema-1-2");
  EXPECT_EQ(open[1].state, TH_ORDER_NEW);
  EXPECT_EQ(open[2].client_order_id, "btc-ema-1-3");
  EXPECT_EQ(open[2].state, TH_ORDER_PARTIALLY_FILLED);
  EXPECT_EQ(open[3].client_order_id, "btc-ema-2-1");
  EXPECT_EQ(open[3].run_id, run2);

  const auto live_only = store_.load_open_orders("btc-ema", "live");
  ASSERT_EQ(live_only.size(), 1u);
  EXPECT_EQ(live_only[0].client_order_id, "btc-ema-2-1");

  // Filling the partially filled order closes it.
  store_.record_transition(run_, 3, 5'000, TH_ORDER_PARTIALLY_FILLED, TH_ORDER_FILLED, "0.0015");
  EXPECT_EQ(store_.load_open_orders("btc-ema").size(), 3u);
  EXPECT_EQ(store_.load_orders(run_).size(), 7u);
}

TEST_P(Journal, LoadOrdersRoundTripsEveryColumn) {
  OrderRow order = make_order(run_, 5, "btc-ema-1-5");
  order.type = "stop_limit";
  order.trigger_price = "16700";
  order.side = "sell";
  store_.insert_order(order);
  const auto loaded = store_.load_orders(run_);
  ASSERT_EQ(loaded.size(), 1u);
  const OrderRow& got = loaded[0];
  EXPECT_EQ(got.run_id, run_);
  EXPECT_EQ(got.order_id, 5);
  EXPECT_EQ(got.client_order_id, "btc-ema-1-5");
  EXPECT_EQ(got.strategy, "ema");
  EXPECT_EQ(got.instrument, "BTC/USDT");
  EXPECT_EQ(got.side, "sell");
  EXPECT_EQ(got.type, "stop_limit");
  EXPECT_EQ(got.tif, "GTC");
  EXPECT_EQ(got.qty, "0.0015");
  EXPECT_EQ(got.price, "16727.3");
  EXPECT_EQ(got.trigger_price, "16700");
  EXPECT_EQ(got.tag, "entry");
  EXPECT_EQ(got.state, TH_ORDER_PENDING_NEW);
  EXPECT_EQ(got.filled_qty, "0");
  EXPECT_FALSE(got.avg_fill_price.has_value());
  EXPECT_FALSE(got.reason.has_value());
  EXPECT_EQ(got.created_ns, order.created_ns);
  EXPECT_EQ(got.updated_ns, order.updated_ns);
}

TEST_P(Journal, AuditRowsFillsPositionsDecisionsEquityRejections) {
  store_.record_plugin({run_, "ema_crossover", "0.1.0", "1.0", "build/plugins/libth_ema.so", ""});
  store_.insert_order(make_order(run_, 1, "btc-ema-1-1"));

  DecisionRow buy{0,
                  run_,
                  1'000,
                  "ema",
                  "BTC/USDT",
                  "buy",
                  "fast crossed above slow",
                  R"({"fast":16730.2,"slow":16725.9})",
                  std::nullopt,
                  std::nullopt};
  buy.order_id = 1;
  buy.risk_verdict = "approved";
  const int64_t decision = store_.record_decision(buy);
  DecisionRow rejected = buy;
  rejected.order_id = std::nullopt;
  rejected.risk_verdict = "rejected: max_position 1000 USDT";
  const int64_t decision2 = store_.record_decision(rejected);
  EXPECT_GT(decision2, decision);
  DecisionRow bad_verdict = rejected;
  bad_verdict.risk_verdict = "maybe";  // neither "approved" nor "rejected: ..."
  EXPECT_THROW(store_.record_decision(bad_verdict), StoreError);

  FillRow fill{0,     run_,      1,        "btc-ema-1-1", "sim-1", 2'000,  "BTC/USDT",
               "buy", "16727.3", "0.0015", "0.02509095",  "USDT",  "maker"};
  const int64_t fill_id = store_.record_fill(fill);
  EXPECT_GT(fill_id, 0);
  store_.upsert_position({run_, "BTC/USDT", "0.0015", "16727.3", "0", 2'000});
  store_.upsert_position({run_, "BTC/USDT", "0", "0", "1.25", 3'000});
  store_.record_equity(run_, 2'000, "10000", "9974.88");
  store_.record_equity(run_, 2'000, "10000.01", "9974.88");  // same instant: replaced
  store_.record_equity(run_, 3'000, "10001.25", "10001.25");
  store_.record_rejection({run_, 4'000, "ema", "BTC/USDT", "max_position",
                           "notional 1200 USDT over 1000 USDT", R"({"side":"buy","qty":"0.07"})"});
  store_.flush();

  EXPECT_EQ(store_.count("plugins", run_), 1);
  EXPECT_EQ(store_.count("decisions", run_), 2);
  EXPECT_EQ(store_.count("fills", run_), 1);
  EXPECT_EQ(store_.count("positions", run_), 1);
  EXPECT_EQ(store_.count("equity", run_), 2);
  EXPECT_EQ(store_.count("rejections", run_), 1);

  RawConnection raw(file_);
  EXPECT_EQ(raw.query_int("SELECT order_id FROM decisions WHERE decision_id = " +
                          std::to_string(decision)),
            1);
  EXPECT_EQ(raw.query_text("SELECT risk_verdict FROM decisions WHERE decision_id = " +
                           std::to_string(decision2)),
            "rejected: max_position 1000 USDT");
  EXPECT_EQ(raw.query_text("SELECT realized_pnl FROM positions"), "1.25");
  EXPECT_EQ(raw.query_text("SELECT qty FROM positions"), "0");
  EXPECT_EQ(raw.query_text("SELECT equity FROM equity WHERE ts_ns = 2000"), "10000.01");
  EXPECT_EQ(raw.query_text("SELECT fee FROM fills"), "0.02509095");
  EXPECT_EQ(raw.query_text("SELECT build_id FROM plugins"), "");
}

}  // namespace
}  // namespace tradehost::store
