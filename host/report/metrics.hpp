#pragma once
// Streaming performance metrics of a backtest or paper run. Definitions, units and formulas are
// in docs/metrics.md; this file follows them exactly.

#include <cstdint>
#include <string_view>

#include "report/round_trip.hpp"

namespace tradehost::report {

/// Seconds in the 365-day year used to annualize: crypto venues trade 24/7, so there is no
/// 252-trading-day calendar.
inline constexpr int64_t kSecondsPerYear = int64_t{365} * 24 * 3600;

/// The result of a run. Ratios are FRACTIONS (0.05 = 5 %). Money is quote currency at
/// TH_MONEY_SCALE (1e-8 units) and kept as integers so report.json can print it exactly.
/// A metric that is undefined for the run is NaN (written to JSON as null).
struct Summary {
  int64_t bars = 0;            ///< bars processed (on_bar calls)
  int64_t trades = 0;          ///< closed round trips
  int64_t winning_trades = 0;  ///< round trips with net pnl > 0
  int64_t losing_trades = 0;   ///< round trips with net pnl < 0 (pnl == 0 is neither)
  double win_rate = 0;         ///< winning_trades / trades; 0 when there are no trades
  double total_return = 0;     ///< final_equity / initial_equity - 1
  /// last close / first open - 1 of the traded instrument, no fees; NaN if never set
  double buy_and_hold_return = 0;
  double max_drawdown = 0;  ///< max of (running peak - equity) / running peak, >= 0
  double sharpe = 0;        ///< annualized; 0 when fewer than 2 bars or stdev 0
  double sortino = 0;       ///< annualized, target 0; 0 when downside deviation is 0
  /// gross_profit / gross_loss; +inf when there are wins and no losses; NaN when there are no
  /// trades or only break-even trades
  double profit_factor = 0;
  double avg_trade_return = 0;  ///< mean of RoundTrip::return_pct / 100 (fraction); 0 if no trades
  double exposure_time = 0;     ///< fraction of bars with a position open; 0 with no bars
  double elapsed_s = 0;         ///< wall-clock seconds of the run loop, as passed to summary()
  double bars_per_second = 0;   ///< bars / elapsed_s; NaN when elapsed_s <= 0
  int64_t initial_equity_raw = 0;   ///< quote currency at TH_MONEY_SCALE
  int64_t final_equity_raw = 0;     ///< equity after the last bar (initial when no bars)
  int64_t fees_paid_raw = 0;        ///< all fees paid in the run, quote currency at TH_MONEY_SCALE
  int64_t gross_profit_raw = 0;     ///< sum of pnl of winning trades, >= 0
  int64_t gross_loss_raw = 0;       ///< |sum of pnl of losing trades|, >= 0
  int64_t first_bar_ns = 0;         ///< ts of the first bar, ns UTC; 0 with no bars
  int64_t last_bar_ns = 0;          ///< ts of the last bar, ns UTC; 0 with no bars
  double periods_per_year = 0;      ///< P = 365 * 86400 s / bar interval (105120 for 5m bars)
  double annualization_factor = 0;  ///< sqrt(P), the factor applied to sharpe and sortino
};

/// Why profit_factor is not a finite number: "no trades", "no losing trades" (wins only, +inf)
/// or "only break-even trades"; empty when it is finite.
std::string_view profit_factor_note(const Summary& summary) noexcept;

/// Accumulates the metrics of one run bar by bar. on_bar is O(1), allocation-free and inline,
/// because it runs in the backtest hot loop (> 5M bars/s); mean and variance of the per-bar
/// returns use Welford's online algorithm, which stays accurate over millions of tiny returns
/// where the textbook sum-of-squares formula cancels catastrophically.
/// Not thread-safe: one accumulator per run, fed from the loop thread.
class MetricsAccumulator {
 public:
  /// initial_equity_raw: account equity before the first bar, quote currency at TH_MONEY_SCALE,
  /// must be > 0. bar_interval_ns: length of one bar in ns, must be > 0; it sets the
  /// annualization P = 365 * 86400e9 / bar_interval_ns. Throws std::invalid_argument otherwise.
  MetricsAccumulator(int64_t initial_equity_raw, int64_t bar_interval_ns);

  /// Call once per bar, after marking the account to market at the bar's close.
  /// ts_ns: bar close time, ns UTC. equity_raw: equity at TH_MONEY_SCALE. exposed: a position
  /// was open at any time during the bar.
  void on_bar(int64_t ts_ns, int64_t equity_raw, bool exposed) noexcept {
    if (bars_ == 0) first_bar_ns_ = ts_ns;
    last_bar_ns_ = ts_ns;
    ++bars_;
    exposed_bars_ += exposed ? 1 : 0;

    // r_t = E_t / E_{t-1} - 1, computed as an exact integer difference over E_{t-1}. A ruined
    // account (E_{t-1} <= 0) has no defined return; it counts as 0 rather than poisoning the
    // mean with inf.
    const double r = prev_equity_raw_ > 0 ? static_cast<double>(equity_raw - prev_equity_raw_) /
                                                static_cast<double>(prev_equity_raw_)
                                          : 0.0;
    prev_equity_raw_ = equity_raw;

    const double delta = r - mean_;
    mean_ += delta / static_cast<double>(bars_);
    m2_ += delta * (r - mean_);
    if (r < 0) downside_sq_sum_ += r * r;

    if (equity_raw > peak_raw_) {
      peak_raw_ = equity_raw;
    } else {
      // peak_raw_ >= initial equity > 0, so the division is defined.
      const double dd =
          static_cast<double>(peak_raw_ - equity_raw) / static_cast<double>(peak_raw_);
      if (dd > max_drawdown_) max_drawdown_ = dd;
    }
  }

  /// Counts one closed trade: win/loss by the sign of pnl_raw, gross profit/loss, fees, and
  /// return_pct for the average. The strings are not kept (the caller writes trades.csv).
  void on_round_trip(const RoundTrip& trip) noexcept;

  /// Overrides the fee total, quote currency at TH_MONEY_SCALE. Without it fees_paid is the sum
  /// of RoundTrip::fees_raw, which misses the entry fee of a position still open at the end.
  void set_fees_paid(int64_t fees_raw) noexcept;

  /// Benchmark prices, quote per base: the open of the first bar and the close of the last bar.
  /// buy_and_hold_return = last_price / first_price - 1; NaN when first_price <= 0.
  void set_buy_and_hold(double first_price, double last_price) noexcept;

  /// The metrics so far. elapsed_s: wall-clock seconds spent in the run loop (for throughput).
  Summary summary(double elapsed_s) const;

 private:
  int64_t initial_equity_raw_;
  double periods_per_year_;
  int64_t bars_ = 0;
  int64_t exposed_bars_ = 0;
  int64_t first_bar_ns_ = 0;
  int64_t last_bar_ns_ = 0;
  int64_t prev_equity_raw_;
  int64_t peak_raw_;
  double max_drawdown_ = 0;
  double mean_ = 0;             // Welford running mean of r_t
  double m2_ = 0;               // Welford sum of squared deviations from the mean
  double downside_sq_sum_ = 0;  // sum of min(r_t, 0)^2

  int64_t trades_ = 0;
  int64_t wins_ = 0;
  int64_t losses_ = 0;
  int64_t gross_profit_raw_ = 0;
  int64_t gross_loss_raw_ = 0;  // magnitude
  int64_t trade_fees_raw_ = 0;
  double return_pct_sum_ = 0;
  bool fees_overridden_ = false;
  int64_t fees_override_raw_ = 0;
  double buy_and_hold_return_;
};

}  // namespace tradehost::report
