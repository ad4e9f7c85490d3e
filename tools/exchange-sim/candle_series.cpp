#include "candle_series.hpp"

#include <tradehost/fixed.hpp>

#include <fstream>
#include <stdexcept>
#include <string_view>

namespace tradehost::exchange_sim {

namespace {

[[noreturn]] void fail(const std::string& path, size_t line, const std::string& what) {
  throw std::runtime_error(path + ":" + std::to_string(line) + ": " + what);
}

int64_t parse_field(std::string_view text, int scale, const std::string& path, size_t line) {
  int64_t raw = 0;
  std::string error;
  if (!parse_fixed(text, scale, raw, &error)) fail(path, line, error);
  return raw;
}

}  // namespace

std::string interval_name(int64_t ms) {
  struct Named {
    int64_t ms;
    const char* name;
  };
  static constexpr Named kIntervals[] = {
      {1000, "1s"},         {60000, "1m"},        {180000, "3m"},       {300000, "5m"},
      {900000, "15m"},      {1800000, "30m"},     {3600000, "1h"},      {7200000, "2h"},
      {14400000, "4h"},     {21600000, "6h"},     {28800000, "8h"},     {43200000, "12h"},
      {86400000, "1d"},     {259200000, "3d"},    {604800000, "1w"},
  };
  for (const auto& i : kIntervals)
    if (i.ms == ms) return i.name;
  return {};
}

CandleSeries load_candle_csv(const std::string& path, int64_t tick_size) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open candle file " + path);
  std::string text;
  CandleSeries series;
  size_t line_no = 0;
  while (std::getline(in, text)) {
    ++line_no;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (line_no == 1) {
      if (text != "open_time_ms,open,high,low,close,volume")
        fail(path, line_no, "expected header open_time_ms,open,high,low,close,volume");
      continue;
    }
    if (text.empty()) continue;
    std::string_view fields[6];
    std::string_view rest = text;
    for (int i = 0; i < 6; ++i) {
      size_t comma = rest.find(',');
      if ((comma == std::string_view::npos) != (i == 5)) fail(path, line_no, "expected 6 fields");
      fields[i] = rest.substr(0, comma);
      if (comma != std::string_view::npos) rest.remove_prefix(comma + 1);
    }
    Candle c;
    c.open_time_ms = parse_field(fields[0], 0, path, line_no);
    c.open = parse_field(fields[1], kScale, path, line_no);
    c.high = parse_field(fields[2], kScale, path, line_no);
    c.low = parse_field(fields[3], kScale, path, line_no);
    c.close = parse_field(fields[4], kScale, path, line_no);
    c.volume = parse_field(fields[5], kScale, path, line_no);
    if (c.low > c.high || c.open < c.low || c.open > c.high || c.close < c.low || c.close > c.high)
      fail(path, line_no, "OHLC values out of order");
    for (int64_t price : {c.open, c.high, c.low, c.close})
      if (price % tick_size != 0)
        fail(path, line_no, "price is not a multiple of the tick " + format_fixed_trimmed(tick_size, kScale));
    series.candles.push_back(c);
  }
  if (series.candles.size() < 2) throw std::runtime_error(path + ": needs at least two candles");
  series.interval_ms = series.candles[1].open_time_ms - series.candles[0].open_time_ms;
  if (series.interval_ms <= 0) throw std::runtime_error(path + ": open times must increase");
  for (size_t i = 1; i < series.candles.size(); ++i)
    if (series.candles[i].open_time_ms - series.candles[i - 1].open_time_ms != series.interval_ms)
      fail(path, i + 2, "open time breaks the file's even spacing");
  for (auto& c : series.candles) c.close_time_ms = c.open_time_ms + series.interval_ms - 1;
  series.interval = interval_name(series.interval_ms);
  return series;
}

}  // namespace tradehost::exchange_sim
