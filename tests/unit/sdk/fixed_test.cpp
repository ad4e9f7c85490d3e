// Unit tests for tradehost/fixed.hpp. Every expected value is worked out by hand in the comment
// next to it (or is a documented limit such as INT64_MAX); none was produced by the code under
// test.
#include <tradehost/fixed.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace {

using tradehost::Rounding;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();  //  9223372036854775807
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();  // -9223372036854775808

// parse_fixed() that must succeed; returns the raw value.
int64_t parse_ok(std::string_view text, int scale, Rounding r = Rounding::Exact) {
  int64_t out = 0;
  std::string err;
  EXPECT_TRUE(tradehost::parse_fixed(text, scale, out, &err, r))
      << "text=\"" << text << "\" scale=" << scale << " error=" << err;
  return out;
}

// parse_fixed() that must fail; returns the error message and checks `out` was left alone.
std::string parse_err(std::string_view text, int scale, Rounding r = Rounding::Exact) {
  int64_t out = 777;
  std::string err;
  EXPECT_FALSE(tradehost::parse_fixed(text, scale, out, &err, r))
      << "text=\"" << text << "\" scale=" << scale << " parsed as " << out;
  EXPECT_EQ(out, 777);
  EXPECT_FALSE(err.empty());
  return err;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Pow10, CoversEveryScaleAndRejectsOthers) {
  EXPECT_EQ(tradehost::pow10_i64(0), 1);
  EXPECT_EQ(tradehost::pow10_i64(1), 10);
  EXPECT_EQ(tradehost::pow10_i64(8), 100000000);
  EXPECT_EQ(tradehost::pow10_i64(18), 1000000000000000000);
  EXPECT_EQ(tradehost::pow10_i64(19), 0);  // 10^19 > INT64_MAX
  EXPECT_EQ(tradehost::pow10_i64(-1), 0);
  static_assert(tradehost::pow10_i64(3) == 1000, "usable in constant expressions");
}

TEST(ParseFixed, PlainDecimalsAtEveryScale) {
  // 42 raw units at scale s is 42 / 10^s.
  EXPECT_EQ(parse_ok("42", 0), 42);
  EXPECT_EQ(parse_ok("4.2", 1), 42);
  EXPECT_EQ(parse_ok("0.42", 2), 42);
  EXPECT_EQ(parse_ok("0.042", 3), 42);
  EXPECT_EQ(parse_ok("0.0042", 4), 42);
  EXPECT_EQ(parse_ok("0.00042", 5), 42);
  EXPECT_EQ(parse_ok("0.000042", 6), 42);
  EXPECT_EQ(parse_ok("0.0000042", 7), 42);
  EXPECT_EQ(parse_ok("0.00000042", 8), 42);
  // Fewer decimals than the scale are padded: 16727.3 at scale 2 = 1672730.
  EXPECT_EQ(parse_ok("16727.3", 2), 1672730);
  EXPECT_EQ(parse_ok("16727.30", 2), 1672730);
  EXPECT_EQ(parse_ok("1", 8), 100000000);
  EXPECT_EQ(parse_ok("12.345678", 6), 12345678);
  EXPECT_EQ(parse_ok("0.000000000000000001", 18), 1);
}

TEST(ParseFixed, SignsLeadingZerosAndBarePoints) {
  EXPECT_EQ(parse_ok("-0.05", 2), -5);
  EXPECT_EQ(parse_ok("+1.5", 1), 15);
  EXPECT_EQ(parse_ok("-0", 0), 0);
  EXPECT_EQ(parse_ok("-0.00", 2), 0);
  EXPECT_EQ(parse_ok("007.50", 2), 750);
  EXPECT_EQ(parse_ok("000000000000000000000000000000000000001", 0), 1);  // 38 zeros: no overflow
  EXPECT_EQ(parse_ok("5.", 0), 5);
  EXPECT_EQ(parse_ok(".5", 1), 5);
  EXPECT_EQ(parse_ok("-.25", 2), -25);
}

TEST(ParseFixed, ExtraDecimalsMustBeZerosUnderExact) {
  EXPECT_EQ(parse_ok("0.10", 1), 1);          // trailing zero is not a lost digit
  EXPECT_EQ(parse_ok("1.500000000", 2), 150);
  const std::string err = parse_err("0.15", 1);  // the 5 would be lost
  EXPECT_TRUE(contains(err, "more decimals than scale 1 allows")) << err;
  EXPECT_TRUE(contains(err, "\"0.15\"")) << err;
  parse_err("0.001", 2);
  parse_err("-1.0000000001", 8);
}

TEST(ParseFixed, ExponentForms) {
  EXPECT_EQ(parse_ok("1e-5", 8), 1000);      // 0.00001 * 10^8
  EXPECT_EQ(parse_ok("1.5E+3", 0), 1500);
  EXPECT_EQ(parse_ok("1.5e3", 2), 150000);   // 1500.00
  EXPECT_EQ(parse_ok("2.5e-1", 2), 25);      // 0.25
  EXPECT_EQ(parse_ok("-1.25E1", 1), -125);   // -12.5
  EXPECT_EQ(parse_ok("1E0", 0), 1);
  EXPECT_EQ(parse_ok("123e-2", 2), 123);     // 1.23
  EXPECT_EQ(parse_ok("0.0001e4", 0), 1);
  EXPECT_EQ(parse_ok("0e999999999", 2), 0);  // zero mantissa: huge exponent is still 0
  EXPECT_EQ(parse_ok("1e-999999999", 8, Rounding::Down), 0);
  EXPECT_EQ(parse_ok("1e-999999999", 8, Rounding::Ceil), 1);  // any positive residue rounds up
  // 1e-9 at scale 8 is 0.1 raw units: inexact.
  EXPECT_TRUE(contains(parse_err("1e-9", 8), "more decimals"));
  EXPECT_EQ(parse_ok("1e-9", 8, Rounding::HalfUp), 0);
  EXPECT_TRUE(contains(parse_err("1e999999999", 0), "overflow"));
  EXPECT_TRUE(contains(parse_err("1e19", 0), "overflow"));
  EXPECT_EQ(parse_ok("9.223372036854775807e18", 0), kMax);
}

TEST(ParseFixed, Int64Limits) {
  EXPECT_EQ(parse_ok("9223372036854775807", 0), kMax);
  EXPECT_EQ(parse_ok("-9223372036854775808", 0), kMin);
  EXPECT_EQ(parse_ok("92233720368.54775807", 8), kMax);
  EXPECT_EQ(parse_ok("-92233720368.54775808", 8), kMin);
  EXPECT_EQ(parse_ok("9.223372036854775807", 18), kMax);
  EXPECT_TRUE(contains(parse_err("9223372036854775808", 0), "overflow"));
  EXPECT_TRUE(contains(parse_err("-9223372036854775809", 0), "overflow"));
  EXPECT_TRUE(contains(parse_err("92233720368.54775808", 8), "overflow"));
  EXPECT_TRUE(contains(parse_err("10", 18), "overflow"));  // 10 * 10^18 > INT64_MAX
  EXPECT_TRUE(contains(parse_err("99999999999999999999999999", 0), "overflow"));
  // Rounding up past the limit is an overflow too; rounding down stays at the limit.
  EXPECT_TRUE(contains(parse_err("9223372036854775807.5", 0, Rounding::HalfUp), "overflow"));
  EXPECT_EQ(parse_ok("9223372036854775807.5", 0, Rounding::Down), kMax);
  EXPECT_EQ(parse_ok("-9223372036854775808.9", 0, Rounding::Ceil), kMin);
}

TEST(ParseFixed, GarbageIsRejectedWithTheTextInTheMessage) {
  EXPECT_TRUE(contains(parse_err("", 2), "empty"));
  const char* garbage[] = {"abc", "1.2.3", "--1", " 1", "1 ", "+", "-", ".", "1,000", "0x10",
                           "nan", "inf", "1e", "1e+", "1e5.5", "1.5e", "e5", "++1", "1-", "\t1"};
  for (const char* text : garbage) {
    const std::string err = parse_err(text, 2);
    EXPECT_TRUE(contains(err, std::string("\"") + text + "\"")) << err;
  }
  EXPECT_TRUE(contains(parse_err(" 1", 0), "offset 0")) << parse_err(" 1", 0);
  EXPECT_TRUE(contains(parse_err("1.2.3", 2), "'.' at offset 3")) << parse_err("1.2.3", 2);
  EXPECT_TRUE(contains(parse_err("--1", 0), "'-' at offset 1"));
  EXPECT_TRUE(contains(parse_err("-", 0), "no digits"));
  EXPECT_TRUE(contains(parse_err("1e", 0), "exponent has no digits"));
  // A huge field is quoted only in part.
  const std::string huge(10000, 'x');
  EXPECT_LT(parse_err(huge, 0).size(), 200u);
}

TEST(ParseFixed, BadScaleAndNullErrorPointer) {
  int64_t out = 5;
  EXPECT_FALSE(tradehost::parse_fixed("1", 19, out));
  EXPECT_FALSE(tradehost::parse_fixed("1", -1, out));
  EXPECT_FALSE(tradehost::parse_fixed("x", 2, out));  // no error pointer: still just false
  EXPECT_EQ(out, 5);
  std::string err = "untouched";
  EXPECT_TRUE(tradehost::parse_fixed("1.25", 2, out, &err));
  EXPECT_EQ(out, 125);
  EXPECT_EQ(err, "untouched");  // success does not write the error string
}

// Rounding of the dropped digits, worked by hand for ties (x.5, x.25) and non-ties.
TEST(ParseFixed, RoundingModesOnTiesAndNonTies) {
  struct Case {
    const char* text;
    int scale;
    int64_t down, floor, ceil, half_even, half_up;
  };
  const Case cases[] = {
      // text      scale down floor ceil  h-even h-up
      {"2.5", 0, 2, 2, 3, 2, 3},          // tie, 2 is even
      {"3.5", 0, 3, 3, 4, 4, 4},          // tie, 3 is odd
      {"-2.5", 0, -2, -3, -2, -2, -3},    // HalfUp goes away from zero
      {"-3.5", 0, -3, -4, -3, -4, -4},
      {"0.5", 0, 0, 0, 1, 0, 1},
      {"-0.5", 0, 0, -1, 0, 0, -1},
      {"2.25", 1, 22, 22, 23, 22, 23},    // tie at scale 1, 22 even
      {"-2.25", 1, -22, -23, -22, -22, -23},
      {"2.35", 1, 23, 23, 24, 24, 24},    // tie, 23 odd
      {"2.251", 1, 22, 22, 23, 23, 23},   // above the tie
      {"2.2500", 1, 22, 22, 23, 22, 23},  // trailing zeros keep it a tie
      {"2.249", 1, 22, 22, 23, 22, 22},   // below the tie
      {"-2.249", 1, -22, -23, -22, -22, -22},
      {"1.29", 1, 12, 12, 13, 13, 13},
      {"-1.21", 1, -12, -13, -12, -12, -12},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(parse_ok(c.text, c.scale, Rounding::Down), c.down);
    EXPECT_EQ(parse_ok(c.text, c.scale, Rounding::Floor), c.floor);
    EXPECT_EQ(parse_ok(c.text, c.scale, Rounding::Ceil), c.ceil);
    EXPECT_EQ(parse_ok(c.text, c.scale, Rounding::HalfEven), c.half_even);
    EXPECT_EQ(parse_ok(c.text, c.scale, Rounding::HalfUp), c.half_up);
    parse_err(c.text, c.scale, Rounding::Exact);
  }
}

TEST(FormatFixed, ExactlyScaleDecimals) {
  EXPECT_EQ(tradehost::format_fixed(1672730, 2), "16727.30");
  EXPECT_EQ(tradehost::format_fixed(-5, 2), "-0.05");
  EXPECT_EQ(tradehost::format_fixed(5, 0), "5");
  EXPECT_EQ(tradehost::format_fixed(0, 0), "0");
  EXPECT_EQ(tradehost::format_fixed(0, 3), "0.000");
  EXPECT_EQ(tradehost::format_fixed(123, 8), "0.00000123");
  EXPECT_EQ(tradehost::format_fixed(-100000000, 8), "-1.00000000");
  EXPECT_EQ(tradehost::format_fixed(kMax, 0), "9223372036854775807");
  EXPECT_EQ(tradehost::format_fixed(kMin, 0), "-9223372036854775808");
  EXPECT_EQ(tradehost::format_fixed(kMin, 18), "-9.223372036854775808");
  EXPECT_EQ(tradehost::format_fixed(kMax, 8), "92233720368.54775807");
  EXPECT_EQ(tradehost::format_fixed(-1, 18), "-0.000000000000000001");  // the longest: 21 chars
  EXPECT_EQ(tradehost::format_fixed(-1, 18).size(), tradehost::kFixedTextMax);
  EXPECT_THROW(tradehost::format_fixed(1, 19), std::invalid_argument);
}

TEST(FormatFixed, Trimmed) {
  EXPECT_EQ(tradehost::format_fixed_trimmed(1672730, 2), "16727.3");
  EXPECT_EQ(tradehost::format_fixed_trimmed(500, 2), "5");
  EXPECT_EQ(tradehost::format_fixed_trimmed(100, 0), "100");  // integer zeros stay
  EXPECT_EQ(tradehost::format_fixed_trimmed(-50, 2), "-0.5");
  EXPECT_EQ(tradehost::format_fixed_trimmed(0, 8), "0");
  EXPECT_EQ(tradehost::format_fixed_trimmed(1000000, 8), "0.01");
  EXPECT_EQ(tradehost::format_fixed_trimmed(kMin, 18), "-9.223372036854775808");
  EXPECT_THROW(tradehost::format_fixed_trimmed(1, -1), std::invalid_argument);
}

TEST(FormatFixed, ToBufferReportsLengthAndNeverOverruns) {
  char buf[32];
  std::fill(std::begin(buf), std::end(buf), '#');
  EXPECT_EQ(tradehost::format_fixed_to(buf, sizeof buf, -5, 2), 5u);
  EXPECT_EQ(std::string(buf, 5), "-0.05");
  EXPECT_EQ(buf[5], '#');  // no NUL, nothing past the text

  std::fill(std::begin(buf), std::end(buf), '#');
  EXPECT_EQ(tradehost::format_fixed_to(buf, 7, 1672730, 2), 8u);  // needs 8: nothing written
  EXPECT_EQ(buf[0], '#');
  EXPECT_EQ(tradehost::format_fixed_to(buf, 8, 1672730, 2), 8u);
  EXPECT_EQ(std::string(buf, 8), "16727.30");
  EXPECT_EQ(tradehost::format_fixed_to(buf, sizeof buf, 1, 19), 0u);  // bad scale
}

TEST(FormatFixed, RoundTripsThroughParseAtEveryScale) {
  const int64_t values[] = {0, 1, -1, 5, -5, 10, 123456789, -987654321012, kMax, kMin, kMax - 1,
                            kMin + 1};
  for (int scale = 0; scale <= 18; ++scale) {
    for (int64_t v : values) {
      SCOPED_TRACE(testing::Message() << "v=" << v << " scale=" << scale);
      EXPECT_EQ(parse_ok(tradehost::format_fixed(v, scale), scale), v);
      EXPECT_EQ(parse_ok(tradehost::format_fixed_trimmed(v, scale), scale), v);
    }
  }
}

TEST(MulDiv, RoundsOnceAndExactly) {
  int64_t out = 0;
  // 10 * 3 / 4 = 7.5
  ASSERT_TRUE(tradehost::mul_div(10, 3, 4, Rounding::Down, out));
  EXPECT_EQ(out, 7);
  ASSERT_TRUE(tradehost::mul_div(10, 3, 4, Rounding::Floor, out));
  EXPECT_EQ(out, 7);
  ASSERT_TRUE(tradehost::mul_div(10, 3, 4, Rounding::Ceil, out));
  EXPECT_EQ(out, 8);
  ASSERT_TRUE(tradehost::mul_div(10, 3, 4, Rounding::HalfEven, out));
  EXPECT_EQ(out, 8);  // 7 is odd -> 8
  ASSERT_TRUE(tradehost::mul_div(10, 3, 4, Rounding::HalfUp, out));
  EXPECT_EQ(out, 8);
  EXPECT_FALSE(tradehost::mul_div(10, 3, 4, Rounding::Exact, out));
  // -10 * 3 / 4 = -7.5
  ASSERT_TRUE(tradehost::mul_div(-10, 3, 4, Rounding::Down, out));
  EXPECT_EQ(out, -7);
  ASSERT_TRUE(tradehost::mul_div(-10, 3, 4, Rounding::Floor, out));
  EXPECT_EQ(out, -8);
  ASSERT_TRUE(tradehost::mul_div(-10, 3, 4, Rounding::Ceil, out));
  EXPECT_EQ(out, -7);
  ASSERT_TRUE(tradehost::mul_div(-10, 3, 4, Rounding::HalfEven, out));
  EXPECT_EQ(out, -8);
  ASSERT_TRUE(tradehost::mul_div(-10, 3, 4, Rounding::HalfUp, out));
  EXPECT_EQ(out, -8);
  // 10 / 4 = 2.5: HalfEven keeps the even 2, HalfUp goes to 3.
  ASSERT_TRUE(tradehost::mul_div(10, 1, 4, Rounding::HalfEven, out));
  EXPECT_EQ(out, 2);
  ASSERT_TRUE(tradehost::mul_div(10, 1, 4, Rounding::HalfUp, out));
  EXPECT_EQ(out, 3);
  // 9 / 4 = 2.25 and the sign comes from both operands: -9 / -4 = +2.25, 9 / -4 = -2.25.
  ASSERT_TRUE(tradehost::mul_div(-9, 1, -4, Rounding::Floor, out));
  EXPECT_EQ(out, 2);
  ASSERT_TRUE(tradehost::mul_div(-9, 1, -4, Rounding::Ceil, out));
  EXPECT_EQ(out, 3);
  ASSERT_TRUE(tradehost::mul_div(9, 1, -4, Rounding::Floor, out));
  EXPECT_EQ(out, -3);
  ASSERT_TRUE(tradehost::mul_div(9, 1, -4, Rounding::HalfUp, out));
  EXPECT_EQ(out, -2);
  ASSERT_TRUE(tradehost::mul_div(12, 5, 3, Rounding::Exact, out));
  EXPECT_EQ(out, 20);
}

TEST(MulDiv, Uses128BitIntermediatesAndReportsOverflow) {
  int64_t out = 0;
  // (2^63 - 1)^2 / (2^63 - 1): the product needs 126 bits, the result fits.
  ASSERT_TRUE(tradehost::mul_div(kMax, kMax, kMax, Rounding::Exact, out));
  EXPECT_EQ(out, kMax);
  // 3 * 10^18 * 4 / 2 = 6 * 10^18 < INT64_MAX although 3e18 * 4 = 1.2e19 does not fit int64.
  ASSERT_TRUE(tradehost::mul_div(3000000000000000000, 4, 2, Rounding::Exact, out));
  EXPECT_EQ(out, 6000000000000000000);
  out = 42;
  EXPECT_FALSE(tradehost::mul_div(kMax, 2, 1, Rounding::Down, out));   // 2^64 - 2
  EXPECT_FALSE(tradehost::mul_div(kMin, -1, 1, Rounding::Down, out));  // 2^63
  EXPECT_FALSE(tradehost::mul_div(1, 1, 0, Rounding::Down, out));      // division by zero
  EXPECT_EQ(out, 42);
  ASSERT_TRUE(tradehost::mul_div(kMin, 1, 1, Rounding::Exact, out));
  EXPECT_EQ(out, kMin);
}

TEST(Rescale, UpIsExactDownRounds) {
  int64_t out = 0;
  ASSERT_TRUE(tradehost::rescale(1672730, 2, 4, Rounding::Exact, out));  // 16727.30 -> 16727.3000
  EXPECT_EQ(out, 167273000);
  // 1.2345 (scale 4) -> scale 2: 123.45 hundredths, below the tie.
  ASSERT_TRUE(tradehost::rescale(12345, 4, 2, Rounding::HalfEven, out));
  EXPECT_EQ(out, 123);
  ASSERT_TRUE(tradehost::rescale(12345, 4, 2, Rounding::Ceil, out));
  EXPECT_EQ(out, 124);
  EXPECT_FALSE(tradehost::rescale(12345, 4, 2, Rounding::Exact, out));
  // 1.2350 -> 123.5 hundredths (tie; 123 odd -> 124); 1.2250 -> 122.5 (122 even stays).
  ASSERT_TRUE(tradehost::rescale(12350, 4, 2, Rounding::HalfEven, out));
  EXPECT_EQ(out, 124);
  ASSERT_TRUE(tradehost::rescale(12250, 4, 2, Rounding::HalfEven, out));
  EXPECT_EQ(out, 122);
  ASSERT_TRUE(tradehost::rescale(12250, 4, 2, Rounding::HalfUp, out));
  EXPECT_EQ(out, 123);
  ASSERT_TRUE(tradehost::rescale(-12250, 4, 2, Rounding::Floor, out));
  EXPECT_EQ(out, -123);
  ASSERT_TRUE(tradehost::rescale(12300, 4, 2, Rounding::Exact, out));  // only zeros dropped
  EXPECT_EQ(out, 123);
  out = 9;
  EXPECT_FALSE(tradehost::rescale(kMax, 0, 1, Rounding::Exact, out));  // overflow
  EXPECT_FALSE(tradehost::rescale(1, 0, 19, Rounding::Exact, out));     // bad scale
  EXPECT_FALSE(tradehost::rescale(1, -1, 0, Rounding::Exact, out));
  EXPECT_EQ(out, 9);
  ASSERT_TRUE(tradehost::rescale(kMin, 18, 0, Rounding::Floor, out));  // -9.22... -> -10
  EXPECT_EQ(out, -10);
}

TEST(Notional, PriceTimesQuantityAtMoneyScale) {
  int64_t out = 0;
  // 16727.3 (raw 167273, scale 1) x 0.00150 (raw 150, scale 5):
  // 167273 * 150 = 25090950 at scale 6 = 25.090950; at scale 8 -> 2509095000.
  ASSERT_TRUE(tradehost::notional(167273, 1, 150, 5, 8, Rounding::Exact, out));
  EXPECT_EQ(out, 2509095000);
  // 25.09095 at scale 4: 250909.5 -> tie. HalfEven: 250909 is odd -> 250910. Down -> 250909.
  ASSERT_TRUE(tradehost::notional(167273, 1, 150, 5, 4, Rounding::HalfEven, out));
  EXPECT_EQ(out, 250910);
  ASSERT_TRUE(tradehost::notional(167273, 1, 150, 5, 4, Rounding::Down, out));
  EXPECT_EQ(out, 250909);
  // At scale 2: 2509.095 -> below the tie for HalfEven/HalfUp, Ceil goes up.
  ASSERT_TRUE(tradehost::notional(167273, 1, 150, 5, 2, Rounding::HalfUp, out));
  EXPECT_EQ(out, 2509);
  ASSERT_TRUE(tradehost::notional(167273, 1, 150, 5, 2, Rounding::Ceil, out));
  EXPECT_EQ(out, 2510);
  EXPECT_FALSE(tradehost::notional(167273, 1, 150, 5, 2, Rounding::Exact, out));
  // Sell side: a negative quantity gives a negative notional, Floor goes further from zero.
  ASSERT_TRUE(tradehost::notional(167273, 1, -150, 5, 2, Rounding::Floor, out));
  EXPECT_EQ(out, -2510);
  // Scales 18 + 18 = 36 > 18: 1.0 x 1.0 = 10^36 at scale 36 -> 1 at scale 0.
  ASSERT_TRUE(tradehost::notional(1000000000000000000, 18, 1000000000000000000, 18, 0,
                                  Rounding::Exact, out));
  EXPECT_EQ(out, 1);
  out = 3;
  EXPECT_FALSE(tradehost::notional(kMax, 0, 10, 0, 0, Rounding::Exact, out));  // overflow
  EXPECT_FALSE(tradehost::notional(kMax, 0, 1, 0, 1, Rounding::Exact, out));   // x10 overflows
  EXPECT_FALSE(tradehost::notional(1, 0, 1, 0, 19, Rounding::Exact, out));     // bad scale
  EXPECT_EQ(out, 3);
}

TEST(CheckedArithmetic, DetectsOverflow) {
  int64_t out = 0;
  ASSERT_TRUE(tradehost::checked_add(kMax - 1, 1, out));
  EXPECT_EQ(out, kMax);
  EXPECT_FALSE(tradehost::checked_add(kMax, 1, out));
  EXPECT_FALSE(tradehost::checked_add(kMin, -1, out));
  ASSERT_TRUE(tradehost::checked_sub(kMin + 1, 1, out));
  EXPECT_EQ(out, kMin);
  EXPECT_FALSE(tradehost::checked_sub(kMin, 1, out));
  EXPECT_FALSE(tradehost::checked_sub(0, kMin, out));  // -(-2^63) = 2^63
  const int64_t two32 = int64_t{1} << 32, two31 = int64_t{1} << 31;
  EXPECT_FALSE(tradehost::checked_mul(two32, two31, out));  // 2^63
  ASSERT_TRUE(tradehost::checked_mul(-two32, two31, out));  // -2^63 fits
  EXPECT_EQ(out, kMin);
}

TEST(RoundToStep, LotSizeFlooringAndTickRounding) {
  // Lot size 0.001 at qty_scale 5 is step 100; qty 0.12345 is raw 12345.
  EXPECT_EQ(tradehost::round_to_step(12345, 100, Rounding::Floor), 12300);
  EXPECT_EQ(tradehost::round_to_step(12345, 100, Rounding::Down), 12300);
  EXPECT_EQ(tradehost::round_to_step(12345, 100, Rounding::Ceil), 12400);
  EXPECT_EQ(tradehost::round_to_step(12345, 100, Rounding::HalfEven), 12300);  // 0.45 step
  EXPECT_EQ(tradehost::round_to_step(-12345, 100, Rounding::Floor), -12400);
  EXPECT_EQ(tradehost::round_to_step(-12345, 100, Rounding::Down), -12300);
  EXPECT_EQ(tradehost::round_to_step(99, 100, Rounding::Floor), 0);  // below one lot
  // Tick 0.10 at price_scale 2 is step 10. 16727.35 -> tie between 16727.30 and 16727.40;
  // HalfEven picks the even multiple 1672740 (167274 * 10), 16727.25 goes to 1672720.
  EXPECT_EQ(tradehost::round_to_step(1672735, 10, Rounding::HalfEven), 1672740);
  EXPECT_EQ(tradehost::round_to_step(1672725, 10, Rounding::HalfEven), 1672720);
  EXPECT_EQ(tradehost::round_to_step(1672725, 10, Rounding::HalfUp), 1672730);
  EXPECT_EQ(tradehost::round_to_step(1672730, 10, Rounding::Exact), 1672730);

  int64_t out = 11;
  EXPECT_FALSE(tradehost::round_to_step(1672735, 10, Rounding::Exact, out));
  EXPECT_FALSE(tradehost::round_to_step(5, 0, Rounding::Floor, out));
  EXPECT_FALSE(tradehost::round_to_step(5, -10, Rounding::Floor, out));
  EXPECT_FALSE(tradehost::round_to_step(kMax, 10, Rounding::Ceil, out));  // past INT64_MAX
  EXPECT_EQ(out, 11);
  ASSERT_TRUE(tradehost::round_to_step(kMax, 10, Rounding::Floor, out));
  EXPECT_EQ(out, 9223372036854775800);

  EXPECT_THROW(tradehost::round_to_step(1672735, 10, Rounding::Exact), std::invalid_argument);
  EXPECT_THROW(tradehost::round_to_step(5, 0, Rounding::Floor), std::invalid_argument);
  EXPECT_THROW(tradehost::round_to_step(kMax, 10, Rounding::Ceil), std::overflow_error);
}

TEST(IsMultipleOf, Basics) {
  EXPECT_TRUE(tradehost::is_multiple_of(12300, 100));
  EXPECT_FALSE(tradehost::is_multiple_of(12345, 100));
  EXPECT_TRUE(tradehost::is_multiple_of(-300, 100));
  EXPECT_TRUE(tradehost::is_multiple_of(0, 7));
  EXPECT_FALSE(tradehost::is_multiple_of(5, 0));
  EXPECT_FALSE(tradehost::is_multiple_of(5, -5));
  EXPECT_TRUE(tradehost::is_multiple_of(kMin, 2));
}

// ---- Typed values ----------------------------------------------------------------------------

template <class A, class B, class = void>
struct CanAdd : std::false_type {};
template <class A, class B>
struct CanAdd<A, B, std::void_t<decltype(std::declval<A>() + std::declval<B>())>>
    : std::true_type {};
template <class A, class B, class = void>
struct CanCompare : std::false_type {};
template <class A, class B>
struct CanCompare<A, B, std::void_t<decltype(std::declval<A>() < std::declval<B>())>>
    : std::true_type {};

static_assert(CanAdd<tradehost::Price, tradehost::Price>::value, "same tag adds");
static_assert(!CanAdd<tradehost::Price, tradehost::Quantity>::value, "price + qty: no");
static_assert(!CanAdd<tradehost::Money, tradehost::Price>::value, "money + price: no");
static_assert(!CanCompare<tradehost::Price, tradehost::Quantity>::value, "no cross-tag compare");
static_assert(!std::is_convertible<tradehost::Price, tradehost::Quantity>::value, "no conversion");

TEST(FixedType, ParseFormatAndDouble) {
  const tradehost::Price p = tradehost::Price::parse("16727.3", 1);
  EXPECT_EQ(p.raw, 167273);
  EXPECT_EQ(p.scale, 1);
  EXPECT_EQ(p.to_string(), "16727.3");
  EXPECT_DOUBLE_EQ(p.to_double(), 16727.3);
  EXPECT_EQ(tradehost::Quantity::parse("0.00150", 5).to_string(), "0.00150");
  try {
    tradehost::Price::parse("0.15", 1);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(contains(e.what(), "more decimals than scale 1 allows")) << e.what();
  }
  EXPECT_THROW(tradehost::Price::parse("abc", 2), std::invalid_argument);
  EXPECT_EQ(tradehost::Price::parse("0.15", 1, Rounding::HalfEven).raw, 2);  // 1.5 -> 2
  EXPECT_THROW(tradehost::Price(1, 19), std::invalid_argument);
  EXPECT_THROW(tradehost::Price(1, -1), std::invalid_argument);
}

TEST(FixedType, ComparisonsAreNumericAcrossScales) {
  using tradehost::Price;
  EXPECT_TRUE(Price(15, 1) == Price(150, 2));  // 1.5 == 1.50
  EXPECT_FALSE(Price(15, 1) != Price(150, 2));
  EXPECT_TRUE(Price(15, 1) < Price(151, 2));   // 1.5 < 1.51
  EXPECT_TRUE(Price(151, 2) > Price(15, 1));
  EXPECT_TRUE(Price(15, 1) <= Price(150, 2));
  EXPECT_TRUE(Price(15, 1) >= Price(150, 2));
  EXPECT_TRUE(Price(-1, 0) < Price(0, 18));
  EXPECT_TRUE(Price(-1, 18) < Price(0, 0));
  // Extremes: INT64_MAX at scale 0 (9.2e18) vs INT64_MAX at scale 18 (9.2); no overflow.
  EXPECT_TRUE(Price(kMax, 0) > Price(kMax, 18));
  EXPECT_TRUE(Price(kMin, 0) < Price(kMin, 18));
  EXPECT_TRUE(Price(1, 0) == Price(1000000000000000000, 18));
  EXPECT_TRUE(Price(3, 2) < Price(4, 2));
}

TEST(FixedType, CheckedAdditionAndSubtraction) {
  using tradehost::Money;
  const Money a(150, 2), b(275, 2);  // 1.50, 2.75
  EXPECT_EQ((a + b).raw, 425);
  EXPECT_EQ((a - b).raw, -125);
  EXPECT_EQ((-a).raw, -150);
  Money c = a;
  c += b;
  c -= a;
  EXPECT_EQ(c.raw, 275);
  EXPECT_EQ(c.scale, 2);
  EXPECT_THROW(a + Money(1, 3), std::invalid_argument);
  EXPECT_THROW(a - Money(1, 3), std::invalid_argument);
  EXPECT_THROW(Money(kMax, 2) + Money(1, 2), std::overflow_error);
  EXPECT_THROW(Money(kMin, 2) - Money(1, 2), std::overflow_error);
  EXPECT_THROW(-Money(kMin, 2), std::overflow_error);
}

TEST(FixedType, Rescaled) {
  const tradehost::Price p(12350, 4);  // 1.2350
  EXPECT_EQ(p.rescaled(2, Rounding::HalfEven).raw, 124);
  EXPECT_EQ(p.rescaled(6).raw, 1235000);
  EXPECT_THROW(p.rescaled(2), std::invalid_argument);  // Exact would drop the 5
  EXPECT_THROW(p.rescaled(19), std::invalid_argument);
  EXPECT_THROW(tradehost::Price(kMax, 0).rescaled(1), std::overflow_error);
}

TEST(FixedType, NotionalOfPriceAndQuantity) {
  const tradehost::Money m = tradehost::notional(tradehost::Price(167273, 1),
                                                 tradehost::Quantity(150, 5), 8, Rounding::Exact);
  EXPECT_EQ(m.raw, 2509095000);  // 25.09095000, as worked out in Notional above
  EXPECT_EQ(m.scale, 8);
  EXPECT_EQ(m.to_string(), "25.09095000");
  EXPECT_THROW(tradehost::notional(tradehost::Price(167273, 1), tradehost::Quantity(150, 5), 2,
                                   Rounding::Exact),
               std::invalid_argument);
  EXPECT_THROW(tradehost::notional(tradehost::Price(kMax, 0), tradehost::Quantity(2, 0), 0,
                                   Rounding::Exact),
               std::overflow_error);
}

}  // namespace
