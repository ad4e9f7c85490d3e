// Market-data parsing: Binance's documented example payloads (expected raw values worked out by
// hand), the error messages, the off-grid policy, and every frame and snapshot of the recorded
// captures (counts and values read from data/binance/cryptofeed/ and quoted here).
#include <binance_common/exchange_info.hpp>
#include <binance_common/market_data.hpp>

#include "capture.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

using tradehost::BookLevel;
using tradehost::binance::DepthSnapshot;
using tradehost::binance::MarketDataParser;
using tradehost::binance::Scales;
using tradehost::binance::StreamKind;
using tradehost::binance::StreamMessage;
using tradehost::binance::Venue;
using Levels = std::vector<BookLevel>;
namespace capture = tradehost::binance::capture;

MarketDataParser spot_parser() {
  MarketDataParser p(Venue::Spot);
  p.set_scales("BNBBTC", Scales{4, 0});    // prices like "0.0024", quantities like "10"
  p.set_scales("BNBUSDT", Scales{4, 2});   // bookTicker example: "25.35190000", "31.21000000"
  return p;
}

// ---- documented examples (spot web-socket-streams.md; USD-M "Diff. Book Depth Streams") ----

TEST(BinanceMarketData, SpotDepthUpdateExample) {
  MarketDataParser p = spot_parser();
  StreamMessage m;
  std::string error;
  ASSERT_TRUE(p.parse_stream(
      R"({"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,)"
      R"("b":[["0.0024","10"]],"a":[["0.0026","100"]]})",
      m, error))
      << error;
  ASSERT_EQ(m.kind, StreamKind::DepthDiff);
  EXPECT_EQ(m.stream, "");  // raw stream, no envelope
  EXPECT_EQ(m.depth.symbol, "BNBBTC");
  EXPECT_EQ(m.depth.event_time_ms, 1672515782136);
  EXPECT_EQ(m.depth.first_update_id, 157);
  EXPECT_EQ(m.depth.final_update_id, 160);
  EXPECT_EQ(m.depth.prev_final_update_id, -1);  // spot has no pu
  EXPECT_EQ(m.depth.bids, (Levels{{24, 10}}));   // 0.0024 at scale 4
  EXPECT_EQ(m.depth.asks, (Levels{{26, 100}}));
}

TEST(BinanceMarketData, UsdMDepthUpdateExampleInEnvelope) {
  MarketDataParser p(Venue::UsdM);
  p.set_scales("BTCUSDT", Scales{4, 0});
  StreamMessage m;
  std::string error;
  ASSERT_TRUE(p.parse_stream(
      R"({"stream":"btcusdt@depth","data":{"e":"depthUpdate","E":123456789,"T":123456788,)"
      R"("s":"BTCUSDT","U":157,"u":160,"pu":149,"b":[["0.0024","10"]],)"
      R"("a":[["0.0026","100"]]}})",
      m, error))
      << error;
  ASSERT_EQ(m.kind, StreamKind::DepthDiff);
  EXPECT_EQ(m.stream, "btcusdt@depth");
  EXPECT_EQ(m.depth.transaction_time_ms, 123456788);
  EXPECT_EQ(m.depth.prev_final_update_id, 149);
  EXPECT_EQ(m.depth.bids, (Levels{{24, 10}}));
}

TEST(BinanceMarketData, SpotBookTickerExampleHasNoEventType) {
  MarketDataParser p = spot_parser();
  StreamMessage m;
  std::string error;
  ASSERT_TRUE(p.parse_stream(R"({"u":400900217,"s":"BNBUSDT","b":"25.35190000",)"
                             R"("B":"31.21000000","a":"25.36520000","A":"40.66000000"})",
                             m, error))
      << error;
  ASSERT_EQ(m.kind, StreamKind::BookTicker);
  EXPECT_EQ(m.book_ticker.update_id, 400900217);
  EXPECT_EQ(m.book_ticker.bid_price, 253519);  // 25.3519 at scale 4
  EXPECT_EQ(m.book_ticker.bid_qty, 3121);      // 31.21 at scale 2
  EXPECT_EQ(m.book_ticker.ask_price, 253652);
  EXPECT_EQ(m.book_ticker.ask_qty, 4066);
  EXPECT_EQ(m.book_ticker.event_time_ms, 0);
}

TEST(BinanceMarketData, SpotAggTradeExample) {
  MarketDataParser p(Venue::Spot);
  p.set_scales("BNBBTC", Scales{3, 0});
  StreamMessage m;
  std::string error;
  ASSERT_TRUE(p.parse_stream(
      R"({"e":"aggTrade","E":1672515782136,"s":"BNBBTC","a":12345,"p":"0.001","q":"100",)"
      R"("f":100,"l":105,"T":1672515782136,"m":true,"M":true})",
      m, error))
      << error;
  ASSERT_EQ(m.kind, StreamKind::AggTrade);
  EXPECT_EQ(m.agg_trade.agg_trade_id, 12345);
  EXPECT_EQ(m.agg_trade.price, 1);  // 0.001 at scale 3
  EXPECT_EQ(m.agg_trade.qty, 100);
  EXPECT_EQ(m.agg_trade.first_trade_id, 100);
  EXPECT_EQ(m.agg_trade.last_trade_id, 105);
  EXPECT_EQ(m.agg_trade.trade_time_ms, 1672515782136);
  EXPECT_TRUE(m.agg_trade.buyer_is_maker);
}

TEST(BinanceMarketData, SpotKlineExample) {
  MarketDataParser p = spot_parser();
  StreamMessage m;
  std::string error;
  ASSERT_TRUE(p.parse_stream(
      R"({"e":"kline","E":1672515782136,"s":"BNBBTC","k":{"t":1672515780000,"T":1672515839999,)"
      R"("s":"BNBBTC","i":"1m","f":100,"L":200,"o":"0.0010","c":"0.0020","h":"0.0025",)"
      R"("l":"0.0015","v":"1000","n":100,"x":false,"q":"1.0000","V":"500","Q":"0.500",)"
      R"("B":"123456"}})",
      m, error))
      << error;
  ASSERT_EQ(m.kind, StreamKind::Kline);
  const auto& k = m.kline;
  EXPECT_EQ(k.open_time_ms, 1672515780000);
  EXPECT_EQ(k.close_time_ms, 1672515839999);
  EXPECT_EQ(k.interval, "1m");
  EXPECT_EQ(k.first_trade_id, 100);
  EXPECT_EQ(k.last_trade_id, 200);
  EXPECT_EQ(k.open, 10);  // 0.0010 at scale 4
  EXPECT_EQ(k.close, 20);
  EXPECT_EQ(k.high, 25);
  EXPECT_EQ(k.low, 15);
  EXPECT_EQ(k.volume, 1000);
  EXPECT_EQ(k.trade_count, 100);
  EXPECT_FALSE(k.closed);
  EXPECT_EQ(k.quote_volume, 100000000);  // 1.0 at TH_MONEY_SCALE 8
  EXPECT_EQ(k.taker_buy_volume, 500);
  EXPECT_EQ(k.taker_buy_quote_volume, 50000000);  // 0.5 * 10^8
}

TEST(BinanceMarketData, RestDepthSnapshotExample) {
  // rest-api.md "Order book" response example, at scales 8 / 8 as spot writes them.
  MarketDataParser p(Venue::Spot);
  DepthSnapshot s;
  std::string error;
  ASSERT_TRUE(p.parse_depth_snapshot(
      R"({"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],)"
      R"("asks":[["4.00000200","12.00000000"]]})",
      Scales{8, 8}, s, error))
      << error;
  EXPECT_EQ(s.last_update_id, 1027024);
  EXPECT_EQ(s.bids, (Levels{{400000000, 43100000000}}));
  EXPECT_EQ(s.asks, (Levels{{400000200, 1200000000}}));
}

// ---- errors name the message and the field ----

std::string parse_error(MarketDataParser& p, const std::string& frame) {
  StreamMessage m;
  std::string error;
  EXPECT_FALSE(p.parse_stream(frame, m, error)) << frame;
  return error;
}

TEST(BinanceMarketData, ErrorsNameTheField) {
  MarketDataParser p = spot_parser();
  EXPECT_EQ(parse_error(p, R"({"e":"depthUpdate","E":1,"s":"BNBBTC","u":2,"b":[],"a":[]})"),
            "depthUpdate BNBBTC: field 'U' is missing");
  EXPECT_EQ(parse_error(p, R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":"1","u":2,"b":[],"a":[]})"),
            "depthUpdate BNBBTC: field 'U' is not an integer that fits int64");
  EXPECT_EQ(parse_error(p, R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":3,"u":2,"b":[],"a":[]})"),
            "depthUpdate BNBBTC: field 'U' is greater than 'u'");
  EXPECT_EQ(parse_error(p, R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":2,)"
                           R"("b":[["0.0024","10"],["x","1"]],"a":[]})"),
            "depthUpdate BNBBTC: field 'b[1]' price: parse_fixed: \"x\": unexpected character "
            "'x' at offset 0");
  EXPECT_EQ(parse_error(p, R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":2,)"
                           R"("b":[],"a":[["0.0026"]]})"),
            "depthUpdate BNBBTC: field 'a[0]' is not a [price, qty] pair of strings");
  EXPECT_EQ(parse_error(p, R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":2,)"
                           R"("b":[],"a":[["0.0026","-1"]]})"),
            "depthUpdate BNBBTC: field 'a[0]' qty is negative");
  EXPECT_EQ(parse_error(p, R"({"e":"depthUpdate","E":1,"s":"ETHBTC","U":1,"u":2,"b":[],"a":[]})"),
            "depthUpdate ETHBTC: field 's' names symbol 'ETHBTC', which has no registered scales");
  EXPECT_EQ(parse_error(p, R"({"e":"24hrTicker","s":"BNBBTC"})"),
            "stream frame: unsupported event type 'e'=\"24hrTicker\"");
  EXPECT_EQ(parse_error(p, R"({"e":"aggTrade","E":1,"s":"BNBBTC","a":1,"p":"0.00015",)"
                           R"("q":"1","f":1,"l":1,"T":1,"m":false})"),
            "aggTrade BNBBTC: field 'p' parse_fixed: \"0.00015\": has more decimals than scale "
            "4 allows");
  EXPECT_EQ(parse_error(p, R"({"e":"kline","E":1,"s":"BNBBTC","k":{"t":1}})"),
            "kline BNBBTC k: field 'T' is missing");
  EXPECT_EQ(parse_error(p, R"({"stream":"x","data":[1]})"),
            "stream envelope: field 'data' is not an object");
  EXPECT_EQ(parse_error(p, R"({"s":"BNBBTC"})"),
            "stream frame: field 'e' (event type) is missing and the payload is not a bookTicker");
  const std::string bad_json = parse_error(p, R"({"e":"depthUpdate",)");
  EXPECT_EQ(bad_json.rfind("stream frame: invalid JSON at offset 19", 0), 0u) << bad_json;
}

TEST(BinanceMarketData, UsdMDepthUpdateWithoutPuIsAnError) {
  MarketDataParser p(Venue::UsdM);
  p.set_scales("BTCUSDT", Scales{2, 3});
  EXPECT_EQ(parse_error(p, R"({"e":"depthUpdate","E":1,"T":1,"s":"BTCUSDT","U":1,"u":2,)"
                           R"("b":[],"a":[]})"),
            "depthUpdate BTCUSDT: field 'pu' is missing");
}

// ---- the off-grid policy (see OffGridCount) ----

TEST(BinanceMarketData, OffGridPricesAreDroppedAndFineQuantitiesFloored) {
  MarketDataParser p = spot_parser();  // BNBBTC at price scale 4, qty scale 0
  StreamMessage m;
  std::string error;
  ASSERT_TRUE(p.parse_stream(R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":2,)"
                             R"("b":[["0.00245","7"],["0.0024","10.9"],["0.0023","0.5"]],)"
                             R"("a":[["0.00265000","0"],["0.0026","3.00000000"]]})",
                             m, error))
      << error;
  // 0.00245 and 0.00265 fall between ticks: dropped. 10.9 -> 10 and 0.5 -> 0 (a delete).
  EXPECT_EQ(m.depth.bids, (Levels{{24, 10}, {23, 0}}));
  EXPECT_EQ(m.depth.asks, (Levels{{26, 3}}));  // "3.00000000" is exact: trailing zeros only
  EXPECT_EQ(m.depth.off_grid.dropped_levels, 2u);
  EXPECT_EQ(m.depth.off_grid.floored_qtys, 2u);
}

// ---- the recorded captures ----

// A parser for `venue` with the scales of every symbol of the recorded exchangeInfo `info_file`.
MarketDataParser recorded_parser(Venue venue, const char* info_file) {
  tradehost::binance::ExchangeInfo info;
  std::string error;
  const auto rest = capture::read_rest(info_file);
  EXPECT_TRUE(tradehost::binance::parse_exchange_info(rest.at(0).body, info, error)) << error;
  MarketDataParser p(venue);
  for (const auto& s : info.symbols) p.set_scales(s.symbol, s.scales);
  return p;
}

std::map<StreamKind, int> parse_all(MarketDataParser& p, const char* ws_file) {
  std::map<StreamKind, int> counts;
  StreamMessage m;
  std::string error;
  for (const capture::Record& r : capture::read_ws(ws_file)) {
    if (!p.parse_stream(r.body, m, error)) {
      ADD_FAILURE() << ws_file << ":" << r.line << ": " << error;
      continue;
    }
    ++counts[m.kind];
    // The envelope's stream name starts with the lower-case symbol (e.g. "nknusdt@...").
    const std::string& sym = m.kind == StreamKind::DepthDiff    ? m.depth.symbol
                             : m.kind == StreamKind::BookTicker ? m.book_ticker.symbol
                             : m.kind == StreamKind::AggTrade   ? m.agg_trade.symbol
                                                                : m.kline.symbol;
    std::string lower = sym;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(m.stream.rfind(lower + "@", 0), 0u) << ws_file << ":" << r.line;
  }
  return counts;
}

TEST(BinanceMarketData, EveryRecordedSpotFrameParses) {
  MarketDataParser p = recorded_parser(Venue::Spot, "BINANCE.0");
  const auto counts = parse_all(p, "BINANCE.ws.1.0");
  // Counted in the file by event type: 177 depthUpdate, 84 bookTicker (no "e"), 2 + 2.
  EXPECT_EQ(counts.at(StreamKind::DepthDiff), 177);
  EXPECT_EQ(counts.at(StreamKind::BookTicker), 84);
  EXPECT_EQ(counts.at(StreamKind::AggTrade), 2);
  EXPECT_EQ(counts.at(StreamKind::Kline), 2);
}

TEST(BinanceMarketData, EveryRecordedUsdMFrameParses) {
  MarketDataParser p = recorded_parser(Venue::UsdM, "BINANCE_FUTURES.0");
  const auto counts = parse_all(p, "BINANCE_FUTURES.ws.1.0");
  // data/SOURCES.md: 764 depthUpdate, 613 bookTicker, 91 aggTrade, 67 kline_1m.
  EXPECT_EQ(counts.at(StreamKind::DepthDiff), 764);
  EXPECT_EQ(counts.at(StreamKind::BookTicker), 613);
  EXPECT_EQ(counts.at(StreamKind::AggTrade), 91);
  EXPECT_EQ(counts.at(StreamKind::Kline), 67);
}

TEST(BinanceMarketData, RecordedFramesGiveTheValuesInTheFile) {
  MarketDataParser usdm = recorded_parser(Venue::UsdM, "BINANCE_FUTURES.0");
  const auto fut = capture::read_ws("BINANCE_FUTURES.ws.1.0");
  StreamMessage m;
  std::string error;
  // Line 2: {"e":"bookTicker","u":600859600576,"s":"SUSHIUSDT","b":"7.6110","B":"2",
  // "a":"7.6120","A":"297","T":1626992741012,"E":1626992741017}; SUSHIUSDT scales 3 / 0.
  ASSERT_EQ(fut.at(0).line, 2u);
  ASSERT_TRUE(usdm.parse_stream(fut.at(0).body, m, error)) << error;
  ASSERT_EQ(m.kind, StreamKind::BookTicker);
  EXPECT_EQ(m.stream, "sushiusdt@bookTicker");
  EXPECT_EQ(m.book_ticker.update_id, 600859600576);
  EXPECT_EQ(m.book_ticker.bid_price, 7611);
  EXPECT_EQ(m.book_ticker.bid_qty, 2);
  EXPECT_EQ(m.book_ticker.ask_price, 7612);
  EXPECT_EQ(m.book_ticker.ask_qty, 297);
  EXPECT_EQ(m.book_ticker.transaction_time_ms, 1626992741012);
  EXPECT_EQ(m.book_ticker.event_time_ms, 1626992741017);

  MarketDataParser spot = recorded_parser(Venue::Spot, "BINANCE.0");
  const auto sp = capture::read_ws("BINANCE.ws.1.0");
  // Line 2: {"e":"depthUpdate","E":1633998512068,"s":"NKNUSDT","U":499869750,"u":499869752,
  // "b":[["0.35130000","6195.00000000"],["0.34750000","5548.00000000"],
  // ["0.34640000","6222.00000000"]],"a":[]}; NKNUSDT scales 4 / 0.
  ASSERT_TRUE(spot.parse_stream(sp.at(0).body, m, error)) << error;
  ASSERT_EQ(m.kind, StreamKind::DepthDiff);
  EXPECT_EQ(m.depth.first_update_id, 499869750);
  EXPECT_EQ(m.depth.final_update_id, 499869752);
  EXPECT_EQ(m.depth.bids, (Levels{{3513, 6195}, {3475, 5548}, {3464, 6222}}));
  EXPECT_TRUE(m.depth.asks.empty());
}

struct SnapshotFacts {
  const char* symbol;
  int64_t last_update_id;
  size_t bids, asks;  // levels kept (written minus dropped)
  uint32_t dropped, floored;
  BookLevel best_bid, best_ask;
};

void check_snapshots(Venue venue, const char* info_file, const char* http_file,
                     const std::vector<SnapshotFacts>& facts) {
  MarketDataParser p = recorded_parser(venue, info_file);
  const auto rest = capture::read_rest(http_file);
  ASSERT_EQ(rest.size(), facts.size());
  for (size_t i = 0; i < rest.size(); ++i) {
    const SnapshotFacts& f = facts[i];
    SCOPED_TRACE(f.symbol);
    ASSERT_EQ(capture::symbol_of_url(rest[i].url), f.symbol);
    DepthSnapshot s;
    std::string error;
    ASSERT_TRUE(p.parse_depth_snapshot(rest[i].body, *p.scales(f.symbol), s, error)) << error;
    EXPECT_EQ(s.last_update_id, f.last_update_id);
    EXPECT_EQ(s.bids.size(), f.bids);
    EXPECT_EQ(s.asks.size(), f.asks);
    EXPECT_EQ(s.off_grid.dropped_levels, f.dropped);
    EXPECT_EQ(s.off_grid.floored_qtys, f.floored);
    EXPECT_EQ(s.bids.front(), f.best_bid);
    EXPECT_EQ(s.asks.front(), f.best_ask);
  }
}

TEST(BinanceMarketData, RecordedSpotSnapshots) {
  // Read from BINANCE.http.0.0. NKNUSDT: 609 bids of which 34 have prices finer than the 0.0001
  // tick (e.g. "0.25974000") and 34 on-tick ones carry quantities finer than the step of 1
  // (e.g. ["0.26000000","11979.30000000"]); first bid ["0.35210000","672.00000000"], first ask
  // ["0.35250000","3959.00000000"].
  check_snapshots(Venue::Spot, "BINANCE.0", "BINANCE.http.0.0",
                  {{"NKNUSDT", 499869752, 575, 1000, 34, 34, {3521, 672}, {3525, 3959}},
                   // ["0.00006547","100.00000000"] / ["0.00006555","6617.00000000"], scale 8 / 0
                   {"BLZETH", 281916627, 174, 1000, 0, 0, {6547, 100}, {6555, 6617}},
                   // ["0.00000637","6500.00000000"] / ["0.00000638","24365.00000000"]
                   {"LRCBTC", 259345543, 176, 1000, 0, 0, {637, 6500}, {638, 24365}},
                   // ["6.25100000","69.30000000"] / ["6.26900000","69.30000000"], scale 3 / 1
                   {"RUNEEUR", 15602511, 221, 468, 0, 0, {6251, 693}, {6269, 693}}});
}

TEST(BinanceMarketData, RecordedUsdMSnapshots) {
  // Read from BINANCE_FUTURES.http.0.0. CTKUSDT: 485 bids and 744 asks written, 131 levels priced
  // finer than the 0.001 tick (e.g. "0.50579").
  check_snapshots(Venue::UsdM, "BINANCE_FUTURES.0", "BINANCE_FUTURES.http.0.0",
                  {// ["7.6110","6"] / ["7.6120","297"], scales 3 / 0
                   {"SUSHIUSDT", 600859605926, 1000, 1000, 0, 0, {7611, 6}, {7612, 297}},
                   // ["0.01731","57618"] / ["0.01732","72524"], scales 5 / 0
                   {"AKROUSDT", 600859605486, 609, 763, 0, 0, {1731, 57618}, {1732, 72524}},
                   // ["0.2463","631"] / ["0.2464","317"], scales 4 / 0
                   {"KEEPUSDT", 600859619434, 400, 612, 0, 0, {2463, 631}, {2464, 317}},
                   // ["1.01000","85782"] / ["1.01100","6483"], scales 3 / 0
                   {"CTKUSDT", 600859618836, 450, 648, 131, 0, {1010, 85782}, {1011, 6483}}});
}

TEST(BinanceMarketData, UsdMSnapshotCarriesEventAndTransactionTimes) {
  MarketDataParser p = recorded_parser(Venue::UsdM, "BINANCE_FUTURES.0");
  const auto rest = capture::read_rest("BINANCE_FUTURES.http.0.0");
  DepthSnapshot s;
  std::string error;
  ASSERT_TRUE(p.parse_depth_snapshot(rest.at(0).body, *p.scales("SUSHIUSDT"), s, error)) << error;
  // {"lastUpdateId":600859605926,"E":1626992741264,"T":1626992741261,...}
  EXPECT_EQ(s.event_time_ms, 1626992741264);
  EXPECT_EQ(s.transaction_time_ms, 1626992741261);
}

}  // namespace

#include <binance_common/json_fields.hpp>

namespace {

// plain_decimal is the parser's fast path; whenever it accepts a text, it must give exactly what
// parse_fixed (the SDK's reference grammar) gives, and it must accept Binance's usual forms.
TEST(BinanceMarketData, PlainDecimalFastPathAgreesWithParseFixed) {
  using tradehost::binance::detail::plain_decimal;
  const char* texts[] = {"0",          "7",         "7.6110",       "0.35130000",    "6195.00000000",
                         "0.0010",     "1.00000000", "10.00000000", "0.00000001",    "49.89898",
                         "11979.3",    "5.",        ".5",           "+1",            "-1",
                         "1e3",        "1.5E-2",    "",             ".",             "1.2.3",
                         "12a",        "0.5 ",      "999999999999999999", "9999999999999999999",
                         "123456789.123456789", "0000000000000000000001", "1.000000000000000000000"};
  for (const char* t : texts) {
    for (int scale = 0; scale <= 10; ++scale) {
      int64_t fast = -7, ref = -7;
      const bool fast_ok = plain_decimal(t, scale, fast);
      const bool ref_ok = tradehost::parse_fixed(t, scale, ref);
      if (fast_ok) {
        EXPECT_TRUE(ref_ok) << "\"" << t << "\" scale " << scale;
        EXPECT_EQ(fast, ref) << "\"" << t << "\" scale " << scale;
      }
    }
  }
  int64_t v = 0;
  ASSERT_TRUE(plain_decimal("7.6110", 3, v));  // SUSHIUSDT at its 0.001 tick
  EXPECT_EQ(v, 7611);
  ASSERT_TRUE(plain_decimal("0.35130000", 4, v));
  EXPECT_EQ(v, 3513);
  ASSERT_TRUE(plain_decimal("6195.00000000", 0, v));
  EXPECT_EQ(v, 6195);
  ASSERT_TRUE(plain_decimal("12", 3, v));
  EXPECT_EQ(v, 12000);
  EXPECT_FALSE(plain_decimal("49.89898", 3, v));  // off-grid: left to parse_fixed's verdict
  EXPECT_FALSE(plain_decimal("-1", 0, v));        // sign: left to parse_fixed
  EXPECT_FALSE(plain_decimal("999999999999999999", 1, v));  // 19 digits at scale 1
}

}  // namespace

namespace {

bool same_diff(const tradehost::binance::DepthDiff& a, const tradehost::binance::DepthDiff& b) {
  return a.symbol == b.symbol && a.event_time_ms == b.event_time_ms &&
         a.transaction_time_ms == b.transaction_time_ms &&
         a.first_update_id == b.first_update_id && a.final_update_id == b.final_update_id &&
         a.prev_final_update_id == b.prev_final_update_id && a.bids == b.bids &&
         a.asks == b.asks && a.off_grid.dropped_levels == b.off_grid.dropped_levels &&
         a.off_grid.floored_qtys == b.off_grid.floored_qtys;
}

// Parses `text` with the depth scanner on and off; both must agree on success, the message and
// the error text. The frame is parsed from a heap block of exactly its size, so a read past its
// end is a heap overflow that valgrind's memcheck or AddressSanitizer reports.
void expect_same_both_ways(MarketDataParser& p, std::string_view text) {
  const std::unique_ptr<char[]> exact(new char[text.size() == 0 ? 1 : text.size()]);
  std::memcpy(exact.get(), text.data(), text.size());
  const std::string_view frame(exact.get(), text.size());
  StreamMessage fast, dom;
  std::string fast_error, dom_error;
  p.set_depth_fast_path(true);
  const bool fast_ok = p.parse_stream(frame, fast, fast_error);
  p.set_depth_fast_path(false);
  const bool dom_ok = p.parse_stream(frame, dom, dom_error);
  p.set_depth_fast_path(true);
  ASSERT_EQ(fast_ok, dom_ok) << frame << "\nfast: " << fast_error << "\ndom: " << dom_error;
  if (!fast_ok) {
    EXPECT_EQ(fast_error, dom_error) << frame;
    return;
  }
  ASSERT_EQ(fast.kind, dom.kind) << frame;
  EXPECT_EQ(fast.stream, dom.stream) << frame;
  if (fast.kind == StreamKind::DepthDiff) {
    EXPECT_TRUE(same_diff(fast.depth, dom.depth)) << frame;
  }
}

TEST(BinanceMarketData, DepthScannerAgreesWithTheDomOnEveryRecordedFrame) {
  MarketDataParser spot = recorded_parser(Venue::Spot, "BINANCE.0");
  for (const capture::Record& r : capture::read_ws("BINANCE.ws.1.0"))
    expect_same_both_ways(spot, r.body);
  MarketDataParser usdm = recorded_parser(Venue::UsdM, "BINANCE_FUTURES.0");
  for (const capture::Record& r : capture::read_ws("BINANCE_FUTURES.ws.1.0"))
    expect_same_both_ways(usdm, r.body);
}

TEST(BinanceMarketData, DepthScannerAgreesWithTheDomOnOddFrames) {
  MarketDataParser spot = spot_parser();  // BNBBTC at 4 / 0
  const std::string head = R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":5,"u":7,)";
  const char* tails[] = {
      R"("b":[["0.0024","10"]],"a":[]})",                         // plain
      R"("b":[ [ "0.0024" , "10" ] ] , "a" : [ ] } )",             // whitespace everywhere
      R"("b":[["0.00245","10"]],"a":[]})",                        // off-grid price: dropped
      R"("b":[["0.0024","10.5"]],"a":[]})",                       // fine qty: floored
      R"("b":[["0.0024","10"]],"a":[],"x":1.5})",                 // unknown float field
      R"("b":[["0.0024","10"]],"a":[],"x":{"y":1}})",             // unknown object field
      R"("b":[["0.0024","10"]],"a":[],"pu":3})",                  // pu on spot: ignored
      R"("b":[["0.0024","10"]],"a":[]}x)",                        // trailing garbage
      R"("b":[["0.0024","10"]],"a":[],"b":[]})",                  // duplicate key
      R"("b":[["0\u002e0024","10"]],"a":[]})",                    // escape in a price
      R"("b":[["0.0024","-10"]],"a":[]})",                        // negative qty
      R"("b":[["0.0024","10"]]})",                                // missing 'a'
      R"("b":[["0.0024"]],"a":[]})",                              // short level
  };
  for (const char* t : tails) expect_same_both_ways(spot, head + t);
  expect_same_both_ways(spot, R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":9,"u":7,"b":[],"a":[]})");
  expect_same_both_ways(spot, R"({"e":"depthUpdate","E":1.0,"s":"BNBBTC","U":5,"u":7,"b":[],"a":[]})");
  expect_same_both_ways(spot, R"({"e":"depthUpdate","E":1,"s":"XYZ","U":5,"u":7,"b":[],"a":[]})");
  expect_same_both_ways(spot, R"({"stream":"bnbbtc@depth","data":{"e":"depthUpdate","E":1,)"
                              R"("s":"BNBBTC","U":5,"u":7,"b":[],"a":[["0.0026","1"]]}})");
  expect_same_both_ways(spot, R"({"data":{"e":"depthUpdate","E":1,"s":"BNBBTC","U":5,"u":7,)"
                              R"("b":[],"a":[]},"stream":"bnbbtc@depth"})");  // envelope reordered
  MarketDataParser usdm(Venue::UsdM);
  usdm.set_scales("BTCUSDT", Scales{2, 3});
  expect_same_both_ways(usdm, R"({"e":"depthUpdate","E":1,"T":1,"s":"BTCUSDT","U":5,"u":7,)"
                              R"("b":[["100.10","0.001"]],"a":[]})");  // missing pu: an error
  expect_same_both_ways(usdm, R"({"e":"depthUpdate","E":1,"T":1,"s":"BTCUSDT","U":5,"u":7,)"
                              R"("pu":4,"b":[["100.10","0.001"]],"a":[]})");
}

// The recorded depth frames of a capture, raw text.
std::vector<std::string> recorded_depth_frames(const char* ws_file) {
  std::vector<std::string> frames;
  for (const capture::Record& r : capture::read_ws(ws_file))
    if (r.body.find("\"depthUpdate\"") != std::string::npos) frames.push_back(r.body);
  return frames;
}

// The scanner, not the DOM fallback, reads every recorded depth frame (and only those).
TEST(BinanceMarketData, DepthScannerReadsEveryRecordedDepthFrame) {
  for (const auto& [venue, info, ws, depth_frames] :
       {std::tuple{Venue::Spot, "BINANCE.0", "BINANCE.ws.1.0", 177},
        std::tuple{Venue::UsdM, "BINANCE_FUTURES.0", "BINANCE_FUTURES.ws.1.0", 764}}) {
    MarketDataParser p = recorded_parser(venue, info);
    const auto records = capture::read_ws(ws);
    StreamMessage m;
    std::string error;
    for (const capture::Record& r : records) ASSERT_TRUE(p.parse_stream(r.body, m, error)) << error;
    EXPECT_EQ(p.scanner_misses(), records.size() - static_cast<size_t>(depth_frames)) << ws;
  }
}

// Whitespace around every token sends a frame down the scanner's general path (fields in any
// order, whitespace allowed), still not to the DOM, with the same result.
TEST(BinanceMarketData, DepthScannerReadsRespacedFramesWithoutTheDom) {
  MarketDataParser usdm = recorded_parser(Venue::UsdM, "BINANCE_FUTURES.0");
  size_t frames = 0;
  for (const std::string& f : recorded_depth_frames("BINANCE_FUTURES.ws.1.0")) {
    std::string spaced;
    for (char c : f) {
      spaced += c;
      if (c == ',' || c == ':' || c == '[' || c == '{') spaced += " \n\t";
    }
    expect_same_both_ways(usdm, spaced);
    if (++frames == 50) break;
  }
  EXPECT_EQ(usdm.scanner_misses(), 0u);
  const uint64_t misses = usdm.scanner_misses();
  StreamMessage m;
  std::string error;
  ASSERT_TRUE(usdm.parse_stream(R"( { "stream" : "sushiusdt@depth@100ms" , "data" : { "e" : "depthUpdate" ,)"
                                R"( "E" : 1 , "T" : 1 , "s" : "SUSHIUSDT" , "U" : 5 , "u" : 7 , "pu" : 4 , )"
                                R"("b" : [ [ "7.6110" , "2" ] ] , "a" : [ ] } } )",
                                m, error))
      << error;
  EXPECT_EQ(usdm.scanner_misses(), misses);
  EXPECT_EQ(m.depth.bids, (Levels{{7611, 2}}));  // SUSHIUSDT at 3 / 0
}

// Every prefix of recorded frames (a frame cut anywhere): the scanner must never read past the
// end, and must agree with the DOM, which refuses each with the same error.
TEST(BinanceMarketData, DepthScannerAgreesWithTheDomOnTruncatedFrames) {
  MarketDataParser spot = recorded_parser(Venue::Spot, "BINANCE.0");
  MarketDataParser usdm = recorded_parser(Venue::UsdM, "BINANCE_FUTURES.0");
  const auto spot_frames = recorded_depth_frames("BINANCE.ws.1.0");
  const auto usdm_frames = recorded_depth_frames("BINANCE_FUTURES.ws.1.0");
  for (size_t i = 0; i < 10; ++i) {
    for (size_t n = 0; n <= spot_frames[i].size(); ++n) expect_same_both_ways(spot, std::string_view(spot_frames[i]).substr(0, n));
    for (size_t n = 0; n <= usdm_frames[i].size(); ++n) expect_same_both_ways(usdm, std::string_view(usdm_frames[i]).substr(0, n));
  }
}

// One byte of recorded frames replaced, at every position, by bytes that end or break tokens.
TEST(BinanceMarketData, DepthScannerAgreesWithTheDomOnFramesWithOneByteChanged) {
  MarketDataParser usdm = recorded_parser(Venue::UsdM, "BINANCE_FUTURES.0");
  MarketDataParser spot = recorded_parser(Venue::Spot, "BINANCE.0");
  const char replacements[] = {'"', '}', ']', '[', ',', ':', ' ', '0', '9', '.', 'e', '-', '\\', 'x', '\0', '\x1f', '\xc3'};
  const auto check = [&](MarketDataParser& p, const std::string& frame) {
    for (size_t i = 0; i < frame.size(); ++i)
      for (char c : replacements) {
        std::string changed = frame;
        changed[i] = c;
        expect_same_both_ways(p, changed);
      }
  };
  const auto usdm_frames = recorded_depth_frames("BINANCE_FUTURES.ws.1.0");
  const auto spot_frames = recorded_depth_frames("BINANCE.ws.1.0");
  for (size_t i = 0; i < 4; ++i) {
    check(usdm, usdm_frames[i * 97]);
    check(spot, spot_frames[i * 31]);
  }
}

// Price and quantity texts of every length and form, at every scale: the scanner's decimal
// reading must agree with the DOM's (plain_decimal, then parse_fixed for the rest).
TEST(BinanceMarketData, DepthScannerAgreesWithTheDomOnDecimalsAtEveryScale) {
  MarketDataParser p(Venue::Spot);
  for (int scale = 0; scale <= 18; ++scale) p.set_scales(std::string("S").append(std::to_string(scale)), Scales{scale, 18 - scale});
  const char* texts[] = {"0",          "7",          "00",          "007",          "7.6110",      "0.35130000",
                         "6195.00000000", "0.0000001", "12345678",   "123456789",    "1234567.1",   "99999999.99999999",
                         "5.",         ".5",         "1e3",         "-1",           "+1",          "1.2.3",
                         "",           "1.23400",    "1.2340a",     "1.000000000000000000000",    "999999999999999999",
                         "9999999999999999999",      "123456789012345678",         "1234567890123.45",
                         "0.000000000000000001",     "1.0000000000000000001",      "18446744073709551616",
                         "1 ",         " 1",         "1.5 ",        "0.0",          "10.10",       "437848"};
  for (int scale = 0; scale <= 18; ++scale)
    for (const char* price : texts)
      for (const char* qty : {"1", price}) {
        std::string frame = R"({"e":"depthUpdate","E":1,"s":"S)";
        frame += std::to_string(scale);
        frame += R"(","U":5,"u":7,"b":[[")";
        frame += price;
        frame += R"(",")";
        frame += qty;
        frame += R"("]],"a":[]})";
        expect_same_both_ways(p, frame);
      }
}

// Update ids and times of every length, with and without what makes them invalid.
TEST(BinanceMarketData, DepthScannerAgreesWithTheDomOnIntegersOfEveryLength) {
  MarketDataParser p = spot_parser();
  std::string digits;
  for (int n = 1; n <= 21; ++n) {
    digits += static_cast<char>('0' + n % 10);
    for (const std::string& id : {digits, "0" + digits, digits + ".5", digits + "e3", digits + "E3", digits + " "}) {
      expect_same_both_ways(p, R"({"e":"depthUpdate","E":)" + id + R"(,"s":"BNBBTC","U":1,"u":1,"b":[],"a":[]})");
      expect_same_both_ways(p, R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"u":)" + id + R"(,"b":[],"a":[]})");
      expect_same_both_ways(p, R"({"e":"depthUpdate","E":1,"s":"BNBBTC","U":1,"b":[],"a":[],"u":)" + id + "}");
    }
  }
  expect_same_both_ways(p, R"({"e":"depthUpdate","E":0,"s":"BNBBTC","U":0,"u":0,"b":[],"a":[]})");
}

// Symbols of every length, 1 to 24 bytes (the lookup packs up to 16 into two words), those that
// share a prefix, and a thousand registered at once (the table grows; the Scales pointers handed
// out before stay valid).
TEST(BinanceMarketData, SymbolsOfEveryLengthFindTheirOwnScales) {
  MarketDataParser p(Venue::Spot);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWX";
  for (size_t n = 1; n <= alphabet.size(); ++n) p.set_scales(alphabet.substr(0, n), Scales{static_cast<int>(n % 9), 1});
  const Scales* first = p.scales("A");
  ASSERT_NE(first, nullptr);
  for (int i = 0; i < 1000; ++i) p.set_scales("SYM" + std::to_string(i) + "USDT", Scales{i % 19, (i / 19) % 19});
  EXPECT_EQ(p.scales("A"), first);
  for (int i = 0; i < 1000; ++i) {
    const Scales* sc = p.scales("SYM" + std::to_string(i) + "USDT");
    ASSERT_NE(sc, nullptr) << i;
    EXPECT_EQ(sc->price_scale, i % 19);
    EXPECT_EQ(sc->qty_scale, (i / 19) % 19);
  }
  EXPECT_EQ(p.scales("SYM1000USDT"), nullptr);
  EXPECT_EQ(p.scales(""), nullptr);
  EXPECT_EQ(p.scales("ABCDEFGHIJKLMNOPQRSTUVWXY"), nullptr);  // one longer than any registered
  p.set_scales("ABC", Scales{7, 7});  // replacing keeps the entry
  EXPECT_EQ(p.scales("ABC")->price_scale, 7);
  for (size_t n = 1; n <= alphabet.size(); ++n) {
    const std::string symbol = alphabet.substr(0, n);
    const int price_scale = n == 3 ? 7 : static_cast<int>(n % 9);
    ASSERT_NE(p.scales(symbol), nullptr) << symbol;
    EXPECT_EQ(p.scales(symbol)->price_scale, price_scale) << symbol;
    // Inside a frame the symbol is read as words with the frame's bytes after it.
    const std::string frame = R"({"e":"depthUpdate","E":1,"s":")" + symbol + R"(","U":5,"u":7,"b":[["1","1"]],"a":[]})";
    StreamMessage m;
    std::string error;
    ASSERT_TRUE(p.parse_stream(frame, m, error)) << error;
    EXPECT_EQ(m.depth.symbol, symbol);
    // "1" at the price scale, and at qty scale 1 (7 for "ABC").
    int64_t one = 1;
    for (int i = 0; i < price_scale; ++i) one *= 10;
    EXPECT_EQ(m.depth.bids, (Levels{{one, n == 3 ? 10'000'000 : 10}})) << symbol;
    expect_same_both_ways(p, frame);
    expect_same_both_ways(p, R"({"e":"depthUpdate","E":1,"s":")" + symbol + R"(Z","U":5,"u":7,"b":[],"a":[]})");
  }
}

}  // namespace
