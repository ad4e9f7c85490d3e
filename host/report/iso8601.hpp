#pragma once
// ISO 8601 / RFC 3339 timestamps <-> int64 ns since the Unix epoch, UTC.

#include <cstdint>
#include <string>
#include <string_view>

namespace tradehost::report {

/// Formats ns since the Unix epoch (UTC) as "2023-01-02T16:45:00Z". A non-zero sub-second part
/// is appended with trailing zeros trimmed ("...:00.5Z", "...:00.000000001Z"), so every int64
/// value round-trips through parse_iso8601_utc. Negative values (before 1970) are fine.
std::string iso8601_utc(int64_t ns);

/// Parses a UTC or offset timestamp into ns since the Unix epoch, UTC. Accepts
///   "2023-01-02"                      (midnight UTC)
///   "2023-01-02T16:45:00Z"            ('T', 't' or one space between date and time)
///   "2023-01-02T16:45" / "...16:45:00" (no designator: read as UTC)
///   "2023-01-02T16:45:00.123456789Z"  (1 to 9 fractional digits)
///   "2023-01-02T18:45:00+02:00"       (any offset +-HH:MM or +-HHMM; converted to UTC)
/// Rejects anything else, out-of-range fields ("2023-13-01", "2023-02-29", "24:00", leap second
/// ":60") and instants outside the int64 ns range (1677-09-21 .. 2262-04-11). On failure
/// returns false, leaves `ns` unchanged and, when `err` is non-null, stores a one-line reason.
bool parse_iso8601_utc(std::string_view text, int64_t& ns, std::string* err);

}  // namespace tradehost::report
