// StoreError: every failure of the state database, with a message a trader can act on.
#pragma once

#include <stdexcept>
#include <string>

namespace tradehost::store {

/// Thrown by Store for every failure. what() names the database file, the SQLite error and what
/// to do, e.g. "cannot open state database var/x.sqlite: unable to open database file (check the
/// directory exists and is writable)".
class StoreError : public std::runtime_error {
 public:
  /// sqlite_code: the extended SQLite result code (sqlite3.h SQLITE_*), 0 when the error was
  /// found by the store itself (refused schema version, journal out of step, bad argument).
  explicit StoreError(const std::string& message, int sqlite_code = 0)
      : std::runtime_error(message), sqlite_code_(sqlite_code) {}

  int sqlite_code() const noexcept { return sqlite_code_; }

  /// True for SQLITE_CONSTRAINT and its extended codes: a duplicate client_order_id, an unknown
  /// run or order (foreign key), a value outside a CHECK list. The open batch is kept.
  bool is_constraint_violation() const noexcept { return (sqlite_code_ & 0xff) == 19; }

 private:
  int sqlite_code_;
};

}  // namespace tradehost::store
