#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "report/readable_numbers.hpp"

namespace tradehost::report {
namespace {

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
