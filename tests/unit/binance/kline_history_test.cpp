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

// 1-minute candles, 2500 wanted, the venue's clock at 1,700,000,030,000 ms: the open candle began
// at 1,699,999,980,000 (= 28,333,333 x 60,000), so the window starts 2500 minutes earlier, at
// 1,699,849,980,000, and takes three pages: 1000, 1000 and 500.
TEST(KlineHistory, PagesForwardThroughTheClosedCandlesOnly) {
  KlineHistory h(60'000, 2500, 1'700'000'030'000, 1000);
  auto page = [](int64_t from, int n) {
    std::vector<RestKline> p;
    for (int i = 0; i < n; ++i) p.push_back(RestKline{from + i * 60'000LL, from + i * 60'000LL + 59'999, 1, 1, 1, 1, 1});
    return p;
  };
  EXPECT_EQ(h.next_query(), "startTime=1699849980000&limit=1000");
  h.take(page(1'699'849'980'000, 1000));
  EXPECT_FALSE(h.done());
  EXPECT_EQ(h.next_query(), "startTime=1699909980000&limit=1000");  // + 1000 minutes
  h.take(page(1'699'909'980'000, 1000));
  EXPECT_EQ(h.next_query(), "startTime=1699969980000&limit=500");
  h.take(page(1'699'969'980'000, 501));  // the venue also sends the candle still open: not kept
  EXPECT_TRUE(h.done());
  EXPECT_EQ(h.next_query(), "");
  ASSERT_EQ(h.candles().size(), 2500u);
  EXPECT_EQ(h.candles().front().open_time_ms, 1'699'849'980'000);
  EXPECT_EQ(h.candles().back().open_time_ms, 1'699'999'920'000);  // the last closed one
}

TEST(KlineHistory, AShortHistoryEndsWithWhatTheVenueHas) {
  KlineHistory h(60'000, 100, 1'700'000'030'000, 1000);
  EXPECT_EQ(h.next_query(), "startTime=1699993980000&limit=100");  // 1,699,999,980,000 - 6,000,000
  std::vector<RestKline> listed{{1'699'999'860'000, 1'699'999'919'999, 1, 1, 1, 1, 1},
                                {1'699'999'920'000, 1'699'999'979'999, 1, 1, 1, 1, 1}};
  h.take(listed);  // a symbol listed two minutes ago
  EXPECT_TRUE(h.done());
  EXPECT_EQ(h.candles().size(), 2u);
  KlineHistory none(60'000, 0, 1'700'000'030'000, 1000);
  EXPECT_TRUE(none.done());
}

}  // namespace
}  // namespace tradehost::binance
