#include "report/readable_numbers.hpp"

#include <fmt/format.h>

#include <cmath>

namespace tradehost::report {

std::string format_count(double value) {
  if (!std::isfinite(value) || value < 0) return "n/a";
  static constexpr struct {
    double scale;
    const char* suffix;
  } kUnits[] = {{1e9, "G"}, {1e6, "M"}, {1e3, "K"}};
  for (const auto& u : kUnits) {
    // Round first so 999999 prints "1.0M", not "1000.0K".
    if (value >= u.scale * 0.99995) {
      const double scaled = value / u.scale;
      return scaled < 99.95 ? fmt::format("{:.1f}{}", scaled, u.suffix)
                            : fmt::format("{:.0f}{}", scaled, u.suffix);
    }
  }
  return fmt::format("{:.0f}", value);
}

std::string group_thousands(int64_t value) {
  const uint64_t mag =
      value < 0 ? uint64_t{0} - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits = fmt::format("{}", mag);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string format_eta(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e12) return "?";
  const auto s = static_cast<int64_t>(std::ceil(seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
}

}  // namespace tradehost::report
