// Text forms of the two config types TOML has no native type for: durations and exact decimals.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tradehost::graph {

/// Parses a duration such as "250ms", "5s", "5m", "1h", "1d", "1w" or a sum of them ("1h30m"),
/// into nanoseconds. Units: ns, us, ms, s, m (minute), h, d (24 h), w (7 d). Each term is a
/// non-negative integer followed by a unit; no sign, no fraction, no spaces (write "90m", not
/// "1.5h"). Returns nullopt when the text is malformed or the total overflows int64.
std::optional<int64_t> parse_duration(std::string_view text);

/// True for an exact decimal literal: an optional '-', digits, optionally '.' and more digits
/// ("-12.50", "0.001", "10000"). Rejects exponents, '+', ".5", "5.", separators and spaces, so
/// the text converts to a th_fixed without rounding.
bool is_decimal_literal(std::string_view text);

}  // namespace tradehost::graph
