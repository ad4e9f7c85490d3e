// Test support for the store tests: a unique temporary directory, and a second, plain sqlite3
// connection to look at the database the way another process (or a trader with the sqlite3
// CLI) would.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>

#include "store/store.hpp"

namespace tradehost::store::testing_support {

class TempStateDir {
 public:
  TempStateDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info != nullptr ? info->name() : "x";
    for (char& c : name) {
      if (c == '/') c = '_';  // parameterized tests are named "Case/Param"
    }
    path_ = std::filesystem::temp_directory_path() / ("th-store-" + std::to_string(::getpid()) +
                                                      "-" + std::to_string(counter++) + "-" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  TempStateDir(const TempStateDir&) = delete;
  TempStateDir& operator=(const TempStateDir&) = delete;
  ~TempStateDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// A plain sqlite3 connection, independent of the Store under test.
class RawConnection {
 public:
  explicit RawConnection(const std::filesystem::path& file) {
    const int rc =
        sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) ADD_FAILURE() << "raw open " << file << ": " << sqlite3_errstr(rc);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  ~RawConnection() { sqlite3_close_v2(db_); }

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << "raw exec '" << sql << "': " << (err != nullptr ? err : "?");
    }
    sqlite3_free(err);
  }
  /// First column of the first row as integer; -1 (and a test failure) when there is no row.
  int64_t query_int(const std::string& sql) {
    int64_t value = -1;
    query(sql, [&](sqlite3_stmt* st) { value = sqlite3_column_int64(st, 0); });
    return value;
  }
  /// First column of the first row as text; "<NULL>" for SQL NULL, "<no row>" when none.
  std::string query_text(const std::string& sql) {
    std::string value = "<no row>";
    query(sql, [&](sqlite3_stmt* st) {
      const unsigned char* text = sqlite3_column_text(st, 0);
      value = text != nullptr ? reinterpret_cast<const char*>(text) : "<NULL>";
    });
    return value;
  }

 private:
  template <class F>
  void query(const std::string& sql, F&& on_first_row) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "raw prepare '" << sql << "': " << sqlite3_errmsg(db_);
      return;
    }
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      on_first_row(st);
    } else if (rc != SQLITE_DONE) {
      ADD_FAILURE() << "raw step '" << sql << "': " << sqlite3_errmsg(db_);
    }
    sqlite3_finalize(st);
  }
  sqlite3* db_ = nullptr;
};

inline RunRow make_run(const std::string& bot, const std::string& mode = "backtest") {
  RunRow run;
  run.bot = bot;
  run.mode = mode;
  run.config_path = "config/" + bot + ".toml";
  run.started_ns = 1'700'000'000'000'000'000;
  return run;
}

/// A limit buy of 0.0015 BTC/USDT at 16727.3, in PENDING_NEW, as the OMS journals it before
/// sending it.
inline OrderRow make_order(int64_t run_id, int64_t order_id, const std::string& client_order_id) {
  OrderRow order;
  order.run_id = run_id;
  order.order_id = order_id;
  order.client_order_id = client_order_id;
  order.strategy = "ema";
  order.instrument = "BTC/USDT";
  order.side = "buy";
  order.type = "limit";
  order.tif = "GTC";
  order.qty = "0.0015";
  order.price = "16727.3";
  order.tag = "entry";
  order.created_ns = 1'700'000'060'000'000'000 + order_id;
  order.updated_ns = order.created_ns;
  return order;
}

}  // namespace tradehost::store::testing_support
