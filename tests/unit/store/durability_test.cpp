// Batched vs Synchronous: when other connections (another process, a crash-recovering host)
// see the rows, and what a failure keeps.
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

TEST(Durability, BatchedRowsBecomeVisibleToAnotherConnectionAfterFlush) {
  TempStateDir dir;
  const auto file = dir.file("bt.sqlite");
  Store store = Store::open(file, Durability::Batched);
  const int64_t run = store.begin_run(make_run("bt"));  // committed at once
  RawConnection other(file);
  EXPECT_EQ(other.query_int("SELECT count(*) FROM runs"), 1);

  for (int i = 0; i < 100; ++i) store.record_equity(run, i, "10000", "10000");
  store.insert_order(make_order(run, 1, "bt-1-1"));
  EXPECT_EQ(other.query_int("SELECT count(*) FROM equity"), 0);  // still in the open batch
  EXPECT_EQ(store.count("equity", run), 100);                    // but this connection sees it

  store.flush();
  EXPECT_EQ(other.query_int("SELECT count(*) FROM equity"), 100);
  EXPECT_EQ(other.query_int("SELECT count(*) FROM orders"), 1);
  EXPECT_EQ(other.query_int("SELECT count(*) FROM order_events"), 1);
}

TEST(Durability, BatchedCommitsEveryNWrites) {
  TempStateDir dir;
  const auto file = dir.file("bt.sqlite");
  Store store = Store::open(file, Durability::Batched, StoreOptions{.batch_writes = 3});
  const int64_t run = store.begin_run(make_run("bt"));
  RawConnection other(file);
  store.record_equity(run, 1, "1", "1");
  store.record_equity(run, 2, "1", "1");
  EXPECT_EQ(other.query_int("SELECT count(*) FROM equity"), 0);
  store.record_equity(run, 3, "1", "1");  // third write: the batch commits
  EXPECT_EQ(other.query_int("SELECT count(*) FROM equity"), 3);
  store.record_equity(run, 4, "1", "1");
  EXPECT_EQ(other.query_int("SELECT count(*) FROM equity"), 3);
}

TEST(Durability, SynchronousRowIsVisibleAsSoonAsTheCallReturns) {
  TempStateDir dir;
  const auto file = dir.file("live.sqlite");
  Store store = Store::open(file, Durability::Synchronous);
  const int64_t run = store.begin_run(make_run("live-bot", "live"));
  RawConnection other(file);

  store.insert_order(make_order(run, 1, "live-bot-1-1"));
  EXPECT_EQ(other.query_text("SELECT state FROM orders WHERE client_order_id = 'live-bot-1-1'"),
            "PENDING_NEW");
  EXPECT_EQ(other.query_int("SELECT count(*) FROM order_events"), 1);

  store.record_transition(run, 1, 2'000, TH_ORDER_PENDING_NEW, TH_ORDER_NEW, "0");
  EXPECT_EQ(other.query_text("SELECT state FROM orders WHERE order_id = 1"), "NEW");
  EXPECT_EQ(other.query_int("SELECT count(*) FROM order_events"), 2);

  store.record_equity(run, 3'000, "10000", "10000");
  EXPECT_EQ(other.query_int("SELECT count(*) FROM equity"), 1);
}

// A fill, its order's new filled quantity and the position: all durable at commit, none before,
// and none when the group ends without commit (what a crash between the calls must leave).
TEST(Durability, WriteGroupIsOneTransactionInSynchronousMode) {
  TempStateDir dir;
  const auto file = dir.file("live.sqlite");
  Store store = Store::open(file, Durability::Synchronous);
  const int64_t run = store.begin_run(make_run("live-bot", "live"));
  store.insert_order(make_order(run, 1, "live-bot-1-1"));
  store.record_transition(run, 1, 1'000, TH_ORDER_PENDING_NEW, TH_ORDER_NEW, "0");
  RawConnection other(file);
  const FillRow fill{0, run, 1, "live-bot-1-1", "7", 2'000, "BTC/USDT", "buy", "16704.5", "0.0566", "0", "USDT", "maker"};

  {
    Store::WriteGroup group(store);
    store.record_transition(run, 1, 2'000, TH_ORDER_NEW, TH_ORDER_PARTIALLY_FILLED, "0.0566");
    store.record_fill(fill);
    EXPECT_EQ(other.query_text("SELECT filled_qty FROM orders WHERE order_id = 1"), "0");  // not yet
    EXPECT_THROW(Store::WriteGroup nested(store), StoreError);
  }  // no commit: rolled back
  EXPECT_EQ(other.query_text("SELECT state || ' ' || filled_qty FROM orders WHERE order_id = 1"), "NEW 0");
  EXPECT_EQ(other.query_int("SELECT count(*) FROM fills"), 0);
  EXPECT_EQ(other.query_int("SELECT count(*) FROM order_events"), 2);

  Store::WriteGroup group(store);
  store.record_transition(run, 1, 2'000, TH_ORDER_NEW, TH_ORDER_PARTIALLY_FILLED, "0.0566");
  store.record_fill(fill);
  store.upsert_position({run, "BTC/USDT", "0.0566", "16704.5", "0", 2'000});
  EXPECT_EQ(other.query_int("SELECT count(*) FROM fills"), 0);
  group.commit();
  EXPECT_EQ(other.query_text("SELECT state || ' ' || filled_qty FROM orders WHERE order_id = 1"), "PARTIALLY_FILLED 0.0566");
  EXPECT_EQ(other.query_int("SELECT count(*) FROM fills"), 1);
  EXPECT_EQ(other.query_text("SELECT qty FROM positions"), "0.0566");
  store.record_equity(run, 3'000, "10000", "10000");  // after the group, writes commit one by one again
  EXPECT_EQ(other.query_int("SELECT count(*) FROM equity"), 1);
}

TEST(Durability, FailedRunIsRecordedWithItsErrorWhileABatchIsOpen) {
  TempStateDir dir;
  const auto file = dir.file("bt.sqlite");
  Store store = Store::open(file, Durability::Batched);
  const int64_t run = store.begin_run(make_run("bt"));
  store.insert_order(make_order(run, 1, "bt-1-1"));
  store.record_equity(run, 1, "10000", "10000");

  store.finish_run(run, "failed", "connector 'history': data/x.csv:17: bad close price",
                   std::nullopt, 9'000);

  RawConnection other(file);  // no flush(): finish_run committed the batch, then the status
  EXPECT_EQ(other.query_text("SELECT status FROM runs"), "failed");
  EXPECT_EQ(other.query_text("SELECT error FROM runs"),
            "connector 'history': data/x.csv:17: bad close price");
  EXPECT_EQ(other.query_int("SELECT finished_ns FROM runs"), 9'000);
  EXPECT_EQ(other.query_text("SELECT summary_json FROM runs"), "<NULL>");
  EXPECT_EQ(other.query_int("SELECT count(*) FROM orders"), 1);
  EXPECT_EQ(other.query_int("SELECT count(*) FROM equity"), 1);

  const auto last = store.last_run("bt");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->status, "failed");
  EXPECT_EQ(last->finished_ns, 9'000);
}

TEST(Durability, FinishRunRejectsUnknownStatusAndRun) {
  TempStateDir dir;
  Store store = Store::open(dir.file("bt.sqlite"), Durability::Synchronous);
  const int64_t run = store.begin_run(make_run("bt"));
  EXPECT_THROW(store.finish_run(run, "exploded", std::nullopt, std::nullopt, 1), StoreError);
  EXPECT_THROW(store.finish_run(run + 1, "completed", std::nullopt, std::nullopt, 1), StoreError);
  store.finish_run(run, "completed", std::nullopt, R"({"trades":0})", 2);
  EXPECT_EQ(store.last_run("bt")->summary_json, R"({"trades":0})");
}

TEST(Durability, DestructorCommitsTheOpenBatch) {
  TempStateDir dir;
  const auto file = dir.file("bt.sqlite");
  int64_t run = 0;
  {
    Store store = Store::open(file, Durability::Batched);
    run = store.begin_run(make_run("bt"));
    store.record_equity(run, 1, "10000", "10000");
  }
  RawConnection other(file);
  EXPECT_EQ(other.query_int("SELECT count(*) FROM equity WHERE run_id = " + std::to_string(run)),
            1);
}

TEST(Durability, MovedStoreKeepsItsBatch) {
  TempStateDir dir;
  const auto file = dir.file("bt.sqlite");
  Store first = Store::open(file, Durability::Batched);
  const int64_t run = first.begin_run(make_run("bt"));
  first.record_equity(run, 1, "10000", "10000");
  Store second = std::move(first);
  second.record_equity(run, 2, "10000", "10000");
  second.flush();
  RawConnection other(file);
  EXPECT_EQ(other.query_int("SELECT count(*) FROM equity"), 2);
}

TEST(Durability, ConstraintFailureInBatchKeepsTheBatch) {
  TempStateDir dir;
  const auto file = dir.file("bt.sqlite");
  Store store = Store::open(file, Durability::Batched);
  const int64_t run = store.begin_run(make_run("bt"));
  store.record_equity(run, 1, "10000", "10000");
  store.insert_order(make_order(run, 1, "bt-1-1"));
  EXPECT_THROW(store.insert_order(make_order(run, 1, "bt-1-2")), StoreError);  // same order_id
  DecisionRow bad{0, run, 5, "ema", "BTC/USDT", "short", "?", "{}", std::nullopt, std::nullopt};
  EXPECT_THROW(store.record_decision(bad), StoreError);  // action outside the CHECK list
  store.flush();
  RawConnection other(file);
  EXPECT_EQ(other.query_int("SELECT count(*) FROM equity"), 1);
  EXPECT_EQ(other.query_int("SELECT count(*) FROM orders"), 1);
  EXPECT_EQ(other.query_int("SELECT count(*) FROM order_events"), 1);
  EXPECT_EQ(other.query_int("SELECT count(*) FROM decisions"), 0);
}

}  // namespace
}  // namespace tradehost::store
