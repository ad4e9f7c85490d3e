// Kline history paging (binance_common/kline_history). The parse test uses the response example
// of Binance's "Kline/Candlestick Data" (USDⓈ-M futures docs; spot rest-api.md shows the same
// row); the paging numbers are worked out by hand in the test.
#include <binance_common/kline_history.hpp>

#include <gtest/gtest.h>

namespace tradehost::binance {
namespace {

TEST(KlineHistory, ParsesTheDocumentedAnswer) {
  const std::string body = R"([
    [1499040000000, "0.01634790", "0.80000000", "0.01575800", "0.01577100", "148976.11427815",
     1499644799999, "2434.19055334", 308, "1756.87402397", "28.46694368", "17928899.62484339"]
  ])";
  std::vector<RestKline> out;
  std::string error;
  ASSERT_TRUE(parse_rest_klines(body, Scales{8, 8}, out, error)) << error;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].open_time_ms, 1499040000000);
  EXPECT_EQ(out[0].close_time_ms, 1499644799999);
  EXPECT_EQ(out[0].open, 1634790);      // 0.01634790 at 8 decimals
  EXPECT_EQ(out[0].high, 80000000);     // 0.8
  EXPECT_EQ(out[0].low, 1575800);
  EXPECT_EQ(out[0].close, 1577100);
  EXPECT_EQ(out[0].volume, 14897611427815);  // 148976.11427815
}

TEST(KlineHistory, RefusesAnythingButTheArrayShape) {
  std::vector<RestKline> out;
  std::string error;
  EXPECT_FALSE(parse_rest_klines(R"({"code":-1121,"msg":"Invalid symbol."})", Scales{2, 5}, out, error));
  EXPECT_FALSE(parse_rest_klines(R"([[1, "1", "1", "1"]])", Scales{2, 5}, out, error));
  EXPECT_EQ(error, "klines[0]: row is not an array of at least 7 elements");
  EXPECT_FALSE(parse_rest_klines(R"([[1, "1", "1", "1", "1.234", "1", 2]])", Scales{2, 5}, out, error));
  EXPECT_NE(error.find("klines[0]: close "), std::string::npos) << error;  // 3 decimals at price scale 2
}

// 1-minute candles, 2500 wanted, the venue's clock at 1,700,000,030,000 ms: the newest candle
// (open 1,699,999,980,000 = 28,333,333 x 60,000) is still open, so the first page asks for 2501
// capped at the page limit, 1000, and keeps the 999 closed ones; the next pages end just before the
// oldest open time so far, asking for what is left: 1501 -> 1000, then 501.
TEST(KlineHistory, PagesBackwardFromTheNewestClosedCandle) {
  KlineHistory h(2500, 1'700'000'030'000, 1000);
  // `n` one-minute candles whose last opens at `last_open`.
  auto page = [](int64_t last_open, int n) {
    std::vector<RestKline> p;
    for (int i = n - 1; i >= 0; --i) {
      const int64_t open = last_open - i * 60'000LL;
      p.push_back(RestKline{open, open + 59'999, 1, 1, 1, 1, 1});
    }
    return p;
  };
  EXPECT_EQ(h.next_query(), "limit=1000");
  h.take(page(1'699'999'980'000, 1000));  // 999 closed + the open one
  EXPECT_FALSE(h.done());
  ASSERT_EQ(h.candles().size(), 999u);
  EXPECT_EQ(h.candles().back().open_time_ms, 1'699'999'920'000);
  EXPECT_EQ(h.candles().front().open_time_ms, 1'699'940'040'000);  // 1,699,999,920,000 - 998 x 60,000
  EXPECT_EQ(h.next_query(), "endTime=1699940039999&limit=1000");
  h.take(page(1'699'939'980'000, 1000));
  EXPECT_EQ(h.next_query(), "endTime=1699880039999&limit=501");  // 2500 - 1999 left
  h.take(page(1'699'879'980'000, 501));
  EXPECT_TRUE(h.done());
  EXPECT_EQ(h.next_query(), "");
  ASSERT_EQ(h.candles().size(), 2500u);
  EXPECT_EQ(h.candles().front().open_time_ms, 1'699'849'980'000);  // 1,699,999,920,000 - 2499 x 60,000
  EXPECT_EQ(h.candles().back().open_time_ms, 1'699'999'920'000);
  for (size_t i = 1; i < h.candles().size(); ++i)
    ASSERT_EQ(h.candles()[i].open_time_ms - h.candles()[i - 1].open_time_ms, 60'000) << i;
}

TEST(KlineHistory, AShortHistoryEndsWithWhatTheVenueHas) {
  KlineHistory h(100, 1'700'000'030'000, 1000);
  EXPECT_EQ(h.next_query(), "limit=101");
  std::vector<RestKline> listed{{1'699'999'860'000, 1'699'999'919'999, 1, 1, 1, 1, 1},
                                {1'699'999'920'000, 1'699'999'979'999, 1, 1, 1, 1, 1}};
  h.take(listed);  // a symbol listed two minutes ago
  EXPECT_TRUE(h.done());
  EXPECT_EQ(h.candles().size(), 2u);
  KlineHistory none(0, 1'700'000'030'000, 1000);
  EXPECT_TRUE(none.done());
}

}  // namespace
}  // namespace tradehost::binance
