#include "report/iso8601.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace tradehost::report {
namespace {

constexpr int64_t kS = 1'000'000'000;
// 2023-01-01T00:00:00Z: 53 years after 1970 with 13 leap days (1972..2020) ->
// (53 * 365 + 13) * 86400 = 19358 * 86400 = 1,672,531,200 s
constexpr int64_t k20230101 = 1'672'531'200 * kS;
// 2023-01-02T16:45:00Z = 2023-01-01 + 86400 + 16 * 3600 + 45 * 60 = 1,672,677,900 s
constexpr int64_t k20230102_1645 = 1'672'677'900 * kS;

int64_t parse_ok(std::string_view text) {
  int64_t ns = -42;
  std::string err;
  EXPECT_TRUE(parse_iso8601_utc(text, ns, &err)) << text << ": " << err;
  return ns;
}

void expect_rejected(std::string_view text) {
  int64_t ns = 7;
  std::string err;
  EXPECT_FALSE(parse_iso8601_utc(text, ns, &err)) << text;
  EXPECT_EQ(ns, 7) << "unchanged on failure: " << text;
  EXPECT_FALSE(err.empty()) << text;
}

TEST(Iso8601, Formats) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso8601_utc(k20230101), "2023-01-01T00:00:00Z");
  EXPECT_EQ(iso8601_utc(k20230102_1645), "2023-01-02T16:45:00Z");
  EXPECT_EQ(iso8601_utc(k20230102_1645 + 500'000'000), "2023-01-02T16:45:00.5Z");
  EXPECT_EQ(iso8601_utc(k20230102_1645 + 1), "2023-01-02T16:45:00.000000001Z");
  // one ns before the epoch is the last ns of 1969, not 1970-01-01T00:00:00
  EXPECT_EQ(iso8601_utc(-1), "1969-12-31T23:59:59.999999999Z");
  // 2024-02-29 (leap day): 2023-01-01 + (365 + 31 + 28) days = 1,672,531,200 + 424 * 86400
  // = 1,709,164,800 s; + 12 h = 1,709,208,000 s
  EXPECT_EQ(iso8601_utc(1'709'208'000 * kS), "2024-02-29T12:00:00Z");
}

TEST(Iso8601, ParsesAcceptedForms) {
  EXPECT_EQ(parse_ok("2023-01-01"), k20230101);
  EXPECT_EQ(parse_ok("2023-01-02T16:45:00Z"), k20230102_1645);
  EXPECT_EQ(parse_ok("2023-01-02t16:45:00z"), k20230102_1645);
  EXPECT_EQ(parse_ok("2023-01-02T16:45:00"), k20230102_1645);
  EXPECT_EQ(parse_ok("2023-01-02 16:45:00"), k20230102_1645);
  EXPECT_EQ(parse_ok("2023-01-02T16:45"), k20230102_1645);
  EXPECT_EQ(parse_ok("2023-01-02T16:45:00+00:00"), k20230102_1645);
  // 18:45 at UTC+2 is 16:45 UTC; 11:45 at UTC-5 is 16:45 UTC
  EXPECT_EQ(parse_ok("2023-01-02T18:45:00+02:00"), k20230102_1645);
  EXPECT_EQ(parse_ok("2023-01-02T11:45:00-05:00"), k20230102_1645);
  EXPECT_EQ(parse_ok("2023-01-02T22:15:00+0530"), k20230102_1645);
  // an offset can move the date: 2023-01-02T00:30+01:00 is 2023-01-01T23:30Z
  EXPECT_EQ(parse_ok("2023-01-02T00:30:00+01:00"), k20230101 + (23 * 3600 + 30 * 60) * kS);
  EXPECT_EQ(parse_ok("2023-01-02T16:45:00.5Z"), k20230102_1645 + 500'000'000);
  EXPECT_EQ(parse_ok("2023-01-02T16:45:00.123Z"), k20230102_1645 + 123'000'000);
  EXPECT_EQ(parse_ok("2023-01-02T16:45:00.123456789Z"), k20230102_1645 + 123'456'789);
  EXPECT_EQ(parse_ok("2024-02-29T12:00:00Z"), 1'709'208'000 * kS);
  EXPECT_EQ(parse_ok("1969-12-31T23:59:59Z"), -kS);
}

TEST(Iso8601, Rejects) {
  expect_rejected("");
  expect_rejected("garbage");
  expect_rejected("2023-13-01");
  expect_rejected("2023-00-10");
  expect_rejected("2023-02-29");  // 2023 is not a leap year
  expect_rejected("2023-04-31");
  expect_rejected("2023-1-02");
  expect_rejected("2023-01-02T24:00:00Z");
  expect_rejected("2023-01-02T16:60:00Z");
  expect_rejected("2023-01-02T23:59:60Z");  // leap seconds do not exist in Unix time
  expect_rejected("2023-01-02T16:45:00.Z");
  expect_rejected("2023-01-02T16:45:00.1234567891Z");  // finer than 1 ns
  expect_rejected("2023-01-02T16:45:00ZZ");
  expect_rejected("2023-01-02T16:45:00+2");
  expect_rejected("2023-01-02T16:45:00+24:00");
  expect_rejected("2023-01-02X16:45:00");
  expect_rejected(" 2023-01-02");
  expect_rejected("2023-01-02 ");
  expect_rejected("2263-01-01");  // past the int64 ns range
  expect_rejected("1600-01-01");
  expect_rejected("2262-04-11T23:47:16.854775808Z");  // INT64_MAX + 1 ns

  std::string err;
  int64_t ns = 0;
  ASSERT_FALSE(parse_iso8601_utc("2023-13-01", ns, &err));
  EXPECT_NE(err.find("month 13"), std::string::npos) << err;
  EXPECT_FALSE(parse_iso8601_utc("garbage", ns, nullptr));  // err is optional
}

TEST(Iso8601, RoundTrips) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  // The int64 ns range ends are 2262-04-11T23:47:16.854775807Z and
  // 1677-09-21T00:12:43.145224192Z (the bounds numpy/pandas document for datetime64[ns]).
  EXPECT_EQ(iso8601_utc(kMax), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(iso8601_utc(kMin), "1677-09-21T00:12:43.145224192Z");
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, k20230101, k20230102_1645 + 123'456'789,
                    -86'400 * kS - 1, kMax, kMin, kMax - kS / 2, kMin + 1}) {
    const std::string text = iso8601_utc(v);
    EXPECT_EQ(parse_ok(text), v) << text;
  }
  for (std::string_view text :
       {"2023-01-02T16:45:00Z", "2000-02-29T00:00:00.25Z", "1999-12-31T23:59:59.999999999Z"}) {
    EXPECT_EQ(iso8601_utc(parse_ok(text)), text);
  }
}

}  // namespace
}  // namespace tradehost::report
