// amounts.hpp -- decimal text <-> the simulator's kScale amounts, for the exchange unit tests:
// amt("16704.50") to build requests, fmt(raw) to compare results with hand-written decimals.
#ifndef TRADEHOST_TESTS_EXCHANGE_SIM_AMOUNTS_HPP
#define TRADEHOST_TESTS_EXCHANGE_SIM_AMOUNTS_HPP

#include "candle_series.hpp"

#include <tradehost/fixed.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace sim_test {

inline int64_t amt(const char* text) {
  int64_t raw = 0;
  EXPECT_TRUE(tradehost::parse_fixed(text, tradehost::exchange_sim::kScale, raw)) << text;
  return raw;
}

inline std::string fmt(int64_t raw) { return tradehost::format_fixed(raw, tradehost::exchange_sim::kScale); }

}  // namespace sim_test

#endif
