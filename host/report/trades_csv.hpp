#pragma once
// trades.csv: one row per closed round trip, for spreadsheets and pandas.

#include <filesystem>
#include <string>
#include <vector>

#include "report/round_trip.hpp"

namespace tradehost::report {

/// The header row of trades.csv (without line end).
inline constexpr const char* kTradesCsvHeader =
    "instrument,side,entry_time,exit_time,qty,entry_price,exit_price,pnl,fees,return_pct";

/// trades.csv text: the header row, then one row per trip in the given order, '\n' line ends.
/// Times are ISO 8601 UTC ("2023-01-02T16:45:00Z"); qty and prices are the trip's exact decimal
/// text; pnl and fees are exact decimals with 8 places in the quote asset; return_pct is percent
/// with 4 decimals. A field containing ',', '"' or a line break is quoted as RFC 4180 says.
std::string trades_csv(const std::vector<RoundTrip>& trips);

/// Writes trades_csv() to `path` atomically (temp file + rename). Throws std::system_error.
void write_trades_csv(const std::filesystem::path& path, const std::vector<RoundTrip>& trips);

}  // namespace tradehost::report
