#include "graph/literals.hpp"

#include <array>

namespace tradehost::graph {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct DurationUnit {
  std::string_view suffix;
  int64_t ns;
};

constexpr int64_t kSecond = 1'000'000'000;
constexpr std::array<DurationUnit, 8> kUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", kSecond},
    {"m", 60 * kSecond},
    {"h", 3'600 * kSecond},
    {"d", 86'400 * kSecond},
    {"w", 604'800 * kSecond},
}};

}  // namespace

std::optional<int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t count = 0;
    const size_t digits_begin = i;
    while (i < text.size() && is_digit(text[i])) {
      if (__builtin_mul_overflow(count, 10, &count) ||
          __builtin_add_overflow(count, text[i] - '0', &count))
        return std::nullopt;
      ++i;
    }
    if (i == digits_begin) return std::nullopt;
    const size_t unit_begin = i;
    while (i < text.size() && !is_digit(text[i])) ++i;
    const std::string_view suffix = text.substr(unit_begin, i - unit_begin);
    const DurationUnit* unit = nullptr;
    for (const auto& u : kUnits)
      if (u.suffix == suffix) unit = &u;
    if (unit == nullptr) return std::nullopt;
    int64_t term = 0;
    if (__builtin_mul_overflow(count, unit->ns, &term) ||
        __builtin_add_overflow(total, term, &total))
      return std::nullopt;
  }
  return total;
}

bool is_decimal_literal(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && text[i] == '-') ++i;
  const size_t int_begin = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == int_begin) return false;
  if (i == text.size()) return true;
  if (text[i] != '.') return false;
  ++i;
  const size_t frac_begin = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  return i > frac_begin && i == text.size();
}

}  // namespace tradehost::graph
