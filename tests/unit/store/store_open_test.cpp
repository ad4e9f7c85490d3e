// Opening the state database: WAL, schema version and migration, refusals with clear messages.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "store/schema.hpp"
#include "store/store.hpp"
#include "temp_state_dir.hpp"

namespace tradehost::store {
namespace {

using testing_support::make_run;
using testing_support::RawConnection;
using testing_support::TempStateDir;

TEST(StoreOpen, UsesWalJournalModeAndForeignKeys) {
  TempStateDir dir;
  const auto file = dir.file("bot.sqlite");
  Store store = Store::open(file, Durability::Synchronous);
  RawConnection raw(file);
  // journal_mode=WAL is persistent in the file, so another connection reads it back.
  EXPECT_EQ(raw.query_text("PRAGMA journal_mode"), "wal");
  // Foreign keys are per connection: prove the Store's connection enforces them by
  // referencing a run that does not exist.
  FillRow orphan;
  orphan.run_id = 42;
  orphan.order_id = 1;
  orphan.side = "buy";
  EXPECT_THROW(store.record_fill(orphan), StoreError);
}

TEST(StoreOpen, CreatesParentDirectoriesAndSchemaVersion3) {
  TempStateDir dir;
  const auto file = dir.path() / "var" / "nested" / "bot.sqlite";
  Store store = Store::open(file, Durability::Batched);
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(store.schema_version(), 3);
  RawConnection raw(file);
  EXPECT_EQ(raw.query_int("PRAGMA user_version"), 3);
  EXPECT_EQ(raw.query_int("PRAGMA application_id"), 0x54485354);  // "THST"
  for (const char* table : {"runs", "plugins", "orders", "order_events", "fills", "positions",
                            "decisions", "equity", "rejections", "reloads", "kill_switch",
                            "kill_switch_events", "repairs"}) {
    EXPECT_EQ(raw.query_int(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                        "AND name = '") +
                            table + "'"),
              1)
        << table;
  }
  for (const char* index : {"order_events_by_order", "fills_by_run", "decisions_by_time"}) {
    EXPECT_EQ(raw.query_int(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
                                        "AND name = '") +
                            index + "'"),
              1)
        << index;
  }
}

// A database written by a build that knew only schema v1 is upgraded in place: its rows stay,
// and the v2 table (reloads) and the v3 tables (kill switch, repairs) appear.
TEST(StoreOpen, MigratesAVersion1DatabaseToTheCurrentVersionKeepingItsRows) {
  TempStateDir dir;
  const auto file = dir.file("v1.sqlite");
  {
    RawConnection raw(file);
    raw.exec(std::string(schema::migration(0)));
    raw.exec("PRAGMA user_version = 1; PRAGMA application_id = 1414026068;");  // 0x54485354 "THST"
    raw.exec("INSERT INTO runs (bot, mode, config_path, started_ns) VALUES ('old', 'paper', 'x.toml', 7)");
  }
  Store store = Store::open(file, Durability::Synchronous);
  EXPECT_EQ(store.schema_version(), 3);
  ASSERT_TRUE(store.last_run("old").has_value());
  EXPECT_EQ(store.last_run("old")->started_ns, 7);
  ReloadRow r;
  r.run_id = store.last_run("old")->run_id;
  r.ts_ns = 8;
  r.strategy = "ema";
  r.file = "/p/libth_x.so";
  r.old_build_id = "v1/aa";
  r.new_build_id = "v2/bb";
  r.outcome = "applied";
  store.record_reload(r);
  EXPECT_EQ(store.count("reloads", r.run_id), 1);
  r.outcome = "maybe";  // the CHECK list keeps the audit readable
  EXPECT_THROW(store.record_reload(r), StoreError);
}

TEST(StoreOpen, ReopeningKeepsDataAndSchemaVersion) {
  TempStateDir dir;
  const auto file = dir.file("bot.sqlite");
  int64_t run_id = 0;
  {
    Store store = Store::open(file, Durability::Synchronous);
    run_id = store.begin_run(make_run("btc-ema", "paper"));
    store.record_equity(run_id, 1'000, "10000.5", "10000.5");
  }
  Store store = Store::open(file, Durability::Synchronous);
  EXPECT_EQ(store.schema_version(), 3);
  EXPECT_EQ(store.count("equity", run_id), 1);
  const auto last = store.last_run("btc-ema");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->run_id, run_id);
  EXPECT_EQ(last->mode, "paper");
  EXPECT_EQ(last->status, "running");
  // A second run gets a new id; the first one is still there.
  const int64_t second = store.begin_run(make_run("btc-ema", "paper"));
  EXPECT_GT(second, run_id);
  EXPECT_EQ(store.count("runs", run_id), 1);
}

TEST(StoreOpen, RefusesNewerSchemaVersionWithClearMessage) {
  TempStateDir dir;
  const auto file = dir.file("future.sqlite");
  {
    RawConnection raw(file);
    raw.exec("CREATE TABLE something_new (x INTEGER); PRAGMA user_version = 99;");
  }
  try {
    Store::open(file, Durability::Synchronous);
    FAIL() << "a schema version 99 database was accepted";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find("schema version 99"), std::string::npos) << message;
    EXPECT_NE(message.find("up to 3"), std::string::npos) << message;
    EXPECT_NE(message.find("newer tradehost"), std::string::npos) << message;
  }
  // Refused before anything was changed: the file is still in its rollback-journal mode.
  RawConnection raw(file);
  EXPECT_EQ(raw.query_text("PRAGMA journal_mode"), "delete");
  EXPECT_EQ(raw.query_int("PRAGMA user_version"), 99);
}

TEST(StoreOpen, RefusesSqliteFileThatIsNotAStateDatabase) {
  TempStateDir dir;
  const auto file = dir.file("other.sqlite");
  {
    RawConnection raw(file);
    raw.exec("CREATE TABLE customers (name TEXT)");
  }
  try {
    Store::open(file, Durability::Synchronous);
    FAIL() << "a foreign database was accepted";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find("not a tradehost state database"), std::string::npos) << message;
  }
}

TEST(StoreOpen, RefusesFileThatIsNotSqlite) {
  TempStateDir dir;
  const auto file = dir.file("notes.sqlite");
  std::ofstream(file) << "this is a text file, long enough to look like a broken header......"
                         "................................................................\n";
  try {
    Store::open(file, Durability::Synchronous);
    FAIL() << "a text file was accepted";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find("file is not a database"), std::string::npos) << message;
    EXPECT_EQ(e.sqlite_code() & 0xff, SQLITE_NOTADB);
  }
}

TEST(StoreOpen, UnwritablePathGivesStoreErrorNamingThePath) {
  TempStateDir dir;
  // A regular file where a directory must be: fails for root too (tests may run as root, for
  // whom permission bits do not stop anything).
  const auto blocker = dir.file("blocker");
  std::ofstream(blocker) << "x";
  const auto file = blocker / "bot.sqlite";
  try {
    Store::open(file, Durability::Synchronous);
    FAIL() << "opened a database under a regular file";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find("cannot"), std::string::npos) << message;
  }
}

TEST(StoreOpen, UnopenableFileGivesSqliteReasonAndHint) {
  TempStateDir dir;
  // The database path is an existing directory: the directories are fine, the open fails.
  const auto file = dir.path() / "is-a-directory.sqlite";
  std::filesystem::create_directories(file);
  try {
    Store::open(file, Durability::Synchronous);
    FAIL() << "opened a directory as a database";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("cannot open state database " + file.string() + ": ", 0), 0) << message;
    EXPECT_NE(message.find("unable to open database file"), std::string::npos) << message;
    EXPECT_NE(message.find("(check the directory exists and is writable)"), std::string::npos)
        << message;
  }
}

TEST(StoreOpen, CountRefusesUnknownTable) {
  TempStateDir dir;
  Store store = Store::open(dir.file("bot.sqlite"), Durability::Synchronous);
  EXPECT_THROW(store.count("sqlite_schema; DROP TABLE runs", 1), StoreError);
  EXPECT_EQ(store.count("orders", 1), 0);
}

}  // namespace
}  // namespace tradehost::store
