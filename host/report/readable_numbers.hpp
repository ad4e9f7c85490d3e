#pragma once
// Numbers as a trader reads them on a terminal: 1.2M, 105,120, 2m05s.

#include <cstdint>
#include <string>

namespace tradehost::report {

/// Counts and rates with an SI suffix and 3 significant figures where possible:
/// 950 -> "950", 12345 -> "12.3K", 1200000 -> "1.2M", 4.1e9 -> "4.1G". Negative or non-finite
/// values give "n/a".
std::string format_count(double value);

/// Thousands separators: 105120 -> "105,120", -1234 -> "-1,234".
std::string group_thousands(int64_t value);

/// A duration in whole seconds, rounded up: 0.2 -> "1s", 125 -> "2m05s", 3725 -> "1h02m".
/// Negative or non-finite values give "?".
std::string format_eta(double seconds);

}  // namespace tradehost::report
