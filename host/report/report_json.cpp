#include "report/report_json.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>
#include <string_view>

#include "report/atomic_file.hpp"
#include <tradehost/fixed.hpp>
#include <tradehost/plugin.h>
#include "report/iso8601.hpp"

namespace tradehost::report {

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void key(Writer& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}

void string(Writer& w, std::string_view k, std::string_view v) {
  key(w, k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

// JSON has no NaN or infinity: an undefined metric is null.
void number(Writer& w, std::string_view k, double v) {
  key(w, k);
  if (std::isfinite(v)) {
    w.Double(v);
  } else {
    w.Null();
  }
}

void integer(Writer& w, std::string_view k, int64_t v) {
  key(w, k);
  w.Int64(v);
}

// Money as an exact decimal JSON number ("12.34567890"), not a rounded double.
void money(Writer& w, std::string_view k, int64_t raw) {
  key(w, k);
  const std::string text = tradehost::format_fixed(raw, TH_MONEY_SCALE);
  w.RawValue(text.data(), text.size(), rapidjson::kNumberType);
}

void time_or_null(Writer& w, std::string_view k, int64_t ns, bool present) {
  key(w, k);
  if (present) {
    const std::string text = iso8601_utc(ns);
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  } else {
    w.Null();
  }
}

}  // namespace

std::string report_json(const Summary& s, const RunInfo& run) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  integer(w, "report_version", kReportJsonVersion);

  key(w, "run");
  w.StartObject();
  string(w, "bot", run.bot);
  string(w, "run_id", run.run_id);
  string(w, "mode", run.mode);
  key(w, "instruments");
  w.StartArray();
  for (const auto& i : run.instruments)
    w.String(i.data(), static_cast<rapidjson::SizeType>(i.size()));
  w.EndArray();
  string(w, "quote_asset", run.quote_asset);
  string(w, "from", iso8601_utc(run.from_ns));
  string(w, "to", iso8601_utc(run.to_ns));
  string(w, "bar_interval", run.bar_interval);
  string(w, "config_path", run.config_path);
  w.EndObject();

  key(w, "units");
  w.StartObject();
  string(w, "ratios", "fraction");
  string(w, "money", run.quote_asset);
  string(w, "annualization", "sqrt(periods per year), 365-day year, 24/7");
  string(w, "times", "ISO 8601 UTC");
  w.EndObject();

  integer(w, "bars", s.bars);
  integer(w, "trades", s.trades);
  integer(w, "winning_trades", s.winning_trades);
  integer(w, "losing_trades", s.losing_trades);
  number(w, "win_rate", s.win_rate);
  number(w, "total_return", s.total_return);
  number(w, "buy_and_hold_return", s.buy_and_hold_return);
  number(w, "max_drawdown", s.max_drawdown);
  number(w, "sharpe", s.sharpe);
  number(w, "sortino", s.sortino);
  number(w, "profit_factor", s.profit_factor);
  key(w, "profit_factor_note");
  if (const std::string_view note = profit_factor_note(s); note.empty()) {
    w.Null();
  } else {
    w.String(note.data(), static_cast<rapidjson::SizeType>(note.size()));
  }
  number(w, "avg_trade_return", s.avg_trade_return);
  money(w, "fees_paid", s.fees_paid_raw);
  money(w, "gross_profit", s.gross_profit_raw);
  money(w, "gross_loss", s.gross_loss_raw);
  number(w, "exposure_time", s.exposure_time);
  money(w, "initial_equity", s.initial_equity_raw);
  money(w, "final_equity", s.final_equity_raw);
  time_or_null(w, "first_bar", s.first_bar_ns, s.bars > 0);
  time_or_null(w, "last_bar", s.last_bar_ns, s.bars > 0);
  number(w, "elapsed_s", s.elapsed_s);
  number(w, "bars_per_second", s.bars_per_second);
  number(w, "periods_per_year", s.periods_per_year);
  number(w, "annualization_factor", s.annualization_factor);
  w.EndObject();

  std::string out(buf.GetString(), buf.GetSize());
  out += '\n';
  return out;
}

void write_report_json(const std::filesystem::path& path, const Summary& summary,
                       const RunInfo& run) {
  write_file_atomically(path, report_json(summary, run));
}

}  // namespace tradehost::report
