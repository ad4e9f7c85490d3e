#include "store/store.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <array>
#include <string>
#include <system_error>
#include <utility>

#include "store/schema.hpp"
#include "store/sqlite.hpp"

namespace tradehost::store {
namespace {

using sqlite::ResetOnExit;
using sqlite::Statement;

// ---- SQL, prepared once per Store. Parameters are numbered so binding code can name them. ----

constexpr std::string_view kBegin = "BEGIN IMMEDIATE";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";

constexpr std::string_view kInsertRun =
    "INSERT INTO runs (bot, mode, config_path, config_sha256, started_ns, finished_ns, status, "
    "error, summary_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr std::string_view kFinishRun =
    "UPDATE runs SET status = ?2, error = ?3, summary_json = ?4, finished_ns = ?5 "
    "WHERE run_id = ?1";
constexpr std::string_view kInsertPlugin =
    "INSERT INTO plugins (run_id, name, version, abi, file, build_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kInsertReload =
    "INSERT INTO reloads (run_id, ts_ns, strategy, file, old_build_id, new_build_id, outcome, "
    "reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view kInsertOrder =
    "INSERT INTO orders (run_id, order_id, client_order_id, strategy, instrument, side, type, "
    "tif, qty, price, trigger_price, tag, state, filled_qty, avg_fill_price, reason, created_ns, "
    "updated_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
    "?17, ?18)";
constexpr std::string_view kInsertEvent =
    "INSERT INTO order_events (run_id, order_id, ts_ns, from_state, to_state, filled_qty, reason) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
// `state = ?3` makes the update a compare-and-set: a journal out of step changes no row.
constexpr std::string_view kUpdateOrderState =
    "UPDATE orders SET state = ?4, filled_qty = ?5, avg_fill_price = coalesce(?6, avg_fill_price), "
    "reason = coalesce(?7, reason), updated_ns = ?8 "
    "WHERE run_id = ?1 AND order_id = ?2 AND state = ?3";
constexpr std::string_view kSelectOrderState =
    "SELECT state FROM orders WHERE run_id = ?1 AND order_id = ?2";
constexpr std::string_view kInsertFill =
    "INSERT INTO fills (run_id, order_id, client_order_id, trade_id, ts_ns, instrument, side, "
    "price, qty, fee, fee_asset, liquidity) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
constexpr std::string_view kUpsertPosition =
    "INSERT INTO positions (run_id, instrument, qty, avg_entry_price, realized_pnl, updated_ns) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (run_id, instrument) DO UPDATE SET "
    "qty = excluded.qty, avg_entry_price = excluded.avg_entry_price, "
    "realized_pnl = excluded.realized_pnl, updated_ns = excluded.updated_ns";
constexpr std::string_view kInsertDecision =
    "INSERT INTO decisions (run_id, ts_ns, strategy, instrument, action, reason, inputs_json, "
    "order_id, risk_verdict) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr std::string_view kUpsertEquity =
    "INSERT INTO equity (run_id, ts_ns, equity, cash) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (run_id, ts_ns) DO UPDATE SET equity = excluded.equity, cash = excluded.cash";
constexpr std::string_view kInsertRejection =
    "INSERT INTO rejections (run_id, ts_ns, strategy, instrument, rule, reason, order_json) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

constexpr std::string_view kUpsertKillSwitch =
    "INSERT INTO kill_switch (bot, mode, state, since_ns, source, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (bot, mode) DO UPDATE SET state = excluded.state, since_ns = excluded.since_ns, "
    "source = excluded.source, reason = excluded.reason";
constexpr std::string_view kInsertKillSwitchEvent =
    "INSERT INTO kill_switch_events (bot, mode, run_id, ts_ns, from_state, to_state, source, reason) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view kInsertRepair =
    "INSERT INTO repairs (run_id, ts_ns, kind, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view kSelectKillSwitch =
    "SELECT bot, mode, state, since_ns, source, reason FROM kill_switch WHERE bot = ?1 AND mode = ?2";
constexpr std::string_view kSelectKillSwitchEvents =
    "SELECT event_id, bot, mode, run_id, ts_ns, from_state, to_state, source, reason FROM kill_switch_events "
    "WHERE bot = ?1 AND mode = ?2 ORDER BY event_id";
constexpr std::string_view kSelectRepairs =
    "SELECT run_id, ts_ns, kind, subject, detail FROM repairs WHERE run_id = ?1 ORDER BY repair_id";
constexpr std::string_view kSelectDecisionsSince =
    "SELECT decision_id, run_id, ts_ns, strategy, instrument, action, reason, inputs_json, order_id, risk_verdict "
    "FROM decisions WHERE run_id = ?1 AND ts_ns > ?2 ORDER BY ts_ns, decision_id LIMIT ?3";

// Both order readers return the columns in this order (Impl::read_order).
constexpr std::string_view kSelectOrders =
    "SELECT run_id, order_id, client_order_id, strategy, instrument, side, type, tif, qty, price, "
    "trigger_price, tag, state, filled_qty, avg_fill_price, reason, created_ns, updated_ns "
    "FROM orders WHERE run_id = ?1 ORDER BY order_id";
// The state condition is written exactly as the partial index orders_open's, so the planner
// can prove the index covers it and reads only open orders.
constexpr std::string_view kSelectOpenOrders =
    "SELECT o.run_id, o.order_id, o.client_order_id, o.strategy, o.instrument, o.side, o.type, "
    "o.tif, o.qty, o.price, o.trigger_price, o.tag, o.state, o.filled_qty, o.avg_fill_price, "
    "o.reason, o.created_ns, o.updated_ns "
    "FROM orders AS o JOIN runs AS r ON r.run_id = o.run_id "
    "WHERE r.bot = ?1 AND (?2 IS NULL OR r.mode = ?2) "
    "AND (o.state = 'PENDING_NEW' OR o.state = 'NEW' OR o.state = 'PARTIALLY_FILLED') "
    "ORDER BY o.run_id, o.order_id";
constexpr std::string_view kSelectEvents =
    "SELECT event_id, run_id, order_id, ts_ns, from_state, to_state, filled_qty, reason "
    "FROM order_events WHERE run_id = ?1 AND order_id = ?2 ORDER BY event_id";
constexpr std::string_view kSelectCarriedPositions =
    "SELECT run_id, instrument, qty, avg_entry_price, realized_pnl, updated_ns FROM positions "
    "WHERE run_id = (SELECT max(run_id) FROM runs WHERE bot = ?1 AND mode = ?2 AND run_id < ?3) ORDER BY instrument";

constexpr std::string_view kSelectTradeIds =
    "SELECT trade_id FROM fills WHERE run_id = ?1 AND order_id = ?2 ORDER BY fill_id";

constexpr std::string_view kSelectLastRun =
    "SELECT run_id, bot, mode, config_path, config_sha256, started_ns, finished_ns, status, error, "
    "summary_json FROM runs WHERE bot = ?1 ORDER BY run_id DESC LIMIT 1";

// ---- Error messages: what failed, which file, SQLite's words, and what to do. ----

std::string_view hint_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CANTOPEN:
      return "check the directory exists and is writable";
    case SQLITE_READONLY:
      return "check the file and its directory are writable";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "another process holds the database; is another tradehost running this bot?";
    case SQLITE_FULL:
      return "the disk is full; free space and run again";
    case SQLITE_IOERR:
      return "the disk reported an I/O error; check the device";
    case SQLITE_NOTADB:
      return "the file is not a SQLite database; point bot.state at another file";
    case SQLITE_CORRUPT:
      return "the database file is damaged; restore it from a backup or use a new state file";
    case SQLITE_CONSTRAINT:
      return "the row breaks a schema rule: a duplicate key, an unknown run or order, or a value "
             "outside the allowed set";
    case SQLITE_NOMEM:
      return "out of memory";
    default:
      return {};
  }
}

// SQLite may roll a transaction back by itself after these, and advises an explicit ROLLBACK
// (sqlite.org/lang_transaction.html, "Response To Errors Within A Transaction").
bool poisons_transaction(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_NOMEM:
    case SQLITE_CORRUPT:
      return true;
    default:
      return false;
  }
}

std::string error_text(sqlite3* db, int rc) {
  if (db != nullptr && sqlite3_extended_errcode(db) == rc) return sqlite3_errmsg(db);
  return sqlite3_errstr(rc);
}

// "<what> <path>: <detail> (<hint>)", e.g. "cannot open state database var/x.sqlite: unable to
// open database file (check the directory exists and is writable)".
std::string describe(std::string_view what, const std::string& path, std::string_view detail,
                     int rc) {
  const std::string_view hint = hint_for(rc);
  if (hint.empty()) return fmt::format("{} {}: {}", what, path, detail);
  return fmt::format("{} {}: {} ({})", what, path, detail, hint);
}

std::string_view checked_state_name(int32_t state, std::string_view what, const std::string& path) {
  const std::string_view name = order_state_name(state);
  if (name.empty()) {
    throw StoreError(fmt::format("{} {}: unknown order state {} (expected a TH_ORDER_* code 1..7)",
                                 what, path, state));
  }
  return name;
}

}  // namespace

struct Store::Impl {
  std::string path;
  Durability durability = Durability::Synchronous;
  StoreOptions options;
  // Declared before the statements, so it is destroyed after them.
  sqlite::Connection conn;

  Statement begin_stmt, commit_stmt, rollback_stmt;
  Statement insert_run, finish_run, insert_plugin, insert_reload, insert_order, insert_event, update_order_state,
      select_order_state, insert_fill, upsert_position, insert_decision,
      upsert_equity, insert_rejection;
  Statement select_orders, select_open_orders, select_events, select_last_run;
  Statement select_carried_positions, select_trade_ids;
  Statement upsert_kill_switch, insert_kill_switch_event, insert_repair, select_kill_switch, select_kill_switch_events,
      select_repairs, select_decisions_since;
  std::array<Statement, schema::kRunTables.size()> count_stmts;  // prepared on first use

  bool batch_open = false;    // Batched: the batch transaction is open
  int64_t batch_pending = 0;  // Batched: write calls in the open batch

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (conn.get() == nullptr) return;
    try {
      commit_batch();
    } catch (const std::exception& e) {
      spdlog::error("store close failed path={} error={}", path, e.what());
    } catch (...) {
      spdlog::error("store close failed path={} error=unknown", path);
    }
  }

  sqlite3* db() const noexcept { return conn.get(); }

  [[noreturn]] void throw_sqlite(int rc, std::string_view what) const {
    throw StoreError(describe(what, path, error_text(db(), rc), rc), rc);
  }

  void prepare(Statement& stmt, std::string_view sql) {
    const int rc = stmt.prepare(db(), sql);
    if (rc != SQLITE_OK) {
      throw_sqlite(rc, fmt::format("cannot prepare \"{}\" for state database", sql));
    }
  }

  // Setup-time SQL (pragmas, migrations); never on a hot path.
  void exec(const std::string& sql, std::string_view what) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db(), sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      const std::string detail = err != nullptr ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      throw StoreError(describe(what, path, detail, rc), rc);
    }
  }
  int64_t query_int(std::string_view sql, std::string_view what) {
    Statement stmt;
    const int rc_prepare = stmt.prepare(db(), sql);
    if (rc_prepare != SQLITE_OK) throw_sqlite(rc_prepare, what);
    const int rc = stmt.step();
    if (rc != SQLITE_ROW) throw_sqlite(rc, what);
    return stmt.column_int(0);
  }
  std::string query_text(std::string_view sql, std::string_view what) {
    Statement stmt;
    const int rc_prepare = stmt.prepare(db(), sql);
    if (rc_prepare != SQLITE_OK) throw_sqlite(rc_prepare, what);
    const int rc = stmt.step();
    if (rc != SQLITE_ROW) throw_sqlite(rc, what);
    return stmt.column_text(0);
  }

  void rollback_noexcept() noexcept {
    if (sqlite3_get_autocommit(db()) == 0) {
      rollback_stmt.step();
      rollback_stmt.reset();
    }
    batch_open = false;
    batch_pending = 0;
  }

  void begin_transaction() {
    const int rc = begin_stmt.step();
    begin_stmt.reset();
    if (rc != SQLITE_DONE) throw_sqlite(rc, "cannot start a write transaction in state database");
  }

  // Commits the transaction in progress (a batch, or one call's own). On failure rolls back and
  // throws; `writes` is how many write calls that loses.
  void commit_transaction(int64_t writes) {
    const int rc = commit_stmt.step();
    const std::string detail = rc == SQLITE_DONE ? std::string() : error_text(db(), rc);
    commit_stmt.reset();
    if (rc == SQLITE_DONE) {
      batch_open = false;
      batch_pending = 0;
      return;
    }
    rollback_noexcept();
    spdlog::error("store commit failed, writes lost path={} writes={} error={}", path, writes,
                  detail);
    throw StoreError(describe(fmt::format("cannot commit {} writes to state database", writes),
                              path, detail, rc) +
                         "; they were rolled back",
                     rc);
  }

  void commit_batch() {
    if (batch_open) commit_transaction(batch_pending);
  }

  // Called when a statement of a write call (or a read) failed with `rc`. Leaves the connection
  // consistent (see the header comment of store.hpp) and throws.
  [[noreturn]] void fail(Statement& stmt, int rc, std::string_view what, bool partial) {
    const std::string detail = error_text(db(), rc);
    stmt.reset();
    std::string lost;
    const bool transaction_alive = sqlite3_get_autocommit(db()) == 0;
    if (durability == Durability::Batched && batch_open) {
      if (!transaction_alive) {
        lost = fmt::format("; SQLite rolled back the open batch of {} writes", batch_pending);
        batch_open = false;
        batch_pending = 0;
      } else if (partial || poisons_transaction(rc)) {
        lost = fmt::format("; the open batch of {} writes was rolled back", batch_pending);
        rollback_noexcept();
      }
    } else if (transaction_alive) {
      rollback_noexcept();
    }
    if (!lost.empty()) spdlog::error("store batch lost path={} error={}{}", path, detail, lost);
    throw StoreError(describe(what, path, detail, rc) + lost, rc);
  }

  // A statement that is a whole write by itself, committed at once in either mode (begin_run,
  // finish_run): the caller has committed any batch first.
  void run_standalone(Statement& stmt, std::string_view what) {
    const int rc = stmt.step();
    if (rc != SQLITE_DONE) fail(stmt, rc, what, false);
    stmt.reset();
  }

  template <class What>
  void read_rows(Statement& stmt, What&& what, auto&& on_row) {
    ResetOnExit reset(stmt);
    for (;;) {
      const int rc = stmt.step();
      if (rc == SQLITE_DONE) return;
      if (rc != SQLITE_ROW) fail(stmt, rc, what(), false);
      on_row(stmt);
    }
  }

  int32_t read_state(const Statement& stmt, int col, int64_t run_id, int64_t order_id) const {
    const std::string_view name = stmt.column_view(col);
    const std::optional<int32_t> state = parse_order_state(name);
    if (!state) {
      throw StoreError(fmt::format(
          "state database {} holds an unknown order state '{}' for order run={} id={} (was the "
          "file edited by hand?)",
          path, name, run_id, order_id));
    }
    return *state;
  }

  OrderRow read_order(const Statement& stmt) const {
    OrderRow row;
    row.run_id = stmt.column_int(0);
    row.order_id = stmt.column_int(1);
    row.client_order_id = stmt.column_text(2);
    row.strategy = stmt.column_text(3);
    row.instrument = stmt.column_text(4);
    row.side = stmt.column_text(5);
    row.type = stmt.column_text(6);
    row.tif = stmt.column_text(7);
    row.qty = stmt.column_text(8);
    row.price = stmt.column_optional_text(9);
    row.trigger_price = stmt.column_optional_text(10);
    row.tag = stmt.column_text(11);
    row.state = read_state(stmt, 12, row.run_id, row.order_id);
    row.filled_qty = stmt.column_text(13);
    row.avg_fill_price = stmt.column_optional_text(14);
    row.reason = stmt.column_optional_text(15);
    row.created_ns = stmt.column_int(16);
    row.updated_ns = stmt.column_int(17);
    return row;
  }

  [[noreturn]] void throw_state_mismatch(int64_t run_id, int64_t order_id,
                                         std::string_view from_name, std::string_view to_name) {
    const std::string what =
        fmt::format("cannot record transition {}->{} of order run={} id={} in state database",
                    from_name, to_name, run_id, order_id);
    std::optional<std::string> stored;
    select_order_state.bind_int(1, run_id);
    select_order_state.bind_int(2, order_id);
    read_rows(
        select_order_state, [&] { return what; },
        [&](const Statement& stmt) { stored = stmt.column_text(0); });
    if (!stored) {
      throw StoreError(
          fmt::format("{} {}: the journal has no such order (the order manager and "
                      "the journal disagree; nothing was written)",
                      what, path));
    }
    throw StoreError(
        fmt::format("{} {}: the journal has the order in state {}, not {} (the order "
                    "manager and the journal disagree; nothing was written)",
                    what, path, *stored, from_name));
  }
};

namespace {

// One write call. Batched: joins (or opens) the batch and counts toward its commit.
// Synchronous: a single statement is its own autocommit transaction; a multi-statement call
// runs in BEGIN IMMEDIATE ... COMMIT, rolled back if the call does not reach commit().
class WriteCall {
 public:
  WriteCall(Store::Impl& store, bool multi_statement)
      : store_(store),
        own_transaction_(store.durability == Durability::Synchronous && multi_statement) {
    if (store_.durability == Durability::Batched) {
      if (!store_.batch_open) {
        store_.begin_transaction();
        store_.batch_open = true;
        store_.batch_pending = 0;
      }
    } else if (own_transaction_) {
      store_.begin_transaction();
    }
  }
  WriteCall(const WriteCall&) = delete;
  WriteCall& operator=(const WriteCall&) = delete;
  ~WriteCall() {
    if (!finished_ && own_transaction_) store_.rollback_noexcept();
  }

  // `what` builds the error context ("cannot insert order ... into state database"); it runs
  // only on failure, so the hot path formats nothing.
  template <class What>
  void run(Statement& stmt, What&& what) {
    const int rc = stmt.step();
    if (rc != SQLITE_DONE) store_.fail(stmt, rc, what(), statements_done_ > 0);
    stmt.reset();
    ++statements_done_;
  }

  void commit() {
    finished_ = true;
    if (store_.durability == Durability::Batched) {
      if (++store_.batch_pending >= store_.options.batch_writes) store_.commit_batch();
    } else if (own_transaction_) {
      store_.commit_transaction(1);
    }
  }

 private:
  Store::Impl& store_;
  bool own_transaction_;
  bool finished_ = false;
  int statements_done_ = 0;
};

}  // namespace

Store::Store(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

const std::string& Store::path() const noexcept { return impl_->path; }
Durability Store::durability() const noexcept { return impl_->durability; }

int Store::schema_version() const {
  return static_cast<int>(
      impl_->query_int("PRAGMA user_version", "cannot read the schema version of state database"));
}

Store Store::open(const std::filesystem::path& path, Durability durability, StoreOptions options) {
  auto impl = std::make_unique<Impl>();
  Impl& s = *impl;
  s.path = path.string();
  s.durability = durability;
  s.options = options;
  if (options.batch_writes < 1) {
    throw StoreError(fmt::format("cannot open state database {}: batch_writes must be >= 1, not {}",
                                 s.path, options.batch_writes));
  }

  const std::filesystem::path parent = path.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      throw StoreError(fmt::format(
          "cannot create directory {} for state database {}: {} (check the path and its "
          "permissions)",
          parent.string(), s.path, ec.message()));
    }
  }

  sqlite3* raw = nullptr;
  const int rc_open =
      sqlite3_open_v2(s.path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  s.conn = sqlite::Connection(raw);  // a failed open may still return a handle to close
  if (rc_open != SQLITE_OK) {
    throw StoreError(
        describe("cannot open state database", s.path, error_text(raw, rc_open), rc_open), rc_open);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
  if (sqlite3_db_readonly(raw, "main") == 1) {
    throw StoreError(
        describe("cannot write state database", s.path, "the file is read-only", SQLITE_READONLY),
        SQLITE_READONLY);
  }

  // Refuse what we must not touch before changing anything in the file (WAL mode persists).
  const int64_t version =
      s.query_int("PRAGMA user_version", "cannot read the schema version of state database");
  if (version > schema::kCurrentVersion) {
    throw StoreError(fmt::format(
        "state database {} has schema version {}, but this tradehost knows only versions up to {} "
        "(the file was written by a newer tradehost: run that version, or point bot.state at "
        "another file)",
        s.path, version, schema::kCurrentVersion));
  }
  const int64_t application_id =
      s.query_int("PRAGMA application_id", "cannot read the header of state database");
  const bool foreign_id = application_id != 0 && application_id != schema::kApplicationId;
  const bool unmarked = version != 0 && application_id != schema::kApplicationId;  // negative too
  const bool untracked_tables =
      version == 0 && s.query_int("SELECT count(*) FROM sqlite_schema",
                                  "cannot read the schema of state database") > 0;
  if (foreign_id || unmarked || untracked_tables) {
    throw StoreError(fmt::format(
        "{} is a SQLite database but not a tradehost state database (application_id {:#x}, "
        "user_version {}, has tables: {}); point bot.state at another file",
        s.path, application_id, version, untracked_tables ? "yes" : "unknown"));
  }

  const std::string journal_mode =
      s.query_text("PRAGMA journal_mode = WAL", "cannot set WAL journal mode on state database");
  if (journal_mode != "wal") {
    throw StoreError(fmt::format(
        "cannot set WAL journal mode on state database {}: SQLite kept '{}' (WAL needs a local "
        "file system with shared memory; put the state file on a local disk)",
        s.path, journal_mode));
  }
  s.exec(
      durability == Durability::Batched ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = FULL",
      "cannot set the synchronous level of state database");
  if (durability == Durability::Batched) {
    // A 50,000-write batch touches far more pages than the default 2 MB cache holds; a larger
    // cache keeps the B-tree interiors of the hot indexes in memory (~10% per row, measured).
    s.exec("PRAGMA cache_size = -65536", "cannot set the cache size of state database");
  }
  s.exec("PRAGMA foreign_keys = ON", "cannot enable foreign keys on state database");
  if (s.query_int("PRAGMA foreign_keys", "cannot enable foreign keys on state database") != 1) {
    throw StoreError(fmt::format(
        "cannot enable foreign keys on state database {}: this SQLite was built without them",
        s.path));
  }

  s.prepare(s.begin_stmt, kBegin);
  s.prepare(s.commit_stmt, kCommit);
  s.prepare(s.rollback_stmt, kRollback);

  // Migrate one version per transaction, re-reading the version under the write lock, so two
  // processes opening a new file at once migrate it once.
  for (;;) {
    s.begin_transaction();
    try {
      const int64_t current =
          s.query_int("PRAGMA user_version", "cannot read the schema version of state database");
      if (current >= schema::kCurrentVersion) {
        s.commit_transaction(0);
        break;
      }
      const auto from = static_cast<int>(current);
      s.exec(
          std::string(schema::migration(from)),
          fmt::format("cannot migrate schema version {} to {} of state database", from, from + 1));
      if (from == 0) {
        s.exec(fmt::format("PRAGMA application_id = {}", schema::kApplicationId),
               "cannot mark state database");
      }
      s.exec(fmt::format("PRAGMA user_version = {}", from + 1),
             "cannot set the schema version of state database");
      s.commit_transaction(0);
      spdlog::info("store migrated path={} schema_version={}", s.path, from + 1);
    } catch (...) {
      s.rollback_noexcept();
      throw;
    }
  }

  s.prepare(s.insert_run, kInsertRun);
  s.prepare(s.finish_run, kFinishRun);
  s.prepare(s.insert_plugin, kInsertPlugin);
  s.prepare(s.insert_reload, kInsertReload);
  s.prepare(s.insert_order, kInsertOrder);
  s.prepare(s.insert_event, kInsertEvent);
  s.prepare(s.update_order_state, kUpdateOrderState);
  s.prepare(s.select_order_state, kSelectOrderState);
  s.prepare(s.insert_fill, kInsertFill);
  s.prepare(s.upsert_position, kUpsertPosition);
  s.prepare(s.insert_decision, kInsertDecision);
  s.prepare(s.upsert_equity, kUpsertEquity);
  s.prepare(s.insert_rejection, kInsertRejection);
  s.prepare(s.select_orders, kSelectOrders);
  s.prepare(s.select_open_orders, kSelectOpenOrders);
  s.prepare(s.select_events, kSelectEvents);
  s.prepare(s.select_last_run, kSelectLastRun);
  s.prepare(s.select_carried_positions, kSelectCarriedPositions);
  s.prepare(s.select_trade_ids, kSelectTradeIds);
  s.prepare(s.upsert_kill_switch, kUpsertKillSwitch);
  s.prepare(s.insert_kill_switch_event, kInsertKillSwitchEvent);
  s.prepare(s.insert_repair, kInsertRepair);
  s.prepare(s.select_kill_switch, kSelectKillSwitch);
  s.prepare(s.select_kill_switch_events, kSelectKillSwitchEvents);
  s.prepare(s.select_repairs, kSelectRepairs);
  s.prepare(s.select_decisions_since, kSelectDecisionsSince);

  spdlog::debug("store open path={} durability={} schema_version={}", s.path,
                durability == Durability::Batched ? "batched" : "synchronous",
                schema::kCurrentVersion);
  return Store(std::move(impl));
}

int64_t Store::begin_run(const RunRow& run) {
  Impl& s = *impl_;
  s.commit_batch();
  Statement& st = s.insert_run;
  st.bind_text(1, run.bot);
  st.bind_text(2, run.mode);
  st.bind_text(3, run.config_path);
  st.bind_optional_text(4, run.config_sha256);
  st.bind_int(5, run.started_ns);
  st.bind_optional_int(6, run.finished_ns);
  st.bind_text(7, run.status);
  st.bind_optional_text(8, run.error);
  st.bind_optional_text(9, run.summary_json);
  s.run_standalone(st, fmt::format("cannot record the start of a run of bot '{}' (mode '{}') in "
                                   "state database",
                                   run.bot, run.mode));
  return sqlite3_last_insert_rowid(s.db());
}

void Store::record_plugin(const PluginRow& plugin) {
  Impl& s = *impl_;
  WriteCall call(s, false);
  Statement& st = s.insert_plugin;
  st.bind_int(1, plugin.run_id);
  st.bind_text(2, plugin.name);
  st.bind_text(3, plugin.version);
  st.bind_text(4, plugin.abi);
  st.bind_text(5, plugin.file);
  st.bind_text(6, plugin.build_id);
  call.run(st, [&] {
    return fmt::format("cannot record plugin '{}' of run {} in state database", plugin.name,
                       plugin.run_id);
  });
  call.commit();
}

void Store::record_reload(const ReloadRow& reload) {
  Impl& s = *impl_;
  WriteCall call(s, false);
  Statement& st = s.insert_reload;
  st.bind_int(1, reload.run_id);
  st.bind_int(2, reload.ts_ns);
  st.bind_text(3, reload.strategy);
  st.bind_text(4, reload.file);
  st.bind_text(5, reload.old_build_id);
  st.bind_text(6, reload.new_build_id);
  st.bind_text(7, reload.outcome);
  st.bind_optional_text(8, reload.reason);
  call.run(st, [&] {
    return fmt::format("cannot record the reload of strategy '{}' of run {} in state database",
                       reload.strategy, reload.run_id);
  });
  call.commit();
}

void Store::record_kill_switch(const KillSwitchRow& row, const KillSwitchEventRow& event) {
  Impl& s = *impl_;
  auto what = [&] {
    return fmt::format("cannot record the kill switch of bot '{}' ({}) moving to {} in state database", row.bot, row.mode,
                       row.state);
  };
  WriteCall call(s, true);
  Statement& up = s.upsert_kill_switch;
  up.bind_text(1, row.bot);
  up.bind_text(2, row.mode);
  up.bind_text(3, row.state);
  up.bind_int(4, row.since_ns);
  up.bind_text(5, row.source);
  up.bind_text(6, row.reason);
  call.run(up, what);
  Statement& ev = s.insert_kill_switch_event;
  ev.bind_text(1, event.bot);
  ev.bind_text(2, event.mode);
  ev.bind_int(3, event.run_id);
  ev.bind_int(4, event.ts_ns);
  ev.bind_text(5, event.from_state);
  ev.bind_text(6, event.to_state);
  ev.bind_text(7, event.source);
  ev.bind_text(8, event.reason);
  call.run(ev, what);
  call.commit();
}

void Store::record_repair(const RepairRow& repair) {
  Impl& s = *impl_;
  WriteCall call(s, false);
  Statement& st = s.insert_repair;
  st.bind_int(1, repair.run_id);
  st.bind_int(2, repair.ts_ns);
  st.bind_text(3, repair.kind);
  st.bind_text(4, repair.subject);
  st.bind_text(5, repair.detail);
  call.run(st, [&] {
    return fmt::format("cannot record the repair of {} ({}) of run {} in state database", repair.subject, repair.kind,
                       repair.run_id);
  });
  call.commit();
}

void Store::insert_order(const OrderRow& order) {
  Impl& s = *impl_;
  auto what = [&] {
    return fmt::format("cannot insert order run={} id={} client_order_id={} into state database",
                       order.run_id, order.order_id, order.client_order_id);
  };
  const std::string_view state = order_state_name(order.state);
  if (state.empty()) checked_state_name(order.state, what(), s.path);

  WriteCall call(s, true);
  // The orders row first: it is the statement that can fail on a constraint (duplicate
  // client_order_id or order_id), and a failure there leaves an open batch intact.
  Statement& ord = s.insert_order;
  ord.bind_int(1, order.run_id);
  ord.bind_int(2, order.order_id);
  ord.bind_text(3, order.client_order_id);
  ord.bind_text(4, order.strategy);
  ord.bind_text(5, order.instrument);
  ord.bind_text(6, order.side);
  ord.bind_text(7, order.type);
  ord.bind_text(8, order.tif);
  ord.bind_text(9, order.qty);
  ord.bind_optional_text(10, order.price);
  ord.bind_optional_text(11, order.trigger_price);
  ord.bind_text(12, order.tag);
  ord.bind_text(13, state);
  ord.bind_text(14, order.filled_qty);
  ord.bind_optional_text(15, order.avg_fill_price);
  ord.bind_optional_text(16, order.reason);
  ord.bind_int(17, order.created_ns);
  ord.bind_int(18, order.updated_ns);
  call.run(ord, what);

  Statement& ev = s.insert_event;
  ev.bind_int(1, order.run_id);
  ev.bind_int(2, order.order_id);
  ev.bind_int(3, order.created_ns);
  ev.bind_null(4);
  ev.bind_text(5, state);
  ev.bind_text(6, order.filled_qty);
  ev.bind_optional_text(7, order.reason);
  call.run(ev, what);
  call.commit();
}

void Store::record_transition(int64_t run_id, int64_t order_id, int64_t ts_ns, int32_t from_state,
                              int32_t to_state, std::string_view filled_qty,
                              std::optional<std::string_view> avg_fill_price,
                              std::optional<std::string_view> reason) {
  Impl& s = *impl_;
  const std::string_view from_name = order_state_name(from_state);
  const std::string_view to_name = order_state_name(to_state);
  auto what = [&] {
    return fmt::format("cannot record transition {}->{} of order run={} id={} in state database",
                       from_name.empty() ? std::to_string(from_state) : std::string(from_name),
                       to_name.empty() ? std::to_string(to_state) : std::string(to_name), run_id,
                       order_id);
  };
  if (from_name.empty()) checked_state_name(from_state, what(), s.path);
  if (to_name.empty()) checked_state_name(to_state, what(), s.path);

  WriteCall call(s, true);
  Statement& up = s.update_order_state;
  up.bind_int(1, run_id);
  up.bind_int(2, order_id);
  up.bind_text(3, from_name);
  up.bind_text(4, to_name);
  up.bind_text(5, filled_qty);
  up.bind_optional_text(6, avg_fill_price);
  up.bind_optional_text(7, reason);
  up.bind_int(8, ts_ns);
  call.run(up, what);
  if (sqlite3_changes(s.db()) == 0) s.throw_state_mismatch(run_id, order_id, from_name, to_name);

  Statement& ev = s.insert_event;
  ev.bind_int(1, run_id);
  ev.bind_int(2, order_id);
  ev.bind_int(3, ts_ns);
  ev.bind_text(4, from_name);
  ev.bind_text(5, to_name);
  ev.bind_text(6, filled_qty);
  ev.bind_optional_text(7, reason);
  call.run(ev, what);
  call.commit();
}

int64_t Store::record_fill(const FillRow& fill) {
  Impl& s = *impl_;
  WriteCall call(s, false);
  Statement& st = s.insert_fill;
  st.bind_int(1, fill.run_id);
  st.bind_int(2, fill.order_id);
  st.bind_text(3, fill.client_order_id);
  st.bind_text(4, fill.trade_id);
  st.bind_int(5, fill.ts_ns);
  st.bind_text(6, fill.instrument);
  st.bind_text(7, fill.side);
  st.bind_text(8, fill.price);
  st.bind_text(9, fill.qty);
  st.bind_text(10, fill.fee);
  st.bind_text(11, fill.fee_asset);
  st.bind_text(12, fill.liquidity);
  call.run(st, [&] {
    return fmt::format("cannot record fill trade_id={} of order run={} id={} in state database",
                       fill.trade_id, fill.run_id, fill.order_id);
  });
  const int64_t fill_id = sqlite3_last_insert_rowid(s.db());
  call.commit();
  return fill_id;
}

void Store::upsert_position(const PositionRow& position) {
  Impl& s = *impl_;
  WriteCall call(s, false);
  Statement& st = s.upsert_position;
  st.bind_int(1, position.run_id);
  st.bind_text(2, position.instrument);
  st.bind_text(3, position.qty);
  st.bind_text(4, position.avg_entry_price);
  st.bind_text(5, position.realized_pnl);
  st.bind_int(6, position.updated_ns);
  call.run(st, [&] {
    return fmt::format("cannot record position {} of run {} in state database", position.instrument,
                       position.run_id);
  });
  call.commit();
}

int64_t Store::record_decision(const DecisionRow& decision) {
  Impl& s = *impl_;
  WriteCall call(s, false);
  Statement& st = s.insert_decision;
  st.bind_int(1, decision.run_id);
  st.bind_int(2, decision.ts_ns);
  st.bind_text(3, decision.strategy);
  st.bind_text(4, decision.instrument);
  st.bind_text(5, decision.action);
  st.bind_text(6, decision.reason);
  st.bind_text(7, decision.inputs_json);
  st.bind_optional_int(8, decision.order_id);
  st.bind_optional_text(9, decision.risk_verdict);
  call.run(st, [&] {
    return fmt::format("cannot record decision '{}' of strategy '{}' (run {}) in state database",
                       decision.action, decision.strategy, decision.run_id);
  });
  const int64_t decision_id = sqlite3_last_insert_rowid(s.db());
  call.commit();
  return decision_id;
}

void Store::record_equity(int64_t run_id, int64_t ts_ns, std::string_view equity,
                          std::string_view cash) {
  Impl& s = *impl_;
  WriteCall call(s, false);
  Statement& st = s.upsert_equity;
  st.bind_int(1, run_id);
  st.bind_int(2, ts_ns);
  st.bind_text(3, equity);
  st.bind_text(4, cash);
  call.run(st, [&] {
    return fmt::format("cannot record equity of run {} at ts_ns={} in state database", run_id,
                       ts_ns);
  });
  call.commit();
}

void Store::record_rejection(const RejectionRow& rejection) {
  Impl& s = *impl_;
  WriteCall call(s, false);
  Statement& st = s.insert_rejection;
  st.bind_int(1, rejection.run_id);
  st.bind_int(2, rejection.ts_ns);
  st.bind_text(3, rejection.strategy);
  st.bind_text(4, rejection.instrument);
  st.bind_text(5, rejection.rule);
  st.bind_text(6, rejection.reason);
  st.bind_text(7, rejection.order_json);
  call.run(st, [&] {
    return fmt::format("cannot record rejection by rule '{}' (run {}) in state database",
                       rejection.rule, rejection.run_id);
  });
  call.commit();
}

void Store::finish_run(int64_t run_id, std::string_view status,
                       std::optional<std::string_view> error,
                       std::optional<std::string_view> summary_json, int64_t finished_ns) {
  Impl& s = *impl_;
  // The status of a failed run matters most when things are going wrong: write it even if
  // committing the batch fails, then report that failure.
  std::optional<StoreError> commit_error;
  try {
    s.commit_batch();
  } catch (const StoreError& e) {
    commit_error = e;
  }
  Statement& st = s.finish_run;
  st.bind_int(1, run_id);
  st.bind_text(2, status);
  st.bind_optional_text(3, error);
  st.bind_optional_text(4, summary_json);
  st.bind_int(5, finished_ns);
  const std::string what = fmt::format(
      "cannot record the end (status '{}') of run {} in state database", status, run_id);
  s.run_standalone(st, what);
  if (sqlite3_changes(s.db()) == 0) {
    throw StoreError(fmt::format("{} {}: there is no such run", what, s.path));
  }
  if (commit_error) throw *commit_error;
}

void Store::flush() { impl_->commit_batch(); }

std::vector<OrderRow> Store::load_orders(int64_t run_id) {
  Impl& s = *impl_;
  std::vector<OrderRow> rows;
  s.select_orders.bind_int(1, run_id);
  s.read_rows(
      s.select_orders,
      [&] { return fmt::format("cannot read the orders of run {} from state database", run_id); },
      [&](const Statement& st) { rows.push_back(s.read_order(st)); });
  return rows;
}

std::vector<OrderRow> Store::load_open_orders(std::string_view bot,
                                              std::optional<std::string_view> mode) {
  Impl& s = *impl_;
  std::vector<OrderRow> rows;
  s.select_open_orders.bind_text(1, bot);
  s.select_open_orders.bind_optional_text(2, mode);
  s.read_rows(
      s.select_open_orders,
      [&] {
        return fmt::format("cannot read the open orders of bot '{}' from state database", bot);
      },
      [&](const Statement& st) { rows.push_back(s.read_order(st)); });
  return rows;
}

std::vector<OrderEventRow> Store::order_events(int64_t run_id, int64_t order_id) {
  Impl& s = *impl_;
  std::vector<OrderEventRow> rows;
  s.select_events.bind_int(1, run_id);
  s.select_events.bind_int(2, order_id);
  s.read_rows(
      s.select_events,
      [&] {
        return fmt::format("cannot read the journal of order run={} id={} from state database",
                           run_id, order_id);
      },
      [&](const Statement& st) {
        OrderEventRow row;
        row.event_id = st.column_int(0);
        row.run_id = st.column_int(1);
        row.order_id = st.column_int(2);
        row.ts_ns = st.column_int(3);
        if (!st.column_is_null(4)) row.from_state = s.read_state(st, 4, row.run_id, row.order_id);
        row.to_state = s.read_state(st, 5, row.run_id, row.order_id);
        row.filled_qty = st.column_text(6);
        row.reason = st.column_optional_text(7);
        rows.push_back(std::move(row));
      });
  return rows;
}

int64_t Store::count(std::string_view table, int64_t run_id) {
  Impl& s = *impl_;
  size_t index = 0;
  while (index < schema::kRunTables.size() && schema::kRunTables[index] != table) ++index;
  if (index == schema::kRunTables.size()) {
    throw StoreError(
        fmt::format("cannot count rows of '{}' in state database {}: no such table "
                    "with a run_id (known: {})",
                    table, s.path, fmt::join(schema::kRunTables, ", ")));
  }
  Statement& st = s.count_stmts[index];
  if (!st.prepared()) {
    s.prepare(st, fmt::format("SELECT count(*) FROM {} WHERE run_id = ?1", table));
  }
  int64_t n = 0;
  st.bind_int(1, run_id);
  s.read_rows(
      st,
      [&] {
        return fmt::format("cannot count rows of {} for run {} in state database", table, run_id);
      },
      [&](const Statement& row) { n = row.column_int(0); });
  return n;
}

std::vector<PositionRow> Store::carried_positions(std::string_view bot, std::string_view mode, int64_t before_run_id) {
  Impl& s = *impl_;
  std::vector<PositionRow> rows;
  s.select_carried_positions.bind_text(1, bot);
  s.select_carried_positions.bind_text(2, mode);
  s.select_carried_positions.bind_int(3, before_run_id);
  s.read_rows(
      s.select_carried_positions,
      [&] { return fmt::format("cannot read the positions of bot '{}' from state database", bot); },
      [&](const Statement& st) {
        PositionRow row;
        row.run_id = st.column_int(0);
        row.instrument = st.column_text(1);
        row.qty = st.column_text(2);
        row.avg_entry_price = st.column_text(3);
        row.realized_pnl = st.column_text(4);
        row.updated_ns = st.column_int(5);
        rows.push_back(std::move(row));
      });
  return rows;
}

std::vector<std::string> Store::trade_ids(int64_t run_id, int64_t order_id) {
  Impl& s = *impl_;
  std::vector<std::string> ids;
  s.select_trade_ids.bind_int(1, run_id);
  s.select_trade_ids.bind_int(2, order_id);
  s.read_rows(
      s.select_trade_ids,
      [&] { return fmt::format("cannot read the fills of order run={} id={} from state database", run_id, order_id); },
      [&](const Statement& st) { ids.push_back(st.column_text(0)); });
  return ids;
}

std::optional<KillSwitchRow> Store::kill_switch(std::string_view bot, std::string_view mode) {
  Impl& s = *impl_;
  std::optional<KillSwitchRow> out;
  s.select_kill_switch.bind_text(1, bot);
  s.select_kill_switch.bind_text(2, mode);
  s.read_rows(
      s.select_kill_switch, [&] { return fmt::format("cannot read the kill switch of bot '{}' from state database", bot); },
      [&](const Statement& st) {
        KillSwitchRow row;
        row.bot = st.column_text(0);
        row.mode = st.column_text(1);
        row.state = st.column_text(2);
        row.since_ns = st.column_int(3);
        row.source = st.column_text(4);
        row.reason = st.column_text(5);
        out = std::move(row);
      });
  return out;
}

std::vector<KillSwitchEventRow> Store::kill_switch_events(std::string_view bot, std::string_view mode) {
  Impl& s = *impl_;
  std::vector<KillSwitchEventRow> rows;
  s.select_kill_switch_events.bind_text(1, bot);
  s.select_kill_switch_events.bind_text(2, mode);
  s.read_rows(
      s.select_kill_switch_events,
      [&] { return fmt::format("cannot read the kill switch audit of bot '{}' from state database", bot); },
      [&](const Statement& st) {
        KillSwitchEventRow row;
        row.event_id = st.column_int(0);
        row.bot = st.column_text(1);
        row.mode = st.column_text(2);
        row.run_id = st.column_int(3);
        row.ts_ns = st.column_int(4);
        row.from_state = st.column_text(5);
        row.to_state = st.column_text(6);
        row.source = st.column_text(7);
        row.reason = st.column_text(8);
        rows.push_back(std::move(row));
      });
  return rows;
}

std::vector<RepairRow> Store::repairs(int64_t run_id) {
  Impl& s = *impl_;
  std::vector<RepairRow> rows;
  s.select_repairs.bind_int(1, run_id);
  s.read_rows(
      s.select_repairs, [&] { return fmt::format("cannot read the repairs of run {} from state database", run_id); },
      [&](const Statement& st) {
        RepairRow row;
        row.run_id = st.column_int(0);
        row.ts_ns = st.column_int(1);
        row.kind = st.column_text(2);
        row.subject = st.column_text(3);
        row.detail = st.column_text(4);
        rows.push_back(std::move(row));
      });
  return rows;
}

std::vector<DecisionRow> Store::decisions_since(int64_t run_id, int64_t since_ns, int64_t limit) {
  Impl& s = *impl_;
  std::vector<DecisionRow> rows;
  s.select_decisions_since.bind_int(1, run_id);
  s.select_decisions_since.bind_int(2, since_ns);
  s.select_decisions_since.bind_int(3, limit);
  s.read_rows(
      s.select_decisions_since, [&] { return fmt::format("cannot read the decisions of run {} from state database", run_id); },
      [&](const Statement& st) {
        DecisionRow row;
        row.decision_id = st.column_int(0);
        row.run_id = st.column_int(1);
        row.ts_ns = st.column_int(2);
        row.strategy = st.column_text(3);
        row.instrument = st.column_text(4);
        row.action = st.column_text(5);
        row.reason = st.column_text(6);
        row.inputs_json = st.column_text(7);
        row.order_id = st.column_optional_int(8);
        row.risk_verdict = st.column_optional_text(9);
        rows.push_back(std::move(row));
      });
  return rows;
}

std::optional<RunRow> Store::last_run(std::string_view bot) {
  Impl& s = *impl_;
  std::optional<RunRow> run;
  s.select_last_run.bind_text(1, bot);
  s.read_rows(
      s.select_last_run,
      [&] { return fmt::format("cannot read the last run of bot '{}' from state database", bot); },
      [&](const Statement& st) {
        RunRow row;
        row.run_id = st.column_int(0);
        row.bot = st.column_text(1);
        row.mode = st.column_text(2);
        row.config_path = st.column_text(3);
        row.config_sha256 = st.column_optional_text(4);
        row.started_ns = st.column_int(5);
        row.finished_ns = st.column_optional_int(6);
        row.status = st.column_text(7);
        row.error = st.column_optional_text(8);
        row.summary_json = st.column_optional_text(9);
        run = std::move(row);
      });
  return run;
}

}  // namespace tradehost::store
