#pragma once
// report.json: the machine-readable result of a backtest or paper run.

#include <filesystem>
#include <string>

#include "report/metrics.hpp"
#include "report/run_info.hpp"

namespace tradehost::report {

/// Schema version of report.json, bumped when a key changes meaning or disappears
/// (adding keys does not bump it).
inline constexpr int kReportJsonVersion = 1;

/// report.json text (pretty-printed, 2-space indent, trailing newline). Keys and units are in
/// docs/metrics.md: ratios are fractions, money is an exact decimal number in the quote asset,
/// times are ISO 8601 UTC strings. JSON has no NaN/infinity, so an undefined metric is null;
/// profit_factor null comes with "profit_factor_note" ("no trades", "no losing trades",
/// "only break-even trades"), which is null whenever profit_factor is a number.
std::string report_json(const Summary& summary, const RunInfo& run);

/// Writes report_json() to `path` atomically (temp file + rename). Throws std::system_error.
void write_report_json(const std::filesystem::path& path, const Summary& summary,
                       const RunInfo& run);

}  // namespace tradehost::report
