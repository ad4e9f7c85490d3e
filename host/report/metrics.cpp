#include "report/metrics.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace tradehost::report {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

std::string_view profit_factor_note(const Summary& summary) noexcept {
  if (std::isfinite(summary.profit_factor)) return {};
  if (summary.trades == 0) return "no trades";
  if (summary.losing_trades == 0 && summary.winning_trades > 0) return "no losing trades";
  return "only break-even trades";
}

MetricsAccumulator::MetricsAccumulator(int64_t initial_equity_raw, int64_t bar_interval_ns)
    : initial_equity_raw_(initial_equity_raw),
      periods_per_year_(0),
      prev_equity_raw_(initial_equity_raw),
      peak_raw_(initial_equity_raw),
      buy_and_hold_return_(kNaN) {
  if (initial_equity_raw <= 0) {
    throw std::invalid_argument(
        fmt::format("initial equity must be > 0, got raw={}", initial_equity_raw));
  }
  if (bar_interval_ns <= 0) {
    throw std::invalid_argument(
        fmt::format("bar interval must be > 0 ns, got {}", bar_interval_ns));
  }
  periods_per_year_ =
      static_cast<double>(kSecondsPerYear) * 1e9 / static_cast<double>(bar_interval_ns);
}

void MetricsAccumulator::on_round_trip(const RoundTrip& trip) noexcept {
  ++trades_;
  if (trip.pnl_raw > 0) {
    ++wins_;
    gross_profit_raw_ += trip.pnl_raw;
  } else if (trip.pnl_raw < 0) {
    ++losses_;
    gross_loss_raw_ -= trip.pnl_raw;
  }
  trade_fees_raw_ += trip.fees_raw;
  return_pct_sum_ += trip.return_pct;
}

void MetricsAccumulator::set_fees_paid(int64_t fees_raw) noexcept {
  fees_overridden_ = true;
  fees_override_raw_ = fees_raw;
}

void MetricsAccumulator::set_buy_and_hold(double first_price, double last_price) noexcept {
  buy_and_hold_return_ = first_price > 0 ? (last_price - first_price) / first_price : kNaN;
}

Summary MetricsAccumulator::summary(double elapsed_s) const {
  Summary s;
  s.bars = bars_;
  s.trades = trades_;
  s.winning_trades = wins_;
  s.losing_trades = losses_;
  s.win_rate = trades_ > 0 ? static_cast<double>(wins_) / static_cast<double>(trades_) : 0.0;

  s.initial_equity_raw = initial_equity_raw_;
  s.final_equity_raw = prev_equity_raw_;
  s.total_return = static_cast<double>(prev_equity_raw_ - initial_equity_raw_) /
                   static_cast<double>(initial_equity_raw_);
  s.buy_and_hold_return = buy_and_hold_return_;
  s.max_drawdown = max_drawdown_;

  s.periods_per_year = periods_per_year_;
  s.annualization_factor = std::sqrt(periods_per_year_);
  if (bars_ >= 2) {
    const double stdev = std::sqrt(m2_ / static_cast<double>(bars_ - 1));
    s.sharpe = stdev > 0 ? mean_ / stdev * s.annualization_factor : 0.0;
  }
  if (bars_ >= 1) {
    const double downside_dev = std::sqrt(downside_sq_sum_ / static_cast<double>(bars_));
    s.sortino = downside_dev > 0 ? mean_ / downside_dev * s.annualization_factor : 0.0;
  }

  s.gross_profit_raw = gross_profit_raw_;
  s.gross_loss_raw = gross_loss_raw_;
  if (losses_ > 0) {
    s.profit_factor = static_cast<double>(gross_profit_raw_) / static_cast<double>(gross_loss_raw_);
  } else {
    s.profit_factor = wins_ > 0 ? kInf : kNaN;
  }
  s.avg_trade_return = trades_ > 0 ? return_pct_sum_ / static_cast<double>(trades_) / 100.0 : 0.0;
  s.fees_paid_raw = fees_overridden_ ? fees_override_raw_ : trade_fees_raw_;

  s.exposure_time =
      bars_ > 0 ? static_cast<double>(exposed_bars_) / static_cast<double>(bars_) : 0.0;
  s.elapsed_s = elapsed_s;
  s.bars_per_second = elapsed_s > 0 ? static_cast<double>(bars_) / elapsed_s : kNaN;
  s.first_bar_ns = first_bar_ns_;
  s.last_bar_ns = last_bar_ns_;
  return s;
}

}  // namespace tradehost::report
