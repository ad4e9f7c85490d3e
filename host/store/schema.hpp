// The schema of the state database and its migrations (PRAGMA user_version = schema version).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace tradehost::store::schema {

/// The newest schema this build writes. A database with a larger user_version was written by a
/// newer tradehost and is refused rather than misread.
inline constexpr int kCurrentVersion = 3;

/// PRAGMA application_id of a tradehost state database ("THST"), so that a stray SQLite file
/// given as bot.state is refused instead of being written into.
inline constexpr int32_t kApplicationId = 0x54485354;

/// SQL that upgrades schema version `from` to `from + 1` (0 <= from < kCurrentVersion). Store
/// runs it in one transaction together with the user_version bump.
std::string_view migration(int from);

/// Every table that has a run_id column: the tables Store::count accepts.
inline constexpr std::array<std::string_view, 12> kRunTables = {
    "runs",      "plugins",   "orders", "order_events", "fills",   "positions",
    "decisions", "equity",    "rejections", "reloads", "kill_switch_events", "repairs"};

}  // namespace tradehost::store::schema
