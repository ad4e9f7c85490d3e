// Fuzz target: the replay connector's candle file readers (plugins/connector/replay
// read_candles: Binance kline CSV, OHLCV CSV, freqtrade JSON arrays and pandas "columns" JSON),
// on the input written to a scratch file, since read_candles reads a path.
// Input: 4 header bytes, then the file. h0 % 4: the format asked (Auto, BinanceKlineCsv, OhlcvCsv,
// FreqtradeJson), h0 & 4: the file is named .json instead of .csv; h1 % 19: price_scale;
// h2 % 19: qty_scale; h3: tick_size_raw 1 + h3 % 100.
// Invariants: the only exception is CandleError, whose message starts with the path; an accepted
// file gives the format asked (or a concrete one for Auto), open times strictly increasing,
// low <= open, close <= high, volume >= 0, every price a multiple of the tick, an interval that is
// the most common step (0 below two candles) and divides every step, and gaps = the sum over the
// steps of step / interval - 1.
#include "fuzz_check.hpp"

#include "plugins/connector/replay/candle_reader.hpp"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

using namespace tradehost::replay;
namespace fs = std::filesystem;

namespace {

void check(const ReadResult& r, const ReadOptions& o) {
  FUZZ_CHECK(r.format != CandleFormat::Auto, "format Auto returned");
  if (o.format != CandleFormat::Auto) FUZZ_CHECK(r.format == o.format, "format %d asked, %d read", static_cast<int>(o.format), static_cast<int>(r.format));
  std::map<int64_t, size_t> steps;
  for (size_t i = 0; i < r.candles.size(); ++i) {
    const Candle& c = r.candles[i];
    FUZZ_CHECK(c.low <= c.open && c.low <= c.close && c.open <= c.high && c.close <= c.high,
               "row %zu: o %lld h %lld l %lld c %lld", i, static_cast<long long>(c.open), static_cast<long long>(c.high),
               static_cast<long long>(c.low), static_cast<long long>(c.close));
    FUZZ_CHECK(c.volume >= 0, "row %zu: negative volume", i);
    for (int64_t p : {c.open, c.high, c.low, c.close})
      FUZZ_CHECK(p % o.tick_size_raw == 0, "row %zu: price %lld off the tick %lld", i, static_cast<long long>(p),
                 static_cast<long long>(o.tick_size_raw));
    if (i > 0) {
      FUZZ_CHECK(r.candles[i - 1].open_time_ns < c.open_time_ns, "row %zu: open times not increasing", i);
      ++steps[c.open_time_ns - r.candles[i - 1].open_time_ns];
    }
  }
  if (r.candles.size() < 2) {
    FUZZ_CHECK(r.interval_ns == 0 && r.gaps == 0, "interval %lld with %zu candles", static_cast<long long>(r.interval_ns),
               r.candles.size());
    return;
  }
  FUZZ_CHECK(r.interval_ns > 0 && steps.count(r.interval_ns) == 1, "interval %lld is not a step",
             static_cast<long long>(r.interval_ns));
  size_t gaps = 0;
  for (const auto& [step, n] : steps) {
    FUZZ_CHECK(n <= steps[r.interval_ns], "step %lld is more common than the interval", static_cast<long long>(step));
    FUZZ_CHECK(step % r.interval_ns == 0, "step %lld is not a multiple of the interval", static_cast<long long>(step));
    gaps += n * static_cast<size_t>(step / r.interval_ns - 1);
  }
  FUZZ_CHECK(gaps == r.gaps, "gaps %zu, counted %zu", r.gaps, gaps);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("th_candles_fuzz_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  ReadOptions o;
  o.format = static_cast<CandleFormat>(data[0] % 4);
  o.price_scale = data[1] % 19;
  o.qty_scale = data[2] % 19;
  o.tick_size_raw = 1 + data[3] % 100;
  const fs::path file = dir / ((data[0] & 4) != 0 ? "candles.json" : "candles.csv");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 4), static_cast<std::streamsize>(size - 4));
  }
  try {
    check(read_candles(file.string(), o), o);
  } catch (const CandleError& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with(file.string()), "message without the path: %s", e.what());
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, "exception other than CandleError: %s", e.what());
  }
  return 0;
}
