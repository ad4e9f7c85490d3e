#pragma once
// The summary a trader reads on the terminal at the end of a run.

#include <string>

#include "report/metrics.hpp"
#include "report/run_info.hpp"

namespace tradehost::report {

/// A plain-text table (no colour codes, so it is also fine in a log file): a header with the
/// run's identity, then one metric per line with labels left-aligned and values right-aligned
/// in one column. Ratios of money are shown as percent with 2 decimals ("+20.00%"), sharpe,
/// sortino and profit factor with 2 decimals, money as exact decimals in the quote asset,
/// undefined values as "n/a" (profit factor "inf" when there are no losing trades).
/// Ends with a newline.
std::string format_summary(const Summary& summary, const RunInfo& run);

}  // namespace tradehost::report
