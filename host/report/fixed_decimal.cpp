#include "report/fixed_decimal.hpp"

#include <fmt/format.h>
#include <tradehost/plugin.h>

#include <stdexcept>

namespace tradehost::report {

std::string format_fixed(int64_t raw, int scale) {
  if (scale < 0 || scale > 18)
    throw std::invalid_argument(fmt::format("scale {} outside 0..18", scale));
  // Magnitude as unsigned so INT64_MIN has a representable absolute value.
  const uint64_t mag =
      raw < 0 ? uint64_t{0} - static_cast<uint64_t>(raw) : static_cast<uint64_t>(raw);
  uint64_t pow10 = 1;
  for (int i = 0; i < scale; ++i) pow10 *= 10;
  const char* sign = raw < 0 ? "-" : "";
  if (scale == 0) return fmt::format("{}{}", sign, mag);
  return fmt::format("{}{}.{:0{}}", sign, mag / pow10, mag % pow10, scale);
}

std::string format_money(int64_t raw) { return format_fixed(raw, TH_MONEY_SCALE); }

}  // namespace tradehost::report
