#pragma once
// Exact decimal text of th_fixed integers (value = raw / 10^scale).

#include <cstdint>
#include <string>

namespace tradehost::report {

/// Exact decimal text of raw / 10^scale with exactly `scale` fractional digits:
/// format_fixed(-5000000, 8) == "-0.05000000", format_fixed(42, 0) == "42". scale in 0..18.
/// Works for every int64 including INT64_MIN (no floating point involved).
std::string format_fixed(int64_t raw, int scale);

/// Account money (quote currency at TH_MONEY_SCALE = 8) as exact text with 8 decimals.
std::string format_money(int64_t raw);

}  // namespace tradehost::report
