// RAII handles over the sqlite3 C API: one Connection, and Statements prepared once and reused.
// Internal to store/: users of the store include store/store.hpp, which does not pull in sqlite3.h.
#pragma once

#include <sqlite3.h>

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tradehost::store::sqlite {

/// Owns one sqlite3 connection. sqlite3_close_v2 on destruction, so statements still alive keep
/// the connection open until they are finalized (order of destruction does not matter).
class Connection {
 public:
  Connection() = default;
  explicit Connection(sqlite3* db) noexcept : db_(db) {}
  Connection(Connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Connection& operator=(Connection&& other) noexcept {
    if (this != &other) {
      close();
      db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { close(); }

  sqlite3* get() const noexcept { return db_; }

 private:
  void close() noexcept {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = nullptr;
  }
  sqlite3* db_ = nullptr;
};

/// One prepared statement, prepared once and then reset/bound per call. Text is bound
/// SQLITE_STATIC (no copy): the caller's buffers must live until step() returns, which they do
/// because every use binds, steps and resets within one call. Binding errors are remembered and
/// returned by the next step(), so the hot path checks one result code, not one per column.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    if (this != &other) {
      sqlite3_finalize(stmt_);
      stmt_ = std::exchange(other.stmt_, nullptr);
    }
    return *this;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  /// Returns the SQLite result code; on failure the statement stays empty.
  int prepare(sqlite3* db, std::string_view sql) noexcept {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    return sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  }
  bool prepared() const noexcept { return stmt_ != nullptr; }

  // Parameter indexes are 1-based, as in sqlite3_bind_*.
  void bind_int(int index, int64_t value) noexcept {
    note(sqlite3_bind_int64(stmt_, index, value));
  }
  void bind_text(int index, std::string_view value) noexcept {
    if (value.size() > static_cast<size_t>(INT_MAX)) {
      note(SQLITE_TOOBIG);
      return;
    }
    // A null data() would bind SQL NULL; an empty string_view means the empty text.
    note(sqlite3_bind_text(stmt_, index, value.data() != nullptr ? value.data() : "",
                           static_cast<int>(value.size()), SQLITE_STATIC));
  }
  void bind_null(int index) noexcept { note(sqlite3_bind_null(stmt_, index)); }
  void bind_optional_text(int index, std::optional<std::string_view> value) noexcept {
    if (value) {
      bind_text(index, *value);
    } else {
      bind_null(index);
    }
  }
  void bind_optional_text(int index, const std::optional<std::string>& value) noexcept {
    if (value) {
      bind_text(index, *value);
    } else {
      bind_null(index);
    }
  }
  void bind_optional_int(int index, std::optional<int64_t> value) noexcept {
    if (value) {
      bind_int(index, *value);
    } else {
      bind_null(index);
    }
  }

  /// SQLITE_ROW, SQLITE_DONE, or an error code (a remembered binding error comes first).
  int step() noexcept {
    if (bind_error_ != SQLITE_OK) return std::exchange(bind_error_, SQLITE_OK);
    return sqlite3_step(stmt_);
  }
  void reset() noexcept { sqlite3_reset(stmt_); }

  bool column_is_null(int col) const noexcept {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
  }
  int64_t column_int(int col) const noexcept { return sqlite3_column_int64(stmt_, col); }
  std::optional<int64_t> column_optional_int(int col) const noexcept {
    if (column_is_null(col)) return std::nullopt;
    return column_int(col);
  }
  std::string_view column_view(int col) const noexcept {
    const unsigned char* text = sqlite3_column_text(stmt_, col);
    if (text == nullptr) return {};
    return {reinterpret_cast<const char*>(text),
            static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
  }
  std::string column_text(int col) const { return std::string(column_view(col)); }
  std::optional<std::string> column_optional_text(int col) const {
    if (column_is_null(col)) return std::nullopt;
    return column_text(col);
  }

 private:
  void note(int rc) noexcept {
    if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  }
  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = SQLITE_OK;
};

/// Resets a statement when the scope ends, on success and on throw, so a failed call never
/// leaves a statement holding a read snapshot or half-bound.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& stmt) noexcept : stmt_(stmt) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { stmt_.reset(); }

 private:
  Statement& stmt_;
};

}  // namespace tradehost::store::sqlite
