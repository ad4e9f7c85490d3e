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

// fuzz/corpus/candles/crash-json-number-with-leading-zero: in a freqtrade JSON file, "00.1062" is
// the JSON number "0" followed by a syntax error. The reader parsed the in-situ text on past the
// number RapidJSON had delimited, read "00.1062" as too fine for the scale, and worded that with
// the decimals of "0": kPow10[0 - price_scale], an out-of-bounds read (UBSan). The number is now
// read exactly as delimited, and the file is refused as invalid JSON where the second '0' is.
TEST(CandleFuzzRegression, JsonNumberWithALeadingZeroIsInvalidJsonNotAnOutOfBoundsRead) {
  TempFile f("lead.json", "[[1672531200000,00.123,1,1,1,1]]");
  ReadOptions o;
  o.price_scale = 2;
  o.qty_scale = 5;
  o.format = CandleFormat::FreqtradeJson;
  EXPECT_TRUE(Fails(f.path, o, f.path + ":1:18", {"invalid JSON"}));
  // The same with a minus sign, and with a price that would have fit the scale.
  TempFile g("lead_minus.json", "[[1672531200000,-01.5,1,1,1,1]]");
  EXPECT_TRUE(Fails(g.path, o, g.path + ":1:19", {"invalid JSON"}));
  TempFile h("lead_fits.json", "[[1672531200000,1,1,1,00.5,1]]");
  EXPECT_TRUE(Fails(h.path, o, h.path + ":1:24", {"invalid JSON"}));
}

}  // namespace
}  // namespace tradehost::replay::test
