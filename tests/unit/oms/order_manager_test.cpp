// The order manager: client order ids, the order state machine, fills with their volume-weighted
// average, and the write-ahead journal. The journal is a REAL SQLite state database: the tests
// implement oms::Journal as a thin adapter over store::Store (like the engine does) and look at
// the orders / order_events rows through a separate plain sqlite3 connection.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "oms/order_manager.hpp"
#include "store/store.hpp"

namespace tradehost::oms {
namespace {

using store::Durability;
using store::Store;
using store::StoreError;
using store::StoreOptions;

// The instrument of these tests: prices and quantities with one decimal (0.3 BTC = 3 raw,
// 100.7 USDT = 1007 raw), so the journal text can be read at a glance.
constexpr int32_t kPriceScale = 1;
constexpr int32_t kQtyScale = 1;
constexpr th_time_ns kT0 = 1'700'000'000'000'000'000;

/// raw / 10^scale as decimal text, e.g. (1007, 1) -> "100.7", (3, 1) -> "0.3". Non-negative.
std::string decimal(int64_t raw, int32_t scale) {
  int64_t pow = 1;
  for (int32_t i = 0; i < scale; ++i) pow *= 10;
  std::string frac = std::to_string(raw % pow);
  frac.insert(0, static_cast<size_t>(scale) - frac.size(), '0');
  return std::to_string(raw / pow) + (scale > 0 ? "." + frac : "");
}

/// The Journal the engine would use, minus the engine: each call is one Store call.
class StoreJournal : public Journal {
 public:
  StoreJournal(Store& store, int64_t run_id) : store_(store), run_id_(run_id) {}

  void order_created(const Order& o) override {
    ++created_calls;
    store::OrderRow row;
    row.run_id = run_id_;
    row.order_id = static_cast<int64_t>(o.id);
    row.client_order_id = o.client_order_id;
    row.strategy = o.strategy;
    row.instrument = "BTC/USDT";
    row.side = o.req.side == TH_SIDE_BUY ? "buy" : "sell";
    row.type = "limit";
    row.tif = tif_name(o.req.tif);
    row.qty = decimal(o.req.qty, kQtyScale);
    row.price = decimal(o.req.price, kPriceScale);
    row.tag = o.tag;
    row.state = static_cast<int32_t>(o.state);
    row.filled_qty = decimal(o.filled_qty, kQtyScale);
    row.created_ns = row.updated_ns = o.created_ns;
    store_.insert_order(row);
  }

  void order_transition(const Order& o, OrderState from) override {
    std::optional<std::string> avg;
    if (o.filled_qty > 0) avg = decimal(o.avg_fill_price, kPriceScale);
    std::optional<std::string_view> avg_sv, reason_sv;
    if (avg) avg_sv = *avg;
    if (!o.reason.empty()) reason_sv = o.reason;
    store_.record_transition(run_id_, static_cast<int64_t>(o.id), o.updated_ns,
                             static_cast<int32_t>(from), static_cast<int32_t>(o.state),
                             decimal(o.filled_qty, kQtyScale), avg_sv, reason_sv);
  }

  int created_calls = 0;

 private:
  Store& store_;
  int64_t run_id_;
};

/// A unique temporary directory, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("th-oms-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A plain sqlite3 connection to the state file, independent of the Store.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file) {
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      ADD_FAILURE() << "cannot open " << file;
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK)
      ADD_FAILURE() << sql << ": " << (err ? err : "?");
    sqlite3_free(err);
  }
  /// First column of the first row as text; "<NULL>" for NULL, "<no row>" when none.
  std::string text(const std::string& sql) {
    std::string out = "<no row>";
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      out = t ? reinterpret_cast<const char*>(t) : "<NULL>";
    }
    sqlite3_finalize(st);
    return out;
  }
  int64_t integer(const std::string& sql) { return std::stoll(text(sql)); }

 private:
  sqlite3* db_ = nullptr;
};

th_order_request limit_buy(int64_t qty, int64_t price) {
  th_order_request r{};
  r.struct_size = sizeof r;
  r.instrument = 1;
  r.side = TH_SIDE_BUY;
  r.type = TH_ORD_LIMIT;
  r.tif = TH_TIF_GTC;
  r.qty = qty;
  r.price = price;
  r.tag = th_str{"entry", 5};
  return r;
}

class OmsTest : public ::testing::Test {
 protected:
  static StoreOptions options() {
    StoreOptions o;
    o.busy_timeout = std::chrono::milliseconds{0};  // a locked database fails at once
    return o;
  }
  static store::RunRow run_row() {
    store::RunRow r;
    r.bot = "ema";
    r.mode = "backtest";
    r.config_path = "config/ema.toml";
    r.started_ns = kT0;
    return r;
  }

  TempDir dir_;
  std::filesystem::path file_ = dir_.path() / "ema.sqlite";
  Store store_ = Store::open(file_, Durability::Synchronous, options());
  int64_t run_ = store_.begin_run(run_row());
  StoreJournal journal_{store_, run_};
  OrderManager oms_{"ema", run_, journal_};
  RawDb raw_{file_};

  std::string where(const Order& o) const {
    return " WHERE run_id = " + std::to_string(run_) + " AND order_id = " + std::to_string(o.id);
  }
  std::string row_state(const Order& o) { return raw_.text("SELECT state FROM orders" + where(o)); }
  int64_t event_count(const Order& o) {
    return raw_.integer("SELECT count(*) FROM order_events" + where(o));
  }
  /// "-" for NULL: "->PENDING_NEW PENDING_NEW>NEW ..." in journal order.
  std::string event_chain(const Order& o) {
    return raw_.text(
        "SELECT group_concat(coalesce(from_state, '-') || '>' || to_state, ' ') FROM "
        "(SELECT * FROM order_events" + where(o) + " ORDER BY event_id)");
  }
  std::string last_event(const std::string& column, const Order& o) {
    return raw_.text("SELECT " + column + " FROM order_events" + where(o) +
                     " ORDER BY event_id DESC LIMIT 1");
  }

  /// A fresh order of 1.0 BTC @ 100.0 driven along `path` with transition() (PARTIALLY_FILLED and
  /// FILLED through apply_fill so the quantities stay consistent).
  Order& order_in(OrderState target) {
    Order& o = oms_.create(limit_buy(10, 1000), "ema", 0, kT0);
    th_time_ns t = kT0;
    switch (target) {
      case OrderState::PendingNew:
        break;
      case OrderState::Rejected:
        oms_.transition(o, OrderState::Rejected, ++t, "refused");
        break;
      case OrderState::New:
        oms_.transition(o, OrderState::New, ++t);
        break;
      case OrderState::PartiallyFilled:
        oms_.transition(o, OrderState::New, ++t);
        oms_.apply_fill(o, 3, 1000, ++t);
        break;
      case OrderState::Filled:
        oms_.transition(o, OrderState::New, ++t);
        oms_.apply_fill(o, 10, 1000, ++t);
        break;
      case OrderState::Canceled:
        oms_.transition(o, OrderState::New, ++t);
        oms_.transition(o, OrderState::Canceled, ++t, "by strategy");
        break;
      case OrderState::Expired:
        oms_.transition(o, OrderState::New, ++t);
        oms_.transition(o, OrderState::Expired, ++t, "IOC");
        break;
    }
    EXPECT_EQ(o.state, target);
    return o;
  }
};

constexpr OrderState kAll[] = {OrderState::PendingNew, OrderState::New,
                               OrderState::PartiallyFilled, OrderState::Filled,
                               OrderState::Canceled, OrderState::Rejected,
                               OrderState::Expired};

// The legal edges, written out from plugin.h's comment (not from is_legal_transition):
// PENDING_NEW -> NEW | REJECTED; NEW -> PARTIALLY_FILLED | FILLED | CANCELED | EXPIRED;
// PARTIALLY_FILLED -> PARTIALLY_FILLED | FILLED | CANCELED | EXPIRED. 10 edges.
const std::set<std::pair<OrderState, OrderState>>& legal_edges() {
  using S = OrderState;
  static const std::set<std::pair<S, S>> edges = {
      {S::PendingNew, S::New},           {S::PendingNew, S::Rejected},
      {S::New, S::PartiallyFilled},      {S::New, S::Filled},
      {S::New, S::Canceled},             {S::New, S::Expired},
      {S::PartiallyFilled, S::PartiallyFilled}, {S::PartiallyFilled, S::Filled},
      {S::PartiallyFilled, S::Canceled}, {S::PartiallyFilled, S::Expired},
  };
  return edges;
}

// ---- client order ids ----------------------------------------------------------------------

TEST_F(OmsTest, ClientOrderIdsAreBotRunSeqDenseFromOne) {
  const std::string prefix = "ema-" + std::to_string(run_) + "-";
  Order& a = oms_.create(limit_buy(10, 1000), "ema", 0, kT0);
  Order& b = oms_.create(limit_buy(10, 1000), "ema", 0, kT0 + 1);
  Order& c = oms_.create(limit_buy(10, 1000), "ema", 0, kT0 + 2);
  EXPECT_EQ(a.id, 1u);
  EXPECT_EQ(b.id, 2u);
  EXPECT_EQ(c.id, 3u);
  EXPECT_EQ(a.client_order_id, prefix + "1");
  EXPECT_EQ(b.client_order_id, prefix + "2");
  EXPECT_EQ(c.client_order_id, prefix + "3");
  EXPECT_EQ(oms_.client_order_id(42), prefix + "42");
  // The journal holds the same ids.
  EXPECT_EQ(raw_.text("SELECT client_order_id FROM orders" + where(b)), prefix + "2");
  // References stay valid and find() maps ids back.
  EXPECT_EQ(oms_.find(2), &b);
  EXPECT_EQ(oms_.find(0), nullptr);
  EXPECT_EQ(oms_.find(4), nullptr);
  EXPECT_EQ(oms_.orders().size(), 3u);
}

TEST_F(OmsTest, ClientOrderIdsAreDeterministicAcrossManagers) {
  // A restarted host (new OrderManager, same bot and run) computes the same ids: they are the
  // idempotency key at the venue.
  OrderManager again{"ema", run_, journal_};
  for (uint64_t seq : {1ull, 7ull, 99'999'999ull})
    EXPECT_EQ(again.client_order_id(seq), oms_.client_order_id(seq));
  EXPECT_EQ(again.client_order_id(7), "ema-" + std::to_string(run_) + "-7");
}

TEST_F(OmsTest, ClientOrderIdsFitBinanceLimitOrConstructorRefuses) {
  // Binance newClientOrderId: ^[.A-Z:/a-z0-9_-]{1,36}$. Longest id = bot + "-" + run + "-" +
  // 8-digit seq, so bot length + run digits must be <= 36 - 2 - 8 = 26.
  const std::regex binance("^[.A-Z:/a-z0-9_-]{1,36}$");
  const std::string bot19(19, 'b'), bot20(20, 'b');
  // 19 + 1 + 7 ("1234567") + 1 + 8 = 36: accepted, and the longest id is exactly 36.
  OrderManager ok19{bot19, 1'234'567, journal_};
  EXPECT_EQ(ok19.client_order_id(99'999'999).size(), 36u);
  EXPECT_TRUE(std::regex_match(ok19.client_order_id(99'999'999), binance));
  // 20 + 1 + 6 + 1 + 8 = 36: accepted.
  OrderManager ok20{bot20, 123'456, journal_};
  EXPECT_EQ(ok20.client_order_id(99'999'999), bot20 + "-123456-99999999");
  EXPECT_TRUE(std::regex_match(ok20.client_order_id(1), binance));
  // 20 + 1 + 7 + 1 + 8 = 37: refused.
  EXPECT_THROW((OrderManager{bot20, 1'234'567, journal_}), std::invalid_argument);
  // 26 + 1 + 1 + 1 + 8 = 37: refused.
  EXPECT_THROW((OrderManager{std::string(26, 'b'), 1, journal_}), std::invalid_argument);
  // No bot name, or no run.
  EXPECT_THROW((OrderManager{"", 1, journal_}), std::invalid_argument);
  EXPECT_THROW((OrderManager{"ema", 0, journal_}), std::invalid_argument);
  EXPECT_THROW((OrderManager{"ema", -3, journal_}), std::invalid_argument);
  // The fixture's ids match the venue pattern too.
  EXPECT_TRUE(std::regex_match(oms_.client_order_id(99'999'999), binance));
}

// ---- the journal: PENDING_NEW first, one row per transition --------------------------------

TEST_F(OmsTest, CreateJournalsPendingNewBeforeAnythingElse) {
  Order& o = oms_.create(limit_buy(10, 1000), "ema_fast", 3, kT0);
  EXPECT_EQ(journal_.created_calls, 1);
  EXPECT_EQ(o.state, OrderState::PendingNew);
  EXPECT_EQ(o.strategy, "ema_fast");
  EXPECT_EQ(o.owner, 3u);
  EXPECT_EQ(o.tag, "entry");
  EXPECT_EQ(std::string(o.req.tag.ptr, o.req.tag.len), "entry");
  EXPECT_EQ(o.created_ns, kT0);
  EXPECT_EQ(o.eligible_from_ns, kT0);
  EXPECT_EQ(row_state(o), "PENDING_NEW");
  EXPECT_EQ(raw_.text("SELECT tag FROM orders" + where(o)), "entry");
  EXPECT_EQ(raw_.text("SELECT strategy FROM orders" + where(o)), "ema_fast");
  EXPECT_EQ(event_chain(o), "->PENDING_NEW");

  oms_.transition(o, OrderState::New, kT0 + 5);
  // The first journal entry of the order is its creation in PENDING_NEW, with no from_state.
  EXPECT_EQ(event_chain(o), "->PENDING_NEW PENDING_NEW>NEW");
  EXPECT_EQ(raw_.integer("SELECT ts_ns FROM order_events" + where(o) + " ORDER BY event_id LIMIT 1"),
            kT0);
  EXPECT_EQ(raw_.integer("SELECT updated_ns FROM orders" + where(o)), kT0 + 5);
}

TEST_F(OmsTest, IsLegalTransitionMatchesThePluginHeaderTable) {
  for (OrderState from : kAll)
    for (OrderState to : kAll)
      EXPECT_EQ(is_legal_transition(from, to), legal_edges().count({from, to}) == 1)
          << to_string(from) << " -> " << to_string(to);
  // Final states per plugin.h.
  EXPECT_FALSE(is_final(OrderState::PendingNew));
  EXPECT_FALSE(is_final(OrderState::New));
  EXPECT_FALSE(is_final(OrderState::PartiallyFilled));
  EXPECT_TRUE(is_final(OrderState::Filled));
  EXPECT_TRUE(is_final(OrderState::Canceled));
  EXPECT_TRUE(is_final(OrderState::Rejected));
  EXPECT_TRUE(is_final(OrderState::Expired));
}

TEST_F(OmsTest, EveryLegalTransitionIsAppliedAndJournaledOnce) {
  using S = OrderState;
  // Paths from PENDING_NEW that together use all 10 legal edges.
  const std::vector<std::vector<S>> paths = {
      {S::New, S::PartiallyFilled, S::PartiallyFilled, S::Filled},  // PN>N, N>PF, PF>PF, PF>F
      {S::Rejected},                                                // PN>R
      {S::New, S::Filled},                                          // N>F
      {S::New, S::Canceled},                                        // N>C
      {S::New, S::Expired},                                         // N>E
      {S::New, S::PartiallyFilled, S::Canceled},                    // PF>C
      {S::New, S::PartiallyFilled, S::Expired},                     // PF>E
  };
  std::set<std::pair<S, S>> used;
  for (const auto& path : paths) {
    Order& o = oms_.create(limit_buy(10, 1000), "ema", 0, kT0);
    int64_t events = 1;
    th_time_ns t = kT0;
    for (S to : path) {
      const S from = o.state;
      const std::string reason = std::string("because ") + to_string(to);
      oms_.transition(o, to, ++t, reason);
      used.insert({from, to});
      ++events;
      EXPECT_EQ(o.state, to);
      EXPECT_EQ(o.updated_ns, t);
      EXPECT_EQ(o.reason, reason);
      EXPECT_EQ(row_state(o), to_string(to));
      EXPECT_EQ(raw_.text("SELECT reason FROM orders" + where(o)), reason);
      EXPECT_EQ(event_count(o), events) << to_string(from) << " -> " << to_string(to);
      EXPECT_EQ(last_event("from_state", o), to_string(from));
      EXPECT_EQ(last_event("to_state", o), to_string(to));
      EXPECT_EQ(last_event("reason", o), reason);
      EXPECT_EQ(std::stoll(last_event("ts_ns", o)), t);
    }
  }
  EXPECT_EQ(used, legal_edges());
}

TEST_F(OmsTest, IllegalTransitionsThrowAndChangeNeitherOrderNorJournal) {
  int checked = 0;
  for (OrderState from : kAll) {
    for (OrderState to : kAll) {
      if (legal_edges().count({from, to})) continue;
      SCOPED_TRACE(std::string(to_string(from)) + " -> " + to_string(to));
      Order& o = order_in(from);
      const Order before = o;
      const int64_t events = event_count(o);
      const std::string state_row = row_state(o);
      const std::string reason_row = raw_.text("SELECT reason FROM orders" + where(o));
      EXPECT_THROW(oms_.transition(o, to, kT0 + 1'000, "should not stick"), IllegalTransition);
      EXPECT_EQ(o.state, from);
      EXPECT_EQ(o.state, before.state);
      EXPECT_EQ(o.updated_ns, before.updated_ns);
      EXPECT_EQ(o.reason, before.reason);
      EXPECT_EQ(o.filled_qty, before.filled_qty);
      EXPECT_EQ(event_count(o), events);
      EXPECT_EQ(row_state(o), state_row);
      EXPECT_EQ(row_state(o), to_string(from));
      EXPECT_EQ(raw_.text("SELECT reason FROM orders" + where(o)), reason_row);
      ++checked;
    }
  }
  // 7 x 7 pairs minus the 10 legal edges.
  EXPECT_EQ(checked, 39);
}

TEST_F(OmsTest, NamedIllegalTransitionsFromTheBrief) {
  using S = OrderState;
  const std::pair<S, S> cases[] = {{S::Filled, S::New},
                                   {S::Canceled, S::Filled},
                                   {S::PendingNew, S::Filled},
                                   {S::Rejected, S::New},
                                   {S::Expired, S::PartiallyFilled},
                                   {S::PendingNew, S::Canceled}};
  for (auto [from, to] : cases) {
    Order& o = order_in(from);
    const int64_t events = event_count(o);
    EXPECT_THROW(oms_.transition(o, to, kT0 + 99), IllegalTransition);
    EXPECT_EQ(o.state, from);
    EXPECT_EQ(event_count(o), events);
  }
}

// ---- fills ---------------------------------------------------------------------------------

TEST_F(OmsTest, PartialThenFullFillWithHandComputedVwap) {
  Order& o = oms_.create(limit_buy(10, 1010), "ema", 0, kT0);  // 1.0 BTC limit 101.0
  oms_.transition(o, OrderState::New, kT0 + 1);

  // 0.3 @ 100.0: filled 0.3, average 100.0.
  oms_.apply_fill(o, 3, 1000, kT0 + 2);
  EXPECT_EQ(o.state, OrderState::PartiallyFilled);
  EXPECT_EQ(o.filled_qty, 3);
  EXPECT_EQ(o.remaining_qty(), 7);
  EXPECT_EQ(o.avg_fill_price, 1000);
  EXPECT_EQ(row_state(o), "PARTIALLY_FILLED");
  EXPECT_EQ(raw_.text("SELECT filled_qty FROM orders" + where(o)), "0.3");
  EXPECT_EQ(raw_.text("SELECT avg_fill_price FROM orders" + where(o)), "100.0");

  // 0.7 @ 101.0: (0.3 * 100.0 + 0.7 * 101.0) / 1.0 = (30.0 + 70.7) / 1.0 = 100.7.
  oms_.apply_fill(o, 7, 1010, kT0 + 3);
  EXPECT_EQ(o.state, OrderState::Filled);
  EXPECT_EQ(o.filled_qty, 10);
  EXPECT_EQ(o.remaining_qty(), 0);
  EXPECT_EQ(o.avg_fill_price, 1007);
  // Raw notional: 3 * 1000 + 7 * 1010 = 3000 + 7070 = 10070.
  EXPECT_TRUE(o.filled_notional == static_cast<__int128>(10070));
  EXPECT_EQ(o.updated_ns, kT0 + 3);
  EXPECT_EQ(row_state(o), "FILLED");
  EXPECT_EQ(raw_.text("SELECT filled_qty FROM orders" + where(o)), "1.0");
  EXPECT_EQ(raw_.text("SELECT avg_fill_price FROM orders" + where(o)), "100.7");
  EXPECT_EQ(event_chain(o),
            "->PENDING_NEW PENDING_NEW>NEW NEW>PARTIALLY_FILLED PARTIALLY_FILLED>FILLED");
  EXPECT_EQ(raw_.text("SELECT group_concat(filled_qty, ' ') FROM (SELECT * FROM order_events" +
                      where(o) + " ORDER BY event_id)"),
            "0.0 0.0 0.3 1.0");
}

TEST_F(OmsTest, VwapRoundsHalfToEven) {
  struct Case {
    int64_t q1, p1, q2, p2, expected;
  } cases[] = {
      // (1001 + 1002) / 2 = 1001.5, a tie: the even neighbour is 1002.
      {1, 1001, 1, 1002, 1002},
      // (1000 + 1001) / 2 = 1000.5, a tie: the even neighbour is 1000.
      {1, 1000, 1, 1001, 1000},
      // (1000 + 2 * 1001) / 3 = 3002 / 3 = 1000.67: up to 1001.
      {1, 1000, 2, 1001, 1001},
      // (2 * 1000 + 1001) / 3 = 3001 / 3 = 1000.33: down to 1000.
      {2, 1000, 1, 1001, 1000},
  };
  for (const Case& c : cases) {
    Order& o = oms_.create(limit_buy(c.q1 + c.q2, 1100), "ema", 0, kT0);
    oms_.transition(o, OrderState::New, kT0 + 1);
    oms_.apply_fill(o, c.q1, c.p1, kT0 + 2);
    oms_.apply_fill(o, c.q2, c.p2, kT0 + 3);
    EXPECT_EQ(o.state, OrderState::Filled);
    EXPECT_EQ(o.avg_fill_price, c.expected) << c.p1 << "x" << c.q1 << " + " << c.p2 << "x" << c.q2;
    EXPECT_EQ(raw_.text("SELECT avg_fill_price FROM orders" + where(o)), decimal(c.expected, 1));
  }
}

TEST_F(OmsTest, OverFillAndNonPositiveFillAreRejectedWithoutChange) {
  Order& o = oms_.create(limit_buy(10, 1000), "ema", 0, kT0);
  oms_.transition(o, OrderState::New, kT0 + 1);
  oms_.apply_fill(o, 3, 1000, kT0 + 2);  // 7 remain
  const int64_t events = event_count(o);
  for (int64_t bad : {8, 11, 0, -1}) {
    EXPECT_THROW(oms_.apply_fill(o, bad, 990, kT0 + 3), std::invalid_argument) << bad;
    EXPECT_EQ(o.state, OrderState::PartiallyFilled);
    EXPECT_EQ(o.filled_qty, 3);
    EXPECT_EQ(o.avg_fill_price, 1000);
    EXPECT_EQ(o.updated_ns, kT0 + 2);
    EXPECT_EQ(event_count(o), events);
    EXPECT_EQ(raw_.text("SELECT filled_qty FROM orders" + where(o)), "0.3");
  }
  // Exactly the remainder is fine: (3 * 1000 + 7 * 990) / 10 = (3000 + 6930) / 10 = 993.0.
  oms_.apply_fill(o, 7, 990, kT0 + 4);
  EXPECT_EQ(o.state, OrderState::Filled);
  EXPECT_EQ(o.avg_fill_price, 993);
  EXPECT_EQ(event_count(o), events + 1);
}

TEST_F(OmsTest, FillInAStateThatCannotTradeIsAnIllegalTransition) {
  using S = OrderState;
  // PENDING_NEW (not yet acknowledged), and the final states that still have quantity left.
  for (S from : {S::PendingNew, S::Rejected, S::Canceled, S::Expired}) {
    SCOPED_TRACE(to_string(from));
    Order& o = order_in(from);
    const Order before = o;
    const int64_t events = event_count(o);
    ASSERT_GT(o.remaining_qty(), 0);
    EXPECT_THROW(oms_.apply_fill(o, 1, 1000, kT0 + 50), IllegalTransition);
    EXPECT_EQ(o.state, from);
    EXPECT_EQ(o.filled_qty, before.filled_qty);
    EXPECT_EQ(o.avg_fill_price, before.avg_fill_price);
    EXPECT_EQ(event_count(o), events);
    EXPECT_EQ(row_state(o), to_string(from));
  }
}

TEST_F(OmsTest, FillOnAFilledOrderIsAnIllegalTransition) {
  // order_manager.hpp: apply_fill "Throws IllegalTransition for a final order". FILLED is final.
  Order& o = order_in(OrderState::Filled);
  const int64_t events = event_count(o);
  EXPECT_THROW(oms_.apply_fill(o, 1, 1000, kT0 + 50), IllegalTransition);
  EXPECT_EQ(o.state, OrderState::Filled);
  EXPECT_EQ(o.filled_qty, 10);
  EXPECT_EQ(event_count(o), events);
}

// ---- a journal that fails ------------------------------------------------------------------

// Another connection holds the write lock (BEGIN IMMEDIATE) and the store's busy timeout is 0,
// so every Store write fails with SQLITE_BUSY: a real journal failure, not a fake.
TEST_F(OmsTest, CreateWhoseJournalWriteFailsLeavesNoOrder) {
  raw_.exec("BEGIN IMMEDIATE");
  EXPECT_THROW(oms_.create(limit_buy(10, 1000), "ema", 0, kT0), StoreError);
  raw_.exec("ROLLBACK");
  EXPECT_TRUE(oms_.orders().empty());
  EXPECT_EQ(oms_.find(1), nullptr);
  EXPECT_EQ(raw_.integer("SELECT count(*) FROM orders"), 0);
  EXPECT_EQ(raw_.integer("SELECT count(*) FROM order_events"), 0);
  // The id was not consumed: the next order is still #1.
  Order& o = oms_.create(limit_buy(10, 1000), "ema", 0, kT0 + 1);
  EXPECT_EQ(o.id, 1u);
  EXPECT_EQ(o.client_order_id, "ema-" + std::to_string(run_) + "-1");
  EXPECT_EQ(event_chain(o), "->PENDING_NEW");
}

TEST_F(OmsTest, TransitionWhoseJournalWriteFailsLeavesTheOrderInItsPreviousState) {
  Order& o = oms_.create(limit_buy(10, 1000), "ema", 0, kT0);
  raw_.exec("BEGIN IMMEDIATE");
  EXPECT_THROW(oms_.transition(o, OrderState::Rejected, kT0 + 7, "venue said no"), StoreError);
  raw_.exec("ROLLBACK");
  EXPECT_EQ(o.state, OrderState::PendingNew);
  EXPECT_EQ(o.updated_ns, kT0);
  EXPECT_EQ(o.reason, "");
  EXPECT_EQ(row_state(o), "PENDING_NEW");
  EXPECT_EQ(event_count(o), 1);
  // Journal and order agree, so the retried transition goes through.
  oms_.transition(o, OrderState::New, kT0 + 8);
  EXPECT_EQ(o.state, OrderState::New);
  EXPECT_EQ(event_chain(o), "->PENDING_NEW PENDING_NEW>NEW");
}

TEST_F(OmsTest, FillWhoseJournalWriteFailsLeavesTheOrderUnfilled) {
  Order& o = oms_.create(limit_buy(10, 1000), "ema", 0, kT0);
  oms_.transition(o, OrderState::New, kT0 + 1);
  oms_.apply_fill(o, 4, 1000, kT0 + 2);
  raw_.exec("BEGIN IMMEDIATE");
  EXPECT_THROW(oms_.apply_fill(o, 6, 1010, kT0 + 3), StoreError);
  raw_.exec("ROLLBACK");
  EXPECT_EQ(o.state, OrderState::PartiallyFilled);
  EXPECT_EQ(o.filled_qty, 4);
  EXPECT_EQ(o.avg_fill_price, 1000);
  EXPECT_TRUE(o.filled_notional == static_cast<__int128>(4000));
  EXPECT_EQ(o.updated_ns, kT0 + 2);
  EXPECT_EQ(event_count(o), 3);
  EXPECT_EQ(raw_.text("SELECT filled_qty FROM orders" + where(o)), "0.4");
  // Retried: (4 * 1000 + 6 * 1010) / 10 = (4000 + 6060) / 10 = 1006.0 -> 100.6.
  oms_.apply_fill(o, 6, 1010, kT0 + 3);
  EXPECT_EQ(o.state, OrderState::Filled);
  EXPECT_EQ(o.avg_fill_price, 1006);
  EXPECT_EQ(raw_.text("SELECT avg_fill_price FROM orders" + where(o)), "100.6");
}

// ---- names ---------------------------------------------------------------------------------

TEST(OrderNames, StatesSidesTypesAndTifsUseBinanceSpelling) {
  EXPECT_STREQ(to_string(OrderState::PendingNew), "PENDING_NEW");
  EXPECT_STREQ(to_string(OrderState::PartiallyFilled), "PARTIALLY_FILLED");
  EXPECT_STREQ(to_string(OrderState::Canceled), "CANCELED");
  EXPECT_STREQ(to_string(OrderState::Expired), "EXPIRED");
  EXPECT_STREQ(side_name(TH_SIDE_BUY), "BUY");
  EXPECT_STREQ(side_name(TH_SIDE_SELL), "SELL");
  EXPECT_STREQ(order_type_name(TH_ORD_STOP_MARKET), "STOP_MARKET");
  EXPECT_STREQ(tif_name(0), "GTC");  // 0 means GTC (plugin.h)
  EXPECT_STREQ(tif_name(TH_TIF_GTX), "GTX");
}

}  // namespace
}  // namespace tradehost::oms
