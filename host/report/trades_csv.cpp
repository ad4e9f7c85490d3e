#include "report/trades_csv.hpp"

#include <fmt/format.h>

#include <string_view>

#include "report/atomic_file.hpp"
#include <tradehost/fixed.hpp>
#include <tradehost/plugin.h>
#include "report/iso8601.hpp"

namespace tradehost::report {

namespace {

void field(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string trades_csv(const std::vector<RoundTrip>& trips) {
  std::string out = kTradesCsvHeader;
  out += '\n';
  for (const RoundTrip& t : trips) {
    field(out, t.instrument);
    out += ',';
    field(out, t.side);
    out += ',';
    out += iso8601_utc(t.entry_time_ns);
    out += ',';
    out += iso8601_utc(t.exit_time_ns);
    out += ',';
    field(out, t.qty);
    out += ',';
    field(out, t.entry_price);
    out += ',';
    field(out, t.exit_price);
    out += ',';
    out += tradehost::format_fixed(t.pnl_raw, TH_MONEY_SCALE);
    out += ',';
    out += tradehost::format_fixed(t.fees_raw, TH_MONEY_SCALE);
    out += ',';
    out += fmt::format("{:.4f}", t.return_pct);
    out += '\n';
  }
  return out;
}

void write_trades_csv(const std::filesystem::path& path, const std::vector<RoundTrip>& trips) {
  write_file_atomically(path, trades_csv(trips));
}

}  // namespace tradehost::report
