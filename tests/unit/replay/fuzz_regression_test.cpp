// Inputs fuzz/candles found to break the candle readers, each kept as a test of the documented
// error behaviour (a CandleError naming the file, line and field; never a crash or undefined
// behaviour). The inputs also stay in fuzz/corpus/candles/ under the name given. The sanitizer
// stage of tools/setup test runs these under ASan + UBSan, where the undefined behaviour itself
// fails them.
#include <gtest/gtest.h>

#include "candle_test_support.hpp"

namespace tradehost::replay::test {
namespace {

// fuzz/corpus/candles/crash-exponent-past-int64: a price too fine for the scale is reported with
// the decimals it would need (needed_scale), which read the exponent with strtoll; for
// "1e-99999999999999999999" that saturated at LLONG_MIN and 0 - LLONG_MIN overflowed.
TEST(CandleFuzzRegression, PriceWithAnExponentBeyondInt64IsReportedAsTooFine) {
  TempFile f("exp.csv",
             "open_time_ms,open,high,low,close,volume\n"
             "1672531200000,1e-99999999999999999999,1,1,1,1\n");
  ReadOptions o;
  o.price_scale = 2;
  o.qty_scale = 5;
  o.format = CandleFormat::OhlcvCsv;
  EXPECT_TRUE(Fails(f.path, o, f.path + ":2", {"open \"1e-99999999999999999999\"", "finer than tick_size 0.01"}));
}

}  // namespace
}  // namespace tradehost::replay::test
