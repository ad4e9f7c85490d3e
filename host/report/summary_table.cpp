#include "report/summary_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>
#include <vector>

#include <tradehost/fixed.hpp>
#include <tradehost/plugin.h>
#include "report/iso8601.hpp"
#include "report/readable_numbers.hpp"

namespace tradehost::report {

namespace {

struct Row {
  std::string label;
  std::string value;
  std::string note;  // after the value column, unaligned
};

std::string percent(double fraction, bool signed_) {
  if (!std::isfinite(fraction)) return "n/a";
  return signed_ ? fmt::format("{:+.2f}%", fraction * 100) : fmt::format("{:.2f}%", fraction * 100);
}

std::string ratio(double v) { return std::isfinite(v) ? fmt::format("{:.2f}", v) : "n/a"; }

// Exact, but without the noise of 8 decimals: trailing zeros dropped down to 2 places.
std::string money(int64_t raw) {
  std::string s = tradehost::format_fixed(raw, TH_MONEY_SCALE);
  const size_t dot = s.find('.');
  const size_t last = s.find_last_not_of('0');
  s.erase(std::max(last + 1, dot + 3));
  return s;
}

}  // namespace

std::string format_summary(const Summary& s, const RunInfo& run) {
  std::string mode = run.mode.empty() ? "Run" : run.mode;
  mode[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(mode[0])));

  std::string instruments;
  for (const auto& i : run.instruments) {
    if (!instruments.empty()) instruments += ", ";
    instruments += i;
  }

  std::string out = fmt::format("{} {} (run {})\n", mode, run.bot, run.run_id);
  out += fmt::format("  {:<13}{}\n", "Instruments", instruments);
  out += fmt::format("  {:<13}{} -> {}, {} bars\n", "Period", iso8601_utc(run.from_ns),
                     iso8601_utc(run.to_ns), run.bar_interval);
  out += fmt::format("  {:<13}{}\n\n", "Config", run.config_path);

  std::string pf = ratio(s.profit_factor);
  if (std::isinf(s.profit_factor) && s.profit_factor > 0) pf = "inf";
  const std::string_view pf_note = profit_factor_note(s);

  const std::vector<Row> rows = {
      {"Total return", percent(s.total_return, true), ""},
      {"Buy & hold", percent(s.buy_and_hold_return, true), ""},
      {"Max drawdown", percent(s.max_drawdown, false), ""},
      {"Sharpe", ratio(s.sharpe), ""},
      {"Sortino", ratio(s.sortino), ""},
      {"Trades", group_thousands(s.trades),
       fmt::format("{} won, {} lost", group_thousands(s.winning_trades),
                   group_thousands(s.losing_trades))},
      {"Win rate", percent(s.win_rate, false), ""},
      {"Profit factor", pf, pf_note.empty() ? "" : std::string(pf_note)},
      {"Avg trade", percent(s.avg_trade_return, true), ""},
      {"Exposure", percent(s.exposure_time, false), "of bars in a position"},
      {"Fees paid", money(s.fees_paid_raw), run.quote_asset},
      {"Start equity", money(s.initial_equity_raw), run.quote_asset},
      {"End equity", money(s.final_equity_raw), run.quote_asset},
      {"Bars", group_thousands(s.bars),
       fmt::format("in {:.2f} s, {} bars/s", s.elapsed_s, format_count(s.bars_per_second))},
  };
  size_t label_w = 0, value_w = 0;
  for (const Row& r : rows) {
    label_w = std::max(label_w, r.label.size());
    value_w = std::max(value_w, r.value.size());
  }
  for (const Row& r : rows) {
    std::string line = fmt::format("  {:<{}}  {:>{}}", r.label, label_w, r.value, value_w);
    if (!r.note.empty()) line += "  " + r.note;
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace tradehost::report
