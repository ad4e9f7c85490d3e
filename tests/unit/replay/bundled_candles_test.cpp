// The real candle files we bundle in data/ (provenance in data/SOURCES.md). Expected rows are
// the first and last lines of each file as `head`/`tail` show them; counts come from SOURCES.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "plugins/connector/replay/candle_reader.hpp"
#include "tests/unit/replay/candle_test_support.hpp"

namespace tradehost::replay {
namespace {

using test::Fails;

// The real files live in the repository's data/ folder (data/SOURCES.md); a missing one fails.
std::string find_candles(const std::string& repo_name, const std::string& shared_name) {
  const std::string p = std::string(TH_SOURCE_DIR "/data/") + (repo_name.empty() ? shared_name : repo_name);
  return std::filesystem::exists(p) ? p : std::string();
}

#define REQUIRE_FILE(path) ASSERT_FALSE((path).empty()) << "candle data missing from data/ (see data/SOURCES.md)"

ReadOptions scales(int price_scale, int qty_scale) {
  ReadOptions o;
  o.price_scale = price_scale;
  o.qty_scale = qty_scale;
  return o;
}

const std::string k5mCsv = "freqtrade_orderflow_BTCUSDT_5m_20230102-20230209.csv";

TEST(BundledCandles, Freqtrade5mCsv) {
  const std::string path = find_candles("BTCUSDT-5m-20230102-20230209.csv", k5mCsv);
  REQUIRE_FILE(path);
  const ReadResult r = read_candles(path, scales(1, 3));  // 0.1 tick, volume to 0.001 BTC
  EXPECT_EQ(r.format, CandleFormat::OhlcvCsv);
  ASSERT_EQ(r.candles.size(), 10999u);
  // head: 1672677900000,16727.3,16728.8,16726.0,16726.1,691.508
  EXPECT_EQ(r.candles.front(), (Candle{1672677900000000000, 167273, 167288, 167260, 167261, 691508}));
  // tail: 1675977000000,21937.5,21937.5,21884.0,21918.1,3399.678
  //       1675977300000,21918.0,21960.7,21914.0,21925.7,2058.74
  EXPECT_EQ(r.candles[10997], (Candle{1675977000000000000, 219375, 219375, 218840, 219181, 3399678}));
  EXPECT_EQ(r.candles.back(), (Candle{1675977300000000000, 219180, 219607, 219140, 219257, 2058740}));
  EXPECT_EQ(r.interval_ns, 300000000000);
  // (1675977300000 - 1672677900000) / 300000 + 1 = 10999 = the row count: no gaps.
  EXPECT_EQ(r.gaps, 0u);
}

TEST(BundledCandles, Freqtrade5mJsonEqualsTheCsv) {
  const std::string json = find_candles("", "freqtrade_orderflow_candles_5m.json");
  const std::string csv = find_candles("BTCUSDT-5m-20230102-20230209.csv", k5mCsv);
  REQUIRE_FILE(json);
  REQUIRE_FILE(csv);
  const ReadResult from_json = read_candles(json, scales(1, 3));
  const ReadResult from_csv = read_candles(csv, scales(1, 3));
  EXPECT_EQ(from_json.format, CandleFormat::FreqtradeJson);
  ASSERT_EQ(from_json.candles.size(), 10999u);
  EXPECT_TRUE(from_json.candles == from_csv.candles);
  EXPECT_EQ(from_json.interval_ns, from_csv.interval_ns);
  EXPECT_EQ(from_json.gaps, 0u);
}

TEST(BundledCandles, FreqtradeUnittest1mJsonWithGaps) {
  const std::string path = find_candles("", "freqtrade_UNITTEST_BTC-1m.json");
  REQUIRE_FILE(path);
  const ReadResult r = read_candles(path, scales(8, 8));  // prices ~0.0016 BTC with 8 decimals
  EXPECT_EQ(r.format, CandleFormat::FreqtradeJson);
  ASSERT_EQ(r.candles.size(), 13681u);
  // [1509836520000, 0.00162008, 0.00162008, 0.00162008, 0.00162008, 108.14853839]
  EXPECT_EQ(r.candles.front(), (Candle{1509836520000000000, 162008, 162008, 162008, 162008, 10814853839}));
  // [1510700340000, 0.00270001, 0.00270002, 0.00270001, 0.00270002, 1.94577668]
  EXPECT_EQ(r.candles.back(), (Candle{1510700340000000000, 270001, 270002, 270001, 270002, 194577668}));
  EXPECT_EQ(r.interval_ns, 60000000000);
  // Minutes spanned: (1510700340000 - 1509836520000) / 60000 + 1 = 14398; rows 13681; missing
  // minutes 14398 - 13681 = 717. (SOURCES.md's "538 gaps" counts holes, several minutes each.)
  EXPECT_EQ(r.gaps, 717u);
  // Exponent notation in the file: [1509880080000, 0.00161 x4, 9.417e-05] and
  // [1510113660000, 0.00189385 x4, 1e-08].
  auto at = [&](int64_t ms) {
    return *std::find_if(r.candles.begin(), r.candles.end(),
                         [&](const Candle& c) { return c.open_time_ns == ms * 1000000; });
  };
  EXPECT_EQ(at(1509880080000), (Candle{1509880080000000000, 161000, 161000, 161000, 161000, 9417}));
  EXPECT_EQ(at(1510113660000), (Candle{1510113660000000000, 189385, 189385, 189385, 189385, 1}));
}

// The nautilus file cannot be held exactly in int64 at any one (price_scale, qty_scale): its
// volumes carry float noise (218102.59507500002, 11 decimals) and reach 102949891.4118, which
// overflows at qty_scale 11. The first offending lines were found with Python's Decimal.
TEST(BundledCandles, NautilusBtcPerpErrorsNameTheLine) {
  const std::string path = find_candles("", "nautilus_btc-perp-20211231-20220201_1m.csv");
  REQUIRE_FILE(path);
  // Line 244: 2022-01-01 03:03:00.000000,46821.75,46830.5,46809.0,46810.75,289169.9847625
  EXPECT_TRUE(Fails(path, scales(1, 4), path + ":244", {"open \"46821.75\" has 2 decimals", "set tick_size to 0.05"}));
  // Line 249 holds volume 218102.59507500002 (11 decimals): volumes are truncated to the quantity
  // scale, not refused, so at (3, 10) it reads 218102.5950750000 -> raw 2181025950750000 (row 247,
  // line 249 minus the header and the 1-based line). Line 17524 has 43613.875, so prices need 3.
  {
    const ReadResult r = read_candles(path, scales(3, 10));
    ASSERT_GT(r.candles.size(), 247u);
    EXPECT_EQ(r.candles[247].volume, 2181025950750000);
  }
  // Line 13880: volume 102949891.4118 * 10^11 > INT64_MAX.
  EXPECT_TRUE(Fails(path, scales(3, 11), path + ":13880", {"volume \"102949891.4118\" does not fit a 64-bit integer"}));
}

}  // namespace
}  // namespace tradehost::replay
