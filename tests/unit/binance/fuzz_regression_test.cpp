// Inputs the fuzz targets of fuzz/ found to break a binance_common parser, each kept as a test of
// the parser's documented behaviour on it (the input also stays in fuzz/corpus/<target>/, under
// the name given). The sanitizer stage of tools/setup test runs these under ASan + UBSan, where
// the undefined behaviour itself fails them; the assertions hold the documented results.
#include <binance_common/account_messages.hpp>
#include <binance_common/exchange_info.hpp>
#include <binance_common/kline_history.hpp>
#include <binance_common/market_data.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using tradehost::BookLevel;
using tradehost::binance::ExchangeInfo;
using tradehost::binance::MarketDataParser;
using tradehost::binance::OrderReport;
using tradehost::binance::RestKline;
using tradehost::binance::UserEvent;
using tradehost::binance::Scales;
using tradehost::binance::StreamKind;
using tradehost::binance::StreamMessage;
using tradehost::binance::Venue;
using Levels = std::vector<BookLevel>;

MarketDataParser parser(Venue venue, bool fast_path) {
  MarketDataParser p(venue);
  p.set_scales("BNBBTC", Scales{4, 0});
  p.set_depth_fast_path(fast_path);
  return p;
}

// fuzz/corpus/binance_stream/crash-depth-scanner-long-integer: the depth scanner read integers
// into int64 digit by digit before checking their length, so a 37-digit integer overflowed
// (signed overflow, undefined behaviour) before the scanner gave the frame up. The frame is not
// JSON (one '}' too many): both paths refuse it with the same error.
TEST(BinanceFuzzRegression, DepthScannerRefusesAnIntegerLongerThanEighteenDigitsWithoutOverflow) {
  const std::string frame = R"({"sE":1633998534339985344833998534486,"m":false,"M":true}})";
  for (Venue venue : {Venue::Spot, Venue::UsdM}) {
    MarketDataParser fast = parser(venue, true), dom = parser(venue, false);
    StreamMessage a, b;
    std::string fast_error, dom_error;
    EXPECT_FALSE(fast.parse_stream(frame, a, fast_error));
    EXPECT_FALSE(dom.parse_stream(frame, b, dom_error));
    EXPECT_EQ(fast_error, dom_error);
    EXPECT_NE(fast_error.find("invalid JSON at offset 57"), std::string::npos) << fast_error;
  }
  // The same long integer in a field a depth frame does not use: the scanner gives up and the DOM
  // reads the frame (the number is a valid JSON number), with the levels of the doc's example.
  MarketDataParser fast = parser(Venue::Spot, true);
  StreamMessage m;
  std::string error;
  ASSERT_TRUE(fast.parse_stream(R"({"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,)"
                                R"("x":1633998534339985344833998534486,"b":[["0.0024","10"]],"a":[]})",
                                m, error))
      << error;
  ASSERT_EQ(m.kind, StreamKind::DepthDiff);
  EXPECT_EQ(m.depth.final_update_id, 160);
  EXPECT_EQ(m.depth.bids, (Levels{{24, 10}}));
}

// fuzz/corpus/binance_{stream,account,rest}/crash-deep-nesting (20 000 '[' there, where the fuzz
// run's stack is 2 MiB; 400 000 here, which overflowed the default 8 MiB stack of a Release build
// before the fix): RapidJSON's default recursive descent used a stack frame per nesting
// level, so a frame or REST body of nested brackets crashed the process (stack overflow) instead
// of being refused. Every parser now parses iteratively and refuses it as invalid JSON.
TEST(BinanceFuzzRegression, DeeplyNestedJsonIsRefusedAsInvalidNotAStackOverflow) {
  const std::string deep(400'000, '[');
  const std::string deep_objects = [] {
    std::string s;
    for (int i = 0; i < 100'000; ++i) s += R"({"a":)";
    return s;
  }();
  const tradehost::binance::ScalesLookup lookup = [](std::string_view) -> const Scales* { return nullptr; };
  for (const std::string* body : {&deep, &deep_objects}) {
    std::string error;
    MarketDataParser md = parser(Venue::Spot, true);
    StreamMessage m;
    EXPECT_FALSE(md.parse_stream(*body, m, error));
    EXPECT_NE(error.find("stream frame: invalid JSON at offset"), std::string::npos) << error;
    tradehost::binance::DepthSnapshot snapshot;
    EXPECT_FALSE(md.parse_depth_snapshot(*body, Scales{4, 0}, snapshot, error));
    EXPECT_NE(error.find("depth snapshot: invalid JSON"), std::string::npos) << error;
    UserEvent ev;
    EXPECT_FALSE(tradehost::binance::parse_user_event(*body, lookup, ev, error));
    EXPECT_NE(error.find("user stream frame: invalid JSON"), std::string::npos) << error;
    OrderReport order;
    EXPECT_FALSE(tradehost::binance::parse_order_report(*body, lookup, order, error));
    EXPECT_NE(error.find("order: invalid JSON"), std::string::npos) << error;
    ExchangeInfo info;
    EXPECT_FALSE(tradehost::binance::parse_exchange_info(*body, info, error));
    EXPECT_NE(error.find("exchangeInfo: invalid JSON"), std::string::npos) << error;
    std::vector<RestKline> klines;
    EXPECT_FALSE(tradehost::binance::parse_rest_klines(*body, Scales{2, 5}, klines, error));
    EXPECT_NE(error.find("klines: invalid JSON"), std::string::npos) << error;
  }
}

// fuzz/corpus/binance_stream/crash-raw-depth-event-with-data-member: a raw depthUpdate with a
// "data" member. The DOM path reads any frame with "data" as the combined-stream envelope (and
// refuses this one: no "stream"), but the depth scanner took it for a plain event and accepted
// it, breaking "results and errors are the same either way" (set_depth_fast_path). Now the
// scanner gives such a frame up, and both paths give the DOM's answer.
TEST(BinanceFuzzRegression, RawDepthEventWithADataMemberGetsTheDomAnswerOnBothPaths) {
  const std::string frame =
      R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":5,"u":7,"b":[["0.0024","10"]],"a":[],"data":"x"})";
  MarketDataParser fast = parser(Venue::Spot, true), dom = parser(Venue::Spot, false);
  StreamMessage a, b;
  std::string fast_error, dom_error;
  EXPECT_FALSE(dom.parse_stream(frame, b, dom_error));
  EXPECT_EQ(dom_error, "stream envelope: field 'stream' is missing");
  EXPECT_FALSE(fast.parse_stream(frame, a, fast_error));
  EXPECT_EQ(fast_error, dom_error);
}

// fuzz/corpus/binance_rest/crash-kline-negative-price: REST klines accepted "-1" as an open
// price (parse_fixed reads signs), where the kline stream refuses negative prices and volumes.
TEST(BinanceFuzzRegression, RestKlineWithANegativePriceOrVolumeIsRefused) {
  std::vector<RestKline> out;
  std::string error;
  EXPECT_FALSE(tradehost::binance::parse_rest_klines(R"([[1,"-1","1","1","1","1",2]])", Scales{2, 5}, out, error));
  EXPECT_EQ(error, "klines[0]: open is negative");
  EXPECT_FALSE(tradehost::binance::parse_rest_klines(R"([[1,"1","1","1","1","-0.5",2]])", Scales{2, 5}, out, error));
  EXPECT_EQ(error, "klines[0]: volume is negative");
  EXPECT_TRUE(out.empty());
}

// fuzz/corpus/binance_rest/crash-kline-open-time-int64-min: a candle opening at INT64_MIN ms was
// kept, and KlineHistory's next page query computed its endTime as open time - 1: signed overflow
// (undefined behaviour). Binance times are Unix ms; a negative one is refused.
TEST(BinanceFuzzRegression, RestKlineWithANegativeTimeIsRefused) {
  std::vector<RestKline> out;
  std::string error;
  EXPECT_FALSE(tradehost::binance::parse_rest_klines(
      R"([[-9223372036854775808,"1","1","1","1","1",-10],[0,"1","1","1","1","1",100]])", Scales{2, 5}, out, error));
  EXPECT_EQ(error, "klines[0]: open time is not a non-negative integer");
  EXPECT_FALSE(tradehost::binance::parse_rest_klines(R"([[0,"1","1","1","1","1",-1]])", Scales{2, 5}, out, error));
  EXPECT_EQ(error, "klines[0]: close time is not a non-negative integer");
  // The page that used to overflow, with its first open time at 0 instead: history pages back
  // from endTime = -1 without wrapping.
  ASSERT_TRUE(tradehost::binance::parse_rest_klines(
      R"([[0,"1","1","1","1","1",59999],[60000,"1","1","1","1","1",119999]])", Scales{2, 5}, out, error))
      << error;
  tradehost::binance::KlineHistory h(3, 100000, 2);
  h.take(out);
  ASSERT_FALSE(h.done());
  EXPECT_EQ(h.next_query(), "endTime=-1&limit=2");
}

}  // namespace
