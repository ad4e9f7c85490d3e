// tradehost/fixed.hpp -- exact decimal fixed-point for plugins: parse, format, checked arithmetic
// and typed Price / Quantity / Money values. Header-only, C++17, standard library only.
//
// A fixed-point number is an int64 `raw` with a `scale` in 0..18: value = raw / 10^scale, the
// same convention as th_fixed in plugin.h (prices at th_instrument.price_scale, quantities at
// qty_scale, account money at TH_MONEY_SCALE = 8). Nothing here goes through floating point
// except Fixed::to_double(), which exists for indicators only.
//
// Every function that can lose digits takes a Rounding. Rounding::Exact means "refuse": the call
// fails (returns false / reports an error / throws, as documented per function) instead of
// dropping a non-zero digit. The bool-returning functions never throw and never allocate
// (parse_fixed() allocates only to write an error message you asked for); the Fixed<Tag>
// operators and the string-returning formatters throw, as documented.
//
// Needs a 128-bit integer (__int128, g++ and clang on 64-bit targets) for exact intermediates.
#ifndef TRADEHOST_FIXED_HPP
#define TRADEHOST_FIXED_HPP

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

#if !defined(__SIZEOF_INT128__)
#error "tradehost/fixed.hpp needs __int128 (g++ or clang on a 64-bit target)"
#endif

namespace tradehost {

namespace fixed_detail {
__extension__ typedef __int128 i128;           // __extension__: quiet under -Wpedantic
__extension__ typedef unsigned __int128 u128;

constexpr int64_t kPow10[19] = {1LL,
                                10LL,
                                100LL,
                                1000LL,
                                10000LL,
                                100000LL,
                                1000000LL,
                                10000000LL,
                                100000000LL,
                                1000000000LL,
                                10000000000LL,
                                100000000000LL,
                                1000000000000LL,
                                10000000000000LL,
                                100000000000000LL,
                                1000000000000000LL,
                                10000000000000000LL,
                                100000000000000000LL,
                                1000000000000000000LL};

constexpr bool valid_scale(int scale) noexcept { return scale >= 0 && scale <= 18; }

constexpr i128 kI64Max = std::numeric_limits<int64_t>::max();
constexpr i128 kI64Min = std::numeric_limits<int64_t>::min();

constexpr bool fits_i64(i128 v) noexcept { return v >= kI64Min && v <= kI64Max; }

constexpr i128 pow10_i128(int n) noexcept {  // 0..38
  i128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}
}  // namespace fixed_detail

/// 10^n as int64 for n in 0..18 (the full range of scales). Returns 0 for any other n, so a
/// caller that forgot to validate a scale gets an obviously wrong (and never a wrapped) value.
constexpr int64_t pow10_i64(int n) noexcept {
  return fixed_detail::valid_scale(n) ? fixed_detail::kPow10[n] : 0;
}

/// How to drop digits that do not fit the target scale or step.
enum class Rounding {
  Exact,     ///< refuse to drop a non-zero digit: the operation fails instead
  Down,      ///< toward zero (truncate): 1.29 -> 1.2, -1.29 -> -1.2
  Floor,     ///< toward -infinity: 1.29 -> 1.2, -1.21 -> -1.3
  Ceil,      ///< toward +infinity: 1.21 -> 1.3, -1.29 -> -1.2
  HalfEven,  ///< nearest; ties to the even neighbour (banker's): 1.25 -> 1.2, 1.35 -> 1.4
  HalfUp     ///< nearest; ties away from zero (school rounding): 1.25 -> 1.3, -1.25 -> -1.3
};

namespace fixed_detail {
// Whether a truncated magnitude must be bumped by one unit away from zero.
//   negative: sign of the exact value; odd: truncated magnitude is odd;
//   half_cmp: dropped part compared with one half unit (-1 below, 0 exactly half, +1 above);
//   inexact: dropped part is non-zero. Exact is handled by the caller.
constexpr bool round_away(Rounding r, bool negative, bool odd, int half_cmp,
                          bool inexact) noexcept {
  if (!inexact) return false;
  switch (r) {
    case Rounding::Exact:
    case Rounding::Down:
      return false;
    case Rounding::Floor:
      return negative;
    case Rounding::Ceil:
      return !negative;
    case Rounding::HalfUp:
      return half_cmp >= 0;
    case Rounding::HalfEven:
      return half_cmp > 0 || (half_cmp == 0 && odd);
  }
  return false;
}

// num / den rounded as `r`; den != 0; |num|, |den| < 2^126. False only for Exact and inexact.
inline bool div_round(i128 num, i128 den, Rounding r, i128& out) noexcept {
  i128 q = num / den;  // truncates toward zero
  i128 rem = num % den;
  if (rem == 0) {
    out = q;
    return true;
  }
  if (r == Rounding::Exact) return false;
  bool negative = (num < 0) != (den < 0);
  u128 arem = rem < 0 ? static_cast<u128>(-rem) : static_cast<u128>(rem);
  u128 aden = den < 0 ? static_cast<u128>(-den) : static_cast<u128>(den);
  u128 twice = arem * 2;  // < 2^127: no wrap
  int half_cmp = twice < aden ? -1 : (twice == aden ? 0 : 1);
  bool odd = (q & 1) != 0;
  if (round_away(r, negative, odd, half_cmp, true)) q += negative ? -1 : 1;
  out = q;
  return true;
}

inline void set_error(std::string* error, std::string_view text, const char* what) {
  if (error == nullptr) return;
  constexpr size_t kMaxQuoted = 64;  // a 1 MB garbage field must not become a 1 MB message
  std::string msg = "parse_fixed: \"";
  if (text.size() > kMaxQuoted) {
    msg.append(text.substr(0, kMaxQuoted));
    msg += "...";
  } else {
    msg.append(text);
  }
  msg += "\": ";
  msg += what;
  *error = std::move(msg);
}
}  // namespace fixed_detail

/// Parses exact decimal text into raw = value * 10^scale.
///
/// Grammar: optional '+' or '-', then digits with an optional '.' and fraction (at least one digit
/// overall: "5", "5.", ".5", "-0.010"), then an optional exponent 'e'/'E' with an optional sign and
/// at least one digit ("1e-5", "1.5E+3"), as JSON writers emit. Nothing else: no whitespace, no
/// thousands separators, no "inf"/"nan", no hex.
///
/// Rounding: digits below 10^-scale are dropped according to `r`. With Rounding::Exact (the
/// default) dropping a non-zero digit is an error: "0.10" at scale 1 gives 1, "0.15" at scale 1
/// fails with "has more decimals than scale 1 allows".
///
/// Errors (returns false, leaves `out` unchanged, writes a message naming the text to `*error`
/// when `error` is not null): empty text, a character outside the grammar (with its offset), no
/// digits, exponent without digits, a value outside int64 at this scale, extra decimals under
/// Exact, scale outside 0..18. Never throws except std::bad_alloc while writing `*error`; the
/// success path does not allocate.
inline bool parse_fixed(std::string_view text, int scale, int64_t& out,
                        std::string* error = nullptr, Rounding r = Rounding::Exact) {
  using fixed_detail::set_error;
  if (!fixed_detail::valid_scale(scale)) {
    set_error(error, text, "scale is outside 0..18");
    return false;
  }
  const size_t n = text.size();
  if (n == 0) {
    if (error != nullptr) *error = "parse_fixed: empty text";
    return false;
  }
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto unexpected = [&](size_t at) {
    if (error == nullptr) return;
    std::string what = "unexpected character '";
    what += text[at];
    what += "' at offset ";
    what += std::to_string(at);
    set_error(error, text, what.c_str());
  };

  // Pass 1: validate and locate the integer digits, fraction digits and exponent.
  size_t i = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    i = 1;
  }
  const size_t int_begin = i;
  while (i < n && is_digit(text[i])) ++i;
  const size_t int_end = i;
  size_t frac_begin = i, frac_end = i;
  if (i < n && text[i] == '.') {
    frac_begin = ++i;
    while (i < n && is_digit(text[i])) ++i;
    frac_end = i;
  }
  const size_t int_digits = int_end - int_begin;
  const size_t total_digits = int_digits + (frac_end - frac_begin);
  if (total_digits == 0) {
    if (i < n)
      unexpected(i);
    else
      set_error(error, text, "has no digits");
    return false;
  }
  int64_t exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    const size_t exp_begin = i;
    while (i < n && is_digit(text[i])) {
      // Saturate: beyond +-10^6 the value is either 0 or an overflow whatever the mantissa says.
      if (exponent < 1000000) exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (i == exp_begin) {
      if (i < n)
        unexpected(i);
      else
        set_error(error, text, "exponent has no digits");
      return false;
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != n) {
    unexpected(i);
    return false;
  }

  // Pass 2: digit number k (1-based, integer digits first) weighs 10^(cut - k) raw units, so the
  // first `cut` digits form the integer magnitude and the rest decide the rounding.
  const int64_t cut = static_cast<int64_t>(int_digits) + exponent + scale;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  uint64_t mag = 0;
  int first_dropped = 0;  // the digit just below the last kept one (0 when cut < 0)
  bool sticky = false;    // any non-zero digit after first_dropped
  bool overflow = false;
  int64_t k = 0;
  auto feed = [&](char c) {
    const unsigned d = static_cast<unsigned>(c - '0');
    ++k;
    if (k <= cut) {
      if (mag > (limit - d) / 10)
        overflow = true;
      else
        mag = mag * 10 + d;
    } else if (k == cut + 1) {
      first_dropped = static_cast<int>(d);
    } else if (d != 0) {
      sticky = true;
    }
  };
  for (size_t j = int_begin; j < int_end; ++j) feed(text[j]);
  for (size_t j = frac_begin; j < frac_end; ++j) feed(text[j]);
  if (!overflow && mag != 0) {
    for (int64_t pad = cut - k; pad > 0; --pad) {  // more integer digits than written
      if (mag > limit / 10) {
        overflow = true;
        break;
      }
      mag *= 10;
    }
  }
  if (overflow) {
    set_error(error, text, "overflows int64 at this scale");
    return false;
  }
  const bool inexact = first_dropped != 0 || sticky;
  if (inexact) {
    if (r == Rounding::Exact) {
      std::string what = "has more decimals than scale " + std::to_string(scale) + " allows";
      set_error(error, text, what.c_str());
      return false;
    }
    const int half_cmp = first_dropped < 5 ? -1 : (first_dropped == 5 && !sticky ? 0 : 1);
    if (fixed_detail::round_away(r, negative, (mag & 1) != 0, half_cmp, true)) {
      if (mag == limit) {
        set_error(error, text, "overflows int64 at this scale");
        return false;
      }
      ++mag;
    }
  }
  out = negative ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
  return true;
}

/// Longest text format_fixed_to() can produce: '-', 19 digits and a point.
constexpr size_t kFixedTextMax = 21;

/// Writes raw / 10^scale as decimal text with exactly `scale` fractional digits ("16727.30" for
/// raw 1672730 at scale 2, "-0.05" for -5 at scale 2, no point at scale 0) into buf, without a
/// terminating NUL. Returns the length of the text; when that exceeds `cap` nothing is written
/// (a buffer of kFixedTextMax always suffices). Returns 0 when scale is outside 0..18. Exact for
/// every int64 including INT64_MIN; never allocates or throws.
inline size_t format_fixed_to(char* buf, size_t cap, int64_t raw, int scale) noexcept {
  if (!fixed_detail::valid_scale(scale)) return 0;
  const bool negative = raw < 0;
  uint64_t mag = negative ? 0 - static_cast<uint64_t>(raw) : static_cast<uint64_t>(raw);
  char rev[20];  // digits, least significant first
  size_t nd = 0;
  do {
    rev[nd++] = static_cast<char>('0' + mag % 10);
    mag /= 10;
  } while (mag != 0);
  const size_t sc = static_cast<size_t>(scale);
  const size_t digits = nd > sc ? nd : sc + 1;  // at least one digit before the point
  const size_t len = (negative ? 1 : 0) + digits + (sc > 0 ? 1 : 0);
  if (len > cap) return len;
  size_t o = 0;
  if (negative) buf[o++] = '-';
  for (size_t d = digits; d-- > 0;) {  // d = power of ten of the digit being written
    buf[o++] = d < nd ? rev[d] : '0';
    if (d == sc && sc > 0) buf[o++] = '.';
  }
  return len;
}

/// raw / 10^scale as text with exactly `scale` fractional digits; see format_fixed_to().
/// Throws std::invalid_argument when scale is outside 0..18.
inline std::string format_fixed(int64_t raw, int scale) {
  char buf[kFixedTextMax];
  const size_t len = format_fixed_to(buf, sizeof buf, raw, scale);
  if (len == 0) throw std::invalid_argument("format_fixed: scale is outside 0..18");
  return std::string(buf, len);
}

/// Like format_fixed() but without trailing fractional zeros, and without the point when no
/// fraction is left: 1672730 at scale 2 -> "16727.3", 500 at scale 2 -> "5", 100 at scale 0 ->
/// "100". Throws std::invalid_argument when scale is outside 0..18.
inline std::string format_fixed_trimmed(int64_t raw, int scale) {
  char buf[kFixedTextMax];
  size_t len = format_fixed_to(buf, sizeof buf, raw, scale);
  if (len == 0) throw std::invalid_argument("format_fixed_trimmed: scale is outside 0..18");
  if (scale > 0) {
    while (buf[len - 1] == '0') --len;
    if (buf[len - 1] == '.') --len;
  }
  return std::string(buf, len);
}

/// out = a * b / c, computed exactly in 128 bits and rounded once as `r` (units are the caller's:
/// e.g. a price times a quantity divided by a power of ten). Returns false, leaving `out`
/// unchanged, when c == 0, when the result does not fit int64, or when r is Exact and the
/// division leaves a remainder.
inline bool mul_div(int64_t a, int64_t b, int64_t c, Rounding r, int64_t& out) noexcept {
  using fixed_detail::i128;
  if (c == 0) return false;
  i128 q;
  if (!fixed_detail::div_round(static_cast<i128>(a) * b, c, r, q)) return false;
  if (!fixed_detail::fits_i64(q)) return false;
  out = static_cast<int64_t>(q);
  return true;
}

/// Converts raw at from_scale to the same value at to_scale (both 0..18). Growing the scale is
/// exact and fails only on int64 overflow; shrinking it drops digits as `r` (Exact: fails if a
/// dropped digit is non-zero). Returns false, leaving `out` unchanged, on any failure or on a
/// scale outside 0..18.
inline bool rescale(int64_t raw, int from_scale, int to_scale, Rounding r, int64_t& out) noexcept {
  using fixed_detail::i128;
  if (!fixed_detail::valid_scale(from_scale) || !fixed_detail::valid_scale(to_scale)) return false;
  i128 v;
  if (to_scale >= from_scale) {
    v = static_cast<i128>(raw) * fixed_detail::kPow10[to_scale - from_scale];
  } else if (!fixed_detail::div_round(raw, fixed_detail::kPow10[from_scale - to_scale], r, v)) {
    return false;
  }
  if (!fixed_detail::fits_i64(v)) return false;
  out = static_cast<int64_t>(v);
  return true;
}

/// Notional value price * qty expressed at out_scale (typically TH_MONEY_SCALE = 8), computed
/// exactly and rounded once as `r`: price 16727.3 (raw 167273, scale 1) x qty 0.00150 (raw 150,
/// scale 5) at scale 8 = 25.09095 -> raw 2509095000. All scales 0..18. Returns false, leaving
/// `out` unchanged, on a bad scale, int64 overflow, or an inexact result under Exact.
inline bool notional(int64_t price_raw, int price_scale, int64_t qty_raw, int qty_scale,
                     int out_scale, Rounding r, int64_t& out) noexcept {
  using fixed_detail::i128;
  if (!fixed_detail::valid_scale(price_scale) || !fixed_detail::valid_scale(qty_scale) ||
      !fixed_detail::valid_scale(out_scale))
    return false;
  const i128 product = static_cast<i128>(price_raw) * qty_raw;  // at price_scale + qty_scale
  const int shift = out_scale - (price_scale + qty_scale);        // -36..18
  i128 v;
  if (shift >= 0) {
    if (!fixed_detail::fits_i64(product)) return false;  // multiplying by >= 1 cannot help
    v = product * fixed_detail::kPow10[shift];            // < 2^63 * 10^18 < 2^127
  } else if (!fixed_detail::div_round(product, fixed_detail::pow10_i128(-shift), r, v)) {
    return false;
  }
  if (!fixed_detail::fits_i64(v)) return false;
  out = static_cast<int64_t>(v);
  return true;
}

/// out = a + b; returns false (out unchanged) on int64 overflow. Raw units, same scale assumed.
inline bool checked_add(int64_t a, int64_t b, int64_t& out) noexcept {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return false;
  out = r;
  return true;
}

/// out = a - b; returns false (out unchanged) on int64 overflow. Raw units, same scale assumed.
inline bool checked_sub(int64_t a, int64_t b, int64_t& out) noexcept {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return false;
  out = r;
  return true;
}

/// out = a * b; returns false (out unchanged) on int64 overflow. Note the result's scale is the
/// sum of the operands' scales; use notional() or mul_div() to land on a chosen scale.
inline bool checked_mul(int64_t a, int64_t b, int64_t& out) noexcept {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return false;
  out = r;
  return true;
}

/// Rounds raw to a multiple of step (same scale as raw, step > 0) as `r`: floor a quantity to
/// the lot size with Floor (or Down, which also never increases |qty|), round a limit price to
/// the tick size with HalfEven, Floor (bids) or Ceil (asks). Returns false, leaving `out`
/// unchanged, when step <= 0, when the result does not fit int64, or when r is Exact and raw is
/// not already a multiple.
inline bool round_to_step(int64_t raw, int64_t step, Rounding r, int64_t& out) noexcept {
  using fixed_detail::i128;
  if (step <= 0) return false;
  i128 q;
  if (!fixed_detail::div_round(raw, step, r, q)) return false;
  const i128 v = q * step;
  if (!fixed_detail::fits_i64(v)) return false;
  out = static_cast<int64_t>(v);
  return true;
}

/// Throwing form of round_to_step(raw, step, r, out): returns the rounded value. Throws
/// std::invalid_argument when step <= 0 or when r is Exact and raw is not a multiple of step, and
/// std::overflow_error when the result does not fit int64 (only possible within one step of the
/// int64 limits).
inline int64_t round_to_step(int64_t raw, int64_t step, Rounding r) {
  if (step <= 0) throw std::invalid_argument("round_to_step: step must be > 0");
  int64_t out;
  if (round_to_step(raw, step, r, out)) return out;
  if (r == Rounding::Exact && raw % step != 0)
    throw std::invalid_argument("round_to_step: value is not a multiple of step");
  throw std::overflow_error("round_to_step: result overflows int64");
}

/// True when raw is an exact multiple of step (0 is a multiple of everything); false when
/// step <= 0. Raw units, same scale: e.g. is_multiple_of(qty, instrument.lot_size).
constexpr bool is_multiple_of(int64_t raw, int64_t step) noexcept {
  return step > 0 && raw % step == 0;
}

/// A fixed-point value raw / 10^scale whose Tag keeps unrelated quantities apart: a Price cannot
/// be added to, subtracted from or compared with a Quantity (it does not compile).
///
/// Comparisons are numeric and exact across scales (1.5 at scale 1 == 1.50 at scale 2).
/// `+` and `-` need equal scales: a mismatch throws std::invalid_argument, an int64 overflow
/// throws std::overflow_error. Throwing is fine inside a plugin (the SDK's boundary glue catches
/// it); use the bool-returning free functions where a failure is an expected outcome.
/// The members are public for cheap use with th_fixed fields; keep scale within 0..18.
template <class Tag>
struct Fixed {
  int64_t raw = 0;    ///< value * 10^scale
  int32_t scale = 0;  ///< 0..18

  constexpr Fixed() noexcept = default;
  /// raw / 10^scale. Throws std::invalid_argument when scale is outside 0..18.
  constexpr Fixed(int64_t raw_value, int scale_value) : raw(raw_value), scale(scale_value) {
    if (!fixed_detail::valid_scale(scale_value))
      throw std::invalid_argument("Fixed: scale is outside 0..18");
  }

  /// Parses exact decimal text at `scale` (grammar and rounding as parse_fixed()). Throws
  /// std::invalid_argument carrying parse_fixed()'s message on any error.
  static Fixed parse(std::string_view text, int scale, Rounding r = Rounding::Exact) {
    int64_t v = 0;
    std::string err;
    if (!parse_fixed(text, scale, v, &err, r)) throw std::invalid_argument(err);
    return Fixed(v, scale);
  }

  /// Text with exactly `scale` fractional digits, as format_fixed().
  std::string to_string() const { return format_fixed(raw, scale); }

  /// Nearest double (raw / 10^scale, correctly rounded for |raw| < 2^53). For indicators and
  /// display only: never feed it back into prices, quantities or money.
  double to_double() const noexcept {
    return static_cast<double>(raw) / static_cast<double>(pow10_i64(scale));
  }

  /// The same value at another scale, rounded as `r`. Throws std::invalid_argument on a bad
  /// scale or an inexact Exact, std::overflow_error when it does not fit int64.
  Fixed rescaled(int to_scale, Rounding r = Rounding::Exact) const {
    int64_t v = 0;
    if (rescale(raw, scale, to_scale, r, v)) return Fixed(v, to_scale);
    if (!fixed_detail::valid_scale(to_scale) || !fixed_detail::valid_scale(scale))
      throw std::invalid_argument("Fixed::rescaled: scale is outside 0..18");
    if (to_scale < scale && r == Rounding::Exact && raw % pow10_i64(scale - to_scale) != 0)
      throw std::invalid_argument("Fixed::rescaled: value has more decimals than the scale allows");
    throw std::overflow_error("Fixed::rescaled: result overflows int64");
  }

  /// Same scale required (std::invalid_argument otherwise); std::overflow_error on overflow.
  friend Fixed operator+(Fixed a, Fixed b) {
    require_same_scale(a, b, "Fixed: operator+ on different scales");
    int64_t v;
    if (!checked_add(a.raw, b.raw, v))
      throw std::overflow_error("Fixed: operator+ overflows int64");
    return Fixed(v, a.scale);
  }
  /// Same scale required (std::invalid_argument otherwise); std::overflow_error on overflow.
  friend Fixed operator-(Fixed a, Fixed b) {
    require_same_scale(a, b, "Fixed: operator- on different scales");
    int64_t v;
    if (!checked_sub(a.raw, b.raw, v))
      throw std::overflow_error("Fixed: operator- overflows int64");
    return Fixed(v, a.scale);
  }
  /// Negation; std::overflow_error for raw == INT64_MIN.
  friend Fixed operator-(Fixed a) {
    if (a.raw == std::numeric_limits<int64_t>::min())
      throw std::overflow_error("Fixed: negation overflows int64");
    return Fixed(-a.raw, a.scale);
  }
  Fixed& operator+=(Fixed b) { return *this = *this + b; }
  Fixed& operator-=(Fixed b) { return *this = *this - b; }

  friend bool operator==(Fixed a, Fixed b) noexcept { return compare(a, b) == 0; }
  friend bool operator!=(Fixed a, Fixed b) noexcept { return compare(a, b) != 0; }
  friend bool operator<(Fixed a, Fixed b) noexcept { return compare(a, b) < 0; }
  friend bool operator<=(Fixed a, Fixed b) noexcept { return compare(a, b) <= 0; }
  friend bool operator>(Fixed a, Fixed b) noexcept { return compare(a, b) > 0; }
  friend bool operator>=(Fixed a, Fixed b) noexcept { return compare(a, b) >= 0; }

  /// -1, 0 or 1 as a <, ==, > b numerically; exact for any two scales in 0..18.
  static int compare(Fixed a, Fixed b) noexcept {
    using fixed_detail::i128;
    if (a.scale == b.scale) return a.raw < b.raw ? -1 : (a.raw > b.raw ? 1 : 0);
    const int s = a.scale > b.scale ? a.scale : b.scale;
    const i128 x = static_cast<i128>(a.raw) * pow10_i64(s - a.scale);  // |x| < 2^63 * 10^18
    const i128 y = static_cast<i128>(b.raw) * pow10_i64(s - b.scale);
    return x < y ? -1 : (x > y ? 1 : 0);
  }

 private:
  static void require_same_scale(Fixed a, Fixed b, const char* what) {
    if (a.scale != b.scale) throw std::invalid_argument(what);
  }
};

struct PriceTag {};
struct QuantityTag {};
struct MoneyTag {};
/// A price in quote currency at th_instrument.price_scale.
using Price = Fixed<PriceTag>;
/// A quantity in base asset at th_instrument.qty_scale.
using Quantity = Fixed<QuantityTag>;
/// Account money in quote currency, normally at TH_MONEY_SCALE (8).
using Money = Fixed<MoneyTag>;

/// price * qty at out_scale, rounded once as `r` (see the free notional()). Throws
/// std::invalid_argument on a bad scale or an inexact Exact, std::overflow_error when the result
/// does not fit int64.
inline Money notional(Price price, Quantity qty, int out_scale, Rounding r) {
  int64_t v = 0;
  if (notional(price.raw, price.scale, qty.raw, qty.scale, out_scale, r, v))
    return Money(v, out_scale);
  if (!fixed_detail::valid_scale(out_scale) || !fixed_detail::valid_scale(price.scale) ||
      !fixed_detail::valid_scale(qty.scale))
    throw std::invalid_argument("notional: scale is outside 0..18");
  if (r == Rounding::Exact &&
      notional(price.raw, price.scale, qty.raw, qty.scale, out_scale, Rounding::Down, v))
    throw std::invalid_argument("notional: result has more decimals than out_scale allows");
  throw std::overflow_error("notional: result overflows int64");
}

}  // namespace tradehost

#endif  // TRADEHOST_FIXED_HPP
