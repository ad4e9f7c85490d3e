// parse_duration, is_decimal_literal and ${ENV} expansion.
#include <map>

#include <gtest/gtest.h>

#include "graph/env_interpolation.hpp"
#include "graph/literals.hpp"

namespace tradehost::graph {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TEST(ParseDuration, SingleUnits) {
  EXPECT_EQ(parse_duration("250ms"), 250'000'000);
  EXPECT_EQ(parse_duration("5s"), 5 * kSec);
  EXPECT_EQ(parse_duration("5m"), 300'000'000'000);        // 5 * 60 s
  EXPECT_EQ(parse_duration("1h"), 3'600'000'000'000);      // 60 * 60 s
  EXPECT_EQ(parse_duration("1d"), 86'400'000'000'000);     // 24 * 3600 s
  EXPECT_EQ(parse_duration("1w"), 604'800'000'000'000);    // 7 * 86400 s
  EXPECT_EQ(parse_duration("10ns"), 10);
  EXPECT_EQ(parse_duration("3us"), 3'000);
  EXPECT_EQ(parse_duration("0s"), 0);
}

TEST(ParseDuration, SumOfTerms) {
  EXPECT_EQ(parse_duration("1h30m"), 5'400 * kSec);
  EXPECT_EQ(parse_duration("1m500ms"), 60'500'000'000);
}

TEST(ParseDuration, RejectsMalformed) {
  for (const char* bad : {"", "5", "m", "5x", "-5m", "+5m", "1.5h", " 5m", "5m ", "5M", "5 m",
                          "5mm", "h1", "1h30"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

TEST(ParseDuration, RejectsOverflow) {
  // int64 max is about 9.22e18 ns = 292 years.
  EXPECT_EQ(parse_duration("99999999999999999999ns"), std::nullopt);  // the count itself
  EXPECT_EQ(parse_duration("107000w"), std::nullopt);                // 107000 w = 6.47e19 ns
  EXPECT_EQ(parse_duration("9223372036854775807ns"), INT64_MAX);
  EXPECT_EQ(parse_duration("9223372036854775807ns1ns"), std::nullopt);  // the sum
}

TEST(DecimalLiteral, AcceptsPlainDecimals) {
  for (const char* ok : {"-12.50", "0.001", "10000", "0", "-0.5", "007"})
    EXPECT_TRUE(is_decimal_literal(ok)) << ok;
}

TEST(DecimalLiteral, RejectsEverythingElse) {
  for (const char* bad : {"", "-", ".5", "5.", "1e3", "+1", "1,000", "1_000", " 1", "1 ",
                          "1.2.3", "abc", "0x10", "--1", "1000 USDT"})
    EXPECT_FALSE(is_decimal_literal(bad)) << bad;
}

class ExpandEnv : public ::testing::Test {
 protected:
  std::map<std::string, std::string> vars{{"KEY", "abc"}, {"EMPTY", ""}, {"NESTED", "${KEY}"}};
  EnvLookup env = [this](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
};

TEST_F(ExpandEnv, ReplacesVariables) {
  EXPECT_EQ(expand_env("${KEY}", env).text, "abc");
  EXPECT_EQ(expand_env("x-${KEY}-${KEY}/y", env).text, "x-abc-abc/y");
  EXPECT_EQ(expand_env("[${EMPTY}]", env).text, "[]");
  EXPECT_EQ(expand_env("no vars $ here $5 {x}", env).text, "no vars $ here $5 {x}");
}

TEST_F(ExpandEnv, DoubleDollarIsALiteral) {
  EXPECT_EQ(expand_env("$${KEY}", env).text, "${KEY}");
  EXPECT_EQ(expand_env("a$${b}c${KEY}", env).text, "a${b}cabc");
}

TEST_F(ExpandEnv, ValuesAreNotExpandedAgain) {
  EXPECT_EQ(expand_env("${NESTED}", env).text, "${KEY}");
}

TEST_F(ExpandEnv, UnsetVariableIsAnError) {
  const Expanded e = expand_env("pre-${BINANCE_KEY}", env);
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.error, "environment variable BINANCE_KEY is not set");
}

TEST_F(ExpandEnv, MalformedReferencesAreErrors) {
  EXPECT_NE(expand_env("${KEY", env).error.find("unterminated"), std::string::npos);
  EXPECT_NE(expand_env("${}", env).error.find("invalid environment variable name"),
            std::string::npos);
  EXPECT_NE(expand_env("${1A}", env).error.find("invalid"), std::string::npos);
  EXPECT_NE(expand_env("${A-B}", env).error.find("invalid"), std::string::npos);
}

TEST(ExpandEnvProcess, ReadsTheProcessEnvironmentByDefault) {
  ::setenv("TH_GRAPH_TEST_PROCESS_VAR", "from-process", 1);
  EXPECT_EQ(expand_env("${TH_GRAPH_TEST_PROCESS_VAR}").text, "from-process");
  ::unsetenv("TH_GRAPH_TEST_PROCESS_VAR");
  EXPECT_FALSE(expand_env("${TH_GRAPH_TEST_PROCESS_VAR}").ok());
}

}  // namespace
}  // namespace tradehost::graph
