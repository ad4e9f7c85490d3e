// Candle readers on small fixtures and on hand-written broken files. Expected values are read off
// the fixture text by hand (a price at price_scale s is its digits with the point moved s places).
//
// The reader is a plugin source, not a host library: compile it into this test here, once.
#include "plugins/connector/replay/candle_reader.cpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "tests/unit/replay/candle_test_support.hpp"

namespace tradehost::replay {
namespace {

using test::Fails;
using test::TempFile;

const std::string kData = TH_SOURCE_DIR "/tests/unit/replay/data/";

ReadOptions scales(int price_scale, int qty_scale) {
  ReadOptions o;
  o.price_scale = price_scale;
  o.qty_scale = qty_scale;
  return o;
}

// ---- The exact decimal parser ------------------------------------------------------------------

struct Parsed {
  NumStatus status;
  int64_t value;
  size_t consumed;
};
Parsed parse(const std::string& text, int scale) {
  int64_t v = -1;
  NumStatus st;
  const char* end = parse_fixed(text.c_str(), scale, v, st);
  return {st, v, static_cast<size_t>(end - text.c_str())};
}

TEST(FixedParse, PlainDecimalsScaleExactly) {
  EXPECT_EQ(parse("16727.3", 1).value, 167273);
  EXPECT_EQ(parse("16727.3", 4).value, 167273000);
  EXPECT_EQ(parse("0.00162008", 8).value, 162008);
  EXPECT_EQ(parse("691.508", 3).value, 691508);
  EXPECT_EQ(parse("2058.74", 3).value, 2058740);
  EXPECT_EQ(parse("0", 8).value, 0);
  EXPECT_EQ(parse("-1.5", 1).value, -15);
  EXPECT_EQ(parse("7.", 2).value, 700);
  EXPECT_EQ(parse(".5", 1).value, 5);
  EXPECT_EQ(parse("16727.3,", 1).consumed, 7u);  // stops at the delimiter
}

TEST(FixedParse, TrailingZerosBeyondTheScaleAreExact) {
  // Binance writes 8 decimals for every symbol: "4.15070000" is 4.1507.
  EXPECT_EQ(parse("4.15070000", 4).value, 41507);
  EXPECT_EQ(parse("16727.30000000000000000000", 1).value, 167273);
  EXPECT_EQ(parse("0000000000000000000000016727.3", 1).value, 167273);
}

TEST(FixedParse, ExponentsAsJsonWritersEmitThem) {
  // freqtrade_UNITTEST_BTC-1m.json holds volumes like 9.417e-05 and 1e-08.
  EXPECT_EQ(parse("9.417e-05", 8).value, 9417);
  EXPECT_EQ(parse("1e-08", 8).value, 1);
  EXPECT_EQ(parse("1.5E3", 0).value, 1500);
  EXPECT_EQ(parse("3.9935754907E8", 2).value, 39935754907);
  EXPECT_EQ(parse("12e+2", 0).value, 1200);
  EXPECT_EQ(parse("0e400", 2).value, 0);
}

TEST(FixedParse, RejectsWhatIsNotExact) {
  EXPECT_EQ(parse("16727.35", 1).status, NumStatus::too_precise);
  EXPECT_EQ(parse("9.417e-05", 7).status, NumStatus::too_precise);
  EXPECT_EQ(parse("1e-19", 18).status, NumStatus::too_precise);
  // INT64_MAX = 9223372036854775807
  EXPECT_EQ(parse("92233720368.54775807", 8).value, INT64_MAX);
  EXPECT_EQ(parse("92233720368.54775808", 8).status, NumStatus::overflow);
  EXPECT_EQ(parse("1e19", 0).status, NumStatus::overflow);
  EXPECT_EQ(parse("100000000000000000000", 0).status, NumStatus::overflow);
  EXPECT_EQ(parse("abc", 2).status, NumStatus::malformed);
  EXPECT_EQ(parse(".", 2).status, NumStatus::malformed);
  EXPECT_EQ(parse("", 2).status, NumStatus::malformed);
  EXPECT_EQ(parse("1e", 2).status, NumStatus::malformed);
  EXPECT_EQ(parse("-", 2).status, NumStatus::malformed);
}

// ---- Binance kline CSV -------------------------------------------------------------------------

TEST(BinanceKlineCsv, SpotMicrosecondsWithoutHeader) {
  // Row 1 is the README example: 1735689600000000 µs = 2025-01-01 00:00:00 UTC.
  const ReadResult r = read_candles(kData + "binance_spot_1h_2025_us.csv", scales(8, 8));
  EXPECT_EQ(r.format, CandleFormat::BinanceKlineCsv);
  ASSERT_EQ(r.candles.size(), 3u);
  EXPECT_EQ(r.candles[0], (Candle{1735689600000000000, 415070000, 415870000, 415060000, 415540000, 53923000000}));
  EXPECT_EQ(r.candles[1], (Candle{1735693200000000000, 415540000, 416000000, 415000000, 415900000, 12050000000}));
  EXPECT_EQ(r.candles[2], (Candle{1735696800000000000, 415900000, 415900000, 415900000, 415900000, 0}));
  EXPECT_EQ(r.interval_ns, 3600000000000);
  EXPECT_EQ(r.gaps, 0u);
}

TEST(BinanceKlineCsv, MillisecondsGiveTheSameCandles) {
  // Same rows, one day (86,400,000 ms) earlier, written in milliseconds.
  const ReadResult us = read_candles(kData + "binance_spot_1h_2025_us.csv", scales(4, 2));
  const ReadResult ms = read_candles(kData + "binance_spot_1h_2024_ms.csv", scales(4, 2));
  ASSERT_EQ(ms.candles.size(), 3u);
  EXPECT_EQ(ms.candles[0], (Candle{1735603200000000000, 41507, 41587, 41506, 41554, 53923}));
  for (size_t i = 0; i < 3; ++i) {
    Candle shifted = us.candles[i];
    shifted.open_time_ns -= 86400000000000;
    EXPECT_EQ(ms.candles[i], shifted) << "row " << i;
  }
  EXPECT_EQ(ms.interval_ns, us.interval_ns);
}

TEST(BinanceKlineCsv, FuturesFileWithHeader) {
  const ReadResult r = read_candles(kData + "binance_um_futures_1m_header_ms.csv", scales(1, 3));
  EXPECT_EQ(r.format, CandleFormat::BinanceKlineCsv);
  ASSERT_EQ(r.candles.size(), 3u);
  // 1672531200000,16537.5,16540.9,16535.3,16536.5,249.591,...
  EXPECT_EQ(r.candles[0], (Candle{1672531200000000000, 165375, 165409, 165353, 165365, 249591}));
  // 1672531320000,16535.0,16537.9,16533.0,16537.2,180.410,...
  EXPECT_EQ(r.candles[2], (Candle{1672531320000000000, 165350, 165379, 165330, 165372, 180410}));
  EXPECT_EQ(r.interval_ns, 60000000000);
}

TEST(BinanceKlineCsv, TooManyDecimalsSaysWhichTickToSet) {
  // At 3 decimals the tick is 0.001; 4.1507 needs 0.0001 (gcd(41507, 10) = 1 at 4 decimals).
  const std::string path = kData + "binance_spot_1h_2025_us.csv";
  EXPECT_TRUE(Fails(path, scales(3, 8), path + ":1",
                    {"open \"4.15070000\" has 4 decimals, finer than tick_size 0.001", "set tick_size to 0.0001"}));
}

TEST(BinanceKlineCsv, MillisecondsThenMicrosecondsIsAnError) {
  // A 2024 file and a 2025 file concatenated.
  TempFile f("mixed.csv",
             "1735686000000,1,1,1,1,1,1735689599999,1,1,1,1,0\n"
             "1735689600000000,1,1,1,1,1,1735693199999999,1,1,1,1,0\n");
  EXPECT_TRUE(Fails(f.path, scales(2, 2), f.path + ":2", {"microseconds", "line 1 is in milliseconds"}));
}

TEST(BinanceKlineCsv, ColumnCountIsChecked) {
  TempFile f("short.csv",
             "1672531200000,16537.5,16540.9,16535.3,16536.5,249.591,1672531259999,4128146.7578,2159,118.479,1959577.2672,0\n"
             "1672531260000,16536.6,16538.4,16534.2,16535.0,237.034,1672531319999,3920251.8328,1850,105.562\n");
  EXPECT_TRUE(Fails(f.path, scales(1, 3), f.path + ":2", {"found 10 columns, expected 12"}));
}

TEST(BinanceKlineCsv, CrlfLineEndings) {
  TempFile f("crlf.csv",
             "1672531200000,16537.5,16540.9,16535.3,16536.5,249.591,1672531259999,4128146.7578,2159,118.479,1959577.2672,0\r\n"
             "1672531260000,16536.6,16538.4,16534.2,16535.0,237.034,1672531319999,3920251.8328,1850,105.562,1745990.5125,0\r\n");
  const ReadResult r = read_candles(f.path, scales(1, 3));
  ASSERT_EQ(r.candles.size(), 2u);
  EXPECT_EQ(r.candles[1], (Candle{1672531260000000000, 165366, 165384, 165342, 165350, 237034}));
}

TEST(BinanceKlineCsv, ZipArchiveIsNamed) {
  TempFile f("BTCUSDT-1m-2025-01.zip", std::string("PK\x03\x04\x14\x00\x00\x00", 8));
  EXPECT_TRUE(Fails(f.path, scales(2, 5), f.path, {"zip archive", "unzip"}));
}

// ---- Plain OHLCV CSV ---------------------------------------------------------------------------

TEST(OhlcvCsv, GapsAreCountedNotFilled) {
  const ReadResult r = read_candles(kData + "ohlcv_1m_gaps.csv", scales(1, 3));
  EXPECT_EQ(r.format, CandleFormat::OhlcvCsv);
  ASSERT_EQ(r.candles.size(), 5u);
  EXPECT_EQ(r.interval_ns, 60000000000);
  // Steps 1m, 2m, 3m, 1m: 0 + 1 + 2 + 0 missing minutes.
  EXPECT_EQ(r.gaps, 3u);
  EXPECT_EQ(r.candles[3], (Candle{1672531560000000000, 165372, 165390, 165361, 165388, 95200}));
  EXPECT_EQ(r.candles[4], (Candle{1672531620000000000, 165388, 165388, 165388, 165388, 0}));
}

TEST(OhlcvCsv, DatetimeFirstColumnLikeNautilus) {
  // 2021-12-31 23:01:00 UTC = 1640991660 s (date -u -d '2021-12-31 23:01:00' +%s).
  const ReadResult r = read_candles(kData + "nautilus_btc-perp_1m_head.csv", scales(1, 4));
  EXPECT_EQ(r.format, CandleFormat::OhlcvCsv);
  ASSERT_EQ(r.candles.size(), 3u);
  EXPECT_EQ(r.candles[0], (Candle{1640991660000000000, 463190, 463850, 463190, 463770, 23004137295}));
  EXPECT_EQ(r.candles[2], (Candle{1640991780000000000, 464110, 464250, 464110, 464250, 4664521722}));
  EXPECT_EQ(r.interval_ns, 60000000000);
}

TEST(OhlcvCsv, DatetimeVariants) {
  // 2024-02-29 is a leap day: 1709164800 s. 'T', fractions to 1 ns and 'Z' are accepted.
  TempFile f("dt.csv",
             "timestamp,open,high,low,close,volume\n"
             "2024-02-29 00:00:00.000000001,1,1,1,1,1\n"
             "2024-02-29T00:00:01.500000001Z,1,1,1,1,1\n"
             "2024-02-29 00:00:03.000000001,1,1,1,1,1\n");
  const ReadResult r = read_candles(f.path, scales(0, 0));
  ASSERT_EQ(r.candles.size(), 3u);
  EXPECT_EQ(r.candles[0].open_time_ns, 1709164800000000001);
  EXPECT_EQ(r.candles[1].open_time_ns, 1709164801500000001);
  EXPECT_EQ(r.candles[2].open_time_ns, 1709164803000000001);
  TempFile bad("bad_dt.csv", "timestamp,open,high,low,close,volume\n2023-02-29 00:00:00,1,1,1,1,1\n");
  EXPECT_TRUE(Fails(bad.path, scales(0, 0), bad.path + ":2", {"open time \"2023-02-29 00:00:00\"", "YYYY-MM-DD"}));
}

TEST(OhlcvCsv, CrlfNoTrailingNewlineBlankTailAndBom) {
  const std::string rows = "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508\r\n"
                           "1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173";
  const Candle second{1672678200000000000, 167260, 167268, 167050, 167075, 1301173};
  for (const std::string& content : {rows, rows + "\r\n", rows + "\n\n\r\n  \n", "\xEF\xBB\xBFopen_time_ms,open,high,low,close,volume\r\n" + rows}) {
    TempFile f("variant.csv", content);
    const ReadResult r = read_candles(f.path, scales(1, 3));
    ASSERT_EQ(r.candles.size(), 2u) << content;
    EXPECT_EQ(r.candles[1], second);
    EXPECT_EQ(r.interval_ns, 300000000000);
  }
}

TEST(OhlcvCsv, OneCandleHasNoInterval) {
  TempFile f("one.csv", "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508\n");
  const ReadResult r = read_candles(f.path, scales(1, 3));
  EXPECT_EQ(r.candles.size(), 1u);
  EXPECT_EQ(r.interval_ns, 0);
  EXPECT_EQ(r.gaps, 0u);
}

TEST(OhlcvCsv, LongFileCrossesReadChunks) {
  // More than one InputFile chunk, so rows straddle buffer refills.
  std::string content = "open_time_ms,open,high,low,close,volume\n";
  const size_t rows = InputFile::kChunk / 40 + 1000;
  for (size_t i = 0; i < rows; ++i) {
    content += std::to_string(1672531200000 + 60000 * static_cast<int64_t>(i)) + ",100.5,101.25,99.75,100.0," +
               std::to_string(i) + ".5\n";
  }
  TempFile f("long.csv", content);
  const ReadResult r = read_candles(f.path, scales(2, 1));
  ASSERT_EQ(r.candles.size(), rows);
  for (size_t i = 0; i < rows; ++i) {
    ASSERT_EQ(r.candles[i], (Candle{(1672531200000 + 60000 * static_cast<int64_t>(i)) * 1000000, 10050, 10125, 9975,
                                    10000, static_cast<int64_t>(i) * 10 + 5}))
        << "row " << i;
  }
  // An error far into the file still names its line: header + rows = last line.
  content.back() = ',';
  content += "9\n";
  TempFile g("long_bad.csv", content);
  EXPECT_TRUE(Fails(g.path, scales(2, 1), g.path + ":" + std::to_string(rows + 1), {"found 7 columns, expected 6"}));
}

// ---- Errors: each names path:line and a fix ----------------------------------------------------

constexpr std::string_view kHeader = "open_time_ms,open,high,low,close,volume\n";

TEST(CandleErrors, EmptyFileAndHeaderOnly) {
  TempFile empty("empty.csv", "");
  EXPECT_TRUE(Fails(empty.path, scales(1, 3), empty.path + ":1", {"file is empty"}));
  TempFile blank("blank.csv", "\n\r\n");
  EXPECT_TRUE(Fails(blank.path, scales(1, 3), blank.path + ":1", {"file is empty"}));
  TempFile header(std::string("header.csv"), std::string(kHeader));
  EXPECT_TRUE(Fails(header.path, scales(1, 3), header.path + ":2", {"no candle rows"}));
}

TEST(CandleErrors, MalformedNumber) {
  TempFile f("malformed.csv", std::string(kHeader) +
                                  "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508\n"
                                  "1672678200000,16726.0,167a26.8,16705.0,16707.5,1301.173\n");
  EXPECT_TRUE(Fails(f.path, scales(1, 3), f.path + ":3", {"high \"167a26.8\" is not a number"}));
  TempFile empty_field("empty_field.csv", std::string(kHeader) + "1672677900000,16727.3,,16726.0,16726.1,691.508\n");
  EXPECT_TRUE(Fails(empty_field.path, scales(1, 3), empty_field.path + ":2", {"high \"\" is not a number"}));
  TempFile ts("bad_time.csv", std::string(kHeader) + "16726779OO000,16727.3,16728.8,16726.0,16726.1,691.508\n");
  EXPECT_TRUE(Fails(ts.path, scales(1, 3), ts.path + ":2", {"open time \"16726779OO000\""}));
}

TEST(CandleErrors, WrongColumnCount) {
  TempFile few("few.csv", std::string(kHeader) +
                              "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508\n"
                              "1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173\n"
                              "1672678500000,16707.4,16711.8,16704.0,16704.1\n");
  EXPECT_TRUE(Fails(few.path, scales(1, 3), few.path + ":4", {"found 5 columns, expected 6"}));
  TempFile many("many.csv", std::string(kHeader) + "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508,7\n");
  EXPECT_TRUE(Fails(many.path, scales(1, 3), many.path + ":2", {"found 7 columns, expected 6"}));
  TempFile odd("odd.csv", "1672677900000,16727.3,16728.8\n");
  EXPECT_TRUE(Fails(odd.path, scales(1, 3), odd.path + ":1", {"found 3 columns; expected 6", "or 12"}));
  // The format forced to Binance on a 6-column file.
  ReadOptions o = scales(1, 3);
  o.format = CandleFormat::BinanceKlineCsv;
  const std::string plain = kData + "ohlcv_1m_gaps.csv";
  EXPECT_TRUE(Fails(plain, o, plain + ":2", {"found 6 columns, expected 12"}));
}

TEST(CandleErrors, HeaderColumnsOutOfOrder) {
  TempFile f("swapped.csv", "open_time_ms,open,low,high,close,volume\n1672677900000,16727.3,16726.0,16728.8,16726.1,1\n");
  EXPECT_TRUE(Fails(f.path, scales(1, 3), f.path + ":1", {"header column 3 is \"low\" where \"high\" is expected"}));
}

TEST(CandleErrors, DuplicateAndOutOfOrderNameBothLines) {
  TempFile dup("dup.csv", std::string(kHeader) +
                              "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508\n"
                              "1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173\n"
                              "1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173\n");
  EXPECT_TRUE(Fails(dup.path, scales(1, 3), dup.path + ":4",
                    {"2023-01-02 16:50:00 UTC repeats line 3", "duplicate candle"}));
  TempFile back("back.csv", std::string(kHeader) +
                                "1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173\n"
                                "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508\n");
  EXPECT_TRUE(Fails(back.path, scales(1, 3), back.path + ":3",
                    {"2023-01-02 16:45:00 UTC is before line 2 (2023-01-02 16:50:00 UTC)", "sort"}));
}

TEST(CandleErrors, StepNotAMultipleOfTheInterval) {
  // Steps 60 s, 60 s, 30 s: the interval is 60 s and the last step is half of it.
  TempFile f("step.csv", std::string(kHeader) +
                             "1672531200000,1,1,1,1,1\n"
                             "1672531260000,1,1,1,1,1\n"
                             "1672531320000,1,1,1,1,1\n"
                             "1672531350000,1,1,1,1,1\n");
  EXPECT_TRUE(Fails(f.path, scales(0, 0), f.path + ":5", {"is 30s after line 4", "interval 1m"}));
}

TEST(CandleErrors, OhlcSanity) {
  TempFile low("low.csv", std::string(kHeader) + "1672677900000,16727.3,16728.8,16727.4,16727.5,691.508\n");
  EXPECT_TRUE(Fails(low.path, scales(1, 3), low.path + ":2", {"low 16727.4 is above open 16727.3"}));
  TempFile high("high.csv", std::string(kHeader) +
                                "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508\n"
                                "1672678200000,16726.0,16726.8,16705.0,16727.5,1301.173\n");
  EXPECT_TRUE(Fails(high.path, scales(1, 3), high.path + ":3", {"high 16726.8 is below close 16727.5"}));
  TempFile vol("vol.csv", std::string(kHeader) + "1672677900000,16727.3,16728.8,16726.0,16726.1,-691.508\n");
  EXPECT_TRUE(Fails(vol.path, scales(1, 3), vol.path + ":2", {"volume -691.508 is negative"}));
  // A corrupt row of zero or negative prices is consistent in its ordering but not a market price.
  TempFile zero("zero.csv", std::string(kHeader) + "1672677900000,0,0,0,0,1\n");
  EXPECT_TRUE(Fails(zero.path, scales(1, 3), zero.path + ":2", {"low 0.0 is not positive"}));
  TempFile neg("neg.csv", std::string(kHeader) + "1672677900000,-5,-5,-5,-5,1\n");
  EXPECT_TRUE(Fails(neg.path, scales(1, 3), neg.path + ":2", {"low -5.0 is not positive"}));
}

// Volumes are statistics: digits below the quantity scale are dropped toward zero, never refused.
// 691.5089 at 3 decimals -> 691.508 -> raw 691508; the 18-digit noise form takes the general path.
TEST(CandleReader, VolumeDigitsBelowTheScaleAreTruncated) {
  TempFile f("vol.csv", std::string(kHeader) +
                            "1672677900000,16727.3,16728.8,16726.0,16726.1,691.5089\n"
                            "1672678200000,16726.0,16726.8,16705.0,16707.5,218102.59507500002\n");
  const ReadResult r = read_candles(f.path, scales(1, 3));
  ASSERT_EQ(r.candles.size(), 2u);
  EXPECT_EQ(r.candles[0].volume, 691508);
  EXPECT_EQ(r.candles[1].volume, 218102595);
}

TEST(CandleErrors, TooManyDecimalsAndOverflow) {
  TempFile f("precise.csv", std::string(kHeader) +
                                "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508\n"
                                "1672678200000,16726.0,16726.8,16705.05,16707.5,1301.173\n");
  // Tick 0.1; 16705.05 needs a tick dividing gcd(1670505, 10) = 5 hundredths.
  EXPECT_TRUE(Fails(f.path, scales(1, 3), f.path + ":3",
                    {"low \"16705.05\" has 2 decimals, finer than tick_size 0.1", "set tick_size to 0.05"}));
  EXPECT_TRUE(Fails(f.path, scales(16, 3), f.path + ":2",
                    {"open \"16727.3\" does not fit a 64-bit integer at 16 decimals", "coarser tick_size"}));
  // Advice names tick_size, never the ReadOptions fields (the connector's config has no such keys).
  const std::string message = [&] {
    try {
      read_candles(f.path, scales(1, 3));
    } catch (const CandleError& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  EXPECT_EQ(message.find("price_scale"), std::string::npos) << message;
  EXPECT_EQ(message.find("tick_size_raw"), std::string::npos) << message;
}

TEST(CandleErrors, PriceOffTheTick) {
  TempFile f("tick.csv", std::string(kHeader) +
                             "1672677900000,16727.0,16728.0,16726.0,16726.0,1\n"
                             "1672678200000,16726.0,16727.5,16705.0,16707.0,1\n");
  ReadOptions o = scales(1, 0);
  o.tick_size_raw = 10;  // 1.0
  // gcd(167275, 10) = 5 tenths: a 0.5 tick admits the value.
  EXPECT_TRUE(Fails(f.path, o, f.path + ":3",
                    {"high 16727.5 is not a multiple of tick_size 1;", "set tick_size to 0.5 or a divisor"}));
  o.tick_size_raw = 5;
  EXPECT_EQ(read_candles(f.path, o).candles.size(), 2u);
}

TEST(CandleErrors, BlankLineBetweenRows) {
  TempFile f("blank_mid.csv", std::string(kHeader) +
                                  "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508\n"
                                  "\r\n"
                                  "1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173\n");
  EXPECT_TRUE(Fails(f.path, scales(1, 3), f.path + ":3", {"blank line between candle rows"}));
}

TEST(CandleErrors, SecondsAreNotMilliseconds) {
  TempFile f("seconds.csv", std::string(kHeader) + "1672677900,16727.3,16728.8,16726.0,16726.1,691.508\n");
  EXPECT_TRUE(Fails(f.path, scales(1, 3), f.path + ":2", {"looks like seconds"}));
}

TEST(CandleErrors, OptionsAndMissingFile) {
  const std::string path = kData + "ohlcv_1m_gaps.csv";
  EXPECT_TRUE(Fails(path, ReadOptions{}, path, {"price_scale -1 is outside 0..18"}));
  ReadOptions o = scales(1, 3);
  o.tick_size_raw = 0;
  EXPECT_TRUE(Fails(path, o, path, {"tick_size_raw 0 must be >= 1"}));
  const std::string missing = kData + "no_such_file.csv";
  try {
    read_candles(missing, scales(1, 3));
    ADD_FAILURE() << "no error";
  } catch (const CandleError& e) {
    EXPECT_EQ(e.path(), missing);
    EXPECT_EQ(e.line(), 0u);
    EXPECT_EQ(std::string(e.what()).rfind(missing + ": cannot read", 0), 0u) << e.what();
  }
}

// ---- freqtrade JSON ------------------------------------------------------------------------------

TEST(FreqtradeJson, RowsLayoutWithExponentAndGap) {
  const ReadResult r = read_candles(kData + "freqtrade_rows_1m.json", scales(8, 8));
  EXPECT_EQ(r.format, CandleFormat::FreqtradeJson);
  ASSERT_EQ(r.candles.size(), 3u);
  EXPECT_EQ(r.candles[0], (Candle{1509836520000000000, 162008, 162008, 162008, 162008, 10814853839}));
  EXPECT_EQ(r.candles[1], (Candle{1509836580000000000, 161000, 161000, 161000, 161000, 8239019900}));
  EXPECT_EQ(r.candles[2], (Candle{1509836700000000000, 161000, 162000, 161000, 162000, 9417}));  // 9.417e-05
  EXPECT_EQ(r.interval_ns, 60000000000);
  EXPECT_EQ(r.gaps, 1u);
}

TEST(FreqtradeJson, ColumnsLayoutAnyColumnOrderUnknownColumnsSkipped) {
  const ReadResult r = read_candles(kData + "freqtrade_columns_5m.json", scales(1, 3));
  EXPECT_EQ(r.format, CandleFormat::FreqtradeJson);
  ASSERT_EQ(r.candles.size(), 3u);
  EXPECT_EQ(r.candles[0], (Candle{1672677900000000000, 167273, 167288, 167260, 167261, 691508}));
  EXPECT_EQ(r.candles[1], (Candle{1672678200000000000, 167260, 167268, 167050, 167075, 1301173}));
  EXPECT_EQ(r.candles[2], (Candle{1672678500000000000, 167074, 167118, 167040, 167041, 566041}));
  EXPECT_EQ(r.interval_ns, 300000000000);
}

TEST(FreqtradeJson, ErrorsCarryLineAndColumn) {
  // `[[` + 13 digits + `, ` puts the second value at byte 17, column 18.
  TempFile str("str.json", R"([[1672677900000, "16727.3", 16728.8, 16726.0, 16726.1, 691.508]])");
  EXPECT_TRUE(Fails(str.path, scales(1, 3), str.path + ":1:18", {"found a string where a number belongs"}));
  TempFile null("null.json", R"([[1672677900000, null, 16728.8, 16726.0, 16726.1, 691.508]])");
  EXPECT_TRUE(Fails(null.path, scales(1, 3), null.path + ":1:18", {"found null (a missing value)"}));

  TempFile five("five.json",
                "[\n"
                " [1672677900000, 16727.3, 16728.8, 16726.0, 16726.1, 691.508],\n"
                " [1672678200000, 16726.0, 16726.8, 16705.0, 16707.5]\n"
                "]\n");
  EXPECT_TRUE(Fails(five.path, scales(1, 3), five.path + ":3:2", {"row [1] has 5 values, expected 6"}));

  TempFile precise("precise.json",
                   "[\n"
                   " [1672677900000, 16727.3, 16728.8, 16726.0, 16726.1, 691.508],\n"
                   " [1672678200000, 16726.0, 16726.85, 16705.0, 16707.5, 1301.173]\n"
                   "]\n");
  // Line 3: ` [` + 13 digits + `, ` + `16726.0, ` puts high at column 27.
  EXPECT_TRUE(Fails(precise.path, scales(1, 3), precise.path + ":3:27",
                    {"high \"16726.85\" has 2 decimals, finer than tick_size 0.1", "set tick_size to 0.05"}));

  TempFile ohlc("ohlc.json",
                "[\n"
                " [1672677900000, 16727.3, 16728.8, 16726.0, 16726.1, 691.508],\n"
                " [1672678200000, 16726.0, 16726.8, 16727.0, 16707.5, 1301.173]\n"
                "]\n");
  EXPECT_TRUE(Fails(ohlc.path, scales(1, 3), ohlc.path + ":3:2", {"row [1]: low 16727.0 is above high 16726.8"}));

  // `[[1672677900000, 16727.3,` is 25 bytes; the ']' that is not a value is column 26.
  TempFile broken("broken.json", "[[1672677900000, 16727.3,]]");
  EXPECT_TRUE(Fails(broken.path, scales(1, 3), broken.path + ":1:26", {"invalid JSON"}));
}

TEST(FreqtradeJson, ColumnsLayoutErrors) {
  TempFile missing("missing.json", R"({"date": {"0": 1672677900000}, "open": {"0": 1}, "high": {"0": 1},
 "low": {"0": 1}, "close": {"0": 1}})");
  EXPECT_TRUE(Fails(missing.path, scales(1, 3), missing.path + ":2", {"missing column \"volume\""}));

  TempFile keys("keys.json", R"({"date": {"0": 1672677900000, "1": 1672678200000},
"open": {"0": 1, "2": 1}})");
  // Line 2: `"open": {"0": 1, ` is 17 bytes, so the key "2" starts at column 18.
  EXPECT_TRUE(Fails(keys.path, scales(1, 3), keys.path + ":2:18",
                    {"column \"open\" has row key \"2\" at position 1 where the first column has \"1\""}));

  // A duplicate open time is located at its "date" value.
  TempFile dup("dup.json",
               "{\"date\": {\"0\": 1672677900000,\n"
               "          \"1\": 1672677900000},\n"
               " \"open\": {\"0\": 1, \"1\": 1}, \"high\": {\"0\": 1, \"1\": 1}, \"low\": {\"0\": 1, \"1\": 1},\n"
               " \"close\": {\"0\": 1, \"1\": 1}, \"volume\": {\"0\": 1, \"1\": 1}}\n");
  EXPECT_TRUE(Fails(dup.path, scales(1, 3), dup.path + ":2:16",
                    {"row \"1\": open time 2023-01-02 16:45:00 UTC repeats row \"0\" at 1:16", "duplicate candle"}));
}

TEST(FreqtradeJson, JsonExtensionWithCsvContent) {
  TempFile f("candles.json", "1672677900000,16727.3,16728.8,16726.0,16726.1,691.508\n");
  EXPECT_TRUE(Fails(f.path, scales(1, 3), f.path + ":1:1", {"must start with '[' or '{'"}));
}

}  // namespace
}  // namespace tradehost::replay
