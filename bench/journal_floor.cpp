// What persisting one order costs, and the floor SQLite itself sets on this machine.
//
// The end-to-end backtest target (issue 2: 5M bars/s with orders and fills persisted) leaves
// 200 ns per bar for everything. At the default graph's trade rate (one order per ~40 bars on
// the tiled real data) that is ~8 us per order for the whole run, not just the journal. These
// benchmarks measure, per order, the journal the host actually writes (Store in Batched mode:
// insert_order, two transitions, a fill, a position upsert, a decision) and the bare minimum
// SQLite needs to append one order_events-shaped row to an unindexed table inside one open
// transaction with synchronous=OFF, on disk and in memory. docs/BENCHMARKS.md draws the
// conclusion.
#include "store/store.hpp"

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <tradehost/plugin.h>

#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;
namespace st = tradehost::store;

fs::path scratch(const char* name) {
  fs::path p = fs::temp_directory_path() / "tradehost-bench" / name;
  fs::create_directories(p.parent_path());
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
  return p;
}

// One order's life as the engine journals it in a backtest: PENDING_NEW row + first journal
// entry, NEW, FILLED, the fill, the position, the decision that produced it.
void BM_StoreOrderLifecycle(benchmark::State& state) {
  st::Store store = st::Store::open(scratch("lifecycle.sqlite"), st::Durability::Batched);
  st::RunRow run;
  run.bot = "bench";
  run.mode = "backtest";
  run.config_path = "bench.toml";
  const int64_t run_id = store.begin_run(run);
  int64_t id = 0;
  int64_t ts = 1'672'704'000'000'000'000;
  for (auto _ : state) {
    ++id;
    ts += 300'000'000'000;
    st::OrderRow o;
    o.run_id = run_id;
    o.order_id = id;
    o.client_order_id = "bench-1-" + std::to_string(id);
    o.strategy = "ema";
    o.instrument = "BTC/USDT";
    o.side = (id & 1) ? "buy" : "sell";
    o.type = "market";
    o.tif = "GTC";
    o.qty = "0.00150000";
    o.created_ns = o.updated_ns = ts;
    store.insert_order(o);
    store.record_transition(run_id, id, ts, TH_ORDER_PENDING_NEW, TH_ORDER_NEW, "0");
    store.record_transition(run_id, id, ts, TH_ORDER_NEW, TH_ORDER_FILLED, "0.00150000",
                            std::string_view("16727.30"));
    st::FillRow f;
    f.run_id = run_id;
    f.order_id = id;
    f.client_order_id = o.client_order_id;
    f.trade_id = "sim-" + std::to_string(id);
    f.ts_ns = ts;
    f.instrument = "BTC/USDT";
    f.side = o.side;
    f.price = "16727.30";
    f.qty = "0.00150000";
    f.fee = "0.02509095";
    f.fee_asset = "USDT";
    f.liquidity = "taker";
    store.record_fill(f);
    st::PositionRow p;
    p.run_id = run_id;
    p.instrument = "BTC/USDT";
    p.qty = (id & 1) ? "0.00150000" : "0";
    p.avg_entry_price = "16727.30";
    p.realized_pnl = "0";
    p.updated_ns = ts;
    store.upsert_position(p);
    st::DecisionRow d;
    d.run_id = run_id;
    d.ts_ns = ts;
    d.strategy = "ema";
    d.instrument = "BTC/USDT";
    d.action = o.side;
    d.reason = "ema_fast crossed above ema_slow";
    d.inputs_json = R"({"close":16727.3,"ema_fast":16720.1,"ema_slow":16718.4,"rsi":55.2})";
    d.order_id = id;
    d.risk_verdict = "approved";
    store.record_decision(d);
  }
  store.flush();
  state.counters["rows_per_order"] = 7;  // orders, 3 order_events, fill, position, decision
}
BENCHMARK(BM_StoreOrderLifecycle)->Unit(benchmark::kMicrosecond);

// The floor: append one 7-column order_events-shaped row (3 integers, 3 short texts, a NULL)
// to a rowid table with no index, in one transaction, synchronous=OFF. arg 0: file, 1: memory.
void BM_SqliteAppendFloor(benchmark::State& state) {
  const bool memory = state.range(0) == 1;
  const std::string path = memory ? ":memory:" : scratch("floor.sqlite").string();
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    state.SkipWithError("cannot open database");
    sqlite3_close(db);
    return;
  }
  sqlite3_exec(db,
               memory ? "PRAGMA journal_mode=OFF;" : "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
               nullptr, nullptr, nullptr);
  sqlite3_exec(db,
               "CREATE TABLE order_events (event_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, "
               "order_id INTEGER NOT NULL, ts_ns INTEGER NOT NULL, from_state TEXT, to_state TEXT "
               "NOT NULL, filled_qty TEXT NOT NULL, reason TEXT); BEGIN;",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO order_events (run_id, order_id, ts_ns, from_state, to_state, "
                     "filled_qty, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     -1, &ins, nullptr);
  int64_t i = 0;
  for (auto _ : state) {
    ++i;
    sqlite3_bind_int64(ins, 1, 1);
    sqlite3_bind_int64(ins, 2, i / 3);
    sqlite3_bind_int64(ins, 3, 1'672'704'000'000'000'000 + i * 300'000'000'000);
    sqlite3_bind_text(ins, 4, "NEW", 3, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, "FILLED", 6, SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, "0.00150000", 10, SQLITE_STATIC);
    sqlite3_bind_null(ins, 7);
    if (sqlite3_step(ins) != SQLITE_DONE) {
      state.SkipWithError(sqlite3_errmsg(db));
      break;
    }
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  sqlite3_exec(db, "COMMIT;", nullptr, nullptr, nullptr);
  sqlite3_close(db);
}
BENCHMARK(BM_SqliteAppendFloor)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
BENCHMARK_MAIN();
