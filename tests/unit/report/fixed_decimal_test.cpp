#include "report/fixed_decimal.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "report/readable_numbers.hpp"

namespace tradehost::report {
namespace {

TEST(FixedDecimal, ExactMoneyText) {
  EXPECT_EQ(format_money(12'345'678'901), "123.45678901");
  EXPECT_EQ(format_money(-5'000'000), "-0.05000000");
  EXPECT_EQ(format_money(1), "0.00000001");
  EXPECT_EQ(format_money(0), "0.00000000");
  EXPECT_EQ(format_money(100'000'000), "1.00000000");
  // INT64_MIN = -9223372036854775808 -> 92233720368 whole units, .54775808
  EXPECT_EQ(format_money(std::numeric_limits<int64_t>::min()), "-92233720368.54775808");
  EXPECT_EQ(format_fixed(42, 0), "42");
  EXPECT_EQ(format_fixed(-1, 2), "-0.01");
  EXPECT_EQ(format_fixed(56810, 5), "0.56810");
  EXPECT_THROW(format_fixed(1, 19), std::invalid_argument);
}

TEST(ReadableNumbers, Counts) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(950), "950");
  EXPECT_EQ(format_count(12'345), "12.3K");
  EXPECT_EQ(format_count(123'456), "123K");
  EXPECT_EQ(format_count(1'200'000), "1.2M");
  EXPECT_EQ(format_count(999'999), "1.0M");
  EXPECT_EQ(format_count(4.1e9), "4.1G");
  EXPECT_EQ(format_count(-1), "n/a");
}

TEST(ReadableNumbers, ThousandsAndEta) {
  EXPECT_EQ(group_thousands(0), "0");
  EXPECT_EQ(group_thousands(999), "999");
  EXPECT_EQ(group_thousands(105'120), "105,120");
  EXPECT_EQ(group_thousands(-1'234), "-1,234");
  EXPECT_EQ(group_thousands(1'000'000), "1,000,000");
  EXPECT_EQ(format_eta(0), "0s");
  EXPECT_EQ(format_eta(0.2), "1s");      // rounded up: never promise "0s" early
  EXPECT_EQ(format_eta(125), "2m05s");   // 2 * 60 + 5
  EXPECT_EQ(format_eta(3725), "1h02m");  // 3600 + 2 * 60 + 5
  EXPECT_EQ(format_eta(-1), "?");
}

}  // namespace
}  // namespace tradehost::report
