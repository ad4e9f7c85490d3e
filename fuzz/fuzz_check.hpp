// What the fuzz targets share: FUZZ_CHECK, which aborts (so libFuzzer records the input as a
// crash) when an invariant of the code under test is broken, and a reference reading of decimal
// text that the targets compare the parsers' fixed-point results with.
//
// The reference works on the digit string alone (strip the sign, the point and the exponent,
// shift), never through tradehost/fixed.hpp, so a wrong parse_fixed(), plain_decimal() or depth
// scanner cannot agree with it by sharing the mistake.
#ifndef TRADEHOST_FUZZ_CHECK_HPP
#define TRADEHOST_FUZZ_CHECK_HPP

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond, ...)                                                   \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, "  " __VA_ARGS__);                                   \
      std::fprintf(stderr, "\n");                                               \
      std::abort();                                                             \
    }                                                                           \
  } while (0)

namespace tradehost::fuzz {

/// A decimal as sign, significant digits (no leading or trailing zeros; empty for zero) and the
/// power of ten of the last digit: value = (-1)^negative * digits * 10^exponent.
struct Decimal {
  bool negative = false;
  std::string digits;
  int64_t exponent = 0;
  bool zero() const { return digits.empty(); }
};

inline void normalise(Decimal& d) {
  size_t lead = d.digits.find_first_not_of('0');
  if (lead == std::string::npos) {
    d = Decimal{};
    return;
  }
  d.digits.erase(0, lead);
  size_t last = d.digits.find_last_not_of('0');
  d.exponent += static_cast<int64_t>(d.digits.size() - 1 - last);
  d.digits.erase(last + 1);
}

/// parse_fixed()'s documented grammar: [+-] digits [. digits] [(e|E) [+-] digits], at least one
/// mantissa digit. nullopt for anything else. Exponents saturate at +-10^12 (far beyond any
/// value an int64 at scale 0..18 can hold, so saturation never changes a comparison's outcome).
inline std::optional<Decimal> read_decimal(std::string_view t) {
  Decimal d;
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) d.negative = t[i++] == '-';
  size_t mantissa = 0;
  int64_t frac_digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') d.digits += t[i++], ++mantissa;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') d.digits += t[i++], ++mantissa, ++frac_digits;
  }
  if (mantissa == 0) return std::nullopt;
  int64_t e = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
    size_t b = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (e < 1'000'000'000'000) e = e * 10 + (t[i] - '0');
      ++i;
    }
    if (i == b) return std::nullopt;
    if (neg) e = -e;
  }
  if (i != t.size()) return std::nullopt;
  d.exponent = e - frac_digits;
  normalise(d);
  return d;
}

/// raw / 10^scale as a Decimal.
inline Decimal from_raw(int64_t raw, int scale) {
  Decimal d;
  d.negative = raw < 0;
  uint64_t mag = raw < 0 ? 0 - static_cast<uint64_t>(raw) : static_cast<uint64_t>(raw);
  d.digits = std::to_string(mag);
  d.exponent = -scale;
  normalise(d);
  return d;
}

inline bool same(const Decimal& a, const Decimal& b) {
  if (a.zero() || b.zero()) return a.zero() && b.zero();
  return a.negative == b.negative && a.digits == b.digits && a.exponent == b.exponent;
}

/// The raw value `text` denotes at `scale` when that is exact and fits int64 (the only values an
/// exact parse may return); nullopt otherwise.
inline std::optional<int64_t> exact_raw(std::string_view text, int scale) {
  std::optional<Decimal> d = read_decimal(text);
  if (!d) return std::nullopt;
  if (d->zero()) return 0;
  const int64_t shift = d->exponent + scale;  // power of ten of the last digit, in raw units
  if (shift < 0) return std::nullopt;         // a non-zero digit below the scale
  if (static_cast<int64_t>(d->digits.size()) + shift > 19) return std::nullopt;
  std::string mag = d->digits + std::string(static_cast<size_t>(shift), '0');
  const std::string limit = d->negative ? "9223372036854775808" : "9223372036854775807";
  if (mag.size() == 19 && mag > limit) return std::nullopt;
  uint64_t m = std::stoull(mag);
  return d->negative ? static_cast<int64_t>(0 - m) : static_cast<int64_t>(m);
}

/// True when `raw` at `scale` is the value `text` denotes, exactly.
inline bool denotes(std::string_view text, int64_t raw, int scale) {
  std::optional<int64_t> want = exact_raw(text, scale);
  return want && *want == raw;
}

/// True when `raw` at `scale` is `text` rounded toward zero (truncated) at that scale, the value
/// a Rounding::Down parse gives; false when the truncated value does not fit int64.
inline bool truncates_to(std::string_view text, int64_t raw, int scale) {
  std::optional<Decimal> d = read_decimal(text);
  if (!d) return false;
  const int64_t shift = d->exponent + scale;
  std::string kept = d->digits;
  if (shift < 0) {
    const int64_t drop = -shift;
    kept = drop >= static_cast<int64_t>(kept.size()) ? std::string() : kept.substr(0, kept.size() - drop);
    Decimal t{d->negative, kept, 0};
    normalise(t);
    Decimal r = from_raw(raw, 0);
    return same(t, r);
  }
  Decimal t{d->negative, kept, shift};
  normalise(t);
  return same(t, from_raw(raw, 0));
}

}  // namespace tradehost::fuzz

#endif  // TRADEHOST_FUZZ_CHECK_HPP
